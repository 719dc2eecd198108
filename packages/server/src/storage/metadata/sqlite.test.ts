import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { metadataStoreContract } from './contract.js';
import { prefixUpperBound, SqliteMetadataStore } from './sqlite.js';

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

test('prefixUpperBound', () => {
  assert.equal(prefixUpperBound('a/'), 'a0');
  assert.equal(prefixUpperBound('ab'), 'ac');
  assert.equal(prefixUpperBound('a\uD7FF'), 'a\uE000');
  assert.equal(prefixUpperBound('a\u{10FFFF}'), 'b');
  assert.equal(prefixUpperBound(''), undefined);
});
