/**
 * Under a flood, normal requests are served. `cosbox serve` runs as its own process with the open-
 * files limit of a default Linux shell (1,024) and small timeouts; another process holds 2,000 idle
 * connections from 127.0.0.2 and 500 uploads from 127.0.0.3 that send a byte every 250 ms, opening
 * each again as soon as it is closed. Before the limits, this took every descriptor (the server
 * stopped accepting at all); now the cap keeps the server below its descriptor limit, the
 * per-address share keeps room for other clients, and slow bodies end in 400 RequestTimeOut.
 *
 * The normal client (the official SDK, from 127.0.0.1) must succeed at every request; its latencies
 * before and during the flood are reported (not asserted).
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { APPID, REGION } from '../e2e/harness.js';
import { authorization, bucketHost } from '../e2e/raw.js';
import { killCosboxProcesses, openDescriptors, serveProcess } from './server-process.js';

after(killCosboxProcesses);

const Bucket = `flood-${APPID}`;
const IDLE = 2000;
const SLOW = 500;
const DESCRIPTORS = 1024;

interface FloodStats {
  connects: number;
  closed: number;
  refused: number;
  requestTimeOut: number;
  open: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(1)} ms, p90 ${percentile(s, 90).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms (${s.length} requests)`;
}

test('2,000 idle connections and 500 slow uploads do not stop normal requests', { timeout: 180_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-flood-'));
  try {
    const server = await serveProcess(dataDir, ['--headers-timeout', '3', '--body-timeout', '2', '--body-min-rate', '100', '--keep-alive-timeout', '2'], { nofile: DESCRIPTORS });
    const pid = server.child.pid!;
    const cos = server.cos;
    await cos.putBucket({ Bucket, Region: REGION });

    /** PUT and GET of a 4 KiB object, timed; every one must succeed. */
    const body = Buffer.alloc(4096, 'n');
    async function normal(rounds: number): Promise<number[]> {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const key = `normal/${i}`;
        let started = performance.now();
        await cos.putObject({ Bucket, Region: REGION, Key: key, Body: body });
        times.push(performance.now() - started);
        started = performance.now();
        const got = await cos.getObject({ Bucket, Region: REGION, Key: key });
        times.push(performance.now() - started);
        assert.equal((got.Body as Buffer).length, body.length);
      }
      return times;
    }
    const baseline = await normal(25);

    const slowHeaders = { host: bucketHost(Bucket), 'content-length': 1024 * 1024 };
    const slowHead = `PUT /slow HTTP/1.1\r\nHost: ${slowHeaders.host}\r\nContent-Length: ${slowHeaders['content-length']}\r\nAuthorization: ${authorization('PUT', '/slow', slowHeaders)}\r\n\r\n`;
    const flood = fork(new URL('./flood.mjs', import.meta.url).pathname, [
      JSON.stringify({ port: server.port, idle: IDLE, slow: SLOW, idleAddress: '127.0.0.2', slowAddress: '127.0.0.3', slowHead, dripMs: 250, reconnectMs: 500 }),
    ]);
    const stats = () =>
      new Promise<FloodStats>((resolve) => {
        flood.once('message', (m) => resolve(m as FloodStats));
        flood.send('stats');
      });
    try {
      // Let the flood reach the server's cap and the first slow bodies time out.
      let peakDescriptors = 0;
      for (let i = 0; i < 30; i++) {
        await sleep(100);
        peakDescriptors = Math.max(peakDescriptors, openDescriptors(pid));
      }
      const sampler = setInterval(() => (peakDescriptors = Math.max(peakDescriptors, openDescriptors(pid))), 100);
      const during = await normal(25).finally(() => clearInterval(sampler));
      const seen = await stats();

      t.diagnostic(`normal requests before the flood: ${summary(baseline)}`);
      t.diagnostic(`normal requests during the flood: ${summary(during)}`);
      t.diagnostic(`flood: ${JSON.stringify(seen)}; server descriptors at most ${peakDescriptors} of ${DESCRIPTORS}`);
      console.log(`# before: ${summary(baseline)}\n# during: ${summary(during)}\n# flood ${JSON.stringify(seen)}, server fds peak ${peakDescriptors}/${DESCRIPTORS}`);

      assert.ok(seen.connects >= IDLE + SLOW, 'every flood connection was attempted at least once');
      assert.ok(seen.requestTimeOut > 0, 'slow uploads ended in 400 RequestTimeOut');
      assert.ok(seen.refused > 0, 'connections beyond the share were refused');
      assert.ok(peakDescriptors < DESCRIPTORS, 'the server stayed below its descriptor limit');
      assert.equal(server.child.exitCode, null, 'the server is still running');
    } finally {
      flood.send('stop');
      await new Promise((resolve) => flood.once('exit', resolve));
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
