import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

test('a multi-blob read opened before another process unlinks its later blobs still reads them whole', async () => {
  const s = await store();
  const parts = [randomBytes(700_000), randomBytes(5000), randomBytes(9000)];
  const refs = [];
  for (const p of parts) refs.push(await s.write(Readable.from([p])));
  const whole = Buffer.concat(parts);
  const stream = await s.open(refs, 0, whole.length - 1, { crc64: crc64(whole) });
  // What a worker process that replaced the object does: it knows nothing of this reader.
  for (const r of refs) unlinkSync(s.pathOf(r.id));
  assert.deepEqual(await readAll(stream), whole);
  // Once gone, a new read is told the object changed (the reader looks it up again).
  await assert.rejects(s.open(refs, 0, whole.length - 1), (e: unknown) => e instanceof BlobGoneError);
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

test('an encrypted write stores ciphertext, hashes the plaintext, and reads back any range across blobs', async () => {
  const s = await store();
  const key = randomBytes(32);
  const a = randomBytes(70_000);
  const b = randomBytes(33_333);
  const wa = await s.write(chunks(a, 4099), { encryptionKey: key, sha1: true });
  const wb = await s.write(chunks(b), { encryptionKey: key });
  assert.equal(wa.md5Hex, createHash('md5').update(a).digest('hex'));
  assert.equal(wa.crc64, crc64(a));
  assert.equal(wa.sha1Hex, createHash('sha1').update(a).digest('hex'));
  assert.equal(wa.size, a.length);
  assert.ok(wa.iv && wb.iv && wa.iv !== wb.iv, 'each blob has its own IV');
  const onDisk = readdirSync(blobsOf(s), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.equal(onDisk.length, 2);
  const stored = Buffer.concat(onDisk.map((e) => readFileSync(join(e.parentPath, e.name))));
  assert.equal(stored.length, a.length + b.length, 'CTR keeps sizes');
  assert.equal(stored.indexOf(a.subarray(0, 64)), -1);
  assert.equal(stored.indexOf(b.subarray(1000, 1064)), -1);

  const whole = Buffer.concat([a, b]);
  const refs = [wa, wb].map(({ id, size, iv }) => ({ id, size, iv }));
  for (const [start, end] of [[0, whole.length - 1], [1, 16], [17, 69_999], [69_990, 70_020], [70_000, 70_000], [70_001, whole.length - 2]]) {
    assert.deepEqual(await readAll(await s.open(refs, start, end, { encryptionKey: key })), whole.subarray(start, end + 1), `${start}-${end}`);
  }
  await assert.rejects(s.open(refs, 0, 10), /without its data key/);
});
