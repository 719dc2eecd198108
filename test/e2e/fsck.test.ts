/**
 * `cosbox fsck`: a clean directory passes; with the server running it refuses; injected damage (a
 * flipped bit, a truncated blob, a missing blob, in current objects, old versions, multipart objects,
 * SSE-COS objects and parts of uploads in progress) and leftovers (an orphan blob, a temporary file) are reported
 * with exit status 1; `--repair` removes the leftovers and marks the damaged objects, which then
 * answer 500 at once while the others read back whole.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, truncate, unlink, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { openMetadataStore, startServer, type FsckReport, type RunningServer } from '@cosbox/server';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
const Bucket = `fsck-${APPID}`;
const Versioned = `fsckv-${APPID}`;

async function serve(dataDir: string): Promise<{ server: RunningServer; cos: COS }> {
  const server = await startServer({ dataDir, port: 0, credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN }, logLevel: 'silent' });
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
  return { server, cos };
}

async function runFsck(dataDir: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'fsck', '--data', dataDir, ...args], { cwd: root });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const body = (label: string, size: number) => Buffer.alloc(size, label);

function blobPath(dataDir: string, id: string): string {
  return join(dataDir, 'blobs', id.slice(0, 2), id);
}

async function flipBit(path: string, offset: number): Promise<void> {
  const fd = await open(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    await fd.read(one, 0, 1, offset);
    one[0] ^= 0x10;
    await fd.write(one, 0, 1, offset);
  } finally {
    await fd.close();
  }
}

async function status(cos: COS, params: { Key: string; Bucket?: string; VersionId?: string }): Promise<number> {
  try {
    const r = await cos.getObject({ Bucket, Region: REGION, ...params });
    return r.statusCode ?? 0;
  } catch (error) {
    return (error as { statusCode: number }).statusCode;
  }
}

test('fsck finds injected damage and leftovers; --repair removes leftovers and marks damaged objects', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-fsck-'));
  try {
    // Content of every kind.
    let { server, cos } = await serve(dataDir);
    await cos.putBucket({ Bucket, Region: REGION });
    for (const key of ['flipped', 'truncated', 'missing', 'intact']) await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body(key, 70_000) });
    // SSE-COS: fsck decrypts with the master key in <data>/sse.key to check the plaintext's CRC-64.
    for (const key of ['sealed', 'sealed-flipped']) await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body(key, 50_000), ServerSideEncryption: 'AES256' });
    await cos.putBucket({ Bucket: Versioned, Region: REGION });
    await cos.putBucketVersioning({ Bucket: Versioned, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
    const old = await cos.putObject({ Bucket: Versioned, Region: REGION, Key: 'k', Body: body('1', 5000) });
    await cos.putObject({ Bucket: Versioned, Region: REGION, Key: 'k', Body: body('2', 5000) });
    const multi = await cos.multipartInit({ Bucket, Region: REGION, Key: 'multi' });
    const parts = [];
    for (const n of [1, 2]) {
      const p = await cos.multipartUpload({ Bucket, Region: REGION, Key: 'multi', UploadId: multi.UploadId, PartNumber: n, Body: body(`p${n}`, n === 1 ? 1024 * 1024 : 1000) });
      parts.push({ PartNumber: n, ETag: p.ETag });
    }
    await cos.multipartComplete({ Bucket, Region: REGION, Key: 'multi', UploadId: multi.UploadId, Parts: parts });
    const pending = await cos.multipartInit({ Bucket, Region: REGION, Key: 'pending' });
    await cos.multipartUpload({ Bucket, Region: REGION, Key: 'pending', UploadId: pending.UploadId, PartNumber: 1, Body: body('q', 3000) });

    // A running server holds the directory: fsck refuses, with a clear message.
    const refused = await runFsck(dataDir);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /in use by another cosbox server/);
    await server.close();

    const clean = await runFsck(dataDir, '--json');
    assert.equal(clean.status, 0, clean.stderr);
    const cleanReport = JSON.parse(clean.stdout) as FsckReport;
    assert.deepEqual([cleanReport.objects, cleanReport.parts, cleanReport.damaged, cleanReport.encryptedNotHashed, cleanReport.problems], [9, 1, 0, 0, []]);

    // Damage.
    const meta = openMetadataStore(dataDir);
    const blobOf = async (bucket: string, key: string) => (await meta.getObject(bucket, key))!.blobs;
    await flipBit(blobPath(dataDir, (await blobOf(Bucket, 'flipped'))[0].id), 12_345);
    await truncate(blobPath(dataDir, (await blobOf(Bucket, 'truncated'))[0].id), 100);
    await unlink(blobPath(dataDir, (await blobOf(Bucket, 'missing'))[0].id));
    await flipBit(blobPath(dataDir, (await blobOf(Bucket, 'multi'))[1].id), 999);
    await flipBit(blobPath(dataDir, (await blobOf(Bucket, 'sealed-flipped'))[0].id), 4321);
    const oldVersion = await meta.getObjectVersion(Versioned, 'k', old.VersionId!);
    await flipBit(blobPath(dataDir, (oldVersion as { blobs: Array<{ id: string }> }).blobs[0].id), 0);
    const pendingPart = (await meta.listParts(Bucket, 'pending', pending.UploadId, 0, 10)).parts[0];
    await flipBit(blobPath(dataDir, pendingPart.blob.id), 7);
    await meta.close();
    const orphan = 'ab' + '0'.repeat(30);
    await writeFile(blobPath(dataDir, orphan), 'nobody names me');
    await writeFile(join(dataDir, 'tmp', 'half-written'), 'x');

    const found = await runFsck(dataDir, '--json');
    assert.equal(found.status, 1, found.stderr);
    const report = JSON.parse(found.stdout) as FsckReport;
    const seen = report.problems.map((p) => `${p.kind} ${p.bucket ?? ''}/${p.key ?? p.blob}${p.versionId ? `@${p.versionId}` : ''}${p.uploadId ? '#1' : ''}`).sort();
    assert.deepEqual(seen, [
      `crc64 ${Bucket}/flipped`,
      `crc64 ${Bucket}/multi`,
      `crc64 ${Bucket}/pending#1`,
      `crc64 ${Bucket}/sealed-flipped`,
      `crc64 ${Versioned}/k@${old.VersionId}`,
      `missing ${Bucket}/missing`,
      `orphan /${orphan}`,
      `size ${Bucket}/truncated`,
      'temporary /half-written',
    ]);
    assert.equal(report.damaged, 7);
    assert.ok(report.problems.every((p) => p.repaired === undefined), 'nothing changes without --repair');

    // The text summary says the same in words.
    const text = await runFsck(dataDir);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /DAMAGED: 7 objects or parts/);
    assert.match(text.stdout, /2 leftover files/);

    const repaired = await runFsck(dataDir, '--repair', '--json');
    assert.equal(repaired.status, 1, 'damage stays damage after --repair');
    const repairReport = JSON.parse(repaired.stdout) as FsckReport;
    assert.deepEqual(
      repairReport.problems.filter((p) => p.repaired !== undefined).map((p) => `${p.kind} ${p.repaired}`).sort(),
      ['crc64 marked', 'crc64 marked', 'crc64 marked', 'crc64 marked', 'missing marked', 'orphan removed', 'size marked', 'temporary removed'],
    );
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);

    ({ server, cos } = await serve(dataDir));
    try {
      // Marked objects answer 500 at once, whatever the range; the intact ones read back whole.
      assert.equal(await status(cos, { Key: 'flipped' }), 500);
      assert.equal(await status(cos, { Key: 'multi' }), 500);
      assert.equal(await status(cos, { Key: 'sealed-flipped' }), 500);
      assert.deepEqual((await cos.getObject({ Bucket, Region: REGION, Key: 'sealed' })).Body, body('sealed', 50_000));
      assert.equal(await status(cos, { Bucket: Versioned, Key: 'k', VersionId: old.VersionId }), 500);
      assert.equal((await cos.getObject({ Bucket: Versioned, Region: REGION, Key: 'k' })).Body.toString(), body('2', 5000).toString());
      assert.deepEqual((await cos.getObject({ Bucket, Region: REGION, Key: 'intact' })).Body, body('intact', 70_000));
      assert.equal((await cos.headObject({ Bucket, Region: REGION, Key: 'flipped' })).statusCode, 200, 'HEAD still tells what the object was');
      // A new write over a damaged key is whole again.
      await cos.putObject({ Bucket, Region: REGION, Key: 'flipped', Body: 'fresh' });
      assert.equal((await cos.getObject({ Bucket, Region: REGION, Key: 'flipped' })).Body.toString(), 'fresh');
    } finally {
      await server.close();
    }
    const after = JSON.parse((await runFsck(dataDir, '--json')).stdout) as FsckReport;
    assert.equal(after.damaged, 6);
    assert.ok(after.problems.every((p) => p.kind !== 'orphan' && p.kind !== 'temporary'));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('fsck of a directory without cosbox data exits 2 and makes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cosbox-fsck-empty-'));
  try {
    const r = await runFsck(dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /holds no cosbox data/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
