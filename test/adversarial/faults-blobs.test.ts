/**
 * Damaged storage: blobs missing, truncated or bit-flipped on disk behind the server's back. A read
 * that can tell before the response starts is 500 InternalError (never 503 "retry", never a hang);
 * one that finds out mid-stream cuts the connection, and a whole-object read checks the CRC-64 as it
 * streams, so a client never receives a damaged object whole. Each is logged with bucket, key and
 * blob id.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { open, rm, truncate } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { bucketName, REGION, startHarness, type Harness } from '../e2e/harness.js';
import { assertCosError, authorization, bucketHost, encodeKey } from '../e2e/raw.js';

let h: Harness;
const Bucket = bucketName('damaged');
const logLines: string[] = [];

before(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
  h = await startHarness({ logger });
  await h.cos.putBucket({ Bucket, Region: REGION });
});
after(() => h.close());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function blobPath(id: string): string {
  return join(h.dataDir, 'blobs', id.slice(0, 2), id);
}

async function blobsOf(key: string): Promise<string[]> {
  const record = await h.server.services.meta.getObject(Bucket, key);
  assert.ok(record, key);
  return record.blobs.map((b) => b.id);
}

async function put(key: string, body: Buffer, extra: object = {}): Promise<void> {
  await h.cos.putObject({ Bucket, Region: REGION, Key: key, Body: body, ...extra });
}

/** A two-part multipart object: 1 MiB and the rest. */
async function putMultipart(key: string, body: Buffer): Promise<void> {
  const at = { Bucket, Region: REGION, Key: key };
  const { UploadId } = await h.cos.multipartInit(at);
  const parts = [body.subarray(0, 1024 * 1024), body.subarray(1024 * 1024)];
  const etags: { PartNumber: number; ETag: string }[] = [];
  for (const [i, part] of parts.entries()) {
    const res = await h.cos.multipartUpload({ ...at, UploadId, PartNumber: i + 1, Body: part });
    etags.push({ PartNumber: i + 1, ETag: res.ETag });
  }
  await h.cos.multipartComplete({ ...at, UploadId, Parts: etags });
}

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** Whether the whole body arrived and the response ended normally. */
  complete: boolean;
}

/** A signed GET that reports a cut transfer instead of failing; bounded so a hang fails the test. */
function get(key: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const path = `/${encodeKey(key)}`;
  const all = { host: bucketHost(Bucket), ...headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: h.port, path, headers: { ...all, authorization: authorization('GET', path, all) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let ended = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (ended = true));
      res.on('error', () => undefined);
      res.on('close', () => {
        const body = Buffer.concat(chunks);
        const length = Number(res.headers['content-length']);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), complete: ended && !res.aborted && body.length === length });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s: the read hangs')));
    // Cut before the response head (a small object fails its check before its first byte goes out).
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve({ status: 0, headers: {}, body: Buffer.alloc(0), text: '', complete: false }) : reject(error),
    );
    req.end();
  });
}

/** The log line of a damaged read, with bucket, key and blob id. */
function damageLogged(key: string, blob: string, reason?: string): void {
  const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const found = entries.find((e) => e.bucket === Bucket && e.key === key && e.blob === blob);
  assert.ok(found, `a log line names ${Bucket}/${key} and blob ${blob}: ${logLines.join('')}`);
  assert.equal(found.level, 50, 'logged as an error');
  if (reason) assert.equal(found.reason, reason);
}

test('a missing blob is 500 InternalError, logged, not 503 SlowDown', async () => {
  const key = 'missing/one';
  await put(key, Buffer.from('gone soon'));
  const [blob] = await blobsOf(key);
  await rm(blobPath(blob));
  const res = await get(key);
  assertCosError({ ...res, headers: res.headers }, 500, 'InternalError');
  damageLogged(key, blob, 'missing');
  await assert.rejects(h.cos.getObject({ Bucket, Region: REGION, Key: key }), (e: { statusCode?: number }) => e.statusCode === 500);
  // The metadata still answers HEAD, and the key can be overwritten or deleted.
  await put(key, Buffer.from('back'));
  assert.equal((await get(key)).text, 'back');
});

test('a truncated blob is 500 InternalError at once, not a hang', async () => {
  const key = 'short/one';
  const body = randomBytes(200_000);
  await put(key, body);
  const [blob] = await blobsOf(key);
  await truncate(blobPath(blob), 100_000);
  const whole = await get(key);
  assertCosError(whole, 500, 'InternalError');
  const ranged = await get(key, { range: 'bytes=150000-150009' });
  assertCosError(ranged, 500, 'InternalError');
  damageLogged(key, blob, 'size');
});

// A later part is opened before the response starts (so that a worker process replacing the
// object cannot pull it away mid-read), so its loss is known in time for a 500.
test('a later part missing or truncated: 500 InternalError before any byte, and logged', async () => {
  for (const damage of ['missing', 'truncated'] as const) {
    const key = `multipart/${damage}`;
    const body = randomBytes(1024 * 1024 + 300_000);
    await putMultipart(key, body);
    const blobs = await blobsOf(key);
    assert.equal(blobs.length, 2);
    if (damage === 'missing') await rm(blobPath(blobs[1]));
    else await truncate(blobPath(blobs[1]), 1000);
    assertCosError(await get(key), 500, 'InternalError');
    damageLogged(key, blobs[1], damage === 'missing' ? 'missing' : 'size');
  }
});

/** Flips one bit at `offset` of a blob file. */
async function flip(path: string, offset: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, offset);
    byte[0] ^= 0x10;
    await file.write(byte, 0, 1, offset);
  } finally {
    await file.close();
  }
}

test('a flipped bit in an object of one chunk (1 MiB) or less: 500 InternalError before any byte', async () => {
  const cases = [
    { key: 'flip/small', size: 100, at: 3 },
    { key: 'flip/last-byte', size: 300_000, at: 299_999 },
    { key: 'flip/encrypted', size: 400_000, at: 123_456, extra: { ServerSideEncryption: 'AES256' } },
  ];
  for (const c of cases) {
    await put(c.key, randomBytes(c.size), c.extra);
    const [blob] = await blobsOf(c.key);
    await flip(blobPath(blob), c.at);
    assertCosError(await get(c.key), 500, 'InternalError');
    damageLogged(c.key, blob, 'crc64');
    await assert.rejects(h.cos.getObject({ Bucket, Region: REGION, Key: c.key }), (e: { statusCode?: number }) => e.statusCode === 500);
  }
});

test('a flipped bit in a larger object fails the CRC-64 check as it streams: the client never gets the whole body', async () => {
  const cases = [
    { key: 'flip/middle', size: 3 * 1024 * 1024, at: 2_500_000 },
    { key: 'flip/large-last-byte', size: 2 * 1024 * 1024 + 7, at: 2 * 1024 * 1024 + 6 },
    { key: 'flip/large-encrypted', size: 2 * 1024 * 1024, at: 1_500_000, extra: { ServerSideEncryption: 'AES256' } },
    { key: 'flip/multipart', size: 1024 * 1024 + 5000, at: 10, multipart: true },
  ];
  for (const c of cases) {
    const body = randomBytes(c.size);
    if (c.multipart) await putMultipart(c.key, body);
    else await put(c.key, body, c.extra);
    const blobs = await blobsOf(c.key);
    await flip(blobPath(blobs.at(-1)!), c.at);
    const res = await get(c.key);
    // Cut after the head went out, or before it when the damage is in the first chunk.
    assert.ok(res.status === 200 || res.status === 0, `${c.key}: ${res.status}`);
    assert.equal(res.complete, false, `${c.key}: the transfer is cut`);
    assert.ok(res.body.length < c.size, `${c.key}: ${res.body.length} of ${c.size} bytes arrived`);
    damageLogged(c.key, blobs.at(-1)!, 'crc64');
    // The official SDK sees a failed download, not a body with wrong bytes.
    const outcome = await h.cos.getObject({ Bucket, Region: REGION, Key: c.key }).then(
      (r) => md5(r.Body as Buffer),
      () => 'failed',
    );
    assert.equal(outcome, 'failed', `${c.key}: the SDK download fails`);
  }
});

test('undamaged objects still read whole and by range', async () => {
  const body = randomBytes(700_000);
  const large = randomBytes(2 * 1024 * 1024 + 3);
  await put('fine/large', large);
  await put('fine/large-encrypted', large, { ServerSideEncryption: 'AES256' });
  await put('fine/plain', body);
  await put('fine/encrypted', body, { ServerSideEncryption: 'AES256' });
  await putMultipart('fine/multipart', Buffer.concat([body, body]));
  const objects = [['fine/plain', body], ['fine/encrypted', body], ['fine/multipart', Buffer.concat([body, body])], ['fine/large', large], ['fine/large-encrypted', large]] as const;
  for (const [key, content] of objects) {
    const whole = await get(key);
    assert.equal(whole.complete, true, key);
    assert.equal(md5(whole.body), md5(content), key);
    const ranged = await get(key, { range: 'bytes=1000-699999' });
    assert.equal(ranged.status, 206);
    assert.equal(md5(ranged.body), md5(content.subarray(1000, 700_000)), key);
    const sdk = await h.cos.getObject({ Bucket, Region: REGION, Key: key });
    assert.equal(md5(sdk.Body as Buffer), md5(content), key);
  }
});
