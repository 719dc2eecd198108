/** PUT, GET and DELETE Bucket replication (`?replication`). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { checkReplicationBuckets, MAX_REPLICATION_BYTES, replicationDocument, replicationFromXml, replicationOf } from '../model/replication.js';

export async function putBucketReplication(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_REPLICATION_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  const config = replicationFromXml(body.toString('utf8'));
  checkReplicationBuckets(bucket, await ctx.services.meta.getBucket(config.rules[0].destinationBucket), config);
  await ctx.services.meta.setBucketConfig(bucket.name, 'replication', config);
  return emptyResponse(200);
}

export async function getBucketReplication(ctx: RequestContext): Promise<ResponseSpec> {
  const config = replicationOf(bucketOf(ctx));
  if (!config) throw new CosError('ReplicationConfigurationnotFoundError');
  return xmlResponse(replicationDocument(config));
}

export async function deleteBucketReplication(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'replication', undefined);
  return emptyResponse(204);
}
