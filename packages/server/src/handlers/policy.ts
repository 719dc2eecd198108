/**
 * PUT/GET/DELETE Bucket policy (issue 16 item 1). The JSON document is checked by
 * model/bucket-policy.ts; authorize.ts enforces it.
 */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { bucketPolicyOf, MAX_POLICY_BYTES, policyDocument, policyFromJson } from '../model/bucket-policy.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketPolicy(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  let body: Buffer;
  try {
    body = await ctx.readBody(MAX_POLICY_BYTES);
  } catch (error) {
    if (error instanceof CosError && error.code === 'MaxMessageLengthExceeded') throw new CosError('MalformedPolicy', `The policy is larger than ${MAX_POLICY_BYTES} bytes.`);
    throw error;
  }
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketConfig(bucket.name, 'policy', policyFromJson(body, bucket));
  return emptyResponse(204);
}

export async function getBucketPolicy(ctx: RequestContext): Promise<ResponseSpec> {
  const policy = bucketPolicyOf(bucketOf(ctx));
  if (!policy) throw new CosError('NoSuchBucketPolicy');
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: policyDocument(policy) };
}

export async function deleteBucketPolicy(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'policy', undefined);
  return emptyResponse(204);
}
