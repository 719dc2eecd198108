/**
 * PUT / GET Object symlink over raw HTTP (the Node SDK has no method for them), and reading through
 * a link with the official SDK: GET and HEAD serve the target, the target's ACL applies, a dangling
 * link is NoSuchKey, links take versions like any object.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, bucketHost, encodeKey, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

async function newBucket(): Promise<string> {
  const Bucket = bucketName('link');
  await h.cos.putBucket({ Bucket, Region: REGION });
  return Bucket;
}

function putLink(Bucket: string, link: string, target: string, headers: Record<string, string> = {}) {
  return sendToBucket(h, Bucket, { method: 'PUT', path: `/${encodeKey(link)}?symlink`, headers: { 'x-cos-symlink-target': target, ...headers } });
}

test('PUT ?symlink makes a link, GET ?symlink answers its target, GET and HEAD serve the target', async () => {
  const Bucket = await newBucket();
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'dir/target.txt', Body: 'target bytes', ContentType: 'text/plain' });

  const put = await putLink(Bucket, 'link', 'dir/target.txt');
  assert.equal(put.status, 200, put.text);
  const got = await sendToBucket(h, Bucket, { path: '/link?symlink' });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.headers['x-cos-symlink-target'], 'dir/target.txt');

  const data = await h.cos.getObject({ Bucket, Region: REGION, Key: 'link' });
  assert.equal(data.Body.toString(), 'target bytes');
  assert.equal(data.headers['content-type'], 'text/plain');
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'link' });
  assert.equal(head.headers['x-cos-object-type'], 'symlink');
  assert.equal(head.headers['content-length'], String('target bytes'.length));
  const range = await h.cos.getObject({ Bucket, Region: REGION, Key: 'link', Range: 'bytes=7-11' });
  assert.equal(range.statusCode, 206);
  assert.equal(range.Body.toString(), 'bytes');

  // The target itself is untouched, and the link is listed as an object of its own.
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'dir/target.txt' })).headers['x-cos-object-type'], 'normal');
  const list = await h.cos.getBucket({ Bucket, Region: REGION });
  assert.deepEqual(list.Contents.map((c) => [c.Key, c.Size]), [['dir/target.txt', '12'], ['link', '0']]);

  // The link follows its target: a new target content is what the link serves.
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'dir/target.txt', Body: 'replaced' });
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'link' })).Body.toString(), 'replaced');
});

test('a non-Latin-1 target travels percent-encoded both ways', async () => {
  const Bucket = await newBucket();
  await h.cos.putObject({ Bucket, Region: REGION, Key: '目录/文件 +1.txt', Body: 'unicode' });
  assert.equal((await putLink(Bucket, 'u', encodeKey('目录/文件 +1.txt'))).status, 200);
  const got = await sendToBucket(h, Bucket, { path: '/u?symlink' });
  assert.equal(decodeURIComponent(String(got.headers['x-cos-symlink-target'])), '目录/文件 +1.txt');
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'u' })).Body.toString(), 'unicode');
});

test('a dangling link is NoSuchKey; a link to a link is not followed; bad targets are refused', async () => {
  const Bucket = await newBucket();
  assert.equal((await putLink(Bucket, 'dangling', 'nowhere')).status, 200);
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'dangling' }), 404, 'NoSuchKey');
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'dangling' }), 404);

  await h.cos.putObject({ Bucket, Region: REGION, Key: 'real', Body: 'r' });
  assert.equal((await putLink(Bucket, 'one', 'real')).status, 200);
  assert.equal((await putLink(Bucket, 'two', 'one')).status, 200);
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'two' }), 404, 'NoSuchKey');

  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/x?symlink' }), 400, 'MissingSecurityHeader');
  assertCosError(await putLink(Bucket, 'self', 'self'), 400, 'InvalidArgument');
  assertCosError(await putLink(Bucket, 'bad', '%E4%B8'), 400, 'InvalidArgument');
  assertCosError(await putLink(Bucket, 'long', 'k'.repeat(851)), 400, 'InvalidArgument');
  assertCosError(await sendToBucket(h, Bucket, { path: '/real?symlink' }), 400, 'InvalidArgument');
  assertCosError(await sendToBucket(h, Bucket, { path: '/missing?symlink' }), 404, 'NoSuchKey');
  // None of the refused links was stored.
  for (const Key of ['x', 'self', 'bad', 'long']) await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key }), 404);
});

test('PUT ?symlink over an object replaces it with the link (never an empty object over the link key)', async () => {
  const Bucket = await newBucket();
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'a', Body: 'aaa' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'old' });
  assert.equal((await putLink(Bucket, 'k', 'a')).status, 200);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'k' })).Body.toString(), 'aaa');
  await h.cos.deleteObject({ Bucket, Region: REGION, Key: 'k' });
  await sdkRejects(h.cos.headObject({ Bucket, Region: REGION, Key: 'k' }), 404);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'a' })).Body.toString(), 'aaa', 'deleting a link leaves its target');
});

test('reading through a link needs read access to the target as well as to the link', async () => {
  const Bucket = await newBucket();
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'secret', Body: 'private' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'open', Body: 'public', ACL: 'public-read' });
  assert.equal((await putLink(Bucket, 'to-secret', 'secret', { 'x-cos-acl': 'public-read' })).status, 200);
  assert.equal((await putLink(Bucket, 'to-open', 'open', { 'x-cos-acl': 'public-read' })).status, 200);
  assert.equal((await putLink(Bucket, 'private-link', 'open')).status, 200);

  const anonymous = (key: string, method = 'GET') => send(h, { method, host: bucketHost(Bucket), path: `/${key}`, sign: false });
  const open = await anonymous('to-open');
  assert.equal(open.status, 200);
  assert.equal(open.text, 'public');
  assertCosError(await anonymous('to-secret'), 403, 'AccessDenied');
  assert.equal((await anonymous('to-secret', 'HEAD')).status, 403);
  assertCosError(await anonymous('private-link'), 403, 'AccessDenied');
  // GET ?symlink is a read of the link: its own ACL decides, as for GET Object.
  const target = await send(h, { host: bucketHost(Bucket), path: '/to-secret?symlink', sign: false });
  assert.equal(target.status, 200, target.text);
  assert.equal(target.headers['x-cos-symlink-target'], 'secret');
  assertCosError(await send(h, { host: bucketHost(Bucket), path: '/private-link?symlink', sign: false }), 403, 'AccessDenied');
  // An anonymous caller cannot make links in a private bucket either.
  const put = await send(h, { method: 'PUT', host: bucketHost(Bucket), path: '/mine?symlink', sign: false, headers: { 'x-cos-symlink-target': 'secret' } });
  assertCosError(put, 403, 'AccessDenied');
});

test('links in a bucket with versioning take version ids; GET ?symlink&versionId reads an old link', async () => {
  const Bucket = await newBucket();
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'a', Body: 'A' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'b', Body: 'B' });
  const first = await putLink(Bucket, 'l', 'a');
  const second = await putLink(Bucket, 'l', 'b');
  const v1 = String(first.headers['x-cos-version-id']);
  const v2 = String(second.headers['x-cos-version-id']);
  assert.ok(v1 && v2 && v1 !== 'undefined' && v1 !== v2, `${v1} ${v2}`);

  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'l' })).Body.toString(), 'B');
  const old = await sendToBucket(h, Bucket, { path: `/l?symlink&versionId=${encodeURIComponent(v1)}` });
  assert.equal(old.headers['x-cos-symlink-target'], 'a');
  assert.equal(old.headers['x-cos-version-id'], v1);
  const viaOld = await h.cos.getObject({ Bucket, Region: REGION, Key: 'l', VersionId: v1 });
  assert.equal(viaOld.Body.toString(), 'A');
  assert.equal(viaOld.headers['x-cos-version-id'], v1, 'the version is the link\'s');

  const versions = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'l' });
  assert.deepEqual(versions.Versions.map((v) => v.VersionId), [v2, v1]);
});

test('a link as copy source copies its target, never an empty object', async () => {
  const Bucket = await newBucket();
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'src', Body: 'copied bytes', ContentType: 'text/csv' });
  assert.equal((await putLink(Bucket, 'src-link', 'src')).status, 200);
  assert.equal((await putLink(Bucket, 'gone-link', 'gone')).status, 200);

  await h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'copy', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/src-link` });
  const copy = await h.cos.getObject({ Bucket, Region: REGION, Key: 'copy' });
  assert.equal(copy.Body.toString(), 'copied bytes');
  assert.equal(copy.headers['x-cos-object-type'], 'normal');
  assert.equal(copy.headers['content-type'], 'text/csv');
  await sdkRejects(h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'copy2', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/gone-link` }), 404, 'NoSuchKey');

  const init = await h.cos.multipartInit({ Bucket, Region: REGION, Key: 'assembled' });
  const part = await h.cos.uploadPartCopy({ Bucket, Region: REGION, Key: 'assembled', UploadId: init.UploadId, PartNumber: 1, CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/src-link` });
  await h.cos.multipartComplete({ Bucket, Region: REGION, Key: 'assembled', UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'assembled' })).Body.toString(), 'copied bytes');
});

test('an SSE-C target reads through a link with its customer key, and only with it', async () => {
  const Bucket = await newBucket();
  const key = randomBytes(32);
  const sse = {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'sealed', Body: 'customer bytes', ...sse });
  assert.equal((await putLink(Bucket, 'sealed-link', 'sealed')).status, 200);
  const data = await h.cos.getObject({ Bucket, Region: REGION, Key: 'sealed-link', ...sse });
  assert.equal(data.Body.toString(), 'customer bytes');
  assert.equal(data.headers['x-cos-object-type'], 'symlink');
  await sdkRejects(h.cos.getObject({ Bucket, Region: REGION, Key: 'sealed-link' }), 400, 'InvalidRequest');
});
