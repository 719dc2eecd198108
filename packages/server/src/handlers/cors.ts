/**
 * PUT/GET/DELETE Bucket cors and OPTIONS Object, the CORS preflight (C187-C193, C221-C223, C281-C285).
 */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { corsDocument, corsFromXml, corsHeaders, MAX_CORS_BYTES, matchCors } from '../model/cors.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketCors(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_CORS_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketCors(bucket.name, corsFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketCors(ctx: RequestContext): Promise<ResponseSpec> {
  const rules = bucketOf(ctx).cors;
  if (!rules) throw new CosError('NoSuchCORSConfiguration');
  return xmlResponse(corsDocument(rules));
}

export async function deleteBucketCors(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketCors(bucketOf(ctx).name, undefined);
  return emptyResponse(204);
}

/**
 * The preflight: 403 without CORS rules or without a rule for this origin, method and headers;
 * otherwise the Access-Control-* headers of the first rule that matches (FEATURES §1.13).
 */
export async function optionsObject(ctx: RequestContext): Promise<ResponseSpec> {
  const origin = ctx.header('origin');
  const method = ctx.header('access-control-request-method');
  if (!origin || !method) throw new CosError('InvalidRequest', 'A CORS preflight needs Origin and Access-Control-Request-Method.');
  const requested = (ctx.header('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const rule = matchCors(bucketOf(ctx).cors, origin, method, requested);
  if (!rule) throw new CosError('AccessDenied', 'CORSResponse: This CORS request is not allowed.');
  return emptyResponse(200, {
    ...corsHeaders(rule, origin),
    'Access-Control-Allow-Methods': rule.allowedMethods.join(','),
    'Access-Control-Allow-Headers': requested.length > 0 ? requested.join(',') : undefined,
    'Access-Control-Max-Age': rule.maxAgeSeconds,
  });
}
