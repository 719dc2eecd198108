/**
 * `npm run bench [-- --quick]`: runs the same workloads against cosbox (release build), the "limit"
 * reference server and s3rver, one server at a time, and prints one table row per metric with the
 * ratios cosbox/limit and cosbox/s3rver. Figures also go to bench/results/latest.json.
 * Progress and errors go to stderr; a failed workload is reported, never hidden, and makes the exit
 * status 1 (there are no timing assertions).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Target, withAgent, type ServerName } from './client.js';
import { procStatusMiB, sampleRss, startServer, stopServer } from './servers.js';
import { listing, multipart, putThenGet, type Listing, type Multipart, type Throughput } from './workloads.js';

// `npm run bench -- --quick` passes the flag to us; `npm run bench --quick` gives it to npm, which
// hands it on as npm_config_quick. Both mean quick.
const quick = process.argv.includes('--quick') || process.env.npm_config_quick === 'true';
/** Sized so that --quick stays under 2 minutes and the full run under 15 on a 2-core machine. */
const config = quick
  ? { phaseSeconds: 3, listKeys: 10_000, fillBudgetSeconds: 20, pageRuns: 50, pageSeconds: 3, multipartMiB: 256 }
  : { phaseSeconds: 15, listKeys: 100_000, fillBudgetSeconds: 240, pageRuns: 200, pageSeconds: 20, multipartMiB: 1024 };
// `npm run bench -- --postgres`: cosbox on SQLite vs on PostgreSQL, one gateway and two (bench/gateways.ts).
if (process.argv.includes('--postgres') || process.env.npm_config_postgres === 'true') {
  const { benchGateways } = await import('./gateways.js');
  process.exit(await benchGateways(quick));
}
const SERVERS: readonly ServerName[] = ['cosbox', 'limit', 's3rver'];
const MiB = 1024 * 1024;

interface ServerResult {
  large?: { put: Throughput; get: Throughput };
  small?: { put: Throughput; get: Throughput };
  listing?: Listing;
  multipart?: Multipart;
  /** Peak VmRSS sampled every 50 ms during the large-object runs. */
  rssLargeMiB?: number;
  /** VmHWM at the end of the server's run. */
  rssHighWaterMiB?: number;
  /** Workload name -> error message. */
  errors: Record<string, string>;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Runs one workload; an error is recorded against it and the remaining workloads still run. */
async function attempt<T>(result: ServerResult, name: string, workload: string, fn: () => Promise<T>): Promise<T | undefined> {
  log(`${name}: ${workload}`);
  const t0 = performance.now();
  try {
    const value = await fn();
    log(`${name}: ${workload} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return value;
  } catch (err) {
    result.errors[workload] = (err as Error).message;
    log(`${name}: ${workload} FAILED: ${(err as Error).message}`);
    return undefined;
  }
}

async function benchServer(name: ServerName, large: Buffer, small: Buffer): Promise<ServerResult> {
  const result: ServerResult = { errors: {} };
  const server = await attempt(result, name, 'start', () => startServer(name));
  if (server === undefined) return result;
  try {
    const target = new Target(name, server.port);
    if (name === 'cosbox') {
      // The other servers have their buckets already (s3rver: configureBuckets; limit: none needed).
      const created = await attempt(result, name, 'create buckets', () =>
        withAgent(1, async (agent) => {
          for (const bucket of ['bench', 'list'] as const) await target.ok(agent, { method: 'PUT', bucket, key: '' });
          return true;
        }),
      );
      if (created === undefined) return result;
    }
    const stopSampling = sampleRss(server.pid);
    result.large = await attempt(result, name, 'large objects', () => putThenGet(target, 'large/', large, 4, config.phaseSeconds, 16));
    result.rssLargeMiB = stopSampling();
    result.small = await attempt(result, name, 'small objects', () => putThenGet(target, 'small/', small, 32, config.phaseSeconds, 20_000));
    if (name !== 'limit') {
      result.listing = await attempt(result, name, 'listing', () => listing(target, config));
      result.multipart = await attempt(result, name, 'multipart', () => multipart(target, large, config.multipartMiB));
    }
    result.rssHighWaterMiB = await procStatusMiB(server.pid, 'VmHWM');
  } finally {
    const t0 = performance.now();
    await stopServer(server);
    log(`${name}: stop took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return result;
}

// ---- the table -------------------------------------------------------------------------------

/** A cell: a figure, a text such as "n/a", or undefined when the workload failed. */
type Cell = number | string | undefined;

interface Row {
  label: string;
  value(r: ServerResult, name: ServerName): Cell;
  /** A footnote when the figure was measured under different conditions (never silently). */
  note?(r: ServerResult, name: ServerName): string | undefined;
}

function listingCell(name: ServerName, r: ServerResult, pick: (l: Listing) => number): Cell {
  return name === 'limit' ? 'n/a' : r.listing && pick(r.listing);
}

function multipartCell(name: ServerName, r: ServerResult, pick: (m: Extract<Multipart, { implemented: true }>) => number): Cell {
  if (name === 'limit') return 'n/a';
  if (r.multipart === undefined) return undefined;
  return r.multipart.implemented ? pick(r.multipart) : 'n/a (multipart not implemented)';
}

const listNote = (r: ServerResult, name: ServerName): string | undefined =>
  r.listing && r.listing.keys < r.listing.targetKeys
    ? `${name} held only ${r.listing.keys.toLocaleString('en')} of ${r.listing.targetKeys.toLocaleString('en')} keys (fill stopped after ${config.fillBudgetSeconds} s)`
    : undefined;

const ROWS: Row[] = [
  { label: 'large PUT 64 MiB x4, MiB/s', value: (r) => r.large?.put.mibPerSec },
  { label: 'large GET 64 MiB x4, MiB/s', value: (r) => r.large?.get.mibPerSec },
  { label: 'small PUT 4 KiB x32, ops/s', value: (r) => r.small?.put.opsPerSec },
  { label: 'small PUT p50, ms', value: (r) => r.small?.put.p50Ms },
  { label: 'small PUT p99, ms', value: (r) => r.small?.put.p99Ms },
  { label: 'small GET 4 KiB x32, ops/s', value: (r) => r.small?.get.opsPerSec },
  { label: 'small GET p50, ms', value: (r) => r.small?.get.p50Ms },
  { label: 'small GET p99, ms', value: (r) => r.small?.get.p99Ms },
  { label: `list ${config.listKeys.toLocaleString('en')} keys whole, s`, value: (r, n) => listingCell(n, r, (l) => l.listAllSeconds), note: listNote },
  { label: 'list page prefix=d5/ delimiter=/ p50, ms', value: (r, n) => listingCell(n, r, (l) => l.pageP50Ms), note: listNote },
  { label: `multipart ${config.multipartMiB} MiB, MiB/s`, value: (r, n) => multipartCell(n, r, (m) => m.mibPerSec) },
  { label: 'multipart Complete, ms', value: (r, n) => multipartCell(n, r, (m) => m.completeMs) },
  { label: 'RSS peak during large objects, MiB', value: (r) => r.rssLargeMiB },
  { label: 'RSS high-water whole run, MiB', value: (r) => r.rssHighWaterMiB },
];

function formatNumber(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function formatCell(cell: Cell, marked: boolean): string {
  const text = cell === undefined ? 'failed' : typeof cell === 'number' ? formatNumber(cell) : cell;
  return marked ? `${text} *` : text;
}

function ratio(a: Cell, b: Cell): number | undefined {
  return typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : undefined;
}

interface TableRow {
  label: string;
  values: Record<ServerName, Cell>;
  cosboxOverLimit: number | undefined;
  cosboxOverS3rver: number | undefined;
  /** Footnotes by server; that server's cell and the ratios using it are marked `*`. */
  notes: Partial<Record<ServerName, string>>;
}

function tableRows(results: Record<ServerName, ServerResult>): TableRow[] {
  return ROWS.map((row) => {
    const values = { cosbox: undefined, limit: undefined, s3rver: undefined } as Record<ServerName, Cell>;
    const notes: Partial<Record<ServerName, string>> = {};
    for (const name of SERVERS) {
      values[name] = row.value(results[name], name);
      const note = row.note?.(results[name], name);
      if (note !== undefined) notes[name] = note;
    }
    return { label: row.label, values, cosboxOverLimit: ratio(values.cosbox, values.limit), cosboxOverS3rver: ratio(values.cosbox, values.s3rver), notes };
  });
}

function renderTable(rows: TableRow[]): string {
  const header = ['metric', ...SERVERS, 'cosbox/limit', 'cosbox/s3rver'];
  const notes = new Set<string>();
  const lines = rows.map((row) => {
    Object.values(row.notes).forEach((n) => notes.add(n));
    const marked = (...names: ServerName[]): boolean => names.some((s) => row.notes[s] !== undefined);
    const ratioText = (x: number | undefined, other: ServerName): string => (x === undefined ? '-' : formatCell(x, marked('cosbox', other)));
    return [
      row.label,
      ...SERVERS.map((s) => formatCell(row.values[s], marked(s))),
      ratioText(row.cosboxOverLimit, 'limit'),
      ratioText(row.cosboxOverS3rver, 's3rver'),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ');
  const out = [render(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(render)];
  for (const n of notes) out.push(`* ${n}`);
  return out.join('\n');
}

/** The README's targets, reported (not asserted) against the figures of this run. */
function renderTargets(rows: TableRow[], results: Record<ServerName, ServerResult>): string {
  const byLabel = (prefix: string): TableRow | undefined => rows.find((r) => r.label.startsWith(prefix));
  const check = (what: string, value: number | undefined, ok: (v: number) => boolean): string =>
    `  ${(value === undefined ? '?' : ok(value) ? 'met' : 'MISSED').padEnd(6)}  ${what}: ${value === undefined ? 'no figure' : formatNumber(value)}`;
  const lines = ['Targets (reported, not asserted):'];
  for (const label of ['large PUT', 'large GET']) lines.push(check(`${label} >= 0.9 x limit`, byLabel(label)?.cosboxOverLimit, (v) => v >= 0.9));
  for (const label of ['small PUT 4 KiB', 'small GET 4 KiB']) {
    lines.push(check(`${label} >= 0.8 x limit`, byLabel(label)?.cosboxOverLimit, (v) => v >= 0.8));
    lines.push(check(`${label} >= 1.5 x s3rver`, byLabel(label)?.cosboxOverS3rver, (v) => v >= 1.5));
  }
  const page = results.cosbox.listing;
  const fullTree = page !== undefined && page.keys >= 100_000;
  lines.push(check(`list page p50 < 10 ms${fullTree ? '' : ' (measured on fewer than 100,000 keys)'}`, page?.pageP50Ms, (v) => v < 10));
  const under150MB = (mib: number): boolean => mib * MiB < 150e6;
  lines.push(check('cosbox RSS peak during large objects < 150 MB (143 MiB)', results.cosbox.rssLargeMiB, under150MB));
  lines.push(check('cosbox RSS high-water whole run < 150 MB (143 MiB)', results.cosbox.rssHighWaterMiB, under150MB));
  return lines.join('\n');
}

// ---- scaling ---------------------------------------------------------------------------------

interface ScalingPoint {
  processes: number;
  limit: { largeGetMiBps?: number; smallGetOps?: number; smallPutOps?: number };
  cosbox: { largeGetMiBps?: number; smallGetOps?: number; smallPutOps?: number };
}

/** The limit server as N processes and cosbox with --workers N, for N = 1, 2, 4... up to the cores. */
async function scalingRuns(cores: number, large: Buffer, small: Buffer): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (let n = 1; n <= cores; n *= 2) {
    const point: ScalingPoint = { processes: n, limit: {}, cosbox: {} };
    for (const name of ['limit', 'cosbox'] as const) {
      const result: ServerResult = { errors: {} };
      const server = await attempt(result, `${name} x${n}`, 'start', () => startServer(name, { args: ['--workers', String(n)] }));
      if (!server) continue;
      try {
        const target = new Target(name, server.port);
        if (name === 'cosbox') await withAgent(1, (agent) => target.ok(agent, { method: 'PUT', bucket: 'bench', key: '' }));
        const largeRun = await attempt(result, `${name} x${n}`, 'large objects', () => putThenGet(target, 'large/', large, 4 * n, config.phaseSeconds, 16));
        const smallRun = await attempt(result, `${name} x${n}`, 'small objects', () => putThenGet(target, 'small/', small, 32 * n, config.phaseSeconds, 20_000));
        point[name] = { largeGetMiBps: largeRun?.get.mibPerSec, smallGetOps: smallRun?.get.opsPerSec, smallPutOps: smallRun?.put.opsPerSec };
      } finally {
        await stopServer(server);
      }
    }
    points.push(point);
  }
  const f = (v: number | undefined) => (v === undefined ? '-' : formatNumber(v));
  console.log('\nscaling (processes: limit / cosbox; large GET MiB/s, small GET ops/s, small PUT ops/s)');
  for (const p of points) {
    console.log(`  ${String(p.processes).padStart(2)}: large GET ${f(p.limit.largeGetMiBps)} / ${f(p.cosbox.largeGetMiBps)}, small GET ${f(p.limit.smallGetOps)} / ${f(p.cosbox.smallGetOps)}, small PUT ${f(p.limit.smallPutOps)} / ${f(p.cosbox.smallPutOps)}`);
  }
  return points;
}

// ---- main ------------------------------------------------------------------------------------

const started = performance.now();
log(`${quick ? 'quick' : 'full'} run: ${JSON.stringify(config)}`);
log(`startup took ${(performance.now() / 1000).toFixed(1)} s`);
const largePayload = randomBytes(64 * MiB);
const smallPayload = randomBytes(4 * 1024);
const results = {} as Record<ServerName, ServerResult>;
for (const name of SERVERS) results[name] = await benchServer(name, largePayload, smallPayload);

const rows = tableRows(results);
console.log(`\ncosbox benchmark (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}\n`);
console.log(renderTable(rows));
console.log(`\n${renderTargets(rows, results)}`);
const failures = SERVERS.flatMap((s) => Object.entries(results[s].errors).map(([w, e]) => `  ${s} ${w}: ${e}`));
if (failures.length > 0) console.log(`\nFailures:\n${failures.join('\n')}`);
const wallSeconds = (performance.now() - started) / 1000;
console.log(`\nwall time ${wallSeconds.toFixed(1)} s`);

const cpus = os.cpus();
const scaling = cpus.length > 2 ? await scalingRuns(cpus.length, largePayload, smallPayload) : undefined;
if (!scaling) console.log(`\nscaling: not measured (${cpus.length} cores: with more than 2, the limit server and cosbox run at 1, 2, 4... processes)`);
const json = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
  totalMemoryMiB: Math.round(os.totalmem() / MiB),
  quick,
  config,
  wallSeconds,
  rows,
  servers: results,
  scaling,
};
const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(json, null, 2)}\n`);
log(`figures written to bench/results/latest.json`);
process.exitCode = failures.length > 0 ? 1 : 0;
