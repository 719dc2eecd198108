import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CosSdkError } from './errors.js';
import { resolveOptions } from './options.js';
import { checkParams, requestHeaders } from './params.js';

describe('requestHeaders', () => {
  test('named params become headers, x-cos-* params pass as they are, on top of Headers', () => {
    const headers = requestHeaders({
      Bucket: 'b-1',
      Region: 'r',
      Key: 'k',
      Headers: { 'x-cos-traffic-limit': 819200, 'Content-Type': 'will be replaced' },
      ContentType: 'text/plain',
      CacheControl: 'no-cache',
      ContentDisposition: 'inline',
      ContentEncoding: 'gzip',
      ContentLength: 5,
      Expires: 'never',
      ACL: 'private',
      GrantRead: 'id="1"',
      GrantFullControl: 'id="2"',
      StorageClass: 'STANDARD_IA',
      IfModifiedSince: 'then',
      IfNoneMatch: '"e"',
      Range: 'bytes=0-1',
      CopySource: 'b-1.cos.r.myqcloud.com/k',
      CopySourceRange: 'bytes=0-9',
      MetadataDirective: 'Replaced',
      CopySourceIfMatch: '"e"',
      'x-cos-meta-a': '1',
      Prefix: 'not a header',
      Unset: undefined,
    } as never);
    assert.deepEqual(headers, {
      'x-cos-traffic-limit': 819200,
      'Content-Type': 'text/plain',
      'x-cos-meta-a': '1',
      'Content-Length': 5,
      Expires: 'never',
      'Cache-Control': 'no-cache',
      'Content-Disposition': 'inline',
      'Content-Encoding': 'gzip',
      Range: 'bytes=0-1',
      'If-Modified-Since': 'then',
      'If-None-Match': '"e"',
      'x-cos-copy-source': 'b-1.cos.r.myqcloud.com/k',
      'x-cos-copy-source-Range': 'bytes=0-9',
      'x-cos-metadata-directive': 'Replaced',
      'x-cos-copy-source-If-Match': '"e"',
      'x-cos-acl': 'private',
      'x-cos-grant-read': 'id="1"',
      'x-cos-grant-full-control': 'id="2"',
      'x-cos-storage-class': 'STANDARD_IA',
    });
  });
});

describe('checkParams', () => {
  const options = resolveOptions({});
  const fails = (fn: () => unknown, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof CosSdkError && e.code === 'Error' && e.message === message);

  test('required Bucket, Region and (for objects) Key', () => {
    fails(() => checkParams('bucket', { Region: 'ap-guangzhou' }, options), 'missing param Bucket');
    fails(() => checkParams('bucket', { Bucket: 'b-1250000000' }, options), 'missing param Region');
    fails(() => checkParams('object', { Bucket: 'b-1250000000', Region: 'ap-guangzhou' }, options), 'missing param Key');
    assert.doesNotThrow(() => checkParams('service', {}, options));
  });
  test('formats of Region and Bucket', () => {
    fails(() => checkParams('bucket', { Bucket: 'b-1250000000', Region: 'cos.ap-guangzhou' }, options), 'param Region should not be start with "cos."');
    fails(() => checkParams('bucket', { Bucket: 'b-1250000000', Region: 'AP_X' }, options), 'Region format error.');
    fails(() => checkParams('bucket', { Bucket: 'b', Region: 'ap-guangzhou' }, options), 'Bucket should format as "test-1250000000".');
  });
  test('a Bucket without AppId takes the AppId param or option', () => {
    assert.equal(checkParams('bucket', { Bucket: 'b', Region: 'r-1', AppId: '125' }, options).Bucket, 'b-125');
    assert.equal(checkParams('bucket', { Bucket: 'b', Region: 'r-1' }, resolveOptions({ AppId: '126' })).Bucket, 'b-126');
  });
  test('a leading slash of Key is dropped unless UseRawKey', () => {
    assert.equal(checkParams('object', { Bucket: 'b-1', Region: 'r-1', Key: '/a/b' }, options).Key, 'a/b');
    assert.equal(checkParams('object', { Bucket: 'b-1', Region: 'r-1', Key: '/a/b' }, resolveOptions({ UseRawKey: true })).Key, '/a/b');
  });
});
