/**
 * Multipart uploads (FEATURES §1.11.11-1.11.16): an upload collects parts, each its own blob; Complete
 * turns them into one object whose manifest is those blobs, so it moves no bytes and its cost grows
 * with the number of parts, not the size. All checks of Complete run inside the store's transaction,
 * so concurrent Complete, Abort and Upload Part end in one consistent state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { combineCrc64, CosError, quoteEtag } from '@cosbox/protocol';
import type { ObjectRecord, PartRecord, UploadCompletion, UploadRecord } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import type { SseRequest } from './encryption.js';
import { blobRef, digestMismatch, maxObjectSize, type ObjectAttributes } from './objects.js';

export const MAX_PART_NUMBER = 10_000;
/** Every part but the last must be at least this big (EntityTooSmall at Complete; C252). */
export const MIN_PART_SIZE = 1024 * 1024;

let sequence = 0;

/**
 * `<10-digit unix seconds><64 lower-case hex>` like COS's (C201). The hex starts with the time in
 * milliseconds and a counter, so ids sort in initiation order.
 */
export function newUploadId(now: number): string {
  sequence = (sequence + 1) % 0x10000;
  const ordered = now.toString(16).padStart(12, '0') + sequence.toString(16).padStart(4, '0');
  return Math.floor(now / 1000).toString().padStart(10, '0') + ordered + randomBytes(24).toString('hex');
}

/** `partNumber` as an integer 1..10000, else InvalidArgument. */
export function parsePartNumber(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new CosError('InvalidArgument', 'partNumber must be an integer from 1 to 10000.');
  const n = Number(value);
  if (n < 1 || n > MAX_PART_NUMBER) throw new CosError('InvalidArgument', 'partNumber must be an integer from 1 to 10000.');
  return n;
}

export async function initiateUpload(
  services: Services,
  input: { bucket: string; key: string; ownerUin: string; initiatorUin: string; attributes: ObjectAttributes; encryption?: SseRequest; now: number },
): Promise<UploadRecord> {
  // The data key is made now: every part is encrypted with it, and the completed object keeps it.
  const sealed = services.encryption.newDataKey(input.encryption);
  const upload: UploadRecord = {
    bucket: input.bucket,
    key: input.key,
    uploadId: newUploadId(input.now),
    initiated: input.now,
    ownerUin: input.ownerUin,
    initiatorUin: input.initiatorUin,
    storageClass: input.attributes.storageClass,
    contentHeaders: input.attributes.contentHeaders,
    meta: input.attributes.meta,
    acl: input.attributes.acl,
    tags: input.attributes.tags,
    ...(sealed ? { encryption: sealed.record } : {}),
  };
  await services.meta.createUpload(upload);
  return upload;
}

/** The upload, or NoSuchUpload. */
export async function requireUpload(services: Services, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
  const upload = await services.meta.getUpload(bucket, key, uploadId);
  if (!upload) throw new CosError('NoSuchUpload');
  return upload;
}

/**
 * Streams a part into a blob and records it, replacing a part of the same number. The commit fails
 * with NoSuchUpload if the upload was completed or aborted meanwhile; then the blob is removed.
 */
export async function storePart(
  services: Services,
  input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    body: AsyncIterable<Uint8Array>;
    size?: number;
    md5Hex?: string;
    /** The upload's data key, when the upload is encrypted. */
    encryptionKey?: Buffer;
  },
): Promise<PartRecord> {
  const blob = await services.blobs.write(input.body, { expectedSize: input.size, maxSize: maxObjectSize(services), encryptionKey: input.encryptionKey });
  const part: PartRecord = {
    partNumber: input.partNumber,
    size: blob.size,
    etag: quoteEtag(blob.md5Hex),
    crc64: blob.crc64,
    lastModified: Date.now(),
    blob: blobRef(blob),
  };
  let replaced;
  try {
    if (input.md5Hex !== undefined && input.md5Hex !== blob.md5Hex) throw digestMismatch();
    replaced = await services.meta.putPart(input.bucket, input.key, input.uploadId, part);
  } catch (error) {
    await services.blobs.remove([part.blob]);
    throw error;
  }
  void services.blobs.remove(replaced).catch((err: unknown) => services.log.warn({ err }, 'could not remove a replaced part'));
  return part;
}

const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toLowerCase();

/**
 * The object a Complete request makes of an upload: the listed parts must ascend (InvalidPartOrder)
 * without gaps and each exist with its ETag (InvalidPart; FEATURES §5 #11), and all but the last be
 * at least 1 MB (EntityTooSmall). ETag `"<md5 of the part md5s>-<count>"`; CRC-64 combined from the
 * parts' CRCs without reading their bytes.
 */
export function completion(requested: ReadonlyArray<{ partNumber: number; etag: string }>, now: number): UploadCompletion {
  return (upload, parts) => {
    const byNumber = new Map(parts.map((p) => [p.partNumber, p]));
    const chosen: PartRecord[] = [];
    requested.forEach((want, i) => {
      if (i > 0 && want.partNumber <= requested[i - 1].partNumber) throw new CosError('InvalidPartOrder');
      if (i > 0 && want.partNumber !== requested[i - 1].partNumber + 1) throw new CosError('InvalidPart', `Part numbers must be contiguous; ${requested[i - 1].partNumber} is followed by ${want.partNumber}.`);
      const part = byNumber.get(want.partNumber);
      if (!part || bareEtag(part.etag) !== bareEtag(want.etag)) throw new CosError('InvalidPart', `Part ${want.partNumber} was not uploaded or its ETag does not match.`);
      chosen.push(part);
    });
    chosen.slice(0, -1).forEach((p) => {
      if (p.size < MIN_PART_SIZE) throw new CosError('EntityTooSmall', `Part ${p.partNumber} is smaller than 1 MB and not the last part.`);
    });
    const md5 = createHash('md5');
    let crc = '0';
    let size = 0;
    for (const p of chosen) {
      md5.update(Buffer.from(bareEtag(p.etag), 'hex'));
      crc = size === 0 ? p.crc64 : combineCrc64(crc, p.crc64, p.size);
      size += p.size;
    }
    const object: ObjectRecord = {
      bucket: upload.bucket,
      key: upload.key,
      size,
      etag: quoteEtag(`${md5.digest('hex')}-${chosen.length}`),
      crc64: crc,
      lastModified: now,
      storageClass: upload.storageClass,
      objectType: 'normal',
      contentHeaders: upload.contentHeaders,
      meta: upload.meta,
      ownerUin: upload.ownerUin,
      acl: upload.acl,
      tags: upload.tags,
      blobs: chosen.map((p) => p.blob),
      ...(upload.encryption ? { encryption: upload.encryption } : {}),
    };
    return { object, used: new Set(chosen.map((p) => p.partNumber)) };
  };
}

export async function completeUpload(
  services: Services,
  input: { bucket: string; key: string; uploadId: string; parts: ReadonlyArray<{ partNumber: number; etag: string }>; now: number },
): Promise<ObjectRecord> {
  const { object, unneeded } = await services.meta.completeUpload(input.bucket, input.key, input.uploadId, completion(input.parts, input.now));
  void services.blobs.remove(unneeded).catch((err: unknown) => services.log.warn({ err }, 'could not remove unneeded parts'));
  return object;
}

export async function abortUpload(services: Services, bucket: string, key: string, uploadId: string): Promise<void> {
  const blobs = await services.meta.abortUpload(bucket, key, uploadId);
  void services.blobs.remove(blobs).catch((err: unknown) => services.log.warn({ err }, 'could not remove aborted parts'));
}
