/**
 * Uploads in parts that resume from a local checkpoint. Each part is read once into memory, its
 * CRC-64 computed from that buffer and compared with the one the server answers for the part (no
 * Content-MD5: the CRC covers the same ground, and MD5 would be the client's largest CPU cost, on
 * a machine the client may share with the server); the checkpoint
 * (`~/.cache/cosbox/uploads/<hash>.json`: upload id, the file's size and mtime, part size, each part's
 * ETag, CRC-64 and size) is rewritten after every part. A rerun of the same transfer finds the
 * checkpoint, keeps the parts the server still lists with the recorded ETag, sends the others, and
 * combines the parts' CRCs into the file's (combineCrc64) without reading the kept parts again.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { combineCrc64, crc64 } from '@cosbox/protocol';
import type { StoredObjectHeaders } from '@cosbox/sdk';
import type { Connection } from './remote.js';

const MiB = 1024 * 1024;
const MAX_PARTS = 10_000;

interface PartRecord {
  etag: string;
  crc64: string;
  size: number;
}

interface Checkpoint {
  version: 1;
  target: string;
  path: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  uploadId: string;
  parts: Record<string, PartRecord>;
}

export interface PartsUpload {
  conn: Connection;
  signal: AbortSignal;
  bucket: string;
  key: string;
  path: string;
  partSize: number;
  partThreads: number;
  headers: StoredObjectHeaders;
  onBytes(loaded: number): void;
  env?: NodeJS.ProcessEnv;
}

export class CrcMismatch extends Error {
  code = 'CrcMismatch';
  constructor(what: string, local: string, remote: string) {
    super(`CRC-64 of ${what} differs: ${local} sent, ${remote} stored`);
  }
}

/** `$XDG_CACHE_HOME/cosbox/uploads`, else `~/.cache/cosbox/uploads`. */
export function checkpointDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'cosbox', 'uploads');
}

/** Parts of at least the requested size, in whole MiB, and no more than 10,000 of them. */
export function partSizeFor(size: number, requested: number): number {
  const least = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(requested, least, MiB);
}

/**
 * Which upload a checkpoint is for. Not the endpoint: an upload id the server does not know is
 * simply not resumed, so a checkpoint made through another address of the same server still serves.
 */
function targetId(u: PartsUpload): string {
  return JSON.stringify([u.conn.region, u.bucket, u.key]);
}

async function loadCheckpoint(file: string): Promise<Checkpoint | undefined> {
  try {
    const cp = JSON.parse(await readFile(file, 'utf8')) as Checkpoint;
    return cp.version === 1 && typeof cp.uploadId === 'string' && typeof cp.parts === 'object' ? cp : undefined;
  } catch {
    return undefined;
  }
}

/** The parts the server has for the upload, or undefined when the upload is gone. */
async function serverParts(u: PartsUpload, uploadId: string): Promise<Map<number, { etag: string; size: number }> | undefined> {
  const parts = new Map<number, { etag: string; size: number }>();
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await u.conn.cos.multipartListPart({ Bucket: u.bucket, Region: u.conn.region, Key: u.key, UploadId: uploadId, PartNumberMarker: marker, MaxParts: 1000, Signal: u.signal });
      for (const p of page.Part ?? []) parts.set(Number(p.PartNumber), { etag: p.ETag, size: Number(p.Size) });
      if (page.IsTruncated !== 'true' || !page.NextPartNumberMarker) return parts;
      marker = page.NextPartNumberMarker;
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'NoSuchUpload' || (e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

async function readPart(path: string, start: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await fh.read(buffer, filled, length - filled, start + filled);
      if (bytesRead === 0) throw new Error(`${path} shrank while being uploaded`);
      filled += bytesRead;
    }
    return buffer;
  } finally {
    await fh.close();
  }
}

/** Uploads the file in parts (resuming a checkpointed upload); returns its CRC-64. */
export async function uploadInParts(u: PartsUpload): Promise<string> {
  const { cos, region } = u.conn;
  const info = await stat(u.path);
  const size = info.size;
  const partSize = partSizeFor(size, u.partSize);
  const count = Math.ceil(size / partSize);
  const target = targetId(u);
  const absolute = resolve(u.path);
  const dir = checkpointDir(u.env);
  const file = join(dir, `${createHash('sha256').update(`${target}\n${absolute}`).digest('hex').slice(0, 32)}.json`);

  const done = new Map<number, PartRecord>();
  let cp = await loadCheckpoint(file);
  if (cp && (cp.target !== target || cp.path !== absolute)) cp = undefined;
  if (cp && (cp.size !== size || cp.mtimeMs !== info.mtimeMs || cp.partSize !== partSize)) {
    // The file changed since: its parts there are of other content, and nothing else will use them.
    await cos.multipartAbort({ Bucket: u.bucket, Region: region, Key: u.key, UploadId: cp.uploadId, Signal: u.signal }).catch(() => undefined);
    cp = undefined;
  }
  if (cp) {
    const there = await serverParts(u, cp.uploadId);
    if (!there) cp = undefined;
    else {
      for (const [n, part] of there) {
        const recorded = cp.parts[n];
        if (recorded && recorded.etag === part.etag && recorded.size === part.size) done.set(n, recorded);
      }
    }
  }
  if (!cp) {
    const init = await cos.multipartInit({ Bucket: u.bucket, Region: region, Key: u.key, Signal: u.signal, ...u.headers });
    cp = { version: 1, target, path: absolute, size, mtimeMs: info.mtimeMs, partSize, uploadId: init.UploadId, parts: {} };
  }
  const checkpoint = cp;
  checkpoint.parts = Object.fromEntries(done);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let saving = Promise.resolve();
  const save = () => {
    const text = JSON.stringify(checkpoint);
    saving = saving.then(async () => {
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, text, { mode: 0o600 });
      await rename(temp, file);
    });
    return saving;
  };
  await save();

  const inFlight = new Map<number, number>();
  let finished = [...done.values()].reduce((sum, p) => sum + p.size, 0);
  const report = () => u.onBytes(finished + [...inFlight.values()].reduce((a, b) => a + b, 0));
  report();

  const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (!failure && !u.signal.aborted && next < todo.length) {
      const n = todo[next++];
      try {
        const start = (n - 1) * partSize;
        const body = await readPart(u.path, start, Math.min(partSize, size - start));
        const crc = crc64(body);
        const sent = await cos.multipartUpload({
          Bucket: u.bucket,
          Region: region,
          Key: u.key,
          UploadId: checkpoint.uploadId,
          PartNumber: n,
          Body: body,
          Signal: u.signal,
          onProgress: (p) => {
            inFlight.set(n, p.loaded);
            report();
          },
        });
        const stored = sent.headers?.['x-cos-hash-crc64ecma'];
        if (stored && stored !== crc) throw new CrcMismatch(`part ${n} of ${u.path}`, crc, stored);
        inFlight.delete(n);
        finished += body.length;
        report();
        done.set(n, { etag: sent.ETag, crc64: crc, size: body.length });
        checkpoint.parts[n] = done.get(n)!;
        await save();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(u.partThreads, todo.length) }, worker));
  if (failure) throw failure.error;
  u.signal.throwIfAborted();

  const parts = Array.from({ length: count }, (_, i) => ({ PartNumber: i + 1, ETag: done.get(i + 1)!.etag }));
  const completed = await cos.multipartComplete({ Bucket: u.bucket, Region: region, Key: u.key, UploadId: checkpoint.uploadId, Parts: parts, Signal: u.signal });
  let whole = done.get(1)!.crc64;
  for (let n = 2; n <= count; n++) whole = combineCrc64(whole, done.get(n)!.crc64, done.get(n)!.size);
  await saving;
  await rm(file, { force: true });
  const stored = completed.headers?.['x-cos-hash-crc64ecma'];
  if (stored && stored !== whole) throw new CrcMismatch(u.path, whole, stored);
  return whole;
}
