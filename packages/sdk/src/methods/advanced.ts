/**
 * The advanced methods, made of the basic ones (cos-nodejs-sdk-v5 sdk/advance.js):
 *
 *  - sliceUploadFile: a local file (or, as in cos-js-sdk-v5, a File or Blob given as Body) in
 *    parts, resuming an earlier upload of the same file: the uploads in progress for the key are
 *    listed, and the first whose parts all have the size and MD5 of the file's slices is
 *    continued, sending only the parts it lacks;
 *  - uploadFile: putObject for small files, sliceUploadFile for the others;
 *  - uploadFiles: many of those, FileParallelLimit at a time;
 *  - sliceCopyFile: putObjectCopy for small sources, uploadPartCopy of ranges for the others.
 *
 * The official SDK also keeps the upload ids it started in a local file to find them again; here
 * resumption rests on the server's list and the MD5 check alone, which finds the same uploads and
 * never trusts one whose parts differ from the file.
 */
import { run } from '../api.js';
import type { Headers } from '../auth.js';
import { asCosSdkError, paramError, type CosErrorDocument, type CosSdkError } from '../errors.js';
import { checkParams, requestHeaders } from '../params.js';
import { progressReporter, type OnProgress, type ProgressReporter } from '../progress.js';
import type { Client } from '../request.js';
import { uploadSource, type UploadSource } from '../source.js';
import { bodyLength, isBlobBody, platform, type BlobBody } from '../transport.js';
import { taskQueueOf, type QueuedUploadParams, type TaskApi, type TaskParams, type UploadState } from '../queue.js';
import { METHODS } from './index.js';
import { eachLimit, partSizeFor } from './slices.js';
import type { MultipartCompleteResult, MultipartListPartResult, MultipartUpload } from './multipart.js';
import {
  parseCopySource,
  type CopySourceParams,
  type ObjectParams,
  type PutObjectCopyResult,
  type PutObjectResult,
  type StoredObjectHeaders,
  type UploadBody,
} from './object.js';

export interface SliceUploadFileParams extends ObjectParams, StoredObjectHeaders, QueuedUploadParams {
  /** The local file to upload (Node). */
  FilePath?: string;
  /** Or a File or Blob to upload (browsers, as cos-js-sdk-v5 takes it; Node 20 has Blob too). */
  Body?: BlobBody;
  /** Part size; default the ChunkSize option (grown to stay within MaxPartNumber parts). */
  ChunkSize?: number;
  /** Same as ChunkSize (older name). */
  SliceSize?: number;
  /** Parts sent at once; default the ChunkParallelLimit option. */
  AsyncLimit?: number;
  Query?: Record<string, string>;
  onProgress?: OnProgress;
  /** Progress of the MD5 check of the file against an upload to resume. */
  onHashProgress?: OnProgress;
}
export interface SliceUploadFileResult extends MultipartCompleteResult {
  UploadId: string;
}

export type FileFinishCallback = (err: CosSdkError | null, data: UploadFileResult | undefined, options: FileInfo) => void;
/** The primitive params of an upload, as onFileFinish reports them. */
export type FileInfo = Record<string, string | number | boolean | undefined>;

export interface UploadFileParams extends SliceUploadFileParams {
  /** Files up to this size go in one putObject (default the SliceSize option); larger ones in parts of this size unless ChunkSize says otherwise. */
  SliceSize?: number;
  onFileFinish?: FileFinishCallback;
}
export type UploadFileResult = PutObjectResult | SliceUploadFileResult;

export type UploadFilesItem = Omit<UploadFileParams, 'FilePath' | 'Body'> & {
  /** A local file, or give Body (a File or Blob is sent as a local file is; other bodies in one putObject). */
  FilePath?: string;
  Body?: UploadBody;
  ContentLength?: number;
  onFileFinish?: (err: CosSdkError | null, data: UploadFileResult | undefined) => void;
};
export interface UploadFilesParams {
  files: UploadFilesItem[];
  SliceSize?: number;
  /** Progress of all files together. */
  onProgress?: OnProgress;
  onFileFinish?: FileFinishCallback;
  Signal?: AbortSignal;
}
export interface UploadFilesResult {
  files: { options: FileInfo; error: CosSdkError | null; data: UploadFileResult | undefined }[];
}

export interface SliceCopyFileParams extends ObjectParams, StoredObjectHeaders, CopySourceParams {
  MetadataDirective?: 'Copy' | 'Replaced';
  /** Sources up to this size are copied in one putObjectCopy (default the CopySliceSize option). */
  CopySliceSize?: number;
  /** Part size of a copy in parts (default the CopyChunkSize option). */
  CopyChunkSize?: number;
  onProgress?: OnProgress;
}
export type SliceCopyFileResult = PutObjectCopyResult | MultipartCompleteResult;

/** The most part uploads sent at once, whatever AsyncLimit says. */
const MAX_PART_CONCURRENCY = 256;

/** A Content-MD5 from a hex MD5 (without Buffer: this module is meant for browsers too). */
function hexToBase64(hex: string): string {
  return btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((byte) => parseInt(byte, 16))));
}

/** `1 + retries` attempts of a part or a Complete (ChunkRetryTimes); an abort is never retried. */
async function attempts<T>(retries: number, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (attempt >= retries || asCosSdkError(e).code === 'AbortError') throw e;
    }
  }
}

/** Every upload in progress under a prefix, through all pages. */
async function listAllUploads(client: Client, p: ObjectParams): Promise<MultipartUpload[]> {
  const uploads: MultipartUpload[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await run(client, METHODS.multipartList, { Bucket: p.Bucket, Region: p.Region, Prefix: p.Key, Signal: p.Signal, ...markers });
    uploads.push(...page.Upload);
    if (page.IsTruncated !== 'true') return uploads;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}

type Part = MultipartListPartResult['Part'][number];

/** Every part of an upload, through all pages. */
async function listAllParts(client: Client, p: ObjectParams, UploadId: string): Promise<Part[]> {
  const parts: Part[] = [];
  let PartNumberMarker: string | undefined;
  for (;;) {
    const page = await run(client, METHODS.multipartListPart, { Bucket: p.Bucket, Region: p.Region, Key: p.Key, UploadId, PartNumberMarker, Signal: p.Signal });
    parts.push(...page.Part);
    if (page.IsTruncated !== 'true') return parts;
    PartNumberMarker = page.NextPartNumberMarker;
  }
}

/** Bytes [start, end) of an upload's source. */
interface Slice {
  start: number;
  end: number;
}

/** The slices of a file and their MD5s, each hashed once, on demand. */
class FileSlices {
  readonly slices: Slice[];
  private readonly md5s = new Map<number, Promise<string>>();
  private hashed = 0;

  constructor(
    private readonly source: UploadSource,
    readonly size: number,
    readonly partSize: number,
    private readonly hashProgress: ProgressReporter | undefined,
  ) {
    const count = Math.ceil(size / partSize);
    this.slices = Array.from({ length: count }, (_, i) => ({ start: i * partSize, end: Math.min(size, (i + 1) * partSize) }));
  }

  /** hex MD5 of part `n` (1-based). */
  md5(n: number): Promise<string> {
    let md5 = this.md5s.get(n);
    if (!md5) {
      const slice = this.slices[n - 1];
      md5 = this.source.md5Hex(slice.start, slice.end).then((hex) => {
        this.hashed += slice.end - slice.start;
        this.hashProgress?.update({ loaded: this.hashed, total: this.size });
        return hex;
      });
      this.md5s.set(n, md5);
    }
    return md5;
  }

  /** Whether the uploaded parts are slices of this file: as many or fewer, of its part size, same MD5s. */
  async match(parts: Part[]): Promise<boolean> {
    if (parts.length > this.slices.length) return false;
    if (parts.length > 1 && Math.max(Number(parts[0].Size), Number(parts[1].Size)) !== this.partSize) return false;
    for (const part of parts) {
      const slice = this.slices[Number(part.PartNumber) - 1];
      if (!slice || Number(part.Size) !== slice.end - slice.start) return false;
      if (part.ETag !== `"${await this.md5(Number(part.PartNumber))}"`) return false;
    }
    return true;
  }
}

/** The newest upload in progress for this key whose parts are all slices of the file, with their ETags. */
async function findResumable(client: Client, p: SliceUploadFileParams, file: FileSlices): Promise<{ UploadId: string; etags: Map<number, string> } | undefined> {
  const uploads = (await listAllUploads(client, p))
    .filter((u) => u.Key === p.Key && (!p.StorageClass || u.StorageClass.toUpperCase() === p.StorageClass.toUpperCase()))
    .reverse();
  for (const upload of uploads) {
    if (client.uploadsInUse.has(upload.UploadId)) continue;
    const parts = await listAllParts(client, p, upload.UploadId);
    if (await file.match(parts)) return { UploadId: upload.UploadId, etags: new Map(parts.map((part) => [Number(part.PartNumber), part.ETag])) };
  }
  return undefined;
}

/**
 * The upload this task sent parts to before (a pause or an error stopped it), with its ETags, when
 * it is still there and its parts are slices of the file.
 */
async function resumeKnown(client: Client, p: SliceUploadFileParams, file: FileSlices, UploadId: string): Promise<{ UploadId: string; etags: Map<number, string> } | undefined> {
  let parts: Part[];
  try {
    parts = await listAllParts(client, p, UploadId);
  } catch (e) {
    // Completed or aborted meanwhile: look for another one as a new call would.
    if (asCosSdkError(e).code === 'NoSuchUpload') return undefined;
    throw e;
  }
  if (!(await file.match(parts))) return undefined;
  return { UploadId, etags: new Map(parts.map((part) => [Number(part.PartNumber), part.ETag])) };
}

/** What every request of one multipart transfer names. */
interface UploadTarget {
  Bucket: string;
  Region: string;
  Key: string;
  UploadId: string;
  Signal?: AbortSignal;
}

/** Completes an upload of parts 1..count (with the ChunkRetryTimes attempts of the official SDK). */
function completeUpload(client: Client, target: UploadTarget, etags: Map<number, string>, count: number, Headers?: Headers) {
  return attempts(client.options.ChunkRetryTimes, () =>
    run(client, METHODS.multipartComplete, {
      ...target,
      Parts: Array.from({ length: count }, (_, i) => ({ PartNumber: i + 1, ETag: etags.get(i + 1)! })),
      Headers,
    }),
  );
}

/** Headers a part carries from the upload's params. */
const PART_HEADERS = new Set(['x-cos-traffic-limit', 'x-cos-mime-limit']);

function pickHeaders(headers: Headers | undefined, keep: (lowerName: string) => boolean): Headers {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => keep(k.toLowerCase())));
}

/** sliceUploadFile outside the task queue (SkipTask), as one run. */
export function sliceUploadFile(client: Client, input: SliceUploadFileParams): Promise<SliceUploadFileResult | PutObjectResult> {
  return sliceUpload(client, input, {});
}

/**
 * One run of sliceUploadFile. `upload` holds the upload id across the runs of a task: a run after
 * a pause or an error continues that upload from the parts the server has.
 */
export async function sliceUpload(client: Client, input: SliceUploadFileParams, upload: UploadState): Promise<SliceUploadFileResult | PutObjectResult> {
  const { options } = client;
  const p = checkParams('object', input, options);
  if (!p.FilePath && !isBlobBody(p.Body)) throw paramError(platform().files ? 'missing param FilePath' : 'missing param Body');
  const source = await uploadSource(p);
  const { size } = source;
  // An empty file cannot be uploaded in parts.
  if (size === 0) return run(client, METHODS.putObject, { ...p, Body: '' });

  const partSize = partSizeFor(size, p.ChunkSize || p.SliceSize || options.ChunkSize, options.MaxPartNumber);
  const hashProgress = typeof p.onHashProgress === 'function' ? progressReporter(p.onHashProgress, size, options.ProgressInterval) : undefined;
  const file = new FileSlices(source, size, partSize, hashProgress);
  const progress = typeof p.onProgress === 'function' ? progressReporter(p.onProgress, size, options.ProgressInterval) : undefined;
  const headers = requestHeaders(p);

  let UploadId = '';
  try {
    const resumed = (upload.UploadId ? await resumeKnown(client, p, file, upload.UploadId) : undefined) ?? (await findResumable(client, p, file));
    hashProgress?.update(undefined, true);
    UploadId = resumed?.UploadId ?? (await run(client, METHODS.multipartInit, p)).UploadId;
    upload.UploadId = UploadId;
    client.uploadsInUse.add(UploadId);
    const target: UploadTarget = { Bucket: p.Bucket, Region: p.Region, Key: p.Key, UploadId, Signal: p.Signal };
    const etags = resumed?.etags ?? new Map<number, string>();

    // Progress: whole parts already there, plus what each part in flight has sent.
    const sent = new Map<number, number>();
    for (const n of etags.keys()) sent.set(n, file.slices[n - 1].end - file.slices[n - 1].start);
    const report = (immediately = false) => progress?.update({ loaded: [...sent.values()].reduce((a, b) => a + b, 0), total: size }, immediately);
    report(true);

    const missing = file.slices.map((_, i) => i + 1).filter((n) => !etags.has(n));
    const limit = Math.min(p.AsyncLimit || options.ChunkParallelLimit, MAX_PART_CONCURRENCY);
    await eachLimit(missing, limit, async (n) => {
      const slice = file.slices[n - 1];
      const md5 = await source.md5Hex(slice.start, slice.end);
      const part = await attempts(options.ChunkRetryTimes, () =>
        run(client, METHODS.multipartUpload, {
          ...target,
          PartNumber: n,
          // A FileSlice (read from the file again on every attempt) or a Blob slice.
          Body: source.slice(slice.start, slice.end) as UploadBody,
          ContentLength: slice.end - slice.start,
          ContentMD5: hexToBase64(md5),
          ServerSideEncryption: p.ServerSideEncryption,
          Headers: pickHeaders(headers, (name) => PART_HEADERS.has(name)),
          onProgress: (info) => (sent.set(n, info.loaded), report()),
        }),
      );
      etags.set(n, part.ETag);
      sent.set(n, slice.end - slice.start);
      report();
    });

    const metaHeaders = pickHeaders(headers, (name) => name.startsWith('x-cos-meta-') || name === 'pic-operations');
    const done = await completeUpload(client, target, etags, file.slices.length, metaHeaders);
    progress?.update({ loaded: size, total: size }, true);
    return { UploadId, ...done };
  } catch (e) {
    progress?.update(undefined, true);
    const err = asCosSdkError(e);
    err.UploadId = UploadId;
    throw err;
  } finally {
    client.uploadsInUse.delete(UploadId);
  }
}

/** The primitive params but the Body, for onFileFinish (advance.js fileInfo). */
function fileInfoOf(params: object, extra: FileInfo): FileInfo {
  const info: FileInfo = { ...extra };
  for (const [k, v] of Object.entries(params)) if (k !== 'Body' && typeof v !== 'object' && typeof v !== 'function') info[k] = v as string;
  return info;
}

/** The Content-Type the official SDK sends with a file (by its extension; a Blob's type), unless the params set one. */
function withFileContentType<P extends ObjectParams & { ContentType?: string }>(p: P, source: UploadSource): P {
  if (Object.keys(requestHeaders(p)).some((k) => k.toLowerCase() === 'content-type')) return p;
  const ContentType = source.contentType();
  return ContentType ? { ...p, ContentType } : p;
}

/** The task one file becomes: putObject up to SliceSize (a directory: an empty object), else sliceUploadFile. */
async function fileTask(p: UploadFileParams, threshold: number): Promise<{ api: TaskApi; params: TaskParams; size: number }> {
  const source = await uploadSource(p);
  if (source.isDirectory) return { api: 'putObject', params: { ...p, Body: '' }, size: 0 };
  if (source.size <= threshold) {
    // A FileSlice (read from the file on every attempt and every run of the task) or a Blob slice.
    const body = source.slice(0, source.size) as UploadBody;
    return { api: 'putObject', params: { ...withFileContentType(p, source), Body: body, ContentLength: source.size }, size: source.size };
  }
  return { api: 'sliceUploadFile', params: p, size: source.size };
}

/**
 * Adds an upload to the task queue. `onEnd` is called at every end of the task (again after a
 * restart, as the official SDK calls its callback); the Promise settles with the first.
 */
export function queuedUpload<R>(client: Client, api: TaskApi, params: TaskParams, onEnd: (err: CosSdkError | null, data: R | undefined) => void = () => {}): Promise<R> {
  // A cancelation the caller asked for rejects the Promise for whoever awaits it, but is marked
  // handled: a call nobody awaits (the official SDK's style) never ends in an unhandled rejection.
  // An already aborted Signal cancels inside the executor, before `promise` exists: hence the flag.
  let promise: Promise<R> | undefined;
  let canceledEarly = false;
  const markHandled = () => (promise ? void promise.catch(() => {}) : (canceledEarly = true));
  promise = new Promise<R>((resolve, reject) => {
    let settled = false;
    taskQueueOf(client).add(api, params, (err, data) => {
      onEnd(err, data as R | undefined);
      if (settled) return;
      settled = true;
      if (err?.code === 'AbortError') markHandled();
      if (err) reject(err);
      else resolve(data as R);
    });
  });
  if (canceledEarly) promise.catch(() => {});
  return promise;
}

/** Wraps onTaskReady so that the file info handed to onFileFinish carries the task id. */
function reportingTaskId(p: { onTaskReady?: (id: string) => void }, info: FileInfo): (id: string) => void {
  return (id) => {
    info.TaskId = id;
    p.onTaskReady?.(id);
  };
}

export async function uploadFile(client: Client, p: UploadFileParams): Promise<UploadFileResult> {
  const info = fileInfoOf(p, { TaskId: '' });
  let task: Awaited<ReturnType<typeof fileTask>>;
  try {
    task = await fileTask(p, p.SliceSize ?? client.options.SliceSize);
  } catch (e) {
    const err = asCosSdkError(e);
    p.onFileFinish?.(err, undefined, info);
    throw err;
  }
  return queuedUpload<UploadFileResult>(client, task.api, { ...task.params, onTaskReady: reportingTaskId(p, info) }, (err, data) => p.onFileFinish?.(err, data, info));
}

export async function uploadFiles(client: Client, p: UploadFilesParams): Promise<UploadFilesResult> {
  const { options } = client;
  const threshold = p.SliceSize ?? options.SliceSize;
  // A file that cannot be read counts 0 bytes and fails without a task.
  const entries = await Promise.all(
    p.files.map(async (file): Promise<{ api: TaskApi; params: TaskParams; size: number } | { error: CosSdkError; size: number }> => {
      // A File or Blob goes in parts when large, as a local file does; other bodies in one putObject.
      if (file.Body !== undefined && !isBlobBody(file.Body)) return { api: 'putObject', params: file as TaskParams, size: Number(file.ContentLength ?? bodyLength(file.Body) ?? 0) };
      try {
        return await fileTask({ ...file, FilePath: file.FilePath ?? '', Body: file.Body as BlobBody | undefined }, threshold);
      } catch (e) {
        return { error: asCosSdkError(e), size: 0 };
      }
    }),
  );
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const progress = typeof p.onProgress === 'function' ? progressReporter(p.onProgress, total, options.ProgressInterval) : undefined;
  const loaded = new Array<number>(p.files.length).fill(0);
  const results: UploadFilesResult['files'] = new Array(p.files.length);

  await Promise.all(
    entries.map(async (entry, index) => {
      const file = p.files[index];
      // Index is a string in the official SDK's file info (it walks the list with for...in).
      const info = fileInfoOf({ ...file, ContentLength: entry.size }, { Index: String(index), TaskId: '' });
      const finish = (error: CosSdkError | null, data: UploadFileResult | undefined) => {
        file.onFileFinish?.(error, data);
        progress?.update(undefined, true);
        p.onFileFinish?.(error, data, info);
        results[index] = { options: info, error, data };
      };
      if ('error' in entry) return finish(entry.error, undefined);
      const onProgress: OnProgress = (progressInfo) => {
        loaded[index] = progressInfo.loaded;
        file.onProgress?.(progressInfo);
        progress?.update({ loaded: loaded.reduce((a, b) => a + b, 0), total });
      };
      const params = { ...entry.params, Signal: file.Signal ?? p.Signal, onProgress, onTaskReady: reportingTaskId(file, info) };
      await queuedUpload<UploadFileResult>(client, entry.api, params, finish).catch(() => {
        // Reported through finish.
      });
    }),
  );
  return { files: results };
}

/** The stored headers of the source, which a copy in parts gives the target unless MetadataDirective is Replaced. */
function storedHeadersOf(headers: Record<string, string>): Headers {
  const stored: Headers = {
    'Cache-Control': headers['cache-control'],
    'Content-Disposition': headers['content-disposition'],
    'Content-Encoding': headers['content-encoding'],
    'Content-Type': headers['content-type'],
    Expires: headers.expires,
    'x-cos-storage-class': headers['x-cos-storage-class'],
  };
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-cos-meta-') && k.length > 'x-cos-meta-'.length) stored[k] = v;
  return stored;
}

/** Headers of a copy that Initiate Multipart Upload must not get. */
const COPY_ONLY_HEADERS = new Set([
  'x-cos-copy-source',
  'x-cos-metadata-directive',
  'x-cos-copy-source-if-modified-since',
  'x-cos-copy-source-if-unmodified-since',
  'x-cos-copy-source-if-match',
  'x-cos-copy-source-if-none-match',
]);

export async function sliceCopyFile(client: Client, input: SliceCopyFileParams): Promise<SliceCopyFileResult> {
  const { options } = client;
  const p = checkParams('object', input, options);
  const source = parseCopySource(client, p.CopySource ?? '');
  if (!source) throw paramError('CopySource format error');
  const sourceKey = decodeURIComponent(source.Key);

  const head = await run(client, METHODS.headObject, { Bucket: source.Bucket, Region: source.Region, Key: sourceKey, Signal: p.Signal }).catch((e: unknown) => {
    const err = asCosSdkError(e);
    if (err.statusCode === 404) {
      err.ErrorStatus = `${sourceKey} Not Exist`;
      // The official SDK's error wrapping leaves a copy of the error's fields in `error` here.
      err.error ??= { ...err } as unknown as CosErrorDocument;
    }
    throw err;
  });
  const size = Number(head.headers?.['content-length'] ?? 0);
  if (!size) throw paramError('get Content-Length error, please add "Content-Length" to CORS ExposeHeader setting.');
  const progress = typeof p.onProgress === 'function' ? progressReporter(p.onProgress, size, options.ProgressInterval) : undefined;
  const headers = requestHeaders(p);
  const directive = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-cos-metadata-directive')?.[1];

  try {
    if (size <= Math.max(0, p.CopySliceSize ?? options.CopySliceSize)) {
      const data = await run(client, METHODS.putObjectCopy, { ...p, MetadataDirective: directive === undefined ? 'Copy' : p.MetadataDirective });
      progress?.update({ loaded: size, total: size }, true);
      return data;
    }

    const sourceHeaders = storedHeadersOf(head.headers ?? {});
    const sourceClass = String(sourceHeaders['x-cos-storage-class'] ?? '');
    if (sourceClass === 'ARCHIVE' || sourceClass === 'DEEP_ARCHIVE') {
      const restore = head.headers?.['x-cos-restore'];
      if (!restore || restore === 'ongoing-request="true"') throw paramError('Unrestored archive object is not allowed to be copied');
    }
    const stored: Headers = directive === 'Replaced' ? { ...headers } : sourceHeaders;
    stored['x-cos-storage-class'] = headers['x-cos-storage-class'] ?? sourceHeaders['x-cos-storage-class'];
    const initHeaders = pickHeaders(stored, (name) => !COPY_ONLY_HEADERS.has(name));
    for (const [k, v] of Object.entries(initHeaders)) if (v === undefined) delete initHeaders[k];
    const { UploadId } = await run(client, METHODS.multipartInit, { Bucket: p.Bucket, Region: p.Region, Key: p.Key, Headers: initHeaders, Signal: p.Signal });
    const target: UploadTarget = { Bucket: p.Bucket, Region: p.Region, Key: p.Key, UploadId, Signal: p.Signal };

    const partSize = partSizeFor(size, p.CopyChunkSize || options.CopyChunkSize, options.MaxPartNumber);
    const count = Math.ceil(size / partSize);
    const etags = new Map<number, string>();
    let copied = 0;
    await eachLimit(
      Array.from({ length: count }, (_, i) => i + 1),
      options.CopyChunkParallelLimit,
      async (n) => {
        const start = (n - 1) * partSize;
        const end = Math.min(n * partSize, size) - 1;
        const part = await attempts(options.ChunkRetryTimes, () =>
          run(client, METHODS.uploadPartCopy, { ...target, CopySource: p.CopySource, PartNumber: n, CopySourceRange: `bytes=${start}-${end}` }),
        );
        etags.set(n, part.ETag);
        copied += end - start + 1;
        progress?.update({ loaded: copied, total: size });
      },
    );
    const done = await completeUpload(client, target, etags, count);
    progress?.update({ loaded: size, total: size }, true);
    return done;
  } catch (e) {
    progress?.update(undefined, true);
    throw e;
  }
}

/** The advanced methods by name, installed on COS beside the METHODS table. */
export const ADVANCED_METHODS = { sliceUploadFile, uploadFile, uploadFiles, sliceCopyFile };
