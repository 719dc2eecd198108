/**
 * Static website configuration (`?website`, issue 16 item 2): the WebsiteConfiguration document
 * (IndexDocument, ErrorDocument, RedirectAllRequestsTo, RoutingRules, AutoAddressing) and the
 * decisions the website endpoint makes from it (handlers/website.ts serves them).
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText, type XmlObject, type XmlValue } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';

export const MAX_WEBSITE_BYTES = 64 * 1024;
const MAX_ROUTING_RULES = 100;

export interface RoutingRule {
  keyPrefixEquals?: string;
  httpErrorCodeReturnedEquals?: number;
  protocol?: 'http' | 'https';
  replaceKeyWith?: string;
  replaceKeyPrefixWith?: string;
  httpRedirectCode?: number;
}

export interface WebsiteConfig {
  indexSuffix?: string;
  errorKey?: string;
  /** COS's ErrorDocument OriginalHttpStatus: Disabled answers the error document with 200. */
  errorKeepsStatus: boolean;
  redirectAllProtocol?: 'http' | 'https';
  /** AutoAddressing Enabled: `/a` finds `a.html` (COS: the `.html` suffix may be left out). */
  autoAddressing: boolean;
  routingRules: RoutingRule[];
}

const text = (v: XmlValue | undefined) => xmlText(v)?.trim();

function keyText(v: XmlValue | undefined, what: string): string | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  if (t === '' || Buffer.byteLength(t) > 850 || /[\u0000-\u001f\u007f]/.test(t)) throw new CosError('InvalidArgument', `${what} must be a key of 1-850 bytes without control characters.`);
  return t;
}

function protocolOf(v: XmlValue | undefined): 'http' | 'https' | undefined {
  const t = text(v);
  if (t === undefined || t === '') return undefined;
  if (t !== 'http' && t !== 'https') throw new CosError('InvalidArgument', 'Protocol must be http or https.');
  return t;
}

function statusText(v: XmlValue | undefined, what: string): string | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  if (t !== 'Enabled' && t !== 'Disabled') throw new CosError('InvalidArgument', `${what} must be Enabled or Disabled.`);
  return t;
}

function routingRuleOf(entry: XmlValue): RoutingRule {
  const rule = xmlChild(entry);
  const condition = xmlChild(rule?.Condition);
  const redirect = xmlChild(rule?.Redirect);
  if (!rule || !condition || !redirect) throw new CosError('MalformedXML', 'Every RoutingRule needs a Condition and a Redirect.');
  const code = text(condition.HttpErrorCodeReturnedEquals);
  if (code !== undefined && !/^[45]\d\d$/.test(code)) throw new CosError('InvalidArgument', 'HttpErrorCodeReturnedEquals must be a 4xx or 5xx status.');
  const prefix = text(condition.KeyPrefixEquals);
  if (prefix === undefined && code === undefined) throw new CosError('InvalidArgument', 'A Condition needs KeyPrefixEquals or HttpErrorCodeReturnedEquals.');
  const redirectCode = text(redirect.HttpRedirectCode);
  if (redirectCode !== undefined && !['301', '302', '307'].includes(redirectCode)) throw new CosError('InvalidArgument', 'HttpRedirectCode must be 301, 302 or 307.');
  const replaceKeyWith = keyText(redirect.ReplaceKeyWith, 'ReplaceKeyWith');
  const replaceKeyPrefixWith = text(redirect.ReplaceKeyPrefixWith);
  if (replaceKeyWith !== undefined && replaceKeyPrefixWith !== undefined) throw new CosError('InvalidArgument', 'ReplaceKeyWith and ReplaceKeyPrefixWith exclude each other.');
  if (replaceKeyPrefixWith !== undefined && /[\u0000-\u001f\u007f]/.test(replaceKeyPrefixWith)) throw new CosError('InvalidArgument', 'ReplaceKeyPrefixWith holds control characters.');
  return {
    keyPrefixEquals: prefix,
    httpErrorCodeReturnedEquals: code === undefined ? undefined : Number(code),
    protocol: protocolOf(redirect.Protocol),
    replaceKeyWith,
    replaceKeyPrefixWith,
    httpRedirectCode: redirectCode === undefined ? undefined : Number(redirectCode),
  };
}

export function websiteFromXml(body: string): WebsiteConfig {
  const config = xmlChild(parseXml(body).WebsiteConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const index = xmlChild(config.IndexDocument);
  const error = xmlChild(config.ErrorDocument);
  const redirectAll = xmlChild(config.RedirectAllRequestsTo);
  const auto = xmlChild(config.AutoAddressing);
  const rulesNode = config.RoutingRules === undefined ? undefined : xmlChild(config.RoutingRules);
  if (config.RoutingRules !== undefined && !rulesNode) throw new CosError('MalformedXML', 'RoutingRules must hold RoutingRule elements.');
  const routingRules = rulesNode ? xmlList(rulesNode.RoutingRule).map(routingRuleOf) : [];
  if (routingRules.length > MAX_ROUTING_RULES) throw new CosError('InvalidArgument', `At most ${MAX_ROUTING_RULES} routing rules.`);
  const indexSuffix = index ? keyText(index.Suffix, 'IndexDocument.Suffix') : undefined;
  if (index && indexSuffix === undefined) throw new CosError('MalformedXML', 'IndexDocument needs a Suffix.');
  if (indexSuffix?.includes('/')) throw new CosError('InvalidArgument', 'IndexDocument.Suffix may not contain a slash.');
  if (!index && !redirectAll) throw new CosError('MalformedXML', 'A website needs an IndexDocument (or RedirectAllRequestsTo).');
  const errorKey = error ? keyText(error.Key, 'ErrorDocument.Key') : undefined;
  if (error && errorKey === undefined) throw new CosError('MalformedXML', 'ErrorDocument needs a Key.');
  return {
    indexSuffix,
    errorKey,
    errorKeepsStatus: (error && statusText(error.OriginalHttpStatus, 'OriginalHttpStatus')) !== 'Disabled',
    redirectAllProtocol: redirectAll ? (protocolOf(redirectAll.Protocol) ?? 'http') : undefined,
    autoAddressing: (auto && statusText(auto.Status, 'AutoAddressing.Status')) === 'Enabled',
    routingRules,
  };
}

export function websiteDocument(c: WebsiteConfig): string {
  const doc: XmlObject = {};
  if (c.indexSuffix !== undefined) doc.IndexDocument = { Suffix: c.indexSuffix };
  if (c.redirectAllProtocol) doc.RedirectAllRequestsTo = { Protocol: c.redirectAllProtocol };
  doc.AutoAddressing = { Status: c.autoAddressing ? 'Enabled' : 'Disabled' };
  if (c.errorKey !== undefined) doc.ErrorDocument = { Key: c.errorKey, OriginalHttpStatus: c.errorKeepsStatus ? 'Enabled' : 'Disabled' };
  if (c.routingRules.length > 0) {
    doc.RoutingRules = {
      RoutingRule: c.routingRules.map((r) => ({
        Condition: { HttpErrorCodeReturnedEquals: r.httpErrorCodeReturnedEquals, KeyPrefixEquals: r.keyPrefixEquals },
        Redirect: { Protocol: r.protocol, ReplaceKeyWith: r.replaceKeyWith, ReplaceKeyPrefixWith: r.replaceKeyPrefixWith, HttpRedirectCode: r.httpRedirectCode },
      })),
    };
  }
  return buildXml('WebsiteConfiguration', doc);
}

export function websiteOf(bucket: BucketRecord | undefined): WebsiteConfig | undefined {
  return bucket?.configs?.website as WebsiteConfig | undefined;
}

/** The key a website path serves: the index document for the root and for folder paths. */
export function websiteKey(config: WebsiteConfig, path: string): string {
  if ((path === '' || path.endsWith('/')) && config.indexSuffix) return path + config.indexSuffix;
  return path;
}

/**
 * The routing rule that applies to `path` (before the lookup: no status yet) or to the error
 * `status` the lookup ended with; the first whose conditions all hold.
 */
export function matchRoutingRule(config: WebsiteConfig, path: string, status?: number): RoutingRule | undefined {
  return config.routingRules.find(
    (r) =>
      (r.keyPrefixEquals === undefined || path.startsWith(r.keyPrefixEquals)) &&
      (r.httpErrorCodeReturnedEquals === undefined ? status === undefined : r.httpErrorCodeReturnedEquals === status),
  );
}

/**
 * Where a routing rule sends `path`: the Location of the redirect (the host is the request's; `base`
 * the path the website's root is at, `/` but for the path form).
 */
export function redirectLocation(rule: RoutingRule, path: string, host: string, requestProtocol: 'http' | 'https', base = '/'): string {
  let key = path;
  if (rule.replaceKeyWith !== undefined) key = rule.replaceKeyWith;
  else if (rule.replaceKeyPrefixWith !== undefined) key = rule.replaceKeyPrefixWith + path.slice((rule.keyPrefixEquals ?? '').length);
  return `${rule.protocol ?? requestProtocol}://${host}${base}${encodeKey(key)}`;
}

/** A key as a URL path: each segment percent-encoded, the slashes kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
