/**
 * The `cosbox` client CLI when things go wrong or a person watches: a `cp` killed (SIGKILL) or
 * interrupted (Ctrl-C, SIGINT) half-way through an upload in parts is resumed by running it again
 * (from its checkpoint), sending only the missing parts, unless the file changed; a download too; on a terminal (a pty from util-linux `script`) it draws progress
 * bars, off one it prints plain lines.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc64 } from '@cosbox/protocol';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { BIN, childEnv, cli, cliEnv, finished, jsonLines, ok, root, startCli, type CliEnv } from './cli-run.js';

let h: Harness;
let e: CliEnv;
let work: string;
before(async () => {
  h = await startHarness();
  e = await cliEnv(h.port);
  work = await mkdtemp(join(tmpdir(), 'cosbox-cli-resume-'));
});
after(async () => {
  await h.close();
  await rm(work, { recursive: true, force: true });
  await rm(e.home, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

/**
 * A TCP proxy in front of the server that counts the bytes clients send and, past `holdAfter`,
 * stops forwarding them (the client then waits, as on a stalled network).
 */
interface Proxy {
  port: number;
  /** Bytes sent by clients (requests). */
  sent(): number;
  /** Bytes sent by the server (responses). */
  received(): number;
  close(): Promise<void>;
}

/** Forwards `from` to `to` until `budget.left` bytes have passed, then holds the rest. */
function forward(from: Socket, to: Socket, budget: { passed: number; limit: number }): void {
  from.on('data', (chunk: Buffer) => {
    const room = budget.limit - budget.passed;
    if (room <= 0) return;
    const pass = chunk.length <= room ? chunk : chunk.subarray(0, room);
    budget.passed += pass.length;
    to.write(pass);
  });
}

async function proxy(target: number, holdAfter = Infinity, holdResponsesAfter = Infinity): Promise<Proxy> {
  const up = { passed: 0, limit: holdAfter };
  const down = { passed: 0, limit: holdResponsesAfter };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    forward(client, upstream, up);
    forward(upstream, client, down);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    sent: () => up.passed,
    received: () => down.passed,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const PARTS = ['--part-size', '1M', '--part-threads', '1', '--multipart-threshold', '1M'];

/** Starts `cp` of a 6 MiB file through a proxy that stalls after 3.5 MiB, and waits until 3 parts are stored. */
async function stalledUpload(bucket: string, file: string, key: string) {
  const stall = await proxy(h.port, 3.5 * MiB);
  const child = startCli(e, ['cp', file, `cos://${bucket}/${key}`, ...PARTS], { COS_ENDPOINT: `http://127.0.0.1:${stall.port}` });
  const result = finished(child);
  await until(() => stall.sent() >= 3.5 * MiB, 'the upload to stall');
  await until(async () => {
    const uploads = (await h.cos.multipartList({ Bucket: bucket, Region: REGION, Prefix: key } as never)) as unknown as { Upload: { UploadId: string }[] };
    if (uploads.Upload.length !== 1) return false;
    const parts = await h.cos.multipartListPart({ Bucket: bucket, Region: REGION, Key: key, UploadId: uploads.Upload[0].UploadId });
    return parts.Part.length === 3;
  }, 'three parts on the server');
  return { child, result, stall };
}

/** Runs the same `cp` again through a counting proxy: it must finish, sending about the missing half. */
async function resumeAndCheck(bucket: string, file: string, key: string, content: Buffer): Promise<void> {
  const counting = await proxy(h.port);
  try {
    const again = await cli(e, ['cp', file, `cos://${bucket}/${key}`, ...PARTS, '--json'], { COS_ENDPOINT: `http://127.0.0.1:${counting.port}` });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(jsonLines(again.stdout)[0].crc64, crc64(content));
    assert.ok(counting.sent() < 4 * MiB, `a resumed upload sends the 3 missing parts, not all 6 (sent ${counting.sent()} bytes)`);
  } finally {
    await counting.close();
  }
  const head = await h.cos.headObject({ Bucket: bucket, Region: REGION, Key: key });
  assert.equal(head.headers?.['x-cos-hash-crc64ecma'], crc64(content));
  assert.match(head.ETag, /-6"$/);
  assert.deepEqual(jsonLines((await ok(e, 'lsparts', '--json', `cos://${bucket}/${key}`)).stdout), [], 'no upload left behind');
}

test('a cp killed half-way (SIGKILL) resumes: the rerun sends only the missing parts; lsparts shows the upload in between', async () => {
  const bucket = bucketName('resume');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const content = randomBytes(6 * MiB);
  const file = join(work, 'killed.bin');
  await writeFile(file, content);
  const { child, result, stall } = await stalledUpload(bucket, file, 'killed.bin');
  child.kill('SIGKILL');
  assert.equal((await result).signal, 'SIGKILL');
  await stall.close();
  const pending = jsonLines((await ok(e, 'lsparts', '--json', `cos://${bucket}/`)).stdout);
  assert.deepEqual(pending.map((u) => [u.key, u.parts, u.bytes]), [['killed.bin', 3, 3 * MiB]]);
  const checkpoints = join(e.home, '.cache/cosbox/uploads');
  assert.equal((await readdir(checkpoints)).filter((f) => f.endsWith('.json')).length, 1, 'a checkpoint is kept');
  await resumeAndCheck(bucket, file, 'killed.bin', content);
  assert.deepEqual(await readdir(checkpoints), [], 'and removed once the upload is complete');
});

test('a file changed after a killed cp is uploaded anew: the stale parts are not used, their upload is aborted', async () => {
  const bucket = bucketName('changed');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const file = join(work, 'changed.bin');
  await writeFile(file, randomBytes(6 * MiB));
  const { child, result, stall } = await stalledUpload(bucket, file, 'changed.bin');
  child.kill('SIGKILL');
  await result;
  await stall.close();
  const changed = randomBytes(6 * MiB);
  await writeFile(file, changed);
  const again = await cli(e, ['cp', file, `cos://${bucket}/changed.bin`, ...PARTS]);
  assert.equal(again.status, 0, again.stderr);
  const head = await h.cos.headObject({ Bucket: bucket, Region: REGION, Key: 'changed.bin' });
  assert.equal(head.headers?.['x-cos-hash-crc64ecma'], crc64(changed));
  assert.deepEqual(jsonLines((await ok(e, 'lsparts', '--json', `cos://${bucket}/`)).stdout), []);
});

test('Ctrl-C (SIGINT) stops a cp cleanly with exit 130 and a hint; the rerun resumes', async () => {
  const bucket = bucketName('sigint');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const content = randomBytes(6 * MiB);
  const file = join(work, 'interrupted.bin');
  await writeFile(file, content);
  const { child, result, stall } = await stalledUpload(bucket, file, 'interrupted.bin');
  child.kill('SIGINT');
  const stopped = await result;
  await stall.close();
  assert.equal(stopped.status, 130, stopped.stderr);
  assert.match(stopped.stderr, /interrupted; run the same command again to resume/);
  await resumeAndCheck(bucket, file, 'interrupted.bin', content);
});

/** Runs a command line under a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    execFile('script', ['-q', '-e', '-c', quoted, '/dev/null'], { cwd: root, env: { ...env, TERM: 'xterm-256color', COLUMNS: '160' }, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

test('on a terminal: progress bars with bytes, speed, ETA and file counts, and colour; off one: plain lines, no escapes', async () => {
  const bucket = bucketName('tty');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const dir = join(work, 'tty');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  await writeFile(join(dir, 'big.bin'), randomBytes(3 * MiB));
  await writeFile(join(dir, 'small.txt'), 'small');

  const screen = await onTerminal(['cp', '-r', dir, `cos://${bucket}/t/`, ...PARTS], childEnv(e));
  const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  assert.match(screen, /\x1b\[/, 'escape sequences: bars redrawn in place, colour');
  assert.match(text, /█+ 100% 3\.0 MiB\/3\.0 MiB \S+ \S+\/s ETA \S+ 2\/2 files/, 'the overall bar, finished');
  assert.match(text, /upload \S+small\.txt -> cos:\/\/\S+\/t\/small\.txt \(5 B\)/);
  assert.match(screen, /\x1b\[32mupload\x1b\[39m/, 'the verb in green');

  const noColor = await onTerminal(['cp', join(dir, 'small.txt'), `cos://${bucket}/n.txt`], { ...childEnv(e), NO_COLOR: '1' });
  assert.match(noColor, /upload /);
  assert.doesNotMatch(noColor, /\x1b\[3\dm/, 'NO_COLOR');
  const flag = await onTerminal(['cp', join(dir, 'small.txt'), `cos://${bucket}/f.txt`, '--no-color'], childEnv(e));
  assert.match(flag, /upload /);
  assert.doesNotMatch(flag, /\x1b\[3\dm/, '--no-color');

  const plain = await cli(e, ['cp', '-r', dir, `cos://${bucket}/p/`, ...PARTS]);
  assert.equal(plain.status, 0);
  assert.doesNotMatch(plain.stdout + plain.stderr, /\x1b\[|█|░/);
  assert.deepEqual(plain.stdout.trim().split('\n').sort(), [
    `upload ${join(dir, 'big.bin')} -> cos://${bucket}/p/big.bin (3.0 MiB)`,
    `upload ${join(dir, 'small.txt')} -> cos://${bucket}/p/small.txt (5 B)`,
  ]);
});

test('a download killed half-way resumes: the rerun fetches only the missing ranges; sync does not list the partial files', async () => {
  const bucket = bucketName('down');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  const content = randomBytes(6 * MiB);
  await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: 'd/big.bin', Body: content });
  const dir = join(work, 'down');
  const target = join(dir, 'big.bin');
  const stall = await proxy(h.port, Infinity, 3.5 * MiB);
  const child = startCli(e, ['sync', `cos://${bucket}/d`, dir, ...PARTS], { COS_ENDPOINT: `http://127.0.0.1:${stall.port}` });
  const result = finished(child);
  const checkpoint = `${target}.cosbox-part.json`;
  await until(async () => {
    const text = await readFile(checkpoint, 'utf8').catch(() => '{}');
    return Object.keys((JSON.parse(text) as { ranges?: object }).ranges ?? {}).length >= 3;
  }, 'three ranges in the checkpoint');
  child.kill('SIGKILL');
  await result;
  await stall.close();
  await assert.rejects(stat(target), { code: 'ENOENT' }, 'no file under the real name before it is complete');
  // A kept range that is not what was recorded (a crash before it reached the disk) is fetched again.
  const partial = await open(`${target}.cosbox-part`, 'r+');
  await partial.write(Buffer.from('garbage'), 0, 7, 0);
  await partial.close();

  const counting = await proxy(h.port);
  try {
    const again = await cli(e, ['sync', `cos://${bucket}/d`, dir, '--delete', '--json', ...PARTS], { COS_ENDPOINT: `http://127.0.0.1:${counting.port}` });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(jsonLines(again.stdout).map((r) => [r.op, r.crc64]), [['download', crc64(content)]], 'no deletion of the partial files');
    assert.ok(counting.received() < 4.5 * MiB, `the rerun fetches the missing ranges and the damaged one, not all 6 MiB (received ${counting.received()} bytes)`);
  } finally {
    await counting.close();
  }
  assert.deepEqual(await readFile(target), content);
  assert.deepEqual(await readdir(dir), ['big.bin'], 'the partial file and its checkpoint are gone');
});

test('on a terminal, rm -r asks first: "n" keeps the objects, "y" removes them', async () => {
  const bucket = bucketName('ask');
  await h.cos.putBucket({ Bucket: bucket, Region: REGION });
  for (const key of ['p/1', 'p/2']) await h.cos.putObject({ Bucket: bucket, Region: REGION, Key: key, Body: key });
  const answer = (reply: string) =>
    new Promise<string>((resolve, reject) => {
      const quoted = [process.execPath, BIN, 'rm', '-r', `cos://${bucket}/p/`].map((a) => `'${a}'`).join(' ');
      const child = spawn('script', ['-q', '-e', '-c', quoted, '/dev/null'], { cwd: root, env: { ...childEnv(e), TERM: 'xterm-256color' } });
      let screen = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        screen += d;
        if (screen.includes('[y/N]') && !child.stdin.writableEnded) child.stdin.end(`${reply}\n`);
      });
      child.on('error', reject);
      child.on('close', () => resolve(screen));
    });
  const kept = await answer('n');
  assert.match(kept, /remove 2 objects from \S+\? \[y\/N\]/);
  assert.equal((await h.cos.getBucket({ Bucket: bucket, Region: REGION })).Contents.length, 2);
  const removed = await answer('y');
  assert.match(removed, /\x1b\[31mdelete\x1b\[39m cos:\/\/\S+\/p\/2/, 'each deletion, the verb in red');
  assert.equal((await h.cos.getBucket({ Bucket: bucket, Region: REGION })).Contents.length, 0);
});
