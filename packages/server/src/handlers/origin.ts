/** PUT, GET and DELETE Bucket origin (`?origin`): back-to-origin rules (model/origin.ts). */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5, contentTypeOf, storeObject } from '../model/objects.js';
import { MAX_ORIGIN_BYTES, originAllowed, originDocument, originFromXml, originOf, originRuleFor, type OriginRule } from '../model/origin.js';

export async function putBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_ORIGIN_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  await ctx.services.meta.setBucketConfig(bucket.name, 'origin', originFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

export async function getBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  const rules = originOf(bucketOf(ctx));
  if (!rules) throw new CosError('NoSuchOriginConfiguration');
  return xmlResponse(originDocument(rules));
}

export async function deleteBucketOrigin(ctx: RequestContext): Promise<ResponseSpec> {
  await ctx.services.meta.setBucketConfig(bucketOf(ctx).name, 'origin', undefined);
  return emptyResponse(204);
}

/** How long an origin may take to answer, unless the server says otherwise. */
export const DEFAULT_ORIGIN_TIMEOUT_MS = 10_000;

/**
 * A GET or HEAD of a missing key under an origin rule: asks the origin (if the operator allows its
 * host) for the same key. 'stored' when a Mirror rule stored the object (the caller serves it as
 * usual), the response to send for a Proxy rule, undefined when no origin has it (NoSuchKey stands).
 */
export async function fetchFromOrigin(ctx: RequestContext, error: unknown, withBody: boolean): Promise<'stored' | ResponseSpec | undefined> {
  if (!(error instanceof CosError) || error.code !== 'NoSuchKey' || ctx.query.has('versionid')) return undefined;
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const rule = originRuleFor(originOf(bucket), key);
  if (!rule) return undefined;
  const { config, log } = ctx.services;
  if (!originAllowed(rule.hostName, config.originAllow ?? [])) {
    log.warn({ bucket: bucket.name, host: rule.hostName, requestId: ctx.requestId }, 'origin host not allowed by --origin-allow; not fetched');
    return undefined;
  }
  const response = await originGet(ctx, rule).catch((err: unknown) => {
    log.warn({ err, host: rule.hostName, requestId: ctx.requestId }, 'origin fetch failed');
    return undefined;
  });
  if (!response) return undefined;
  if (response.statusCode !== 200) {
    response.resume();
    return undefined;
  }
  const contentType = typeof response.headers['content-type'] === 'string' ? response.headers['content-type'] : undefined;
  const length = /^\d{1,15}$/.test(response.headers['content-length'] ?? '') ? Number(response.headers['content-length']) : undefined;
  if (rule.type === 'Mirror' && rule.copyOriginData) {
    try {
      await storeObject(ctx.services, {
      bucket: bucket.name,
      key,
      ownerUin: bucket.ownerUin,
        body: response,
        size: length,
        attributes: { storageClass: 'STANDARD', contentHeaders: { 'content-type': safeHeader(contentType) ?? contentTypeOf(key) }, meta: {} },
      });
    } catch (err) {
      // An origin that sends fewer bytes than it announced, or too many: as if it had nothing.
      log.warn({ err, host: rule.hostName, requestId: ctx.requestId }, 'origin object could not be stored');
      response.destroy();
      return undefined;
    }
    return 'stored';
  }
  if (!withBody) response.resume();
  return {
    status: 200,
    headers: { 'Content-Type': safeHeader(contentType) ?? contentTypeOf(key), 'Content-Length': length, 'Transfer-Encoding': length === undefined ? 'chunked' : undefined },
    body: withBody ? response : undefined,
  };
}

/** A header value from the origin, passed on only when it is plain printable text. */
function safeHeader(value: string | undefined): string | undefined {
  return value !== undefined && /^[\x20-\x7e]{1,256}$/.test(value) ? value : undefined;
}

/** The origin's answer to a GET of the same key (and query, without signature parameters, when the rule says). */
function originGet(ctx: RequestContext, rule: OriginRule): Promise<IncomingMessage> {
  const secure = rule.protocol === 'HTTPS';
  const query = rule.followQueryString
    ? [...ctx.query].filter(([name]) => !name.startsWith('q-') && name !== 'x-cos-security-token').map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
    : [];
  const path = '/' + keyOf(ctx).split('/').map(encodeURIComponent).join('/') + (query.length > 0 ? `?${query.join('&')}` : '');
  const timeout = ctx.services.config.originTimeoutMs ?? DEFAULT_ORIGIN_TIMEOUT_MS;
  const url = `${secure ? 'https' : 'http'}://${rule.hostName}${path}`;
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsGet : httpGet)(url, { timeout, headers: { 'user-agent': 'cosbox-origin' } }, resolve);
    request.on('timeout', () => request.destroy(new Error('origin timed out')));
    request.on('error', reject);
  });
}
