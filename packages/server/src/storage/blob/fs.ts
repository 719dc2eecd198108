/**
 * BlobStore on the local filesystem.
 *
 * Layout under the data directory: `blobs/ab/<id>` for committed blobs and `tmp/<id>` while one is
 * written. A write streams into the temp file (hashing as the chunks pass), fsyncs it, renames it
 * into place and fsyncs the directory, so a blob is durable before any metadata refers to it.
 * Ids are random; nothing on disk is ever named after an object key.
 *
 * One level of 256 directories, all made at start-up, keeps mkdir off the write path (DESIGN.md
 * drew two levels, `ab/cd/`: 65,536 directories, nearly every write the first in its directory for
 * a long while). ext4 and XFS index large directories, so a few hundred thousand blobs each is fine.
 */
import { createHash, randomUUID } from 'node:crypto';
import { close, createReadStream, fsync, open, writev } from 'node:fs';
import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { CosError, Crc64 } from '@cosbox/protocol';
import type { BlobRef } from '../metadata/store.js';
import { ctrAt, newIv } from './cipher.js';
import { BlobGoneError, type BlobReadOptions, type BlobStore, type BlobWriteOptions, type BlobWriteResult } from './store.js';

// Plain numeric descriptors, not FileHandles: a FileHandle lent to a stream cannot be closed until
// the stream lets go of it, which a stream with autoClose: false never does.
const openFd = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
const writevFd = promisify(writev);

/** Bytes gathered before one writev: large enough to keep syscalls few, small enough to stay flat. */
const WRITE_BATCH = 1024 * 1024;

const HEX = '0123456789abcdef';

/** Writes all of `chunks` at the descriptor's current position (writev may write part of them). */
async function writeAll(fd: number, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    let { bytesWritten: written } = await writevFd(fd, pending);
    const rest: Uint8Array[] = [];
    for (const chunk of pending) {
      if (written >= chunk.length) written -= chunk.length;
      else {
        rest.push(chunk.subarray(written));
        written = 0;
      }
    }
    pending = rest;
  }
}

/** Makes a rename in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const fd = await openFd(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** One blob's share of a read: bytes `from..to` of blob `id`, encrypted under `iv` when given. */
interface Piece {
  id: string;
  from: number;
  to: number;
  iv?: string;
}

/**
 * A piece's bytes as stored, or decrypted chunk by chunk. The cipher is made when the piece is
 * reached, so an object of many parts holds one at a time.
 */
function plain(stored: AsyncIterable<Buffer>, piece: Piece, key: Buffer | undefined): AsyncIterable<Buffer> {
  if (piece.iv === undefined || !key) return stored;
  const decipher = ctrAt(key, Buffer.from(piece.iv, 'base64'), piece.from);
  return (async function* () {
    for await (const chunk of stored) yield decipher.update(chunk);
  })();
}

export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  /** Reader counts per blob id. */
  private readonly readers = new Map<string, number>();
  /** Blobs to delete when their last reader leaves. */
  private readonly deferred = new Set<string>();
  /** Blobs whose deletion is under way: they cannot be acquired. */
  private readonly doomed = new Set<string>();

  constructor(root: string) {
    this.blobDir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    for (const a of HEX) for (const b of HEX) await mkdir(join(this.blobDir, a + b), { recursive: true });
  }

  private dirOf(id: string): string {
    return join(this.blobDir, id.slice(0, 2));
  }

  pathOf(id: string): string {
    return join(this.dirOf(id), id);
  }

  async write(body: AsyncIterable<Uint8Array>, options: BlobWriteOptions = {}): Promise<BlobWriteResult> {
    const id = randomUUID().replaceAll('-', '');
    const tmp = join(this.tmpDir, id);
    const md5 = createHash('md5');
    const sha1 = options.sha1 ? createHash('sha1') : undefined;
    const crc = new Crc64();
    const { expectedSize, maxSize, encryptionKey } = options;
    const iv = encryptionKey && newIv();
    // Undefined on the unencrypted path, which stays as it was: chunks go to disk as they came.
    const cipher = encryptionKey && ctrAt(encryptionKey, iv!, 0);
    let size = 0;

    const fd = await openFd(tmp, 'wx');
    let fdOpen = true;
    try {
      // Hash each chunk as it arrives; write in batches, one writev in flight while the next
      // batch is read, so reading the socket and writing the disk overlap.
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      let inFlight: Promise<void> = Promise.resolve();
      let writeError: unknown;
      const flush = async () => {
        await inFlight;
        if (writeError) throw writeError;
        const chunks = batch;
        batch = [];
        batchBytes = 0;
        inFlight = writeAll(fd, chunks).catch((e: unknown) => void (writeError = e));
      };
      for await (const chunk of body) {
        size += chunk.length;
        if (expectedSize !== undefined && size > expectedSize) throw new CosError('IncompleteBody');
        if (maxSize !== undefined && size > maxSize) throw new CosError('EntityTooLarge');
        md5.update(chunk);
        crc.update(chunk);
        sha1?.update(chunk);
        batch.push(cipher ? cipher.update(chunk) : chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      await inFlight;
      if (writeError) throw writeError;
      if (expectedSize !== undefined && size !== expectedSize) throw new CosError('IncompleteBody');
      await fsyncFd(fd);
      fdOpen = false;
      await closeFd(fd);
      await rename(tmp, this.pathOf(id));
      await syncDirectory(this.dirOf(id));
    } catch (error) {
      if (fdOpen) await closeFd(fd).catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    }
    const result: BlobWriteResult = { id, size, md5Hex: md5.digest('hex'), crc64: crc.digest(), sha1Hex: sha1?.digest('hex') };
    if (iv) result.iv = iv.toString('base64');
    return result;
  }

  acquire(blobs: readonly BlobRef[]): (() => void) | undefined {
    if (blobs.some((b) => this.doomed.has(b.id))) return undefined;
    for (const b of blobs) this.readers.set(b.id, (this.readers.get(b.id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const free: BlobRef[] = [];
      for (const b of blobs) {
        const n = (this.readers.get(b.id) ?? 1) - 1;
        if (n > 0) {
          this.readers.set(b.id, n);
          continue;
        }
        this.readers.delete(b.id);
        if (this.deferred.delete(b.id)) free.push(b);
      }
      if (free.length > 0) void this.remove(free);
    };
  }

  async open(blobs: readonly BlobRef[], start: number, end: number, options: BlobReadOptions = {}): Promise<Readable> {
    // Find the pieces that hold start..end and open the first now, so that a vanished blob is known
    // before any response header is sent; the others open as the stream reaches them.
    const pieces: Piece[] = [];
    const key = options.encryptionKey;
    let offset = 0;
    for (const b of blobs) {
      const pieceStart = offset;
      const pieceEnd = offset + b.size - 1;
      offset += b.size;
      if (b.size === 0 || pieceEnd < start || pieceStart > end) continue;
      if (b.iv !== undefined && !key) throw new Error('an encrypted blob was opened without its data key');
      pieces.push({ id: b.id, from: Math.max(start, pieceStart) - pieceStart, to: Math.min(end, pieceEnd) - pieceStart, iv: b.iv });
    }
    if (pieces.length === 0) return Readable.from([]);
    let first: number;
    try {
      first = await openFd(this.pathOf(pieces[0].id), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobGoneError();
      throw error;
    }
    const firstStream = createReadStream('', { fd: first, start: pieces[0].from, end: pieces[0].to, highWaterMark: 1 << 16 });
    // A simple unencrypted object is one piece: its file stream is the answer.
    if (pieces.length === 1 && pieces[0].iv === undefined) return firstStream;
    const self = this;
    async function* chain() {
      yield* plain(firstStream, pieces[0], key);
      for (const p of pieces.slice(1)) {
        yield* plain(createReadStream(self.pathOf(p.id), { start: p.from, end: p.to, highWaterMark: 1 << 16 }), p, key);
      }
    }
    const stream = Readable.from(chain(), { objectMode: false });
    // The first stream closes its descriptor when it ends or is destroyed; a chain abandoned before
    // it starts must close it here.
    stream.once('close', () => firstStream.destroy());
    return stream;
  }

  async remove(blobs: readonly BlobRef[]): Promise<void> {
    const now: string[] = [];
    for (const b of blobs) {
      if (this.readers.has(b.id)) this.deferred.add(b.id);
      else now.push(b.id);
    }
    if (now.length === 0) return;
    for (const id of now) this.doomed.add(id);
    try {
      await Promise.all(now.map((id) => unlink(this.pathOf(id)).catch(() => undefined)));
    } finally {
      for (const id of now) this.doomed.delete(id);
    }
  }

  async sweep(referenced: ReadonlySet<string>): Promise<{ temporary: number; orphans: number }> {
    let temporary = 0;
    for (const name of await readdir(this.tmpDir)) {
      await rm(join(this.tmpDir, name), { force: true, recursive: true });
      temporary++;
    }
    let orphans = 0;
    for (const dir of await readdir(this.blobDir)) {
      for (const id of await readdir(join(this.blobDir, dir))) {
        if (referenced.has(id)) continue;
        await rm(join(this.blobDir, dir, id), { force: true });
        orphans++;
      }
    }
    return { temporary, orphans };
  }
}
