/**
 * PUT Object - Copy (C224-C230): x-cos-copy-source in every form, the metadata and tagging
 * directives, the four source conditions. The bytes stream from the source's blobs into a new blob,
 * hashed on the way: decrypted with the source's key and encrypted with the destination's, so a copy
 * may change an object's encryption.
 */
import { buildXml, CosError, evaluatePreconditions, isoDate } from '@cosbox/protocol';
import { authorizeRequest } from '../auth/authorize.js';
import { bucketOf, keyOf, requestFacts, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { withBucketDefault } from '../model/bucket-encryption.js';
import { copySourceCustomerKey, encryptionHeaders, requestedEncryption, type CustomerKey, type SseRequest } from '../model/encryption.js';
import {
  attributesFromRequest,
  MAX_OBJECT_SIZE,
  readObject,
  storeObject,
  wholeObject,
  type ObjectAttributes,
  type ObjectRead,
  type ReadPlan,
} from '../model/objects.js';
import { requireReadable } from '../model/restore.js';
import { bucketFromHost, MAX_KEY_BYTES } from '../routing/address.js';
import type { BucketRecord, EncryptionRecord, ObjectRecord } from '../storage/metadata/store.js';
import { versionHeader } from './object-headers.js';
import { utf8Length } from '@cosbox/protocol';
import { readThroughSymlink } from './symlink.js';
import { writerUin } from './writer.js';

export interface CopySource {
  bucket: string;
  region?: string;
  key: string;
  versionId?: string;
}

/**
 * `<bucket>-<appid>.cos.<region>.myqcloud.com/<key>[?versionId=]`, with or without a scheme, or the
 * path form `[/]<bucket>-<appid>/<key>`. The key is percent-decoded (clients encode it).
 */
export function parseCopySource(value: string): CopySource {
  let rest = value.trim().replace(/^https?:\/\//i, '');
  let versionId: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    versionId = new URLSearchParams(rest.slice(q + 1)).get('versionId') ?? undefined;
    rest = rest.slice(0, q);
  }
  if (rest.startsWith('/')) rest = rest.slice(1);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw new CosError('InvalidArgument', 'x-cos-copy-source is malformed.');
  const head = rest.slice(0, slash);
  let key: string;
  try {
    key = decodeURIComponent(rest.slice(slash + 1));
  } catch {
    throw new CosError('InvalidArgument', 'x-cos-copy-source is not correctly encoded.');
  }
  if (utf8Length(key) > MAX_KEY_BYTES) throw new CosError('InvalidURI');
  const virtual = bucketFromHost(head);
  if (virtual) return { ...virtual, key, versionId };
  if (/^[a-z0-9][a-z0-9-]*-\d+$/.test(head)) return { bucket: head, key, versionId };
  throw new CosError('InvalidArgument', 'x-cos-copy-source names no bucket.');
}

/** Loads the source bucket and checks that the caller may read the source object or version (C131). */
export async function sourceBucket(ctx: RequestContext, source: CopySource): Promise<BucketRecord> {
  const bucket = await ctx.services.meta.getBucket(source.bucket);
  if (!bucket || (source.region !== undefined && source.region !== bucket.region)) throw new CosError('NoSuchBucket', 'The copy source bucket does not exist.');
  // The version copied is its own object: its ACL decides, not the current version's.
  await authorizeRequest(ctx.services, { op: 'GetObject', caller: ctx.caller, bucket, key: source.key, versionId: source.versionId || undefined, request: requestFacts(ctx) });
  return bucket;
}

/** The four x-cos-copy-source-If-* conditions: any failure is 412 (C167). */
export function copySourcePreconditions(ctx: RequestContext) {
  return {
    ifMatch: ctx.header('x-cos-copy-source-if-match'),
    ifNoneMatch: ctx.header('x-cos-copy-source-if-none-match'),
    ifModifiedSince: ctx.header('x-cos-copy-source-if-modified-since'),
    ifUnmodifiedSince: ctx.header('x-cos-copy-source-if-unmodified-since'),
  };
}

/** x-cos-metadata-directive or x-cos-tagging-directive: Copy (the default) or Replaced. */
function directive(ctx: RequestContext, header: 'x-cos-metadata-directive' | 'x-cos-tagging-directive'): 'Copy' | 'Replaced' {
  const value = ctx.header(header);
  if (value === undefined || value === '' || value.toLowerCase() === 'copy') return 'Copy';
  if (value.toLowerCase() === 'replaced') return 'Replaced';
  throw new CosError('InvalidArgument', `${header} must be Copy or Replaced.`);
}

/**
 * The destination's encryption: what the request's headers ask for, else the source's kept (SSE-COS
 * stays SSE-COS; SSE-C stays SSE-C under the key the request gave for the source).
 */
function destinationEncryption(requested: SseRequest | undefined, source: EncryptionRecord | undefined, sourceKey: CustomerKey | undefined): SseRequest | undefined {
  if (requested || !source) return requested;
  if (source.kind === 'SSE-COS') return { kind: 'SSE-COS' };
  return sourceKey && { kind: 'SSE-C', ...sourceKey };
}

export async function putObjectCopy(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const source = parseCopySource(ctx.header('x-cos-copy-source') ?? '');
  const from = await sourceBucket(ctx, source);
  const metadata = directive(ctx, 'x-cos-metadata-directive');
  const tagging = directive(ctx, 'x-cos-tagging-directive');
  const requested = attributesFromRequest(ctx);
  const conditions = copySourcePreconditions(ctx);
  const classGiven = (ctx.header('x-cos-storage-class') ?? '') !== '';
  const sourceKey = copySourceCustomerKey(ctx.header);
  const requestedSse = requestedEncryption(ctx.header);

  let attributes: ObjectAttributes | undefined;
  const { record: src, stream } = await readCopySource(ctx, from, source, (rec) => {
    if (evaluatePreconditions(conditions, rec.etag, rec.lastModified) !== 'ok') throw new CosError('PreconditionFailed');
    // An archived source is copied (or moved to another class) only from a restored copy, as on COS.
    requireReadable(rec, ctx.now);
    // A named version copied onto its key is how a previous version is restored (S3 documents it).
    const sameObject = from.name === bucket.name && source.key === key && !source.versionId;
    // Copying an object onto itself only makes sense to change it (C226).
    if (sameObject && metadata === 'Copy' && !requestedSse && !(classGiven && requested.storageClass !== rec.storageClass)) {
      throw new CosError(
        'InvalidRequest',
        'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class or encryption; use x-cos-metadata-directive: Replaced.',
      );
    }
    if (rec.size > MAX_OBJECT_SIZE) throw new CosError('EntityTooLarge', 'Objects larger than 5 GB must be copied with Upload Part - Copy.');
    // Each directive picks, on its own, whether the source's or the request's values win.
    attributes = { ...requested };
    if (metadata === 'Copy') Object.assign(attributes, { contentHeaders: rec.contentHeaders, meta: rec.meta });
    if (tagging === 'Copy') attributes.tags = rec.tags;
    return wholeObject(rec);
  }, sourceKey);
  if (!stream || !attributes) throw new Error('copy source opened without a stream');
  // The destination bucket's default encryption applies to a copy that ends up with none.
  const encryption = withBucketDefault(destinationEncryption(requestedSse, src.encryption, sourceKey), bucket);
  const record = await storeObject(ctx.services, {
    bucket: bucket.name,
    key,
    ownerUin: writerUin(ctx),
    body: stream,
    size: src.size,
    attributes,
    encryption,
  });
  return xmlResponse(
    buildXml('CopyObjectResult', { ETag: record.etag, CRC64: record.crc64, LastModified: isoDate(record.lastModified) }),
    200,
    {
      'x-cos-hash-crc64ecma': record.crc64,
      ...versionHeader(record),
      ...copySourceVersionHeader(src),
      ...encryptionHeaders(record.encryption, encryption?.kind === 'SSE-C' ? encryption : undefined),
    },
  );
}

/**
 * Opens the copy source: its current object, or the version x-cos-copy-source names. A source whose
 * latest version is a delete marker is NoSuchKey (404); a named version that is a delete marker is
 * 400 (§1.8.4).
 */
export async function readCopySource(
  ctx: RequestContext,
  from: BucketRecord,
  source: CopySource,
  plan: (record: ObjectRecord) => ReadPlan,
  customer?: CustomerKey,
): Promise<ObjectRead> {
  try {
    const read = await readObject(ctx.services, from.name, source.key, (rec) => (rec.objectType === 'symlink' ? 'none' : plan(rec)), {
      versionId: source.versionId === '' ? undefined : source.versionId,
      customer,
    });
    // A symlink source copies what it reads as: its target's bytes and attributes (handlers/symlink.ts).
    if (read.record.objectType === 'symlink') return await readThroughSymlink(ctx, from, read.record, plan, { op: 'GetObject', customer });
    return read;
  } catch (error) {
    if (error instanceof CosError && error.code === 'MethodNotAllowed') throw new CosError('InvalidRequest', 'The copy source version is a delete marker.');
    throw error;
  }
}

/** x-cos-copy-source-version-id: the version copied, when the source has one. */
export function copySourceVersionHeader(source: ObjectRecord): Record<string, string> {
  return source.versionId === undefined ? {} : { 'x-cos-copy-source-version-id': source.versionId };
}
