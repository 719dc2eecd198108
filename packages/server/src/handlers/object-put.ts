/** PUT Object: streamed (at x-cos-traffic-limit when given), digests checked, metadata stored (C202-C206). */
import { bucketOf, emptyResponse, keyOf, type RequestContext, type ResponseSpec } from '../http/context.js';
import { attributesFromRequest, declaredLength, expectedDigests, storeObject } from '../model/objects.js';
import { limitedBody } from '../model/traffic-limit.js';
import { versionHeader } from './object-headers.js';
import { writerUin } from './writer.js';

export async function putObject(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const size = declaredLength(ctx);
  const digests = expectedDigests(ctx);
  const attributes = attributesFromRequest(ctx);
  const record = await storeObject(ctx.services, {
    bucket: bucket.name,
    key: keyOf(ctx),
    ownerUin: writerUin(ctx),
    body: limitedBody(ctx),
    size,
    ...digests,
    attributes,
  });
  return emptyResponse(200, { ETag: record.etag, 'x-cos-hash-crc64ecma': record.crc64, ...versionHeader(record) });
}
