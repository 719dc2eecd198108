/** PUT/GET/DELETE Bucket encryption: the bucket's default encryption (issue 16 item 3). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { bucketEncryptionDocument, bucketEncryptionFromXml, bucketEncryptionOf, MAX_ENCRYPTION_BYTES } from '../model/bucket-encryption.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketEncryption(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_ENCRYPTION_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketConfig(bucket.name, 'encryption', bucketEncryptionFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketEncryption(ctx: RequestContext): Promise<ResponseSpec> {
  const config = bucketEncryptionOf(bucketOf(ctx));
  if (!config) throw new CosError('NoSuchEncryptionConfiguration');
  return xmlResponse(bucketEncryptionDocument(config));
}

export async function deleteBucketEncryption(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'encryption', undefined);
  return emptyResponse(204);
}
