/**
 * cp, mv and sync: what goes where (the plan: one job per file), then the transfer engine runs the
 * jobs (transfer.ts). sync sends only what is missing or differs, and with --delete removes the rest.
 */
import { readdir, rmdir, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { Command } from 'commander';
import { clientCommand, runCommand, type Context } from './context.js';
import { crc64OfFile } from './hash.js';
import { localEntries, pathFilter, remoteEntries, safeLocalRel, type Entry } from './listing.js';
import { humanSize } from './output.js';
import { formatRemote, isRemote, parseRemote, type Connection, type RemotePath } from './remote.js';
import { parseCount, parseSize } from './sizes.js';
import { PartialFailure, UsageError } from './errors.js';
import { pool, removeLocal, runJobs, sourceOf, targetOf, type Job, type Transfer, type TransferOptions } from './transfer.js';
import { deleteKeys } from './delete.js';

const MiB = 1024 * 1024;

interface TransferFlags {
  recursive?: boolean;
  include?: string[];
  exclude?: string[];
  storageClass?: string;
  acl?: string;
  meta?: string[];
  threads: number;
  partSize: number;
  partThreads: number;
  multipartThreshold: number;
  delete?: boolean;
  dryRun?: boolean;
  checksum?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function transferOptions(command: Command, recursiveFlag: boolean): Command {
  if (recursiveFlag) command.option('-r, --recursive', 'a directory or prefix and everything under it');
  return command
    .option('--include <glob>', 'only paths matching (repeatable; a pattern without / matches file names)', collect)
    .option('--exclude <glob>', 'leave out paths matching (repeatable)', collect)
    .option('--storage-class <class>', 'storage class of uploaded objects (STANDARD, STANDARD_IA, ARCHIVE, ...)')
    .option('--acl <acl>', 'ACL of uploaded objects (private, public-read, ...)')
    .option('--meta <k=v>', 'x-cos-meta-k: v on uploaded objects (repeatable)', collect)
    .option('--threads <n>', 'files transferred at once', parseCount, 8)
    .option('--part-size <size>', 'part size of uploads and downloads in parts', parseSize, 8 * MiB)
    .option('--part-threads <n>', 'parts of one file transferred at once', parseCount, 4)
    .option('--multipart-threshold <size>', 'files larger than this go as resumable uploads in parts', parseSize, 16 * MiB);
}

function metaOf(pairs: string[] = []): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta ${JSON.stringify(pair)}: expected name=value`);
    const name = pair.slice(0, eq).toLowerCase();
    if (!/^[a-z0-9-_.]+$/.test(name)) throw new UsageError(`--meta ${JSON.stringify(name)}: letters, digits, '-', '_' and '.' only`);
    meta[name] = pair.slice(eq + 1);
  }
  return meta;
}

function optionsOf(flags: TransferFlags): TransferOptions {
  return {
    threads: flags.threads,
    partSize: Math.max(MiB, flags.partSize),
    partThreads: flags.partThreads,
    multipartThreshold: flags.multipartThreshold,
    storageClass: flags.storageClass,
    acl: flags.acl,
    meta: metaOf(flags.meta),
  };
}

/** A prefix used as a directory: `photos` lists `photos/...`, not `photos2`. */
function dirPrefix(key: string): string {
  return key === '' || key.endsWith('/') ? key : `${key}/`;
}

function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

async function localKind(path: string): Promise<'file' | 'dir' | 'none'> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 'none';
  return info.isDirectory() ? 'dir' : 'file';
}

interface Side {
  remote?: RemotePath;
  local?: string;
}

function side(path: string): Side {
  return isRemote(path) ? { remote: parseRemote(path) } : { local: path };
}

/** The files of a source, relative to it (a directory or prefix, recursively). */
async function sourceEntries(conn: Connection | undefined, src: Side, keep: (rel: string) => boolean): Promise<Entry[]> {
  if (src.remote) return remoteEntries(conn!.cos, src.remote.bucket, conn!.region, dirPrefix(src.remote.key), keep);
  if ((await localKind(src.local!)) !== 'dir') throw new UsageError(`${src.local} is not a directory`);
  return localEntries(src.local!, keep);
}

/** A job that puts one source entry at a destination path relative to the destination root. */
function jobFor(src: Side, entry: Entry, dst: Side, dstRel: string): Job | string {
  if (src.local && dst.remote) return { kind: 'upload', path: entry.path!, size: entry.size, bucket: dst.remote.bucket, key: dstRel };
  if (src.remote && dst.local) return { kind: 'download', bucket: src.remote.bucket, key: entry.key!, size: entry.size, path: dstRel };
  if (src.remote && dst.remote) return { kind: 'copy', srcBucket: src.remote.bucket, srcKey: entry.key!, size: entry.size, bucket: dst.remote.bucket, key: dstRel };
  return 'local to local';
}

/** Where each entry of a recursive transfer goes; a key that would leave the local root is refused. */
function destination(dst: Side, rel: string): string | undefined {
  if (dst.remote) return dirPrefix(dst.remote.key) + rel;
  const local = safeLocalRel(rel);
  return local === undefined ? undefined : join(dst.local!, local);
}

async function planRecursive(ctx: Context, conn: Connection | undefined, src: Side, dst: Side, keep: (rel: string) => boolean) {
  const entries = await sourceEntries(conn, src, keep);
  const jobs: (Job | undefined)[] = [];
  let refused = 0;
  for (const entry of entries) {
    const to = destination(dst, entry.rel);
    if (to === undefined) {
      refused++;
      jobs.push(undefined);
      ctx.out.failure({ op: 'download', source: formatRemote(src.remote!.bucket, entry.key!), target: null }, `skip ${entry.key}`, new Error('the key is no safe local path (.., empty or . segments)'));
      continue;
    }
    jobs.push(jobFor(src, entry, dst, to) as Job);
  }
  return { entries, jobs, refused };
}

async function planSingle(conn: Connection | undefined, src: Side, dst: Side): Promise<Job> {
  let entry: Entry;
  let name: string;
  if (src.remote) {
    if (!src.remote.key || src.remote.key.endsWith('/')) throw new UsageError(`${formatRemote(src.remote.bucket, src.remote.key)} names no object (use -r for a prefix)`);
    const head = await conn!.cos.headObject({ Bucket: src.remote.bucket, Region: conn!.region, Key: src.remote.key });
    const headers = head.headers ?? {};
    entry = { rel: '', key: src.remote.key, size: Number(headers['content-length'] ?? 0), mtimeMs: Date.parse(headers['last-modified'] ?? '') };
    name = lastSegment(src.remote.key);
  } else {
    const kind = await localKind(src.local!);
    if (kind === 'none') throw new UsageError(`no such file: ${src.local}`);
    if (kind === 'dir') throw new UsageError(`${src.local} is a directory (use -r)`);
    const info = await stat(src.local!);
    entry = { rel: '', path: src.local!, size: info.size, mtimeMs: info.mtimeMs };
    name = basename(src.local!);
  }
  let to: string;
  if (dst.remote) {
    to = dst.remote.key === '' || dst.remote.key.endsWith('/') ? dst.remote.key + name : dst.remote.key;
  } else {
    const intoDir = dst.local!.endsWith('/') || dst.local!.endsWith(sep) || (await localKind(dst.local!)) === 'dir';
    to = intoDir ? join(dst.local!, name) : dst.local!;
  }
  return jobFor(src, entry, dst, to) as Job;
}

function checkSides(src: Side, dst: Side): void {
  if (src.local !== undefined && dst.local !== undefined) throw new UsageError('one of the paths must be remote (cos://<bucket-appid>/<key>)');
}

async function transferContext(ctx: Context, src: Side, dst: Side, flags: TransferFlags) {
  checkSides(src, dst);
  const conn = await ctx.connection();
  const t: Transfer = { conn, out: ctx.out, signal: ctx.signal, options: optionsOf(flags) };
  return { conn, t };
}

function finish(result: { done: number; failed: number }, what: string): void {
  if (result.failed > 0) throw new PartialFailure(`${result.failed} of ${result.done + result.failed} ${what} failed`);
}

async function removeSource(conn: Connection, job: Job): Promise<void> {
  if (job.kind === 'upload') return removeLocal(job.path);
  const bucket = job.kind === 'copy' ? job.srcBucket : job.bucket;
  const key = job.kind === 'copy' ? job.srcKey : job.key;
  await conn.cos.deleteObject({ Bucket: bucket, Region: conn.region, Key: key });
}

async function copyOrMove(ctx: Context, source: string, target: string, flags: TransferFlags, move: boolean): Promise<void> {
  const src = side(source);
  const dst = side(target);
  const { conn, t } = await transferContext(ctx, src, dst, flags);
  const keep = pathFilter(flags.include, flags.exclude);
  const plan = flags.recursive ? await planRecursive(ctx, conn, src, dst, keep) : { jobs: [await planSingle(conn, src, dst)], refused: 0 };
  const jobs = (plan.jobs as (Job | undefined)[]).filter((j): j is Job => j !== undefined);
  const result = await runJobs(t, jobs, move ? (job) => removeSource(conn, job) : undefined);
  result.failed += plan.refused;
  if (move && flags.recursive && src.local !== undefined && !ctx.signal.aborted) await removeEmptyDirs(src.local);
  finish(result, 'files');
}

/** After `mv -r` of a directory: the directories its files left empty, and itself if empty. */
async function removeEmptyDirs(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyDirs(join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

/** Whether a source entry must be sent again to a destination entry of the same relative path. */
async function differs(conn: Connection, src: Side, a: Entry, dst: Side, b: Entry, checksum: boolean): Promise<boolean> {
  if (a.size !== b.size) return true;
  if (checksum) return (await entryCrc(conn, src, a)) !== (await entryCrc(conn, dst, b));
  if (src.remote && dst.remote) return a.etag !== b.etag;
  // Newer at the source (a download is given the object's time, an upload is newer than its file).
  return Math.floor(a.mtimeMs / 1000) > Math.floor(b.mtimeMs / 1000);
}

async function entryCrc(conn: Connection, s: Side, e: Entry): Promise<string | undefined> {
  if (s.local) return crc64OfFile(e.path!);
  const head = await conn.cos.headObject({ Bucket: s.remote!.bucket, Region: conn.region, Key: e.key! });
  return head.headers?.['x-cos-hash-crc64ecma'];
}

async function sync(ctx: Context, source: string, target: string, flags: TransferFlags): Promise<void> {
  const src = side(source);
  const dst = side(target);
  const { conn, t } = await transferContext(ctx, src, dst, flags);
  const keep = pathFilter(flags.include, flags.exclude);
  const { entries, jobs: all, refused } = await planRecursive(ctx, conn, src, dst, keep);
  const existing = dst.local !== undefined && (await localKind(dst.local)) !== 'dir' ? [] : await sourceEntries(conn, dst, keep);
  const there = new Map(existing.map((e) => [e.rel, e]));
  const jobs: Job[] = [];
  await pool(entries.map((e, i) => [e, all[i]] as const), t.options.threads, ctx.signal, async ([entry, job]) => {
    const other = there.get(entry.rel);
    if (!job) return;
    if (!other || (await differs(conn, src, entry, dst, other, flags.checksum === true))) jobs.push(job);
  });
  jobs.sort((a, b) => (targetRel(a) < targetRel(b) ? -1 : 1));
  const wanted = new Set(entries.map((e) => e.rel));
  const extra = flags.delete ? existing.filter((e) => !wanted.has(e.rel)) : [];
  if (flags.dryRun) {
    for (const job of jobs) ctx.out.record({ op: job.kind, source: sourceOf(job), target: targetOf(job), size: job.size, status: 'dry-run' }, `(dry run) ${job.kind} ${sourceOf(job)} -> ${targetOf(job)} (${humanSize(job.size)})`);
    for (const e of extra) ctx.out.record({ op: 'delete', target: extraTarget(dst, e), status: 'dry-run' }, `(dry run) delete ${extraTarget(dst, e)}`);
    return;
  }
  const result = await runJobs(t, jobs);
  result.failed += refused;
  if (extra.length && !ctx.signal.aborted) {
    const removed = dst.remote
      ? await deleteKeys(ctx, conn, dst.remote.bucket, extra.map((e) => ({ Key: e.key! })))
      : await deleteLocalFiles(ctx, extra);
    result.failed += removed.failed;
  }
  finish(result, 'files');
}

const targetRel = (job: Job) => (job.kind === 'download' ? job.path : job.key);
const extraTarget = (dst: Side, e: Entry) => (dst.remote ? formatRemote(dst.remote.bucket, e.key!) : e.path!);

async function deleteLocalFiles(ctx: Context, entries: Entry[]): Promise<{ failed: number }> {
  let failed = 0;
  for (const e of entries) {
    try {
      await removeLocal(e.path!);
      ctx.out.event({ op: 'delete', target: e.path, status: 'ok' }, `${ctx.out.c.red('delete')} ${e.path}`);
    } catch (error) {
      failed++;
      ctx.out.failure({ op: 'delete', target: e.path }, `delete ${e.path}`, error);
    }
  }
  return { failed };
}

export function registerTransferCommands(program: Command): void {
  const cp = transferOptions(clientCommand(program, 'cp', 'copy files and objects: local -> cos://, cos:// -> local, cos:// -> cos:// (server-side)'), true)
    .argument('<source>')
    .argument('<target>');
  cp.action((source: string, target: string) => runCommand(cp, (ctx) => copyOrMove(ctx, source, target, cp.opts<TransferFlags>(), false)));

  const mv = transferOptions(clientCommand(program, 'mv', 'move: copy, then remove each source once its copy is verified'), true)
    .argument('<source>')
    .argument('<target>');
  mv.action((source: string, target: string) => runCommand(mv, (ctx) => copyOrMove(ctx, source, target, mv.opts<TransferFlags>(), true)));

  const sy = transferOptions(clientCommand(program, 'sync', 'make a directory or prefix like another: send what is missing or differs (size and time, or ETag)'), false)
    .argument('<source>')
    .argument('<target>')
    .option('--delete', 'remove at the target what the source does not have')
    .option('--dry-run', 'only print what would be done')
    .option('--checksum', 'compare CRC-64 instead of size and time');
  sy.action((source: string, target: string) => runCommand(sy, (ctx) => sync(ctx, source, target, sy.opts<TransferFlags>())));
}
