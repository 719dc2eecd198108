/**
 * PUT, HEAD and DELETE Bucket, GET Bucket location (C170-C175, C194). S3 clients create buckets by
 * their full COS name (`photos-1250000000`); a name without the caller's `-<appid>` is refused with
 * the name to use, never appended (a bucket's name is the same in both dialects). The region comes
 * from a CreateBucketConfiguration's LocationConstraint, else the endpoint, else the server's.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlText } from '@cosbox/protocol';
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
  const appid = ctx.caller.account.appid;
  if (/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(name) && !/-\d+$/.test(name) && name.length <= 60) {
    throw new CosError('InvalidBucketName', `Bucket names end in the owner's appid: create "${name.replace(/\./g, '-')}-${appid}" instead of "${name}".`);
  }
  const m = BUCKET_NAME.exec(name);
  if (!m || name.length > 60) throw new CosError('InvalidBucketName');
  if (m[2] !== appid) throw new CosError('AccessDenied', `The bucket's appid ${m[2]} is not the caller's.`);
  const region = await requestedRegion(ctx);
  await ctx.services.meta.createBucket(
    {
      name,
      appid: m[2],
      // Buckets belong to root accounts, also when a sub-user creates one.
      ownerUin: ctx.caller.account.rootUin,
      region,
      createdAt: ctx.now,
      acl: aclFromHeaders(ctx.header, { allowDefault: false }),
    },
    ctx.services.config.maxBucketsPerOwner,
  );
  return emptyResponse(200, { Location: `/${name}` });
}

const REGION = /^[a-z]+-[a-z0-9-]+$/;

/** The region of a new bucket: the body's LocationConstraint, which must agree with the endpoint's. */
async function requestedRegion(ctx: RequestContext): Promise<string> {
  const body = await ctx.readBody(64 * 1024);
  const fromHost = ctx.address.region;
  if (body.length === 0) return fromHost ?? ctx.services.config.region;
  const config = xmlChild(parseXml(body.toString('utf8')).CreateBucketConfiguration);
  const constraint = xmlText(config?.LocationConstraint)?.trim();
  if (constraint === undefined || constraint === '') return fromHost ?? ctx.services.config.region;
  if (!REGION.test(constraint)) throw new CosError('InvalidArgument', `LocationConstraint ${JSON.stringify(constraint.slice(0, 64))} is not a region.`);
  if (fromHost !== undefined && constraint !== fromHost) {
    throw new CosError('InvalidArgument', `The LocationConstraint ${constraint} is not the region of the endpoint (${fromHost}).`);
  }
  return constraint;
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
