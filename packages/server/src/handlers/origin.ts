/** PUT, GET and DELETE Bucket origin (`?origin`): back-to-origin rules (model/origin.ts). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { MAX_ORIGIN_BYTES, originDocument, originFromXml, originOf } from '../model/origin.js';

export async function putBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_ORIGIN_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  await ctx.services.meta.setBucketConfig(bucket.name, 'origin', originFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  const rules = originOf(bucketOf(ctx));
  if (!rules) throw new CosError('NoSuchOriginConfiguration');
  return xmlResponse(originDocument(rules));
}

export async function deleteBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'origin', undefined);
  return emptyResponse(204);
}
