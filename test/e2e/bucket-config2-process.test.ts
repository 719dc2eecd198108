/**
 * `cosbox serve` flags of issue 16 part 2: access-log lines queued before a SIGKILL are delivered by
 * the next process at `--log-flush-interval`; `--origin-allow` replaces the loopback default.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { bucketName, REGION } from './harness.js';
import { killServerProcesses, startServerProcess } from './process.js';
import { sdkRejects } from './raw.js';

const dirs: string[] = [];
after(async () => {
  killServerProcesses();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('access-log lines survive a SIGKILL and are delivered at --log-flush-interval by the next process', { timeout: 60_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-logkill-'));
  dirs.push(dataDir);
  const first = await startServerProcess(dataDir, ['--log-flush-interval', '3600']);
  const Bucket = bucketName('lk');
  const target = bucketName('lt');
  await first.cos.putBucket({ Bucket, Region: REGION });
  await first.cos.putBucket({ Bucket: target, Region: REGION });
  await first.cos.putBucketLogging({ Bucket, Region: REGION, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: 'k/' } } });
  await first.cos.putObject({ Bucket, Region: REGION, Key: 'before-the-kill', Body: 'x' });
  // A request's line is committed with the next group commit after its response: read something to let it land.
  await first.cos.headBucket({ Bucket, Region: REGION });
  await sleep(200);
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startServerProcess(dataDir, ['--log-flush-interval', '1']);
  let delivered = '';
  for (let i = 0; i < 100 && !delivered.includes('before-the-kill'); i++) {
    await sleep(100);
    const listed = await second.cos.getBucket({ Bucket: target, Region: REGION, Prefix: 'k/' });
    for (const item of listed.Contents) delivered += String((await second.cos.getObject({ Bucket: target, Region: REGION, Key: item.Key })).Body);
  }
  assert.match(delivered, /PutObject .*before-the-kill/);
  second.child.kill('SIGKILL');
  await second.exited;
});

test('--origin-allow: a listed host replaces the loopback default, so a loopback origin is not contacted', { timeout: 60_000 }, async () => {
  let hits = 0;
  const origin = createServer((_req, res) => {
    hits++;
    res.end('from origin');
  });
  await new Promise<void>((ok) => origin.listen(0, '127.0.0.1', ok));
  const port = (origin.address() as { port: number }).port;
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-origin-'));
  dirs.push(dataDir);
  const server = await startServerProcess(dataDir, ['--origin-allow', 'origin.example.com']);
  try {
    const Bucket = bucketName('oa');
    await server.cos.putBucket({ Bucket, Region: REGION });
    await server.cos.putBucketOrigin({
      Bucket,
      Region: REGION,
      OriginRule: [{ RulePriority: 1, OriginType: 'Proxy', OriginCondition: { HTTPStatusCode: 404, Prefix: '' }, OriginInfo: { HostInfo: { HostName: `127.0.0.1:${port}` } } }],
    });
    await sdkRejects(server.cos.getObject({ Bucket, Region: REGION, Key: 'x' }), 404, 'NoSuchKey');
    assert.equal(hits, 0);
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
    await new Promise((ok) => origin.close(ok));
  }
});
