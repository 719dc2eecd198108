import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointUrl, fillDomainTemplate, locationOf, normalizeProtocol, redirectToIp, serviceEndpoint } from './url.js';

const bucket = 'examplebucket-1250000000';

describe('endpointUrl', () => {
  test('the default virtual-hosted endpoint, key encoded as COS signs it with slashes kept', () => {
    assert.equal(
      endpointUrl({ protocol: 'https:', domain: '', bucket, region: 'ap-guangzhou', key: "dir/a b+(1)!*'.txt" }),
      'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b%2B%281%29%21%2A%27.txt',
    );
  });
  test('a bucket request ends in /', () => {
    assert.equal(endpointUrl({ protocol: 'http:', domain: '', bucket, region: 'ap-beijing' }), 'http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/');
  });
  test('legacy regions have no cos. label', () => {
    assert.equal(endpointUrl({ protocol: 'https:', domain: '', bucket, region: 'cn-north' }), 'https://examplebucket-1250000000.cn-north.myqcloud.com/');
  });
  test('Domain templates: {Bucket}, {BucketName}, {AppId}, {Region}, and the double-brace forms', () => {
    assert.equal(fillDomainTemplate('{Bucket}.cos.{Region}.example.com', bucket, 'ap-shanghai'), 'examplebucket-1250000000.cos.ap-shanghai.example.com');
    assert.equal(fillDomainTemplate('{BucketName}-{AppId}.{Region}.example.com', bucket, 'ap-shanghai'), 'examplebucket-1250000000.ap-shanghai.example.com');
    assert.equal(fillDomainTemplate('{{Bucket}}-{{AppId}}.cos.{{Region}}.example.com', bucket, 'ap-shanghai'), 'examplebucket-1250000000.cos.ap-shanghai.example.com');
    assert.equal(fillDomainTemplate('{Unknown}cdn.example.com', bucket, 'ap-shanghai'), 'cdn.example.com');
  });
  test('a Domain with its own protocol and a trailing slash', () => {
    assert.equal(endpointUrl({ protocol: 'https:', domain: 'http://cdn.example.com/', bucket, region: 'ap-guangzhou', key: 'k' }), 'http://cdn.example.com/k');
  });
  test('protocols without a colon', () => {
    assert.equal(normalizeProtocol('http', 'https:'), 'http:');
    assert.equal(normalizeProtocol(undefined, 'https:'), 'https:');
  });
  test('Location is the URL without protocol', () => {
    assert.equal(locationOf('https://b-1.cos.r.myqcloud.com/k'), 'b-1.cos.r.myqcloud.com/k');
  });
});

describe('serviceEndpoint', () => {
  test('default, by region, and ServiceDomain with templates', () => {
    assert.deepEqual(serviceEndpoint('https:', '', undefined, undefined), { url: 'https://service.cos.myqcloud.com', signHost: 'service.cos.myqcloud.com' });
    assert.deepEqual(serviceEndpoint('https:', '', 'ap-beijing', undefined), { url: 'https://cos.ap-beijing.myqcloud.com', signHost: 'cos.ap-beijing.myqcloud.com' });
    assert.deepEqual(serviceEndpoint('http:', 'svc.{{Region}}.example.com/', 'ap-beijing', undefined), { url: 'http://svc.ap-beijing.example.com', signHost: '' });
  });
});

describe('Ip', () => {
  test('sends to the address and keeps the Host', () => {
    assert.deepEqual(redirectToIp('http://b-1.cos.r.myqcloud.com/a?b=1', '127.0.0.1:8080'), { url: 'http://127.0.0.1:8080/a?b=1', host: 'b-1.cos.r.myqcloud.com' });
  });
});
