/**
 * PUT, GET and DELETE Object tagging (`?tagging` on an object). Bucket tagging is not offered yet:
 * the router's GetBucketTagging, PutBucketTagging and DeleteBucketTagging answer NotImplemented.
 */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { MAX_TAGGING_BYTES, setObjectTags, taggingDocument, tagsFromXml } from '../model/tagging.js';

export async function putObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const body = await ctx.readBody(MAX_TAGGING_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  await setObjectTags(ctx.services, bucketOf(ctx).name, keyOf(ctx), tagsFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const object = await ctx.services.meta.getObject(bucketOf(ctx).name, keyOf(ctx));
  if (!object) throw new CosError('NoSuchKey');
  return xmlResponse(taggingDocument(object.tags));
}

export async function deleteObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  await setObjectTags(ctx.services, bucketOf(ctx).name, keyOf(ctx), undefined);
  return emptyResponse(204);
}
