/**
 * Static websites (issue 16 item 2): PUT/GET/DELETE Bucket website, and the website endpoint itself,
 * which the pipeline sends every request addressed to `<bucket>.cos-website.<region>.<domain>`,
 * `/-/website/<bucket>/<key>` or a custom domain of Type WEBSITE.
 *
 * The endpoint serves GET and HEAD only. Each object it serves is authorized as a GET Object by the
 * caller (anonymous, as browsers are): public content is served, private objects answer 403 as on COS.
 * Order, as COS and S3 document it: RedirectAllRequestsTo; a routing rule on the key prefix; the
 * object (the index document for the root and for paths ending in `/`; `<path>/` when only the folder
 * has an index; `<path>.html` with AutoAddressing); a routing rule on the error status; the error
 * document with the error's status (200 with OriginalHttpStatus Disabled); the error itself.
 */
import { CosError, type OperationName } from '@cosbox/protocol';
import { authorizeRequest } from '../auth/authorize.js';
import { bucketOf, emptyResponse, requestFacts, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { WEBSITE_PATH_PREFIX } from '../routing/address.js';
import { encodeKey, matchRoutingRule, MAX_WEBSITE_BYTES, redirectLocation, websiteDocument, websiteFromXml, websiteKey, websiteOf, type RoutingRule, type WebsiteConfig } from '../model/website.js';
import { getObject, headObject } from './object-get.js';

export async function putBucketWebsite(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_WEBSITE_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketConfig(bucket.name, 'website', websiteFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketWebsite(ctx: RequestContext): Promise<ResponseSpec> {
  const config = websiteOf(bucketOf(ctx));
  if (!config) throw new CosError('NoSuchWebsiteConfiguration');
  return xmlResponse(websiteDocument(config));
}

export async function deleteBucketWebsite(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'website', undefined);
  return emptyResponse(204);
}

/** The operation a website request performs: GET or HEAD of an object; nothing else is served. */
export function websiteOperation(method: string): OperationName {
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  throw new CosError('MethodNotAllowed', 'A static website serves GET and HEAD only.');
}

const exists = async (ctx: RequestContext, key: string) => (await ctx.services.meta.getObject(bucketOf(ctx).name, key)) !== undefined;

function requestProtocol(ctx: RequestContext): 'http' | 'https' {
  return ctx.header('x-forwarded-proto')?.trim().toLowerCase() === 'https' ? 'https' : 'http';
}

/** The path the website's root is at: `/`, or `/-/website/<bucket>/` for the path form. */
function basePath(ctx: RequestContext): string {
  return ctx.address.pathname.startsWith(WEBSITE_PATH_PREFIX) ? `${WEBSITE_PATH_PREFIX}${bucketOf(ctx).name}/` : '/';
}

function redirect(ctx: RequestContext, rule: RoutingRule, path: string): ResponseSpec {
  return emptyResponse(rule.httpRedirectCode ?? 301, { Location: redirectLocation(rule, path, ctx.host, requestProtocol(ctx), basePath(ctx)) });
}

/**
 * GET or HEAD of `key` as the caller may: authorized as a GET Object of that key, then served. A
 * website tells missing pages (404, its error document) from private ones (403), whoever asks.
 */
async function serveKey(ctx: RequestContext, key: string): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  if (!(await exists(ctx, key))) throw new CosError('NoSuchKey');
  await authorizeRequest(ctx.services, { op: ctx.op, caller: ctx.caller, bucket, key, request: requestFacts(ctx) });
  // The website's own query (`?a=b` of a page link) is no API parameter of the object read.
  const child: RequestContext = { ...ctx, address: { ...ctx.address, kind: 'object', key }, query: new Map() };
  return ctx.op === 'HeadObject' ? headObject(child) : getObject(child);
}


/** The object for `path`, with the index document and AutoAddressing fallbacks. */
async function servePath(ctx: RequestContext, config: WebsiteConfig, path: string): Promise<ResponseSpec> {
  try {
    return await serveKey(ctx, websiteKey(config, path));
  } catch (error) {
    if (!(error instanceof CosError) || error.status !== 404 || path === '' || path.endsWith('/')) throw error;
    if (config.indexSuffix && (await exists(ctx, `${path}/${config.indexSuffix}`))) {
      return emptyResponse(302, { Location: `${basePath(ctx)}${encodeKey(path)}/` });
    }
    if (config.autoAddressing && (await exists(ctx, `${path}.html`))) return serveKey(ctx, `${path}.html`);
    throw error;
  }
}

export async function serveWebsite(ctx: RequestContext): Promise<ResponseSpec> {
  const config = websiteOf(bucketOf(ctx));
  if (!config) throw new CosError('NoSuchWebsiteConfiguration');
  const path = ctx.address.key ?? '';
  if (config.redirectAllProtocol && config.redirectAllProtocol !== requestProtocol(ctx)) {
    return emptyResponse(301, { Location: `${config.redirectAllProtocol}://${ctx.host}${basePath(ctx)}${encodeKey(path)}` });
  }
  const before = matchRoutingRule(config, path);
  if (before) return redirect(ctx, before, path);
  try {
    return await servePath(ctx, config, path);
  } catch (error) {
    if (!(error instanceof CosError) || error.status < 400 || error.status >= 500) throw error;
    const after = matchRoutingRule(config, path, error.status);
    if (after) return redirect(ctx, after, path);
    if (config.errorKey === undefined || (error.status !== 404 && error.status !== 403)) throw error;
    let page: ResponseSpec;
    try {
      page = await serveKey({ ...ctx, headers: {}, header: () => undefined }, config.errorKey);
    } catch {
      throw error; // no readable error document: the error itself
    }
    return { ...page, status: config.errorKeepsStatus ? error.status : 200 };
  }
}
