/**
 * Downloads that resume. An object up to one part comes in one GET; a larger one in Range GETs of
 * the part size, `partThreads` at a time, each streamed to its offset in `<file>.cosbox-part`, its
 * CRC-64 recorded in a checkpoint beside it (`<file>.cosbox-part.json`: the object's ETag, size and
 * part size, each range's CRC). A rerun of an interrupted download of the same object (same ETag)
 * fetches only the missing ranges. Every range is asked for with If-Match (the object changing
 * mid-way fails the download instead of mixing versions), the ranges' CRCs are combined into the
 * file's and compared with the object's x-cos-hash-crc64ecma, and only then is the file renamed
 * into place, with the object's time as mtime. A resumed download checks the kept ranges against
 * their recorded CRCs first (the file is not synced range by range).
 */
import { mkdir, open, readFile, rename, rm, stat, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { combineCrc64, Crc64, crc64 } from '@cosbox/protocol';
import { CrcMismatch } from './multipart.js';
import type { Connection } from './remote.js';

/** Files of downloads in progress: never listed as files of a directory (nor uploaded or deleted by sync). */
export function isPartialDownload(name: string): boolean {
  return /\.cosbox-part(\.json(\.tmp)?)?$/.test(name);
}

export interface Download {
  conn: Connection;
  signal: AbortSignal;
  bucket: string;
  key: string;
  path: string;
  partSize: number;
  partThreads: number;
  onBytes(loaded: number): void;
}

interface RangeCheckpoint {
  version: 1;
  etag: string;
  size: number;
  partSize: number;
  ranges: Record<string, string>;
}

async function loadCheckpoint(file: string): Promise<RangeCheckpoint | undefined> {
  try {
    const cp = JSON.parse(await readFile(file, 'utf8')) as RangeCheckpoint;
    return cp.version === 1 && typeof cp.ranges === 'object' ? cp : undefined;
  } catch {
    return undefined;
  }
}

/** Downloads the object to `path`; returns its CRC-64. */
export async function downloadResumable(d: Download): Promise<string> {
  const { cos, region } = d.conn;
  const at = { Bucket: d.bucket, Region: region, Key: d.key, Signal: d.signal };
  const head = await cos.headObject(at);
  const headers = head.headers ?? {};
  const size = Number(headers['content-length'] ?? 0);
  const etag = headers.etag ?? '';
  const expected = headers['x-cos-hash-crc64ecma'];
  const mtime = Date.parse(headers['last-modified'] ?? '');
  await mkdir(dirname(d.path), { recursive: true });
  const temp = `${d.path}.cosbox-part`;
  const checkpointFile = `${temp}.json`;

  let crc: string;
  if (size <= d.partSize) {
    const { Body } = await cos.getObject({ ...at, IfMatch: etag || undefined, onProgress: (p) => d.onBytes(p.loaded) });
    const body = Body ?? Buffer.alloc(0);
    crc = crc64(body);
    if (expected && crc !== expected) throw new CrcMismatch(`${d.key} as received`, crc, expected);
    await writeFile(temp, body);
  } else {
    crc = await rangesInto(d, temp, checkpointFile, { size, etag });
    if (expected && crc !== expected) {
      await rm(temp, { force: true });
      await rm(checkpointFile, { force: true });
      throw new CrcMismatch(`${d.key} as received`, crc, expected);
    }
  }
  // The object's time, so that a later sync sees the file as up to date.
  if (Number.isFinite(mtime)) await utimes(temp, new Date(), new Date(mtime));
  await rename(temp, d.path);
  await rm(checkpointFile, { force: true });
  return crc;
}

/** Attempts of one range: a stream into the file cannot be retried by the SDK, so it is done here. */
const RANGE_ATTEMPTS = 3;

/**
 * One Range GET streamed into the file at its offset and hashed on the way (no buffer of the
 * range, no copy); returns the range's CRC-64. Network failures and 5xx answers are tried again.
 */
async function fetchRange(d: Download, fh: FileHandle, range: { start: number; length: number; etag: string }, onLoaded: (n: number) => void): Promise<string> {
  const last = range.start + range.length - 1;
  for (let attempt = 1; ; attempt++) {
    const crc = new Crc64();
    let offset = range.start;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        crc.update(chunk);
        const at = offset;
        offset += chunk.length;
        fh.write(chunk, 0, chunk.length, at).then(() => callback(), callback);
      },
    });
    try {
      await d.conn.cos.getObject({
        Bucket: d.bucket,
        Region: d.conn.region,
        Key: d.key,
        Range: `bytes=${range.start}-${last}`,
        IfMatch: range.etag,
        Output: sink,
        Signal: d.signal,
        onProgress: (p) => onLoaded(p.loaded),
      });
      if (offset - range.start !== range.length) throw new Error(`range ${range.start}-${last} of ${d.key}: ${offset - range.start} bytes received`);
      return crc.digest();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (d.signal.aborted || attempt >= RANGE_ATTEMPTS || (status !== undefined && status < 500)) throw error;
    }
  }
}

async function rangesInto(d: Download, temp: string, checkpointFile: string, object: { size: number; etag: string }): Promise<string> {
  const { size, etag } = object;
  const partSize = d.partSize;
  const count = Math.ceil(size / partSize);
  let cp = await loadCheckpoint(checkpointFile);
  const tempSize = await stat(temp).then((s) => s.size, () => -1);
  if (!cp || !etag || cp.etag !== etag || cp.size !== size || cp.partSize !== partSize || tempSize !== size) {
    cp = { version: 1, etag, size, partSize, ranges: {} };
    await writeFile(temp, '');
  }
  const checkpoint = cp;
  const fh = await open(temp, 'r+');
  // Ranges are not synced to disk one by one (that would cost more than the download): a resumed
  // download reads the ranges it kept and fetches again any whose CRC is not the recorded one.
  for (const [n, recorded] of Object.entries(checkpoint.ranges)) {
    const start = (Number(n) - 1) * partSize;
    const length = Math.min(partSize, size - start);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(buffer, 0, length, start);
    if (bytesRead !== length || crc64(buffer) !== recorded) delete checkpoint.ranges[n];
  }
  let saving = Promise.resolve();
  const save = () => {
    const text = JSON.stringify(checkpoint);
    saving = saving.then(async () => {
      await writeFile(`${checkpointFile}.tmp`, text);
      await rename(`${checkpointFile}.tmp`, checkpointFile);
    });
    return saving;
  };
  try {
    await fh.truncate(size);
    await save();
    const inFlight = new Map<number, number>();
    let finished = Object.keys(checkpoint.ranges).reduce((sum, n) => sum + Math.min(partSize, size - (Number(n) - 1) * partSize), 0);
    const report = () => d.onBytes(finished + [...inFlight.values()].reduce((a, b) => a + b, 0));
    report();
    const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => checkpoint.ranges[n] === undefined);
    let failure: { error: unknown } | undefined;
    let next = 0;
    const worker = async () => {
      while (!failure && !d.signal.aborted && next < todo.length) {
        const n = todo[next++];
        try {
          const start = (n - 1) * partSize;
          const length = Math.min(partSize, size - start);
          const range = await fetchRange(d, fh, { start, length, etag }, (loaded) => {
            inFlight.set(n, loaded);
            report();
          });
          inFlight.delete(n);
          finished += length;
          report();
          checkpoint.ranges[n] = range;
          await save();
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(d.partThreads, todo.length) }, worker));
    await saving;
    if (failure) throw failure.error;
    d.signal.throwIfAborted();
  } finally {
    await saving.catch(() => undefined);
    await fh.close();
  }
  let whole = checkpoint.ranges[1];
  for (let n = 2; n <= count; n++) whole = combineCrc64(whole, checkpoint.ranges[n], Math.min(partSize, size - (n - 1) * partSize));
  return whole;
}
