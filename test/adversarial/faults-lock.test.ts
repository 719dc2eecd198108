/**
 * One server per data directory: a second `cosbox serve` on a directory in use exits non-zero with a
 * clear message and touches nothing (before the lock, its start-up sweep deleted blobs the first
 * server was writing and had acknowledged), `cosbox keys` keeps working beside a running server, and
 * the lock dies with its process (SIGKILL leaves no stale lock).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { APPID, REGION } from '../e2e/harness.js';
import { killCosboxProcesses, runCosbox, serveProcess } from './server-process.js';

after(killCosboxProcesses);

const Bucket = `locked-${APPID}`;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** The exit code of a second server, or 'started' (and it is killed) if it got as far as serving. */
function secondServer(dataDir: string): Promise<{ code: number | null | 'started'; output: string }> {
  const p = runCosbox(['serve', '--port', '0', '--data', dataDir]);
  return new Promise((resolve) => {
    p.child.stdout!.on('data', () => {
      if (!p.output().includes('cosbox ready')) return;
      p.child.kill('SIGKILL');
      resolve({ code: 'started', output: p.output() });
    });
    void p.exited.then((code) => resolve({ code, output: p.output() }));
  });
}

/** Every file under `dir` with its size and modification time. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const s = await stat(path);
    out.set(path, `${s.size}:${s.mtimeMs}`);
  }
  return out;
}

test('a second server on a data directory in use exits non-zero, touches nothing, and loses no blob of the first', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-lock-'));
  try {
    const first = await serveProcess(dataDir);
    const cos = first.cos;
    await cos.putBucket({ Bucket, Region: REGION });
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const body = Buffer.from(`settled ${i} `.repeat(1000));
      await cos.putObject({ Bucket, Region: REGION, Key: `settled/${i}`, Body: body });
      acknowledged.set(`settled/${i}`, md5(body));
    }

    // With the first server idle, a second one changes no file at all.
    const before = await tree(dataDir);
    const second = await secondServer(dataDir);
    assert.equal(typeof second.code, 'number', 'the second server does not start');
    assert.notEqual(second.code, 0, 'the second server exits non-zero');
    assert.match(second.output, /data directory .* is in use by another cosbox server/);
    assert.deepEqual(await tree(dataDir), before, 'the second server touched nothing');

    // While the first writes (blobs on disk, not yet committed), more second servers come and go.
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        const key = `busy/${n++}`;
        const body = Buffer.alloc(256 * 1024 + n, key);
        await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body });
        acknowledged.set(key, md5(body));
      }
    };
    const writers = [writer(), writer(), writer()];
    for (let i = 0; i < 3; i++) {
      const again = await secondServer(dataDir);
      assert.equal(typeof again.code, 'number', 'the second server does not start');
      assert.notEqual(again.code, 0);
    }
    writing = false;
    await Promise.all(writers);
    assert.ok(acknowledged.size > 10, 'writes were in flight while the second servers started');

    // `cosbox keys` opens the running server's metadata on purpose, and still can.
    const keys = runCosbox(['keys', 'list', '--data', dataDir]);
    assert.equal(await keys.exited, 0, keys.output());
    assert.match(keys.output(), /AKID/);

    // The first keeps serving, every acknowledged object whole, one blob each.
    for (const [key, digest] of acknowledged) {
      const res = await cos.getObject({ Bucket, Region: REGION, Key: key });
      assert.equal(md5(res.Body as Buffer), digest, key);
    }
    let blobs = 0;
    for (const dir of await readdir(join(dataDir, 'blobs'))) blobs += (await readdir(join(dataDir, 'blobs', dir))).length;
    assert.equal(blobs, acknowledged.size, 'no blob of the first server is gone');

    // SIGKILL leaves no stale lock: a new server starts at once and has everything.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await serveProcess(dataDir);
    for (const [key, digest] of acknowledged) {
      const res = await third.cos.getObject({ Bucket, Region: REGION, Key: key });
      assert.equal(md5(res.Body as Buffer), digest, key);
    }
    third.child.kill('SIGTERM');
    assert.equal(await third.exited, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
