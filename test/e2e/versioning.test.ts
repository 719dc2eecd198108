/**
 * Versioning (issue 6 item 1, FEATURES §1.8.4, §1.15.2, §1.15.3), end to end with the official SDK:
 * PUT/GET Bucket versioning, version ids on every write, reads and deletes of one version, delete
 * markers and their 404/405, the `null` version while suspended, GET Bucket Object Versions with its
 * markers, DELETE Multiple Objects with VersionId, copies of a version, tagging of a version.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, encodeKey, sdkRejects, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function versionedBucket(label: string, status: 'Enabled' | 'Suspended' = 'Enabled'): Promise<string> {
  const Bucket = bucketName(label);
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: status } });
  return Bucket;
}

const put = async (Bucket: string, Key: string, Body: string) => (await h.cos.putObject({ Bucket, Region: REGION, Key, Body })).headers?.['x-cos-version-id'];
const body = async (Bucket: string, Key: string, VersionId?: string) => (await h.cos.getObject({ Bucket, Region: REGION, Key, VersionId })).Body.toString();

test('C154 PUT and GET Bucket versioning: never enabled, Enabled, Suspended; a bad Status is MalformedXML', async () => {
  const Bucket = bucketName('vconf');
  await h.cos.putBucket({ Bucket, Region: REGION });
  const fresh = await h.cos.getBucketVersioning({ Bucket, Region: REGION });
  assert.equal(fresh.VersioningConfiguration?.Status, undefined, 'never enabled: no Status');
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  assert.equal((await h.cos.getBucketVersioning({ Bucket, Region: REGION })).VersioningConfiguration?.Status, 'Enabled');
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Suspended' } });
  assert.equal((await h.cos.getBucketVersioning({ Bucket, Region: REGION })).VersioningConfiguration?.Status, 'Suspended');

  const bad = await sendToBucket(h, Bucket, { method: 'PUT', path: '/?versioning', body: '<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>' });
  assertCosError(bad, 400, 'MalformedXML');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?versioning', body: '<nope/>' }), 400, 'MalformedXML');
});

test('C147 C149 C205 C210 C228 C277 every write gets a version id; GET and HEAD read any version; the latest is the default', async () => {
  const Bucket = await versionedBucket('vput');
  const v1 = await put(Bucket, 'doc.txt', 'one');
  const v2 = await put(Bucket, 'doc.txt', 'two');
  assert.ok(v1 && v2 && v1 !== v2, 'PUT answers x-cos-version-id');
  assert.equal(await body(Bucket, 'doc.txt'), 'two');
  assert.equal(await body(Bucket, 'doc.txt', v1), 'one');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1 });
  assert.equal(head.headers?.['x-cos-version-id'], v1);
  assert.equal(head.headers?.['content-length'], '3');
  const got = await h.cos.getObject({ Bucket, Region: REGION, Key: 'doc.txt' });
  assert.equal(got.headers?.['x-cos-version-id'], v2);
  const ranged = await h.cos.getObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1, Range: 'bytes=1-2' });
  assert.equal(ranged.Body.toString(), 'ne');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: 'MTg0NDY3NDQwNzM3MDk1NTE2MTU' }), 400, 'NoSuchVersion');

  // Copy, Complete and POST Object get version ids too.
  const copy = await h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'copy.txt', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/doc.txt?versionId=${encodeURIComponent(v1)}` });
  assert.ok(copy.headers?.['x-cos-version-id']);
  assert.equal(copy.headers?.['x-cos-copy-source-version-id'], v1);
  assert.equal(await body(Bucket, 'copy.txt'), 'one', 'the named version was copied');

  const init = await h.cos.multipartInit({ Bucket, Region: REGION, Key: 'multi.bin' });
  const part = await h.cos.multipartUpload({ Bucket, Region: REGION, Key: 'multi.bin', UploadId: init.UploadId, PartNumber: 1, Body: Buffer.from('parts') });
  const done = await h.cos.multipartComplete({ Bucket, Region: REGION, Key: 'multi.bin', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
  assert.ok(done.headers?.['x-cos-version-id'], 'Complete answers x-cos-version-id');

  const form = await postForm(h, Bucket, { key: 'posted.txt', ...signedFields([{ bucket: Bucket }]) }, [{ name: 'p.txt', content: 'posted' }]);
  assert.equal(form.status, 204);
  assert.ok(form.headers['x-cos-version-id'], 'POST Object answers x-cos-version-id');
  const listed = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'posted.txt' });
  assert.equal(listed.Versions[0].VersionId, form.headers['x-cos-version-id']);
});

test('C150 C151 DELETE adds a delete marker: GET is 404 with x-cos-delete-marker, the marker version is 405, removing it restores the object', async () => {
  const Bucket = await versionedBucket('vdel');
  const v1 = await put(Bucket, 'k', 'kept');
  const deleted = await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k' });
  assert.equal(deleted.statusCode, 204);
  assert.equal(deleted.headers?.['x-cos-delete-marker'], 'true');
  const marker = deleted.headers?.['x-cos-version-id'];
  assert.ok(marker && marker !== v1);

  const missing = await sendToBucket(h, Bucket, { method: 'GET', path: '/k' });
  assertCosError(missing, 404, 'NoSuchKey');
  assert.equal(missing.headers['x-cos-delete-marker'], 'true');
  assert.equal(missing.headers['x-cos-version-id'], marker);
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/k' });
  assert.equal(head.status, 404);
  assert.equal(head.headers['x-cos-delete-marker'], 'true');
  const ofMarker = await sendToBucket(h, Bucket, { method: 'GET', path: `/k?versionId=${encodeURIComponent(marker)}` });
  assertCosError(ofMarker, 405, 'MethodNotAllowed');
  assert.equal(ofMarker.headers['x-cos-delete-marker'], 'true');
  assert.equal(await body(Bucket, 'k', v1), 'kept', 'the old version is still there');
  assert.equal((await h.cos.getBucket({ Bucket, Region: REGION })).Contents.length, 0, 'GET Bucket lists current objects only');
  await sdkRejects(h.cos.deleteBucket({ Bucket, Region: REGION }), 409, 'BucketNotEmpty');

  // A copy from a key whose latest version is a delete marker is 404; naming the marker is 400.
  await sdkRejects(h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'c', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/k` }), 404, 'NoSuchKey');
  await sdkRejects(
    h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'c', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/k?versionId=${encodeURIComponent(marker)}` }),
    400,
    'InvalidRequest',
  );

  const unmark = await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k', VersionId: marker });
  assert.equal(unmark.headers?.['x-cos-delete-marker'], 'true');
  assert.equal(unmark.headers?.['x-cos-version-id'], marker);
  assert.equal(await body(Bucket, 'k'), 'kept', 'removing the marker makes the version current again');

  const gone = await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k', VersionId: v1 });
  assert.equal(gone.headers?.['x-cos-delete-marker'], 'false');
  assert.equal((await h.cos.listObjectVersions({ Bucket, Region: REGION })).Versions.length, 0);
  await h.cos.deleteBucket({ Bucket, Region: REGION });
});

test('C148 suspended versioning writes the null version, replacing the earlier null one; older versions stay', async () => {
  const Bucket = bucketName('vnull');
  await h.cos.putBucket({ Bucket, Region: REGION });
  assert.equal(await put(Bucket, 'k', 'before'), undefined, 'no version id before versioning was enabled');
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  const v1 = await put(Bucket, 'k', 'enabled');
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Suspended' } });
  assert.equal(await put(Bucket, 'k', 'suspended 1'), 'null');
  assert.equal(await put(Bucket, 'k', 'suspended 2'), 'null');
  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION });
  assert.deepEqual(
    versions.Versions.map((v) => [v.VersionId, v.IsLatest]),
    [['null', 'true'], [v1, 'false']],
    'the object from before versioning was the null version and was replaced',
  );
  assert.equal(await body(Bucket, 'k', 'null'), 'suspended 2');
  const deleted = await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k' });
  assert.equal(deleted.headers?.['x-cos-version-id'], 'null');
  assert.equal(deleted.headers?.['x-cos-delete-marker'], 'true');
  const after = await h.cos.listObjectVersions({ Bucket, Region: REGION });
  assert.deepEqual(after.DeleteMarkers.map((m) => [m.VersionId, m.IsLatest]), [['null', 'true']]);
  assert.deepEqual(after.Versions.map((v) => v.VersionId), [v1]);
});

test('C306 C307 C308 GET Bucket Object Versions: prefix, delimiter, key-marker, version-id-marker, max-keys, encoding-type', async () => {
  const Bucket = await versionedBucket('vlist');
  const ids: Record<string, string[]> = {};
  for (const key of ['a', 'a', 'dir/x', 'dir/y', 'z z', 'z z']) (ids[key] ??= []).unshift(await put(Bucket, key, key));
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'a' });

  const all = await h.cos.listObjectVersions({ Bucket, Region: REGION });
  assert.equal(all.IsTruncated, 'false');
  assert.deepEqual(all.Versions.map((v) => `${v.Key}:${v.IsLatest}`), ['a:false', 'a:false', 'dir/x:true', 'dir/y:true', 'z z:true', 'z z:false']);
  assert.deepEqual(all.DeleteMarkers.map((m) => `${m.Key}:${m.IsLatest}`), ['a:true']);
  const a = all.Versions.find((v) => v.Key === 'z z')!;
  assert.equal(a.ETag, `"${createHash('md5').update('z z').digest('hex')}"`);
  assert.equal(a.Size, '3');
  assert.equal(a.StorageClass, 'STANDARD');
  assert.ok(a.Owner?.ID && a.LastModified);

  const folded = await h.cos.listObjectVersions({ Bucket, Region: REGION, Delimiter: '/' });
  assert.deepEqual([folded.CommonPrefixes].flat().map((p) => p.Prefix), ['dir/'], 'one common prefix (the SDK passes a single one through as an object)');
  assert.deepEqual(folded.Versions.map((v) => v.Key), ['a', 'a', 'z z', 'z z']);
  assert.deepEqual((await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'dir/' })).Versions.map((v) => v.Key), ['dir/x', 'dir/y']);

  const page1 = await h.cos.listObjectVersions({ Bucket, Region: REGION, MaxKeys: 2 });
  assert.equal(page1.IsTruncated, 'true');
  assert.equal(page1.NextKeyMarker, 'a');
  assert.equal(page1.NextVersionIdMarker, ids.a[0]);
  const page2 = await h.cos.listObjectVersions({ Bucket, Region: REGION, MaxKeys: 2, KeyMarker: page1.NextKeyMarker, VersionIdMarker: page1.NextVersionIdMarker });
  assert.deepEqual(page2.Versions.map((v) => `${v.Key}:${v.VersionId === ids[v.Key][ids[v.Key].length - 1]}`), ['a:true', 'dir/x:true']);
  assert.equal(page2.KeyMarker, 'a');
  assert.equal(page2.VersionIdMarker, ids.a[0]);

  const encoded = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'z', EncodingType: 'url' });
  assert.deepEqual(encoded.Versions.map((v) => v.Key), ['z%20z', 'z%20z']);
  const raw = await sendToBucket(h, Bucket, { method: 'GET', path: '/?versions&version-id-marker=x' });
  assertCosError(raw, 400, 'InvalidArgument');
});

test('C216 C219 DELETE Multiple Objects with VersionId removes those versions; without, adds delete markers', async () => {
  const Bucket = await versionedBucket('vmulti');
  const v1 = await put(Bucket, 'one', '1');
  const v2 = await put(Bucket, 'two', '2');
  const result = await h.cos.deleteMultipleObject({
    Bucket,
    Region: REGION,
    Objects: [{ Key: 'one', VersionId: v1 }, { Key: 'two' }],
  });
  const byKey = Object.fromEntries(result.Deleted.map((d) => [d.Key, d]));
  assert.equal(byKey.one.VersionId, v1);
  assert.equal(byKey.one.DeleteMarker, undefined);
  assert.equal(byKey.two.DeleteMarker, 'true');
  assert.ok(byKey.two.DeleteMarkerVersionId);
  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION });
  assert.deepEqual(versions.Versions.map((v) => [v.Key, v.VersionId]), [['two', v2]]);
  assert.deepEqual(versions.DeleteMarkers.map((m) => [m.Key, m.VersionId]), [['two', byKey.two.DeleteMarkerVersionId]]);
});

test('C152 C248 tagging, ACL and Upload Part - Copy of one version; Append Object is refused once versioning is on', async () => {
  const Bucket = await versionedBucket('vtag');
  const v1 = await put(Bucket, 'k', 'first');
  await put(Bucket, 'k', 'second');
  await h.cos.putObjectTagging({ Bucket, Region: REGION, Key: 'k', VersionId: v1, Tags: [{ Key: 'old', Value: 'yes' }] });
  assert.deepEqual((await h.cos.getObjectTagging({ Bucket, Region: REGION, Key: 'k', VersionId: v1 })).Tags, [{ Key: 'old', Value: 'yes' }]);
  assert.deepEqual((await h.cos.getObjectTagging({ Bucket, Region: REGION, Key: 'k' })).Tags, [], 'the current version keeps its own tags');
  await sdkRejects(h.cos.getObjectTagging({ Bucket, Region: REGION, Key: 'k', VersionId: 'bm90LWEtdmVyc2lvbg' }), 400, 'NoSuchVersion');
  const acl = await h.cos.getObjectAcl({ Bucket, Region: REGION, Key: 'k', VersionId: v1 });
  assert.equal(acl.statusCode, 200);

  const init = await h.cos.multipartInit({ Bucket, Region: REGION, Key: 'assembled' });
  const copied = await h.cos.uploadPartCopy({
    Bucket,
    Region: REGION,
    Key: 'assembled',
    UploadId: init.UploadId,
    PartNumber: 1,
    CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/k?versionId=${encodeURIComponent(v1)}`,
  });
  assert.equal(copied.headers?.['x-cos-copy-source-version-id'], v1);
  await h.cos.multipartComplete({ Bucket, Region: REGION, Key: 'assembled', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: copied.ETag }] });
  assert.equal(await body(Bucket, 'assembled'), 'first');

  // Append Object works under versioning: the creating append makes a version (append-versioning.test.ts).
  const append = await sendToBucket(h, Bucket, { method: 'POST', path: `/${encodeKey('log')}?append&position=0`, body: 'x' });
  assert.equal(append.status, 200, append.text);
  assert.ok(append.headers['x-cos-version-id']);
});

test('noncurrent versions keep their bytes; once every version is deleted the key is gone and the bucket can go', async () => {
  const Bucket = await versionedBucket('vblob');
  const v1 = await put(Bucket, 'k', 'version one');
  await put(Bucket, 'k', 'version two');
  assert.equal(await body(Bucket, 'k', v1), 'version one');
  for (const v of (await h.cos.listObjectVersions({ Bucket, Region: REGION })).Versions) {
    await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k', VersionId: v.VersionId });
  }
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'k' }), 404);
  await h.cos.deleteBucket({ Bucket, Region: REGION });
});
