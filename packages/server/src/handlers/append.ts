/**
 * Append Object: `POST /<key>?append&position=N` (C301-C305), in any bucket, versioning or not: the
 * append that creates an appendable object makes a version as any write does, later appends grow
 * that version in place (model/append.ts).
 */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, type RequestContext, type ResponseSpec } from '../http/context.js';
import { appendObject as append, parsePosition } from '../model/append.js';
import { requestedEncryption } from '../model/encryption.js';
import { attributesFromRequest, declaredLength, expectedDigests } from '../model/objects.js';
import { isArchived } from '../model/restore.js';
import { versionHeader } from './object-headers.js';
import { writerUin } from './writer.js';

export async function appendObject(ctx: RequestContext): Promise<ResponseSpec> {
  // COS documents no encryption for appendable objects, and an append could not present a key to
  // the pieces before it: refused rather than stored in the clear.
  if (requestedEncryption(ctx.header)) throw new CosError('InvalidArgument', 'Append Object does not support server-side encryption.');
  const position = parsePosition(ctx.query.get('position'));
  const attributes = attributesFromRequest(ctx);
  // An object that grows by appends is read back as it grows: never an archived one.
  if (isArchived(attributes.storageClass)) throw new CosError('NotSupportedStorageClass', `Append Object does not take the ${attributes.storageClass} storage class.`);
  const size = declaredLength(ctx);
  const object = await append(ctx.services, {
    bucket: bucketOf(ctx).name,
    key: keyOf(ctx),
    ownerUin: writerUin(ctx),
    position,
    body: ctx.body(),
    size,
    md5Hex: expectedDigests(ctx).md5Hex,
    attributes,
    now: ctx.now,
  });
  return emptyResponse(200, {
    ...versionHeader(object),
    ETag: object.etag,
    'x-cos-next-append-position': object.size,
    'x-cos-hash-crc64ecma': object.crc64,
  });
}
