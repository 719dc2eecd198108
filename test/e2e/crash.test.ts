/**
 * Crash safety (issue: storage engine): SIGKILL the server while uploads and overwrites are in
 * flight, start it again on the same data directory, and check that every key holds either its old
 * or its new complete content, and that no temporary file or orphan blob remains.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { APPID, REGION } from './harness.js';
import { killServerProcesses, startServerProcess } from './process.js';

const Bucket = `crash-${APPID}`;
after(killServerProcesses);

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

/** The crash run, with `args` for `cosbox serve` (one process, or --workers). */
async function crashRun(args: string[]): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-crash-'));
  try {
    const first = await startServerProcess(dataDir, args);
    const cos = first.cos;
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
    await first.exited;
    await Promise.all(writes);
    assert.ok(completed < keys.length + fresh.length, 'the kill came while writes were still in flight');

    const second = await startServerProcess(dataDir, args);
    const after = second.cos;
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
    assert.equal(await second.exited, 0, 'SIGTERM stops the server cleanly');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

test('SIGKILL during uploads and overwrites: every key is old or new, whole; nothing is left over', () => crashRun([]));

// SIGKILL of the primary: its workers exit as their channel closes; the next server waits for them
// (their shared lock) before it sweeps.
test('--workers 2: SIGKILL of the primary during uploads and overwrites: every key is old or new, whole; nothing is left over', () => crashRun(['--workers', '2']));
