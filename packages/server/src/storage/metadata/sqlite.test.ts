import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { metadataStoreContract } from './contract.js';
import { MIGRATIONS, prefixUpperBound, SqliteMetadataStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'cosbox-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

metadataStoreContract('sqlite', async () => new SqliteMetadataStore(join(dir, `m${n++}.sqlite`)));

test('sqlite: data survives reopening', async () => {
  const path = join(dir, 'reopen.sqlite');
  const a = new SqliteMetadataStore(path);
  await a.createBucket({ name: 'r-1', appid: '1', ownerUin: '1', region: 'ap-guangzhou', createdAt: 1 }, 10);
  await a.close();
  const b = new SqliteMetadataStore(path);
  assert.equal((await b.getBucket('r-1'))?.region, 'ap-guangzhou');
  await b.close();
});

test('sqlite: a version-2 database is upgraded in place; its objects and uploads have no tags', async () => {
  const path = join(dir, 'v2.sqlite');
  const old = new Database(path);
  old.exec(MIGRATIONS[1] + MIGRATIONS[2]);
  old.pragma('user_version = 2');
  old.prepare("INSERT INTO buckets (name, appid, owner_uin, region, created_at) VALUES ('v-1', '1', '1', 'ap-guangzhou', 1)").run();
  old.prepare(`INSERT INTO objects (bucket, key, size, etag, crc64, last_modified, storage_class, object_type, content_headers, meta, owner_uin, blobs)
    VALUES ('v-1', 'k', 0, '"e"', '0', 1, 'STANDARD', 'normal', '{}', '{}', '1', '[]')`).run();
  old.prepare(`INSERT INTO uploads (bucket, key, upload_id, initiated, owner_uin, initiator_uin, storage_class, content_headers, meta)
    VALUES ('v-1', 'k', 'u', 1, '1', '1', 'STANDARD', '{}', '{}')`).run();
  old.close();
  const store = new SqliteMetadataStore(path);
  const object = await store.getObject('v-1', 'k');
  assert.equal(object?.size, 0);
  assert.equal('tags' in object!, false);
  assert.equal((await store.getUpload('v-1', 'k', 'u'))?.tags, undefined);
  await store.updateObject('v-1', 'k', (current) => ({ ...current!, tags: [{ key: 'a', value: 'b' }] }));
  assert.deepEqual((await store.getObject('v-1', 'k'))?.tags, [{ key: 'a', value: 'b' }]);
  await store.close();
});

test('sqlite: a version-3 database is upgraded through every migration; its rows have no version, encryption, lifecycle, tags or restore', async () => {
  const path = join(dir, 'v3.sqlite');
  const old = new Database(path);
  old.exec(MIGRATIONS[1] + MIGRATIONS[2] + MIGRATIONS[3]);
  old.pragma('user_version = 3');
  old.prepare("INSERT INTO buckets (name, appid, owner_uin, region, created_at) VALUES ('v-1', '1', '1', 'ap-guangzhou', 1)").run();
  old.prepare(`INSERT INTO objects (bucket, key, size, etag, crc64, last_modified, storage_class, object_type, content_headers, meta, owner_uin, blobs)
    VALUES ('v-1', 'k', 0, '"e"', '0', 1, 'ARCHIVE', 'normal', '{}', '{}', '1', '[]')`).run();
  old.close();
  const store = new SqliteMetadataStore(path);
  const bucket = await store.getBucket('v-1');
  assert.equal(bucket?.lifecycle, undefined);
  assert.equal(bucket?.tagging, undefined);
  assert.equal(bucket?.versioning, undefined);
  const object = await store.getObject('v-1', 'k');
  for (const member of ['restore', 'encryption', 'versionId', 'symlinkTarget']) assert.equal(member in object!, false, member);
  assert.equal(object?.objectType, 'normal');
  await store.close();
  const check = new Database(path);
  assert.equal(check.pragma('user_version', { simple: true }), Math.max(...Object.keys(MIGRATIONS).map(Number)));
  assert.ok(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'grants'").get(), 'the grants table of sub-users');
  for (const table of ['objects', 'uploads', 'parts']) {
    const columns = (check.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    assert.ok(columns.includes('encryption'), table);
  }
  check.close();
});

test('prefixUpperBound', () => {
  assert.equal(prefixUpperBound('a/'), 'a0');
  assert.equal(prefixUpperBound('ab'), 'ac');
  assert.equal(prefixUpperBound('a\uD7FF'), 'a\uE000');
  assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
  assert.equal(prefixUpperBound(''), undefined);
});
