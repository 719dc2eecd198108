/**
 * Memory per request stays flat: a 2 GiB PUT and GET stream through the server without growing its
 * resident set by more than a few MB (issue: storage engine). The figure is memory, not time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { APPID, REGION } from './harness.js';
import { killServerProcesses, rssOf, startServerProcess } from './process.js';

after(killServerProcesses);

const SIZE = 2 * 1024 ** 3;
const CHUNK = Buffer.alloc(1024 * 1024, 'cosbox memory test ');
/** Growth allowed over the warmed-up resident set. */
const ALLOWED_GROWTH = 32 * 1024 * 1024;

function generated(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= SIZE) return void this.push(null);
      sent += CHUNK.length;
      this.push(CHUNK);
    },
  });
}

test('a 2 GiB PUT and GET keep the server resident set flat', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-memory-'));
  try {
    const server = await startServerProcess(dataDir);
    const pid = server.child.pid!;
    const Bucket = `memory-${APPID}`;
    const cos = server.cos;
    await cos.putBucket({ Bucket, Region: REGION });
    // Warm up: the first requests load code and fill caches that then stay. The baseline is the
    // highest resident set seen while warming up: the allocator may hand pages back right after,
    // and a low reading then would count their return as growth.
    let baseline = rssOf(pid);
    for (let i = 0; i < 20; i++) {
      await cos.putObject({ Bucket, Region: REGION, Key: `warm/${i}`, Body: CHUNK });
      await cos.getObject({ Bucket, Region: REGION, Key: `warm/${i}` });
      baseline = Math.max(baseline, rssOf(pid));
    }
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    try {
      const put = await cos.putObject({ Bucket, Region: REGION, Key: 'big', Body: generated(), ContentLength: SIZE });
      const expectedMd5 = createHash('md5');
      for (let i = 0; i < SIZE / CHUNK.length; i++) expectedMd5.update(CHUNK);
      assert.equal(put.ETag, `"${expectedMd5.digest('hex')}"`);

      let received = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          received += chunk.length;
          done();
        },
      });
      await cos.getObject({ Bucket, Region: REGION, Key: 'big', Output: sink });
      assert.equal(received, SIZE);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - baseline;
    process.stdout.write(`# server RSS baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, peak ${(peak / 2 ** 20).toFixed(1)} MiB, growth ${(growth / 2 ** 20).toFixed(1)} MiB\n`);
    assert.ok(growth < ALLOWED_GROWTH, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
