/** PUT, HEAD and DELETE Bucket, GET Bucket location (C170-C175, C194). */
import { buildXml, CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { aclFromHeaders } from '../model/acl.js';

/**
 * `<name>-<appid>`: name of lower-case letters, digits and hyphens, not at either end; the whole at
 * most 60 characters (COS's rule for the full bucket name).
 */
const BUCKET_NAME = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)-(\d+)$/;

export async function putBucket(ctx: RequestContext): Promise<ResponseSpec> {
  if (ctx.caller.kind !== 'account') throw new Error('PUT Bucket reached without a signed caller');
  const name = ctx.address.bucket ?? '';
  const m = BUCKET_NAME.exec(name);
  if (!m || name.length > 60) throw new CosError('InvalidBucketName');
  if (m[2] !== ctx.caller.account.appid) throw new CosError('AccessDenied', `The bucket's appid ${m[2]} is not the caller's.`);
  await ctx.services.meta.createBucket(
    {
      name,
      appid: m[2],
      // Buckets belong to root accounts, also when a sub-user creates one.
      ownerUin: ctx.caller.account.rootUin,
      region: ctx.address.region ?? ctx.services.config.region,
      createdAt: ctx.now,
      acl: aclFromHeaders(ctx.header, { allowDefault: false }),
    },
    ctx.services.config.maxBucketsPerOwner,
  );
  return emptyResponse(200, { Location: `/${name}` });
}

export async function headBucket(ctx: RequestContext): Promise<ResponseSpec> {
  return emptyResponse(200, { 'x-cos-bucket-region': bucketOf(ctx).region });
}

export async function deleteBucket(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.deleteBucket(bucketOf(ctx).name);
  return emptyResponse(204);
}

export async function getBucketLocation(ctx: RequestContext): Promise<ResponseSpec> {
  return xmlResponse(buildXml('LocationConstraint', bucketOf(ctx).region));
}
