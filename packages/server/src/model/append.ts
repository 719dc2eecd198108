/**
 * Append Object (001, FEATURES §1.15.1, C301-C305): `POST /<key>?append&position=N`. Each append is a
 * new blob added to the object's manifest; the position is checked against the object's length inside
 * the store's transaction, so of two appends at one position exactly one wins.
 *
 * Versioning: an appendable object takes no part in versioning beyond its creation. The append that
 * creates it (at position 0, when the key has no current object) is written as any object is: a new
 * version with a fresh id while versioning is Enabled, the `null` version while Suspended (replacing
 * an earlier `null` version), no id in a bucket that never had versioning. Every later append grows
 * that same version in place and keeps its id: appends never make versions, so a log appended to a
 * thousand times is one version, not a thousand. A PUT, copy or multipart upload over it, or a
 * DELETE, then treats it as any current version (kept as noncurrent while Enabled).
 */
import { createHash } from 'node:crypto';
import { combineCrc64, CosError, quoteEtag } from '@cosbox/protocol';
import type { ObjectRecord } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import { digestMismatch, maxObjectSize, type ObjectAttributes } from './objects.js';

/** `position` as a non-negative integer, else InvalidArgument. */
export function parsePosition(value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new CosError('InvalidArgument', 'position must be a non-negative integer.');
  return Number(value);
}

/** Throws the COS error an append at `position` meets on `current`, if any. */
export function checkAppendable(current: ObjectRecord | undefined, position: number): void {
  if (current && current.objectType !== 'appendable') throw new CosError('ObjectNotAppendable');
  const length = current?.size ?? 0;
  if (position !== length) {
    throw new CosError('PositionNotEqualToLength', `The position ${position} does not equal the length of the object, ${length}.`, {
      'x-cos-next-append-position': String(length),
    });
  }
}

const bare = (etag: string) => etag.replace(/^"|"$/g, '').replace(/-\d+$/, '');

export async function appendObject(
  services: Services,
  input: {
    bucket: string;
    key: string;
    ownerUin: string;
    position: number;
    body: AsyncIterable<Uint8Array>;
    /** The declared length; undefined for a chunked body (then the 5 GB limit applies as it streams). */
    size?: number;
    md5Hex?: string;
    /** Applied by the append that creates the object; later appends keep the object's. */
    attributes: ObjectAttributes;
    now: number;
  },
): Promise<ObjectRecord> {
  // Fail before reading the body when the position is already wrong (checked again on commit).
  checkAppendable(await services.meta.getObject(input.bucket, input.key), input.position);
  const room = maxObjectSize(services) - input.position;
  if (input.size !== undefined && input.size > room) throw new CosError('EntityTooLarge', 'An appendable object is at most 5 GB.');

  const blob = await services.blobs.write(input.body, { expectedSize: input.size, maxSize: Math.max(room, 0) });
  const piece = { id: blob.id, size: blob.size };
  try {
    if (input.md5Hex !== undefined && input.md5Hex !== blob.md5Hex) throw digestMismatch();
    const { object, replaced } = await services.meta.updateObject(input.bucket, input.key, (current) => {
      checkAppendable(current, input.position);
      if (!current) {
        return {
          bucket: input.bucket,
          key: input.key,
          size: blob.size,
          etag: quoteEtag(blob.md5Hex),
          crc64: blob.crc64,
          lastModified: input.now,
          storageClass: input.attributes.storageClass,
          objectType: 'appendable',
          contentHeaders: input.attributes.contentHeaders,
          meta: input.attributes.meta,
          ownerUin: input.ownerUin,
          acl: input.attributes.acl,
          tags: input.attributes.tags,
          blobs: [piece],
        };
      }
      // The ETag chains the pieces' MD5s, marked with the piece count as multipart ETags are: it is
      // not the MD5 of the content, and says so.
      const pieces = current.blobs.length + 1;
      const chained = createHash('md5').update(Buffer.from(bare(current.etag), 'hex')).update(Buffer.from(blob.md5Hex, 'hex')).digest('hex');
      return {
        ...current,
        size: current.size + blob.size,
        etag: quoteEtag(`${chained}-${pieces}`),
        crc64: combineCrc64(current.crc64, blob.crc64, blob.size),
        lastModified: input.now,
        blobs: [...current.blobs, piece],
      };
    });
    // A creating append in a Suspended bucket replaces the `null` version: its blobs are unused now.
    void services.blobs.remove(replaced).catch((err: unknown) => services.log.warn({ err }, 'could not remove replaced blobs'));
    return object;
  } catch (error) {
    await services.blobs.remove([piece]);
    throw error;
  }
}
