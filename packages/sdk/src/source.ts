/**
 * What uploadFile and sliceUploadFile read: a local file named by `FilePath` (Node), or a Blob or
 * File given as `Body` (browsers, as the official cos-js-sdk-v5 takes it; Node 20 has Blob too).
 * Either way the upload cuts it into slices that are each a replayable request body (a FileSlice
 * read from disk again, or a Blob slice) and hashes each slice for its Content-MD5 and the resume
 * check, without holding the whole file in memory.
 */
import { Md5, toHex } from '@cosbox/protocol';
import { asCosSdkError, paramError } from './errors.js';
import { fileSlice, isBlobBody, platform, type BlobBody, type LocalFiles, type RequestBody } from './transport.js';

export interface UploadSource {
  readonly size: number;
  /** A directory (Node): uploaded as an empty object. */
  readonly isDirectory: boolean;
  /** Bytes [start, end) as a request body. */
  slice(start: number, end: number): RequestBody;
  /** hex MD5 of bytes [start, end). */
  md5Hex(start: number, end: number): Promise<string>;
  /** The Content-Type to store the object with when the params name none. */
  contentType(): string | undefined;
}

/** A Blob is hashed this many bytes at a time, so a large part is never read whole into memory. */
const BLOB_HASH_CHUNK = 4 * 1024 * 1024;

export function blobSource(blob: BlobBody): UploadSource {
  return {
    size: blob.size,
    isDirectory: false,
    slice: (start, end) => blob.slice(start, end),
    async md5Hex(start, end) {
      const hash = new Md5();
      for (let offset = start; offset < end; offset += BLOB_HASH_CHUNK) {
        hash.update(new Uint8Array(await blob.slice(offset, Math.min(end, offset + BLOB_HASH_CHUNK)).arrayBuffer()));
      }
      return toHex(hash.digest());
    },
    contentType: () => blob.type || undefined,
  };
}

async function fileSource(files: LocalFiles, path: string): Promise<UploadSource> {
  const { size, isDirectory } = await files.stat(path).catch((e: unknown) => Promise.reject(asCosSdkError(e)));
  return {
    size,
    isDirectory,
    slice: (start, end) => fileSlice(path, start, end),
    md5Hex: (start, end) => files.md5Hex(fileSlice(path, start, end)),
    contentType: () => files.contentType(path) ?? 'application/octet-stream',
  };
}

/** The source of an upload's params: `Body` when it is a Blob or File, else the local file `FilePath`. */
export async function uploadSource(p: { FilePath?: string; Body?: unknown }): Promise<UploadSource> {
  if (isBlobBody(p.Body)) return blobSource(p.Body);
  const files = platform().files;
  if (!files) throw paramError('FilePath uploads need local files (Node); give Body a File or Blob');
  return fileSource(files, p.FilePath ?? '');
}
