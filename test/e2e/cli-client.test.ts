/**
 * The `cosbox` client commands against a cosbox server, run as the built binary: every command and
 * option, `--json` outputs parsed, plain output without escapes off a terminal, exit codes 0/1/2.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc64 } from '@cosbox/protocol';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { send } from './raw.js';
import { cli, cliEnv, jsonLines, ok, type CliEnv } from './cli-run.js';

let h: Harness;
let e: CliEnv;
let work: string;
before(async () => {
  h = await startHarness();
  e = await cliEnv(h.port);
  work = await mkdtemp(join(tmpdir(), 'cosbox-cli-'));
});
after(async () => {
  await h.close();
  await rm(work, { recursive: true, force: true });
  await rm(e.home, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

/** A directory of files: { relative path: content }. */
async function tree(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(work, name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), content);
  }
  return dir;
}

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const r = await ok(e, 'ls', '-r', '--json', `cos://${bucket}/${prefix}`);
  return jsonLines(r.stdout).map((o) => o.key as string);
}

async function newBucket(label: string): Promise<string> {
  const bucket = bucketName(label);
  await ok(e, 'mb', `cos://${bucket}`);
  return bucket;
}

test('mb, ls of buckets, ls of folders, --long, --json, and plain output off a terminal', async () => {
  const bucket = bucketName('ls');
  const made = await ok(e, 'mb', `cos://${bucket}`, '--json');
  assert.deepEqual(jsonLines(made.stdout).map((o) => [o.op, o.target, o.status]), [['mb', `cos://${bucket}`, 'ok']]);
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'a.txt', Body: 'hello' });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'dir/b.txt', Body: Buffer.alloc(2048) });

  const buckets = jsonLines((await ok(e, 'ls', '--json')).stdout);
  assert.ok(buckets.some((b) => b.type === 'bucket' && b.name === bucket && b.region === REGION));

  const folder = await ok(e, 'ls', `cos://${bucket}/`);
  assert.equal(folder.stdout, `cos://${bucket}/dir/\ncos://${bucket}/a.txt\n`);
  assert.doesNotMatch(folder.stdout + folder.stderr, /\x1b\[/, 'no escapes off a terminal');

  const long = await ok(e, 'ls', '--long', `cos://${bucket}/`);
  assert.match(long.stdout, /DIR\s+cos:\/\/\S+\/dir\//);
  assert.match(long.stdout, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+5 B\s+STANDARD\s+"[0-9a-f]{32}"\s+cos:\/\/\S+\/a\.txt/);
  assert.match(long.stdout, /^1 objects, 5 B$/m);

  const all = jsonLines((await ok(e, 'ls', '-r', '--json', `cos://${bucket}`)).stdout);
  assert.deepEqual(
    all.map((o) => ({ type: o.type, key: o.key, size: o.size, storageClass: o.storageClass })),
    [
      { type: 'object', key: 'a.txt', size: 5, storageClass: 'STANDARD' },
      { type: 'object', key: 'dir/b.txt', size: 2048, storageClass: 'STANDARD' },
    ],
  );
  assert.match(String(all[0].etag), /^"[0-9a-f]{32}"$/);
  assert.ok(Number.isFinite(Date.parse(String(all[0].lastModified))));
});

test('cp up and down, -r with --include/--exclude, --storage-class, --acl, --meta; CRC-64 reported; parts above the threshold', async () => {
  const bucket = await newBucket('cp');
  const big = Buffer.alloc(3 * MiB + 5, 7);
  big.write('distinct head');
  const src = await tree('cp-src', { 'a.txt': 'alpha', 'skip.log': 'no', 'sub/b.txt': 'beta', 'sub/big.bin': big });

  const up = await ok(e, 'cp', '-r', src, `cos://${bucket}/up`, '--json', '--include', '*.txt', '--include', '*.bin', '--exclude', 'sub/b.*',
    '--storage-class', 'STANDARD_IA', '--acl', 'public-read', '--meta', 'owner=me', '--part-size', '1M', '--multipart-threshold', '2M', '--threads', '3');
  const records = jsonLines(up.stdout);
  assert.deepEqual(records.map((r) => r.target).sort(), [`cos://${bucket}/up/a.txt`, `cos://${bucket}/up/sub/big.bin`]);
  for (const r of records) {
    assert.equal(r.op, 'upload');
    assert.equal(r.status, 'ok');
    const local = await readFile(String(r.source));
    assert.equal(r.size, local.length);
    assert.equal(r.crc64, crc64(local), 'the CRC-64 checked is the file\'s');
  }
  const head = await h.cos.headObject({ Bucket: bucket, Region: REGION, Key: 'up/sub/big.bin' });
  assert.match(head.ETag, /-4"$/, 'sent in 1 MiB parts');
  assert.equal(head.headers?.['x-cos-storage-class'], 'STANDARD_IA');
  assert.equal(head.headers?.['x-cos-meta-owner'], 'me');
  const acl = await h.cos.getObjectAcl({ Bucket: bucket, Region: REGION, Key: 'up/a.txt' });
  assert.equal(acl.ACL, 'public-read');

  // A single file, into a "folder" key, then down into a directory and into a file name.
  await ok(e, 'cp', join(src, 'sub/b.txt'), `cos://${bucket}/one/`);
  assert.deepEqual(await keys(bucket, 'one/'), ['one/b.txt']);
  const down = join(work, 'cp-down');
  await mkdir(down);
  await ok(e, 'cp', `cos://${bucket}/one/b.txt`, down);
  assert.equal(await readFile(join(down, 'b.txt'), 'utf8'), 'beta');
  await ok(e, 'cp', `cos://${bucket}/one/b.txt`, join(down, 'renamed.txt'));
  assert.equal(await readFile(join(down, 'renamed.txt'), 'utf8'), 'beta');

  const all = join(work, 'cp-all');
  const got = jsonLines((await ok(e, 'cp', '-r', `cos://${bucket}/up`, all, '--json', '--part-size', '1M')).stdout);
  assert.deepEqual(got.map((r) => r.op), ['download', 'download']);
  assert.deepEqual(await readFile(join(all, 'sub/big.bin')), big);
  assert.equal(await readFile(join(all, 'a.txt'), 'utf8'), 'alpha');

  // Plain lines off a terminal; --quiet prints none.
  const plain = await ok(e, 'cp', join(src, 'a.txt'), `cos://${bucket}/plain.txt`);
  assert.equal(plain.stdout, `upload ${join(src, 'a.txt')} -> cos://${bucket}/plain.txt (5 B)\n`);
  const quiet = await ok(e, 'cp', join(src, 'a.txt'), `cos://${bucket}/quiet.txt`, '--quiet');
  assert.equal(quiet.stdout, '');
});

test('cp and mv between buckets are server-side copies; mv removes the sources', async () => {
  const a = await newBucket('rra');
  const b = await newBucket('rrb');
  await h.cos.putObject({ Bucket: a, Region: REGION, Key: 'p/x.txt', Body: 'x-content' });
  await h.cos.putObject({ Bucket: a, Region: REGION, Key: 'p/y/z.txt', Body: 'z-content' });
  const copied = jsonLines((await ok(e, 'cp', '-r', `cos://${a}/p`, `cos://${b}/q/`, '--json')).stdout);
  assert.deepEqual(copied.map((r) => [r.op, r.target]).sort(), [['copy', `cos://${b}/q/x.txt`], ['copy', `cos://${b}/q/y/z.txt`]]);
  assert.equal(copied[0].crc64, crc64(Buffer.from(copied[0].target === `cos://${b}/q/x.txt` ? 'x-content' : 'z-content')));
  assert.equal((await ok(e, 'cat', `cos://${b}/q/y/z.txt`)).stdout, 'z-content');

  await ok(e, 'cp', `cos://${a}/p/x.txt`, `cos://${b}/meta.txt`, '--meta', 'tag=copied', '--storage-class', 'STANDARD_IA');
  const copiedHead = await h.cos.headObject({ Bucket: b, Region: REGION, Key: 'meta.txt' });
  assert.equal(copiedHead.headers?.['x-cos-meta-tag'], 'copied', 'a copy with --meta replaces the metadata');
  assert.equal(copiedHead.headers?.['x-cos-storage-class'], 'STANDARD_IA');

  await ok(e, 'mv', '-r', `cos://${a}/p`, `cos://${b}/moved`);
  assert.deepEqual(await keys(a), []);
  assert.deepEqual(await keys(b, 'moved/'), ['moved/x.txt', 'moved/y/z.txt']);
  const bucketStat = jsonLines((await ok(e, 'stat', '--json', `cos://${b}`)).stdout)[0] as { key: unknown; headers: Record<string, string> };
  assert.equal(bucketStat.key, null);
  assert.ok(bucketStat.headers['x-cos-request-id'], 'stat of a bucket: its HEAD headers');

  const local = await tree('mv-src', { 'm.txt': 'moving' });
  await ok(e, 'mv', join(local, 'm.txt'), `cos://${b}/m.txt`);
  await assert.rejects(stat(join(local, 'm.txt')), { code: 'ENOENT' });
  assert.equal((await ok(e, 'cat', `cos://${b}/m.txt`)).stdout, 'moving');

  const dir = await tree('mv-dir', { 'a.txt': 'a', 'sub/deeper/b.txt': 'b', 'keep.log': 'stays' });
  await ok(e, 'mv', '-r', dir, `cos://${b}/dir/`, '--exclude', '*.log');
  assert.deepEqual(await keys(b, 'dir/'), ['dir/a.txt', 'dir/sub/deeper/b.txt']);
  assert.deepEqual(await readdir(dir), ['keep.log'], 'moved files and the directories they left empty are gone');
});

test('sync up and down: only what differs, --delete, --dry-run, --checksum, remote to remote', async () => {
  const bucket = await newBucket('sync');
  const src = await tree('sync-src', { 'keep.txt': 'keep', 'gone.txt': 'gone', 'd/deep.txt': 'deep' });
  const first = jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--json')).stdout);
  assert.equal(first.length, 3);
  assert.deepEqual(jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--json')).stdout), [], 'nothing differs');

  await rm(join(src, 'gone.txt'));
  await writeFile(join(src, 'new.txt'), 'new');
  const dry = jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--delete', '--dry-run', '--json')).stdout);
  assert.deepEqual(dry.map((r) => [r.op, r.target, r.status]), [
    ['upload', `cos://${bucket}/s/new.txt`, 'dry-run'],
    ['delete', `cos://${bucket}/s/gone.txt`, 'dry-run'],
  ]);
  assert.deepEqual(await keys(bucket, 's/'), ['s/d/deep.txt', 's/gone.txt', 's/keep.txt'], 'a dry run changes nothing');
  const up = jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--delete', '--json')).stdout);
  assert.deepEqual(up.map((r) => [r.op, r.target]), [['upload', `cos://${bucket}/s/new.txt`], ['delete', `cos://${bucket}/s/gone.txt`]]);
  assert.deepEqual(await keys(bucket, 's/'), ['s/d/deep.txt', 's/keep.txt', 's/new.txt']);

  // Same size, remote newer: size and time say equal; the CRC-64 does not.
  const past = new Date(Date.now() - 3600_000);
  await utimes(join(src, 'keep.txt'), past, past);
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 's/keep.txt', Body: 'KEEP' });
  assert.deepEqual(jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--json')).stdout), []);
  const checked = jsonLines((await ok(e, 'sync', src, `cos://${bucket}/s`, '--checksum', '--json')).stdout);
  assert.deepEqual(checked.map((r) => r.target), [`cos://${bucket}/s/keep.txt`]);

  // Down, with a local file the bucket does not have.
  const dst = await tree('sync-dst', { 'stale.txt': 'stale' });
  const down = jsonLines((await ok(e, 'sync', `cos://${bucket}/s`, dst, '--delete', '--json')).stdout);
  assert.deepEqual(down.map((r) => r.op).sort(), ['delete', 'download', 'download', 'download']);
  await assert.rejects(stat(join(dst, 'stale.txt')), { code: 'ENOENT' });
  assert.equal(await readFile(join(dst, 'd/deep.txt'), 'utf8'), 'deep');
  assert.deepEqual(jsonLines((await ok(e, 'sync', `cos://${bucket}/s`, dst, '--json')).stdout), [], 'downloads keep the object time');

  const other = await newBucket('sync2');
  assert.equal(jsonLines((await ok(e, 'sync', `cos://${bucket}/s`, `cos://${other}/t`, '--json')).stdout).length, 3);
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 's/new.txt', Body: 'NEW' });
  const again = jsonLines((await ok(e, 'sync', `cos://${bucket}/s`, `cos://${other}/t`, '--json')).stdout);
  assert.deepEqual(again.map((r) => [r.op, r.target]), [['copy', `cos://${other}/t/new.txt`]], 'the ETag differs');
});

test('cat with --range, stat with headers and metadata, du per folder and class, signurl GET and PUT, hash', async () => {
  const bucket = await newBucket('look');
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'f/one.txt', Body: '0123456789', 'x-cos-meta-color': 'blue' } as never);
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'f/two.txt', Body: 'xx', StorageClass: 'STANDARD_IA' });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'top.txt', Body: 'abc' });

  const [one, range, suffix, statJson, statText, du, signed, putSigned] = await Promise.all([
    ok(e, 'cat', `cos://${bucket}/f/one.txt`),
    ok(e, 'cat', '--range', '2-4', `cos://${bucket}/f/one.txt`),
    ok(e, 'cat', '--range', 'bytes=-3', `cos://${bucket}/f/one.txt`),
    ok(e, 'stat', '--json', `cos://${bucket}/f/one.txt`),
    ok(e, 'stat', `cos://${bucket}/f/one.txt`),
    ok(e, 'du', '--json', `cos://${bucket}`),
    ok(e, 'signurl', `cos://${bucket}/f/one.txt`, '--expires', '60'),
    ok(e, 'signurl', `cos://${bucket}/put.txt`, '--method', 'put', '--json'),
  ]);
  assert.deepEqual([one, range, suffix].map((r) => r.stdout), ['0123456789', '234', '789']);

  const st = jsonLines(statJson.stdout)[0];
  assert.equal(st.size, 10);
  assert.equal(st.crc64, crc64(Buffer.from('0123456789')));
  assert.deepEqual(st.metadata, { color: 'blue' });
  assert.equal((st.headers as Record<string, string>)['x-cos-meta-color'], 'blue');
  assert.match(statText.stdout, /^x-cos-request-id: \S+$/m);

  assert.deepEqual(jsonLines(du.stdout), [
    { type: 'prefix', prefix: '', objects: 1, bytes: 3 },
    { type: 'prefix', prefix: 'f/', objects: 2, bytes: 12 },
    { type: 'storageClass', storageClass: 'STANDARD', objects: 2, bytes: 13 },
    { type: 'storageClass', storageClass: 'STANDARD_IA', objects: 1, bytes: 2 },
    { type: 'total', prefix: '', objects: 3, bytes: 15 },
  ]);

  const get = signed.stdout.trim();
  assert.equal(await (await fetch(get)).text(), '0123456789');
  const put = jsonLines(putSigned.stdout)[0];
  assert.equal(put.method, 'PUT');
  assert.equal((await fetch(String(put.url), { method: 'PUT', body: 'via url' })).status, 200);
  assert.equal((await ok(e, 'cat', `cos://${bucket}/put.txt`)).stdout, 'via url');
  const [start, end] = new URL(get).searchParams.get('q-sign-time')!.split(';').map(Number);
  assert.equal(end - start, 60, '--expires');

  const file = join(work, 'hash.bin');
  const content = Buffer.alloc(2 * MiB + 1, 3);
  await writeFile(file, content);
  const hashed = jsonLines((await ok(e, 'hash', file, '--part-size', '1M', '--json')).stdout)[0];
  assert.equal(hashed.crc64, crc64(content));
  await h.cos.sliceUploadFile({ Bucket: bucket, Region: REGION, Key: 'hashed.bin', FilePath: file, ChunkSize: MiB });
  const stored = await h.cos.headObject({ Bucket: bucket, Region: REGION, Key: 'hashed.bin' });
  assert.equal(`"${hashed.multipartEtag}"`, stored.ETag, 'the ETag COS gives an upload in 1 MiB parts');
  assert.equal(hashed.crc64, stored.headers?.['x-cos-hash-crc64ecma']);
});

test('rm: one key, -r with --force, --versions; lsparts and abort; rb --force empties versions and uploads', async () => {
  const bucket = await newBucket('rm');
  await h.cos.putBucketVersioning({ Bucket: bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  for (const body of ['v1', 'v2']) await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'k.txt', Body: body });
  for (const key of ['d/1', 'd/2', 'd/3']) await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: key, Body: key });

  const versions = jsonLines((await ok(e, 'ls', '--versions', '--json', `cos://${bucket}/k.txt`)).stdout);
  assert.deepEqual(versions.map((v) => [v.type, v.key, v.isLatest, v.size]), [['version', 'k.txt', true, 2], ['version', 'k.txt', false, 2]]);

  const refused = await cli(e, ['rm', '-r', `cos://${bucket}/d`]);
  assert.equal(refused.status, 2, 'no terminal to ask: --force is needed');
  assert.match(refused.stderr, /--force/);
  const removed = jsonLines((await ok(e, 'rm', '-r', '--force', '--json', `cos://${bucket}/d`)).stdout);
  assert.deepEqual(removed.map((r) => r.target), ['d/1', 'd/2', 'd/3'].map((k) => `cos://${bucket}/${k}`));

  await ok(e, 'rm', `cos://${bucket}/k.txt`);
  const marked = jsonLines((await ok(e, 'ls', '--versions', '--json', `cos://${bucket}/k.txt`)).stdout);
  assert.equal(marked.filter((v) => v.type === 'deleteMarker').length, 1, 'a plain rm leaves a delete marker');
  await ok(e, 'rm', '--versions', '--force', `cos://${bucket}/k.txt`);
  assert.deepEqual(jsonLines((await ok(e, 'ls', '--versions', '--json', `cos://${bucket}/`)).stdout).filter((v) => String(v.key).startsWith('k')), []);

  // Incomplete uploads: listed with their parts, aborted.
  const { UploadId } = await h.cos.multipartInit({ Bucket: bucket, Region: REGION, Key: 'up/big.bin' });
  await h.cos.multipartUpload({ Bucket: bucket, Region: REGION, Key: 'up/big.bin', UploadId, PartNumber: 1, Body: Buffer.alloc(1000) });
  const second = await h.cos.multipartInit({ Bucket: bucket, Region: REGION, Key: 'other.bin' });
  const listed = jsonLines((await ok(e, 'lsparts', '--json', `cos://${bucket}/up/`)).stdout);
  assert.deepEqual(listed.map((u) => [u.key, u.uploadId, u.parts, u.bytes]), [['up/big.bin', UploadId, 1, 1000]]);
  const aborted = jsonLines((await ok(e, 'abort', '--json', `cos://${bucket}/up/`)).stdout);
  assert.deepEqual(aborted.map((a) => [a.op, a.uploadId]), [['abort', UploadId]]);
  await ok(e, 'abort', `cos://${bucket}/other.bin`, '--upload-id', second.UploadId);
  assert.deepEqual(jsonLines((await ok(e, 'lsparts', '--json', `cos://${bucket}`)).stdout), []);

  // rb: refused while not empty; --force removes versions, delete markers and uploads first.
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'left', Body: '1' });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'left', Body: '2' });
  await h.cos.deleteObject({ Bucket: bucket, Region: REGION, Key: 'left' });
  await h.cos.multipartInit({ Bucket: bucket, Region: REGION, Key: 'pending' });
  const notEmpty = await cli(e, ['rb', `cos://${bucket}`]);
  assert.equal(notEmpty.status, 1);
  assert.match(notEmpty.stderr, /BucketNotEmpty \(409\): .*\[request id \S+\]/);
  await ok(e, 'rb', '--force', `cos://${bucket}`);
  await assert.rejects(h.cos.headBucket({ Bucket: bucket, Region: REGION }), (err: { statusCode?: number }) => err.statusCode === 404);
});

test('restore of archived objects: --days and --tier; a second restore fails with the COS code', async () => {
  const bucket = await newBucket('arch');
  const src = await tree('arch', { 'cold.txt': 'cold', 'warm.txt': 'warm' });
  await ok(e, 'cp', join(src, 'cold.txt'), `cos://${bucket}/a/cold.txt`, '--storage-class', 'ARCHIVE');
  await ok(e, 'cp', join(src, 'warm.txt'), `cos://${bucket}/a/warm.txt`);
  const restored = jsonLines((await ok(e, 'restore', '-r', '--days', '2', '--tier', 'bulk', '--json', `cos://${bucket}/a/`)).stdout);
  assert.deepEqual(restored.map((r) => [r.op, r.target, r.days, r.tier, r.status]), [['restore', `cos://${bucket}/a/cold.txt`, 2, 'Bulk', 'ok']]);
  const head = await h.cos.headObject({ Bucket: bucket, Region: REGION, Key: 'a/cold.txt' });
  assert.match(head.headers?.['x-cos-restore'] ?? '', /ongoing-request="true"/);
  const again = await cli(e, ['restore', `cos://${bucket}/a/cold.txt`, '--days', '2', '--json']);
  assert.equal(again.status, 1);
  const failure = jsonLines(again.stdout)[0] as { status: string; error: { code: string; statusCode: number; requestId: string } };
  assert.equal(failure.status, 'error');
  assert.equal(failure.error.code, 'RestoreAlreadyInProgress');
  assert.equal(failure.error.statusCode, 409);
  assert.ok(failure.error.requestId);
  const bad = await cli(e, ['restore', `cos://${bucket}/a/cold.txt`, '--tier', 'Fast']);
  assert.equal(bad.status, 2);
});

test('exit codes and errors: usage 2, failures 1 with the COS code and request id, partial failures 1', async () => {
  const bucket = await newBucket('err');
  const usage = await Promise.all([
    cli(e, ['cp', join(work, 'x'), join(work, 'y')]),
    cli(e, ['ls', 'cos://Not_A_Bucket/x']),
    cli(e, ['ls', '--no-such-option']),
    cli(e, ['cp', '--threads', 'many', 'a', `cos://${bucket}/a`]),
    cli(e, ['cp', work, `cos://${bucket}/a`]),
    cli(e, ['ls', `cos://${bucket}`], { COS_ENDPOINT: undefined, COS_REGION: undefined }),
  ]);
  assert.deepEqual(usage.map((r) => r.status), [2, 2, 2, 2, 2, 2], usage.map((r) => r.stderr).join('\n'));
  assert.match(usage[4].stderr, /is a directory \(use -r\)/);
  assert.match(usage[5].stderr, /no region/);

  const missing = await cli(e, ['cat', `cos://${bucket}/nope`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^cosbox: NoSuchKey \(404\): .+ \[request id \S+\]\n$/);
  const noBucket = await cli(e, ['ls', '--json', `cos://nothing-here-${Date.now()}-1250000000/`]);
  assert.equal(noBucket.status, 1);
  const [record] = jsonLines(noBucket.stdout) as { status: string; error: { code: string; statusCode: number; requestId: string } }[];
  assert.deepEqual([record.status, record.error.code, record.error.statusCode], ['error', 'NoSuchBucket', 404]);
  assert.ok(record.error.requestId);
  const denied = await cli(e, ['ls', `cos://${bucket}`], { COS_SECRET_KEY: 'wrong' });
  assert.equal(denied.status, 1);
  assert.match(denied.stderr, /SignatureDoesNotMatch \(403\)/);

  // Control characters of a key do not reach the terminal as such; --json has the key as it is.
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'esc/\x1b]0;title\x07\x1b[2J.txt', Body: 'x' });
  const [text, json] = await Promise.all([ok(e, 'ls', `cos://${bucket}/esc/`), ok(e, 'ls', '--json', `cos://${bucket}/esc/`)]);
  assert.equal(text.stdout, `cos://${bucket}/esc/\\x1b]0;title\\x07\\x1b[2J.txt\n`);
  assert.equal(jsonLines(json.stdout)[0].key, 'esc/\x1b]0;title\x07\x1b[2J.txt');

  // One key of a download would leave the target directory: that file fails, the rest arrive.
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'p/../../escape.txt', Body: 'evil' });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'p/fine.txt', Body: 'fine' });
  const dst = join(work, 'partial', 'inner');
  const partial = await cli(e, ['cp', '-r', `cos://${bucket}/p/`, dst, '--json']);
  assert.equal(partial.status, 1, 'the unsafe key is a failure; the others are done');
  const records = jsonLines(partial.stdout);
  assert.deepEqual(records.map((r) => r.status).sort(), ['error', 'ok']);
  await assert.rejects(stat(join(work, 'escape.txt')), { code: 'ENOENT' });
  await assert.rejects(stat(join(work, 'partial', 'escape.txt')), { code: 'ENOENT' });
  assert.equal(await readFile(join(dst, 'fine.txt'), 'utf8'), 'fine');

  const someFail = await cli(e, ['cp', '-r', join(await tree('some', { 'a.txt': 'a' })), `cos://no-such-bucket-${Date.now()}-1250000000/x/`]);
  assert.equal(someFail.status, 1);
  assert.match(someFail.stderr, /NoSuchBucket \(404\)/);
  assert.match(someFail.stderr, /1 of 1 files failed/);
});

test('config: profiles written by config set; flags beat the environment, the environment beats the profile', async () => {
  const bucket = await newBucket('cfg');
  const endpoint = `http://127.0.0.1:${h.port}`;
  const noEnv = { COS_ENDPOINT: undefined, COS_SECRET_ID: undefined, COS_SECRET_KEY: undefined };
  for (const [name, value] of [['endpoint', endpoint], ['region', REGION], ['secret-id', SECRET_ID], ['secret_key', SECRET_KEY]]) {
    assert.equal((await cli(e, ['config', 'set', '--profile', 'box', name, value])).status, 0);
  }
  assert.equal((await cli(e, ['config', 'set', 'secret_key', 'wrong-key'])).status, 0, 'the default profile');
  assert.equal((await cli(e, ['config', 'set', 'secret_id', SECRET_ID])).status, 0);
  const text = await readFile(join(e.home, '.config/cosbox/config.toml'), 'utf8');
  assert.match(text, /\[profiles\.box\]/);
  assert.equal(((await stat(join(e.home, '.config/cosbox/config.toml'))).mode & 0o777).toString(8), '600');
  assert.equal((await cli(e, ['config', 'get', '--profile', 'box', 'region'])).stdout, `${REGION}\n`);
  const listed = jsonLines((await cli(e, ['config', 'list', '--json'])).stdout);
  assert.deepEqual(listed.map((p) => p.profile), ['box', 'default']);
  assert.doesNotMatch(JSON.stringify(listed), new RegExp(SECRET_KEY), 'secrets masked');
  assert.equal((await cli(e, ['config', 'set', 'colour', 'x'])).status, 2);

  const [alone, envOverProfile, wrong, flag, none, viaEnv] = await Promise.all([
    cli(e, ['ls', `cos://${bucket}`, '--profile', 'box'], noEnv),
    cli(e, ['ls', `cos://${bucket}`, '--profile', 'box'], { ...noEnv, COS_SECRET_KEY: 'bad', COS_SECRET_ID: 'AKIDbad' }),
    cli(e, ['ls', `cos://${bucket}`], { COS_SECRET_KEY: undefined, COS_SECRET_ID: undefined }),
    cli(e, ['ls', `cos://${bucket}`, '--secret-key', SECRET_KEY], { COS_SECRET_KEY: 'bad' }),
    cli(e, ['ls', `cos://${bucket}`, '--profile', 'none']),
    cli(e, ['ls', `cos://${bucket}`], { ...noEnv, COS_PROFILE: 'box' }),
  ]);
  assert.equal(alone.status, 0, 'the profile alone');
  assert.equal(envOverProfile.status, 1, 'env beats profile');
  assert.equal(wrong.status, 1, 'the default profile has a wrong key');
  assert.match(wrong.stderr, /SignatureDoesNotMatch/);
  assert.equal(flag.status, 0, 'a flag beats env and profile');
  assert.equal(none.status, 2);
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
});

test('flags alone: --endpoint, --region, --secret-id, --secret-key and --token of temporary keys; mb --acl, ls --bytes, rm --version-id', async () => {
  const bucket = bucketName('flags');
  const noEnv = { COS_ENDPOINT: undefined, COS_SECRET_ID: undefined, COS_SECRET_KEY: undefined, COS_REGION: undefined };
  const endpoint = ['--endpoint', `http://127.0.0.1:${h.port}`, '--region', REGION];
  const made = await cli(e, ['mb', `cos://${bucket}`, '--acl', 'public-read', ...endpoint, '--secret-id', SECRET_ID, '--secret-key', SECRET_KEY], noEnv);
  assert.equal(made.status, 0, made.stderr);
  assert.equal((await h.cos.getBucketAcl({ Bucket: bucket, Region: REGION })).ACL, 'public-read');
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'k', Body: Buffer.alloc(3000) });
  assert.match((await ok(e, 'ls', '-l', '--bytes', `cos://${bucket}`)).stdout, /\s3000\s+STANDARD/);

  const res = await send(h, {
    method: 'POST',
    path: '/sts',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ DurationSeconds: 600, Policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:GetObject'], resource: [`qcs::cos:${REGION}:uid/${APPID}:${bucket}/*`] }] } }),
  });
  assert.equal(res.status, 200, res.text);
  const { Credentials } = JSON.parse(res.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } };
  const temporary = [...endpoint, '--secret-id', Credentials.TmpSecretId, '--secret-key', Credentials.TmpSecretKey];
  const read = await cli(e, ['cat', `cos://${bucket}/k`, ...temporary, '--token', Credentials.Token], noEnv);
  assert.equal(read.status, 0, read.stderr);
  assert.equal(read.stdout.length, 3000);
  const viaEnv = await cli(e, ['cat', `cos://${bucket}/k`, ...temporary], { ...noEnv, COS_SECURITY_TOKEN: Credentials.Token });
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
  const withoutToken = await cli(e, ['cat', `cos://${bucket}/k`, ...temporary], noEnv);
  assert.equal(withoutToken.status, 1);
  assert.match(withoutToken.stderr, /\(403\)/);

  await h.cos.putBucketVersioning({ Bucket: bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  const first = await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'v', Body: 'one' });
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'v', Body: 'two' });
  await ok(e, 'rm', `cos://${bucket}/v`, '--version-id', String(first.VersionId));
  const left = jsonLines((await ok(e, 'ls', '--versions', '--json', `cos://${bucket}/v`)).stdout);
  assert.deepEqual(left.map((v) => [v.type, v.isLatest, v.size]), [['version', true, 3]]);
  assert.equal((await ok(e, 'cat', `cos://${bucket}/v`)).stdout, 'two');
});
