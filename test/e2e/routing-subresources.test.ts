/**
 * No silent fall-through: a request naming a COS sub-resource cosbox does not serve answers 501
 * NotImplemented and changes nothing, whether the official SDK or raw HTTP sends it. And a bucket
 * endpoint with an invalid bucket name is InvalidBucketName.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
let Bucket: string;
before(async () => {
  h = await startHarness();
  Bucket = bucketName('route');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

test('the issue\'s fall-throughs: live, intelligent-tiering answer 501 and store or list nothing', async () => {
  const live = await sendToBucket(h, Bucket, { method: 'PUT', path: '/chan?live', body: '<LiveChannelConfiguration/>' });
  assertCosError(live, 501, 'NotImplemented');
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'chan' }), 404);

  assertCosError(await sendToBucket(h, Bucket, { path: '/?intelligent-tiering' }), 501, 'NotImplemented');
  const tiering = await sendToBucket(h, Bucket, { method: 'PUT', path: '/?intelligent-tiering&id=default', body: '<IntelligentTieringConfiguration/>' });
  assertCosError(tiering, 501, 'NotImplemented');
});

test('raw sub-resources COS has and cosbox does not: 501, nothing stored, the object untouched', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'obj', Body: 'original' });
  const requests: Array<[string, string]> = [
    ['PUT', '/obj?retention'],
    ['GET', '/obj?retention'],
    ['PUT', '/obj?legal-hold'],
    ['POST', '/obj?select&select-type=2'],
    ['GET', '/obj?ci-process=ImageInfo'],
    ['GET', '/obj?imageMogr2/thumbnail/!50p'],
    ['POST', '/obj?vodplaylist&starttime=1&endtime=2'],
    ['PUT', '/obj?rename'],
    ['GET', '/?live'],
    ['PUT', '/?notification'],
  ];
  for (const [method, path] of requests) {
    const res = await sendToBucket(h, Bucket, { method, path, body: method === 'PUT' || method === 'POST' ? '<X/>' : undefined });
    assertCosError(res, 501, 'NotImplemented');
  }
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'obj' })).Body.toString(), 'original');
  assert.equal((await h.cos.headBucket({ Bucket, Region: REGION })).statusCode, 200, 'the bucket is still there');
});

test('the official SDK\'s bucket configuration methods cosbox lacks: 501, never a listing or a bucket creation', async () => {
  const params = { Bucket, Region: REGION };
  // Served since issue 16: an unconfigured bucket answers COS's NoSuch* (the SDK turns some into empty results).
  await sdkRejects(h.cos.getBucketPolicy(params), 404, 'NoSuchBucketPolicy');
  assert.equal((await h.cos.getBucketWebsite(params)).statusCode, 404);
  assert.equal((await h.cos.getBucketReferer(params)).statusCode, 404);
  assert.equal((await h.cos.getBucketEncryption(params)).statusCode, 404);
  assert.equal((await h.cos.putBucketAccelerate({ ...params, AccelerateConfiguration: { Status: 'Enabled' } })).statusCode, 200);
  await sdkRejects(h.cos.getBucketInventory({ ...params, Id: 'list1' }), 404, 'NoSuchInventoryConfiguration');
  assert.equal((await h.cos.listBucketInventory(params)).statusCode, 200);
  assert.equal((await h.cos.putBucketLogging({ ...params, BucketLoggingStatus: {} })).statusCode, 200);
});

test('a bucket endpoint whose name is no bucket name is 400 InvalidBucketName, not 405', async () => {
  for (const method of ['GET', 'PUT', 'HEAD']) {
    const res = await send(h, { method, host: 'Bad_Name-1250000000.cos.ap-guangzhou.myqcloud.com', path: '/' });
    if (method === 'HEAD') assert.equal(res.status, 400);
    else assertCosError(res, 400, 'InvalidBucketName');
  }
  const object = await send(h, { method: 'PUT', host: 'bad_name-1250000000.cos.ap-guangzhou.myqcloud.com', path: '/k', body: 'x' });
  assertCosError(object, 400, 'InvalidBucketName');
});
