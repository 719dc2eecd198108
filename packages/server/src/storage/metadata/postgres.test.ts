import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { metadataStoreContract } from './contract.js';
import { PG_MIGRATIONS, PostgresMetadataStore } from './postgres.js';
import { startTestCluster, type TestCluster } from './postgres/test-cluster.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => cluster.stop());
let n = 0;

// A fresh schema per store: every test starts empty, on the one cluster of this file.
metadataStoreContract('postgres', () => PostgresMetadataStore.open(cluster.url, { schema: `t${n++}` }));

test('postgres: data survives reopening; a second gateway migrating at the same time is harmless', async () => {
  const [a, b] = await Promise.all([PostgresMetadataStore.open(cluster.url, { schema: 'reopen' }), PostgresMetadataStore.open(cluster.url, { schema: 'reopen' })]);
  await a.createBucket({ name: 'r-1', appid: '1', ownerUin: '1', region: 'ap-guangzhou', createdAt: 1 }, 10);
  assert.equal((await b.getBucket('r-1'))?.region, 'ap-guangzhou', 'seen by the other store at once');
  await a.close();
  await b.close();
  const c = await PostgresMetadataStore.open(cluster.url, { schema: 'reopen' });
  assert.equal((await c.getBucket('r-1'))?.createdAt, 1);
  await c.close();
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  const { rows } = await client.query('SELECT version FROM reopen.schema_version ORDER BY version');
  await client.end();
  // Each migration recorded once, however many gateways ran them at the same time.
  assert.deepEqual(rows.map((r: { version: number }) => r.version), Object.keys(PG_MIGRATIONS).map(Number));
});

test('postgres: appends through two stores (two gateways) at once: every position is taken exactly once', async () => {
  const stores = await Promise.all([0, 1].map(() => PostgresMetadataStore.open(cluster.url, { schema: 'race' })));
  const [a, b] = stores;
  await a.createBucket({ name: 'a-1', appid: '1', ownerUin: '1', region: 'ap-guangzhou', createdAt: 1 }, 10);
  const base = { bucket: 'a-1', key: 'k', etag: '"e"', crc64: '0', lastModified: 1, storageClass: 'STANDARD', objectType: 'appendable' as const, contentHeaders: {}, meta: {}, ownerUin: '1' };
  await a.putObject({ ...base, size: 0, blobs: [] });
  // Each append expects the size it read; only the store's transaction makes the check atomic.
  const append = (s: PostgresMetadataStore, id: string) =>
    s.updateObject('a-1', 'k', (current) => ({ ...current!, size: current!.size + 1, blobs: [...current!.blobs, { id, size: 1 }] }));
  await Promise.all(Array.from({ length: 40 }, (_, i) => append(stores[i % 2], `b${i}`)));
  const final = await b.getObject('a-1', 'k');
  assert.equal(final?.size, 40);
  assert.equal(new Set(final?.blobs.map((x) => x.id)).size, 40);
  await Promise.all(stores.map((s) => s.close()));
});

test('postgres: a key with U+0000 is refused as InvalidArgument, not a server error', async () => {
  const s = await PostgresMetadataStore.open(cluster.url, { schema: 'nul' });
  await assert.rejects(s.getObject('a-1', 'a\u0000b'), (e: unknown) => (e as { code?: string }).code === 'InvalidArgument');
  await s.close();
});
