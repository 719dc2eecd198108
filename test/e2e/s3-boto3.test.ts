/**
 * boto3 (Debian's python3-boto3, Signature V4, path style) against cosbox (issue 13, item 4):
 * bucket and object round trips, a multipart upload above the configured 5 MB threshold
 * (upload_file / download_file), pre-signed GET and PUT URLs fetched with curl, versioning, tagging,
 * copy and batch delete, all in one Python run (python/s3_boto3.py) whose results are checked here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { ensureS3Clients, s3Tools, type S3Tools } from './s3-tools.js';

const SCRIPT = new URL('./python/s3_boto3.py', import.meta.url).pathname;
let h: Harness;
let t: S3Tools;
let out: any;
const Bucket = bucketName('boto3');

before(async () => {
  ensureS3Clients();
  h = await startHarness();
  t = await s3Tools(h);
  out = JSON.parse(await t.run('/usr/bin/python3', [SCRIPT, Bucket, t.dir]));
});
after(async () => {
  await h.close();
  await t.close();
});

test('boto3: create_bucket in the region, list_buckets, put/get with metadata', async () => {
  assert.equal(out.location, REGION);
  assert.equal(out.listed, true);
  assert.deepEqual(out.get, { body: 'hello from boto3', meta: { lang: 'python' }, type: 'text/plain' });
  const cos = await h.cos.headObject({ Bucket, Region: REGION, Key: 'hello.txt' });
  assert.equal(cos.headers['x-cos-meta-lang'], 'python');
});

test('boto3: upload_file above the multipart threshold, download_file back', () => {
  assert.match(out.multipart.etag, /-3"$/);
  assert.equal(out.multipart.size, 12 * 1024 * 1024 + 3);
  assert.equal(out.multipart.same, true);
});

test('boto3: pre-signed GET and PUT URLs work with curl; a tampered one is refused', () => {
  assert.deepEqual(out.presigned_get, { status: 200, body: 'hello from boto3' });
  assert.equal(out.presigned_put.status, 200);
  assert.equal(out.presigned_put_read, 'put by curl');
  assert.equal(out.presigned_tampered, 403);
});

test('boto3: versioning, delete markers and tagging', () => {
  assert.deepEqual(out.versioning, { status: 'Enabled', distinct: true, old: 'one', marker: true, versions: true, markers: 1 });
  assert.deepEqual(out.tags.object, [{ Key: 'k', Value: 'v' }]);
  assert.deepEqual(out.tags.version, [['team', 'red'], ['tier', '1']]);
});

test('boto3: documents in S3 words with Content-MD5: a GLACIER lifecycle, an ACL granting AllUsers READ', async () => {
  assert.equal(out.lifecycle, 'GLACIER');
  const cos = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.match(JSON.stringify(cos.Rules), /ARCHIVE/);
  assert.deepEqual(out.public_read, { status: 200, body: 'hello from boto3' });
});

test('boto3: copy, delete_objects, S3 error codes, a bucket name without -<appid> refused', () => {
  assert.equal(out.copy, 'hello from boto3');
  assert.deepEqual(out.deleted, ['copy.txt', 'presigned.txt']);
  assert.deepEqual(out.missing, ['NoSuchKey', 404]);
  assert.equal(out.nosuffix, 'InvalidBucketName');
});
