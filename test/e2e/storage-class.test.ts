/**
 * Storage classes (issue 6 item 2; FEATURES §1.8.2): every COS class accepted on every write path
 * (PUT, POST form, copy, Initiate Multipart, Append), reported by HEAD, GET, GET Bucket, List
 * Multipart Uploads and List Parts; a wrong class is NotSupportedStorageClass wherever it is given
 * and stores nothing; changing the class by copying an object onto itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STORAGE_CLASSES } from '@cosbox/protocol';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, encodeKey, sdkRejects, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('classes');
before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const at = (Key: string) => ({ Bucket, Region: REGION, Key });
const classOf = async (Key: string) => (await h.cos.headObject(at(Key))).headers?.['x-cos-storage-class'];
const absent = (Key: string) => sdkRejects(h.cos.headObject(at(Key)), 404);
const source = (Key: string) => `${Bucket}.cos.${REGION}.myqcloud.com/${encodeKey(Key)}`;

test('C142 C143 C145 every COS storage class is stored as given (any case) and reported by HEAD, GET and GET Bucket', async () => {
  assert.deepEqual([...STORAGE_CLASSES].sort(), [
    'ARCHIVE', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING', 'MAZ_INTELLIGENT_TIERING', 'MAZ_STANDARD', 'MAZ_STANDARD_IA', 'NEARLINE', 'STANDARD', 'STANDARD_IA',
  ]);
  for (const cls of STORAGE_CLASSES) {
    await h.cos.putObject({ ...at(`all/${cls}`), Body: cls, StorageClass: cls.toLowerCase() });
    // COS sends x-cos-storage-class only for a class other than STANDARD.
    const reported = cls === 'STANDARD' ? undefined : cls;
    assert.equal(await classOf(`all/${cls}`), reported);
    if (cls !== 'ARCHIVE' && cls !== 'DEEP_ARCHIVE') {
      const got = await h.cos.getObject(at(`all/${cls}`));
      assert.equal(got.headers?.['x-cos-storage-class'], reported);
      assert.equal(got.Body.toString(), cls);
    }
  }
  const list = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'all/' });
  assert.deepEqual(list.Contents.map((c) => c.StorageClass), list.Contents.map((c) => c.Key.slice('all/'.length)));
  // 004's examples show STANDARD, but COS itself leaves the default out, and clients go by COS.
  await h.cos.putObject({ ...at('default'), Body: 'd' });
  assert.equal(await classOf('default'), undefined);
});

test('C144 a class COS does not have is NotSupportedStorageClass on PUT, the form, copy, Initiate and Append; nothing is stored', async () => {
  const Headers = { 'x-cos-storage-class': 'GOLD' };
  await sdkRejects(h.cos.putObject({ ...at('bad/put'), Body: 'x', Headers }), 400, 'NotSupportedStorageClass');
  await absent('bad/put');

  const form = await postForm(h, Bucket, { key: 'bad/form', 'x-cos-storage-class': 'GOLD', ...signedFields([]) });
  assertCosError(form, 400, 'NotSupportedStorageClass');
  await absent('bad/form');

  await h.cos.putObject({ ...at('bad/src'), Body: 'src' });
  await sdkRejects(h.cos.putObjectCopy({ ...at('bad/copy'), CopySource: source('bad/src'), Headers }), 400, 'NotSupportedStorageClass');
  await absent('bad/copy');

  await sdkRejects(h.cos.multipartInit({ ...at('bad/multipart'), Headers }), 400, 'NotSupportedStorageClass');
  const uploads = await h.cos.multipartList({ Bucket, Region: REGION, Prefix: 'bad/' });
  assert.deepEqual(uploads.Upload ?? [], []);

  const append = await sendToBucket(h, Bucket, { method: 'POST', path: '/bad/append?append&position=0', headers: Headers, body: 'x' });
  assertCosError(append, 400, 'NotSupportedStorageClass');
  await absent('bad/append');

  // The form field, like the header, is taken in any case.
  assert.equal((await postForm(h, Bucket, { key: 'form/ia', 'x-cos-storage-class': 'Standard_IA', ...signedFields([]) })).status, 204);
  assert.equal(await classOf('form/ia'), 'STANDARD_IA');
});

test('C304 Append Object takes a storage class, but not an archive class (its bytes are read as they grow)', async () => {
  const ok = await sendToBucket(h, Bucket, { method: 'POST', path: '/append/ia?append&position=0', headers: { 'x-cos-storage-class': 'STANDARD_IA' }, body: 'abc' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(await classOf('append/ia'), 'STANDARD_IA');
  for (const cls of ['ARCHIVE', 'DEEP_ARCHIVE']) {
    const res = await sendToBucket(h, Bucket, { method: 'POST', path: `/append/${cls}?append&position=0`, headers: { 'x-cos-storage-class': cls }, body: 'abc' });
    assert.match(assertCosError(res, 400, 'NotSupportedStorageClass').Message, new RegExp(cls));
    await absent(`append/${cls}`);
  }
});

test('C199 C239 C250 a multipart upload carries its class: List Multipart Uploads, List Parts, the completed object', async () => {
  const init = await h.cos.multipartInit({ ...at('mp/cold'), StorageClass: 'DEEP_ARCHIVE' });
  const part = await h.cos.multipartUpload({ ...at('mp/cold'), UploadId: init.UploadId, PartNumber: 1, Body: 'part' });
  const listed = await h.cos.multipartList({ Bucket, Region: REGION, Prefix: 'mp/' });
  assert.deepEqual(listed.Upload.map((u) => [u.Key, u.StorageClass]), [['mp/cold', 'DEEP_ARCHIVE']]);
  const parts = await h.cos.multipartListPart({ ...at('mp/cold'), UploadId: init.UploadId });
  assert.equal(parts.StorageClass, 'DEEP_ARCHIVE');
  await h.cos.multipartComplete({ ...at('mp/cold'), UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
  assert.equal(await classOf('mp/cold'), 'DEEP_ARCHIVE');
});

test('C226 C227 copy onto itself changes the class with the Copy directive; the same class stays InvalidRequest', async () => {
  await h.cos.putObject({ ...at('self/a'), Body: 'self', Headers: { 'x-cos-meta-keep': 'yes' } });
  await h.cos.putObjectCopy({ ...at('self/a'), CopySource: source('self/a'), MetadataDirective: 'Copy', StorageClass: 'MAZ_STANDARD_IA' });
  const head = await h.cos.headObject(at('self/a'));
  assert.equal(head.headers?.['x-cos-storage-class'], 'MAZ_STANDARD_IA');
  assert.equal(head.headers?.['x-cos-meta-keep'], 'yes');
  const same = await sdkRejects(h.cos.putObjectCopy({ ...at('self/a'), CopySource: source('self/a'), StorageClass: 'maz_standard_ia' }), 400, 'InvalidRequest');
  assert.match(same.message ?? '', /itself/);
  await sdkRejects(h.cos.putObjectCopy({ ...at('self/a'), CopySource: source('self/a') }), 400, 'InvalidRequest');
  // A copy elsewhere without a class header makes a STANDARD object, as on COS.
  await h.cos.putObjectCopy({ ...at('self/b'), CopySource: source('self/a') });
  assert.equal(await classOf('self/b'), undefined, 'back to STANDARD, which COS does not name');
  assert.equal((await h.cos.getObject(at('self/b'))).Body.toString(), 'self');
});

test('C237 an archived object cannot be a copy source or be moved to another class until restored: InvalidObjectState', async () => {
  await h.cos.putObject({ ...at('cold/a'), Body: 'frozen', StorageClass: 'ARCHIVE' });
  await sdkRejects(h.cos.putObjectCopy({ ...at('cold/copy'), CopySource: source('cold/a') }), 403, 'InvalidObjectState');
  await absent('cold/copy');
  await sdkRejects(h.cos.putObjectCopy({ ...at('cold/a'), CopySource: source('cold/a'), StorageClass: 'STANDARD' }), 403, 'InvalidObjectState');
  assert.equal(await classOf('cold/a'), 'ARCHIVE');
  const init = await h.cos.multipartInit(at('cold/mp'));
  await sdkRejects(h.cos.uploadPartCopy({ ...at('cold/mp'), UploadId: init.UploadId, PartNumber: 1, CopySource: source('cold/a') }), 403, 'InvalidObjectState');
  await h.cos.multipartAbort({ ...at('cold/mp'), UploadId: init.UploadId });
});
