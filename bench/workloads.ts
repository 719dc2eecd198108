/**
 * The workloads. Each takes a `Target` and returns plain figures; nothing here asserts on timing,
 * only on correctness (a short GET body or a short listing would inflate a figure, so it throws).
 */
import { performance } from 'node:perf_hooks';
import { withAgent, type Target } from './client.js';

const MiB = 1024 * 1024;

export interface Throughput {
  ops: number;
  seconds: number;
  mibPerSec: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Listing {
  /** Keys actually in the bucket; fewer than `targetKeys` when the fill hit its time budget. */
  keys: number;
  targetKeys: number;
  fillSeconds: number;
  listAllSeconds: number;
  pages: number;
  pageP50Ms: number;
  pageP99Ms: number;
}

export type Multipart =
  | { implemented: false }
  | { implemented: true; mib: number; parts: number; seconds: number; mibPerSec: number; completeMs: number };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Runs `op(i)` for i = 0, 1, ... from `concurrency` workers until `seconds` have passed (checked
 * before each op) or `maxOps` ops have been started. `op` returns the payload bytes it moved.
 */
export async function drive(concurrency: number, seconds: number, maxOps: number, op: (i: number) => Promise<number>): Promise<Throughput> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const latencies: number[] = [];
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < maxOps && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      const moved = await op(i); // not `bytes += await op(i)`: that reads `bytes` before the await and loses other workers' adds
      bytes += moved;
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    seconds: elapsed,
    mibPerSec: bytes / MiB / elapsed,
    opsPerSec: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/**
 * PUT `payload` under `<prefix><i % keySpace>` for `seconds`, then GET those keys back for
 * `seconds`, reading and discarding every body.
 */
export async function putThenGet(
  target: Target,
  prefix: string,
  payload: Buffer,
  concurrency: number,
  seconds: number,
  keySpace: number,
): Promise<{ put: Throughput; get: Throughput }> {
  return withAgent(concurrency, async (agent) => {
    const put = await drive(concurrency, seconds, Number.MAX_SAFE_INTEGER, async (i) => {
      await target.ok(agent, { method: 'PUT', key: `${prefix}${i % keySpace}`, body: payload });
      return payload.length;
    });
    const written = Math.min(put.ops, keySpace);
    const get = await drive(concurrency, seconds, Number.MAX_SAFE_INTEGER, async (i) => {
      const reply = await target.ok(agent, { method: 'GET', key: `${prefix}${i % written}` });
      if (reply.bytes !== payload.length) throw new Error(`${target.name}: GET ${prefix}${i % written} returned ${reply.bytes} of ${payload.length} bytes`);
      return reply.bytes;
    });
    return { put, get };
  });
}

/**
 * The i-th key of a `d<0-9>/e<0..E-1>/f<0-99>.txt` tree of `count` keys (E = count / 1000). The
 * order walks d fastest, so any prefix of the fill is an even sample of the whole tree.
 */
function treeKey(i: number, count: number): string {
  const eCount = Math.max(1, Math.floor(count / 1000));
  return `d${i % 10}/e${Math.floor(i / 10) % eCount}/f${Math.floor(i / (10 * eCount)) % 100}.txt`;
}

function xmlText(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
}

function parseListPage(xml: string): { keys: string[]; truncated: boolean; nextMarker: string | undefined; commonPrefixes: number } {
  const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlText(m[1] ?? ''));
  const next = /<NextMarker>([^<]*)<\/NextMarker>/.exec(xml);
  return {
    keys,
    truncated: /<IsTruncated>true<\/IsTruncated>/.test(xml),
    nextMarker: next ? xmlText(next[1] ?? '') : undefined,
    commonPrefixes: (xml.match(/<CommonPrefixes>/g) ?? []).length,
  };
}

export interface ListingConfig {
  listKeys: number;
  /** The fill is not a reported figure, but it is bounded: what is in after this long is listed. */
  fillBudgetSeconds: number;
  /** Single-page timings: this many, or as many as fit in `pageSeconds`. */
  pageRuns: number;
  pageSeconds: number;
}

/**
 * Fills the 'list' bucket with `listKeys` tiny objects, lists it whole in pages of 1000, then
 * times single `delimiter=/` pages from the middle of the key space.
 */
export async function listing(target: Target, { listKeys: targetKeys, fillBudgetSeconds, pageRuns, pageSeconds }: ListingConfig): Promise<Listing> {
  const body = Buffer.from('x');
  const fill = await withAgent(64, (agent) =>
    drive(64, fillBudgetSeconds, targetKeys, async (i) => {
      await target.ok(agent, { method: 'PUT', bucket: 'list', key: treeKey(i, targetKeys), body });
      return body.length;
    }),
  );
  return withAgent(1, async (agent) => {
    const t0 = performance.now();
    let listed = 0;
    let pages = 0;
    let marker = '';
    const maxPages = Math.ceil(fill.ops / 1000) + 2; // bounded even if a server never stops truncating
    for (let more = true; more; pages++) {
      if (pages >= maxPages) throw new Error(`${target.name}: listing still truncated after ${pages} pages`);
      const query: Record<string, string> = { 'max-keys': '1000' };
      if (marker !== '') query.marker = marker;
      const page = parseListPage((await target.ok(agent, { method: 'GET', bucket: 'list', key: '', query, keepBody: true })).body);
      listed += page.keys.length;
      marker = page.nextMarker ?? page.keys.at(-1) ?? '';
      more = page.truncated;
    }
    const listAllSeconds = (performance.now() - t0) / 1000;
    if (listed !== fill.ops) throw new Error(`${target.name}: listed ${listed} keys, expected ${fill.ops}`);

    const query = { prefix: 'd5/', delimiter: '/', 'max-keys': '1000' };
    const page = await drive(1, pageSeconds, pageRuns, async () => {
      const reply = await target.ok(agent, { method: 'GET', bucket: 'list', key: '', query, keepBody: true });
      if (parseListPage(reply.body).commonPrefixes === 0) throw new Error(`${target.name}: prefix=d5/ delimiter=/ returned no CommonPrefixes`);
      return reply.bytes;
    });
    return {
      keys: fill.ops,
      targetKeys,
      fillSeconds: fill.seconds,
      listAllSeconds,
      pages,
      pageP50Ms: page.p50Ms,
      pageP99Ms: page.p99Ms,
    };
  });
}

/**
 * Initiate, upload `totalMiB` in 8 MiB parts 4 at a time, Complete. A 501 to Initiate means the
 * server has no multipart yet (COS and S3 have the same request shape).
 */
export async function multipart(target: Target, payload: Buffer, totalMiB: number): Promise<Multipart> {
  const key = 'multipart/object';
  const part = payload.subarray(0, 8 * MiB);
  const partCount = Math.ceil(totalMiB / 8);
  return withAgent(4, async (agent) => {
    const t0 = performance.now();
    const init = await target.send(agent, { method: 'POST', key, query: { uploads: '' }, keepBody: true });
    if (init.status === 501) return { implemented: false };
    if (init.status !== 200) throw new Error(`${target.name}: initiate multipart -> ${init.status} ${init.body.slice(0, 300)}`);
    const match = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body);
    if (!match?.[1]) throw new Error(`${target.name}: no UploadId in ${init.body.slice(0, 300)}`);
    const uploadId = xmlText(match[1]);

    const etags: string[] = [];
    await drive(4, Infinity, partCount, async (i) => {
      const reply = await target.ok(agent, { method: 'PUT', key, query: { partNumber: String(i + 1), uploadId }, body: part });
      const etag = reply.headers.etag;
      if (etag === undefined) throw new Error(`${target.name}: part ${i + 1} has no ETag`);
      etags[i] = etag;
      return part.length;
    });

    const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const c0 = performance.now();
    const done = await target.ok(agent, { method: 'POST', key, query: { uploadId }, body: Buffer.from(xml), keepBody: true });
    const completeMs = performance.now() - c0;
    // S3 may answer 200 and still fail in the body.
    if (done.body.includes('<Error>')) throw new Error(`${target.name}: complete multipart failed: ${done.body.slice(0, 300)}`);
    const seconds = (performance.now() - t0) / 1000;
    const mib = (partCount * part.length) / MiB;
    return { implemented: true, mib, parts: partCount, seconds, mibPerSec: mib / seconds, completeMs };
  });
}
