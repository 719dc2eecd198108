/**
 * PUT and GET Object symlink (`PUT /<link>?symlink` with `x-cos-symlink-target: <key>`, `GET
 * /<link>?symlink`), and reading an object through a link (GET and HEAD Object serve the target).
 *
 * A link is an object of type `symlink` that holds no bytes, only the key of its target in the same
 * bucket. It is written like any object: it replaces what was at its key, takes a version id in a
 * bucket with versioning, carries its own ACL, metadata and tags, is listed (size 0) and deleted like
 * any object. The target need not exist: a read of a dangling link is NoSuchKey. A read of a link
 * needs the right to read the link and the right to read its target (the target's own ACL decides,
 * as for a direct read). Links are followed one hop only: a link to a link is NoSuchKey, so no chain
 * can loop.
 */
import { CosError, httpDate, utf8Length, type OperationName } from '@cosbox/protocol';
import { authorize } from '../auth/authorize.js';
import { bucketOf, emptyResponse, keyOf, requestFacts, type RequestContext, type ResponseSpec } from '../http/context.js';
import { attributesFromRequest, findObject, readObject, requestedVersion, type ObjectRead, type ReadPlan } from '../model/objects.js';
import type { CustomerKey } from '../model/encryption.js';
import type { BucketRecord, ObjectRecord } from '../storage/metadata/store.js';
import { MAX_KEY_BYTES } from '../routing/address.js';
import { versionHeader } from './object-headers.js';
import { writerUin } from './writer.js';

/** The MD5 of no bytes: a link's ETag, as of any empty object. */
const EMPTY_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"';

/** The target key from its header: percent-decoded (so that any key fits in a header), checked. */
function parseTarget(value: string | undefined, link: string): string {
  if (value === undefined || value === '') throw new CosError('MissingSecurityHeader', 'PUT Object symlink needs the x-cos-symlink-target header.');
  let target: string;
  try {
    target = decodeURIComponent(value);
  } catch {
    throw new CosError('InvalidArgument', 'x-cos-symlink-target is not validly percent-encoded.');
  }
  if (target.startsWith('/')) target = target.slice(1); // `/key`, as a path, names the same key
  if (target === '') throw new CosError('InvalidArgument', 'x-cos-symlink-target names no object.');
  if (utf8Length(target) > MAX_KEY_BYTES) throw new CosError('InvalidArgument', `x-cos-symlink-target is longer than ${MAX_KEY_BYTES} bytes.`);
  if (target === link) throw new CosError('InvalidArgument', 'A symlink cannot point to itself.');
  return target;
}

/** The target as a header value: percent-encoded except `/`, so any key is Latin-1 on the wire. */
function targetHeader(target: string): string {
  return encodeURIComponent(target).replace(/%2F/g, '/');
}

export async function putSymlink(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const target = parseTarget(ctx.header('x-cos-symlink-target'), key);
  const attributes = attributesFromRequest(ctx);
  const link: ObjectRecord = {
    bucket: bucket.name,
    key,
    size: 0,
    etag: EMPTY_ETAG,
    crc64: '0',
    lastModified: ctx.now,
    // A link holds no bytes to archive: it stays readable whatever class its target is in.
    storageClass: 'STANDARD',
    objectType: 'symlink',
    symlinkTarget: target,
    contentHeaders: {},
    meta: attributes.meta,
    ownerUin: writerUin(ctx),
    acl: attributes.acl,
    tags: attributes.tags,
    blobs: [],
  };
  const { object, replaced } = await ctx.services.meta.putObject(link);
  void ctx.services.blobs.remove(replaced).catch((err: unknown) => ctx.services.log.warn({ err }, 'could not remove replaced blobs'));
  return emptyResponse(200, { ETag: object.etag, ...versionHeader(object) });
}

export async function getSymlink(ctx: RequestContext): Promise<ResponseSpec> {
  const link = await findObject(ctx.services, bucketOf(ctx).name, keyOf(ctx), requestedVersion(ctx));
  if (link.objectType !== 'symlink' || link.symlinkTarget === undefined) throw new CosError('InvalidArgument', 'The object is not a symlink.');
  return emptyResponse(200, {
    'x-cos-symlink-target': targetHeader(link.symlinkTarget),
    'x-cos-object-type': 'symlink',
    ETag: link.etag,
    'Last-Modified': httpDate(link.lastModified),
    ...versionHeader(link),
  });
}

/**
 * Opens what a read of `link` (in `bucket`) serves: its target's current object, through `plan`
 * (ranges, preconditions), once the caller is found allowed to read the target too (as `op`: GET or
 * HEAD Object, or GetObject for a copy source).
 */
export async function readThroughSymlink(
  ctx: RequestContext,
  bucket: BucketRecord,
  link: ObjectRecord,
  plan: (record: ObjectRecord) => ReadPlan,
  options: { op: OperationName; customer?: CustomerKey },
): Promise<ObjectRead> {
  const target = link.symlinkTarget ?? '';
  const dangling = () => new CosError('NoSuchKey', `The symlink's target "${target}" does not exist.`);
  try {
    return await readObject(ctx.services, bucket.name, target, (record) => {
      if (record.objectType === 'symlink') throw dangling();
      authorize(options.op, ctx.caller, bucket, record.acl, target, { request: { ...requestFacts(ctx), now: ctx.now } });
      return plan(record);
    }, { customer: options.customer });
  } catch (error) {
    // Not the target's delete-marker headers: they would describe another key than the one asked for.
    if (error instanceof CosError && error.code === 'NoSuchKey') throw dangling();
    throw error;
  }
}
