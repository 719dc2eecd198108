import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalRequest,
  chunkStringToSign,
  EMPTY_SHA256,
  parseCredential,
  parseV4Authorization,
  parseV4Query,
  presignV4,
  signatureOf,
  signingKey,
  signV4,
  STREAMING_SIGNED,
  stringToSign,
  uriEncode,
  verifyV4,
} from './aws-v4.js';
import { toHex } from './hash.js';
import { testCrypto as crypto } from './test-crypto.js';

// The example credentials of AWS's SigV4 documentation (S3's pages write the secret with a `/`).
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const S3_AKID = 'AKIAIOSFODNN7EXAMPLE';
const DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const KEY = () => signingKey(crypto, S3_SECRET, { date: '20130524', region: 'us-east-1', service: 's3' });

function sig(input: { method: string; uri: string; query?: Array<[string, string]>; headers: Record<string, string>; payload: string }): string {
  const names = Object.keys(input.headers).sort();
  const canonical = canonicalRequest({ method: input.method, canonicalUri: input.uri, query: input.query ?? [], signedHeaders: names, headerValue: (n) => input.headers[n], payloadHash: input.payload });
  return signatureOf(crypto, KEY(), stringToSign(crypto, DATE, SCOPE, canonical));
}

test('the signing key of the SigV4 documentation (iam, 20120215)', () => {
  const key = signingKey(crypto, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', { date: '20120215', region: 'us-east-1', service: 'iam' });
  assert.equal(toHex(key), 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
});

test('S3 documentation vector: GET Object with a Range', () => {
  const signature = sig({
    method: 'GET',
    uri: '/test.txt',
    headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': DATE },
    payload: EMPTY_SHA256,
  });
  assert.equal(signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
});

test('S3 documentation vector: GET Bucket lifecycle (an empty-valued sub-resource)', () => {
  const signature = sig({
    method: 'GET',
    uri: '/',
    query: [['lifecycle', '']],
    headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': DATE },
    payload: EMPTY_SHA256,
  });
  assert.equal(signature, 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
});

test('S3 documentation vector: GET Bucket with max-keys and prefix (sorted query)', () => {
  const signature = sig({
    method: 'GET',
    uri: '/',
    query: [['prefix', 'J'], ['max-keys', '2']],
    headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': DATE },
    payload: EMPTY_SHA256,
  });
  assert.equal(signature, '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
});

test('S3 documentation vector: PUT Object with a $ in the key, encoded once', () => {
  const payload = crypto.sha256Hex('Welcome to Amazon S3.');
  assert.equal(payload, '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  const signature = sig({
    method: 'PUT',
    uri: uriEncode('/test$file.text', true),
    headers: {
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': payload,
      'x-amz-date': DATE,
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    },
    payload,
  });
  assert.equal(signature, '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
});

test('S3 documentation vector: a pre-signed GET for 86400 seconds', () => {
  const query = presignV4(crypto, {
    accessKey: S3_AKID,
    secretKey: S3_SECRET,
    region: 'us-east-1',
    method: 'GET',
    pathname: '/test.txt',
    headers: { host: 'examplebucket.s3.amazonaws.com' },
    now: Date.UTC(2013, 4, 24),
    expires: 86400,
  });
  assert.equal(Object.fromEntries(query)['X-Amz-Signature'], 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
});

test('S3 documentation vector: the seed and chunk signatures of an aws-chunked upload', () => {
  const seed = sig({
    method: 'PUT',
    uri: '/examplebucket/chunkObject.txt',
    headers: {
      'content-encoding': 'aws-chunked',
      'content-length': '66824',
      host: 's3.amazonaws.com',
      'x-amz-content-sha256': STREAMING_SIGNED,
      'x-amz-date': DATE,
      'x-amz-decoded-content-length': '66560',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    },
    payload: STREAMING_SIGNED,
  });
  assert.equal(seed, '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
  const chunk = (previous: string, data: string) => signatureOf(crypto, KEY(), chunkStringToSign(DATE, SCOPE, previous, crypto.sha256Hex(data)));
  const first = chunk(seed, 'a'.repeat(65536));
  assert.equal(first, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
  const second = chunk(first, 'a'.repeat(1024));
  assert.equal(second, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497');
  assert.equal(chunk(second, ''), 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');
});

test('uriEncode encodes everything but unreserved characters, once', () => {
  assert.equal(uriEncode("a b/c+d!'()*~._-é"), "a%20b%2Fc%2Bd%21%27%28%29%2A~._-%C3%A9");
  assert.equal(uriEncode('/a b/%41', true), '/a%20b/%2541');
});

test('parses the Authorization header and the pre-signed query', () => {
  const parsed = parseV4Authorization(`AWS4-HMAC-SHA256 Credential=${S3_AKID}/${SCOPE},SignedHeaders=host;x-amz-date;Range, Signature=${'A'.repeat(64)}`);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.signedHeaders, ['host', 'range', 'x-amz-date']);
  assert.equal(parsed.value.signature, 'a'.repeat(64));
  assert.equal(parsed.value.credential.region, 'us-east-1');
  assert.equal(parseV4Authorization('AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=' + 'a'.repeat(64)).ok, false);
  assert.equal(parseV4Authorization('AWS4-HMAC-SHA1 Credential=x').ok, false);
  assert.equal(parseCredential('a/b/20130524/us-east-1/s3/aws4_request'), undefined);
  const q = new Map([
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${S3_AKID}/${SCOPE}`],
    ['X-Amz-Date', DATE],
    ['X-Amz-Expires', '604801'],
    ['X-Amz-SignedHeaders', 'host'],
    ['X-Amz-Signature', 'b'.repeat(64)],
  ]);
  const tooLong = parseV4Query((n) => q.get(n));
  assert.ok(!tooLong.ok && /less than a week/.test(tooLong.reason));
  q.set('X-Amz-Expires', '604800');
  assert.ok(parseV4Query((n) => q.get(n)).ok);
});

test('sign and verify share the canonical request: a round trip, and any change breaks it', () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const signed = signV4(crypto, {
    accessKey: 'AKIDcosbox',
    secretKey: 'secret',
    region: 'ap-guangzhou',
    method: 'PUT',
    pathname: '/photos-1250000000/a b+c/ü.txt',
    query: [['uploadId', 'x y'], ['partNumber', '2']],
    headers: { host: '127.0.0.1:9000', 'x-amz-acl': 'private', 'x-amz-meta-a': '  two   spaces ' },
    now,
    payloadHash: EMPTY_SHA256,
  });
  const parsed = parseV4Authorization(signed.headers.authorization);
  assert.ok(parsed.ok);
  const verify = (changes: { uri?: string; rawQuery?: string; header?: [string, string]; method?: string }) =>
    verifyV4(crypto, parsed.value, 'secret', {
      method: changes.method ?? 'PUT',
      canonicalUris: [changes.uri ?? '/photos-1250000000/a%20b%2Bc/%C3%BC.txt'],
      rawQuery: changes.rawQuery ?? 'partNumber=2&uploadId=x%20y',
      headerValue: (n) => (changes.header?.[0] === n ? changes.header[1] : signed.headers[n]),
      date: signed.headers['x-amz-date'],
      payloadHash: EMPTY_SHA256,
    });
  assert.ok(verify({}));
  assert.ok(verify({ rawQuery: 'uploadId=x+y&partNumber=2' }), 'a space written as + is the same value');
  assert.equal(verify({ method: 'POST' }), undefined);
  assert.equal(verify({ uri: '/photos-1250000000/a%20b%2Bc/other.txt' }), undefined);
  assert.equal(verify({ rawQuery: 'partNumber=3&uploadId=x%20y' }), undefined);
  assert.equal(verify({ rawQuery: 'partNumber=2&uploadId=x%20y&acl' }), undefined);
  assert.equal(verify({ header: ['x-amz-acl', 'public-read'] }), undefined);
  assert.ok(verify({ header: ['x-amz-meta-a', 'two spaces'] }), 'values are trimmed and inner spaces collapsed');
});
