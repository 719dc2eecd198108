import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { CosError, crc64 } from '@cosbox/protocol';
import { FsBlobStore } from './fs.js';
import { BlobGoneError } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'cosbox-blobs-'));
after(() => rmSync(root, { recursive: true, force: true }));

const dirs = new Map<FsBlobStore, string>();
async function store(): Promise<FsBlobStore> {
  const dir = mkdtempSync(join(root, 's-'));
  const s = new FsBlobStore(dir);
  await s.init();
  dirs.set(s, dir);
  return s;
}
const tmpOf = (s: FsBlobStore) => join(dirs.get(s)!, 'tmp');
const blobsOf = (s: FsBlobStore) => join(dirs.get(s)!, 'blobs');

function chunks(data: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('write hashes MD5, CRC-64 and SHA-1 in one pass and stores the bytes', async () => {
  const s = await store();
  const data = randomBytes(10_001);
  const blob = await s.write(chunks(data), { expectedSize: data.length, sha1: true });
  assert.equal(blob.size, data.length);
  assert.equal(blob.md5Hex, createHash('md5').update(data).digest('hex'));
  assert.equal(blob.sha1Hex, createHash('sha1').update(data).digest('hex'));
  assert.equal(blob.crc64, crc64(data));
  assert.deepEqual(await readAll(await s.open([blob], 0, data.length - 1)), data);
  assert.deepEqual(readdirSync(tmpOf(s)), []);
});

test('a body of the wrong length or too large leaves nothing behind', async () => {
  const s = await store();
  const isCode = (code: string) => (e: unknown) => e instanceof CosError && e.code === code;
  await assert.rejects(s.write(chunks(randomBytes(100)), { expectedSize: 101 }), isCode('IncompleteBody'));
  await assert.rejects(s.write(chunks(randomBytes(100)), { expectedSize: 99 }), isCode('IncompleteBody'));
  await assert.rejects(s.write(chunks(randomBytes(100)), { maxSize: 50 }), isCode('EntityTooLarge'));
  const failing = new Readable({ read() { this.destroy(new Error('client went away')); } });
  await assert.rejects(s.write(failing, { expectedSize: 10 }), /client went away/);
  assert.deepEqual(readdirSync(blobsOf(s), { recursive: true }).filter((p) => String(p).includes('/')), []);
  assert.deepEqual(readdirSync(tmpOf(s)), []);
});

test('open streams any range across the pieces of a manifest', async () => {
  const s = await store();
  const parts = [randomBytes(10), randomBytes(0), randomBytes(7), randomBytes(13)];
  const refs = [];
  for (const p of parts) refs.push(await s.write(Readable.from([p])));
  const whole = Buffer.concat(parts);
  for (const [start, end] of [[0, 29], [0, 0], [9, 10], [10, 16], [5, 25], [29, 29], [17, 17]]) {
    assert.deepEqual(await readAll(await s.open(refs, start, end)), whole.subarray(start, end + 1), `${start}-${end}`);
  }
  assert.deepEqual(await readAll(await s.open([], 0, -1)), Buffer.alloc(0));
});

test('removal waits for readers; a blob being removed cannot be acquired; a missing blob is BlobGone', async () => {
  const s = await store();
  const blob = await s.write(Readable.from([Buffer.from('abc')]));
  const path = s.pathOf(blob.id);
  const release = s.acquire([blob]);
  assert.ok(release);
  await s.remove([blob]);
  assert.equal(existsSync(path), true, 'kept while a reader holds it');
  release();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(existsSync(path), false, 'removed once released');
  await assert.rejects(s.open([blob], 0, 2), (e: unknown) => e instanceof BlobGoneError);

  const other = await s.write(Readable.from([Buffer.from('xyz')]));
  const removing = s.remove([other]);
  assert.equal(s.acquire([other]), undefined);
  await removing;
});

test('sweep removes temporary files and unreferenced blobs, keeps referenced ones', async () => {
  const s = await store();
  const keep = await s.write(Readable.from([Buffer.from('keep')]));
  const orphan = await s.write(Readable.from([Buffer.from('orphan')]));
  writeFileSync(join(tmpOf(s), 'half-written'), 'x');
  assert.deepEqual(await s.sweep(new Set([keep.id])), { temporary: 1, orphans: 1 });
  assert.equal(existsSync(s.pathOf(keep.id)), true);
  assert.equal(existsSync(s.pathOf(orphan.id)), false);
});
