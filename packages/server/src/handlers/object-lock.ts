/** PUT and GET Bucket object lock (`?object-lock`). There is no DELETE: a lock cannot be lifted. */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkObjectLockChange, MAX_OBJECT_LOCK_BYTES, objectLockDocument, objectLockFromXml, objectLockOf } from '../model/object-lock.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketObjectLock(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_OBJECT_LOCK_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  const config = objectLockFromXml(body.toString('utf8'));
  checkObjectLockChange(objectLockOf(bucket), config);
  await ctx.services.meta.setBucketConfig(bucket.name, 'object-lock', config);
  return emptyResponse(200);
}

export async function getBucketObjectLock(ctx: RequestContext): Promise<ResponseSpec> {
  const config = objectLockOf(bucketOf(ctx));
  if (!config) throw new CosError('ObjectLockConfigurationNotFoundError');
  return xmlResponse(objectLockDocument(config));
}
