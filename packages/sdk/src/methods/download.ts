/**
 * downloadFile (cos-nodejs-sdk-v5 advance.js downloadFile): an object into a local file.
 *
 *  - HEAD first, for the size and the CRC-64 the server keeps (x-cos-hash-crc64ecma);
 *  - an object up to ChunkSize comes in one GET; a larger one in ranged GETs, ParallelLimit at a
 *    time, each written at its offset and retried up to RetryTimes attempts in all;
 *  - every range is hashed as it arrives, and the ranges' CRCs are combined (combineCrc64) into the
 *    file's, which must be the object's: on a mismatch the call fails and the file is removed.
 *    (The official SDK checks only that each range answer names the same CRC and size as the HEAD.)
 *
 * Writing files is the platform's business: the Node entry point installs it (../node/download.ts).
 */
import { combineCrc64 } from '@cosbox/protocol';
import { run } from '../api.js';
import type { Headers, Query } from '../auth.js';
import { asCosSdkError, CosSdkError, paramError } from '../errors.js';
import { checkParams } from '../params.js';
import { progressReporter, type OnProgress } from '../progress.js';
import type { Client } from '../request.js';
import type { OutputSink } from '../transport.js';
import { METHODS } from './index.js';
import { eachLimit, MiB, partSizeFor } from './slices.js';
import type { GetObjectResult, ObjectParams } from './object.js';

export interface DownloadFileParams extends ObjectParams {
  /** The local file to write (created, or emptied first). */
  FilePath: string;
  /** Objects up to this size come in one request; larger ones in ranges of this size (default 1 MiB, grown to stay within MaxPartNumber ranges). */
  ChunkSize?: number;
  /** Ranges downloaded at once (default 5). */
  ParallelLimit?: number;
  /** Attempts of each range (default 3). */
  RetryTimes?: number;
  /** Sent with the HEAD and every GET (a Range here is replaced by each chunk's). */
  Headers?: Headers;
  Query?: Query;
  onProgress?: OnProgress;
}
/** The result of the last GET (of the whole object, or of its last range). */
export type DownloadFileResult = GetObjectResult;

/** A local file being written in pieces. */
export interface DownloadTarget {
  /** A sink for the bytes from `offset` on, which hashes them (CRC-64/ECMA-182) as they pass. */
  writerAt(offset: number): { sink: OutputSink; crc64(): string };
  close(): Promise<void>;
  /** Closes and deletes the file. */
  remove(): Promise<void>;
}

export interface DownloadFiles {
  /** Creates the file, or empties it. */
  open(path: string): Promise<DownloadTarget>;
}

let downloadFiles: DownloadFiles | undefined;

/** Called by an entry point whose platform has local files (Node). */
export function installDownloadFiles(files: DownloadFiles): void {
  downloadFiles = files;
}

function changedError(message: string, statusCode: number | undefined, headers: Record<string, string>): CosSdkError {
  const err = new CosSdkError('ObjectHasChanged', message, { statusCode });
  (err as unknown as { header: Record<string, string> }).header = headers;
  return err;
}

interface Chunk {
  start: number;
  /** Last byte, inclusive (a Range's). */
  end: number;
  crc?: string;
}

export async function downloadFile(client: Client, input: DownloadFileParams): Promise<DownloadFileResult> {
  const { options } = client;
  const p = checkParams('object', input, options);
  METHODS.getObject.check?.(p, client);
  if (!p.FilePath) throw paramError('missing param FilePath');
  if (!downloadFiles) throw paramError('downloadFile needs local files (Node)');
  const files = downloadFiles;
  const target = { Bucket: p.Bucket, Region: p.Region, Key: p.Key, Signal: p.Signal };

  const head = await run(client, METHODS.headObject, { ...target, Headers: p.Headers });
  const headers = head.headers ?? {};
  if (headers['content-length'] === undefined) {
    throw paramError('get Content-Length error, please add "Content-Length" to CORS ExposeHeader setting.');
  }
  const size = Number(headers['content-length']);
  const storageClass = headers['x-cos-storage-class'] ?? '';
  const restore = headers['x-cos-restore'] ?? '';
  if ((storageClass === 'ARCHIVE' || storageClass === 'DEEP_ARCHIVE') && (!restore || restore === 'ongoing-request="true"')) {
    const err = new CosSdkError('CannotDownload', 'Archive object can not download, please restore to Standard storage class.', { statusCode: 403 });
    (err as unknown as { header: Record<string, string> }).header = headers;
    throw err;
  }
  const expectedCrc = headers['x-cos-hash-crc64ecma'];

  const progress = typeof p.onProgress === 'function' ? progressReporter(p.onProgress, size, options.ProgressInterval) : undefined;
  const requestedChunk = p.ChunkSize || MiB;
  const chunkSize = size <= requestedChunk ? Math.max(size, 1) : partSizeFor(size, requestedChunk, options.MaxPartNumber);
  const chunks: Chunk[] = [];
  for (let start = 0; start < size; start += chunkSize) chunks.push({ start, end: Math.min(start + chunkSize, size) - 1 });
  // An empty object is one GET too (of nothing), as any object up to ChunkSize.
  if (size === 0) chunks.push({ start: 0, end: -1 });
  const whole = chunks.length === 1;

  const file = await files.open(p.FilePath).catch((e: unknown) => {
    const err = asCosSdkError(e);
    throw err.code === 'EISDIR' ? new CosSdkError('exist_same_dir', p.FilePath) : err;
  });
  try {
    const received = new Map<Chunk, number>();
    const report = (immediately = false) => progress?.update({ loaded: [...received.values()].reduce((a, b) => a + b, 0), total: size }, immediately);
    report(true);
    let result: DownloadFileResult = {};
    const attempts = Math.max(1, p.RetryTimes || 3);

    await eachLimit(chunks, Math.max(1, p.ParallelLimit || 5), async (chunk) => {
      for (let attempt = 1; ; attempt++) {
        const writer = file.writerAt(chunk.start);
        const chunkHeaders = whole ? { ...p.Headers } : { ...p.Headers, Range: `bytes=${chunk.start}-${chunk.end}` };
        let data: GetObjectResult;
        try {
          data = await run(client, METHODS.getObject, {
            ...target,
            Query: p.Query,
            Headers: chunkHeaders,
            Output: writer.sink,
            onProgress: (info) => (received.set(chunk, info.loaded), report()),
          });
        } catch (e) {
          received.delete(chunk);
          const err = asCosSdkError(e);
          if (attempt >= attempts || err.code === 'AbortError') throw err;
          continue;
        }
        const answer = data.headers ?? {};
        if (!whole) {
          // Every range must come from the object the HEAD described.
          const crc = answer['x-cos-hash-crc64ecma'];
          if (crc && expectedCrc && crc !== expectedCrc) throw changedError('download error, x-cos-hash-crc64ecma has changed.', data.statusCode, answer);
          if (Number((answer['content-range'] ?? '').split('/')[1] ?? 0) !== size) throw changedError('download error, Last-Modified has changed.', data.statusCode, answer);
        }
        chunk.crc = writer.crc64();
        received.set(chunk, chunk.end - chunk.start + 1);
        report();
        if (chunk === chunks[chunks.length - 1]) result = data;
        return;
      }
    });

    // The CRC of the whole file, from its ranges' in order.
    const actualCrc = chunks.reduce((crc, chunk) => combineCrc64(crc, chunk.crc ?? '0', chunk.end - chunk.start + 1), '0');
    if (expectedCrc && actualCrc !== expectedCrc) {
      throw new CosSdkError('CrcCheckFailed', `download error, the CRC-64 of the file (${actualCrc}) is not the object's x-cos-hash-crc64ecma (${expectedCrc})`, {
        statusCode: result.statusCode,
        headers: result.headers,
      });
    }
    await file.close();
    progress?.update({ loaded: size, total: size }, true);
    return result;
  } catch (e) {
    progress?.update(undefined, true);
    await file.remove().catch(() => {});
    throw asCosSdkError(e);
  }
}

export const DOWNLOAD_METHODS = { downloadFile };
