/** PUT/GET/DELETE Bucket domain: custom domains (issue 16 item 9); the pipeline routes their hosts. */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { bindDomains, domainDocument, domainsFromXml, domainsOf, MAX_DOMAIN_BYTES } from '../model/domain.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketDomain(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_DOMAIN_BYTES);
  checkContentMd5(ctx, body);
  await bindDomains(ctx.services.meta, bucket.name, domainsFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketDomain(ctx: RequestContext): Promise<ResponseSpec> {
  const rules = domainsOf(bucketOf(ctx));
  if (!rules) throw new CosError('NoSuchDomainConfiguration');
  return xmlResponse(domainDocument(rules));
}

export async function deleteBucketDomain(ctx: RequestContext): Promise<ResponseSpec> {
  await bindDomains(ctx.services.meta, bucketOf(ctx).name, undefined);
  return emptyResponse(204);
}
