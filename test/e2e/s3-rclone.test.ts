/**
 * rclone (Debian's, its S3 backend as provider "Other", AWS Signature V4) against cosbox (issue 13,
 * item 4): `rclone sync` of a tree both ways, a multipart upload above the configured 5 MB cutoff,
 * and the two ecosystems on one store: an object written with the official COS SDK read with
 * rclone, and one written with rclone read with the COS SDK.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { ensureS3Clients, s3Tools, treeOf, type S3Tools } from './s3-tools.js';

let h: Harness;
let t: S3Tools;
const Bucket = bucketName('rclone');

before(async () => {
  ensureS3Clients();
  h = await startHarness();
  t = await s3Tools(h);
});
after(async () => {
  await h.close();
  await t.close();
});

test('rclone mkdir makes the bucket; lsd lists it', async () => {
  await t.rclone('mkdir', `cosbox:${Bucket}`);
  assert.equal((await h.server.services.meta.getBucket(Bucket))?.region, REGION);
  assert.match(await t.rclone('lsd', 'cosbox:'), new RegExp(Bucket));
});

test('rclone sync of a tree both ways, then a change and a deletion', async () => {
  const src = join(t.dir, 'tree');
  await mkdir(join(src, 'a', 'b'), { recursive: true });
  await writeFile(join(src, 'top.txt'), 'top');
  await writeFile(join(src, 'a', 'one.txt'), 'one');
  await writeFile(join(src, 'a', 'b', 'two words.txt'), 'two');
  await writeFile(join(src, 'a', 'b', 'ünï.txt'), 'unicode');
  await t.rclone('sync', src, `cosbox:${Bucket}/tree`);
  const dst = join(t.dir, 'tree-back');
  await t.rclone('sync', `cosbox:${Bucket}/tree`, dst);
  assert.deepEqual(await treeOf(dst), await treeOf(src));

  await writeFile(join(src, 'top.txt'), 'top, changed');
  await rm(join(src, 'a', 'one.txt'));
  await t.rclone('sync', src, `cosbox:${Bucket}/tree`);
  await t.rclone('sync', `cosbox:${Bucket}/tree`, dst);
  assert.deepEqual(await treeOf(dst), await treeOf(src));
  // rclone's own check compares sizes and MD5s (the ETags of single-part uploads).
  await t.rclone('check', src, `cosbox:${Bucket}/tree`);
});

test('rclone copyto above the upload cutoff: a multipart upload, read back byte for byte', async () => {
  const body = randomBytes(11 * 1024 * 1024 + 5);
  const path = join(t.dir, 'big.bin');
  await writeFile(path, body);
  await t.rclone('copyto', path, `cosbox:${Bucket}/big.bin`);
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'big.bin' });
  assert.match(head.headers.etag ?? '', /-3"$/, 'three 5 MB parts');
  await t.rclone('copyto', `cosbox:${Bucket}/big.bin`, join(t.dir, 'big.back'));
  assert.ok((await readFile(join(t.dir, 'big.back'))).equals(body));
});

test('an object written with the COS SDK is read with rclone, and one written with rclone with the COS SDK', async () => {
  const fromCos = randomBytes(100_000);
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'mixed/from-cos.bin', Body: fromCos });
  const listing = await t.rclone('lsf', `cosbox:${Bucket}/mixed`);
  assert.match(listing, /from-cos\.bin/);
  await t.rclone('copyto', `cosbox:${Bucket}/mixed/from-cos.bin`, join(t.dir, 'from-cos.bin'));
  assert.ok((await readFile(join(t.dir, 'from-cos.bin'))).equals(fromCos));
  assert.equal((await t.rclone('md5sum', `cosbox:${Bucket}/mixed/from-cos.bin`)).split(' ')[0], createHash('md5').update(fromCos).digest('hex'));

  await writeFile(join(t.dir, 'from-rclone.txt'), 'written by rclone');
  await t.rclone('copyto', join(t.dir, 'from-rclone.txt'), `cosbox:${Bucket}/mixed/from-rclone.txt`);
  const got = await h.cos.getObject({ Bucket, Region: REGION, Key: 'mixed/from-rclone.txt' });
  assert.equal(String(got.Body), 'written by rclone');
  // rclone keeps the file's modification time as S3 user metadata: it is COS metadata too.
  assert.ok(got.headers['x-cos-meta-mtime'], 'x-amz-meta-mtime arrives as x-cos-meta-mtime');
});

test('rclone purge removes the objects and the bucket', async () => {
  await t.rclone('purge', `cosbox:${Bucket}`);
  assert.equal(await h.server.services.meta.getBucket(Bucket), undefined);
});
