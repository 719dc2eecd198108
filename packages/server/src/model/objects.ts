/**
 * Objects: writing one (blob first, then the metadata commit that makes it visible), reading one
 * (never torn, even while it is overwritten), and the attributes a request gives an object.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { lookup as lookupMime } from 'mime-types';
import {
  CosError,
  contentMd5ToHex,
  checkHeaderValue,
  extractUserMeta,
  headerValueFromText,
  isHeaderName,
  META_PREFIX,
  parseStorageClass,
  spellHeader,
  quoteEtag,
  STORED_CONTENT_HEADERS,
  type ByteRange,
} from '@cosbox/protocol';
import { BlobDamagedError, BlobGoneError, type BlobWriteResult } from '../storage/blob/store.js';
import { isDeleteMarker, type AclSpec, type BlobRef, type DeleteMarkerRecord, type ObjectRecord, type Tag } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import type { RequestContext } from '../http/context.js';
import { hasVerifiedChecksum } from '../http/s3-dialect.js';
import { aclFromHeaders } from './acl.js';
import type { CustomerKey, SseRequest } from './encryption.js';
import { tagsFromHeader } from './tagging.js';

/** 5 GB: the largest single PUT or copy (C206, C311). */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

/** What a request says about the object it writes, besides the bytes. */
export interface ObjectAttributes {
  contentHeaders: ObjectRecord['contentHeaders'];
  meta: Record<string, string>;
  storageClass: string;
  acl?: AclSpec;
  tags?: Tag[];
}

/**
 * Reads content headers, x-cos-meta-*, storage class, ACL headers and x-cos-tagging (or the form
 * fields of the same names); empty values count as absent. Every value that is echoed later as a
 * response header is checked here, where it enters: InvalidArgument when it cannot be one. `text`
 * says the values are decoded text (form fields), not header bytes: they are stored as their UTF-8
 * bytes, exactly what the same value sent as a header would store (see textAsHeaderBytes).
 */
export function attributesFrom(
  get: (name: string) => string | undefined,
  all: Record<string, string | string[] | undefined>,
  options: { text?: boolean } = {},
): ObjectAttributes {
  const asHeader = (value: string, what: string) => (options.text ? headerValueFromText(value, what) : checkHeaderValue(value, what));
  const contentHeaders: ObjectRecord['contentHeaders'] = {};
  for (const name of STORED_CONTENT_HEADERS) {
    const value = get(name);
    if (value !== undefined && value.trim() !== '') contentHeaders[name] = asHeader(value, spellHeader(name));
  }
  const metaSource: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(all)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    if (!isHeaderName(name)) throw new CosError('InvalidArgument', `${JSON.stringify(name)} is not a valid metadata name.`);
    metaSource[name] = (Array.isArray(value) ? value : [value]).map((v) => asHeader(v, name));
  }
  return {
    contentHeaders,
    meta: extractUserMeta(metaSource),
    storageClass: parseStorageClass(get('x-cos-storage-class')),
    acl: aclFromHeaders(get, { allowDefault: true }),
    tags: tagsFromHeader(get('x-cos-tagging')),
  };
}

export function attributesFromRequest(ctx: RequestContext): ObjectAttributes {
  return attributesFrom(ctx.header, ctx.headers);
}

/**
 * The attributes of a new object written by PUT Object or Initiate Multipart Upload: without a
 * Content-Type, COS gives one from the key's suffix (`1.zip` -> application/zip).
 */
export function attributesForNewObject(ctx: RequestContext, key: string): ObjectAttributes {
  const attributes = attributesFromRequest(ctx);
  if (attributes.contentHeaders['content-type'] === undefined) attributes.contentHeaders['content-type'] = contentTypeOf(key);
  return attributes;
}

/** The media type a key's suffix names, else application/octet-stream (no suffix, an unknown one). */
export function contentTypeOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return (name.includes('.') && lookupMime(name)) || 'application/octet-stream';
}

/**
 * The declared body length: a Content-Length up to the largest object (EntityTooLarge), or undefined
 * for a chunked body, whose size is enforced as it streams. Neither: MissingContentLength (411).
 */
export function declaredLength(ctx: RequestContext): number | undefined {
  const raw = ctx.header('content-length');
  if (raw === undefined) {
    if (/\bchunked\b/i.test(ctx.header('transfer-encoding') ?? '')) return undefined;
    throw new CosError('MissingContentLength');
  }
  if (!/^\d+$/.test(raw.trim())) throw new CosError('InvalidArgument', 'Content-Length is not a number.');
  const size = Number(raw);
  if (size > maxObjectSize(ctx.services)) throw new CosError('EntityTooLarge');
  return size;
}

/** The largest object (5 GB unless the server was configured lower, as tests do). */
export function maxObjectSize(services: Services): number {
  return services.config.maxObjectSize ?? MAX_OBJECT_SIZE;
}

/** Expected digests of the body from Content-MD5 (C012) and x-cos-content-sha1 (C015), validated. */
export function expectedDigests(ctx: RequestContext): { md5Hex?: string; sha1Hex?: string } {
  const md5 = ctx.header('content-md5');
  const sha1 = ctx.header('x-cos-content-sha1');
  let md5Hex: string | undefined;
  if (md5 !== undefined && md5.trim() !== '') {
    md5Hex = contentMd5ToHex(md5);
    if (md5Hex === undefined) throw new CosError('InvalidDigest');
  }
  if (sha1 !== undefined && !/^[0-9a-fA-F]{40}$/.test(sha1.trim())) throw new CosError('InvalidSHA1Digest');
  return { md5Hex, sha1Hex: sha1?.trim().toLowerCase() };
}

/** The answer to a body whose Content-MD5 (or x-cos-content-sha1) does not match it. */
export function digestMismatch(): CosError {
  return new CosError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
}

/**
 * Checks a small buffered body (an XML document) against its Content-MD5: InvalidDigest, BadDigest,
 * and MissingContentMD5 for the APIs that require one; `optional` ones check it only when it is sent.
 * An S3 request may give a verified x-amz-checksum-* instead (checked while the body was read).
 */
export function checkContentMd5(ctx: RequestContext, body: Buffer, options: { optional?: boolean } = {}): void {
  const { md5Hex } = expectedDigests(ctx);
  if (md5Hex === undefined) {
    if (options.optional || (ctx.dialect === 's3' && hasVerifiedChecksum(ctx.header))) return;
    throw new CosError('MissingContentMD5');
  }
  if (createHash('md5').update(body).digest('hex') !== md5Hex) throw digestMismatch();
}

export interface StoreInput {
  bucket: string;
  key: string;
  ownerUin: string;
  body: AsyncIterable<Uint8Array>;
  /** The exact length the body must have, when known. */
  size?: number;
  md5Hex?: string;
  sha1Hex?: string;
  attributes: ObjectAttributes;
  objectType?: ObjectRecord['objectType'];
  /** Encrypt at rest (SSE-COS or SSE-C); absent: stored as sent. */
  encryption?: SseRequest;
  /** Runs once the bytes are stored and checked, before they become visible; may throw to refuse them. */
  beforeCommit?: (blob: { size: number; md5Hex: string }) => Promise<void>;
}

/**
 * Streams the body into a blob, checks its digests, then commits the metadata that makes it the
 * key's content. Until that commit nothing is visible; if anything fails the new blob is removed and
 * the old content stays. The replaced blobs are removed after the commit.
 */
export async function storeObject(services: Services, input: StoreInput): Promise<ObjectRecord> {
  const sealed = services.encryption.newDataKey(input.encryption);
  const blob = await services.blobs.write(input.body, {
    expectedSize: input.size,
    maxSize: maxObjectSize(services),
    sha1: input.sha1Hex !== undefined,
    encryptionKey: sealed?.dataKey,
  });
  const record: ObjectRecord = {
    bucket: input.bucket,
    key: input.key,
    size: blob.size,
    etag: quoteEtag(blob.md5Hex),
    crc64: blob.crc64,
    lastModified: Date.now(),
    storageClass: input.attributes.storageClass,
    objectType: input.objectType ?? 'normal',
    contentHeaders: input.attributes.contentHeaders,
    meta: input.attributes.meta,
    ownerUin: input.ownerUin,
    acl: input.attributes.acl,
    tags: input.attributes.tags,
    blobs: [blobRef(blob)],
    ...(sealed ? { encryption: sealed.record } : {}),
  };
  let outcome;
  try {
    if (input.md5Hex !== undefined && input.md5Hex !== blob.md5Hex) throw digestMismatch();
    if (input.sha1Hex !== undefined && input.sha1Hex !== blob.sha1Hex) throw new CosError('BadDigest', 'The x-cos-content-sha1 you specified did not match what we received.');
    await input.beforeCommit?.(blob);
    outcome = await services.meta.putObject(record);
  } catch (error) {
    await services.blobs.remove(record.blobs);
    throw error;
  }
  void services.blobs.remove(outcome.replaced).catch((err: unknown) => services.log.warn({ err }, 'could not remove replaced blobs'));
  return outcome.object;
}

/** What the metadata keeps of a written blob: its id, size and, when encrypted, its IV. */
export function blobRef(blob: BlobWriteResult): BlobRef {
  return blob.iv === undefined ? { id: blob.id, size: blob.size } : { id: blob.id, size: blob.size, iv: blob.iv };
}

/** How much of an object to stream: a byte range, or nothing (HEAD, 304). */
export type ReadPlan = ByteRange | 'none';

export interface ObjectRead {
  record: ObjectRecord;
  /** The requested bytes; absent when the plan was 'none'. */
  stream?: Readable;
}

/**
 * The object a read names: the key's current one, or the version `versionId` names. A key whose
 * latest version is a delete marker is NoSuchKey with x-cos-delete-marker; a version that is a delete
 * marker is MethodNotAllowed (405); an unknown version is NoSuchVersion.
 */
export async function findObject(services: Services, bucket: string, key: string, versionId?: string): Promise<ObjectRecord> {
  if (versionId === undefined) {
    const record = await services.meta.getObject(bucket, key);
    if (record) return record;
    const marker = await services.meta.latestDeleteMarker(bucket, key);
    throw new CosError('NoSuchKey', undefined, marker && deleteMarkerHeaders(marker));
  }
  const version = await services.meta.getObjectVersion(bucket, key, versionId);
  if (!version) throw new CosError('NoSuchVersion');
  if (isDeleteMarker(version)) throw new CosError('MethodNotAllowed', 'The specified version is a delete marker.', deleteMarkerHeaders(version));
  return version;
}

export function deleteMarkerHeaders(marker: DeleteMarkerRecord): Record<string, string> {
  return { 'x-cos-delete-marker': 'true', 'x-cos-version-id': marker.versionId };
}

/** The `versionId` query parameter of a request; absent or empty means the current version. */
export function requestedVersion(ctx: RequestContext): string | undefined {
  const value = ctx.query.get('versionid');
  return value === undefined || value === '' ? undefined : value;
}

/** Which object a read wants besides its key, and the key that opens it. */
export interface ReadOptions {
  /** A version of the key instead of its current object. */
  versionId?: string;
  /** The customer key of an SSE-C object. */
  customer?: CustomerKey;
}

/**
 * Looks up a key (or one version of it) and opens the bytes `plan` asks for. The blobs are pinned
 * while streamed, and when the object is replaced between the lookup and the open, the lookup is
 * simply repeated: a reader gets the old or the new object, whole, never a mix. An encrypted object
 * is decrypted as it streams; an SSE-C one only with its customer key (checked before anything
 * else, for HEAD too). A read of a whole object is checked against its CRC-64 as it streams (a
 * range cannot be: the CRC is of the whole). A blob the metadata names but the disk lost or
 * damaged is InternalError, logged, when found before the response starts; found later, the stream
 * fails and the connection is cut.
 */
export async function readObject(
  services: Services,
  bucket: string,
  key: string,
  plan: (record: ObjectRecord) => ReadPlan,
  options: ReadOptions = {},
): Promise<ObjectRead> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const record = await findObject(services, bucket, key, options.versionId);
    if (record.damaged !== undefined && plan(record) !== 'none') {
      // fsck --repair found its bytes lost or wrong: no use opening them.
      services.log.error({ bucket: record.bucket, key: record.key, versionId: record.versionId, reason: record.damaged }, 'read of an object fsck marked as damaged');
      throw new CosError('InternalError');
    }
    // A symlink holds no bytes to decrypt; an SSE-C key in the request is for its target.
    const encryptionKey = record.objectType === 'symlink' ? undefined : services.encryption.dataKey(record.encryption, options.customer);
    const release = services.blobs.acquire(record.blobs);
    if (!release) continue;
    try {
      const wanted = plan(record);
      if (wanted === 'none') {
        release();
        return { record };
      }
      const crc64 = wanted.start === 0 && wanted.end === record.size - 1 ? record.crc64 : undefined;
      const stream = await services.blobs.open(record.blobs, wanted.start, wanted.end, { encryptionKey, crc64 });
      stream.once('close', release);
      stream.once('error', (error) => {
        if (error instanceof BlobDamagedError) logDamage(services, record, error);
      });
      return { record, stream };
    } catch (error) {
      release();
      if (error instanceof BlobGoneError && !(await stillNames(services, record, options.versionId))) continue;
      if (error instanceof BlobGoneError || error instanceof BlobDamagedError) {
        logDamage(services, record, error);
        throw new CosError('InternalError');
      }
      throw error;
    }
  }
  throw new CosError('SlowDown', 'The object is being overwritten too often to be read; please retry.');
}

/** Whether the key (or version) still has the blobs `record` had: then a blob of them is lost, not replaced. */
async function stillNames(services: Services, record: ObjectRecord, versionId: string | undefined): Promise<boolean> {
  const now = await findObject(services, record.bucket, record.key, versionId).catch(() => undefined);
  return now !== undefined && now.blobs.length === record.blobs.length && now.blobs.every((b, i) => b.id === record.blobs[i].id);
}

function logDamage(services: Services, record: ObjectRecord, error: BlobGoneError | BlobDamagedError): void {
  services.log.error(
    { bucket: record.bucket, key: record.key, versionId: record.versionId, blob: error.blobId, reason: error instanceof BlobDamagedError ? error.reason : 'missing' },
    'stored object is damaged: a blob is missing or does not match its metadata',
  );
}

/** The whole object as a range (empty objects give an empty range). */
export function wholeObject(record: ObjectRecord): ByteRange {
  return { start: 0, end: record.size - 1 };
}
