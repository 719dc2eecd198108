/**
 * Response headers as real clients read them (real clients items 2, 7, 8, 10): names spelled as COS
 * spells them (checked in the raw header names), x-cos-storage-class only for a class other than
 * STANDARD, a 304 framed with Content-Length: 0 and no body (checked on the socket's bytes), and a
 * Content-Type from the key's suffix when a PUT or an Initiate brings none.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { authorization, bucketHost, parseRawResponse, sendToBucket, socketExchange } from './raw.js';

let h: Harness;
const Bucket = bucketName('hdrname');

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

/** A signed request whose response keeps the header names exactly as they came over the wire. */
function rawNames(method: string, target: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; names: string[]; headers: Record<string, string> }> {
  const all: Record<string, string | number> = { host: bucketHost(Bucket), ...headers };
  if (body) all['content-length'] = body.length;
  all.authorization = authorization(method, target, all);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.port, method, path: target, headers: all, agent: false }, (res) => {
      const names: string[] = [];
      const values: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        names.push(res.rawHeaders[i]);
        values[res.rawHeaders[i]] = res.rawHeaders[i + 1];
      }
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, names, headers: values }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const CONTENT = {
  'content-type': 'text/html',
  'cache-control': 'max-age=60',
  'content-disposition': 'inline',
  'content-encoding': 'identity',
  'content-language': 'zh-CN',
  expires: 'Wed, 21 Oct 2037 07:28:00 GMT',
};

test('GET and HEAD spell every standard header as COS does, stored content headers included', async () => {
  const put = await rawNames('PUT', '/spelled.html', CONTENT, Buffer.from('<p>spelled</p>'));
  assert.equal(put.status, 200);
  assert.ok(put.names.includes('ETag'), put.names.join());
  assert.ok(put.names.includes('Content-Length'), put.names.join());
  for (const method of ['GET', 'HEAD']) {
    const res = await rawNames(method, '/spelled.html');
    assert.equal(res.status, 200);
    for (const name of ['Content-Type', 'Cache-Control', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Expires', 'ETag', 'Last-Modified', 'Content-Length', 'Accept-Ranges']) {
      assert.ok(res.names.includes(name), `${method} sends ${name}: ${res.names.join(', ')}`);
    }
    assert.equal(res.headers['Content-Type'], 'text/html');
    assert.equal(res.headers['Cache-Control'], 'max-age=60');
    // One of each: never a lower-case twin beside the spelled name.
    const lower = res.names.map((n) => n.toLowerCase());
    assert.equal(new Set(lower).size, lower.length, `no header twice: ${res.names.join(', ')}`);
  }
  const range = await rawNames('GET', '/spelled.html', { range: 'bytes=0-2' });
  assert.equal(range.status, 206);
  assert.ok(range.names.includes('Content-Range'), range.names.join());
  assert.equal(range.headers['Content-Range'], 'bytes 0-2/14');
});

test('response-* overrides come back spelled as COS does', async () => {
  const query = Object.entries({
    'response-content-type': 'application/json',
    'response-cache-control': 'no-cache',
    'response-content-disposition': 'attachment',
    'response-content-encoding': 'gzip',
    'response-content-language': 'en',
    'response-expires': 'Thu, 01 Jan 2037 00:00:00 GMT',
  })
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const res = await rawNames('GET', `/spelled.html?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['Content-Type'], 'application/json');
  assert.equal(res.headers['Cache-Control'], 'no-cache');
  assert.equal(res.headers['Content-Disposition'], 'attachment');
  assert.equal(res.headers['Content-Encoding'], 'gzip');
  assert.equal(res.headers['Content-Language'], 'en');
  assert.equal(res.headers.Expires, 'Thu, 01 Jan 2037 00:00:00 GMT');
});

test('x-cos-storage-class is sent only for objects that are not STANDARD', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'standard.txt', Body: 's' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'ia.txt', Body: 'i', StorageClass: 'STANDARD_IA' });
  for (const method of ['GET', 'HEAD']) {
    const standard = await sendToBucket(h, Bucket, { method, path: '/standard.txt' });
    assert.equal(standard.headers['x-cos-storage-class'], undefined, method);
    const ia = await sendToBucket(h, Bucket, { method, path: '/ia.txt' });
    assert.equal(ia.headers['x-cos-storage-class'], 'STANDARD_IA', method);
  }
});

test('a 304 is framed with Content-Length: 0 and carries no body (raw socket bytes)', async () => {
  const etag = (await sendToBucket(h, Bucket, { method: 'HEAD', path: '/spelled.html' })).headers.etag as string;
  const host = bucketHost(Bucket);
  for (const condition of [`if-none-match: ${etag}`, `if-modified-since: ${new Date(Date.now() + 60_000).toUTCString()}`]) {
    const [name, value] = [condition.slice(0, condition.indexOf(':')), condition.slice(condition.indexOf(':') + 2)];
    const auth = authorization('GET', '/spelled.html', { host, [name]: value });
    // Two requests on one connection: the second is answered only if the first was framed right.
    const one = `GET /spelled.html HTTP/1.1\r\nhost: ${host}\r\n${name}: ${value}\r\nauthorization: ${auth}\r\n\r\n`;
    const two = `GET /spelled.html HTTP/1.1\r\nhost: ${host}\r\nauthorization: ${authorization('GET', '/spelled.html', { host })}\r\nconnection: close\r\n\r\n`;
    const raw = await socketExchange(h, one + two);
    const split = raw.indexOf('HTTP/1.1 200');
    assert.ok(split > 0, `a second response follows: ${raw}`);
    const first = raw.slice(0, split);
    assert.match(first, /^HTTP\/1\.1 304 /);
    assert.match(first, /\r\nContent-Length: 0\r\n/);
    assert.ok(first.endsWith('\r\n\r\n'), 'nothing after the head');
    assert.doesNotMatch(first, /Transfer-Encoding/i);
    assert.equal(parseRawResponse(raw.slice(split)).text, '<p>spelled</p>');
  }
});

test('PUT Object and Initiate Multipart without a Content-Type take one from the key suffix', async () => {
  const cases: Record<string, string> = {
    '1.zip': 'application/zip',
    'a.txt': 'text/plain',
    'dir.v2/photo.JPG': 'image/jpeg',
    'page.html': 'text/html',
    noext: 'application/octet-stream',
    'dir.d/noext': 'application/octet-stream',
    'x.unknownsuffix': 'application/octet-stream',
  };
  for (const [key, type] of Object.entries(cases)) {
    const put = await rawNames('PUT', `/suffix/${key}`, {}, Buffer.from('bytes'));
    assert.equal(put.status, 200);
    const head = await rawNames('HEAD', `/suffix/${key}`);
    assert.equal(head.headers['Content-Type'], type, key);
  }
  // A Content-Type given wins over the suffix.
  await rawNames('PUT', '/suffix/given.zip', { 'content-type': 'text/x-given' }, Buffer.from('z'));
  assert.equal((await rawNames('HEAD', '/suffix/given.zip')).headers['Content-Type'], 'text/x-given');

  const init = await sendToBucket(h, Bucket, { method: 'POST', path: '/suffix/movie.mp4?uploads' });
  assert.equal(init.status, 200, init.text);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1];
  const part = await sendToBucket(h, Bucket, { method: 'PUT', path: `/suffix/movie.mp4?partNumber=1&uploadId=${uploadId}`, body: Buffer.from('frames') });
  assert.equal(part.status, 200, part.text);
  const done = await sendToBucket(h, Bucket, {
    method: 'POST',
    path: `/suffix/movie.mp4?uploadId=${uploadId}`,
    body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.headers.etag}</ETag></Part></CompleteMultipartUpload>`,
  });
  assert.equal(done.status, 200, done.text);
  assert.equal((await rawNames('HEAD', '/suffix/movie.mp4')).headers['Content-Type'], 'video/mp4');
});
