import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  camSafeUrlEncode,
  canonicalPairs,
  computeSignature,
  httpString,
  parseAuthorization,
  parseSignTime,
  sign,
  signedName,
  signKeyOf,
  verifySignature,
} from './signature.js';
import { testCrypto } from './test-crypto.js';

// The worked examples of seed 004 with the corrected key (FEATURES §1.6.4: the seed prints ...VHIz).
const SECRET_KEY = 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz';
const TIME = '1417773892;1417853898';
const HOST = 'bucket1-1254000000.cos.ap-beijing.myqcloud.com';

test('C096 SignKey of the 004 key time', () => {
  assert.equal(signKeyOf(testCrypto, SECRET_KEY, TIME), 'd265642cf75792e70e35030fd14e73134094d673');
});

test('C102 vector A: PUT /testfile2 with x-cos-content-sha1 and storage class', () => {
  const headers = canonicalPairs([
    ['Host', HOST],
    ['x-cos-content-sha1', '7b502c3a1f48c8609ae212cdfb639dee39673f5e'],
    ['x-cos-storage-class', 'nearline'],
  ]);
  const http = httpString('PUT', '/testfile2', '', headers);
  assert.equal(http, `put\n/testfile2\n\nhost=${HOST}&x-cos-content-sha1=7b502c3a1f48c8609ae212cdfb639dee39673f5e&x-cos-storage-class=nearline\n`);
  assert.equal(testCrypto.sha1Hex(http), 'e139a157c8e880c7ee269ea2919bfc6171b5e7dd');
  assert.equal(computeSignature(testCrypto, SECRET_KEY, TIME, TIME, http), '84f5be2187452d2fe276dbdca932143ef8161145');
});

test('C103 vector B: ranged GET, header value URL-encoded (bytes%3D0-3)', () => {
  const { fields, authorization } = sign(testCrypto, {
    secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q',
    secretKey: SECRET_KEY,
    method: 'GET',
    pathname: '/testfile',
    headers: { Host: HOST, Range: 'bytes=0-3' },
    signTime: TIME,
  });
  assert.equal(fields.signature, '4b6cbab14ce01381c29032423481ebffd514e8be');
  assert.equal(
    authorization,
    'q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1417773892;1417853898&q-key-time=1417773892;1417853898&q-header-list=host;range&q-url-param-list=&q-signature=4b6cbab14ce01381c29032423481ebffd514e8be',
  );
});

test('C104 vector C: GET /testfile?max-keys=20&prefix=abc', () => {
  const http = httpString('get', '/testfile', canonicalPairs([['prefix', 'abc'], ['max-keys', '20']]), canonicalPairs([['host', HOST]]));
  assert.equal(testCrypto.sha1Hex(http), '4d35c3edfefce41b50928e21ce4fa9228ae47598');
  assert.equal(computeSignature(testCrypto, SECRET_KEY, TIME, TIME, http), '356d04b7510084a7e9a92f8f582a79eb29ddb13f');
});

test('camSafeUrlEncode encodes what encodeURIComponent leaves alone', () => {
  assert.equal(camSafeUrlEncode("a b!'()*~/=中"), "a%20b%21%27%28%29%2A~%2F%3D%E4%B8%AD");
});

test('C089 C093 C095 parseAuthorization: any pair order, missing q-key-time, mixed-case lists', () => {
  const f = parseAuthorization(
    'q-url-param-list=partNumber;uploadId&q-signature=ABCDEF&q-ak=AKID&q-sign-algorithm=sha1&q-sign-time=1;2&q-header-list=Host',
  );
  assert.ok(f);
  assert.equal(f.keyTime, '1;2');
  assert.deepEqual(f.paramList, ['partnumber', 'uploadid']);
  assert.deepEqual(f.headerList, ['host']);
  assert.equal(f.signature, 'abcdef');
  assert.equal(parseAuthorization('q-sign-algorithm=sha1&q-ak=AKID'), undefined);
});

test('C094 empty header and parameter lists', () => {
  const f = parseAuthorization('q-sign-algorithm=sha1&q-ak=A&q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=00');
  assert.ok(f);
  assert.deepEqual(f.headerList, []);
  assert.deepEqual(f.paramList, []);
});

test('parseSignTime', () => {
  assert.deepEqual(parseSignTime('1480932292;1481012298'), { start: 1480932292, end: 1481012298 });
  assert.equal(parseSignTime('1480932292'), undefined);
  assert.equal(parseSignTime('a;b'), undefined);
});

test('verifySignature: signs and verifies the same request; a changed header or param fails', () => {
  const { fields } = sign(testCrypto, {
    secretId: 'AKID',
    secretKey: 'secret',
    method: 'PUT',
    pathname: '/a b/c+d',
    query: { partNumber: '1', uploadId: 'XyZ' },
    headers: { host: HOST, 'content-length': 5 },
    signTime: '100;200',
  });
  const query = new Map([['partnumber', '1'], ['uploadid', 'XyZ']]);
  const headers = new Map([['host', HOST], ['content-length', '5']]);
  const input = (q: Map<string, string>, h: Map<string, string>) => ({
    method: 'put',
    pathnames: ['/a b/c+d'],
    queryValue: (n: string) => q.get(n),
    headerValue: (n: string) => h.get(n),
  });
  assert.equal(verifySignature(testCrypto, fields, 'secret', input(query, headers)), true);
  assert.equal(verifySignature(testCrypto, fields, 'wrong', input(query, headers)), false);
  assert.equal(verifySignature(testCrypto, fields, 'secret', input(new Map([['partnumber', '2'], ['uploadid', 'XyZ']]), headers)), false);
  assert.equal(verifySignature(testCrypto, fields, 'secret', input(query, new Map([['host', 'other'], ['content-length', '5']]))), false);
});

test('FEATURES §5 #3: a client that lower-cased the parameter values still verifies', () => {
  const http = httpString('get', '/k', canonicalPairs([['uploadid', 'xyz']]), '');
  const signature = computeSignature(testCrypto, 'secret', '1;2', '1;2', http);
  const fields = { algorithm: 'sha1', secretId: 'A', signTime: '1;2', keyTime: '1;2', headerList: [], paramList: ['uploadid'], signature };
  const ok = verifySignature(testCrypto, fields, 'secret', {
    method: 'GET',
    pathnames: ['/k'],
    queryValue: () => 'XyZ',
    headerValue: () => undefined,
  });
  assert.equal(ok, true);
});

test('names listed encoded once (Python SDK, official JS SDKs) and unencoded both verify; values are looked up by decoded name', () => {
  const name = 'imageMogr2/thumbnail/!50p';
  const { fields } = sign(testCrypto, { secretId: 'A', secretKey: 'secret', method: 'GET', pathname: '/k', query: { [name]: '', 'a/b': 'c/d' }, signTime: '1;2' });
  assert.deepEqual(fields.paramList, ['a%2fb', 'imagemogr2%2fthumbnail%2f%2150p']);
  assert.deepEqual(signedName('imagemogr2%2fthumbnail%2f%2150p'), { lookup: 'imagemogr2/thumbnail/!50p', canonical: 'imagemogr2%2fthumbnail%2f%2150p' });
  assert.deepEqual(signedName('a/b'), { lookup: 'a/b', canonical: 'a%2fb' });
  assert.deepEqual(signedName('100%'), { lookup: '100%', canonical: '100%25' });
  const query = new Map([['imagemogr2/thumbnail/!50p', ''], ['a/b', 'c/d']]);
  const input = { method: 'GET', pathnames: ['/k'], queryValue: (n: string) => query.get(n), headerValue: () => undefined };
  assert.equal(verifySignature(testCrypto, fields, 'secret', input), true);
  assert.equal(verifySignature(testCrypto, { ...fields, paramList: ['a/b', 'imagemogr2/thumbnail/!50p'] }, 'secret', input), true);
  assert.equal(verifySignature(testCrypto, fields, 'secret', { ...input, queryValue: (n: string) => (n === 'a/b' ? 'other' : '') }), false);
});

test('parseAuthorization keeps values as written: a SecretId with a trailing space keeps it', () => {
  const f = parseAuthorization('q-sign-algorithm=sha1&q-ak=AKID &q-sign-time=1;2&q-key-time=1;2&q-header-list=&q-url-param-list=&q-signature=00');
  assert.equal(f?.secretId, 'AKID ');
});
