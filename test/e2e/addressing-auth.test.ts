/**
 * How a request names its bucket and key (FEATURES §1.1: hosts, path style, absolute request lines),
 * what the router answers for APIs it does not know, and the ways a request proves who sent it
 * (header signatures, pre-signed URLs).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import {
  assertCosError,
  assertRequestId,
  authorization,
  bucketHost,
  parseRawResponse,
  sdkRejects,
  send,
  sendToBucket,
  socketExchange,
  type RawResponse,
} from './raw.js';

let h: Harness;
let Bucket: string;
before(async () => {
  h = await startHarness();
  Bucket = bucketName('addr');
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const at = (Key: string) => ({ Bucket, Region: REGION, Key });

async function body(Key: string): Promise<string> {
  return (await h.cos.getObject(at(Key))).Body.toString();
}

/** PUT `key` with `host` and `path`, then GET it back the same way. */
async function roundTrip(host: string, path: string, key: string): Promise<void> {
  const put = await send(h, { method: 'PUT', host, path, body: `via ${host}` });
  assert.equal(put.status, 200, `${host} ${path}: ${put.text}`);
  assertRequestId(put.headers);
  const get = await send(h, { host, path });
  assert.equal(get.status, 200);
  assert.equal(get.text, `via ${host}`);
  assert.equal(await body(key), `via ${host}`, 'the SDK (virtual-hosted) sees the same object');
}

test('C001 virtual-hosted: <bucket>.cos.<region>.myqcloud.com and .localhost', async () => {
  await roundTrip(bucketHost(Bucket), '/vh/myqcloud', 'vh/myqcloud');
  await roundTrip(bucketHost(Bucket, REGION, 'localhost'), '/vh/localhost', 'vh/localhost');
  await roundTrip(`${bucketHost(Bucket)}:${h.port}`, '/vh/with-port', 'vh/with-port');
});

test('C003 the legacy host <bucket>.<region>.myqcloud.com', async () => {
  await roundTrip(`${Bucket}.${REGION}.myqcloud.com`, '/legacy', 'legacy');
});

test('path style: /<bucket>/<key> on 127.0.0.1:PORT, localhost:PORT, cos.<region>.myqcloud.com', async () => {
  await roundTrip(`127.0.0.1:${h.port}`, `/${Bucket}/ps/ip`, 'ps/ip');
  await roundTrip(`localhost:${h.port}`, `/${Bucket}/ps/localhost`, 'ps/localhost');
  await roundTrip(`cos.${REGION}.myqcloud.com`, `/${Bucket}/ps/regional`, 'ps/regional');

  const list = await send(h, { path: `/${Bucket}?prefix=ps/` });
  assert.equal(list.status, 200);
  assert.equal((list.text.match(/<Key>/g) ?? []).length, 3);
  assert.equal((await send(h, { method: 'HEAD', path: `/${Bucket}` })).status, 200);
  assert.equal((await send(h, { method: 'HEAD', path: `/${Bucket}/` })).status, 200);
});

test('C002 the service host service.cos.myqcloud.com lists buckets and also takes path-style requests', async () => {
  const service = await send(h, { host: 'service.cos.myqcloud.com', path: '/' });
  assert.equal(service.status, 200);
  assert.match(service.text, new RegExp(`<Name>${Bucket}</Name>`));
  await roundTrip('service.cos.myqcloud.com', `/${Bucket}/on-service-host`, 'on-service-host');
});

test('an absolute-form request line names the bucket, whatever the Host header says', async () => {
  const target = `http://${bucketHost(Bucket)}/absolute/key?`;
  // The target's authority is the host, for the signature too (RFC 9112 §3.2.2); the Host header is ignored.
  const signed = { host: bucketHost(Bucket), 'content-length': 13 };
  const request = `PUT ${target} HTTP/1.1\r\nhost: 127.0.0.1:${h.port}\r\ncontent-length: 13\r\nauthorization: ${authorization('PUT', '/absolute/key', signed)}\r\nconnection: close\r\n\r\nabsolute form`;
  const put = parseRawResponse(await socketExchange(h, request));
  assert.equal(put.status, 200);
  assertRequestId(put.headers);
  assert.equal(await body('absolute/key'), 'absolute form');

  // HTTP/1.0 without any Host header: the request line alone addresses the object.
  const get = `GET http://${bucketHost(Bucket)}/absolute/key HTTP/1.0\r\nauthorization: ${authorization('GET', '/absolute/key', { host: bucketHost(Bucket) })}\r\n\r\n`;
  const got = parseRawResponse(await socketExchange(h, get));
  assert.equal(got.status, 200);
  assert.equal(got.text, 'absolute form');
});

test('C009 C046 a request without Host (HTTP/1.0) is MissingHost 400', async () => {
  const res = parseRawResponse(await socketExchange(h, `GET /${Bucket}/k HTTP/1.0\r\n\r\n`));
  const err = assertCosError(res, 400, 'MissingHost');
  assert.equal(err.Resource, `/${Bucket}/k`);
});

test('C004 a host naming another region than the bucket\'s is NoSuchBucket', async () => {
  await h.cos.putObject({ ...at('regional'), Body: 'gz' });
  await sdkRejects(h.cos.getObject({ Bucket, Region: 'ap-beijing', Key: 'regional' }), 404, 'NoSuchBucket');
  await sdkRejects(h.cos.getBucket({ Bucket, Region: 'ap-beijing' }), 404, 'NoSuchBucket');
  const raw = await send(h, { host: `cos.ap-shanghai.myqcloud.com`, path: `/${Bucket}/regional` });
  assertCosError(raw, 404, 'NoSuchBucket');
});

test('C005 C083 an unknown sub-resource is NotImplemented 501, never a listing or an object', async () => {
  for (const path of ['/?notification', '/?guetzli', '/regional?torrent']) {
    const res = await sendToBucket(h, Bucket, { path });
    assertCosError(res, 501, 'NotImplemented');
  }
  // A known sub-resource with a method no rule has for it.
  assertCosError(await sendToBucket(h, Bucket, { method: 'POST', path: '/?location' }), 501, 'NotImplemented');
});

test('C073 an unknown method is MethodNotAllowed 405', async () => {
  assertCosError(await sendToBucket(h, Bucket, { method: 'PATCH', path: '/k', body: 'x' }), 405, 'MethodNotAllowed');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PATCH', path: '/' }), 405, 'MethodNotAllowed');
  assertCosError(await send(h, { method: 'DELETE', host: 'service.cos.myqcloud.com', path: '/' }), 405, 'MethodNotAllowed');
});

test('C010 C105 anonymous requests to a private bucket are AccessDenied', async () => {
  await h.cos.putObject({ ...at('private.txt'), Body: 'secret' });
  assertCosError(await sendToBucket(h, Bucket, { path: '/private.txt', sign: false }), 403, 'AccessDenied');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/anon.txt', body: 'x', sign: false }), 403, 'AccessDenied');
  const head = await sendToBucket(h, Bucket, { method: 'HEAD', path: '/private.txt', sign: false });
  assert.equal(head.status, 403);
  assert.equal(head.body.length, 0);
  await sdkRejects(h.cos.headObject(at('anon.txt')), 404);
});

test('C093 C094 a signature may cover a subset of headers and omit q-key-time; a changed signed header fails', async () => {
  // Only the host is signed; the metadata header travels unsigned.
  const subset = await sendToBucket(h, Bucket, {
    method: 'PUT',
    path: '/sig/subset',
    body: 'subset',
    headers: { 'x-cos-meta-unsigned': 'yes' },
    sign: { unsigned: ['x-cos-meta-unsigned', 'content-length'] },
  });
  assert.equal(subset.status, 200);
  assert.equal((await h.cos.headObject(at('sig/subset'))).headers?.['x-cos-meta-unsigned'], 'yes');

  const headers = { host: bucketHost(Bucket) };
  const noKeyTime = authorization('GET', '/sig/subset', headers).replace(/&q-key-time=[^&]*/, '');
  const got = await send(h, { path: '/sig/subset', host: headers.host, sign: false, headers: { authorization: noKeyTime } });
  assert.equal(got.status, 200);
  assert.equal(got.text, 'subset');

  // Signed for text/plain, sent as text/html.
  const signedFor = authorization('PUT', '/sig/changed', { ...headers, 'content-type': 'text/plain', 'content-length': 1 });
  const changed = await send(h, {
    method: 'PUT',
    path: '/sig/changed',
    host: headers.host,
    body: 'x',
    sign: false,
    headers: { 'content-type': 'text/html', authorization: signedFor },
  });
  assertCosError(changed, 403, 'SignatureDoesNotMatch');
  await sdkRejects(h.cos.headObject(at('sig/changed')), 404);
});

test('C095 signed query parameters: changing a signed parameter value fails', async () => {
  await h.cos.putObject({ ...at('q/a1'), Body: 'x' });
  const signed = authorization('GET', '/?prefix=q/', { host: bucketHost(Bucket) });
  const ok = await sendToBucket(h, Bucket, { path: '/?prefix=q/', sign: false, headers: { authorization: signed } });
  assert.equal(ok.status, 200);
  const tampered = await sendToBucket(h, Bucket, { path: '/?prefix=', sign: false, headers: { authorization: signed } });
  assertCosError(tampered, 403, 'SignatureDoesNotMatch');
});

/** GETs a URL the SDK made (its host names the bucket) from the harness's server, anonymously. */
function fetchSigned(url: string, method = 'GET', payload?: string): Promise<RawResponse> {
  const u = new URL(url);
  return send(h, { method, host: u.host, path: u.pathname + u.search, sign: false, body: payload });
}

test('C107 a pre-signed URL (getObjectUrl) reads the object without an Authorization header', async () => {
  await h.cos.putObject({ ...at('signed/file name.txt'), Body: 'pre-signed body' });
  const url = h.cos.getObjectUrl({ ...at('signed/file name.txt'), Sign: true }, () => undefined);
  assert.match(url, /q-signature=[0-9a-f]{40}/);
  const res = await fetchSigned(url);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.text, 'pre-signed body');
  assertRequestId(res.headers);

  // Signed query parameters travel with it (response-* overrides).
  const attachment = h.cos.getObjectUrl(
    { ...at('signed/file name.txt'), Sign: true, Query: { 'response-content-disposition': 'attachment' } },
    () => undefined,
  );
  const download = await fetchSigned(attachment);
  assert.equal(download.status, 200, download.text);
  assert.equal(download.headers['content-disposition'], 'attachment');

  // A pre-signed PUT uploads.
  const putUrl = h.cos.getObjectUrl({ ...at('signed/uploaded'), Sign: true, Method: 'PUT' }, () => undefined);
  const put = await fetchSigned(putUrl, 'PUT', 'uploaded by URL');
  assert.equal(put.status, 200, put.text);
  assert.equal(await body('signed/uploaded'), 'uploaded by URL');
});

test('C107 a pre-signed URL with another key is SignatureDoesNotMatch', async () => {
  await h.cos.putObject({ ...at('signed/mine'), Body: 'mine' });
  await h.cos.putObject({ ...at('signed/other'), Body: 'other' });
  const url = h.cos.getObjectUrl({ ...at('signed/mine'), Sign: true }, () => undefined);
  const tampered = url.replace('/signed/mine?', '/signed/other?');
  assert.notEqual(tampered, url);
  assertCosError(await fetchSigned(tampered), 403, 'SignatureDoesNotMatch');
  const withoutSignature = url.replace(/q-signature=[0-9a-f]+/, 'q-signature=' + '0'.repeat(40));
  assertCosError(await fetchSigned(withoutSignature), 403, 'SignatureDoesNotMatch');
});

test('C092 C107 a pre-signed URL expires: Expires 1, fetched 2.5 s later, is 403', async () => {
  await h.cos.putObject({ ...at('signed/short-lived'), Body: 'soon gone' });
  const url = h.cos.getObjectUrl({ ...at('signed/short-lived'), Sign: true, Expires: 1 }, () => undefined);
  await sleep(2500);
  const err = assertCosError(await fetchSigned(url), 403, 'AccessDenied');
  assert.equal(err.Message, 'Request has expired');
});
