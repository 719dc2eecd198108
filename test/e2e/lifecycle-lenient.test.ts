/**
 * PUT Bucket lifecycle as leniently as COS, with the rules the official Node SDK's own tests send:
 * a Transition Date at midnight in China written in UTC, and a misspelt `Transation` element.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { sdkRejects } from './raw.js';

let h: Harness;
let Bucket: string;
before(async () => {
  h = await startHarness();
  Bucket = bucketName('lenient');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

test('a Date of 2018-07-29T16:00:00.000Z (midnight in China) is accepted and answered verbatim', async () => {
  const Rules = [{ ID: '1', Filter: { Prefix: 'test_' }, Status: 'Enabled', Transition: { Date: '2018-07-29T16:00:00.000Z', StorageClass: 'STANDARD_IA' } }];
  const put = await h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules } as Parameters<Harness['cos']['putBucketLifecycle']>[0]);
  assert.equal(put.statusCode, 200);
  const got = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.deepEqual(got.Rules, Rules);
});

test('an unknown element in a rule (the SDK tests\' misspelt Transation) is ignored, the rest kept', async () => {
  const Rules = [
    { ID: 'typo', Filter: { Prefix: 'a_' }, Status: 'Enabled', Transation: { Days: '0', StorageClass: 'STANDARD_IA' }, Expiration: { Days: '7' } },
    { ID: 'typo-only', Filter: { Prefix: 'b_' }, Status: 'Enabled', Transation: { Days: '0', StorageClass: 'STANDARD_IA' } },
  ];
  const put = await h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules } as unknown as Parameters<Harness['cos']['putBucketLifecycle']>[0]);
  assert.equal(put.statusCode, 200);
  const got = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.deepEqual(got.Rules, [
    { ID: 'typo', Filter: { Prefix: 'a_' }, Status: 'Enabled', Expiration: { Days: '7' } },
    { ID: 'typo-only', Filter: { Prefix: 'b_' }, Status: 'Enabled' },
  ]);
});

test('known elements are still validated: a Date that is no midnight anywhere COS accepts is refused', async () => {
  const Rules = [{ ID: '1', Filter: { Prefix: 'x' }, Status: 'Enabled', Transition: { Date: '2018-07-29T15:00:00.000Z', StorageClass: 'STANDARD_IA' } }];
  await sdkRejects(h.cos.putBucketLifecycle({ Bucket, Region: REGION, Rules } as Parameters<Harness['cos']['putBucketLifecycle']>[0]), 400, 'InvalidArgument');
});
