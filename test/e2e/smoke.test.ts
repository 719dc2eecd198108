import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

test('smoke: bucket, put, get, list with the official SDK', async () => {
  const Bucket = bucketName();
  await h.cos.putBucket({ Bucket, Region: REGION });
  const put = await h.cos.putObject({ Bucket, Region: REGION, Key: 'hello.txt', Body: 'hello world' });
  assert.equal(put.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
  const got = await h.cos.getObject({ Bucket, Region: REGION, Key: 'hello.txt' });
  assert.equal(got.Body.toString(), 'hello world');
  const list = await h.cos.getBucket({ Bucket, Region: REGION });
  assert.equal(list.Contents.length, 1);
  assert.equal(list.Contents[0].Key, 'hello.txt');
});
