/**
 * awscli (Debian's `aws`, AWS Signature V4) against cosbox (issue 13, item 4): buckets, objects,
 * a multipart upload above the configured 5 MB threshold, `aws s3 sync` of a tree both ways,
 * ListObjectsV2 paging, versioning and tagging through `aws s3api`, and the objects seen by the
 * official COS SDK.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { ensureS3Clients, s3Tools, treeOf, type S3Tools } from './s3-tools.js';

let h: Harness;
let t: S3Tools;
const Bucket = bucketName('awscli');

before(async () => {
  ensureS3Clients();
  h = await startHarness();
  t = await s3Tools(h);
});
after(async () => {
  await h.close();
  await t.close();
});

test('aws s3 mb / ls: the bucket is made in the region and listed', async () => {
  await t.aws('s3', 'mb', `s3://${Bucket}`);
  assert.equal((await h.server.services.meta.getBucket(Bucket))?.region, REGION);
  assert.match(await t.aws('s3', 'ls'), new RegExp(Bucket));
  const location = await t.awsJson('s3api', 'get-bucket-location', '--bucket', Bucket);
  assert.equal(location.LocationConstraint, REGION);
  // A name without the -<appid> suffix is refused, with the name to use.
  await assert.rejects(t.aws('s3', 'mb', 's3://withoutappid'), /InvalidBucketName[\s\S]*withoutappid-1250000000/);
});

test('aws s3 cp: a small object and a multipart one (6 MB > 5 MB threshold) round-trip, readable by the COS SDK', async () => {
  const small = join(t.dir, 'small.txt');
  const big = join(t.dir, 'big.bin');
  const bigBody = randomBytes(6 * 1024 * 1024 + 17);
  await writeFile(small, 'hello from awscli');
  await writeFile(big, bigBody);
  await t.aws('s3', 'cp', small, `s3://${Bucket}/docs/small.txt`, '--metadata', 'color=blue', '--content-type', 'text/plain');
  await t.aws('s3', 'cp', big, `s3://${Bucket}/big.bin`);

  const cos = await h.cos.getObject({ Bucket, Region: REGION, Key: 'docs/small.txt' });
  assert.equal(String(cos.Body), 'hello from awscli');
  assert.equal(cos.headers['x-cos-meta-color'], 'blue');
  const head = await t.awsJson('s3api', 'head-object', '--bucket', Bucket, '--key', 'big.bin');
  assert.equal(head.ContentLength, bigBody.length);
  assert.match(head.ETag, /-2"$/, 'a multipart ETag: the upload went in two parts');

  await t.aws('s3', 'cp', `s3://${Bucket}/big.bin`, join(t.dir, 'big.copy'));
  assert.ok((await readFile(join(t.dir, 'big.copy'))).equals(bigBody));
  const range = await t.awsJson('s3api', 'get-object', '--bucket', Bucket, '--key', 'docs/small.txt', '--range', 'bytes=6-9', join(t.dir, 'range.out'));
  assert.equal(range.ContentRange, 'bytes 6-9/17');
  assert.equal(await readFile(join(t.dir, 'range.out'), 'utf8'), 'from');
});

test('aws s3 sync of a tree both ways, deletions included', async () => {
  const src = join(t.dir, 'tree');
  await mkdir(join(src, 'a', 'b'), { recursive: true });
  await writeFile(join(src, 'top.txt'), 'top');
  await writeFile(join(src, 'a', 'one.txt'), 'one');
  await writeFile(join(src, 'a', 'b', 'two words.txt'), 'two');
  await writeFile(join(src, 'a', 'b', 'ünï.txt'), 'unicode');
  await t.aws('s3', 'sync', src, `s3://${Bucket}/tree`);
  const dst = join(t.dir, 'tree-back');
  await t.aws('s3', 'sync', `s3://${Bucket}/tree`, dst);
  assert.deepEqual(await treeOf(dst), await treeOf(src));

  // A second sync after a change uploads only that change, and --delete removes what is gone.
  await writeFile(join(src, 'top.txt'), 'top, changed');
  const { rm } = await import('node:fs/promises');
  await rm(join(src, 'a', 'one.txt'));
  const out = await t.aws('s3', 'sync', src, `s3://${Bucket}/tree`, '--delete');
  assert.match(out, /upload: .*top\.txt/);
  assert.match(out, /delete: s3:\/\/.*one\.txt/);
  await t.aws('s3', 'sync', `s3://${Bucket}/tree`, dst, '--delete');
  assert.deepEqual(await treeOf(dst), await treeOf(src));
});

test('aws s3api list-objects-v2 pages with continuation tokens', async () => {
  for (let i = 0; i < 5; i++) await h.cos.putObject({ Bucket, Region: REGION, Key: `pages/k${i}`, Body: String(i) });
  const page = await t.awsJson('s3api', 'list-objects-v2', '--bucket', Bucket, '--prefix', 'pages/', '--max-keys', '2', '--no-paginate');
  assert.equal(page.KeyCount, 2);
  assert.equal(page.IsTruncated, true);
  const next = await t.awsJson('s3api', 'list-objects-v2', '--bucket', Bucket, '--prefix', 'pages/', '--max-keys', '2', '--no-paginate', '--continuation-token', page.NextContinuationToken);
  assert.deepEqual(next.Contents.map((c: { Key: string }) => c.Key), ['pages/k2', 'pages/k3']);
  const all = await t.awsJson('s3api', 'list-objects-v2', '--bucket', Bucket, '--prefix', 'pages/', '--page-size', '2');
  assert.equal(all.Contents.length, 5);
});

test('aws s3api versioning and tagging', async () => {
  await t.aws('s3api', 'put-bucket-versioning', '--bucket', Bucket, '--versioning-configuration', 'Status=Enabled');
  assert.equal((await t.awsJson('s3api', 'get-bucket-versioning', '--bucket', Bucket)).Status, 'Enabled');
  const body = join(t.dir, 'v.txt');
  await writeFile(body, 'first');
  const v1 = (await t.awsJson('s3api', 'put-object', '--bucket', Bucket, '--key', 'v.txt', '--body', body)).VersionId;
  await writeFile(body, 'second');
  const v2 = (await t.awsJson('s3api', 'put-object', '--bucket', Bucket, '--key', 'v.txt', '--body', body, '--tagging', 'team=blue')).VersionId;
  assert.ok(v1 && v2 && v1 !== v2);
  await t.aws('s3api', 'get-object', '--bucket', Bucket, '--key', 'v.txt', '--version-id', v1, join(t.dir, 'v1.out'));
  assert.equal(await readFile(join(t.dir, 'v1.out'), 'utf8'), 'first');

  const deleted = await t.awsJson('s3api', 'delete-object', '--bucket', Bucket, '--key', 'v.txt');
  assert.equal(deleted.DeleteMarker, true);
  const versions = await t.awsJson('s3api', 'list-object-versions', '--bucket', Bucket, '--prefix', 'v.txt');
  assert.deepEqual(versions.Versions.map((v: { VersionId: string }) => v.VersionId).sort(), [v1, v2].sort());
  assert.equal(versions.DeleteMarkers.length, 1);

  const tags = await t.awsJson('s3api', 'get-object-tagging', '--bucket', Bucket, '--key', 'v.txt', '--version-id', v2);
  assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'blue' }]);
  await t.aws('s3api', 'put-bucket-tagging', '--bucket', Bucket, '--tagging', 'TagSet=[{Key=env,Value=test}]');
  assert.deepEqual((await t.awsJson('s3api', 'get-bucket-tagging', '--bucket', Bucket)).TagSet, [{ Key: 'env', Value: 'test' }]);
  await t.aws('s3api', 'put-bucket-versioning', '--bucket', Bucket, '--versioning-configuration', 'Status=Suspended');
});

test('aws s3api errors carry S3 codes', async () => {
  await assert.rejects(t.aws('s3api', 'get-object', '--bucket', Bucket, '--key', 'missing', join(t.dir, 'x')), /NoSuchKey/);
  await assert.rejects(t.aws('s3api', 'head-bucket', '--bucket', bucketName('missing')), /404/);
});

test('aws s3 rb --force empties and removes a bucket', async () => {
  const other = bucketName('awsrb');
  await t.aws('s3', 'mb', `s3://${other}`);
  await h.cos.putObject({ Bucket: other, Region: REGION, Key: 'x', Body: 'x' });
  await t.aws('s3', 'rb', `s3://${other}`, '--force');
  assert.equal(await h.server.services.meta.getBucket(other), undefined);
});
