/**
 * Several gateways as real processes (`cosbox serve --metadata postgres://...`) on one PostgreSQL
 * database and one blob directory: what one writes the others see at once; concurrent writers of
 * the same keys, appends and multipart races through different gateways keep COS's semantics; a
 * gateway SIGKILLed mid-write leaves the others serving; afterwards every acknowledged object is
 * intact, and once the grace period has passed a starting gateway leaves no orphan behind.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { PostgresMetadataStore } from '../../packages/server/src/storage/metadata/postgres.js';
import { bucketName, REGION, UIN, type Harness } from './harness.js';
import { freshDatabase, stopPostgres } from './postgres.js';
import { killServerProcesses, startServerProcess, type ServerProcess } from './process.js';
import { assertCosError, authorization, bucketHost, sdkRejects, send, sendToBucket } from './raw.js';

// Short for the test; the workers' gateway also sweeps once per grace period while the races run.
const GRACE_S = 3;
const dataDir = mkdtempSync(join(tmpdir(), 'cosbox-gateways-'));
let url: string;
let gateways: ServerProcess[];

const gateway = (id: string) => startServerProcess(dataDir, ['--no-console', '--metadata', url, '--gateway-id', id, '--orphan-grace', String(GRACE_S)]);

before(async () => {
  url = await freshDatabase();
  // The first creates the schema; the others start while it may still be migrating.
  gateways = await Promise.all(['gw-a', 'gw-b', 'gw-c'].map(gateway));
});
after(async () => {
  killServerProcesses();
  await stopPostgres();
  rmSync(dataDir, { recursive: true, force: true });
});

const md5 = (body: string | Buffer) => createHash('md5').update(body).digest('hex');
const put = (cos: COS, Bucket: string, Key: string, Body: string) => cos.putObject({ Bucket, Region: REGION, Key, Body });
async function read(cos: COS, Bucket: string, Key: string): Promise<string> {
  return (await cos.getObject({ Bucket, Region: REGION, Key })).Body.toString();
}

/** Acknowledged writes: key -> body, checked at the end through every gateway still up. */
const acknowledged = new Map<string, { bucket: string; body: string }>();
let shared: string;

test('a bucket, CORS rules and ACLs changed through one gateway are seen by the others at once', async () => {
  const [a, b, c] = gateways;
  shared = bucketName('gw');
  await a.cos.putBucket({ Bucket: shared, Region: REGION });
  await b.cos.headBucket({ Bucket: shared, Region: REGION });
  await b.cos.putBucketCors({
    Bucket: shared,
    Region: REGION,
    CORSRules: [{ AllowedOrigin: ['https://example.test'], AllowedMethod: ['GET'], AllowedHeader: ['*'], MaxAgeSeconds: 5 }],
  } as COS.PutBucketCorsParams);
  const cors = await c.cos.getBucketCors({ Bucket: shared, Region: REGION });
  assert.deepEqual(cors.CORSRules.map((r) => (r as unknown as Record<string, unknown>).AllowedOrigins), [['https://example.test']]);
  await a.cos.putBucketAcl({ Bucket: shared, Region: REGION, ACL: 'public-read' });
  const acl = await c.cos.getBucketAcl({ Bucket: shared, Region: REGION });
  assert.equal(acl.ACL, 'public-read');
  await a.cos.putBucketAcl({ Bucket: shared, Region: REGION, ACL: 'private' });
  assert.equal((await b.cos.getBucketAcl({ Bucket: shared, Region: REGION })).ACL, 'private');
});

test('a custom domain bound through one gateway serves through the others at once', async () => {
  const [a, b, c] = gateways;
  await a.cos.putObject({ Bucket: shared, Region: REGION, Key: 'site/file.txt', Body: 'via domain', ACL: 'public-read' } as COS.PutObjectParams);
  const host = `files-${Date.now().toString(36)}.example.com`;
  assertCosError(await send({ port: c.port } as Harness, { path: '/site/file.txt', host, sign: false }), 404, 'NoSuchBucket');
  await b.cos.putBucketDomain({ Bucket: shared, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: host, Type: 'REST' }] } as COS.PutBucketDomainParams);
  for (const g of gateways) {
    const res = await send({ port: g.port } as Harness, { path: '/site/file.txt', host, sign: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, 'via domain');
  }
  await a.cos.deleteObject({ Bucket: shared, Region: REGION, Key: 'site/file.txt' });
});

test('concurrent writers of the same keys through different gateways: every gateway reads the same last write, intact', async () => {
  const bodies = new Map<string, string>();
  await Promise.all(
    Array.from({ length: 36 }, async (_, i) => {
      const key = `same-${i % 3}`;
      const body = `writer ${i} of ${key} `.repeat(50 + i);
      bodies.set(md5(body), body);
      await put(gateways[i % 3].cos, shared, key, body);
    }),
  );
  for (const key of ['same-0', 'same-1', 'same-2']) {
    const seen = await Promise.all(gateways.map((g) => read(g.cos, shared, key)));
    assert.equal(new Set(seen).size, 1, `${key}: one content everywhere`);
    assert.ok(bodies.has(md5(seen[0])), `${key}: one of the bodies written, whole`);
    const head = await gateways[0].cos.headObject({ Bucket: shared, Region: REGION, Key: key });
    assert.equal(head.headers?.etag, `"${md5(seen[0])}"`);
    acknowledged.set(key, { bucket: shared, body: seen[0] });
  }
});

test('appends racing through three gateways: each position is taken by exactly one of them', async () => {
  const key = 'appended';
  let content = '';
  for (let round = 0; round < 5; round++) {
    const position = Buffer.byteLength(content);
    const outcomes = await Promise.allSettled(
      gateways.map((g, i) => g.cos.appendObject({ Bucket: shared, Region: REGION, Key: key, Position: position, Body: `r${round}g${i};` } as COS.AppendObjectParams)),
    );
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
    assert.equal(won.length, 1, `round ${round}: one winner`);
    for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as { code?: string }).code, 'PositionNotEqualToLength');
    content += `r${round}g${won[0]};`;
  }
  for (const g of gateways) assert.equal(await read(g.cos, shared, key), content);
  acknowledged.set(key, { bucket: shared, body: content });
});

test('Complete and Abort of one upload through two gateways, parts from a third: exactly one of them wins', async () => {
  const [a, b, c] = gateways;
  for (let round = 0; round < 4; round++) {
    const Key = `mp-${round}`;
    const { UploadId } = await a.cos.multipartInit({ Bucket: shared, Region: REGION, Key });
    const part1 = 'p'.repeat(1024 * 1024);
    const part2 = 'q'.repeat(1000);
    const [e1, e2] = await Promise.all([
      c.cos.multipartUpload({ Bucket: shared, Region: REGION, Key, UploadId, PartNumber: 1, Body: part1 }),
      b.cos.multipartUpload({ Bucket: shared, Region: REGION, Key, UploadId, PartNumber: 2, Body: part2 }),
    ]);
    const [complete, abort] = await Promise.allSettled([
      a.cos.multipartComplete({ Bucket: shared, Region: REGION, Key, UploadId, Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] }),
      b.cos.multipartAbort({ Bucket: shared, Region: REGION, Key, UploadId }),
    ]);
    assert.equal([complete, abort].filter((o) => o.status === 'fulfilled').length, 1, `round ${round}: ${complete.status} / ${abort.status}`);
    const loser = complete.status === 'rejected' ? complete : abort;
    assert.equal(((loser as PromiseRejectedResult).reason as { code?: string }).code, 'NoSuchUpload');
    if (complete.status === 'fulfilled') {
      assert.equal(await read(c.cos, shared, Key), part1 + part2);
      acknowledged.set(Key, { bucket: shared, body: part1 + part2 });
    } else {
      await sdkRejects(c.cos.headObject({ Bucket: shared, Region: REGION, Key }), 404);
    }
  }
});

test('a key pair added to the shared store works on every gateway at once; removing it revokes it and its temporary keys everywhere', async () => {
  const [a, b, c] = gateways;
  const store = await PostgresMetadataStore.open(url);
  const pair = { secretId: 'AKIDgatewaysSecondKey', secretKey: 'gateways-second-secret' };
  await store.putAccessKey({ ...pair, uin: UIN, createdAt: Date.now() });
  const at = (g: ServerProcess) => ({ port: g.port }) as Harness;
  assert.equal((await sendToBucket(at(b), shared, { path: '/', sign: pair })).status, 200);
  const issued = await send(at(a), { method: 'POST', path: '/sts', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ DurationSeconds: 600, Policy: { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:*'], resource: ['*'] }] } }), sign: pair });
  assert.equal(issued.status, 200, issued.text);
  const { Credentials } = JSON.parse(issued.text) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } };
  const temporary = { path: '/', headers: { 'x-cos-security-token': Credentials.Token }, sign: { secretId: Credentials.TmpSecretId, secretKey: Credentials.TmpSecretKey } };
  assert.equal((await sendToBucket(at(c), shared, temporary)).status, 200);
  assert.equal(await store.deleteAccessKey(pair.secretId), true);
  await store.close();
  assert.equal((await sendToBucket(at(c), shared, temporary)).status, 403, 'the temporary key went with its pair');
  assert.equal((await sendToBucket(at(b), shared, { path: '/', sign: pair })).status, 403);
});

/** A PUT whose body stops after `sent` of its `size` bytes, left hanging (the gateway gets killed under it). */
function hangingPut(port: number, bucket: string, key: string, size: number, sent: number): void {
  const headers: Record<string, string | number> = { host: bucketHost(bucket), 'content-length': size };
  headers.authorization = authorization('PUT', `/${key}`, headers);
  const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/${key}`, headers, agent: false });
  req.on('error', () => undefined);
  req.write(Buffer.alloc(sent, 1));
}

test('a gateway SIGKILLed mid-write: the others go on; every acknowledged object is intact; a gateway started after the grace period leaves no orphan', async () => {
  const [a, b, c] = gateways;
  const tmp = join(dataDir, 'tmp');
  hangingPut(c.port, shared, 'never-finished', 4 * 1024 * 1024, 256 * 1024);
  // Let the hanging body reach C's temp file, then kill C while A and B keep writing.
  const deadline = Date.now() + 10_000;
  while (!readdirSync(tmp).some((n) => n.startsWith('gw-c.')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(readdirSync(tmp).some((n) => n.startsWith('gw-c.')), "C's temp file is named after it");
  const writes = Array.from({ length: 24 }, async (_, i) => {
    const key = `during-${i}`;
    const body = `written while C dies ${i} `.repeat(100);
    await put([a, b][i % 2].cos, shared, key, body);
    acknowledged.set(key, { bucket: shared, body });
  });
  c.child.kill('SIGKILL');
  await c.exited;
  await Promise.all(writes);
  await sdkRejects(a.cos.headObject({ Bucket: shared, Region: REGION, Key: 'never-finished' }), 404);

  for (const [key, { bucket, body }] of acknowledged) {
    for (const g of [a, b]) assert.equal(md5(await read(g.cos, bucket, key)), md5(body), key);
  }
  // After the grace period, a new gateway's start-up sweep removes the dead gateway's temp file
  // and every unreferenced blob.
  await new Promise((r) => setTimeout(r, GRACE_S * 1000 + 100));
  const d = await gateway('gw-d');
  gateways = [a, b, d];
  assert.deepEqual(readdirSync(tmp), [], 'no temp file left');
  assert.equal(existsSync(join(dataDir, 'gateways', 'gw-c.lock')), false, "the dead gateway's lock file is gone");
  const store = await PostgresMetadataStore.open(url);
  const referenced = await store.referencedBlobIds();
  await store.close();
  const onDisk = readdirSync(join(dataDir, 'blobs')).flatMap((d) => readdirSync(join(dataDir, 'blobs', d)));
  assert.deepEqual(onDisk.sort(), [...referenced].sort(), 'every blob on disk is referenced, and every referenced one is there');
  for (const [key, { bucket, body }] of acknowledged) assert.equal(md5(await read(d.cos, bucket, key)), md5(body), key);
});
