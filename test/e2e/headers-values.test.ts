/**
 * Values that become response headers (hardening item 1): the response-* overrides, content headers
 * and x-cos-meta-* of PUT, copy, Initiate and POST forms, success_action_redirect. Each is checked
 * where it enters (InvalidArgument for CR, LF and other control characters); text beyond ASCII is
 * sent as its UTF-8 bytes, exactly as the same value sent as a header; values stored before the
 * check are cleaned when sent. After every request the server still answers.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { postForm, signedFields } from './form.js';
import { assertCosError, authorization, bucketHost, send, sendToBucket } from './raw.js';

let h: Harness;
const Bucket = bucketName('hdrval');
const at = (Key: string) => ({ Bucket, Region: REGION, Key });

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await h.cos.putObject({ ...at('public.txt'), Body: 'public bytes' });
});
after(() => h.close());

/** The bytes of a header value as they were on the wire (Node reads header values as Latin-1). */
const wireText = (value: string | string[] | undefined) => Buffer.from(String(value), 'latin1').toString('utf8');

async function assertServing(): Promise<void> {
  const res = await send(h, { path: '/', host: bucketHost(Bucket), sign: false, method: 'GET' });
  assert.equal(res.status, 200, 'the server still answers');
}

const anonymousGet = (query: string) => sendToBucket(h, Bucket, { path: `/public.txt?${query}`, sign: false });

test('an anonymous GET with response-content-type=%E4%B8%AD answers its UTF-8 bytes and the server goes on', async () => {
  const res = await anonymousGet('response-content-type=%E4%B8%AD');
  assert.equal(res.status, 200, res.text);
  assert.equal(wireText(res.headers['content-type']), '中');
  assert.equal(res.text, 'public bytes');
  const disposition = await anonymousGet(`response-content-disposition=${encodeURIComponent('attachment; filename="报告.txt"')}`);
  assert.equal(disposition.status, 200);
  assert.equal(wireText(disposition.headers['content-disposition']), 'attachment; filename="报告.txt"');
  await assertServing();
});

test('response-* overrides with CR, LF or other control characters are 400 InvalidArgument', async () => {
  for (const query of [
    'response-content-type=text%2Fplain%0D%0AX-Injected%3A%201',
    'response-content-disposition=a%0Ab',
    'response-cache-control=%00',
    'response-expires=%7F',
    'response-content-language=a%0Db',
    'response-content-encoding=%1B',
  ]) {
    const res = await anonymousGet(query);
    assertCosError(res, 400, 'InvalidArgument');
    assert.equal(res.headers['x-injected'], undefined);
    const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: `/public.txt?${query}`, sign: false });
    assert.equal(head.status, 400, query);
  }
  await assertServing();
});

test('a signed GET and HEAD with bad overrides are 400 too (the overrides are checked before any byte is read)', async () => {
  const res = await sendToBucket(h, Bucket, { path: '/public.txt?response-content-type=%0D%0A' });
  assertCosError(res, 400, 'InvalidArgument');
  await assertServing();
});

test('POST forms: non-Latin-1 x-cos-meta-*, Content-Disposition and Cache-Control are stored as UTF-8 bytes, echoed as a header would be', async () => {
  const fields = {
    key: 'form/utf8.txt',
    'x-cos-meta-name': '中文 café',
    'Content-Disposition': 'attachment; filename="报告.txt"',
    'Cache-Control': 'max-age=60, 中',
    ...signedFields([{ bucket: Bucket }]),
  };
  const res = await postForm(h, Bucket, fields);
  assert.equal(res.status, 204, res.text);
  for (const method of ['HEAD', 'GET']) {
    const read = await sendToBucket(h, Bucket, { method, path: '/form/utf8.txt' });
    assert.equal(read.status, 200, `${method} ${read.text}`);
    assert.equal(wireText(read.headers['x-cos-meta-name']), '中文 café');
    assert.equal(wireText(read.headers['content-disposition']), 'attachment; filename="报告.txt"');
    assert.equal(wireText(read.headers['cache-control']), 'max-age=60, 中');
  }
  // The same value sent as a header (its UTF-8 bytes) stores and echoes the same bytes.
  const asHeader = Buffer.from('中文 café').toString('latin1');
  const put = await sendToBucket(h, Bucket, { method: 'PUT', path: '/form/header.txt', headers: { 'x-cos-meta-name': asHeader }, body: Buffer.from('x') });
  assert.equal(put.status, 200, put.text);
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/form/header.txt' });
  assert.equal(head.headers['x-cos-meta-name'], (await sendToBucket(h, Bucket, { method: 'HEAD', path: '/form/utf8.txt' })).headers['x-cos-meta-name']);
  await assertServing();
});

test('POST forms: CR/LF or control characters in a stored header field are 400 InvalidArgument and store nothing', async () => {
  const cases: Record<string, string>[] = [
    { 'x-cos-meta-evil': 'a\r\nSet-Cookie: x=1' },
    { 'Content-Disposition': 'attachment\r\nX-Injected: 1' },
    { 'Cache-Control': 'no-cache\n' },
    { 'Content-Type': 'text/plain\u0000' },
    { Expires: 'never\r' },
    { 'Content-Language': 'zh\u0007' },
    { 'Content-Encoding': 'gzip\r\n' },
    { 'x-cos-meta-bad name': 'v' },
    { 'x-cos-meta-中': 'v' },
  ];
  for (const [i, extra] of cases.entries()) {
    const key = `form/bad-${i}.txt`;
    const res = await postForm(h, Bucket, { key, ...extra, ...signedFields([{ bucket: Bucket }]) });
    assertCosError(res, 400, 'InvalidArgument');
    const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: `/${key}` });
    assert.equal(head.status, 404, `${JSON.stringify(extra)} stored nothing`);
  }
  await assertServing();
});

test('success_action_redirect: CR/LF is 400 InvalidArgument before anything is stored; text beyond ASCII is percent-encoded', async () => {
  const bad = await postForm(h, Bucket, { key: 'form/redirect-bad.txt', success_action_redirect: 'https://example.test/ok\r\nSet-Cookie: a=b', ...signedFields([{ bucket: Bucket }]) });
  assertCosError(bad, 400, 'InvalidArgument');
  assert.equal((await sendToBucket(h, Bucket, { method: 'HEAD', path: '/form/redirect-bad.txt' })).status, 404);
  const good = await postForm(h, Bucket, { key: 'form/redirect.txt', success_action_redirect: 'https://example.test/完成', ...signedFields([{ bucket: Bucket }]) });
  assert.equal(good.status, 303, good.text);
  assert.match(good.headers.location, /^https:\/\/example\.test\/%E5%AE%8C%E6%88%90\?bucket=/);
  await assertServing();
});

test('values stored before the check (control characters, text beyond Latin-1) do not break HEAD or GET: dropped or sent as UTF-8', async () => {
  const { meta, blobs } = h.server.services;
  const blob = await blobs.write(Readable.from([Buffer.from('legacy')]));
  const object = await meta.getObject(Bucket, 'public.txt');
  assert.ok(object);
  await meta.putObject({
    ...object,
    key: 'legacy.txt',
    versionId: undefined,
    size: blob.size,
    etag: `"${blob.md5Hex}"`,
    crc64: blob.crc64,
    blobs: [{ id: blob.id, size: blob.size }],
    contentHeaders: { 'content-disposition': 'attachment; filename="旧.txt"', 'cache-control': 'a\r\nX-Injected: 1' },
    meta: { 'x-cos-meta-ok': 'fine', 'x-cos-meta-evil': 'a\r\nb', 'x-cos-meta-wide': '中', 'x-cos-meta-bad name': 'v' },
  });
  for (const method of ['HEAD', 'GET']) {
    const res = await sendToBucket(h, Bucket, { method, path: '/legacy.txt' });
    assert.equal(res.status, 200, `${method}: ${res.text}`);
    assert.equal(res.headers['x-cos-meta-ok'], 'fine');
    assert.equal(res.headers['x-cos-meta-evil'], undefined);
    assert.equal(res.headers['x-injected'], undefined);
    assert.equal(res.headers['cache-control'], undefined);
    assert.equal(wireText(res.headers['x-cos-meta-wide']), '中');
    assert.equal(wireText(res.headers['content-disposition']), 'attachment; filename="旧.txt"');
    if (method === 'GET') assert.equal(res.text, 'legacy');
  }
  // A copy that keeps the source's metadata does not spread the damage either.
  await h.cos.putObjectCopy({ ...at('legacy-copy.txt'), CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/legacy.txt` });
  const copy = await sendToBucket(h, Bucket, { method: 'GET', path: '/legacy-copy.txt' });
  assert.equal(copy.status, 200);
  assert.equal(copy.text, 'legacy');
  await assertServing();
});

test('PUT Object, Initiate Multipart and copy keep Latin-1 header bytes as sent', async () => {
  const latin = Buffer.from('naïve 中').toString('latin1');
  const put = await sendToBucket(h, Bucket, { method: 'PUT', path: '/bytes.txt', headers: { 'content-disposition': latin, 'x-cos-meta-v': latin }, body: Buffer.from('b') });
  assert.equal(put.status, 200, put.text);
  const init = await sendToBucket(h, Bucket, { method: 'POST', path: '/bytes-mp.txt?uploads', headers: { 'x-cos-meta-v': latin } });
  assert.equal(init.status, 200, init.text);
  const copy = await sendToBucket(h, Bucket, {
    method: 'PUT',
    path: '/bytes-copy.txt',
    headers: { 'x-cos-copy-source': `${Bucket}.cos.${REGION}.myqcloud.com/bytes.txt`, 'x-cos-metadata-directive': 'Replaced', 'x-cos-meta-v': latin },
  });
  assert.equal(copy.status, 200, copy.text);
  for (const key of ['bytes.txt', 'bytes-copy.txt']) {
    const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: `/${key}` });
    assert.equal(wireText(head.headers['x-cos-meta-v']), 'naïve 中');
  }
});

test('a UTF-8 header value signed as the text it is (not as Latin-1) verifies too', async () => {
  const text = 'naïve 中';
  const latin = Buffer.from(text).toString('latin1'); // the bytes on the wire, as Node reads them
  const host = bucketHost(Bucket);
  const auth = authorization('PUT', '/utf8-signed.txt', { host, 'x-cos-meta-v': text, 'content-length': 1 });
  const put = await sendToBucket(h, Bucket, { method: 'PUT', path: '/utf8-signed.txt', sign: false, headers: { 'x-cos-meta-v': latin, authorization: auth }, body: Buffer.from('b') });
  assert.equal(put.status, 200, put.text);
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/utf8-signed.txt' });
  assert.equal(wireText(head.headers['x-cos-meta-v']), text);
  // Signed over other text, it is still refused.
  const other = authorization('PUT', '/utf8-signed.txt', { host, 'x-cos-meta-v': 'naïve 国', 'content-length': 1 });
  const bad = await sendToBucket(h, Bucket, { method: 'PUT', path: '/utf8-signed.txt', sign: false, headers: { 'x-cos-meta-v': latin, authorization: other }, body: Buffer.from('c') });
  assertCosError(bad, 403, 'SignatureDoesNotMatch');
});

test('the 2 KB metadata limit counts the bytes of a form value once', async () => {
  const fits = await postForm(h, Bucket, { key: 'form/wide.txt', 'x-cos-meta-w': '中'.repeat(600), ...signedFields([{ bucket: Bucket }]) });
  assert.equal(fits.status, 204, fits.text);
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/form/wide.txt' });
  assert.equal(wireText(head.headers['x-cos-meta-w']), '中'.repeat(600));
  const over = await postForm(h, Bucket, { key: 'form/too-wide.txt', 'x-cos-meta-w': '中'.repeat(700), ...signedFields([{ bucket: Bucket }]) });
  assertCosError(over, 400, 'MetadataTooLarge');
});
