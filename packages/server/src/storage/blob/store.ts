/**
 * BlobStore: immutable byte blobs named by random ids, never by object keys.
 *
 * A blob becomes visible to the metadata only after `write()` resolves, i.e. after its bytes are
 * fsynced and renamed into place. Readers `acquire()` the blobs they stream so that a concurrent
 * overwrite's `remove()` waits for them: a reader never sees a blob vanish under it.
 */
import type { Readable } from 'node:stream';
import type { BlobRef } from '../metadata/store.js';

/** Thrown by `open` when a blob vanished because the object changed under the reader: look it up again. */
export class BlobGoneError extends Error {
  constructor() {
    super('blob was removed concurrently');
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
   * BlobGoneError when the first blob no longer exists (the object changed: look it up again).
   */
  open(blobs: readonly BlobRef[], start: number, end: number, options?: BlobReadOptions): Promise<Readable>;
  /**
   * Pins blobs against removal while they are read; returns the matching release, or undefined when
   * a blob is being removed right now (the object changed: look it up again).
   */
  acquire(blobs: readonly BlobRef[]): (() => void) | undefined;
  /** Deletes blobs (once no reader holds them). */
  remove(blobs: readonly BlobRef[]): Promise<void>;
  /** Start-up recovery: drops temporary files and blobs that no metadata references. */
  sweep(referenced: ReadonlySet<string>): Promise<{ temporary: number; orphans: number }>;
}
