/**
 * /-/health, /-/ready and /-/metrics (issue 12 item 2): no signature needed, nothing secret shown,
 * the Prometheus text format read back with a real parser, and counters that move with requests.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { bucketName, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { assertCosError, send, sendToBucket } from './raw.js';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await send(h, { path: '/-/metrics', sign: false, headers });
  assert.equal(res.status, 200, res.text);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.ok(!res.text.includes(SECRET_KEY) && !res.text.includes(SECRET_ID), 'no credentials in the metrics');
  const families = parsePrometheusTextFormat(res.text) as Family[];
  // The parser folds a labelled histogram into one sample without its labels: its series are read
  // again as plain samples (`_bucket`, `_sum`, `_count`) from the same text without the TYPE line;
  // each label set's lines then come as families of their own, merged here by name.
  const untyped = parsePrometheusTextFormat(res.text.replace(/^# TYPE \S+ histogram$/gm, '')) as Family[];
  const byName = new Map<string, Family>();
  for (const f of [...untyped, ...families]) {
    const known = byName.get(f.name);
    if (known && known.type === f.type) known.metrics.push(...f.metrics);
    else byName.set(f.name, f);
  }
  return byName;
}

/** The value of the sample of `name` whose labels include `labels` (0 when there is none). */
function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}, required = true): number {
  const family = m.get(name);
  // A labelled family has no series (and so no lines) before its first observation.
  if (!family && !required) return 0;
  assert.ok(family, `${name} is in the scrape`);
  const sample = family.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!sample) return 0;
  return Number(sample.value ?? sample.count);
}

async function blobFiles(dataDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const dir of await readdir(join(dataDir, 'blobs'))) {
    for (const name of await readdir(join(dataDir, 'blobs', dir))) files.push(join(dataDir, 'blobs', dir, name));
  }
  return files;
}

test('health and readiness answer unsigned requests; readiness fails while the data directory takes no write', async () => {
  const h = await startHarness({ readyCacheMs: 0 });
  try {
    const health = await send(h, { path: '/-/health', sign: false });
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.text), { status: 'ok' });
    // A probe's own Authorization (a bearer token) is not read as a COS signature.
    assert.equal((await send(h, { path: '/-/health', sign: false, headers: { authorization: 'Bearer x' } })).status, 200);
    assert.equal((await send(h, { method: 'HEAD', path: '/-/ready', sign: false })).status, 200);
    assert.deepEqual(JSON.parse((await send(h, { path: '/-/ready', sign: false })).text), { status: 'ready' });

    // The probe writes in <data>/tmp: a file in its place makes every write fail.
    const tmp = join(h.dataDir, 'tmp');
    await rm(tmp, { recursive: true });
    await writeFile(tmp, 'not a directory');
    const down = await send(h, { path: '/-/ready', sign: false });
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.text), { status: 'not ready', failed: 'disk' });
    assert.equal((await send(h, { path: '/-/health', sign: false })).status, 200, 'alive all the same');
    await rm(tmp);
    await mkdir(tmp);
    assert.equal((await send(h, { path: '/-/ready', sign: false })).status, 200, 'ready again');
    assert.deepEqual(await readdir(tmp), [], 'the probe leaves no file behind');

    assertCosError(await send(h, { method: 'POST', path: '/-/health', sign: false, body: '' }), 405, 'MethodNotAllowed');
    assertCosError(await send(h, { path: '/-/healthz', sign: false }), 404, 'NoSuchKey');
    assertCosError(await send(h, { path: '/-/metrics/x', sign: false }), 404, 'NoSuchKey');
  } finally {
    await h.close();
  }
});

test('readiness answers 503 once the metadata store is closed', async () => {
  const h = await startHarness({ readyCacheMs: 0 });
  try {
    await h.server.services.meta.close();
    const res = await send(h, { path: '/-/ready', sign: false });
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.text), { status: 'not ready', failed: 'metadata' });
  } finally {
    await h.close().catch(() => undefined);
  }
});

test('metrics: requests by operation and status, latency, bytes, connections, bucket usage, lifecycle runs, blob read errors', async () => {
  const h = await startHarness({ bucketUsageCacheMs: 0 });
  try {
    const before = await scrape(h);
    assert.equal(before.get('cosbox_requests_total')?.type, 'COUNTER');
    assert.equal(before.get('cosbox_request_duration_seconds')?.type, 'HISTOGRAM');
    assert.equal(value(before, 'cosbox_requests_in_flight'), 1, 'the scrape itself is in flight');
    assert.ok(value(before, 'cosbox_open_connections') >= 1, 'the scraper is connected');

    const Bucket = bucketName('metrics');
    const Region = 'ap-guangzhou';
    const body = Buffer.alloc(10_000, 7);
    await h.cos.putBucket({ Bucket, Region });
    await h.cos.putObject({ Bucket, Region, Key: 'a', Body: body });
    await h.cos.putObject({ Bucket, Region, Key: 'b', Body: 'xyz' });
    await h.cos.getObject({ Bucket, Region, Key: 'a' });
    await h.cos.getObject({ Bucket, Region, Key: 'missing' }).catch(() => undefined);
    await h.server.runLifecycle();

    const after = await scrape(h);
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels, false);
    assert.equal(delta('cosbox_requests_total', { operation: 'PutObject', status: '200' }), 2);
    assert.equal(delta('cosbox_requests_total', { operation: 'GetObject', status: '200' }), 1);
    assert.equal(delta('cosbox_requests_total', { operation: 'GetObject', status: '404' }), 1);
    assert.equal(delta('cosbox_requests_total', { operation: 'PutBucket', status: '200' }), 1);
    assert.equal(delta('cosbox_requests_total', { operation: 'Admin', status: '200' }), 1, 'the first scrape');
    assert.equal(delta('cosbox_request_duration_seconds_count', { operation: 'PutObject' }), 2, 'histogram count');
    assert.equal(delta('cosbox_request_duration_seconds_bucket', { operation: 'PutObject', le: '+Inf' }), 2);
    assert.ok(value(after, 'cosbox_request_duration_seconds_sum', { operation: 'PutObject' }) > 0);
    assert.ok(delta('cosbox_response_body_bytes_total', { operation: 'GetObject' }) >= body.length);
    assert.ok(delta('cosbox_network_received_bytes_total') >= body.length + 3, 'the uploads came in');
    assert.ok(delta('cosbox_network_sent_bytes_total') >= body.length, 'the download went out');
    assert.equal(value(after, 'cosbox_bucket_objects', { bucket: Bucket }), 2);
    assert.equal(value(after, 'cosbox_bucket_bytes', { bucket: Bucket }), body.length + 3);
    assert.equal(delta('cosbox_lifecycle_runs_total', { outcome: 'ok' }), 1);
    assert.equal(value(after, 'cosbox_blob_read_errors_total'), 0);

    // A client that goes away mid-download is no read error, through a plain or a limited stream.
    const large = Buffer.alloc(8 * 1024 * 1024, 1);
    await h.cos.putObject({ Bucket, Region, Key: 'large', Body: large });
    for (const extra of ['', 'x-cos-traffic-limit: 819200\r\n']) {
      const url = new URL(h.cos.getObjectUrl({ Bucket, Region, Key: 'large', Sign: true }, () => undefined));
      const received = await new Promise<number>((resolve, reject) => {
        const socket = connect(h.port, '127.0.0.1', () =>
          socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}\r\n`),
        );
        let seen = 0;
        socket.on('data', (c: Buffer) => {
          seen += c.length;
          if (seen > 100_000) socket.destroy();
        });
        socket.on('close', () => resolve(seen));
        socket.on('error', reject);
      });
      assert.ok(received > 100_000 && received < large.length, `cut mid-body (${received} bytes${extra ? ', limited' : ''})`);
    }
    await h.cos.deleteObject({ Bucket, Region, Key: 'large' });
    assert.equal(value(await scrape(h), 'cosbox_blob_read_errors_total'), 0, 'an aborted download is not a read error');

    // A blob that cannot be read (a directory where its file was) is a read error.
    await h.cos.deleteObject({ Bucket, Region, Key: 'b' });
    const blob = (await blobFiles(h.dataDir)).find((f) => statSync(f).size === body.length);
    await rm(blob!);
    await mkdir(blob!);
    const failed = await sendToBucket(h, Bucket, { path: '/a' });
    assert.equal(failed.status, 500);
    const broken = await scrape(h);
    assert.equal(value(broken, 'cosbox_blob_read_errors_total'), 1);
    assert.equal(value(broken, 'cosbox_requests_total', { operation: 'GetObject', status: '500' }), 1);
    assert.equal(value(broken, 'cosbox_bucket_objects', { bucket: Bucket }), 1);
  } finally {
    await h.close();
  }
});

test('--metrics-token: a scrape needs Authorization: Bearer with the token; health stays open', async () => {
  const token = 's3cret-token';
  const h = await startHarness({ metricsToken: token });
  try {
    assertCosError(await send(h, { path: '/-/metrics', sign: false }), 403, 'AccessDenied');
    assertCosError(await send(h, { path: '/-/metrics', sign: false, headers: { authorization: 'Bearer wrong' } }), 403, 'AccessDenied');
    assertCosError(await send(h, { path: '/-/metrics', sign: false, headers: { authorization: `Bearer ${token}x` } }), 403, 'AccessDenied');
    assertCosError(await send(h, { path: '/-/metrics', sign: false, headers: { authorization: `Basic ${token}` } }), 403, 'AccessDenied');
    // A valid COS signature is not the token.
    assertCosError(await send(h, { path: '/-/metrics' }), 403, 'AccessDenied');
    const ok = await scrape(h, { authorization: `Bearer ${token}` });
    assert.ok(ok.has('cosbox_requests_total'));
    const text = (await send(h, { path: '/-/metrics', sign: false, headers: { authorization: `Bearer ${token}` } })).text;
    assert.ok(!text.includes(token), 'the token is not echoed');
    assert.equal((await send(h, { path: '/-/health', sign: false })).status, 200);
  } finally {
    await h.close();
  }
});
