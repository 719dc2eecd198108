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
  // Values are header bytes: 682 three-byte characters are 2046 bytes, counted once.
  const wide = Buffer.from('中'.repeat(682)).toString('latin1');
  assert.doesNotThrow(() => extractUserMeta({ 'x-cos-meta-a': wide }));
  assert.equal(code(() => extractUserMeta({ 'x-cos-meta-a': wide + 'vv' })), 'MetadataTooLarge');
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

test('header values: control characters are InvalidArgument; text is stored as its UTF-8 bytes', async () => {
  const { checkHeaderValue, headerValueFromText, isHeaderName, isHeaderValue, spellHeader, textAsHeaderBytes } = await import('./headers.js');
  assert.equal(isHeaderValue('text/plain; charset=utf-8\tx'), true);
  assert.equal(isHeaderValue('caf\u00e9'), true, 'Latin-1 bytes are obs-text');
  for (const bad of ['a\r\nb', 'a\nb', 'a\rb', '\u0000', '\u007f', '\u001b', '中']) assert.equal(isHeaderValue(bad), false, JSON.stringify(bad));
  assert.equal(textAsHeaderBytes('plain'), 'plain');
  assert.equal(textAsHeaderBytes('中'), '\u00e4\u00b8\u00ad');
  assert.equal(textAsHeaderBytes('é'), '\u00c3\u00a9');
  assert.equal(headerValueFromText('报告', 'x'), Buffer.from('报告').toString('latin1'));
  assert.equal(code(() => headerValueFromText('a\r\nb', 'x')), 'InvalidArgument');
  assert.equal(code(() => checkHeaderValue('a\nb', 'x')), 'InvalidArgument');
  assert.equal(checkHeaderValue('ok', 'x'), 'ok');
  assert.equal(isHeaderName('x-cos-meta-a'), true);
  assert.equal(isHeaderName('x-cos-meta-a b'), false);
  assert.equal(isHeaderName('x-cos-meta-中'), false);
  assert.equal(spellHeader('content-type'), 'Content-Type');
  assert.equal(spellHeader('ETAG'), 'ETag');
  assert.equal(spellHeader('x-cos-meta-A'), 'x-cos-meta-A');
});
