/**
 * BlobStore: immutable byte blobs named by random ids, never by object keys.
 *
 * A blob becomes visible to the metadata only after `write()` resolves, i.e. after its bytes are
 * fsynced and renamed into place. Readers `acquire()` the blobs they stream so that a concurrent
 * overwrite's `remove()` waits for them: a reader never sees a blob vanish under it.
 */
import type { Readable } from 'node:stream';
import type { BlobRef } from '../metadata/store.js';

/**
 * Thrown by `open` when the first blob is not there: either the object changed under the reader
 * (look it up again) or, if the metadata still names it, the blob is lost.
 */
export class BlobGoneError extends Error {
  constructor(readonly blobId: string) {
    super(`blob ${blobId} is not there`);
  }
}

/**
 * A stored blob that is not what the metadata says: missing (past the first, which readers have
 * pinned), of another size, or with bytes whose CRC-64 differs from the object's. Thrown by `open`
 * before any byte is read when it can tell, else the error that ends the stream.
 */
export class BlobDamagedError extends Error {
  constructor(
    readonly blobId: string,
    readonly reason: 'missing' | 'size' | 'short read' | 'crc64',
    detail = '',
  ) {
    super(`blob ${blobId} is damaged (${reason}${detail ? `: ${detail}` : ''})`);
  }
}

export interface BlobWriteOptions {
  /** The declared Content-Length; a body of any other length fails with IncompleteBody. */
  expectedSize?: number;
  /** Upper bound (EntityTooLarge) when no size is declared. */
  maxSize?: number;
  /** Also compute SHA-1 (for x-cos-content-sha1). */
  sha1?: boolean;
  /**
   * Encrypt at rest with this AES-256 data key (AES-256-CTR under a fresh IV, returned as `iv`).
   * Digests and sizes are of the plaintext.
   */
  encryptionKey?: Buffer;
}

export interface BlobReadOptions {
  /** The data key of the blobs that carry an IV: their bytes are decrypted on the way out. */
  encryptionKey?: Buffer;
  /**
   * The CRC-64 of the whole (plaintext) content, for a read of all of it: checked as it streams,
   * and the last chunk is held back until it matches, so a mismatch never delivers a whole body.
   */
  crc64?: string;
}

export interface BlobWriteResult extends BlobRef {
  md5Hex: string;
  crc64: string;
  sha1Hex?: string;
}

export interface BlobStore {
  /** Streams `body` into a new blob, hashing MD5 and CRC-64 in the same pass. Nothing remains on failure. */
  write(body: AsyncIterable<Uint8Array>, options?: BlobWriteOptions): Promise<BlobWriteResult>;
  /**
   * Streams bytes `start..end` (inclusive) of the concatenation of `blobs` (decrypted from the first
   * wanted byte on, for encrypted blobs: nothing before it is read). Rejects with
   * BlobGoneError when the first blob no longer exists (the object changed: look it up again), and
   * with BlobDamagedError when a blob has the wrong size; the stream fails with BlobDamagedError
   * when a later blob is missing or damaged, or bytes are short or fail `crc64`.
   */
  open(blobs: readonly BlobRef[], start: number, end: number, options?: BlobReadOptions): Promise<Readable>;
  /**
   * Pins blobs against removal while they are read; returns the matching release, or undefined when
   * a blob is being removed right now (the object changed: look it up again).
   */
  acquire(blobs: readonly BlobRef[]): (() => void) | undefined;
  /** Deletes blobs (once no reader holds them). */
  remove(blobs: readonly BlobRef[]): Promise<void>;
  /**
   * Gives back the disk space held in reserve, so that a deletion on a full disk can commit its
   * metadata (which frees the deleted blobs' space). Resolves once the space is free.
   */
  freeReserve?(): Promise<void>;
  /** Takes the reserve back if there is room again (after blobs were removed); never fails. */
  refillReserve?(): Promise<void>;
  /** Start-up recovery: drops temporary files and blobs that no metadata references. */
  sweep(referenced: ReadonlySet<string>): Promise<{ temporary: number; orphans: number }>;
}
