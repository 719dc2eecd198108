/** PUT Object - Copy (C224-C230), DELETE Object (C213, C214) and DELETE Multiple Objects (C215-C220). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crc64 } from '@cosbox/protocol';
import { bucketName, foreignBucket, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, assertRequestId, bucketHost, encodeKey, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
let Bucket: string;
before(async () => {
  h = await startHarness();
  Bucket = bucketName('copy');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const at = (Key: string, B = Bucket) => ({ Bucket: B, Region: REGION, Key });
/** x-cos-copy-source for a key: the bucket's host and the URL-encoded key (C224). */
const source = (Key: string, B = Bucket, region = REGION) => `${bucketHost(B, region)}/${encodeKey(Key)}`;

async function putSource(Key: string, Body: string, extra: Record<string, string> = {}): Promise<string> {
  const put = await h.cos.putObject({ ...at(Key), Body, ContentType: 'text/x-source', Headers: { 'x-cos-meta-origin': 'source', ...extra } });
  return put.ETag;
}

test('C224 C228 copy within a bucket: CopyObjectResult with ETag, CRC64 and LastModified; bytes and metadata copied', async () => {
  const body = 'copy me, byte for byte';
  const etag = await putSource('src/a.txt', body);
  const data = await h.cos.putObjectCopy({ ...at('dst/a.txt'), CopySource: source('src/a.txt') });
  assert.equal(data.statusCode, 200);
  assertRequestId(data.headers);
  assert.equal(data.ETag, etag);
  assert.equal(data.CRC64, crc64(Buffer.from(body)));
  assert.equal(data.headers?.['x-cos-hash-crc64ecma'], crc64(Buffer.from(body)));
  assert.match(data.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const got = await h.cos.getObject(at('dst/a.txt'));
  assert.equal(got.Body.toString(), body);
  assert.equal(got.ETag, etag);
  assert.equal(got.headers?.['x-cos-hash-crc64ecma'], crc64(Buffer.from(body)));
  assert.equal(got.headers?.['content-type'], 'text/x-source');
  assert.equal(got.headers?.['x-cos-meta-origin'], 'source');
  // The source is untouched.
  assert.equal((await h.cos.getObject(at('src/a.txt'))).Body.toString(), body);
});

test('C229 copy to another bucket, and across regions, resolved from the copy-source host', async () => {
  await putSource('src/cross.txt', 'travels');
  const other = bucketName('copy');
  await h.cos.putBucket({ Bucket: other, Region: REGION });
  await h.cos.putObjectCopy({ ...at('in-other', other), CopySource: source('src/cross.txt') });
  assert.equal((await h.cos.getObject(at('in-other', other))).Body.toString(), 'travels');

  const beijing = bucketName('copy');
  await h.cos.putBucket({ Bucket: beijing, Region: 'ap-beijing' });
  await h.cos.putObjectCopy({ Bucket: beijing, Region: 'ap-beijing', Key: 'from-gz', CopySource: source('src/cross.txt') });
  await h.cos.putObjectCopy({ ...at('back-from-bj'), CopySource: source('from-gz', beijing, 'ap-beijing') });
  assert.equal((await h.cos.getObject(at('back-from-bj'))).Body.toString(), 'travels');

  // The copy source names the wrong region for its bucket: no such bucket there.
  await sdkRejects(h.cos.putObjectCopy({ ...at('nowhere'), CopySource: source('from-gz', beijing, REGION) }), 404, 'NoSuchBucket');
});

test('C224 a CopySource with a URL-encoded unicode key with spaces; the raw path form works too', async () => {
  const key = '源 文件/中 文 + plus.txt';
  await putSource(key, 'unicode source');
  await h.cos.putObjectCopy({ ...at('dst/unicode copy'), CopySource: source(key) });
  assert.equal((await h.cos.getObject(at('dst/unicode copy'))).Body.toString(), 'unicode source');

  const raw = await sendToBucket(h, Bucket, { method: 'PUT', path: '/dst/path-form', headers: { 'x-cos-copy-source': `/${Bucket}/${encodeKey(key)}` } });
  assert.equal(raw.status, 200, raw.text);
  assert.match(raw.text, /<CopyObjectResult><ETag>(?:"|&quot;)[0-9a-f]{32}(?:"|&quot;)<\/ETag>/); // either is the same XML text
  assert.equal((await h.cos.getObject(at('dst/path-form'))).Body.toString(), 'unicode source');
});

test('C225 x-cos-metadata-directive Copy ignores request metadata; Replaced takes it from the request', async () => {
  await putSource('src/meta.txt', 'meta', { 'x-cos-meta-old': '1' });
  await h.cos.putObjectCopy({
    ...at('dst/meta-copy'),
    CopySource: source('src/meta.txt'),
    MetadataDirective: 'Copy',
    ContentType: 'text/ignored',
    Headers: { 'x-cos-meta-new': 'ignored' },
  });
  const copied = await h.cos.headObject(at('dst/meta-copy'));
  assert.equal(copied.headers?.['content-type'], 'text/x-source');
  assert.equal(copied.headers?.['x-cos-meta-old'], '1');
  assert.equal(copied.headers?.['x-cos-meta-new'], undefined);

  await h.cos.putObjectCopy({
    ...at('dst/meta-replaced'),
    CopySource: source('src/meta.txt'),
    MetadataDirective: 'Replaced',
    ContentType: 'text/replaced',
    CacheControl: 'no-store',
    Headers: { 'x-cos-meta-new': 'yes' },
  });
  const replaced = await h.cos.headObject(at('dst/meta-replaced'));
  assert.equal(replaced.headers?.['content-type'], 'text/replaced');
  assert.equal(replaced.headers?.['cache-control'], 'no-store');
  assert.equal(replaced.headers?.['x-cos-meta-new'], 'yes');
  assert.equal(replaced.headers?.['x-cos-meta-old'], undefined);
  assert.equal(replaced.headers?.['x-cos-meta-origin'], undefined);

  const bad = await sendToBucket(h, Bucket, {
    method: 'PUT',
    path: '/dst/bad-directive',
    headers: { 'x-cos-copy-source': source('src/meta.txt'), 'x-cos-metadata-directive': 'Merge' },
  });
  assertCosError(bad, 400, 'InvalidArgument');
});

test('C167 the four x-cos-copy-source-If-* conditions: each failing one is 412 and copies nothing', async () => {
  const etag = await putSource('src/cond.txt', 'conditional');
  const past = new Date(Date.now() - 86_400_000).toUTCString();
  const future = new Date(Date.now() + 86_400_000).toUTCString();
  const failing = [
    { CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' },
    { CopySourceIfNoneMatch: etag },
    { CopySourceIfModifiedSince: future },
    { CopySourceIfUnmodifiedSince: past },
  ];
  for (const condition of failing) {
    await sdkRejects(h.cos.putObjectCopy({ ...at('dst/cond'), CopySource: source('src/cond.txt'), ...condition }), 412, 'PreconditionFailed');
  }
  await sdkRejects(h.cos.headObject(at('dst/cond')), 404);

  const passing = [
    { CopySourceIfMatch: etag },
    { CopySourceIfNoneMatch: '"0123456789abcdef0123456789abcdef"' },
    { CopySourceIfModifiedSince: past },
    { CopySourceIfUnmodifiedSince: future },
    { CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: future },
    { CopySourceIfNoneMatch: '"0123456789abcdef0123456789abcdef"', CopySourceIfModifiedSince: past },
  ];
  for (const condition of passing) {
    const data = await h.cos.putObjectCopy({ ...at('dst/cond'), CopySource: source('src/cond.txt'), ...condition });
    assert.equal(data.ETag, etag);
  }
});

test('C226 copying an object onto itself needs Replaced (or a new storage class); plain Copy is InvalidRequest', async () => {
  const etag = await putSource('self.txt', 'myself', { 'x-cos-meta-v': '1' });
  await sdkRejects(h.cos.putObjectCopy({ ...at('self.txt'), CopySource: source('self.txt') }), 400, 'InvalidRequest');
  await sdkRejects(h.cos.putObjectCopy({ ...at('self.txt'), CopySource: source('self.txt'), MetadataDirective: 'Copy' }), 400, 'InvalidRequest');

  const data = await h.cos.putObjectCopy({ ...at('self.txt'), CopySource: source('self.txt'), MetadataDirective: 'Replaced', Headers: { 'x-cos-meta-v': '2' } });
  assert.equal(data.ETag, etag);
  const head = await h.cos.headObject(at('self.txt'));
  assert.equal(head.headers?.['x-cos-meta-v'], '2');
  assert.equal((await h.cos.getObject(at('self.txt'))).Body.toString(), 'myself');

  await h.cos.putObjectCopy({ ...at('self.txt'), CopySource: source('self.txt'), StorageClass: 'STANDARD_IA' });
  const moved = await h.cos.headObject(at('self.txt'));
  assert.equal(moved.headers?.['x-cos-storage-class'], 'STANDARD_IA');
  assert.equal(moved.headers?.['x-cos-meta-v'], '2', 'Copy keeps the metadata while the class changes');
});

test('C227 copy takes x-cos-storage-class for the new object', async () => {
  await putSource('src/class.txt', 'classy');
  await h.cos.putObjectCopy({ ...at('dst/class.txt'), CopySource: source('src/class.txt'), StorageClass: 'STANDARD_IA' });
  assert.equal((await h.cos.headObject(at('dst/class.txt'))).headers?.['x-cos-storage-class'], 'STANDARD_IA');
  // A STANDARD object is sent without the header, as COS does.
  assert.equal((await h.cos.headObject(at('src/class.txt'))).headers?.['x-cos-storage-class'], undefined);
});

test('copy errors: missing source key NoSuchKey, missing source or target bucket NoSuchBucket, malformed source InvalidArgument', async () => {
  await sdkRejects(h.cos.putObjectCopy({ ...at('dst/x'), CopySource: source('src/does-not-exist') }), 404, 'NoSuchKey');
  await sdkRejects(h.cos.putObjectCopy({ ...at('dst/x'), CopySource: source('k', bucketName()) }), 404, 'NoSuchBucket');
  await putSource('src/exists.txt', 'x');
  await sdkRejects(h.cos.putObjectCopy({ ...at('dst/x', bucketName()), CopySource: source('src/exists.txt') }), 404, 'NoSuchBucket');
  for (const bad of ['no-slash-at-all', `${bucketHost(Bucket)}/`, 'not a bucket/key']) {
    const res = await sendToBucket(h, Bucket, { method: 'PUT', path: '/dst/x', headers: { 'x-cos-copy-source': bad } });
    assertCosError(res, 400, 'InvalidArgument');
  }
  await sdkRejects(h.cos.headObject(at('dst/x')), 404);
});

test('C131 copying from another account\'s private bucket is AccessDenied', async () => {
  const foreign = await foreignBucket(h, { 'secret.txt': 'not yours' });
  await sdkRejects(h.cos.putObjectCopy({ ...at('stolen'), CopySource: source('secret.txt', foreign) }), 403, 'AccessDenied');
  await sdkRejects(h.cos.headObject(at('stolen')), 404);
  // Nor can the copy be written into their bucket.
  await putSource('src/mine.txt', 'mine');
  await sdkRejects(h.cos.putObjectCopy({ ...at('planted', foreign), CopySource: source('src/mine.txt') }), 403, 'AccessDenied');
});

test('C213 C214 DELETE Object: 204, also for a missing key; NoSuchBucket 404 for a missing bucket', async () => {
  await h.cos.putObject({ ...at('del/one'), Body: 'x' });
  const data = await h.cos.deleteObject(at('del/one'));
  assert.equal(data.statusCode, 204);
  assertRequestId(data.headers);
  await sdkRejects(h.cos.getObject(at('del/one')), 404, 'NoSuchKey');

  const again = await sendToBucket(h, Bucket, { method: 'DELETE', path: '/del/one' });
  assert.equal(again.status, 204);
  assert.equal(again.body.length, 0);
  assertRequestId(again.headers);

  const noBucket = await sendToBucket(h, bucketName(), { method: 'DELETE', path: '/del/one' });
  assertCosError(noBucket, 404, 'NoSuchBucket');
  const anonymous = await sendToBucket(h, Bucket, { method: 'DELETE', path: '/del/one', sign: false });
  assertCosError(anonymous, 403, 'AccessDenied');
});

test('C216 C218 DELETE Multiple Objects through the SDK: verbose lists every key, quiet lists none', async () => {
  const keys = ['multi/a', 'multi/b', 'multi/中 文'];
  for (const Key of keys) await h.cos.putObject({ ...at(Key), Body: Key });
  const verbose = await h.cos.deleteMultipleObject({ Bucket, Region: REGION, Objects: [...keys, 'multi/missing'].map((Key) => ({ Key })) });
  assert.equal(verbose.statusCode, 200);
  assertRequestId(verbose.headers);
  assert.deepEqual(verbose.Deleted.map((d) => d.Key).sort(), [...keys, 'multi/missing'].sort()); // a missing key counts as deleted
  assert.deepEqual(verbose.Error, []);
  for (const Key of keys) await sdkRejects(h.cos.headObject(at(Key)), 404);

  for (const Key of keys) await h.cos.putObject({ ...at(Key), Body: Key });
  const quiet = await h.cos.deleteMultipleObject({ Bucket, Region: REGION, Quiet: true, Objects: keys.map((Key) => ({ Key })) });
  assert.deepEqual(quiet.Deleted, []);
  assert.deepEqual(quiet.Error, []);
  const list = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'multi/' });
  assert.deepEqual(list.Contents, []);
});

test('C218 DELETE Multiple reports a key it cannot delete in an Error element, even when quiet', async () => {
  await h.cos.putObject({ ...at('multi/ok'), Body: 'x' });
  const tooLong = 'k'.repeat(851);
  const data = await h.cos.deleteMultipleObject({ Bucket, Region: REGION, Quiet: true, Objects: [{ Key: 'multi/ok' }, { Key: tooLong }] });
  assert.deepEqual(data.Deleted, []);
  assert.equal(data.Error.length, 1);
  assert.equal(data.Error[0].Key, tooLong);
  assert.equal(data.Error[0].Code, 'InvalidURI');
  await sdkRejects(h.cos.headObject(at('multi/ok')), 404);
});

/** FEATURES §1.6.4: the exact DELETE Multiple bodies of 004 and their Content-MD5. */
const vectorBody = (quiet: boolean) =>
  `\n<Delete>\n  <Quiet>${quiet}</Quiet>\n  <Object>\n    <Key>aa</Key>\n  </Object>\n  <Object>\n    <Key>aaa</Key>\n  </Object>\n</Delete>\n`;

test('C220 the 004 test vectors: Quiet true (yoLiNjQuvB7lu8cEmPafrQ==) and Quiet false (V0XuU8V7aqMYeWyD3BC2nQ==)', async () => {
  const quiet = vectorBody(true);
  assert.equal(Buffer.byteLength(quiet), 125);
  assert.equal(md5Base64(quiet), 'yoLiNjQuvB7lu8cEmPafrQ==');
  const verbose = vectorBody(false);
  assert.equal(Buffer.byteLength(verbose), 126);
  assert.equal(md5Base64(verbose), 'V0XuU8V7aqMYeWyD3BC2nQ==');

  const post = (body: string, md5: string) =>
    sendToBucket(h, Bucket, { method: 'POST', path: '/?delete', body, headers: { 'content-md5': md5, 'content-type': 'application/xml' } });

  for (const Key of ['aa', 'aaa']) await h.cos.putObject({ ...at(Key), Body: Key });
  const q = await post(quiet, 'yoLiNjQuvB7lu8cEmPafrQ==');
  assert.equal(q.status, 200, q.text);
  assert.match(String(q.headers['content-type']), /^application\/xml/);
  assert.match(q.text, /<DeleteResult\s*\/>|<DeleteResult><\/DeleteResult>/);
  await sdkRejects(h.cos.headObject(at('aa')), 404);

  for (const Key of ['aa', 'aaa']) await h.cos.putObject({ ...at(Key), Body: Key });
  const v = await post(verbose, 'V0XuU8V7aqMYeWyD3BC2nQ==');
  assert.equal(v.status, 200, v.text);
  assert.match(v.text, /<DeleteResult><Deleted><Key>aa<\/Key><\/Deleted><Deleted><Key>aaa<\/Key><\/Deleted><\/DeleteResult>/);
  await sdkRejects(h.cos.headObject(at('aaa')), 404);
});

test('C215 C217 DELETE Multiple errors: MissingContentMD5, BadDigest, InvalidDigest, MalformedXML, more than 1000 keys', async () => {
  await h.cos.putObject({ ...at('aa'), Body: 'survivor' });
  const body = vectorBody(true);
  const post = (b: string, headers: Record<string, string>) => sendToBucket(h, Bucket, { method: 'POST', path: '/?delete', body: b, headers });

  assertCosError(await post(body, {}), 400, 'MissingContentMD5');
  assertCosError(await post(body, { 'content-md5': md5Base64('something else') }), 400, 'BadDigest');
  assertCosError(await post(body, { 'content-md5': 'garbage' }), 400, 'InvalidDigest');
  for (const malformed of ['<Delete><Object><Key>aa</Key></Object>', 'not xml at all', '<Other/>', '<Delete><Quiet>true</Quiet></Delete>']) {
    assertCosError(await post(malformed, { 'content-md5': md5Base64(malformed) }), 400, 'MalformedXML');
  }
  const many = `<Delete>${Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('')}</Delete>`;
  assertCosError(await post(many, { 'content-md5': md5Base64(many) }), 400, 'MalformedXML');
  const thousand = `<Delete><Quiet>true</Quiet>${Array.from({ length: 1000 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('')}</Delete>`;
  assert.equal((await post(thousand, { 'content-md5': md5Base64(thousand) })).status, 200);

  assert.equal((await h.cos.getObject(at('aa'))).Body.toString(), 'survivor', 'no failed request deleted anything');

  const noBucket = await sendToBucket(h, bucketName(), { method: 'POST', path: '/?delete', body, headers: { 'content-md5': md5Base64(body) } });
  assertCosError(noBucket, 404, 'NoSuchBucket');
  const anonymous = await send(h, { method: 'POST', path: `/${Bucket}?delete`, body, headers: { 'content-md5': md5Base64(body) }, sign: false });
  assertCosError(anonymous, 403, 'AccessDenied');
});
