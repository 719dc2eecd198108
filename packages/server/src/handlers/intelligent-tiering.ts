/** PUT and GET Bucket intelligent tiering (`?intelligenttiering`). */
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { MAX_TIERING_BYTES, tieringDocument, tieringFromXml, tieringOf } from '../model/intelligent-tiering.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketIntelligentTiering(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_TIERING_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  await ctx.services.meta.setBucketConfig(bucket.name, 'intelligenttiering', tieringFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketIntelligentTiering(ctx: RequestContext): Promise<ResponseSpec> {
  return xmlResponse(tieringDocument(tieringOf(bucketOf(ctx))));
}
