import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { bucketFromHost, parseAddress, parseQuery } from './address.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof CosError ? e.code : String(e);
  }
};

test('C001 C004 virtual-hosted bucket with region, on any domain', () => {
  for (const domain of ['myqcloud.com', 'localhost', 'example.internal']) {
    const a = parseAddress(`photos-1250000000.cos.ap-guangzhou.${domain}:9000`, '/a/b.jpg');
    assert.deepEqual([a.kind, a.bucket, a.region, a.key], ['object', 'photos-1250000000', 'ap-guangzhou', 'a/b.jpg'], domain);
  }
  assert.equal(parseAddress('photos-1250000000.cos.ap-guangzhou.myqcloud.com', '/').kind, 'bucket');
});

test('C003 legacy <bucket>.<region>.myqcloud.com and --domain', () => {
  assert.deepEqual(bucketFromHost('lelu06-1252400000.cn-north.myqcloud.com'), { bucket: 'lelu06-1252400000', region: 'cn-north' });
  assert.deepEqual(bucketFromHost('b-1250000000.storage.example.org', { domain: 'storage.example.org' }), { bucket: 'b-1250000000' });
  assert.equal(bucketFromHost('storage.example.org', { domain: 'storage.example.org' }), undefined);
});

test('C002 service host and hosts without a bucket', () => {
  assert.equal(parseAddress('service.cos.myqcloud.com', '/').kind, 'service');
  assert.equal(parseAddress('127.0.0.1:9000', '/').kind, 'service');
});

test('path style on a bare IP, localhost and cos.<region>.<domain>', () => {
  const a = parseAddress('127.0.0.1:9000', '/b-1250000000/dir/k%20x');
  assert.deepEqual([a.kind, a.bucket, a.key, a.pathname, a.virtualPathname], ['object', 'b-1250000000', 'dir/k x', '/b-1250000000/dir/k x', '/dir/k x']);
  assert.equal(parseAddress('[::1]:9000', '/b-1250000000').kind, 'bucket');
  assert.equal(parseAddress('localhost', '/b-1250000000/').kind, 'bucket');
  const r = parseAddress('cos.ap-beijing.myqcloud.com', '/b-1250000000/k');
  assert.deepEqual([r.bucket, r.region, r.key], ['b-1250000000', 'ap-beijing', 'k']);
});

test('absolute-form request line carries the host', () => {
  const a = parseAddress('proxy.local:3128', 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/k?acl');
  assert.deepEqual([a.kind, a.bucket, a.key, a.rawQuery], ['object', 'b-1250000000', 'k', 'acl']);
  assert.equal(parseAddress(undefined, 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com?uploads').kind, 'bucket');
});

test('the authority of an absolute-form target is the host (RFC 9112 §3.2.2), the Host header otherwise', () => {
  assert.equal(parseAddress('a-1250000000.cos.ap-guangzhou.myqcloud.com', 'http://b-1250000000.cos.ap-guangzhou.myqcloud.com/k').host, 'b-1250000000.cos.ap-guangzhou.myqcloud.com');
  assert.equal(parseAddress('127.0.0.1:9000', '/b-1250000000/k').host, '127.0.0.1:9000');
  assert.equal(code(() => parseAddress('x', 'http://user:pw@b-1250000000.cos.ap-guangzhou.myqcloud.com/k')), 'InvalidURI');
  assert.equal(code(() => parseAddress('x', 'http:///k')), 'MissingHost');
});

test('C009 missing Host', () => {
  assert.equal(code(() => parseAddress(undefined, '/k')), 'MissingHost');
  assert.equal(code(() => parseAddress('', '/k')), 'MissingHost');
});

test('keys are decoded once and kept byte-exact', () => {
  const host = 'b-1250000000.cos.ap-guangzhou.myqcloud.com';
  const cases: Array<[string, string]> = [
    ['/a+b', 'a+b'],
    ['/a%2Bb', 'a+b'],
    ['/100%25', '100%'],
    ['/q%3F%23', 'q?#'],
    ['/./../x', './../x'],
    ['/a//b/', 'a//b/'],
    ['//lead', '/lead'],
    ['/%E4%B8%AD%F0%9D%84%9E', '中𝄞'],
  ];
  for (const [path, key] of cases) assert.equal(parseAddress(host, path).key, key, path);
});

test('C006 key length: 850 bytes ok, 851 InvalidURI; malformed escapes InvalidURI', () => {
  const host = 'b-1250000000.cos.ap-guangzhou.myqcloud.com';
  assert.equal(parseAddress(host, '/' + 'k'.repeat(850)).key?.length, 850);
  assert.equal(code(() => parseAddress(host, '/' + 'k'.repeat(851))), 'InvalidURI');
  assert.equal(code(() => parseAddress(host, '/' + '中'.repeat(284))), 'InvalidURI'); // 852 bytes
  assert.equal(code(() => parseAddress(host, '/%E4%B8')), 'InvalidURI');
  assert.equal(code(() => parseAddress(host, '/%zz')), 'InvalidURI');
});

test('parseQuery: lower-case names, first wins, form decoding', () => {
  const q = parseQuery('uploadId=AbC&partNumber=2&prefix=a+b%2Fc&acl&uploadid=ignored');
  assert.equal(q.get('uploadid'), 'AbC');
  assert.equal(q.get('partnumber'), '2');
  assert.equal(q.get('prefix'), 'a b/c');
  assert.equal(q.get('acl'), '');
});

test('a bucket endpoint with an invalid bucket name is InvalidBucketName, not a path-style request', () => {
  for (const host of ['Bad_Name-1250000000.cos.ap-guangzhou.myqcloud.com', 'noappid.cos.ap-guangzhou.myqcloud.com:9000', '-lead-1250000000.cos.ap-guangzhou.localhost', 'trail--1250000000.cos.ap-beijing.myqcloud.com']) {
    assert.equal(code(() => parseAddress(host, '/k')), 'InvalidBucketName', host);
    assert.equal(code(() => parseAddress(host, '/')), 'InvalidBucketName', host);
  }
  // Hosts that name no bucket stay what they were.
  assert.equal(parseAddress('cos.ap-guangzhou.myqcloud.com', '/b-1250000000/k').bucket, 'b-1250000000');
  assert.equal(parseAddress('service.cos.myqcloud.com', '/').kind, 'service');
  assert.equal(parseAddress('Good-1250000000.cos.ap-guangzhou.myqcloud.com', '/').bucket, 'good-1250000000');
});

test('S3 hosts: <bucket>.s3.<region>.<domain>, <bucket>.s3.<domain>, path style on s3.<region>.<domain>', () => {
  for (const domain of ['amazonaws.com', 'localhost', 'example.internal']) {
    const a = parseAddress(`photos-1250000000.s3.ap-guangzhou.${domain}:9000`, '/a/b.jpg');
    assert.deepEqual([a.kind, a.bucket, a.region, a.key, a.s3Host], ['object', 'photos-1250000000', 'ap-guangzhou', 'a/b.jpg', true], domain);
    const b = parseAddress(`photos-1250000000.s3.${domain}`, '/');
    assert.deepEqual([b.kind, b.bucket, b.region, b.s3Host], ['bucket', 'photos-1250000000', undefined, true], domain);
  }
  const p = parseAddress('s3.ap-beijing.amazonaws.com', '/b-1250000000/k');
  assert.deepEqual([p.bucket, p.region, p.key, p.s3Host], ['b-1250000000', 'ap-beijing', 'k', true]);
  assert.equal(parseAddress('s3.amazonaws.com', '/').kind, 'service');
  assert.equal(code(() => parseAddress('photos.s3.ap-guangzhou.amazonaws.com', '/')), 'InvalidBucketName');
  // COS hosts are not S3 hosts.
  assert.equal(parseAddress('photos-1250000000.cos.ap-guangzhou.myqcloud.com', '/').s3Host, undefined);
});
