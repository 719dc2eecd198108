/**
 * rm, rb and the deletions of sync: keys go in DeleteMultiple batches of 1000, each key reported.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { clientCommand, runCommand, type Context } from './context.js';
import { PartialFailure, UsageError } from './errors.js';
import { listObjects, listUploads, listVersions } from './listing.js';
import { formatRemote, parseRemote, type Connection } from './remote.js';

const BATCH = 1000;

export interface KeyVersion {
  Key: string;
  VersionId?: string;
}

/** Deletes the keys (or versions) in batches; every key is one event or one failure. */
export async function deleteKeys(ctx: Context, conn: Connection, bucket: string, keys: KeyVersion[]): Promise<{ done: number; failed: number }> {
  const result = { done: 0, failed: 0 };
  for (let i = 0; i < keys.length && !ctx.signal.aborted; i += BATCH) {
    const batch = keys.slice(i, i + BATCH);
    try {
      const answer = await conn.cos.deleteMultipleObject({ Bucket: bucket, Region: conn.region, Objects: batch, Signal: ctx.signal });
      for (const d of answer.Deleted ?? []) {
        result.done++;
        const target = formatRemote(bucket, d.Key);
        ctx.out.event({ op: 'delete', target, versionId: d.VersionId ?? null, status: 'ok' }, `${ctx.out.c.red('delete')} ${target}${d.VersionId ? ` (version ${d.VersionId})` : ''}`);
      }
      for (const e of answer.Error ?? []) {
        result.failed++;
        const target = formatRemote(bucket, e.Key);
        ctx.out.failure({ op: 'delete', target, versionId: e.VersionId ?? null }, `delete ${target}`, { code: e.Code, message: e.Message ?? e.Code, RequestId: answer.RequestId });
      }
    } catch (error) {
      result.failed += batch.length;
      ctx.out.failure({ op: 'delete', target: formatRemote(bucket, batch[0].Key), count: batch.length }, `delete ${batch.length} keys from ${bucket}`, error);
    }
  }
  return result;
}

/** Every object, version and delete marker under a prefix. */
async function everything(conn: Connection, bucket: string, prefix: string, versions: boolean, exactKey?: string): Promise<KeyVersion[]> {
  const keys: KeyVersion[] = [];
  if (versions) {
    for await (const item of listVersions(conn.cos, bucket, conn.region, prefix)) {
      const v = item.version ?? item.marker!;
      if (exactKey === undefined || v.Key === exactKey) keys.push({ Key: v.Key, VersionId: v.VersionId });
    }
  } else {
    for await (const { object } of listObjects(conn.cos, bucket, conn.region, prefix)) if (object) keys.push({ Key: object.Key });
  }
  return keys;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError(`${question} (not on a terminal to ask: give --force)`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

interface RmFlags {
  recursive?: boolean;
  versions?: boolean;
  force?: boolean;
  versionId?: string;
}

async function rm(ctx: Context, path: string, flags: RmFlags): Promise<void> {
  const { bucket, key } = parseRemote(path);
  if (!flags.recursive && (key === '' || key.endsWith('/')) && !flags.versionId) throw new UsageError(`${path} names a prefix: use -r to remove everything under it`);
  const conn = await ctx.connection();
  let keys: KeyVersion[];
  if (flags.versionId) keys = [{ Key: key, VersionId: flags.versionId }];
  else if (flags.recursive) keys = await everything(conn, bucket, key === '' || key.endsWith('/') ? key : `${key}/`, flags.versions === true);
  else if (flags.versions) keys = await everything(conn, bucket, key, true, key);
  else keys = [{ Key: key }];
  if (keys.length === 0) return ctx.out.info('nothing to remove');
  if ((flags.recursive || flags.versions) && !flags.force && !(await confirm(`remove ${keys.length} ${flags.versions ? 'versions' : 'objects'} from ${bucket}?`))) {
    return ctx.out.info('nothing removed');
  }
  const result = await deleteKeys(ctx, conn, bucket, keys);
  if (result.failed) throw new PartialFailure(`${result.failed} of ${keys.length} deletions failed`);
}

/** Everything a bucket holds: versions, delete markers, objects and incomplete uploads. */
async function empty(ctx: Context, conn: Connection, bucket: string): Promise<number> {
  let failed = 0;
  for await (const upload of listUploads(conn.cos, bucket, conn.region, '')) {
    try {
      await conn.cos.multipartAbort({ Bucket: bucket, Region: conn.region, Key: upload.Key, UploadId: upload.UploadId });
      ctx.out.event({ op: 'abort', target: formatRemote(bucket, upload.Key), uploadId: upload.UploadId, status: 'ok' }, `abort ${formatRemote(bucket, upload.Key)} (upload ${upload.UploadId})`);
    } catch (error) {
      failed++;
      ctx.out.failure({ op: 'abort', target: formatRemote(bucket, upload.Key), uploadId: upload.UploadId }, `abort upload ${upload.UploadId}`, error);
    }
  }
  failed += (await deleteKeys(ctx, conn, bucket, await everything(conn, bucket, '', true))).failed;
  // Unversioned buckets list their objects in the versions listing too; this catches any left.
  failed += (await deleteKeys(ctx, conn, bucket, await everything(conn, bucket, '', false))).failed;
  return failed;
}

export function registerDeleteCommands(program: Command): void {
  const rmCommand = clientCommand(program, 'rm', 'remove objects (batched DeleteMultiple)')
    .argument('<path>', 'cos://<bucket-appid>/<key or prefix>')
    .option('-r, --recursive', 'everything under the prefix')
    .option('--versions', 'every version and delete marker too (of the key, or under the prefix with -r)')
    .option('--version-id <id>', 'one version of the key')
    .option('-f, --force', 'do not ask');
  rmCommand.action((path: string) => runCommand(rmCommand, (ctx) => rm(ctx, path, rmCommand.opts<RmFlags>())));

  const mb = clientCommand(program, 'mb', 'make a bucket')
    .argument('<bucket>', 'cos://<bucket-appid>')
    .option('--acl <acl>', 'private, public-read or public-read-write');
  mb.action((path: string) =>
    runCommand(mb, async (ctx) => {
      const { bucket, key } = parseRemote(path);
      if (key) throw new UsageError(`mb takes a bucket, not a key: cos://${bucket}`);
      const conn = await ctx.connection();
      const answer = await conn.cos.putBucket({ Bucket: bucket, Region: conn.region, ACL: mb.opts<{ acl?: 'private' }>().acl });
      ctx.out.event({ op: 'mb', target: `cos://${bucket}`, region: conn.region, status: 'ok', requestId: answer.RequestId ?? null }, `made bucket cos://${bucket} in ${conn.region}`);
    }),
  );

  const rb = clientCommand(program, 'rb', 'remove a bucket')
    .argument('<bucket>', 'cos://<bucket-appid>')
    .option('-f, --force', 'first remove every object, version, delete marker and incomplete upload');
  rb.action((path: string) =>
    runCommand(rb, async (ctx) => {
      const { bucket, key } = parseRemote(path);
      if (key) throw new UsageError(`rb takes a bucket, not a key: cos://${bucket}`);
      const conn = await ctx.connection();
      if (rb.opts<{ force?: boolean }>().force) {
        const failed = await empty(ctx, conn, bucket);
        if (failed) throw new PartialFailure(`${failed} objects or uploads could not be removed; the bucket stays`);
      }
      await conn.cos.deleteBucket({ Bucket: bucket, Region: conn.region });
      ctx.out.event({ op: 'rb', target: `cos://${bucket}`, status: 'ok' }, `removed bucket cos://${bucket}`);
    }),
  );
}
