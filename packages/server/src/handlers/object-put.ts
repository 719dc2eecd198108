/**
 * PUT Object: streamed (at x-cos-traffic-limit when given), digests checked, metadata stored, encrypted
 * at rest on request (C155-C157, C202-C206).
 */
import { bucketOf, emptyResponse, keyOf, type RequestContext, type ResponseSpec } from '../http/context.js';
import { withBucketDefault } from '../model/bucket-encryption.js';
import { encryptionHeaders, requestedEncryption } from '../model/encryption.js';
import { attributesForNewObject, declaredLength, expectedDigests, storeObject } from '../model/objects.js';
import { limitedBody } from '../model/traffic-limit.js';
import { versionHeader } from './object-headers.js';
import { writerUin } from './writer.js';

export async function putObject(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const size = declaredLength(ctx);
  const digests = expectedDigests(ctx);
  const key = keyOf(ctx);
  const attributes = attributesForNewObject(ctx, key);
  const encryption = withBucketDefault(requestedEncryption(ctx.header), bucket);
  const record = await storeObject(ctx.services, {
    bucket: bucket.name,
    key,
    ownerUin: writerUin(ctx),
    body: limitedBody(ctx),
    size,
    ...digests,
    attributes,
    encryption,
  });
  const sse = encryption?.kind === 'SSE-C' ? encryption : undefined;
  return emptyResponse(200, { ETag: record.etag, 'x-cos-hash-crc64ecma': record.crc64, ...versionHeader(record), ...encryptionHeaders(record.encryption, sse) });
}
