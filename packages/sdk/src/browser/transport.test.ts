import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserPlatform } from './platform.js';
import { parseHeaders } from './transport.js';

test('getAllResponseHeaders text becomes lower-case names, repeated ones joined', () => {
  assert.deepEqual(parseHeaders('ETag: "abc"\r\nx-cos-request-id: NjQ=\r\nX-Dup: a\r\nx-dup: b\r\nbroken line\r\n'), {
    etag: '"abc"',
    'x-cos-request-id': 'NjQ=',
    'x-dup': 'a, b',
  });
  assert.deepEqual(parseHeaders(''), {});
});

test("getObject's Body in browsers: a string by default, a Blob or an ArrayBuffer by DataType", async () => {
  const bytes = new TextEncoder().encode('对象 body');
  // A view into a larger buffer, as a transport may hand over.
  const framed = new Uint8Array([0, ...bytes, 0]).subarray(1, bytes.length + 1);
  assert.equal(browserPlatform.responseBody(framed, undefined, undefined), '对象 body');
  const buffer = browserPlatform.responseBody(framed, 'arraybuffer', undefined) as ArrayBuffer;
  assert.deepEqual(new Uint8Array(buffer), bytes);
  const blob = browserPlatform.responseBody(framed, 'blob', 'text/plain') as Blob;
  assert.equal(blob.type, 'text/plain');
  assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), bytes);
});

test('the browser platform signs with the pure-JS hashes (no node:crypto)', () => {
  assert.equal(browserPlatform.crypto.sha1Hex('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(browserPlatform.crypto.md5Base64(''), '1B2M2Y8AsgTpgAmY7PhCfg==');
  assert.equal(browserPlatform.setsContentLength, true);
});
