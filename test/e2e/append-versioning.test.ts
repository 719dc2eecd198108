/**
 * Append Object in buckets with versioning Enabled or Suspended, through the official SDK: the
 * creating append makes one version (a fresh id, or `null` while Suspended), later appends grow it in
 * place under the same id, and the errors are COS's 409s (PositionNotEqualToLength, ObjectNotAppendable).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { sdkRejects } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function versionedBucket(Status: 'Enabled' | 'Suspended'): Promise<string> {
  const Bucket = bucketName('appv');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  if (Status === 'Suspended') await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status } });
  return Bucket;
}

const append = (Bucket: string, Key: string, Position: number, Body: string) =>
  h.cos.appendObject({ Bucket, Region: REGION, Key, Position, Body } as COS.AppendObjectParams);

test('versioning Enabled: one version that grows in place, kept as noncurrent when overwritten', async () => {
  const Bucket = await versionedBucket('Enabled');
  const Key = 'log.txt';
  const first = await append(Bucket, Key, 0, 'one,');
  const id = first.headers['x-cos-version-id'];
  assert.ok(id && id !== 'null', `a fresh version id: ${id}`);
  const second = await append(Bucket, Key, 4, 'two');
  assert.equal(second.headers['x-cos-version-id'], id, 'an append keeps the version id');
  assert.equal(second.headers['x-cos-next-append-position'], '7');

  const head = await h.cos.headObject({ Bucket, Region: REGION, Key });
  assert.equal(head.headers['x-cos-object-type'], 'appendable');
  assert.equal(head.headers['x-cos-version-id'], id);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key })).Body.toString(), 'one,two');
  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: Key });
  assert.deepEqual(versions.Versions.map((v) => v.VersionId), [id], 'appends made no versions');

  // 004's errors, in a versioned bucket too.
  const wrong = await sdkRejects(append(Bucket, Key, 3, 'x'), 409, 'PositionNotEqualToLength');
  assert.equal(wrong.headers?.['x-cos-next-append-position'], '7');

  // A PUT over it makes the appendable version noncurrent, readable by its id; the key is no longer appendable.
  await h.cos.putObject({ Bucket, Region: REGION, Key, Body: 'normal' });
  await sdkRejects(append(Bucket, Key, 6, 'x'), 409, 'ObjectNotAppendable');
  const old = await h.cos.getObject({ Bucket, Region: REGION, Key, VersionId: id });
  assert.equal(old.Body.toString(), 'one,two');
  assert.equal(old.headers['x-cos-object-type'], 'appendable');

  // Behind a delete marker the key has no current object: an append at 0 starts a new appendable version.
  await h.cos.deleteObject({ Bucket, Region: REGION, Key });
  const again = await append(Bucket, Key, 0, 'fresh');
  assert.ok(again.headers['x-cos-version-id'] && again.headers['x-cos-version-id'] !== id);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key })).Body.toString(), 'fresh');
  assert.equal((await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: Key })).Versions.length, 3);
});

test('versioning Suspended: the appendable object is the null version', async () => {
  const Bucket = await versionedBucket('Suspended');
  const Key = 'suspended.log';
  const first = await append(Bucket, Key, 0, 'ab');
  assert.equal(first.headers['x-cos-version-id'], 'null');
  await append(Bucket, Key, 2, 'cd');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key });
  assert.deepEqual([head.headers['x-cos-version-id'], head.headers['content-length']], ['null', '4']);
  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: Key });
  assert.deepEqual(versions.Versions.map((v) => v.VersionId), ['null']);
  await sdkRejects(append(Bucket, 'new', 1, 'x'), 409, 'PositionNotEqualToLength');
});
