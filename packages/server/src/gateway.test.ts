import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { gatewayAlive, gatewayIdOf, GatewayInUseError, lockGateway, WorkerLeadership } from './gateway.js';
import { FsBlobStore } from './storage/blob/fs.js';
import { startTestCluster, type TestCluster } from './storage/metadata/postgres/test-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'cosbox-gateway-'));
let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Waits (bounded) until `ok()` holds. */
async function until(ok: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a gateway id is held by one running gateway; a released or dead one is seen as gone', () => {
  const data = join(dir, 'ids');
  mkdirSync(data);
  const lock = lockGateway(data, 'gw-1');
  assert.throws(() => lockGateway(data, 'gw-1'), GatewayInUseError);
  assert.equal(gatewayAlive(data, 'gw-1'), true);
  assert.equal(gatewayAlive(data, 'gw-2'), false, 'never registered');
  assert.equal(gatewayAlive(data, '../x'), false, 'not an id');
  lock.release();
  assert.equal(gatewayAlive(data, 'gw-1'), false);
  // A lock file left by a killed gateway (nobody holds its lock) is removed by the probe.
  writeFileSync(join(data, 'gateways', 'gw-3.lock'), '');
  assert.equal(gatewayAlive(data, 'gw-3'), false);
  assert.deepEqual(readdirSync(join(data, 'gateways')), []);
  assert.match(gatewayIdOf(undefined), /^[A-Za-z0-9_-]+-\d+-[0-9a-f]{6}$/);
  assert.throws(() => gatewayIdOf('a/b'), /gateway id/);
});

test('a shared sweep keeps live gateways\' temp files and young orphans, removes the rest', async () => {
  const data = join(dir, 'sweep');
  const store = new FsBlobStore(data, { gatewayId: 'me' });
  await store.init();
  const written = await store.write((async function* () { yield Buffer.from('abc'); })());
  const oldOrphan = await store.write((async function* () { yield Buffer.from('old'); })());
  const youngOrphan = await store.write((async function* () { yield Buffer.from('young'); })());
  const blobPath = (id: string) => join(data, 'blobs', id.slice(0, 2), id);
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(blobPath(oldOrphan.id), hourAgo, hourAgo);
  utimesSync(blobPath(written.id), hourAgo, hourAgo);
  for (const name of ['live.1', 'dead.2', 'me.3', 'legacy4']) writeFileSync(join(data, 'tmp', name), 'x');
  const oldLiveTemp = join(data, 'tmp', 'live.5');
  writeFileSync(oldLiveTemp, 'x');
  utimesSync(oldLiveTemp, hourAgo, hourAgo);
  const periodic = await store.sweep(new Set([written.id]), { graceMs: 60_000, gatewayAlive: (id) => id === 'live' });
  assert.deepEqual(periodic, { temporary: 1, orphans: 1 }, "dead.2 and the old orphan; this gateway's own temp files are uploads in progress");
  assert.deepEqual(readdirSync(join(data, 'tmp')).sort(), ['legacy4', 'live.1', 'live.5', 'me.3']);
  const swept = await store.sweep(new Set([written.id]), { graceMs: 60_000, gatewayAlive: (id) => id === 'live', startup: true });
  assert.deepEqual(swept, { temporary: 1, orphans: 0 });
  assert.deepEqual(readdirSync(join(data, 'tmp')).sort(), ['legacy4', 'live.1', 'live.5'], 'a live gateway keeps even an old temp file (a slow upload)');
  assert.equal(readdirSync(join(data, 'blobs', youngOrphan.id.slice(0, 2))).includes(youngOrphan.id), true, 'a commit may still reference it');
  assert.equal(readdirSync(join(data, 'blobs', oldOrphan.id.slice(0, 2))).includes(oldOrphan.id), false);
  assert.equal(readdirSync(join(data, 'blobs', written.id.slice(0, 2))).includes(written.id), true);
  // Written by this gateway, a temp file is named after it.
  let tempName = '';
  const body = (async function* () {
    yield Buffer.from('a');
    tempName = readdirSync(join(data, 'tmp')).find((n) => n.startsWith('me.')) ?? '';
    yield Buffer.from('b');
  })();
  await store.write(body);
  assert.match(tempName, /^me\.[0-9a-f]{32}$/);
});

test('background workers run on one gateway at a time and move to another when its connection dies', async () => {
  const log = pino({ level: 'silent' });
  const runs = { a: 0, b: 0 };
  const stops = { a: 0, b: 0 };
  const work = (name: 'a' | 'b') => ({ start: () => void runs[name]++, stop: async () => void stops[name]++ });
  const a = new WorkerLeadership(cluster.url, 50, work('a'), log);
  const b = new WorkerLeadership(cluster.url, 50, work('b'), log);
  a.start();
  await until(() => a.isLeader, 'a leads');
  b.start();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(b.isLeader, false, 'one leader at a time');
  assert.deepEqual(runs, { a: 1, b: 0 });
  // The holder's connection ends as it would when its process dies: PostgreSQL drops the lock.
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = 2");
  await admin.end();
  await until(() => b.isLeader, 'b takes over');
  await until(() => stops.a === 1, 'a stops its workers');
  assert.equal(a.isLeader, false);
  assert.deepEqual(runs, { a: 1, b: 1 });
  await b.stop();
  await a.stop();
  assert.deepEqual(stops, { a: 1, b: 1 });
});
