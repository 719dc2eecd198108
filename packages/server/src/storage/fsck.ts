/**
 * `cosbox fsck`: checks a stopped server's data directory against its metadata.
 *
 * Every object and version (current and noncurrent) and every part of a multipart upload in progress
 * is checked: its blobs are there, of the recorded sizes, adding up to the object's size (the
 * manifest of a multipart object), and their bytes give the recorded CRC-64 (and the MD5 where the
 * ETag is a plain MD5); SSE-COS bytes are decrypted for it with the server's master key (SSE-C
 * ones cannot be: their key is the customer's, so only their sizes are checked). Blobs no record names (orphans) and temporary files are leftovers of an
 * interrupted write: harmless (the server sweeps them at start), reported, removed by `repair`.
 * With `repair` a damaged version is marked (ObjectRecord.damaged), so that reads of it answer
 * InternalError at once; its bytes are lost either way (restore it from a snapshot).
 *
 * It takes the data directory's lock: a server writing while fsck reads would make blobs it has not
 * committed yet look like orphans.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Crc64 } from '@cosbox/protocol';
import { METADATA_FILE } from '../admin.js';
import { ServerSideEncryption } from '../model/encryption.js';
import { parseSseMasterKey } from '../server.js';
import { ctrAt } from './blob/cipher.js';
import { lockDataDirectory } from './data-lock.js';
import { SqliteMetadataStore } from './metadata/sqlite.js';
import type { BlobRef, EncryptionRecord, MetadataStore } from './metadata/store.js';

export type FsckProblemKind = 'missing' | 'size' | 'manifest' | 'crc64' | 'md5' | 'orphan' | 'temporary';

export interface FsckProblem {
  kind: FsckProblemKind;
  /** The object or upload the problem is in (absent for orphans and temporary files). */
  bucket?: string;
  key?: string;
  versionId?: string;
  uploadId?: string;
  partNumber?: number;
  /** The blob (or temporary file) concerned. */
  blob?: string;
  detail: string;
  /** What `repair` did: marked the version damaged, or removed the file. */
  repaired?: 'marked' | 'removed';
}

export interface FsckReport {
  objects: number;
  parts: number;
  /** Blobs whose bytes were read and hashed, and their bytes. */
  blobsRead: number;
  bytesRead: number;
  /** SSE-C objects and parts (and SSE-COS ones without the master key): sizes checked, bytes not. */
  encryptedNotHashed: number;
  problems: FsckProblem[];
  /** Objects or parts whose bytes are missing or wrong (orphans and temporary files are not damage). */
  damaged: number;
}

export interface FsckOptions {
  repair?: boolean;
  /** The server's --sse-master-key (base64), when it is not in `<data>/sse.key`. */
  sseMasterKey?: string;
  /** Called as blobs are checked: `done` of `total` blob files in the directory. */
  onProgress?: (done: number, total: number) => void;
}

/** Thrown when the directory holds no cosbox metadata (fsck never makes one). */
export class NotADataDirectoryError extends Error {
  constructor(dataDir: string) {
    super(`${dataDir} holds no cosbox data (no ${METADATA_FILE})`);
  }
}

const PLAIN_MD5_ETAG = /^"[0-9a-f]{32}"$/;

/** Checks `dataDir` under its lock (throws DataDirectoryInUseError while a server runs on it). */
export async function fsck(dataDir: string, options: FsckOptions = {}): Promise<FsckReport> {
  const dir = resolve(dataDir);
  if (!existsSync(join(dir, METADATA_FILE))) throw new NotADataDirectoryError(dir);
  const lock = lockDataDirectory(dir);
  try {
    const store = new SqliteMetadataStore(join(dir, METADATA_FILE));
    try {
      return await check(dir, store, options);
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
}

interface BlobFacts {
  kind: 'missing' | 'size' | 'manifest' | 'crc64' | 'md5';
  blob: string;
  detail: string;
}

/** The master key as the server finds it: the configured one, else `<data>/sse.key`, else none. */
async function masterKeyOf(dir: string, configured: string | undefined): Promise<ServerSideEncryption | undefined> {
  if (configured !== undefined && configured !== '') return new ServerSideEncryption(parseSseMasterKey(configured));
  const text = await readFile(join(dir, 'sse.key'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : new ServerSideEncryption(parseSseMasterKey(text));
}

async function check(dir: string, store: MetadataStore, options: FsckOptions): Promise<FsckReport> {
  const sse = await masterKeyOf(dir, options.sseMasterKey);
  /** The data key of SSE-COS bytes; undefined for plain ones; 'unreadable' when fsck cannot decrypt them. */
  const keyOf = (encryption: EncryptionRecord | undefined): Buffer | undefined | 'unreadable' => {
    if (!encryption) return undefined;
    if (encryption.kind !== 'SSE-COS' || !sse) return 'unreadable';
    try {
      return sse.dataKey(encryption, undefined);
    } catch {
      return 'unreadable';
    }
  };
  const report: FsckReport = { objects: 0, parts: 0, blobsRead: 0, bytesRead: 0, encryptedNotHashed: 0, problems: [], damaged: 0 };
  const blobDir = join(dir, 'blobs');
  const pathOf = (id: string) => join(blobDir, id.slice(0, 2), id);
  const onDisk = await listBlobs(blobDir);
  let done = 0;
  const progress = (blobs: number) => {
    done += blobs;
    options.onProgress?.(Math.min(done, onDisk.length), onDisk.length);
  };
  options.onProgress?.(0, onDisk.length);

  for await (const object of store.scanObjects()) {
    report.objects++;
    const where = { bucket: object.bucket, key: object.key, ...(object.versionId !== undefined ? { versionId: object.versionId } : {}) };
    let found = await checkLayout(pathOf, object.blobs);
    const total = object.blobs.reduce((sum, b) => sum + b.size, 0);
    if (!found && object.objectType !== 'symlink' && total !== object.size) {
      found = { kind: 'manifest', blob: object.blobs[0]?.id ?? '', detail: `the blobs hold ${total} bytes, the object ${object.size}` };
    }
    if (!found && object.objectType !== 'symlink') {
      const key = keyOf(object.encryption);
      if (key === 'unreadable') report.encryptedNotHashed++;
      else {
        const md5 = object.objectType === 'normal' && PLAIN_MD5_ETAG.test(object.etag) ? object.etag.slice(1, -1) : undefined;
        found = await checkBytes(pathOf, object.blobs, object.crc64, md5, report, key);
      }
    }
    progress(object.blobs.length);
    if (!found) continue;
    report.damaged++;
    const problem: FsckProblem = { ...where, ...found };
    if (options.repair && object.damaged === undefined) {
      if (await store.markDamaged(object.bucket, object.key, object.versionId, `${problem.kind}: ${problem.detail}`)) problem.repaired = 'marked';
    } else if (object.damaged !== undefined) problem.repaired = 'marked';
    report.problems.push(problem);
  }

  for await (const { upload, part } of store.scanParts()) {
    report.parts++;
    let found = await checkLayout(pathOf, [part.blob]);
    if (!found) {
      const key = part.blob.iv === undefined ? undefined : keyOf(upload.encryption);
      if (key === 'unreadable') report.encryptedNotHashed++;
      else found = await checkBytes(pathOf, [part.blob], part.crc64, PLAIN_MD5_ETAG.test(part.etag) ? part.etag.slice(1, -1) : undefined, report, key);
    }
    progress(1);
    if (!found) continue;
    report.damaged++;
    report.problems.push({ bucket: upload.bucket, key: upload.key, uploadId: upload.uploadId, partNumber: part.partNumber, ...found });
  }

  const referenced = await store.referencedBlobIds();
  for (const id of onDisk) {
    if (referenced.has(id)) continue;
    const problem: FsckProblem = { kind: 'orphan', blob: id, detail: 'no object, version or part names this blob' };
    if (options.repair) {
      await rm(pathOf(id), { force: true });
      problem.repaired = 'removed';
    }
    report.problems.push(problem);
    progress(1);
  }
  const tmpDir = join(dir, 'tmp');
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const problem: FsckProblem = { kind: 'temporary', blob: name, detail: 'a write that never finished' };
    if (options.repair) {
      await rm(join(tmpDir, name), { force: true, recursive: true });
      problem.repaired = 'removed';
    }
    report.problems.push(problem);
  }
  options.onProgress?.(onDisk.length, onDisk.length);
  return report;
}

/** Every blob file's id, from the 256 directories of blobs/. */
async function listBlobs(blobDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const sub of await readdir(blobDir).catch(() => [] as string[])) {
    for (const id of await readdir(join(blobDir, sub)).catch(() => [] as string[])) ids.push(id);
  }
  return ids;
}

/** The first blob that is missing or of another size than recorded. */
async function checkLayout(pathOf: (id: string) => string, blobs: readonly BlobRef[]): Promise<BlobFacts | undefined> {
  for (const blob of blobs) {
    const facts = await stat(pathOf(blob.id)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!facts) return { kind: 'missing', blob: blob.id, detail: 'the blob file is not there' };
    if (facts.size !== blob.size) return { kind: 'size', blob: blob.id, detail: `${facts.size} bytes on disk, ${blob.size} recorded` };
  }
  return undefined;
}

/** Hashes the blobs' bytes (decrypted with `key` where a blob has an IV) in order against the recorded CRC-64 and, when given, MD5. */
async function checkBytes(
  pathOf: (id: string) => string,
  blobs: readonly BlobRef[],
  crc64: string,
  md5Hex: string | undefined,
  report: FsckReport,
  key: Buffer | undefined,
): Promise<BlobFacts | undefined> {
  const crc = new Crc64();
  const md5 = md5Hex === undefined ? undefined : createHash('md5');
  for (const blob of blobs) {
    const decipher = key && blob.iv !== undefined ? ctrAt(key, Buffer.from(blob.iv, 'base64'), 0) : undefined;
    for await (const stored of createReadStream(pathOf(blob.id), { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      const chunk = decipher ? decipher.update(stored) : stored;
      crc.update(chunk);
      md5?.update(chunk);
      report.bytesRead += chunk.length;
    }
    report.blobsRead++;
  }
  const last = blobs[blobs.length - 1]?.id ?? '';
  const actual = crc.digest();
  if (actual !== crc64) return { kind: 'crc64', blob: last, detail: `computed ${actual}, recorded ${crc64}` };
  const actualMd5 = md5?.digest('hex');
  if (md5Hex !== undefined && actualMd5 !== md5Hex) return { kind: 'md5', blob: last, detail: `computed ${actualMd5}, recorded ${md5Hex}` };
  return undefined;
}
