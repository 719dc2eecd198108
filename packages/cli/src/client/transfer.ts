/**
 * Moving files: uploads (one PUT up to the multipart threshold, else a resumable upload in parts:
 * multipart.ts), downloads (resumable ranges in parallel: download.ts) and server-side copies, every
 * one checked by CRC-64 against what COS stored. Files run `threads` at a time, and the parts of
 * each `partThreads` at a time.
 */
import { createReadStream } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { camSafeUrlEncode, crc64 } from '@cosbox/protocol';
import type { StoredObjectHeaders } from '@cosbox/sdk';
import { downloadResumable } from './download.js';
import { crc64OfFile } from './hash.js';
import { CrcMismatch, uploadInParts } from './multipart.js';
import type { Output, Progress } from './output.js';
import { humanSize } from './output.js';
import { formatRemote, type Connection } from './remote.js';

export interface TransferOptions {
  threads: number;
  partSize: number;
  partThreads: number;
  multipartThreshold: number;
  storageClass?: string;
  acl?: string;
  meta: Record<string, string>;
}

export type Job =
  | { kind: 'upload'; path: string; size: number; bucket: string; key: string }
  | { kind: 'download'; bucket: string; key: string; size: number; path: string }
  | { kind: 'copy'; srcBucket: string; srcKey: string; size: number; bucket: string; key: string };

export interface Transfer {
  conn: Connection;
  out: Output;
  signal: AbortSignal;
  options: TransferOptions;
}

/** Bodies up to this size are read whole: a retried request can send them again. */
const BUFFERED_BODY_MAX = 8 * 1024 * 1024;

export { CrcMismatch };

export function sourceOf(job: Job): string {
  if (job.kind === 'upload') return job.path;
  return formatRemote(job.kind === 'copy' ? job.srcBucket : job.bucket, job.kind === 'copy' ? job.srcKey : job.key);
}

export function targetOf(job: Job): string {
  return job.kind === 'download' ? job.path : formatRemote(job.bucket, job.key);
}

function storedHeaders(options: TransferOptions): StoredObjectHeaders {
  const headers: StoredObjectHeaders = {};
  if (options.storageClass) headers.StorageClass = options.storageClass;
  if (options.acl) headers.ACL = options.acl as StoredObjectHeaders['ACL'];
  for (const [name, value] of Object.entries(options.meta)) headers[`x-cos-meta-${name}`] = value;
  return headers;
}

/** The CopySource form the SDK parses: `<bucket>.cos.<region>.myqcloud.com/<encoded key>`. */
export function copySource(bucket: string, region: string, key: string): string {
  return `${bucket}.cos.${region}.myqcloud.com/${camSafeUrlEncode(key).replace(/%2F/g, '/')}`;
}

function crcOf(headers: Record<string, string> | undefined): string | undefined {
  return headers?.['x-cos-hash-crc64ecma'] || undefined;
}

async function storedCrc(t: Transfer, bucket: string, key: string, answered: Record<string, string> | undefined): Promise<string | undefined> {
  const crc = crcOf(answered);
  if (crc) return crc;
  const head = await t.conn.cos.headObject({ Bucket: bucket, Region: t.conn.region, Key: key, Signal: t.signal });
  return crcOf(head.headers);
}

async function upload(t: Transfer, job: Extract<Job, { kind: 'upload' }>, onBytes: (n: number) => void): Promise<string | undefined> {
  const { cos, region } = t.conn;
  const { options } = t;
  const common = { Bucket: job.bucket, Region: region, Key: job.key, Signal: t.signal, SkipTask: true, ...storedHeaders(options) };
  const onProgress = (p: { loaded: number }) => onBytes(p.loaded);
  let local: string;
  let answered: Record<string, string> | undefined;
  if (job.size > options.multipartThreshold && job.size > 0) {
    return uploadInParts({
      conn: t.conn,
      signal: t.signal,
      bucket: job.bucket,
      key: job.key,
      path: job.path,
      partSize: options.partSize,
      partThreads: options.partThreads,
      headers: storedHeaders(options),
      onBytes,
    });
  } else if (job.size <= BUFFERED_BODY_MAX) {
    const body = await readFile(job.path);
    local = crc64(body);
    answered = (await cos.putObject({ ...common, Body: body, onProgress })).headers;
  } else {
    const [crc, result] = await Promise.all([
      crc64OfFile(job.path),
      cos.putObject({ ...common, Body: createReadStream(job.path), ContentLength: job.size, onProgress }),
    ]);
    local = crc;
    answered = result.headers;
  }
  const remote = await storedCrc(t, job.bucket, job.key, answered);
  if (remote && remote !== local) throw new CrcMismatch(job.path, local, remote);
  return local;
}

function download(t: Transfer, job: Extract<Job, { kind: 'download' }>, onBytes: (n: number) => void): Promise<string | undefined> {
  return downloadResumable({
    conn: t.conn,
    signal: t.signal,
    bucket: job.bucket,
    key: job.key,
    path: job.path,
    partSize: t.options.partSize,
    partThreads: t.options.partThreads,
    onBytes,
  });
}

async function copy(t: Transfer, job: Extract<Job, { kind: 'copy' }>, onBytes: (n: number) => void): Promise<string | undefined> {
  const { cos, region } = t.conn;
  const source = await cos.headObject({ Bucket: job.srcBucket, Region: region, Key: job.srcKey, Signal: t.signal });
  const headers = storedHeaders(t.options);
  const result = await cos.sliceCopyFile({
    Bucket: job.bucket,
    Region: region,
    Key: job.key,
    CopySource: copySource(job.srcBucket, region, job.srcKey),
    CopyChunkSize: t.options.partSize,
    ...headers,
    MetadataDirective: Object.keys(t.options.meta).length ? 'Replaced' : undefined,
    Signal: t.signal,
    onProgress: (p) => onBytes(p.loaded),
  });
  const sourceCrc = crcOf(source.headers);
  const stored = await storedCrc(t, job.bucket, job.key, result.headers);
  if (sourceCrc && stored && sourceCrc !== stored) throw new CrcMismatch(formatRemote(job.srcBucket, job.srcKey), sourceCrc, stored);
  return stored;
}

export function runJob(t: Transfer, job: Job, onBytes: (n: number) => void): Promise<string | undefined> {
  if (job.kind === 'upload') return upload(t, job, onBytes);
  if (job.kind === 'download') return download(t, job, onBytes);
  return copy(t, job, onBytes);
}

/** Runs `task` on every item, `limit` at a time, until the signal aborts. */
export async function pool<T>(items: readonly T[], limit: number, signal: AbortSignal, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!signal.aborted && next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const VERB: Record<Job['kind'], string> = { upload: 'upload', download: 'download', copy: 'copy' };

export interface RunResult {
  done: number;
  failed: number;
}

/**
 * Runs the jobs with progress, one line (or JSON object) per file; `after` runs once a file is
 * through (mv removes the source there). Failures are reported and counted, not thrown.
 */
export async function runJobs(t: Transfer, jobs: Job[], after?: (job: Job) => Promise<void>): Promise<RunResult> {
  const { out } = t;
  const totalBytes = jobs.reduce((sum, j) => sum + j.size, 0);
  const progress: Progress | undefined = out.startProgress(jobs.length, totalBytes);
  const result: RunResult = { done: 0, failed: 0 };
  try {
    await pool(jobs, t.options.threads, t.signal, async (job) => {
      const source = sourceOf(job);
      const target = targetOf(job);
      const fields = { op: job.kind, source, target, size: job.size };
      const bar = progress?.file(job.kind === 'download' ? job.key : source, job.size);
      try {
        const crc64 = await runJob(t, job, (n) => bar?.update(n));
        await after?.(job);
        bar?.finish();
        result.done++;
        out.event({ ...fields, crc64: crc64 ?? null, status: 'ok' }, `${out.c.green(VERB[job.kind])} ${source} -> ${target} (${humanSize(job.size)})`);
      } catch (error) {
        bar?.finish();
        if (t.signal.aborted) return;
        result.failed++;
        out.failure(fields, `${VERB[job.kind]} ${source} -> ${target}`, error);
      }
    });
  } finally {
    out.stopProgress();
  }
  return result;
}

export async function removeLocal(path: string): Promise<void> {
  await unlink(path);
}
