/**
 * `npm run bench -- --postgres [--quick]`: cosbox with its metadata on SQLite (one gateway, the
 * default), on PostgreSQL (one gateway) and on PostgreSQL with two gateways on one data directory
 * behind the round-robin proxy of bench/proxy.ts; the same workloads as the main bench, with the
 * ratios against SQLite. PostgreSQL is a private cluster with fsync on (as durable as cosbox's
 * SQLite), installed by scripts/ensure-postgres.sh when missing. Figures go to
 * bench/results/gateways.json; nothing is asserted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startTestCluster } from '../packages/server/src/storage/metadata/postgres/test-cluster.js';
import { Target, withAgent } from './client.js';
import { startProxy } from './proxy.js';
import { startServer, stopServer, type RunningServer } from './servers.js';
import { listing, multipart, putThenGet, type Listing, type Multipart, type Throughput } from './workloads.js';

const MiB = 1024 * 1024;
type Setup = 'sqlite' | 'postgres' | 'postgres x2';
const SETUPS: readonly Setup[] = ['sqlite', 'postgres', 'postgres x2'];

interface Result {
  large?: { put: Throughput; get: Throughput };
  small?: { put: Throughput; get: Throughput };
  listing?: Listing;
  multipart?: Multipart;
  errors: Record<string, string>;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function attempt<T>(result: Result, setup: Setup, workload: string, fn: () => Promise<T>): Promise<T | undefined> {
  log(`${setup}: ${workload}`);
  try {
    return await fn();
  } catch (err) {
    result.errors[workload] = (err as Error).message;
    log(`${setup}: ${workload} FAILED: ${(err as Error).message}`);
    return undefined;
  }
}

export async function benchGateways(quick: boolean): Promise<number> {
  const config = quick
    ? { phaseSeconds: 3, listKeys: 5_000, fillBudgetSeconds: 20, pageRuns: 50, pageSeconds: 3, multipartMiB: 128 }
    : { phaseSeconds: 10, listKeys: 50_000, fillBudgetSeconds: 120, pageRuns: 200, pageSeconds: 10, multipartMiB: 512 };
  const large = randomBytes(64 * MiB);
  const small = randomBytes(4 * 1024);
  log(`starting a private PostgreSQL cluster (fsync on)`);
  const cluster = await startTestCluster('bench_admin', { durable: true });
  const results = {} as Record<Setup, Result>;
  try {
    const database = async (name: string) => {
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return cluster.url.replace(/\/[^/]*$/, `/${name}`);
    };
    for (const setup of SETUPS) {
      const result: Result = { errors: {} };
      results[setup] = result;
      const servers: RunningServer[] = [];
      const shared = await mkdtemp(join(tmpdir(), 'cosbox-bench-gateways-'));
      let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
      try {
        let port: number;
        if (setup === 'sqlite') {
          servers.push(await startServer('cosbox'));
          port = servers[0].port;
        } else {
          const url = await database(setup === 'postgres' ? 'bench_one' : 'bench_two');
          const count = setup === 'postgres' ? 1 : 2;
          for (let i = 0; i < count; i++) servers.push(await startServer('cosbox', { dataDir: shared, args: ['--metadata', url, '--gateway-id', `bench-${i}`] }));
          if (count > 1) proxy = await startProxy(servers.map((s) => s.port));
          port = proxy?.port ?? servers[0].port;
        }
        const target = new Target('cosbox', port);
        await withAgent(1, async (agent) => {
          for (const bucket of ['bench', 'list'] as const) await target.ok(agent, { method: 'PUT', bucket, key: '' });
        });
        result.large = await attempt(result, setup, 'large objects', () => putThenGet(target, 'large/', large, 4, config.phaseSeconds, 16));
        result.small = await attempt(result, setup, 'small objects', () => putThenGet(target, 'small/', small, 32, config.phaseSeconds, 20_000));
        result.listing = await attempt(result, setup, 'listing', () => listing(target, config));
        result.multipart = await attempt(result, setup, 'multipart', () => multipart(target, large, config.multipartMiB));
      } catch (err) {
        result.errors.start = (err as Error).message;
        log(`${setup} FAILED: ${(err as Error).message}`);
      } finally {
        await proxy?.close();
        for (const s of servers) await stopServer(s);
        await rm(shared, { recursive: true, force: true });
      }
    }
  } finally {
    cluster.stop();
  }

  const rows: Array<{ label: string; pick: (r: Result) => number | undefined }> = [
    { label: 'large PUT 64 MiB x4, MiB/s', pick: (r) => r.large?.put.mibPerSec },
    { label: 'large GET 64 MiB x4, MiB/s', pick: (r) => r.large?.get.mibPerSec },
    { label: 'small PUT 4 KiB x32, ops/s', pick: (r) => r.small?.put.opsPerSec },
    { label: 'small PUT p50, ms', pick: (r) => r.small?.put.p50Ms },
    { label: 'small PUT p99, ms', pick: (r) => r.small?.put.p99Ms },
    { label: 'small GET 4 KiB x32, ops/s', pick: (r) => r.small?.get.opsPerSec },
    { label: 'small GET p50, ms', pick: (r) => r.small?.get.p50Ms },
    { label: `list ${config.listKeys.toLocaleString('en')} keys whole, s`, pick: (r) => r.listing?.listAllSeconds },
    { label: 'list page prefix=d5/ delimiter=/ p50, ms', pick: (r) => r.listing?.pageP50Ms },
    { label: `multipart ${config.multipartMiB} MiB, MiB/s`, pick: (r) => (r.multipart?.implemented ? r.multipart.mibPerSec : undefined) },
    { label: 'multipart Complete, ms', pick: (r) => (r.multipart?.implemented ? r.multipart.completeMs : undefined) },
  ];
  const fmt = (n: number | undefined) => (n === undefined ? 'failed' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  const header = ['metric', ...SETUPS, 'postgres/sqlite', 'postgres x2/sqlite'];
  const lines = rows.map((row) => {
    const [s, p, p2] = SETUPS.map((setup) => row.pick(results[setup]));
    const ratio = (x: number | undefined) => (x === undefined || s === undefined || s === 0 ? '-' : fmt(x / s));
    return [row.label, fmt(s), fmt(p), fmt(p2), ratio(p), ratio(p2)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  console.log(`\ncosbox on SQLite and PostgreSQL (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}\n`);
  console.log([render(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(render)].join('\n'));
  const failures = SETUPS.flatMap((s) => Object.entries(results[s].errors).map(([w, e]) => `  ${s} ${w}: ${e}`));
  if (failures.length > 0) console.log(`\nFailures:\n${failures.join('\n')}`);
  const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
  await mkdir(resultsDir, { recursive: true });
  const cpus = os.cpus();
  await writeFile(
    `${resultsDir}gateways.json`,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length }, quick, config, results }, null, 2)}\n`,
  );
  log('figures written to bench/results/gateways.json');
  return failures.length > 0 ? 1 : 0;
}
