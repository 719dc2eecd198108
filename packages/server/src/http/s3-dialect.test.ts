import assert from 'node:assert/strict';
import { test } from 'node:test';
import { s3ErrorOf } from '@cosbox/protocol';
import { parseAddress } from '../routing/address.js';
import { createHash } from 'node:crypto';
import { dialectOf, hasVerifiedChecksum, S3_NAMESPACE, s3RequestDocument, s3RequestHeaders, s3ResponseHeaders, s3ResponseXml } from './s3-dialect.js';

const PATH = parseAddress('127.0.0.1:9000', '/b-1250000000/k');

test('the dialect follows the signature: AWS V4/V2 speak S3, the COS q-sign COS; anonymous by its marks', () => {
  const d = (headers: Record<string, string>, query: Record<string, string> = {}, address = PATH) => dialectOf(headers, new Map(Object.entries(query)), address);
  assert.equal(d({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-guangzhou/s3/aws4_request, SignedHeaders=host, Signature=00' }), 's3');
  assert.equal(d({ authorization: 'AWS AKID:c2ln' }), 's3');
  // A COS signature with x-amz-* headers alongside is still COS.
  assert.equal(d({ authorization: 'q-sign-algorithm=sha1&q-ak=AKID&q-signature=00', 'x-amz-meta-a': '1' }), 'cos');
  assert.equal(d({}, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }), 's3');
  assert.equal(d({}, { awsaccesskeyid: 'AKID' }), 's3');
  assert.equal(d({}, { 'q-sign-algorithm': 'sha1' }), 'cos');
  assert.equal(d({}), 'cos');
  assert.equal(d({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), 's3');
  assert.equal(d({}, { 'list-type': '2' }), 's3');
  assert.equal(d({}, {}, parseAddress('b-1250000000.s3.localhost', '/')), 's3');
});

test('request headers: x-amz-* twins become x-cos-*, S3 directive values become COS values; others untouched', () => {
  const h = s3RequestHeaders({
    'x-amz-meta-color': 'blue',
    'x-amz-acl': 'public-read',
    'x-amz-grant-read': 'id="1"',
    'x-amz-copy-source': '/b-1250000000/src',
    'x-amz-copy-source-if-match': '"e"',
    'x-amz-metadata-directive': 'REPLACE',
    'x-amz-tagging-directive': 'COPY',
    'x-amz-server-side-encryption-customer-key': 'k',
    'x-amz-storage-class': 'GLACIER',
    'x-amz-date': '20260101T000000Z',
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    'content-type': 'text/plain',
  });
  assert.deepEqual({ ...h }, {
    'x-amz-date': '20260101T000000Z',
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    'content-type': 'text/plain',
    'x-cos-meta-color': 'blue',
    'x-cos-acl': 'public-read',
    'x-cos-grant-read': 'id="1"',
    'x-cos-copy-source': '/b-1250000000/src',
    'x-cos-copy-source-if-match': '"e"',
    'x-cos-metadata-directive': 'Replaced',
    'x-cos-tagging-directive': 'Copy',
    'x-cos-server-side-encryption-customer-key': 'k',
    'x-cos-storage-class': 'ARCHIVE',
  });
});

test('response headers and documents in S3 words', () => {
  assert.deepEqual(
    s3ResponseHeaders({ 'x-cos-version-id': 'v', 'x-cos-delete-marker': 'true', 'x-cos-storage-class': 'ARCHIVE', 'x-cos-meta-a': '1', 'x-cos-hash-crc64ecma': '9', ETag: '"e"' }),
    { 'x-amz-version-id': 'v', 'x-amz-delete-marker': 'true', 'x-amz-storage-class': 'GLACIER', 'x-amz-meta-a': '1', 'x-cos-hash-crc64ecma': '9', ETag: '"e"' },
  );
  assert.equal(
    s3ResponseXml('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Contents><StorageClass>ARCHIVE</StorageClass></Contents></ListBucketResult>'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NAMESPACE}"><Contents><StorageClass>GLACIER</StorageClass></Contents></ListBucketResult>`,
  );
  assert.equal(s3ResponseXml('<LocationConstraint>ap-guangzhou</LocationConstraint>'), `<LocationConstraint xmlns="${S3_NAMESPACE}">ap-guangzhou</LocationConstraint>`);
  assert.equal(s3ResponseXml('<Error><Code>x</Code></Error>'), '<Error><Code>x</Code></Error>');
  assert.match(s3ResponseXml('<Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee>'), /acs\.amazonaws\.com\/groups\/global\/AllUsers/);
  // The same text as data (a key, a tag) is left alone.
  const data = '<Tagging><TagSet><Tag><Key>k</Key><Value>http://cam.qcloud.com/groups/global/AllUsers</Value></Tag></TagSet></Tagging>';
  assert.match(s3ResponseXml(data), /<Value>http:\/\/cam\.qcloud\.com\/groups\/global\/AllUsers<\/Value>/);
});

test('S3 error codes and statuses come from the one table', () => {
  assert.deepEqual(s3ErrorOf('NoSuchKey'), { code: 'NoSuchKey', status: 404 });
  assert.deepEqual(s3ErrorOf('NoSuchVersion'), { code: 'NoSuchVersion', status: 404 });
  assert.deepEqual(s3ErrorOf('NoLifecycle'), { code: 'NoSuchLifecycleConfiguration', status: 404 });
  assert.deepEqual(s3ErrorOf('NotSupportedStorageClass'), { code: 'InvalidStorageClass', status: 400 });
  assert.deepEqual(s3ErrorOf('TooManyBucket'), { code: 'TooManyBuckets', status: 400 });
});

test('a verified x-amz-checksum stands in for Content-MD5; an unverified algorithm does not', () => {
  const h = (headers: Record<string, string>) => (name: string) => headers[name];
  assert.equal(hasVerifiedChecksum(h({ 'x-amz-checksum-crc32': 'AAAAAA==' })), true);
  assert.equal(hasVerifiedChecksum(h({ 'x-amz-trailer': 'x-amz-checksum-sha256' })), true);
  assert.equal(hasVerifiedChecksum(h({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' })), false);
  assert.equal(hasVerifiedChecksum(h({})), false);
});

test("request documents in COS's words; a Content-MD5 that holds for the bytes sent holds for the words read", () => {
  const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('base64');
  const sent = Buffer.from('<LifecycleConfiguration><Rule><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>');
  const headers: Record<string, string> = { 'content-md5': md5(sent) };
  const read = s3RequestDocument(sent, headers);
  assert.match(read.toString(), /<StorageClass>ARCHIVE<\/StorageClass>/);
  assert.equal(headers['content-md5'], md5(read));

  const wrong: Record<string, string> = { 'content-md5': md5('other bytes') };
  s3RequestDocument(sent, wrong);
  assert.equal(wrong['content-md5'], md5('other bytes'), 'a digest that does not hold stays, for BadDigest');

  const plain = Buffer.from('<Tagging><TagSet><Tag><Key>GLACIER</Key><Value>http://acs.amazonaws.com/groups/global/AllUsers</Value></Tag></TagSet></Tagging>');
  assert.equal(s3RequestDocument(plain, {}), plain, 'no S3 words: the very same bytes');
  const restore = s3RequestDocument(Buffer.from('<RestoreRequest><Days>1</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>'), {});
  assert.match(restore.toString(), /<CASJobParameters><Tier>Bulk<\/Tier><\/CASJobParameters>/);
  assert.equal(s3RequestHeaders({ 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' })['x-cos-grant-read'], 'uri="http://cam.qcloud.com/groups/global/AllUsers"');
});
