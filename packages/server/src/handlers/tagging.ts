/**
 * PUT, GET and DELETE Object tagging (`?tagging` on an object, of one version with `versionId`) and
 * Bucket tagging (`?tagging` on a bucket).
 */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5, findObject, requestedVersion } from '../model/objects.js';
import { MAX_BUCKET_TAGS, MAX_TAGGING_BYTES, setObjectTags, taggingDocument, tagsFromXml } from '../model/tagging.js';
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

/** A PUT replaces every tag of the bucket; the same document and limits as objects', but up to 50 tags (COS). */
export async function putBucketTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const body = await ctx.readBody(MAX_TAGGING_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  await ctx.services.meta.setBucketTagging(bucketOf(ctx).name, tagsFromXml(body.toString('utf8'), MAX_BUCKET_TAGS));
  return emptyResponse(200);
}

/** NoSuchTagSet (404) when the bucket has no tags, as COS answers (the SDKs read it as no tags). */
export async function getBucketTagging(ctx: RequestContext): Promise<ResponseSpec> {
  const tags = bucketOf(ctx).tagging;
  if (!tags) throw new CosError('NoSuchTagSet');
  return xmlResponse(taggingDocument(tags));
}

export async function deleteBucketTagging(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketTagging(bucketOf(ctx).name, undefined);
  return emptyResponse(204);
}
