import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAmzHeaders, canonicalResource, parseV2Authorization, signV2, v2StringToSign } from './aws-v2.js';
import { testCrypto as crypto } from './test-crypto.js';

// The example credentials and requests of S3's Signature V2 documentation.
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

test('S3 documentation vector: GET Object (virtual-hosted johnsmith, resource /johnsmith/photos/puppy.jpg)', () => {
  const toSign = v2StringToSign({ method: 'GET', dateOrExpires: 'Tue, 27 Mar 2007 19:36:42 +0000', amzHeaders: [], resource: canonicalResource('/johnsmith/photos/puppy.jpg', []) });
  assert.equal(signV2(crypto, SECRET, toSign), 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=');
});

test('S3 documentation vector: PUT Object with a Content-Type', () => {
  const toSign = v2StringToSign({ method: 'PUT', contentType: 'image/jpeg', dateOrExpires: 'Tue, 27 Mar 2007 21:15:45 +0000', amzHeaders: [], resource: '/johnsmith/photos/puppy.jpg' });
  assert.equal(signV2(crypto, SECRET, toSign), 'MyyxeRY7whkBe+bq8fHCL/2kKUg=');
});

test('S3 documentation vector: GET Bucket with list parameters, which are no sub-resources', () => {
  const resource = canonicalResource('/johnsmith/', [['prefix', 'photos'], ['max-keys', '50'], ['marker', 'puppy']]);
  assert.equal(resource, '/johnsmith/');
  const toSign = v2StringToSign({ method: 'GET', dateOrExpires: 'Tue, 27 Mar 2007 19:42:41 +0000', amzHeaders: [], resource });
  assert.equal(signV2(crypto, SECRET, toSign), 'htDYFYduRNen8P9ZfE/s9SuKy0U=');
});

test('S3 documentation vector: GET Bucket acl, a sub-resource', () => {
  const resource = canonicalResource('/johnsmith/', [['acl', '']]);
  assert.equal(resource, '/johnsmith/?acl');
  const toSign = v2StringToSign({ method: 'GET', dateOrExpires: 'Tue, 27 Mar 2007 19:44:46 +0000', amzHeaders: [], resource });
  assert.equal(signV2(crypto, SECRET, toSign), 'c2WLPFtWHVgbEmeEG93a4cG37dM=');
});

test('amz headers are lower-cased, sorted, merged and unfolded; sub-resources sorted with values', () => {
  assert.equal(
    canonicalAmzHeaders([['X-Amz-Meta-B', ' two\r\n  lines '], ['x-amz-acl', 'public-read'], ['content-type', 'x'], ['x-amz-meta-b', 'again']]),
    'x-amz-acl:public-read\nx-amz-meta-b:two lines,again\n',
  );
  assert.equal(canonicalResource('/b/k', [['uploadId', 'u1'], ['partNumber', '2'], ['foo', 'bar'], ['uploadid', 'lower']]), '/b/k?partNumber=2&uploadId=u1');
});

test('parses `AWS AKID:signature`', () => {
  assert.deepEqual(parseV2Authorization('AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU='), { accessKey: 'AKIAIOSFODNN7EXAMPLE', signature: 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=' });
  assert.equal(parseV2Authorization('AWS4-HMAC-SHA256 Credential=x'), undefined);
  assert.equal(parseV2Authorization('AWS nocolon'), undefined);
});
