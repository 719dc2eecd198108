/**
 * Addressing: remote paths, and where requests go for each kind of endpoint. Real COS cannot be
 * reached from the tests, so the URL and Host the SDK would use are checked instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from './errors.js';
import { addressingFor, connect, cosOptions, parseRemote, signedUrlDomain } from './remote.js';

test('cos:// paths: bucket and key; bad ones are usage errors', () => {
  assert.deepEqual(parseRemote('cos://photos-1250000000/a/b.jpg'), { bucket: 'photos-1250000000', key: 'a/b.jpg' });
  assert.deepEqual(parseRemote('cos://photos-1250000000'), { bucket: 'photos-1250000000', key: '' });
  assert.deepEqual(parseRemote('cos://photos-1250000000/'), { bucket: 'photos-1250000000', key: '' });
  assert.deepEqual(parseRemote('cos://p-1/ spaced %2F key?#'), { bucket: 'p-1', key: ' spaced %2F key?#' });
  for (const bad of ['photos-1250000000/a', 'cos://Photos-1250000000/a', 'cos://photos/a', 'cos:///a', 's3://b-1/a']) {
    assert.throws(() => parseRemote(bad), UsageError, bad);
  }
});

test('no endpoint: real COS, https://<bucket>.cos.<region>.myqcloud.com, the Host signed is the bucket host', () => {
  const { cos, region } = connect({ region: 'ap-beijing', secretId: 'AKIDexample', secretKey: 'secret' });
  assert.equal(region, 'ap-beijing');
  const url = new URL(cos.getObjectUrl({ Bucket: 'photos-1250000000', Region: region, Key: 'a b/c.jpg' }));
  assert.equal(url.origin, 'https://photos-1250000000.cos.ap-beijing.myqcloud.com');
  assert.equal(url.pathname, '/a%20b/c.jpg');
  assert.equal(url.searchParams.get('q-header-list'), 'host');
  assert.equal(url.searchParams.get('q-ak'), 'AKIDexample');
  assert.throws(() => cosOptions({ secretId: 'a', secretKey: 'b' }), /no region/);
});

test('an endpoint on an address keeps the virtual-hosted Host (Ip); a host name is the bucket domain', () => {
  assert.deepEqual(addressingFor('http://127.0.0.1:9000'), { Protocol: 'http:', Ip: '127.0.0.1:9000' });
  assert.deepEqual(addressingFor('http://localhost:9000/'), { Protocol: 'http:', Ip: 'localhost:9000' });
  assert.deepEqual(addressingFor('http://[::1]:9000'), { Protocol: 'http:', Ip: '[::1]:9000' });
  assert.deepEqual(addressingFor('https://cos.ap-shanghai.myqcloud.com'), {
    Protocol: 'https:',
    Domain: '{Bucket}.cos.ap-shanghai.myqcloud.com',
    ServiceDomain: 'cos.ap-shanghai.myqcloud.com',
  });
  assert.deepEqual(addressingFor('cos.example.com:8443'), { Protocol: 'https:', Domain: '{Bucket}.cos.example.com:8443', ServiceDomain: 'cos.example.com:8443' });
  assert.deepEqual(addressingFor('http://{Bucket}.s3.example.com'), { Protocol: 'http:', Domain: '{Bucket}.s3.example.com' });
  for (const bad of ['ftp://x', 'http://127.0.0.1:9000/path', 'http://h?x=1', 'http://']) assert.throws(() => addressingFor(bad), UsageError, bad);

  const { cos } = connect({ endpoint: 'https://cos.ap-shanghai.myqcloud.com', region: 'ap-shanghai' });
  assert.equal(cos.getObjectUrl({ Bucket: 'b-1250000000', Region: 'ap-shanghai', Key: 'k', Sign: false }), 'https://b-1250000000.cos.ap-shanghai.myqcloud.com/k');
  const local = connect({ endpoint: 'http://127.0.0.1:9000' });
  assert.equal(local.region, 'ap-guangzhou', 'cosbox serves buckets without a region by its default one');
  assert.equal(local.cos.options.Ip, '127.0.0.1:9000');
  assert.equal(local.cos.options.Timeout, 120_000, 'a silent connection does not hang a command');
});

test('pre-signed URLs of an address endpoint are path-style on the address', () => {
  const local = connect({ endpoint: 'http://127.0.0.1:9000', secretId: 'id', secretKey: 'key' });
  const url = new URL(local.cos.getObjectUrl({ Bucket: 'b-1250000000', Region: local.region, Key: 'x/y', Domain: signedUrlDomain(local.addressing) }));
  assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:9000/b-1250000000/x/y');
  assert.equal(signedUrlDomain(addressingFor(undefined)), undefined);
});

test('both keys or neither', () => {
  assert.throws(() => cosOptions({ region: 'ap-guangzhou', secretId: 'only' }), /both a secret id and a secret key/);
  assert.equal(cosOptions({ region: 'ap-guangzhou' }).SecretId, undefined, 'anonymous');
});
