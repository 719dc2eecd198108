/**
 * The File and Blob bodies of the browser API, in Node (Node 20 has Blob and File): the same upload
 * code paths as in a browser (Blob slices, pure-JS MD5 of the slices) over the Node transport,
 * against cosbox, read back with the official cos-nodejs-sdk-v5 (issue 7 item 5; C328).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import COS from '@cosbox/sdk';
import { bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';

const MiB = 1024 * 1024;
const Bucket = bucketName('sdkblob');
let h: Harness;
let cos: COS;

before(async () => {
  h = await startHarness();
  cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${h.port}` });
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h?.close());

const md5Hex = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
const stored = (Key: string) => h.cos.getObject({ Bucket, Region: REGION, Key });

test('C328 putObject of a Blob in Node: streamed, with progress to 1, stored byte for byte', async () => {
  const bytes = randomBytes(2 * MiB + 11);
  const percents: number[] = [];
  const put = await cos.putObject({ Bucket, Region: REGION, Key: 'blob/put.bin', Body: new Blob([bytes]), onProgress: (p) => percents.push(p.percent) });
  assert.equal(put.ETag, `"${md5Hex(bytes)}"`);
  assert.equal(percents.at(-1), 1);
  assert.ok((await stored('blob/put.bin')).Body.equals(bytes));
});

test('C328 C356 C357 uploadFile and sliceUploadFile of a File in Node: parts are Blob slices with their MD5; a second upload of the same File resumes', async () => {
  const bytes = randomBytes(3 * MiB + 5);
  const file = new File([bytes], 'data.csv', { type: 'text/csv' });
  const small = await cos.uploadFile({ Bucket, Region: REGION, Key: 'blob/small.csv', Body: new File([bytes.subarray(0, 100)], 's.csv', { type: 'text/csv' }), SliceSize: MiB });
  assert.equal(small.ETag, `"${md5Hex(bytes.subarray(0, 100))}"`);
  assert.equal((await stored('blob/small.csv')).headers?.['content-type'], 'text/csv');

  const big = await cos.uploadFile({ Bucket, Region: REGION, Key: 'blob/big.csv', Body: file, SliceSize: MiB });
  assert.match(big.ETag, /^"[0-9a-f]{32}-4"$/);
  assert.ok((await stored('blob/big.csv')).Body.equals(bytes));

  // An upload left with two of its four parts, then sliceUploadFile of the same File: it resumes it.
  const { UploadId } = await h.cos.multipartInit({ Bucket, Region: REGION, Key: 'blob/resume.csv' });
  for (const n of [1, 3]) {
    await h.cos.multipartUpload({ Bucket, Region: REGION, Key: 'blob/resume.csv', UploadId, PartNumber: n, Body: bytes.subarray((n - 1) * MiB, n * MiB) });
  }
  const resumed = await cos.sliceUploadFile({ Bucket, Region: REGION, Key: 'blob/resume.csv', Body: file, ChunkSize: MiB });
  assert.equal(resumed.UploadId, UploadId);
  assert.ok((await stored('blob/resume.csv')).Body.equals(bytes));
});

test('sliceUploadFile with neither FilePath nor a Blob Body is a parameter error', async () => {
  await assert.rejects(cos.sliceUploadFile({ Bucket, Region: REGION, Key: 'blob/none' }), { code: 'Error', message: 'missing param FilePath' });
});
