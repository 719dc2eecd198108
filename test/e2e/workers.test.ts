/**
 * `cosbox serve --workers 2`: two processes on one port over one data directory. Each request goes
 * over a fresh connection, so the primary hands consecutive requests to alternate workers: a bucket
 * change made through one worker must be in effect on the next request to the other (their cached
 * bucket records; keys are read per request), and the write paths that decide on the current state (appends, Complete against
 * Abort, versioned writes) must serialize across the processes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type COS from 'cos-nodejs-sdk-v5';
import type { Harness } from './harness.js';
import { APPID, REGION, UIN } from './harness.js';
import { killServerProcesses, startServerProcess, type ServerProcess } from './process.js';
import { send, sendToBucket } from './raw.js';

const root = new URL('../..', import.meta.url).pathname;
const Bucket = `workers-${APPID}`;
let server: ServerProcess;
let dataDir: string;
after(async () => {
  killServerProcesses();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cosbox-workers-'));
  server = await startServerProcess(dataDir, ['--workers', '2']);
  await server.cos.putBucket({ Bucket, Region: REGION });
});

/** The raw helpers need only the port. */
const target = () => ({ port: server.port }) as Harness;

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command (which may hold spaces): state, ppid, ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

const errorCode = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'no error',
    (e: { statusCode?: number; code?: string }) => `${e.statusCode} ${e.code}`,
  );

test('--workers 2 runs two worker processes under the primary', async () => {
  assert.equal((await childrenOf(server.child.pid!)).length, 2);
});

test('a bucket ACL changed through one worker is in effect on the next request to any worker', async () => {
  await server.cos.putObject({ Bucket, Region: REGION, Key: 'acl/k', Body: 'hello' });
  const anonymous = () => sendToBucket(target(), Bucket, { path: '/acl/k', sign: false });
  // Every worker reads (and caches) the private bucket first.
  for (let i = 0; i < 4; i++) assert.equal((await anonymous()).status, 403);
  for (const round of [1, 2]) {
    await server.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'public-read' });
    for (let i = 0; i < 4; i++) assert.equal((await anonymous()).status, 200, `round ${round}, read ${i}: public now`);
    await server.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'private' });
    for (let i = 0; i < 4; i++) assert.equal((await anonymous()).status, 403, `round ${round}, read ${i}: private again`);
  }
});

test('versioning enabled through one worker: every worker writes versions at once; ids unique, one latest', async () => {
  const Versioned = `workersv-${APPID}`;
  await server.cos.putBucket({ Bucket: Versioned, Region: REGION });
  for (let i = 0; i < 4; i++) await sendToBucket(target(), Versioned, { method: 'PUT', path: '/k', body: 'before' });
  await server.cos.putBucketVersioning({ Bucket: Versioned, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  const puts = await Promise.all(Array.from({ length: 16 }, (_, i) => sendToBucket(target(), Versioned, { method: 'PUT', path: '/k', body: `v${i}` })));
  const ids = puts.map((r) => r.headers['x-cos-version-id']);
  assert.ok(ids.every((id) => typeof id === 'string' && id !== '' && id !== 'null'), 'every PUT made a version');
  assert.equal(new Set(ids).size, 16);
  const listed = await server.cos.listObjectVersions({ Bucket: Versioned, Region: REGION });
  const versions = listed.Versions.filter((v) => v.Key === 'k');
  assert.equal(versions.length, 17, '16 versions and the null one');
  assert.equal(versions.filter((v) => String(v.IsLatest) === 'true').length, 1);
  const latest = await server.cos.getObject({ Bucket: Versioned, Region: REGION, Key: 'k' });
  assert.equal(latest.VersionId ?? latest.headers?.['x-cos-version-id'], versions.find((v) => String(v.IsLatest) === 'true')!.VersionId);
});

test('concurrent appends at one position through both workers: exactly one wins each round', async () => {
  for (let round = 0; round < 4; round++) {
    const key = `append/${round}`;
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => sendToBucket(target(), Bucket, { method: 'POST', path: `/${key}?append&position=0`, body: `writer ${i}` })),
    );
    const won = outcomes.filter((r) => r.status === 200);
    assert.equal(won.length, 1, outcomes.map((r) => r.status).join(','));
    assert.ok(outcomes.every((r) => r.status === 200 || r.status === 409), outcomes.map((r) => r.status).join(','));
    const got = await server.cos.getObject({ Bucket, Region: REGION, Key: key });
    assert.match(got.Body.toString(), /^writer \d$/);
  }
});

test('concurrent Complete and Abort of one upload through both workers end in one consistent state', async () => {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const cos = server.cos;
  for (let round = 0; round < 6; round++) {
    const Key = `mp/${round}`;
    const { UploadId } = await cos.multipartInit({ Bucket, Region: REGION, Key });
    const part = randomBytes(2000);
    await cos.multipartUpload({ Bucket, Region: REGION, Key, UploadId, PartNumber: 1, Body: part });
    const [completed, aborted] = await Promise.all([
      errorCode(cos.multipartComplete({ Bucket, Region: REGION, Key, UploadId, Parts: [{ PartNumber: 1, ETag: md5(part) }] })),
      errorCode(cos.multipartAbort({ Bucket, Region: REGION, Key, UploadId })),
    ]);
    assert.notEqual(completed === 'no error', aborted === 'no error', `exactly one wins: ${completed} / ${aborted}`);
    if (completed === 'no error') assert.equal(md5((await cos.getObject({ Bucket, Region: REGION, Key })).Body as Buffer), md5(part));
    else assert.equal(await errorCode(cos.headObject({ Bucket, Region: REGION, Key })), '404 404');
  }
});

test('a key added and removed with cosbox keys works, then stops working, on every worker at once', async () => {
  const keys = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', 'packages/cli/src/cli.ts', 'keys', ...args, '--data', dataDir], { cwd: root });
    return stdout;
  };
  const added = await keys('add', '--uin', UIN);
  const signer = { secretId: /SecretId\s+(\S+)/.exec(added)![1], secretKey: /SecretKey\s+(\S+)/.exec(added)![1] };
  await server.cos.putObject({ Bucket, Region: REGION, Key: 'keys/k', Body: 'x' });
  for (let i = 0; i < 4; i++) assert.equal((await sendToBucket(target(), Bucket, { path: '/keys/k', sign: signer })).status, 200, `read ${i} with the new key`);
  await keys('remove', signer.secretId);
  for (let i = 0; i < 4; i++) assert.equal((await sendToBucket(target(), Bucket, { path: '/keys/k', sign: signer })).status, 403, `read ${i} with the removed key`);
});

test('a custom domain bound through one worker serves on every worker; unbound, on none', async () => {
  const Site = `workersd-${APPID}`;
  await server.cos.putBucket({ Bucket: Site, Region: REGION, ACL: 'public-read' });
  await server.cos.putObject({ Bucket: Site, Region: REGION, Key: 'f.txt', Body: 'file' });
  const viaDomain = () => send(target(), { path: '/f.txt', host: 'static.workers.example.com', sign: false });
  // Every worker builds its (empty) domain index first.
  for (let i = 0; i < 4; i++) assert.equal((await viaDomain()).status, 404);
  await server.cos.putBucketDomain({ Bucket: Site, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: 'static.workers.example.com', Type: 'REST' }] } as COS.PutBucketDomainParams);
  for (let i = 0; i < 4; i++) {
    const r = await viaDomain();
    assert.equal(r.status, 200, `read ${i}: ${r.text}`);
    assert.equal(r.text, 'file');
  }
  await server.cos.deleteBucketDomain({ Bucket: Site, Region: REGION });
  for (let i = 0; i < 4; i++) assert.equal((await viaDomain()).status, 404, `read ${i} after the domain was removed`);
});

test('a scrape of /-/metrics through any worker answers for every process: requests summed, bucket counts once', async () => {
  const Counted = `workersm-${APPID}`;
  await server.cos.putBucket({ Bucket: Counted, Region: REGION });
  const scrape = async () => {
    const res = await send(target(), { path: '/-/metrics', sign: false });
    assert.equal(res.status, 200, res.text);
    const families = parsePrometheusTextFormat(res.text) as Array<{ name: string; metrics: Array<{ labels?: Record<string, string>; value?: string }> }>;
    const value = (name: string, labels: Record<string, string>) =>
      Number(families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0);
    return { puts: value('cosbox_requests_total', { operation: 'PutObject', status: '200' }), objects: value('cosbox_bucket_objects', { bucket: Counted }) };
  };
  // The object counts are reused for 10 s after a scrape: the bucket is filled before the first.
  for (let i = 0; i < 10; i++) assert.equal((await sendToBucket(target(), Counted, { method: 'PUT', path: `/m${i}`, body: 'x' })).status, 200);
  const first = await scrape();
  assert.equal(first.objects, 10, "the bucket's objects counted once, not once per process");
  // Ten more PUTs over fresh connections: both workers take some.
  for (let i = 0; i < 10; i++) assert.equal((await sendToBucket(target(), Counted, { method: 'PUT', path: `/n${i}`, body: 'x' })).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await scrape()).puts, first.puts + 10, `scrape ${i}: every worker's PUTs`);
});

test('SIGTERM stops the primary and its workers cleanly', async () => {
  const workers = await childrenOf(server.child.pid!);
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.deepEqual(await childrenOf(server.child.pid!), []);
  for (const pid of workers) assert.equal(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone'), 'gone');
});
