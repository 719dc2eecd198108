/**
 * `npm run bench:cli [-- --quick]`: the `cosbox` client CLI against a cosbox server (release builds of
 * both, on loopback): `cp -r` of many small files and `cp` of one large file up and down, beside a
 * coscmd-style sequential upload of the same data (one request at a time through @cosbox/sdk,
 * in-process, so it pays no process start), to show whether the CLI is the bottleneck. Figures go to
 * stdout and bench/results/cli-latest.json; nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import COS from '@cosbox/sdk';
import { CREDENTIALS, Target, withAgent } from './client.js';
import { startServer, stopServer } from './servers.js';
import { multipart, putThenGet } from './workloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick') || process.env.npm_config_quick === 'true';
const config = quick ? { smallFiles: 500, largeMiB: 256 } : { smallFiles: 2000, largeMiB: 1024 };
const SMALL_SIZE = 4096;
const MiB = 1024 * 1024;
const PART = 8 * MiB;
const REGION = 'ap-guangzhou';
const BUCKET = `cli-bench-${Date.now().toString(36)}-${CREDENTIALS.appId}`;

function log(message: string): void {
  process.stderr.write(`[bench:cli] ${message}\n`);
}

/** Runs the CLI and returns the wall time in seconds (process start included). */
function cosbox(port: number, args: string[]): Promise<number> {
  const env = { ...process.env, COS_ENDPOINT: `http://127.0.0.1:${port}`, COS_SECRET_ID: CREDENTIALS.secretId, COS_SECRET_KEY: CREDENTIALS.secretKey, COS_REGION: REGION };
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/bin/cosbox.js'), ...args, '--quiet'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`cosbox ${args.join(' ')} exited ${code}`))));
  });
}

async function makeLargeFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(MiB);
  for (let i = 0; i < mib; i++) {
    block.writeUInt32BE(i, 0);
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** coscmd-style: one file after another, one request at a time. */
async function sequentialSmall(cos: COS, dir: string, prefix: string): Promise<number> {
  const t0 = performance.now();
  for (const name of (await readdir(dir)).sort()) {
    await cos.putObject({ Bucket: BUCKET, Region: REGION, Key: `${prefix}${name}`, Body: await readFile(join(dir, name)), SkipTask: true });
  }
  return (performance.now() - t0) / 1000;
}

/** coscmd-style: an upload in parts, one part after another. */
async function sequentialLarge(cos: COS, file: string, key: string): Promise<number> {
  const t0 = performance.now();
  await cos.sliceUploadFile({ Bucket: BUCKET, Region: REGION, Key: key, FilePath: file, ChunkSize: PART, AsyncLimit: 1, SkipTask: true });
  return (performance.now() - t0) / 1000;
}

interface Row {
  metric: string;
  seconds: number;
  rate: string;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(os.tmpdir(), 'cosbox-bench-cli-'));
  const server = await startServer('cosbox');
  const rows: Row[] = [];
  try {
    const cos = new COS({ SecretId: CREDENTIALS.secretId, SecretKey: CREDENTIALS.secretKey, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` });
    await cosbox(server.port, ['mb', `cos://${BUCKET}`]);
    const small = join(work, 'small');
    await mkdir(small);
    for (let i = 0; i < config.smallFiles; i++) await writeFile(join(small, `f${String(i).padStart(5, '0')}.bin`), randomBytes(SMALL_SIZE));
    const large = join(work, 'large.bin');
    log(`writing ${config.largeMiB} MiB`);
    await makeLargeFile(large, config.largeMiB);

    const smallRow = (metric: string, s: number) => rows.push({ metric, seconds: s, rate: `${(config.smallFiles / s).toFixed(0)} files/s` });
    const largeRow = (metric: string, s: number) => rows.push({ metric, seconds: s, rate: `${(config.largeMiB / s).toFixed(0)} MiB/s` });

    log(`cp -r of ${config.smallFiles} files`);
    smallRow(`cosbox cp -r ${config.smallFiles} x 4 KiB (8 files at once)`, await cosbox(server.port, ['cp', '-r', small, `cos://${BUCKET}/cli-small/`]));
    smallRow(`cosbox cp -r ${config.smallFiles} x 4 KiB --threads 32`, await cosbox(server.port, ['cp', '-r', small, `cos://${BUCKET}/cli-small32/`, '--threads', '32']));
    log('sequential small');
    smallRow(`sequential PUTs ${config.smallFiles} x 4 KiB (coscmd-style)`, await sequentialSmall(cos, small, 'seq-small/'));

    log(`cp of ${config.largeMiB} MiB`);
    largeRow(`cosbox cp ${config.largeMiB} MiB up (8 MiB parts, 4 at once)`, await cosbox(server.port, ['cp', large, `cos://${BUCKET}/cli-large.bin`]));
    largeRow(`cosbox cp ${config.largeMiB} MiB up (8 MiB parts, 8 at once)`, await cosbox(server.port, ['cp', large, `cos://${BUCKET}/cli-large8.bin`, '--part-threads', '8']));
    log('sequential large');
    largeRow(`sequential parts ${config.largeMiB} MiB up (coscmd-style)`, await sequentialLarge(cos, large, 'seq-large.bin'));
    log('download');
    largeRow(`cosbox cp ${config.largeMiB} MiB down (8 MiB ranges, 4 at once)`, await cosbox(server.port, ['cp', `cos://${BUCKET}/cli-large.bin`, join(work, 'down.bin')]));
    await cosbox(server.port, ['rb', '--force', `cos://${BUCKET}`]);

    // The server's own figures in the same conditions: bench/run.ts's load generator (raw signed
    // requests, no client-side hashing, no process start).
    log('server figures (bench/run.ts workloads)');
    const target = new Target('cosbox', server.port);
    await withAgent(1, (agent) => target.ok(agent, { method: 'PUT', bucket: 'bench', key: '' }));
    const small4k = await putThenGet(target, 'small/', randomBytes(SMALL_SIZE), 32, 5, 10_000);
    rows.push({ metric: 'server: 4 KiB PUTs, 32 at once (bench/run.ts)', seconds: small4k.put.seconds, rate: `${small4k.put.opsPerSec.toFixed(0)} PUTs/s` });
    const parts = await multipart(target, randomBytes(8 * MiB), config.largeMiB);
    if (!parts.implemented) throw new Error('multipart not implemented');
    rows.push({ metric: `server: multipart ${config.largeMiB} MiB, 8 MiB parts 4 at once (bench/run.ts)`, seconds: config.largeMiB / parts.mibPerSec, rate: `${parts.mibPerSec.toFixed(0)} MiB/s` });
  } finally {
    await stopServer(server);
    await rm(work, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map((r) => r.metric.length));
  const lines = [`${'metric'.padEnd(width)} | seconds | rate`, `${'-'.repeat(width)}-|---------|------------`];
  for (const r of rows) lines.push(`${r.metric.padEnd(width)} | ${r.seconds.toFixed(2).padStart(7)} | ${r.rate}`);
  process.stdout.write(lines.join('\n') + '\n');
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(
    join(ROOT, 'bench/results/cli-latest.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cpus: os.cpus().length, quick, rows }, null, 2) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:cli] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
