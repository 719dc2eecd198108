/**
 * GET/PUT Bucket acl and GET/PUT Object acl (C125, C126, C184-C186, C231, C232). A PUT replaces the
 * whole ACL, given by headers or by an AccessControlPolicy body, never both; grantees are everyone or
 * well-formed uins, of accounts cosbox has or not (as COS accepts uins of other accounts).
 */
import { buildXml, CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { aclDocument, aclFromHeaders, aclFromXml } from '../model/acl.js';
import type { AclSpec } from '../storage/metadata/store.js';
import { checkContentMd5, findObject, requestedVersion } from '../model/objects.js';

/** The ACL a PUT acl request gives, from its headers or its body (InvalidRequest when both). */
async function requestedAcl(ctx: RequestContext, allowDefault: boolean): Promise<AclSpec> {
  const fromHeaders = aclFromHeaders(ctx.header, { allowDefault });
  const body = await ctx.readBody(64 * 1024);
  if (body.length > 0 && fromHeaders) throw new CosError('InvalidRequest', 'header acl and body acl conflict');
  if (body.length === 0) {
    if (!fromHeaders) throw new CosError('InvalidArgument', 'Give the ACL by x-cos-acl / x-cos-grant-* headers or an AccessControlPolicy body.');
    return fromHeaders;
  }
  checkContentMd5(ctx, body, { optional: true });
  return aclFromXml(body.toString('utf8'));
}

export async function getBucketAcl(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  return xmlResponse(buildXml('AccessControlPolicy', aclDocument({ uin: bucket.ownerUin }, bucket.acl)));
}

export async function putBucketAcl(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const acl = await requestedAcl(ctx, false);
  await ctx.services.meta.setBucketAcl(bucket.name, acl);
  return emptyResponse(200);
}

export async function getObjectAcl(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const object = await findObject(ctx.services, bucket.name, keyOf(ctx), requestedVersion(ctx));
  const acl = object.acl?.canned === 'default' ? { grants: object.acl.grants } : object.acl;
  return xmlResponse(buildXml('AccessControlPolicy', aclDocument({ uin: bucket.ownerUin }, acl)));
}

export async function putObjectAcl(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const acl = await requestedAcl(ctx, true);
  await ctx.services.meta.updateObject(
    bucket.name,
    key,
    (current) => {
      if (!current) throw new CosError('NoSuchKey');
      return { ...current, acl };
    },
    requestedVersion(ctx),
  );
  return emptyResponse(200);
}
