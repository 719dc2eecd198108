/** PUT, GET and DELETE Bucket lifecycle (`?lifecycle`; C195-C197, FEATURES §1.10.11-13). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { lifecycleDocument, lifecycleFromXml, MAX_LIFECYCLE_BYTES } from '../model/lifecycle.js';
import { checkContentMd5 } from '../model/objects.js';

/** Replaces the bucket's rules; Content-MD5 is required (FEATURES §1.3). */
export async function putBucketLifecycle(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_LIFECYCLE_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketLifecycle(bucket.name, lifecycleFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketLifecycle(ctx: RequestContext): Promise<ResponseSpec> {
  const rules = bucketOf(ctx).lifecycle;
  if (!rules) throw new CosError('NoSuchLifecycleConfiguration');
  return xmlResponse(lifecycleDocument(rules));
}

/** 204; NoSuchLifecycleConfiguration when there is none, as 004's description says (C197). */
export async function deleteBucketLifecycle(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  if (!bucket.lifecycle) throw new CosError('NoSuchLifecycleConfiguration');
  await ctx.services.meta.setBucketLifecycle(bucket.name, undefined);
  return emptyResponse(204);
}
