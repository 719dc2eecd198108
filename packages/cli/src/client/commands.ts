/**
 * The client commands that look and ask: ls, cat, stat, du, signurl, restore, lsparts, abort, hash,
 * config; and the registration of all of them.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { configPath, masked, readProfiles, settingName, SETTING_NAMES, writeProfiles } from './config.js';
import { clientCommand, runCommand, type Context } from './context.js';
import { registerDeleteCommands } from './delete.js';
import { PartialFailure, UsageError } from './errors.js';
import { hashFile } from './hash.js';
import { listObjects, listUploads, listVersions } from './listing.js';
import { humanSize } from './output.js';
import { formatRemote, parseRemote, signedUrlDomain } from './remote.js';
import { parseSize } from './sizes.js';
import { registerTransferCommands } from './transfer-commands.js';

function when(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) : iso;
}

interface LsFlags {
  recursive?: boolean;
  versions?: boolean;
  long?: boolean;
  bytes?: boolean;
}

async function ls(ctx: Context, path: string | undefined, flags: LsFlags): Promise<void> {
  const conn = await ctx.connection();
  const { out } = ctx;
  const size = (n: number) => (flags.bytes ? String(n) : humanSize(n)).padStart(10);
  if (!path) {
    const answer = await conn.cos.getService({});
    for (const b of answer.Buckets ?? []) {
      out.record({ type: 'bucket', name: b.Name, region: b.Location, created: b.CreationDate }, flags.long ? `${when(b.CreationDate)}  ${b.Location.padEnd(16)} cos://${b.Name}` : `cos://${b.Name}`);
    }
    return;
  }
  const { bucket, key } = parseRemote(path);
  if (flags.versions) {
    for await (const item of listVersions(conn.cos, bucket, conn.region, key)) {
      const v = item.version;
      const m = item.marker;
      const k = (v ?? m)!;
      const fields = {
        type: v ? 'version' : 'deleteMarker',
        key: k.Key,
        versionId: k.VersionId,
        isLatest: k.IsLatest === 'true',
        size: v ? Number(v.Size) : 0,
        lastModified: k.LastModified,
        storageClass: v?.StorageClass ?? null,
        etag: v?.ETag ?? null,
      };
      const tag = `${v ? '' : '(delete marker) '}${k.IsLatest === 'true' ? '(latest) ' : ''}`;
      out.record(fields, `${when(k.LastModified)} ${size(fields.size)}  ${k.VersionId.padEnd(20)} ${tag}${formatRemote(bucket, k.Key)}`);
    }
    return;
  }
  let objects = 0;
  let bytes = 0;
  for await (const item of listObjects(conn.cos, bucket, conn.region, key, flags.recursive ? undefined : '/')) {
    if (item.prefix !== undefined) {
      out.record({ type: 'prefix', key: item.prefix }, flags.long ? `${''.padEnd(19)} ${'DIR'.padStart(10)}  ${formatRemote(bucket, item.prefix)}` : formatRemote(bucket, item.prefix));
      continue;
    }
    const o = item.object!;
    objects++;
    bytes += Number(o.Size);
    const fields = { type: 'object', key: o.Key, size: Number(o.Size), lastModified: o.LastModified, storageClass: o.StorageClass, etag: o.ETag };
    out.record(fields, flags.long ? `${when(o.LastModified)} ${size(Number(o.Size))}  ${o.StorageClass.padEnd(12)} ${o.ETag.padEnd(38)} ${formatRemote(bucket, o.Key)}` : formatRemote(bucket, o.Key));
  }
  if (flags.long && !out.json) out.record({}, `${objects} objects, ${humanSize(bytes)}`);
}

async function cat(ctx: Context, path: string, range: string | undefined): Promise<void> {
  const { bucket, key } = parseRemote(path);
  if (!key) throw new UsageError(`${path} names no object`);
  const conn = await ctx.connection();
  let header: string | undefined;
  if (range) {
    if (!/^(bytes=)?(\d*-\d*)$/.test(range) || range.replace('bytes=', '') === '-') throw new UsageError(`--range ${JSON.stringify(range)}: expected FIRST-LAST, FIRST- or -LAST (bytes)`);
    header = range.startsWith('bytes=') ? range : `bytes=${range}`;
  }
  await conn.cos.getObject({ Bucket: bucket, Region: conn.region, Key: key, Range: header, Output: process.stdout, Signal: ctx.signal });
}

async function statCommand(ctx: Context, path: string): Promise<void> {
  const { bucket, key } = parseRemote(path);
  const conn = await ctx.connection();
  const answer = key
    ? await conn.cos.headObject({ Bucket: bucket, Region: conn.region, Key: key })
    : await conn.cos.headBucket({ Bucket: bucket, Region: conn.region });
  const headers = answer.headers ?? {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-cos-meta-')) metadata[name.slice('x-cos-meta-'.length)] = value;
  const lines = [`${key ? 'Object' : 'Bucket'}: ${formatRemote(bucket, key)}`, ...Object.keys(headers).sort().map((name) => `${name}: ${headers[name]}`)];
  ctx.out.record({ bucket, key: key || null, size: key ? Number(headers['content-length'] ?? 0) : null, etag: headers.etag ?? null, crc64: headers['x-cos-hash-crc64ecma'] ?? null, storageClass: headers['x-cos-storage-class'] ?? (key ? 'STANDARD' : null), lastModified: headers['last-modified'] ?? null, metadata, headers }, lines.join('\n'));
}

async function du(ctx: Context, path: string): Promise<void> {
  const { bucket, key } = parseRemote(path);
  const conn = await ctx.connection();
  const byPrefix = new Map<string, { objects: number; bytes: number }>();
  const byClass = new Map<string, { objects: number; bytes: number }>();
  const total = { objects: 0, bytes: 0 };
  const add = (map: Map<string, { objects: number; bytes: number }>, name: string, size: number) => {
    const sum = map.get(name) ?? { objects: 0, bytes: 0 };
    sum.objects++;
    sum.bytes += size;
    map.set(name, sum);
  };
  const base = key === '' || key.endsWith('/') ? key : key;
  for await (const { object } of listObjects(conn.cos, bucket, conn.region, base)) {
    if (!object) continue;
    const size = Number(object.Size);
    const rest = object.Key.slice(base.length);
    const slash = rest.indexOf('/');
    add(byPrefix, slash === -1 ? base : base + rest.slice(0, slash + 1), size);
    add(byClass, object.StorageClass || 'STANDARD', size);
    total.objects++;
    total.bytes += size;
  }
  const line = (s: { objects: number; bytes: number }, name: string) => `${String(s.objects).padStart(8)} ${humanSize(s.bytes).padStart(10)}  ${name}`;
  for (const [prefix, s] of [...byPrefix].sort(([a], [b]) => (a < b ? -1 : 1))) {
    ctx.out.record({ type: 'prefix', prefix, objects: s.objects, bytes: s.bytes }, line(s, formatRemote(bucket, prefix)));
  }
  for (const [storageClass, s] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) {
    ctx.out.record({ type: 'storageClass', storageClass, objects: s.objects, bytes: s.bytes }, line(s, `class ${storageClass}`));
  }
  ctx.out.record({ type: 'total', prefix: key, objects: total.objects, bytes: total.bytes }, line(total, `total ${formatRemote(bucket, key)}`));
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive whole number');
  return n;
}

async function signurl(ctx: Context, path: string, flags: { method: string; expires: number }): Promise<void> {
  const { bucket, key } = parseRemote(path);
  if (!key) throw new UsageError(`${path} names no object`);
  const conn = await ctx.connection();
  const method = flags.method.toUpperCase();
  if (!['GET', 'PUT', 'HEAD', 'DELETE', 'POST'].includes(method)) throw new UsageError(`--method ${flags.method}: GET, PUT, HEAD, DELETE or POST`);
  const url = conn.cos.getObjectUrl({ Bucket: bucket, Region: conn.region, Key: key, Method: method, Expires: flags.expires, Domain: signedUrlDomain(conn.addressing) });
  ctx.out.record({ url, method, expires: flags.expires, bucket, key }, url);
}

const TIERS = ['Expedited', 'Standard', 'Bulk'] as const;
const ARCHIVE_CLASSES = new Set(['ARCHIVE', 'DEEP_ARCHIVE']);

async function restore(ctx: Context, path: string, flags: { days: number; tier: string; recursive?: boolean }): Promise<void> {
  const { bucket, key } = parseRemote(path);
  const tier = TIERS.find((t) => t.toLowerCase() === flags.tier.toLowerCase());
  if (!tier) throw new UsageError(`--tier ${flags.tier}: one of ${TIERS.join(', ')}`);
  const conn = await ctx.connection();
  const keys: string[] = [];
  if (flags.recursive) {
    for await (const { object } of listObjects(conn.cos, bucket, conn.region, key)) if (object && ARCHIVE_CLASSES.has(object.StorageClass)) keys.push(object.Key);
  } else {
    if (!key) throw new UsageError(`${path} names no object (use -r for a prefix)`);
    keys.push(key);
  }
  let failed = 0;
  for (const k of keys) {
    const target = formatRemote(bucket, k);
    try {
      const answer = await conn.cos.restoreObject({ Bucket: bucket, Region: conn.region, Key: k, RestoreRequest: { Days: flags.days, CASJobParameters: { Tier: tier } } });
      ctx.out.event({ op: 'restore', target, days: flags.days, tier, statusCode: answer.statusCode ?? null, status: 'ok' }, `restore ${target} (${flags.days} days, ${tier})${answer.statusCode === 200 ? ': already restored, days updated' : ''}`);
    } catch (error) {
      failed++;
      ctx.out.failure({ op: 'restore', target }, `restore ${target}`, error);
    }
  }
  if (failed) throw new PartialFailure(`${failed} of ${keys.length} restores failed`);
}

async function lsparts(ctx: Context, path: string): Promise<void> {
  const { bucket, key } = parseRemote(path);
  const conn = await ctx.connection();
  for await (const u of listUploads(conn.cos, bucket, conn.region, key)) {
    const parts = await conn.cos.multipartListPart({ Bucket: bucket, Region: conn.region, Key: u.Key, UploadId: u.UploadId });
    const list = parts.Part ?? [];
    const bytes = list.reduce((sum, p) => sum + Number(p.Size), 0);
    ctx.out.record(
      { type: 'upload', key: u.Key, uploadId: u.UploadId, initiated: u.Initiated, storageClass: u.StorageClass, parts: list.length, bytes },
      `${when(u.Initiated)}  ${u.UploadId}  ${String(list.length).padStart(5)} parts ${humanSize(bytes).padStart(10)}  ${formatRemote(bucket, u.Key)}`,
    );
  }
}

async function abort(ctx: Context, path: string, uploadId: string | undefined): Promise<void> {
  const { bucket, key } = parseRemote(path);
  const conn = await ctx.connection();
  const uploads: { Key: string; UploadId: string }[] = [];
  if (uploadId) {
    if (!key) throw new UsageError('--upload-id needs the key of the upload');
    uploads.push({ Key: key, UploadId: uploadId });
  } else {
    for await (const u of listUploads(conn.cos, bucket, conn.region, key)) uploads.push(u);
  }
  let failed = 0;
  for (const u of uploads) {
    const target = formatRemote(bucket, u.Key);
    try {
      await conn.cos.multipartAbort({ Bucket: bucket, Region: conn.region, Key: u.Key, UploadId: u.UploadId });
      ctx.out.event({ op: 'abort', target, uploadId: u.UploadId, status: 'ok' }, `abort ${target} (upload ${u.UploadId})`);
    } catch (error) {
      failed++;
      ctx.out.failure({ op: 'abort', target, uploadId: u.UploadId }, `abort ${target} (upload ${u.UploadId})`, error);
    }
  }
  if (failed) throw new PartialFailure(`${failed} of ${uploads.length} aborts failed`);
}

function registerConfig(program: Command): void {
  const config = program.command('config').description(`profiles of the client commands, in ${configPath()}`);
  const profileOption = ['--profile <name>', 'profile to change or show', 'default'] as const;
  const set = config.command('set').description(`set a setting (${SETTING_NAMES.join(', ')})`).argument('<name>').argument('<value>').option(...profileOption);
  set.action((name: string, value: string) =>
    runCommand(set, async () => {
      const setting = settingName(name);
      const path = configPath();
      const profiles = await readProfiles(path);
      const profile = set.opts<{ profile: string }>().profile;
      profiles[profile] = { ...profiles[profile], [setting]: value };
      await writeProfiles(path, profiles);
    }),
  );
  const get = config.command('get').description('print a setting').argument('<name>').option(...profileOption);
  get.action((name: string) =>
    runCommand(get, async () => {
      const setting = settingName(name);
      const value = (await readProfiles(configPath()))[get.opts<{ profile: string }>().profile]?.[setting];
      if (value === undefined) throw new PartialFailure(`${setting} is not set`);
      process.stdout.write(`${value}\n`);
    }),
  );
  const list = config.command('list').description('print every profile (secrets masked)').option('--json', 'one JSON object per profile');
  list.action(() =>
    runCommand(list, async (ctx) => {
      for (const [name, profile] of Object.entries(await readProfiles(configPath()))) {
        const shown = Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, masked(k as (typeof SETTING_NAMES)[number], v!)]));
        ctx.out.record({ profile: name, ...shown }, [`[${name}]`, ...Object.entries(shown).map(([k, v]) => `${k} = ${v}`)].join('\n'));
      }
    }),
  );
}

export function registerClientCommands(program: Command): void {
  const lsCommand = clientCommand(program, 'ls', 'list buckets, or the objects and folders under a prefix')
    .argument('[path]', 'cos://<bucket-appid>/<prefix>; none: the buckets')
    .option('-r, --recursive', 'every object under the prefix, no folders')
    .option('--versions', 'every version and delete marker')
    .option('-l, --long', 'date, size, storage class and ETag')
    .option('--bytes', 'sizes in bytes rather than KiB, MiB, ...');
  lsCommand.action((path?: string) => runCommand(lsCommand, (ctx) => ls(ctx, path, lsCommand.opts<LsFlags>())));

  registerTransferCommands(program);
  registerDeleteCommands(program);

  const catCommand = clientCommand(program, 'cat', 'write an object to stdout').argument('<path>').option('--range <first-last>', 'only these bytes (as HTTP Range: 0-99, 100-, -10)');
  catCommand.action((path: string) => runCommand(catCommand, (ctx) => cat(ctx, path, catCommand.opts<{ range?: string }>().range)));

  const statC = clientCommand(program, 'stat', 'every header and the metadata of an object (or a bucket)').argument('<path>');
  statC.action((path: string) => runCommand(statC, (ctx) => statCommand(ctx, path)));

  const duC = clientCommand(program, 'du', 'objects and bytes under a prefix, per folder and per storage class').argument('<path>');
  duC.action((path: string) => runCommand(duC, (ctx) => du(ctx, path)));

  const sign = clientCommand(program, 'signurl', 'a pre-signed URL of an object')
    .argument('<path>')
    .option('--method <method>', 'the method the URL is for', 'GET')
    .option('--expires <seconds>', 'seconds the URL stays valid', positiveInt, 3600);
  sign.action((path: string) => runCommand(sign, (ctx) => signurl(ctx, path, sign.opts<{ method: string; expires: number }>())));

  const rest = clientCommand(program, 'restore', 'restore archived objects for some days')
    .argument('<path>')
    .option('-r, --recursive', 'every ARCHIVE and DEEP_ARCHIVE object under the prefix')
    .option('--days <n>', 'days the restored copy stays', positiveInt, 1)
    .option('--tier <tier>', 'Expedited, Standard or Bulk', 'Standard');
  rest.action((path: string) => runCommand(rest, (ctx) => restore(ctx, path, rest.opts<{ days: number; tier: string; recursive?: boolean }>())));

  const parts = clientCommand(program, 'lsparts', 'list incomplete multipart uploads under a prefix, with their parts').argument('<path>');
  parts.action((path: string) => runCommand(parts, (ctx) => lsparts(ctx, path)));

  const ab = clientCommand(program, 'abort', 'abort incomplete multipart uploads under a prefix (or one by id)').argument('<path>').option('--upload-id <id>', 'only this upload of the key');
  ab.action((path: string) => runCommand(ab, (ctx) => abort(ctx, path, ab.opts<{ uploadId?: string }>().uploadId)));

  const hash = program
    .command('hash')
    .description('CRC-64 and MD5 of a local file as COS computes them (x-cos-hash-crc64ecma, ETag)')
    .argument('<file>')
    .option('--part-size <size>', 'also the ETag of an upload in parts of this size', parseSize)
    .option('--json', 'one JSON object')
    .option('--quiet', 'no effect')
    .option('--no-color', 'no colour');
  hash.action((file: string) =>
    runCommand(hash, async (ctx) => {
      const partSize = hash.opts<{ partSize?: number }>().partSize;
      const h = await hashFile(file, partSize);
      const lines = [`crc64ecma: ${h.crc64}`, `md5:       ${h.md5}`, ...(h.multipartEtag ? [`etag (${humanSize(partSize!)} parts): ${h.multipartEtag}`] : []), `file:      ${file}`];
      ctx.out.record({ path: file, crc64: h.crc64, md5: h.md5, multipartEtag: h.multipartEtag ?? null }, lines.join('\n'));
    }),
  );

  registerConfig(program);
}
