/**
 * What the console's "Restore" of a version does, with the official SDK: PUT Object - Copy of a
 * named version onto its own key makes that version current again (S3's documented way), while a
 * copy of the current object onto itself without a change stays refused (C226).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';

let h: Harness;
const Bucket = bucketName('restorever');

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
});

after(() => h?.close());

test('copying a named old version onto its key restores it; a plain copy onto itself is still refused', async () => {
  const first = await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'one' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'two' });
  const source = `${Bucket}.cos.${REGION}.myqcloud.com/doc.txt`;
  const restored = await h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'doc.txt', CopySource: `${source}?versionId=${first.VersionId}` });
  assert.equal(restored.statusCode, 200);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'doc.txt' })).Body.toString(), 'one');
  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'doc.txt' });
  assert.equal(versions.Versions.length, 3, 'the restore is a new version; the old ones stay');

  await assert.rejects(h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'doc.txt', CopySource: source }), (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === 'InvalidRequest');
});
