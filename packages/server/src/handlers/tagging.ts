/**
 * PUT, GET and DELETE Object tagging (`?tagging` on an object, of one version with `versionId`).
 * Bucket tagging is not offered yet: the router's GetBucketTagging, PutBucketTagging and
 * DeleteBucketTagging answer NotImplemented.
 */
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5, findObject, requestedVersion } from '../model/objects.js';
import { MAX_TAGGING_BYTES, setObjectTags, taggingDocument, tagsFromXml } from '../model/tagging.js';
import { versionHeader } from './object-headers.js';

export async function putObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const body = await ctx.readBody(MAX_TAGGING_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  const object = await setObjectTags(ctx.services, bucketOf(ctx).name, keyOf(ctx), tagsFromXml(body.toString('utf8')), requestedVersion(ctx));
  return emptyResponse(200, versionHeader(object));
}

export async function getObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const object = await findObject(ctx.services, bucketOf(ctx).name, keyOf(ctx), requestedVersion(ctx));
  return xmlResponse(taggingDocument(object.tags), 200, versionHeader(object));
}

export async function deleteObjectTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const object = await setObjectTags(ctx.services, bucketOf(ctx).name, keyOf(ctx), undefined, requestedVersion(ctx));
  return emptyResponse(204, versionHeader(object));
}
