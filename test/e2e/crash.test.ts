/**
 * Crash safety (issue: storage engine): SIGKILL the server while uploads and overwrites are in
 * flight, start it again on the same data directory, and check that every key holds either its old
 * or its new complete content, and that no temporary file or orphan blob remains.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN } from './harness.js';

const root = new URL('../..', import.meta.url).pathname;
const Bucket = `crash-${APPID}`;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts `cosbox serve` as its own process; resolves with the process and its port. */
async function startServerProcess(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn'],
    {
      cwd: root,
      env: { ...process.env, COSBOX_SECRET_ID: SECRET_ID, COSBOX_SECRET_KEY: SECRET_KEY, COSBOX_APPID: APPID, COSBOX_UIN: UIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${out}`)));
  });
  return { child, port };
}

function client(port: number): COS {
  return new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` } as COS.COSOptions);
}

/** Deterministic content for a key and version, large enough to be in flight when the kill comes. */
function content(key: string, version: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let seed = createHash('sha256').update(`${key}/${version}`).digest();
  for (let i = 0; i < size; i += seed.length) {
    seed.copy(out, i);
    seed = createHash('sha256').update(seed).digest();
  }
  return out;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

test('SIGKILL during uploads and overwrites: every key is old or new, whole; nothing is left over', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-crash-'));
  try {
    const first = await startServerProcess(dataDir);
    const cos = client(first.port);
    await cos.putBucket({ Bucket, Region: REGION });

    // Old versions of 20 keys, committed before the crash.
    const keys = Array.from({ length: 20 }, (_, i) => `existing/${i}`);
    const expected = new Map<string, Set<string>>();
    for (const key of keys) {
      const body = content(key, 1, 64 * 1024);
      await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body });
      expected.set(key, new Set([md5(body)]));
    }

    // In flight: overwrites of those keys and brand-new keys, 256 KiB to 3 MiB each.
    const fresh = Array.from({ length: 20 }, (_, i) => `fresh/${i}`);
    let completed = 0;
    const writes = [...keys, ...fresh].map((key, i) => {
      const body = content(key, 2, 256 * 1024 + ((i * 137_731) % (3 * 1024 * 1024)));
      const possible = expected.get(key) ?? new Set<string>(['absent']);
      possible.add(md5(body));
      expected.set(key, possible);
      return cos.putObject({ Bucket, Region: REGION, Key: key, Body: body }).then(
        () => void completed++,
        () => undefined,
      );
    });
    // Kill once a few writes have committed and the rest are mid-way.
    const deadline = Date.now() + 5000;
    while (completed < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await Promise.all(writes);
    assert.ok(completed < keys.length + fresh.length, 'the kill came while writes were still in flight');

    const second = await startServerProcess(dataDir);
    const after = client(second.port);
    let objects = 0;
    for (const [key, possible] of expected) {
      let got: string;
      try {
        const res = await after.getObject({ Bucket, Region: REGION, Key: key });
        got = md5(res.Body as Buffer);
        objects++;
      } catch (error) {
        assert.equal((error as { statusCode?: number }).statusCode, 404, `${key}: ${String(error)}`);
        got = 'absent';
      }
      assert.ok(possible.has(got), `${key} holds neither its old nor its new content`);
    }
    for (const key of keys) assert.notEqual(expected.get(key)?.has('absent'), true, 'old keys never vanish');

    const list = await after.getBucket({ Bucket, Region: REGION, MaxKeys: 1000 });
    assert.equal(list.Contents.length, objects);
    assert.deepEqual(await filesUnder(join(dataDir, 'tmp')), [], 'no temporary file remains');
    assert.equal((await filesUnder(join(dataDir, 'blobs'))).length, objects, 'one blob per object: no orphan remains');

    second.child.kill('SIGTERM');
    const code = await new Promise((r) => second.child.once('exit', r));
    assert.equal(code, 0, 'SIGTERM stops the server cleanly');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
