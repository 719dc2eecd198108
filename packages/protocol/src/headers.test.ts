import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from './errors.js';
import { contentMd5ToHex, evaluatePreconditions, extractUserMeta, parseRange, parseStorageClass } from './headers.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof CosError ? e.code : 'not a CosError';
  }
  return 'no error';
};

test('C161 C162 parseRange', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 });
  assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  assert.equal(parseRange(undefined, 100), undefined);
  assert.equal(parseRange('bytes=5-1', 100), undefined);
  assert.equal(parseRange('items=0-1', 100), undefined);
  assert.equal(code(() => parseRange('bytes=100-', 100)), 'InvalidRange');
  assert.equal(code(() => parseRange('bytes=0-0', 0)), 'InvalidRange');
});

test('C163-C166 evaluatePreconditions', () => {
  const etag = '"abc"';
  const t = Date.parse('Wed, 28 Oct 2015 20:30:00 GMT');
  assert.equal(evaluatePreconditions({}, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifMatch: '"abc"' }, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifMatch: 'abc' }, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifMatch: '"x", "abc"' }, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifMatch: '"x"' }, etag, t), 'failed');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"abc"' }, etag, t), 'not-modified');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '*' }, etag, t), 'not-modified');
  assert.equal(evaluatePreconditions({ ifModifiedSince: 'Wed, 28 Oct 2015 20:30:00 GMT' }, etag, t + 400), 'not-modified');
  assert.equal(evaluatePreconditions({ ifModifiedSince: 'Wed, 28 Oct 2015 20:29:59 GMT' }, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: 'Wed, 28 Oct 2015 20:29:59 GMT' }, etag, t), 'failed');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: 'not a date' }, etag, t), 'ok');
  // If-Match decides over If-Unmodified-Since, If-None-Match over If-Modified-Since (RFC 9110).
  assert.equal(evaluatePreconditions({ ifMatch: '"abc"', ifUnmodifiedSince: 'Wed, 28 Oct 2015 20:29:59 GMT' }, etag, t), 'ok');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"x"', ifModifiedSince: 'Wed, 28 Oct 2015 20:30:00 GMT' }, etag, t), 'ok');
});

test('C139 C140 extractUserMeta limits', () => {
  assert.deepEqual(extractUserMeta({ 'x-cos-meta-a': '1', 'content-type': 'x' }), { 'x-cos-meta-a': '1' });
  assert.equal(code(() => extractUserMeta({ 'x-cos-meta-a': 'v'.repeat(2048) })), 'MetadataTooLarge');
  assert.equal(code(() => extractUserMeta({ 'x-cos-meta-a': 'v'.repeat(4096) })), 'KeyTooLong');
  assert.doesNotThrow(() => extractUserMeta({ 'x-cos-meta-a': 'v'.repeat(2047) }));
});

test('C142-C144 parseStorageClass', () => {
  assert.equal(parseStorageClass(undefined), 'STANDARD');
  assert.equal(parseStorageClass('standard_ia'), 'STANDARD_IA');
  assert.equal(parseStorageClass('Nearline'), 'NEARLINE');
  assert.equal(parseStorageClass('DEEP_ARCHIVE'), 'DEEP_ARCHIVE');
  assert.equal(code(() => parseStorageClass('GLACIER')), 'NotSupportedStorageClass');
});

test('contentMd5ToHex', () => {
  assert.equal(contentMd5ToHex('1B2M2Y8AsgTpgAmY7PhCfg=='), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(contentMd5ToHex('not base64'), undefined);
  assert.equal(contentMd5ToHex('AAAA'), undefined);
});
