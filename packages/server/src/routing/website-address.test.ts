import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { boundDomainAddress, bucketFromHost, mayBeCustomDomain, parseAddress, websitePathAddress } from './address.js';

test('the website host <bucket>.cos-website.<region>.<domain> addresses the bucket\'s website', () => {
  assert.deepEqual(bucketFromHost('site-1250000000.cos-website.ap-guangzhou.myqcloud.com'), { bucket: 'site-1250000000', region: 'ap-guangzhou', website: true });
  const a = parseAddress('site-1250000000.cos-website.ap-guangzhou.myqcloud.com', '/docs/');
  assert.deepEqual([a.kind, a.bucket, a.key, a.website], ['object', 'site-1250000000', 'docs/', true]);
  assert.throws(() => bucketFromHost('Not_A_Bucket.cos-website.ap-guangzhou.myqcloud.com'), (e: unknown) => e instanceof CosError && e.code === 'InvalidBucketName');
  // The REST host is no website.
  assert.equal(parseAddress('site-1250000000.cos.ap-guangzhou.myqcloud.com', '/').website, undefined);
});

test('the loopback website path form /-/website/<bucket>/<key>', () => {
  const a = websitePathAddress(parseAddress('127.0.0.1:9000', '/-/website/site-1250000000/a%20b/index.html'));
  assert.deepEqual([a?.kind, a?.bucket, a?.key, a?.website], ['object', 'site-1250000000', 'a b/index.html', true]);
  const root = websitePathAddress(parseAddress('127.0.0.1:9000', '/-/website/site-1250000000'));
  assert.deepEqual([root?.kind, root?.bucket, root?.key], ['bucket', 'site-1250000000', undefined]);
  assert.equal(websitePathAddress(parseAddress('127.0.0.1:9000', '/-/console/')), undefined);
  assert.equal(websitePathAddress(parseAddress('127.0.0.1:9000', '/b-1250000000/-/website/x')), undefined);
  assert.throws(() => websitePathAddress(parseAddress('127.0.0.1:9000', '/-/website/..%2F/x')), (e: unknown) => e instanceof CosError && e.code === 'InvalidBucketName');
});

test('custom domains: which hosts may be one, and the address on a bound one', () => {
  assert.ok(mayBeCustomDomain('static.example.com'));
  assert.ok(mayBeCustomDomain('static.example.com:8080'));
  assert.ok(!mayBeCustomDomain('127.0.0.1:9000'));
  assert.ok(!mayBeCustomDomain('localhost'));
  assert.ok(!mayBeCustomDomain('[::1]:9000'));
  const path = parseAddress('static.example.com', '/dir/file.txt');
  const a = boundDomainAddress(path, 'b-1250000000', false);
  assert.deepEqual([a.kind, a.bucket, a.key, a.pathname, a.virtualPathname, a.website], ['object', 'b-1250000000', 'dir/file.txt', '/dir/file.txt', '/dir/file.txt', false]);
  assert.equal(boundDomainAddress(parseAddress('static.example.com', '/?acl'), 'b-1250000000', false).kind, 'bucket');
});
