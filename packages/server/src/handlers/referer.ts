/** PUT/GET Bucket referer: hotlink protection (issue 16 item 4); authorize.ts enforces it. */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { MAX_REFERER_BYTES, refererDocument, refererFromXml, refererOf } from '../model/referer.js';

export async function putBucketReferer(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_REFERER_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketConfig(bucket.name, 'referer', refererFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketReferer(ctx: RequestContext): Promise<ResponseSpec> {
  const config = refererOf(bucketOf(ctx));
  if (!config) throw new CosError('NoSuchRefererConfiguration');
  return xmlResponse(refererDocument(config));
}
