/**
 * PUT, GET and HEAD Object through the official SDK, and raw where the SDK cannot go: wrong digests,
 * short or chunked bodies, `Expect: 100-continue`, odd keys written on the wire as they are.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc64 } from '@cosbox/protocol';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import {
  assertCosError,
  authorization,
  assertRequestId,
  bucketHost,
  encodeKey,
  handWritten,
  md5Base64,
  parseRawResponse,
  sdkRejects,
  send,
  sendToBucket,
  sha1Hex,
  socketExchange,
} from './raw.js';

let h: Harness;
let Bucket: string;
before(async () => {
  h = await startHarness();
  Bucket = bucketName('obj');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const md5Etag = (body: string | Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;
const at = (Key: string) => ({ Bucket, Region: REGION, Key });

async function getBody(Key: string): Promise<Buffer> {
  return (await h.cos.getObject(at(Key))).Body;
}

/** The key must not exist (HEAD 404). */
async function assertAbsent(Key: string): Promise<void> {
  await sdkRejects(h.cos.headObject(at(Key)), 404);
}

/** A failed upload leaves no temporary file behind (the blob store removes it as the request fails). */
async function assertNoTemporaryFiles(): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if ((await readdir(join(h.dataDir, 'tmp'))).length === 0) return;
    await sleep(50);
  }
  assert.fail('temporary upload files remain');
}

test('C205 C133 PUT Object: ETag is the quoted MD5, x-cos-hash-crc64ecma the CRC-64, on PUT, GET and HEAD', async () => {
  const body = randomBytes(70_000);
  const put = await h.cos.putObject({ ...at('bin/random'), Body: body });
  assert.equal(put.statusCode, 200);
  assertRequestId(put.headers);
  assert.equal(put.ETag, md5Etag(body));
  assert.equal(put.headers?.['x-cos-hash-crc64ecma'], crc64(body));

  const got = await h.cos.getObject(at('bin/random'));
  assert.ok(got.Body.equals(body));
  assert.equal(got.ETag, md5Etag(body));
  assert.equal(got.headers?.['x-cos-hash-crc64ecma'], crc64(body));
  assert.equal(got.headers?.['content-length'], String(body.length));
  assert.equal(got.headers?.['content-type'], 'application/octet-stream'); // the default: the SDK sends no type for a Buffer

  const head = await h.cos.headObject(at('bin/random'));
  assert.equal(head.ETag, md5Etag(body));
  assert.equal(head.headers?.['x-cos-hash-crc64ecma'], crc64(body));
});

test('CRC-64 known vector: "123456789" -> 11051210869376104954, computed and reported', async () => {
  assert.equal(crc64(Buffer.from('123456789')), '11051210869376104954');
  const put = await h.cos.putObject({ ...at('crc/vector'), Body: '123456789' });
  assert.equal(put.headers?.['x-cos-hash-crc64ecma'], '11051210869376104954');
  const head = await h.cos.headObject(at('crc/vector'));
  assert.equal(head.headers?.['x-cos-hash-crc64ecma'], '11051210869376104954');
  const empty = await h.cos.putObject({ ...at('crc/empty'), Body: '' });
  assert.equal(empty.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
  assert.equal(empty.headers?.['x-cos-hash-crc64ecma'], '0');
});

test('C202 PUT Object streams a file (fs.createReadStream) and overwrites an existing key', async () => {
  const file = join(h.dataDir, 'upload.bin');
  const body = randomBytes(3 * 1024 * 1024 + 17);
  await writeFile(file, body);
  await h.cos.putObject({ ...at('big/file'), Body: 'old content' });
  const put = await h.cos.putObject({ ...at('big/file'), Body: createReadStream(file), ContentLength: body.length });
  assert.equal(put.ETag, md5Etag(body));
  const got = await getBody('big/file');
  assert.equal(got.length, body.length);
  assert.ok(got.equals(body));
});

test('C012 Content-MD5: a right one stores, a wrong one is BadDigest and keeps the old content, a malformed one InvalidDigest', async () => {
  const Key = 'digest/md5';
  await h.cos.putObject({ ...at(Key), Body: 'original', Headers: { 'Content-MD5': md5Base64('original') } });
  await sdkRejects(h.cos.putObject({ ...at(Key), Body: 'replacement', Headers: { 'Content-MD5': md5Base64('something else') } }), 400, 'BadDigest');
  assert.equal((await getBody(Key)).toString(), 'original');

  await sdkRejects(h.cos.putObject({ ...at('digest/new'), Body: 'x', Headers: { 'Content-MD5': md5Base64('y') } }), 400, 'BadDigest');
  await assertAbsent('digest/new');
  await sdkRejects(h.cos.putObject({ ...at('digest/new'), Body: 'x', Headers: { 'Content-MD5': 'not-base64-md5' } }), 400, 'InvalidDigest');
  await assertAbsent('digest/new');
  await assertNoTemporaryFiles();

  // The SDK's own Content-MD5 (UploadCheckContentMd5) is accepted.
  const checking = h.client({ UploadCheckContentMd5: true });
  const put = await checking.putObject({ ...at(Key), Body: 'checked by the SDK' });
  assert.equal(put.ETag, md5Etag('checked by the SDK'));
});

test('C015 x-cos-content-sha1: right stores, wrong is BadDigest (nothing stored), malformed InvalidSHA1Digest', async () => {
  await h.cos.putObject({ ...at('digest/sha1'), Body: 'Hello world', Headers: { 'x-cos-content-sha1': sha1Hex('Hello world') } });
  assert.equal((await getBody('digest/sha1')).toString(), 'Hello world');

  await sdkRejects(
    h.cos.putObject({ ...at('digest/sha1-bad'), Body: 'Hello world', Headers: { 'x-cos-content-sha1': sha1Hex('Hello World') } }),
    400,
    'BadDigest',
  );
  await assertAbsent('digest/sha1-bad');
  await sdkRejects(h.cos.putObject({ ...at('digest/sha1-bad'), Body: 'x', Headers: { 'x-cos-content-sha1': 'xyz' } }), 400, 'InvalidSHA1Digest');
});

test('C011 a body shorter than Content-Length (socket closed early) stores nothing and keeps the old content', async () => {
  await h.cos.putObject({ ...at('short/existing'), Body: 'old bytes' });
  for (const key of ['short/existing', 'short/new']) {
    const request = handWritten('PUT', `/${key}`, `/${key}`, { host: bucketHost(Bucket) }, '0123456789');
    // Declare ten bytes, send five, close our side: IncompleteBody, as a full COS error.
    const answer = await socketExchange(h, request.slice(0, request.length - 5), { halfClose: true, waitMs: 2000 });
    assertCosError(parseRawResponse(answer), 400, 'IncompleteBody');
  }
  assert.equal((await getBody('short/existing')).toString(), 'old bytes');
  await assertAbsent('short/new');
  await assertNoTemporaryFiles();
});

test('C079 C202 a PUT with neither Content-Length nor a chunked body is MissingContentLength 411 and stores nothing', async () => {
  const host = bucketHost(Bucket);
  const auth = authorization('PUT', '/unframed', { host });
  const answer = await socketExchange(h, `PUT /unframed HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${auth}\r\nconnection: close\r\n\r\n`);
  assertCosError(parseRawResponse(answer), 411, 'MissingContentLength');
  await assertAbsent('unframed');
});

test('C136 C137 C138 C203 content headers and x-cos-meta-* are stored and returned on GET and HEAD', async () => {
  const Key = 'meta/doc.html';
  await h.cos.putObject({
    ...at(Key),
    Body: '<p>hi</p>',
    ContentType: 'text/html; charset=utf-8',
    CacheControl: 'max-age=60',
    ContentDisposition: 'attachment; filename="doc.html"',
    ContentEncoding: 'identity',
    Expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
    Headers: { 'Content-Language': 'zh-CN', 'x-cos-meta-author': 'cosbox', 'x-cos-meta-md5': '4d00d79b6733c9cc066584a02ed03410' },
  });
  const expected = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'max-age=60',
    'content-disposition': 'attachment; filename="doc.html"',
    'content-encoding': 'identity',
    expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
    'content-language': 'zh-CN',
    'x-cos-meta-author': 'cosbox',
    'x-cos-meta-md5': '4d00d79b6733c9cc066584a02ed03410',
  };
  for (const result of [await h.cos.getObject(at(Key)), await h.cos.headObject(at(Key))]) {
    for (const [name, value] of Object.entries(expected)) assert.equal(result.headers?.[name], value, name);
  }
});

test('C139 C041 user metadata over 2 KB is MetadataTooLarge and stores nothing', async () => {
  await h.cos.putObject({ ...at('meta/ok'), Body: 'x', Headers: { 'x-cos-meta-big': 'v'.repeat(1500) } });
  assert.equal((await h.cos.headObject(at('meta/ok'))).headers?.['x-cos-meta-big'], 'v'.repeat(1500));
  await sdkRejects(
    h.cos.putObject({ ...at('meta/too-big'), Body: 'x', Headers: { 'x-cos-meta-one': 'v'.repeat(1100), 'x-cos-meta-two': 'v'.repeat(1100) } }),
    400,
    'MetadataTooLarge',
  );
  await assertAbsent('meta/too-big');
});

test('C142 C143 C144 C145 x-cos-storage-class: STANDARD_IA reported by HEAD and listings; junk is NotSupportedStorageClass', async () => {
  await h.cos.putObject({ ...at('class/ia'), Body: 'x', StorageClass: 'STANDARD_IA' });
  await h.cos.putObject({ ...at('class/lower'), Body: 'x', Headers: { 'x-cos-storage-class': 'standard_ia' } });
  await h.cos.putObject({ ...at('class/default'), Body: 'x' });
  assert.equal((await h.cos.headObject(at('class/ia'))).headers?.['x-cos-storage-class'], 'STANDARD_IA');
  assert.equal((await h.cos.getObject(at('class/lower'))).headers?.['x-cos-storage-class'], 'STANDARD_IA');
  const list = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'class/' });
  assert.deepEqual(
    list.Contents.map((c) => [c.Key, c.StorageClass]),
    [['class/default', 'STANDARD'], ['class/ia', 'STANDARD_IA'], ['class/lower', 'STANDARD_IA']],
  );
  await sdkRejects(h.cos.putObject({ ...at('class/junk'), Body: 'x', Headers: { 'x-cos-storage-class': 'GOLD' } }), 400, 'NotSupportedStorageClass');
  await assertAbsent('class/junk');
});

test('C204 PUT Object takes x-cos-acl and grant headers; a bad x-cos-acl is InvalidArgument and stores nothing', async () => {
  await h.cos.putObject({ ...at('acl/ok'), Body: 'x', ACL: 'public-read', GrantRead: 'id="100000000002"' });
  await h.cos.putObject({ ...at('acl/default'), Body: 'x', ACL: 'default' });
  await h.cos.headObject(at('acl/ok'));
  await sdkRejects(h.cos.putObject({ ...at('acl/bad'), Body: 'x', Headers: { 'x-cos-acl': 'everyone' } }), 400, 'InvalidArgument');
  await sdkRejects(h.cos.putObject({ ...at('acl/bad'), Body: 'x', GrantRead: 'uin=100000000002' }), 400, 'InvalidArgument');
  await assertAbsent('acl/bad');
});

test('C013 Expect: 100-continue: the server answers 100 then 200; a request failing auth gets 403 without 100', async () => {
  const ok = await sendToBucket(h, Bucket, { method: 'PUT', path: '/continue/ok', body: 'after the 100', expectContinue: true });
  assert.equal(ok.status, 200);
  assert.equal(ok.continued, true);
  assert.equal(ok.headers.etag, md5Etag('after the 100'));
  assert.equal((await getBody('continue/ok')).toString(), 'after the 100');

  const denied = await sendToBucket(h, Bucket, { method: 'PUT', path: '/continue/denied', body: 'never sent', expectContinue: true, sign: { secretKey: 'wrong' } });
  assertCosError(denied, 403, 'SignatureDoesNotMatch');
  assert.equal(denied.continued, false);
  await assertAbsent('continue/denied');

  const anonymous = await sendToBucket(h, Bucket, { method: 'PUT', path: '/continue/anon', body: 'never sent', expectContinue: true, sign: false });
  assertCosError(anonymous, 403, 'AccessDenied');
  assert.equal(anonymous.continued, false);

  const noBucket = await sendToBucket(h, bucketName(), { method: 'PUT', path: '/k', body: 'never sent', expectContinue: true });
  assertCosError(noBucket, 404, 'NoSuchBucket');
  assert.equal(noBucket.continued, false);
});

test('C007 a key ending in "/" with an empty body is a folder marker', async () => {
  const put = await h.cos.putObject({ ...at('folder/'), Body: '' });
  assert.equal(put.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
  const head = await h.cos.headObject(at('folder/'));
  assert.equal(head.headers?.['content-length'], '0');
  await h.cos.putObject({ ...at('folder/inside.txt'), Body: 'x' });
  const list = await h.cos.getBucket({ Bucket, Region: REGION, Prefix: 'folder/', Delimiter: '/' });
  assert.deepEqual(list.Contents.map((c) => c.Key), ['folder/', 'folder/inside.txt']);
});

/** Keys that tempt a client or server into encoding, decoding or normalising them. */
const ODD_KEYS = [
  'with space',
  'a+b',
  'plus+and space',
  '100%',
  '%41 not A',
  'what?x=1',
  'hash#tag',
  '中文/键.txt',
  'emoji😀',
  './dot',
  '../up',
  'a/./b',
  'a/../b',
  'x/../../y',
  'a//b',
  '//lead',
  'trail/',
  "quote'\"",
  '&amp;',
  '=eq;semi:colon,comma',
  '~tilde*star(paren)!',
  '\\back\\slash',
];

test('C006 odd keys round-trip byte-exact through the SDK and list exactly', async () => {
  const B = bucketName('keys');
  await h.cos.putBucket({ Bucket: B, Region: REGION });
  for (const Key of ODD_KEYS) {
    const put = await h.cos.putObject({ Bucket: B, Region: REGION, Key, Body: `body of ${Key}` });
    assert.equal(put.statusCode, 200, Key);
  }
  for (const Key of ODD_KEYS) {
    const got = await h.cos.getObject({ Bucket: B, Region: REGION, Key });
    assert.equal(got.Body.toString(), `body of ${Key}`, Key);
  }
  const list = await h.cos.getBucket({ Bucket: B, Region: REGION });
  const sorted = [...ODD_KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // The SDK strips one leading '/' from a Key, so '//lead' is stored as '/lead'.
  assert.deepEqual(list.Contents.map((c) => c.Key), sorted.map((k) => k.replace(/^\/\//, '/')));
});

test('C006 odd keys round-trip through raw path-style and virtual-hosted requests; "+" is not a space', async () => {
  const B = bucketName('rawkeys');
  await h.cos.putBucket({ Bucket: B, Region: REGION });
  for (const [i, key] of ODD_KEYS.entries()) {
    // Alternate the two addressing styles; both must decode the key the same way.
    const res =
      i % 2 === 0
        ? await send(h, { method: 'PUT', path: `/${B}/${encodeKey(key)}`, body: key })
        : await sendToBucket(h, B, { method: 'PUT', path: `/${encodeKey(key)}`, body: key });
    assert.equal(res.status, 200, `${key}: ${res.text}`);
  }
  // Written on the wire unencoded: '+' stays '+', dot segments and double slashes stay as they are.
  for (const literal of ['/lit+plus', '/lit/./dot', '/lit/../up', '/lit//double']) {
    const res = await sendToBucket(h, B, { method: 'PUT', path: literal, body: literal });
    assert.equal(res.status, 200, literal);
  }
  const list = await h.cos.getBucket({ Bucket: B, Region: REGION });
  const expected = [...ODD_KEYS, 'lit+plus', 'lit/./dot', 'lit/../up', 'lit//double'];
  assert.deepEqual(list.Contents.map((c) => c.Key), [...expected].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  for (const key of expected) {
    const got = await send(h, { path: `/${B}/${encodeKey(key)}` });
    assert.equal(got.text, key.startsWith('lit') ? `/${key}` : key, key);
  }
});

test('C006 a key of 850 bytes is fine; 851 bytes is InvalidURI', async () => {
  const key850 = '中'.repeat(283) + 'a'; // 283 * 3 + 1 bytes
  assert.equal(Buffer.byteLength(key850), 850);
  await h.cos.putObject({ ...at(key850), Body: 'long' });
  assert.equal((await getBody(key850)).toString(), 'long');

  const key851 = key850 + 'b';
  await sdkRejects(h.cos.putObject({ ...at(key851), Body: 'too long' }), 400, 'InvalidURI');
  await sdkRejects(h.cos.getObject(at(key851)), 400, 'InvalidURI');
  const raw = await sendToBucket(h, Bucket, { method: 'PUT', path: `/${encodeKey(key851)}`, body: 'x' });
  assertCosError(raw, 400, 'InvalidURI');
});

test('C161 C209 Range: 206 with Content-Range for first-last, open-ended and suffix ranges', async () => {
  await h.cos.putObject({ ...at('range/abc'), Body: 'abcdefghij' });
  const cases: Array<[string, string, string]> = [
    ['bytes=0-3', 'abcd', 'bytes 0-3/10'],
    ['bytes=5-', 'fghij', 'bytes 5-9/10'],
    ['bytes=-3', 'hij', 'bytes 7-9/10'],
    ['bytes=8-100', 'ij', 'bytes 8-9/10'],
    ['bytes=-100', 'abcdefghij', 'bytes 0-9/10'],
  ];
  for (const [Range, body, contentRange] of cases) {
    const got = await h.cos.getObject({ ...at('range/abc'), Range });
    assert.equal(got.statusCode, 206, Range);
    assert.equal(got.Body.toString(), body, Range);
    assert.equal(got.headers?.['content-range'], contentRange, Range);
    assert.equal(got.headers?.['content-length'], String(body.length), Range);
    assert.equal(got.headers?.['accept-ranges'], 'bytes');
  }
  const whole = await h.cos.getObject(at('range/abc'));
  assert.equal(whole.statusCode, 200);
  assert.equal(whole.headers?.['content-range'], undefined);
});

test('C162 an unsatisfiable Range is InvalidRange 416', async () => {
  await h.cos.putObject({ ...at('range/short'), Body: 'abcdefghij' });
  await sdkRejects(h.cos.getObject({ ...at('range/short'), Range: 'bytes=10-20' }), 416, 'InvalidRange');
  const raw = await sendToBucket(h, Bucket, { path: '/range/short', headers: { range: 'bytes=100-' } });
  assertCosError(raw, 416, 'InvalidRange');
  assert.equal(raw.headers['content-range'], 'bytes */10');
});

test('C163-C166 If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since give 200, 304 or 412', async () => {
  const put = await h.cos.putObject({ ...at('cond/x'), Body: 'conditional' });
  const etag = put.ETag;
  const past = new Date(Date.now() - 86_400_000).toUTCString();
  const future = new Date(Date.now() + 86_400_000).toUTCString();
  const status = async (Headers: Record<string, string>) => {
    const res = await sendToBucket(h, Bucket, { path: '/cond/x', headers: Headers });
    assertRequestId(res.headers);
    if (res.status === 412) assertCosError(res, 412, 'PreconditionFailed');
    if (res.status === 304) assert.equal(res.body.length, 0);
    return res.status;
  };
  assert.equal(await status({ 'if-match': etag }), 200);
  assert.equal(await status({ 'if-match': '"0123456789abcdef0123456789abcdef"' }), 412);
  assert.equal(await status({ 'if-none-match': etag }), 304);
  assert.equal(await status({ 'if-none-match': '"0123456789abcdef0123456789abcdef"' }), 200);
  assert.equal(await status({ 'if-modified-since': future }), 304);
  assert.equal(await status({ 'if-modified-since': past }), 200);
  assert.equal(await status({ 'if-unmodified-since': past }), 412);
  assert.equal(await status({ 'if-unmodified-since': future }), 200);

  // Through the SDK: its parameters, its 304 handling.
  const notModified = await h.cos.getObject({ ...at('cond/x'), IfModifiedSince: future });
  assert.deepEqual(notModified, { NotModified: true });
  assert.equal((await h.cos.getObject({ ...at('cond/x'), IfMatch: etag })).Body.toString(), 'conditional');
  await sdkRejects(h.cos.getObject({ ...at('cond/x'), IfMatch: '"nope"' }), 412, 'PreconditionFailed');
  await sdkRejects(h.cos.getObject({ ...at('cond/x'), IfUnmodifiedSince: past }), 412, 'PreconditionFailed');
  await sdkRejects(h.cos.getObject({ ...at('cond/x'), IfNoneMatch: etag }), 304);
  const headNotModified = await h.cos.headObject({ ...at('cond/x'), Headers: { 'If-Modified-Since': future } });
  assert.equal((headNotModified as { NotModified?: boolean }).NotModified, true);
});

test('C208 response-* query parameters override the GET response headers', async () => {
  await h.cos.putObject({ ...at('override/x'), Body: 'x', ContentType: 'text/plain', CacheControl: 'no-cache' });
  const got = await h.cos.getObject({
    ...at('override/x'),
    ResponseContentType: 'application/json',
    ResponseContentDisposition: 'attachment; filename="x.json"',
    ResponseCacheControl: 'max-age=3600',
    ResponseContentLanguage: 'en-US',
    ResponseExpires: 'Thu, 01 Jan 2037 00:00:00 GMT',
    ResponseContentEncoding: 'identity',
  });
  assert.equal(got.headers?.['content-type'], 'application/json');
  assert.equal(got.headers?.['content-disposition'], 'attachment; filename="x.json"');
  assert.equal(got.headers?.['cache-control'], 'max-age=3600');
  assert.equal(got.headers?.['content-language'], 'en-US');
  assert.equal(got.headers?.expires, 'Thu, 01 Jan 2037 00:00:00 GMT');
  assert.equal(got.headers?.['content-encoding'], 'identity');
  // The stored headers are unchanged.
  const head = await h.cos.headObject(at('override/x'));
  assert.equal(head.headers?.['content-type'], 'text/plain');
  assert.equal(head.headers?.['cache-control'], 'no-cache');
});

test('C087 GET of a missing key is NoSuchKey 404; HEAD is 404 without a body; a missing bucket NoSuchBucket', async () => {
  const err = await sdkRejects(h.cos.getObject(at('missing/key')), 404, 'NoSuchKey');
  assert.equal(err.error?.Resource, `${bucketHost(Bucket)}/missing/key`);
  const head = await sdkRejects(h.cos.headObject(at('missing/key')), 404);
  assert.equal(head.code, '404');
  const raw = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/missing/key' });
  assert.equal(raw.status, 404);
  assert.equal(raw.body.length, 0);
  assertRequestId(raw.headers);
  await sdkRejects(h.cos.getObject({ Bucket: bucketName(), Region: REGION, Key: 'k' }), 404, 'NoSuchBucket');
  await sdkRejects(h.cos.putObject({ Bucket: bucketName(), Region: REGION, Key: 'k', Body: 'x' }), 404, 'NoSuchBucket');
});

test('C211 HEAD Object: ETag, Content-Length, Content-Type, Last-Modified, object type, storage class, meta; no body', async () => {
  const before = Math.floor(Date.now() / 1000) * 1000;
  await h.cos.putObject({ ...at('head/x'), Body: 'twelve bytes', ContentType: 'text/plain', Headers: { 'x-cos-meta-k': 'v' } });
  const head = await h.cos.headObject(at('head/x'));
  assert.equal(head.statusCode, 200);
  const headers = head.headers ?? {};
  assert.equal(headers.etag, md5Etag('twelve bytes'));
  assert.equal(headers['content-length'], '12');
  assert.equal(headers['content-type'], 'text/plain');
  assert.equal(headers['x-cos-object-type'], 'normal');
  assert.equal(headers['x-cos-storage-class'], undefined, 'COS names the storage class only when it is not STANDARD');
  assert.equal(headers['x-cos-meta-k'], 'v');
  assert.match(headers['last-modified'], /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
  const lastModified = Date.parse(headers['last-modified']);
  assert.ok(lastModified >= before && lastModified <= Date.now(), 'Last-Modified is the upload time');
  assert.equal(headers.server, 'tencent-cos');
  assertRequestId(headers);

  const raw = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/head/x' });
  assert.equal(raw.status, 200);
  assert.equal(raw.body.length, 0);
  assert.equal(raw.headers['content-length'], '12');
});

test('the response to a raw hand-written PUT carries ETag and request id', async () => {
  const text = await socketExchange(h, handWritten('PUT', '/raw/hand', '/raw/hand', { host: bucketHost(Bucket) }, 'by hand'));
  const res = parseRawResponse(text);
  assert.equal(res.status, 200);
  assert.equal(res.headers.etag, md5Etag('by hand'));
  assertRequestId(res.headers);
});
