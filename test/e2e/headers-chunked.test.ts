/**
 * Chunked request bodies (real clients item 1): PUT Object, Upload Part and Append with
 * `Transfer-Encoding: chunked` and no Content-Length are streamed and stored (Python's requests sends
 * every stream and every empty file so); digests are still checked and the size limit is enforced
 * as the bytes arrive. Sent with node's http.request, which chunks a body given in pieces.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, md5Base64, sendToBucket, sha1Hex } from './raw.js';

let h: Harness;
/** A second server whose largest object is 1 MiB, to reach the limit with a few bytes. */
let small: Harness;
const Bucket = bucketName('chunked');
const LIMIT = 1024 * 1024;

before(async () => {
  h = await startHarness();
  small = await startHarness({ maxObjectSize: LIMIT });
  await h.cos.putBucket({ Bucket, Region: REGION });
  await small.cos.putBucket({ Bucket, Region: REGION });
});
after(async () => {
  await h.close();
  await small.close();
});

/** `data` cut into pieces of `size` bytes (sent as chunks). */
function pieces(data: Buffer, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

const md5Hex = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function read(server: Harness, key: string): Promise<{ status: number; body: Buffer }> {
  const res = await sendToBucket(server, Bucket, { path: `/${key}` });
  return { status: res.status, body: res.body };
}

test('a 0-byte chunked PUT stores an empty object', async () => {
  // Without a chunk to send, node writes Content-Length: 0 unless told to chunk.
  const res = await sendToBucket(h, Bucket, { method: 'PUT', path: '/empty', headers: { 'transfer-encoding': 'chunked' }, body: [] });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.etag, '"d41d8cd98f00b204e9800998ecf8427e"');
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/empty' });
  assert.equal(head.headers['content-length'], '0');
});

test('a multi-MB chunked PUT streams in whole, with Content-MD5 and x-cos-content-sha1 checked', async () => {
  const data = randomBytes(5 * 1024 * 1024 + 123);
  const res = await sendToBucket(h, Bucket, {
    method: 'PUT',
    path: '/big',
    headers: { 'content-md5': md5Base64(data), 'x-cos-content-sha1': sha1Hex(data) },
    body: pieces(data),
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.etag, `"${md5Hex(data)}"`);
  const got = await read(h, 'big');
  assert.equal(got.body.length, data.length);
  assert.ok(got.body.equals(data));
});

test('a chunked PUT whose Content-MD5 or x-cos-content-sha1 does not match is BadDigest and stores nothing', async () => {
  const data = Buffer.from('chunked bytes');
  const md5 = await sendToBucket(h, Bucket, { method: 'PUT', path: '/bad-md5', headers: { 'content-md5': md5Base64('other') }, body: pieces(data, 4) });
  assertCosError(md5, 400, 'BadDigest');
  const sha1 = await sendToBucket(h, Bucket, { method: 'PUT', path: '/bad-sha1', headers: { 'x-cos-content-sha1': sha1Hex('other') }, body: pieces(data, 4) });
  assertCosError(sha1, 400, 'BadDigest');
  assert.equal((await read(h, 'bad-md5')).status, 404);
  assert.equal((await read(h, 'bad-sha1')).status, 404);
});

test('Upload Part takes chunked bodies; Complete assembles them', async () => {
  const init = await sendToBucket(h, Bucket, { method: 'POST', path: '/parts?uploads' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1];
  const one = randomBytes(LIMIT + 10);
  const two = Buffer.from('tail');
  const etags: string[] = [];
  for (const [i, data] of [one, two].entries()) {
    const res = await sendToBucket(h, Bucket, { method: 'PUT', path: `/parts?partNumber=${i + 1}&uploadId=${uploadId}`, headers: { 'content-md5': md5Base64(data) }, body: pieces(data) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.etag, `"${md5Hex(data)}"`);
    etags.push(res.headers.etag as string);
  }
  const bad = await sendToBucket(h, Bucket, { method: 'PUT', path: `/parts?partNumber=3&uploadId=${uploadId}`, headers: { 'content-md5': md5Base64('x') }, body: [two] });
  assertCosError(bad, 400, 'BadDigest');
  const done = await sendToBucket(h, Bucket, {
    method: 'POST',
    path: `/parts?uploadId=${uploadId}`,
    body: `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200, done.text);
  assert.ok((await read(h, 'parts')).body.equals(Buffer.concat([one, two])));
});

test('Append takes chunked bodies, with Content-MD5 checked', async () => {
  const first = await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=0', body: [Buffer.from('one,'), Buffer.from('two,')] });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers['x-cos-next-append-position'], '8');
  const empty = await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=8', headers: { 'transfer-encoding': 'chunked' }, body: [] });
  assert.equal(empty.status, 200, empty.text);
  const bad = await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=8', headers: { 'content-md5': md5Base64('nope') }, body: [Buffer.from('three')] });
  assertCosError(bad, 400, 'BadDigest');
  const second = await sendToBucket(h, Bucket, { method: 'POST', path: '/log?append&position=8', headers: { 'content-md5': md5Base64('three') }, body: [Buffer.from('thr'), Buffer.from('ee')] });
  assert.equal(second.status, 200, second.text);
  assert.equal((await read(h, 'log')).body.toString(), 'one,two,three');
});

test('the object size limit holds while a chunked body streams: PUT, Upload Part and Append past it are EntityTooLarge', async () => {
  const over = randomBytes(LIMIT + 1);
  const put = await sendToBucket(small, Bucket, { method: 'PUT', path: '/too-big', body: pieces(over) });
  assertCosError(put, 400, 'EntityTooLarge');
  assert.equal((await read(small, 'too-big')).status, 404);
  const exact = await sendToBucket(small, Bucket, { method: 'PUT', path: '/exact', body: pieces(over.subarray(0, LIMIT)) });
  assert.equal(exact.status, 200, exact.text);
  // A declared length past the limit is refused before any byte is read.
  const declared = await sendToBucket(small, Bucket, { method: 'PUT', path: '/declared', headers: { 'content-length': LIMIT + 1 }, body: over });
  assertCosError(declared, 400, 'EntityTooLarge');

  const init = await sendToBucket(small, Bucket, { method: 'POST', path: '/big-part?uploads' });
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1];
  const part = await sendToBucket(small, Bucket, { method: 'PUT', path: `/big-part?partNumber=1&uploadId=${uploadId}`, body: pieces(over) });
  assertCosError(part, 400, 'EntityTooLarge');

  const start = await sendToBucket(small, Bucket, { method: 'POST', path: '/grow?append&position=0', body: pieces(over.subarray(0, LIMIT - 10)) });
  assert.equal(start.status, 200, start.text);
  const past = await sendToBucket(small, Bucket, { method: 'POST', path: `/grow?append&position=${LIMIT - 10}`, body: [over.subarray(0, 11)] });
  assertCosError(past, 400, 'EntityTooLarge');
  const fits = await sendToBucket(small, Bucket, { method: 'POST', path: `/grow?append&position=${LIMIT - 10}`, body: [over.subarray(0, 10)] });
  assert.equal(fits.status, 200, fits.text);
  // The server still answers on fresh connections.
  assert.equal((await read(small, 'exact')).body.length, LIMIT);
});
