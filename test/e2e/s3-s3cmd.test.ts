/**
 * s3cmd (Debian's, Signature V4, path style through host_bucket = the endpoint) against cosbox
 * (issue 13, item 4), with V4 and with `--signature-v2`: mb, put with metadata, a multipart put above the configured 5 MB chunk size,
 * ls, get, info, sync of a tree, del and rb.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { ensureS3Clients, s3Tools, type S3Tools } from './s3-tools.js';

let h: Harness;
let t: S3Tools;
const Bucket = bucketName('s3cmd');

before(async () => {
  ensureS3Clients();
  h = await startHarness();
  t = await s3Tools(h);
});
after(async () => {
  await h.close();
  await t.close();
});

test('s3cmd mb, put (with a header and metadata), ls, get, info', async () => {
  await t.s3cmd('mb', `s3://${Bucket}`);
  assert.equal((await h.server.services.meta.getBucket(Bucket))?.region, REGION);
  await writeFile(join(t.dir, 'small.txt'), 'hello from s3cmd');
  await t.s3cmd('put', join(t.dir, 'small.txt'), `s3://${Bucket}/docs/small.txt`, '--add-header=x-amz-meta-team:blue', '--mime-type=text/plain');
  const cos = await h.cos.headObject({ Bucket, Region: REGION, Key: 'docs/small.txt' });
  assert.equal(cos.headers['x-cos-meta-team'], 'blue');
  assert.match(await t.s3cmd('ls', `s3://${Bucket}/docs/`), /docs\/small\.txt/);
  await t.s3cmd('get', `s3://${Bucket}/docs/small.txt`, join(t.dir, 'small.back'));
  assert.equal(await readFile(join(t.dir, 'small.back'), 'utf8'), 'hello from s3cmd');
  const info = await t.s3cmd('info', `s3://${Bucket}/docs/small.txt`);
  assert.match(info, /MIME type:\s+text\/plain/);
});

test('s3cmd with --signature-v2: put, ls, get signed with AWS Signature V2', async () => {
  await writeFile(join(t.dir, 'v2.txt'), 'signed with V2');
  await t.s3cmd('--signature-v2', 'put', join(t.dir, 'v2.txt'), `s3://${Bucket}/v2/v2.txt`);
  assert.match(await t.s3cmd('--signature-v2', 'ls', `s3://${Bucket}/v2/`), /v2\/v2\.txt/);
  await t.s3cmd('--signature-v2', 'get', `s3://${Bucket}/v2/v2.txt`, join(t.dir, 'v2.back'));
  assert.equal(await readFile(join(t.dir, 'v2.back'), 'utf8'), 'signed with V2');
});

test('s3cmd put above multipart_chunk_size_mb: a multipart upload, read back', async () => {
  const body = randomBytes(7 * 1024 * 1024 + 11);
  await writeFile(join(t.dir, 'big.bin'), body);
  await t.s3cmd('put', join(t.dir, 'big.bin'), `s3://${Bucket}/big.bin`);
  const head = await h.cos.headObject({ Bucket, Region: REGION, Key: 'big.bin' });
  assert.match(head.headers.etag ?? '', /-2"$/);
  await t.s3cmd('get', `s3://${Bucket}/big.bin`, join(t.dir, 'big.back'));
  assert.ok((await readFile(join(t.dir, 'big.back'))).equals(body));
});

test('s3cmd sync of a tree, then del --recursive and rb', async () => {
  const src = join(t.dir, 'tree');
  await mkdir(join(src, 'a'), { recursive: true });
  await writeFile(join(src, 'top.txt'), 'top');
  await writeFile(join(src, 'a', 'two words.txt'), 'two');
  await t.s3cmd('sync', `${src}/`, `s3://${Bucket}/tree/`);
  const listing = await t.s3cmd('ls', '--recursive', `s3://${Bucket}/tree/`);
  assert.match(listing, /tree\/top\.txt/);
  assert.match(listing, /tree\/a\/two words\.txt/);
  await t.s3cmd('del', '--recursive', '--force', `s3://${Bucket}/`);
  await t.s3cmd('rb', `s3://${Bucket}`);
  assert.equal(await h.server.services.meta.getBucket(Bucket), undefined);
});
