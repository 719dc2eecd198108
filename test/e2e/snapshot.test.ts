/**
 * `cosbox snapshot` while the server runs and PUTs, overwrites and deletes keep coming through the
 * official SDK: a server started on the snapshot reads back every object its metadata lists, whole
 * (CRC-64 of the body equal to the recorded one), encrypted ones included; the source server never
 * noticed (it kept serving, and its lock was not taken).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { crc64 } from '@cosbox/protocol';
import { fsck, openMetadataStore, startServer, type RunningServer } from '@cosbox/server';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
const Bucket = `snap-${APPID}`;

async function serve(dataDir: string): Promise<{ server: RunningServer; cos: COS }> {
  const server = await startServer({ dataDir, port: 0, credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN }, logLevel: 'silent' });
  const cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as COS.COSOptions);
  return { server, cos };
}

async function runSnapshot(dataDir: string, out: string): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'snapshot', '--data', dataDir, '--out', out], { cwd: root });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const body = (key: string, round: number) => Buffer.alloc(1000 + ((round * 7919 + key.length * 131) % 90_000), `${key}:${round}`);

/** fsck finds the snapshot clean, and every object its metadata lists reads back from a server on it with its recorded CRC-64. */
async function checkSnapshot(dir: string): Promise<number> {
  const meta = openMetadataStore(dir);
  const listed: Array<{ bucket: string; key: string; versionId?: string; crc64: string }> = [];
  for await (const o of meta.scanObjects()) listed.push({ bucket: o.bucket, key: o.key, versionId: o.versionId, crc64: o.crc64 });
  await meta.close();
  // Nothing missing, nothing extra: fsck finds the copy clean.
  assert.deepEqual((await fsck(dir)).problems, []);
  const { server, cos } = await serve(dir);
  try {
    for (const o of listed) {
      const r = await cos.getObject({ Bucket: o.bucket, Region: REGION, Key: o.key, ...(o.versionId ? { VersionId: o.versionId } : {}) });
      assert.equal(crc64(r.Body), o.crc64, `${o.key} reads back whole`);
    }
  } finally {
    await server.close();
  }
  return listed.length;
}

test('snapshot during concurrent writes: a server on the copy reads every object it lists, whole', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-snap-src-'));
  const outs: string[] = [];
  const out = async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'cosbox-snap-')), 'copy');
    outs.push(dir);
    return dir;
  };
  try {
    const { server, cos } = await serve(dataDir);
    await cos.putBucket({ Bucket, Region: REGION });
    const keys = Array.from({ length: 24 }, (_, i) => `k/${i}`);
    for (const key of keys) await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body(key, 0) });
    await cos.putObject({ Bucket, Region: REGION, Key: 'secret', Body: 'sealed', ServerSideEncryption: 'AES256' });

    // Writers: overwrite, delete and add keys until the snapshots are done.
    let writing = true;
    let writes = 0;
    const writer = async (n: number) => {
      for (let round = 1; writing; round++) {
        const key = keys[(round * 5 + n) % keys.length];
        if (round % 4 === 0) await cos.deleteObject({ Bucket, Region: REGION, Key: key });
        else await cos.putObject({ Bucket, Region: REGION, Key: round % 3 === 0 ? `new/${n}/${round}` : key, Body: body(key, round) });
        writes++;
      }
    };
    const writers = [writer(0), writer(1), writer(2)];
    const first = await out();
    const second = await out();
    let taken: Array<{ status: number; stdout: string; stderr: string }>;
    try {
      taken = [await runSnapshot(dataDir, first), await runSnapshot(dataDir, second)];
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    for (const r of taken) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /hard links/);
    }
    assert.ok(writes > 0);
    // The source server kept serving throughout.
    assert.equal((await cos.getObject({ Bucket, Region: REGION, Key: 'secret' })).Body.toString(), 'sealed');
    await server.close();

    for (const dir of [first, second]) {
      assert.ok((await checkSnapshot(dir)) >= 25);
      assert.equal((await stat(join(dir, 'sse.key'))).mode & 0o777, 0o600);
      assert.deepEqual(await readdir(join(dir, 'tmp')), []);
    }

    // With the server stopped too; and never into a directory that holds something.
    const third = await out();
    assert.equal((await runSnapshot(dataDir, third)).status, 0);
    assert.ok((await checkSnapshot(third)) >= 25);
    const refused = await runSnapshot(dataDir, third);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /is not empty/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    for (const dir of outs) await rm(join(dir, '..'), { recursive: true, force: true });
  }
});
