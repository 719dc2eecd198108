import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { parseAddress, parseQuery } from './address.js';
import { route, SUBRESOURCES } from './route.js';

const BUCKET_HOST = 'b-1250000000.cos.ap-guangzhou.myqcloud.com';

function op(method: string, target: string, headers: string[] = [], host = BUCKET_HOST): string {
  const address = parseAddress(host, target);
  try {
    return route(method, address, parseQuery(address.rawQuery), (h) => headers.includes(h));
  } catch (e) {
    return e instanceof CosError ? `${e.code}` : String(e);
  }
}

test('C005 operations by method, target and sub-resource', () => {
  assert.equal(op('GET', '/', [], 'service.cos.myqcloud.com'), 'GetService');
  assert.equal(op('GET', '/'), 'ListObjects');
  assert.equal(op('GET', '/?prefix=a&max-keys=2'), 'ListObjects');
  assert.equal(op('GET', '/?location'), 'GetBucketLocation');
  assert.equal(op('GET', '/?uploads'), 'ListMultipartUploads');
  assert.equal(op('PUT', '/'), 'PutBucket');
  assert.equal(op('HEAD', '/'), 'HeadBucket');
  assert.equal(op('DELETE', '/'), 'DeleteBucket');
  assert.equal(op('POST', '/?delete'), 'DeleteMultipleObjects');
  assert.equal(op('GET', '/k'), 'GetObject');
  assert.equal(op('GET', '/k?versionId=null&response-content-type=x'), 'GetObject');
  assert.equal(op('HEAD', '/k'), 'HeadObject');
  assert.equal(op('PUT', '/k'), 'PutObject');
  assert.equal(op('PUT', '/k', ['x-cos-copy-source']), 'PutObjectCopy');
  assert.equal(op('DELETE', '/k'), 'DeleteObject');
  assert.equal(op('PUT', '/k?partNumber=1&uploadId=u'), 'UploadPart');
  assert.equal(op('PUT', '/k?partNumber=1&uploadId=u', ['x-cos-copy-source']), 'UploadPartCopy');
  assert.equal(op('GET', '/k?uploadId=u'), 'ListParts');
  assert.equal(op('POST', '/k?uploads'), 'InitiateMultipartUpload');
  assert.equal(op('POST', '/k?uploadId=u'), 'CompleteMultipartUpload');
  assert.equal(op('DELETE', '/k?uploadId=u'), 'AbortMultipartUpload');
  assert.equal(op('POST', '/k?append&position=0'), 'AppendObject');
  assert.equal(op('PUT', '/k?symlink', ['x-cos-symlink-target']), 'PutSymlink');
  assert.equal(op('GET', '/k?symlink&versionId=v'), 'GetSymlink');
  assert.equal(op('OPTIONS', '/k'), 'OptionsObject');
  assert.equal(op('OPTIONS', '/?uploads&prefix=a'), 'OptionsObject');
  assert.equal(op('OPTIONS', '/k?partNumber=1&uploadId=u'), 'OptionsObject');
});

test('unknown APIs: NotImplemented or MethodNotAllowed, never a 404', () => {
  assert.equal(op('GET', '/?notification'), 'NotImplemented');
  assert.equal(op('PUT', '/k?select'), 'NotImplemented');
  assert.equal(op('PATCH', '/k'), 'MethodNotAllowed');
  assert.equal(op('PUT', '/', [], 'service.cos.myqcloud.com'), 'MethodNotAllowed');
  assert.equal(op('GET', '/?acl', [], 'service.cos.myqcloud.com'), 'NotImplemented');
});

test('the issue\'s silent fall-throughs answer NotImplemented', () => {
  assert.equal(op('PUT', '/chan?live'), 'NotImplemented');
  assert.equal(op('GET', '/?intelligent-tiering'), 'NotImplemented');
  assert.equal(op('PUT', '/?intelligent-tiering&id=default'), 'NotImplemented');
  assert.equal(op('PUT', '/?inventory&id=list1'), 'PutBucketInventory');
  assert.equal(op('GET', '/?inventory&id=list1'), 'GetBucketInventory');
  assert.equal(op('GET', '/?inventory'), 'ListBucketInventory');
  assert.equal(op('POST', '/k?select&select-type=2'), 'NotImplemented');
  assert.equal(op('GET', '/k?ci-process=ImageInfo'), 'NotImplemented');
  assert.equal(op('GET', '/k?imageMogr2/thumbnail/!50p'), 'NotImplemented');
  assert.equal(op('POST', '/chan?vodplaylist&starttime=1&endtime=2'), 'NotImplemented');
  assert.equal(op('GET', '/?symlink'), 'NotImplemented', 'a served sub-resource on the wrong target');
  assert.equal(op('GET', '/k?v=1&t=abc'), 'GetObject', 'other parameters still qualify a plain read');
});

test('SUBRESOURCES: no name, in any case, with any method, routes to a plain object or bucket operation', () => {
  const plain = new Set(['GetObject', 'HeadObject', 'PutObject', 'PutObjectCopy', 'DeleteObject', 'ListObjects', 'HeadBucket', 'PutBucket', 'DeleteBucket', 'PostObject']);
  for (const name of SUBRESOURCES) {
    assert.equal(name, name.toLowerCase(), 'names are kept lower-case, as parseQuery gives them');
    for (const method of ['GET', 'HEAD', 'PUT', 'POST', 'DELETE']) {
      for (const target of [`/?${name}`, `/k?${name}`, `/k?${name.toUpperCase()}=x&prefix=a`]) {
        const result = op(method, target, ['x-cos-copy-source']);
        assert.ok(!plain.has(result), `${method} ${target} -> ${result}`);
      }
    }
  }
});

test("S3's requests reach the same operations: ListObjectsV2 is ListObjects, ?attributes is GetObjectAttributes", () => {
  const s3 = 'b-1250000000.s3.ap-guangzhou.amazonaws.com';
  assert.equal(op('GET', '/?list-type=2&continuation-token=x&x-id=ListObjectsV2', [], s3), 'ListObjects');
  assert.equal(op('POST', '/?delete', [], s3), 'DeleteMultipleObjects');
  // The pipeline renames x-amz-copy-source to x-cos-copy-source before routing.
  assert.equal(op('PUT', '/k?partNumber=2&uploadId=u', ['x-cos-copy-source'], s3), 'UploadPartCopy');
  assert.equal(op('GET', '/k?attributes', [], s3), 'GetObjectAttributes');
});
