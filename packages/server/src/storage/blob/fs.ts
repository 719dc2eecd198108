/**
 * BlobStore on the local filesystem.
 *
 * Layout under the data directory: `blobs/ab/<id>` for committed blobs and `tmp/<id>` while one is
 * written. A write streams into the temp file (hashing as the chunks pass), fsyncs it, renames it
 * into place and fsyncs the directory, so a blob is durable before any metadata refers to it.
 * Ids are random; nothing on disk is ever named after an object key.
 *
 * `<data>/reserve` holds RESERVE_BYTES of real (not sparse) space, given back when a deletion finds
 * the disk full: a deletion writes no blob, but its metadata commit needs a few pages of WAL, and
 * only once it commits can the deleted blobs go. It is taken again once there is room.
 *
 * One level of 256 directories, all made at start-up, keeps mkdir off the write path (DESIGN.md
 * drew two levels, `ab/cd/`: 65,536 directories, nearly every write the first in its directory for
 * a long while). ext4 and XFS index large directories, so a few hundred thousand blobs each is fine.
 */
import { createHash, randomUUID } from 'node:crypto';
import { close, closeSync, createReadStream, fstatSync, fsync, open, read, writev } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { CosError, Crc64 } from '@cosbox/protocol';
import type { BlobRef } from '../metadata/store.js';
import { ctrAt, newIv } from './cipher.js';
import { crcOffload } from './crc-offload.js';
import { BlobDamagedError, BlobGoneError, type BlobReadOptions, type BlobStore, type BlobWriteOptions, type BlobWriteResult } from './store.js';

// Plain numeric descriptors, not FileHandles: a FileHandle lent to a stream cannot be closed until
// the stream lets go of it, which a stream with autoClose: false never does.
const openFd = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);
const writevFd = promisify(writev);
const readFd = promisify(read);

/** Disk space kept back for deletions on a full disk: many group commits' worth of WAL pages. */
export const RESERVE_BYTES = 4 * 1024 * 1024;

/** Bytes gathered before one writev: large enough to keep syscalls few, small enough to stay flat. */
const WRITE_BATCH = 1024 * 1024;
/**
 * Bytes per read of a blob: 1 MiB, where 64 KiB cost a third more CPU per GiB served (fewer trips
 * through the thread pool, the stream and the socket), which pays for the CRC-64 check of whole
 * reads. Reads allocate no more than the range needs, so small objects do not pay for it.
 */
const READ_CHUNK = 512 * 1024;

const HEX = '0123456789abcdef';

/** Pieces of a multi-blob read opened before it starts (the rest open as it reaches them). */
const EAGER_PIECES = 64;

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

/** One blob's share of a read: bytes `from..to` of blob `id` (`size` bytes in all), encrypted under `iv` when given. */
interface Piece {
  id: string;
  size: number;
  from: number;
  to: number;
  iv?: string;
}

/** A piece's bytes, failing with BlobDamagedError if the file ends before `to` (truncated while read). */
async function* whole(stored: AsyncIterable<Buffer>, piece: Piece): AsyncIterable<Buffer> {
  let bytes = 0;
  for await (const chunk of stored) {
    bytes += chunk.length;
    yield chunk;
  }
  const wanted = piece.to - piece.from + 1;
  if (bytes !== wanted) throw new BlobDamagedError(piece.id, 'short read', `${bytes} of ${wanted} bytes`);
}

/**
 * The bytes of a whole object, checked against its CRC-64 as they pass (hashed on a worker thread).
 * Each chunk goes out only when the next has arrived, and the last only once the CRC matches: a
 * damaged object never reaches a client whole, whatever its Content-Length said.
 */
async function* verified(content: AsyncIterable<Buffer>, crc64: string, lastId: string): AsyncIterable<Buffer> {
  const crc = crcOffload.job();
  let finished = false;
  try {
    let held: Buffer | undefined;
    for await (const chunk of content) {
      await crc.update(chunk);
      if (held) yield held;
      held = chunk;
    }
    finished = true;
    const actual = await crc.digest();
    if (actual !== crc64) throw new BlobDamagedError(lastId, 'crc64', `computed ${actual}, recorded ${crc64}`);
    if (held) yield held;
  } finally {
    if (!finished) crc.cancel();
  }
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

/** How a sweep treats a blob directory shared by several gateways (absent: this server is alone). */
export interface SweepOptions {
  /** Only orphans (and temp files) last modified longer ago than this are removed. */
  graceMs?: number;
  /** Whether the gateway of this id still runs: a dead one's temp files go at once. */
  gatewayAlive?: (gatewayId: string) => boolean;
  /** The sweep before this gateway serves: its own temp files are an earlier run's. */
  startup?: boolean;
}

export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly reservePath: string;
  /** The reserve's state, changed one step at a time. */
  private reserve: Promise<'held' | 'free'> = Promise.resolve('free');
  private reserveHeld = false;
  /** Reader counts per blob id. */
  private readonly readers = new Map<string, number>();
  /** Blobs to delete when their last reader leaves. */
  private readonly deferred = new Set<string>();
  /** Blobs whose deletion is under way: they cannot be acquired. */
  private readonly doomed = new Set<string>();

  /** Several gateways on one directory: temp files are `tmp/<gatewayId>.<id>` (see sweep). */
  private readonly gatewayId: string | undefined;

  constructor(root: string, options: { gatewayId?: string } = {}) {
    this.gatewayId = options.gatewayId;
    this.blobDir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
    this.reservePath = join(root, 'reserve');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    for (const a of HEX) for (const b of HEX) await mkdir(join(this.blobDir, a + b), { recursive: true });
    await this.refillReserve();
    crcOffload.warm();
  }

  freeReserve(): Promise<void> {
    this.reserve = this.reserve.then(async () => {
      this.reserveHeld = false;
      await rm(this.reservePath, { force: true });
      return 'free' as const;
    });
    return this.reserve.then(() => undefined);
  }

  refillReserve(): Promise<void> {
    this.reserve = this.reserve.then(async (state) => {
      if (state === 'held') return state;
      try {
        // Only with room to spare: taken back at the first free byte, the reserve would leave the
        // deletions still waiting for it without space again.
        const { bavail, bsize } = await statfs(this.blobDir);
        if (bavail * bsize < 2 * RESERVE_BYTES) return 'free';
        await writeFile(this.reservePath, Buffer.alloc(RESERVE_BYTES));
        this.reserveHeld = true;
        return 'held' as const;
      } catch {
        // No room yet: try again after the next removal.
        await rm(this.reservePath, { force: true }).catch(() => undefined);
        return 'free' as const;
      }
    });
    return this.reserve.then(() => undefined);
  }

  private dirOf(id: string): string {
    return join(this.blobDir, id.slice(0, 2));
  }

  pathOf(id: string): string {
    return join(this.dirOf(id), id);
  }

  /**
   * While the reserve is spent, a write must leave its worth free (else the next deletion on a full
   * disk has no room to commit), and takes the reserve back when there is room for both.
   */
  private async ensureRoom(size: number): Promise<void> {
    const { bavail, bsize } = await statfs(this.blobDir);
    const free = bavail * bsize;
    if (free < RESERVE_BYTES + size) throw new CosError('InternalError', 'The server is out of disk space.');
    if (free >= 2 * RESERVE_BYTES + size) void this.refillReserve();
  }

  async write(body: AsyncIterable<Uint8Array>, options: BlobWriteOptions = {}): Promise<BlobWriteResult> {
    if (!this.reserveHeld) await this.ensureRoom(options.expectedSize ?? 0);
    const id = randomUUID().replaceAll('-', '');
    const tmp = join(this.tmpDir, this.gatewayId === undefined ? id : `${this.gatewayId}.${id}`);
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
    // Find the pieces that hold start..end and open the first now, so that a vanished or damaged
    // blob is known before any response header is sent; the others open as the stream reaches them.
    const pieces: Piece[] = [];
    const key = options.encryptionKey;
    let offset = 0;
    for (const b of blobs) {
      const pieceStart = offset;
      const pieceEnd = offset + b.size - 1;
      offset += b.size;
      if (b.size === 0 || pieceEnd < start || pieceStart > end) continue;
      if (b.iv !== undefined && !key) throw new Error('an encrypted blob was opened without its data key');
      pieces.push({ id: b.id, size: b.size, from: Math.max(start, pieceStart) - pieceStart, to: Math.min(end, pieceEnd) - pieceStart, iv: b.iv });
    }
    if (pieces.length === 0) return Readable.from([]);
    const p0 = pieces[0];
    if (pieces.length === 1 && p0.to - p0.from < READ_CHUNK) return this.readSmall(await this.openPiece(p0, true, false), p0, key, options.crc64);
    const first = await this.openPiece(p0, true);
    // The next pieces are opened now too (up to EAGER_PIECES): another process (--workers) that
    // replaces the object unlinks its blobs without knowing of this reader, and an open descriptor
    // keeps reading an unlinked file. One gone already means the object changed: BlobGoneError,
    // and the reader looks it up again.
    const early = new Map<number, number>();
    try {
      for (let i = 1; i < Math.min(pieces.length, EAGER_PIECES); i++) early.set(i, await this.openPiece(pieces[i], true));
    } catch (error) {
      for (const fd of [first, ...early.values()]) closeSync(fd);
      throw error;
    }
    const firstStream = createReadStream('', { fd: first, start: pieces[0].from, end: pieces[0].to, highWaterMark: READ_CHUNK });
    // A range of a simple unencrypted object is one piece: its file stream is the answer (its size
    // was checked on open).
    if (pieces.length === 1 && pieces[0].iv === undefined && options.crc64 === undefined) return firstStream;
    const self = this;
    async function* chain() {
      yield* plain(whole(firstStream, pieces[0]), pieces[0], key);
      for (let i = 1; i < pieces.length; i++) {
        const p = pieces[i];
        const fd = early.get(i) ?? (await self.openPiece(p, false));
        early.delete(i);
        yield* plain(whole(createReadStream('', { fd, start: p.from, end: p.to, highWaterMark: READ_CHUNK }), p), p, key);
      }
    }
    const content = options.crc64 === undefined ? chain() : verified(chain(), options.crc64, pieces[pieces.length - 1].id);
    const stream = Readable.from(content, { objectMode: false });
    // The first stream closes its descriptor when it ends or is destroyed; a chain abandoned before
    // it starts must close it here.
    stream.once('close', () => {
      firstStream.destroy();
      for (const fd of early.values()) closeSync(fd);
      early.clear();
    });
    return stream;
  }

  /**
   * A read of one chunk or less, the common small GET: one read into memory, decrypted and checked
   * there, so that damage is found before any response header is sent (500, not a cut connection),
   * and with none of a stream's machinery per chunk.
   */
  private async readSmall(fd: number, piece: Piece, key: Buffer | undefined, crc64: string | undefined): Promise<Readable> {
    const length = piece.to - piece.from + 1;
    // One byte more than wanted: a blob longer than recorded shows up without an fstat.
    const wanted = piece.to === piece.size - 1 ? length + 1 : length;
    const buffer = Buffer.allocUnsafe(wanted);
    let bytes = 0;
    try {
      while (bytes < wanted) {
        const { bytesRead } = await readFd(fd, buffer, bytes, wanted - bytes, piece.from + bytes);
        if (bytesRead === 0) break;
        bytes += bytesRead;
      }
    } finally {
      closeFd(fd).catch(() => undefined);
    }
    if (bytes > length) throw new BlobDamagedError(piece.id, 'size', `more than the ${piece.size} bytes recorded`);
    if (bytes < length) throw new BlobDamagedError(piece.id, 'size', `${piece.from + bytes} bytes on disk, ${piece.size} recorded`);
    const stored = wanted === length ? buffer : buffer.subarray(0, length);
    const content = piece.iv !== undefined && key ? ctrAt(key, Buffer.from(piece.iv, 'base64'), piece.from).update(stored) : stored;
    if (crc64 !== undefined) {
      const actual = new Crc64().update(content).digest();
      if (actual !== crc64) throw new BlobDamagedError(piece.id, 'crc64', `computed ${actual}, recorded ${crc64}`);
    }
    const stream = new Readable({ read() {} });
    stream.push(content);
    stream.push(null);
    return stream;
  }

  /**
   * Opens a piece's blob and checks its size. A missing first blob may be an overwrite that removed
   * it since the lookup (BlobGoneError: look again); a later one is pinned, so missing means lost.
   */
  private async openPiece(piece: Piece, first: boolean, checkSize = true): Promise<number> {
    let fd: number;
    try {
      fd = await openFd(this.pathOf(piece.id), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw first ? new BlobGoneError(piece.id) : new BlobDamagedError(piece.id, 'missing');
    }
    if (!checkSize) return fd;
    // fstat of an open descriptor is answered from the inode in memory: synchronous costs less than
    // a trip through the thread pool.
    const { size } = fstatSync(fd);
    if (size !== piece.size) {
      closeSync(fd);
      throw new BlobDamagedError(piece.id, 'size', `${size} bytes on disk, ${piece.size} recorded`);
    }
    return fd;
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

  async sweep(referenced: ReadonlySet<string>, options: SweepOptions = {}): Promise<{ temporary: number; orphans: number }> {
    const shared = options.graceMs !== undefined;
    const before = Date.now() - (options.graceMs ?? 0);
    /** Older than the grace period (a file gone meanwhile is not). */
    const old = async (path: string) => {
      const info = await stat(path).catch(() => undefined);
      return info !== undefined && info.mtimeMs < before;
    };
    let temporary = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      if (shared) {
        // A live gateway's upload keeps its temp file, however slow; a dead gateway's goes, and so
        // do this gateway's own from an earlier run under the same id (at start-up only); a name
        // without an owner goes once it is old.
        const owner = name.includes('.') ? name.slice(0, name.indexOf('.')) : undefined;
        if (owner === undefined) {
          if (!(await old(path))) continue;
        } else if (owner === this.gatewayId) {
          if (!options.startup) continue;
        } else if (options.gatewayAlive === undefined || options.gatewayAlive(owner)) {
          continue;
        }
      }
      await rm(path, { force: true, recursive: true });
      temporary++;
    }
    let orphans = 0;
    for (const dir of await readdir(this.blobDir)) {
      for (const id of await readdir(join(this.blobDir, dir))) {
        if (referenced.has(id)) continue;
        const path = join(this.blobDir, dir, id);
        // A fresh blob may be one whose commit is in flight on another gateway.
        if (shared && !(await old(path))) continue;
        await rm(path, { force: true });
        orphans++;
      }
    }
    return { temporary, orphans };
  }
}
