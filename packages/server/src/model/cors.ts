/**
 * CORS rules of a bucket (FEATURES §1.10.7, §1.13, C187-C193, C281-C286): the configuration document,
 * and which rule lets an origin use a method with some headers.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText, type XmlObject } from '@cosbox/protocol';

import type { CorsRule } from '../storage/metadata/store.js';
import { wildcardCount, wildcardMatch } from './wildcard.js';

export type { CorsRule };

/** At most this many rules (C189). */
export const MAX_CORS_RULES = 100;
/** And at most this many bytes of configuration (C189). */
export const MAX_CORS_BYTES = 64 * 1024;
const METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];

const texts = (value: Parameters<typeof xmlList>[0]) => xmlList(value).map((v) => (xmlText(v) ?? '').trim()).filter((t) => t !== '');

/** A CORSConfiguration document; MalformedXML or InvalidArgument when it is not a valid one. */
export function corsFromXml(text: string): CorsRule[] {
  const config = xmlChild(parseXml(text).CORSConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const rules = xmlList(config.CORSRule).map((entry) => {
    const rule = xmlChild(entry);
    if (!rule) throw new CosError('MalformedXML');
    const allowedOrigins = texts(rule.AllowedOrigin);
    const allowedMethods = texts(rule.AllowedMethod).map((m) => m.toUpperCase());
    if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new CosError('MalformedXML', 'Every CORSRule needs AllowedOrigin and AllowedMethod.');
    // `*` anywhere in a pattern matches any run of characters (FEATURES §5 #43), once per origin as COS allows.
    const starry = allowedOrigins.find((o) => wildcardCount(o) > 1);
    if (starry !== undefined) throw new CosError('InvalidArgument', `An AllowedOrigin may hold at most one wildcard: ${starry}`);
    const bad = allowedMethods.find((m) => !METHODS.includes(m));
    if (bad) throw new CosError('InvalidArgument', `Unsupported AllowedMethod ${bad}.`);
    const maxAge = xmlText(rule.MaxAgeSeconds)?.trim();
    if (maxAge !== undefined && maxAge !== '' && !/^\d+$/.test(maxAge)) throw new CosError('InvalidArgument', 'MaxAgeSeconds must be a non-negative integer.');
    return {
      id: xmlText(rule.ID)?.trim() || undefined,
      allowedOrigins,
      allowedMethods,
      allowedHeaders: texts(rule.AllowedHeader),
      exposeHeaders: texts(rule.ExposeHeader),
      maxAgeSeconds: maxAge ? Number(maxAge) : undefined,
    };
  });
  if (rules.length === 0) throw new CosError('MalformedXML', 'The configuration has no CORSRule.');
  if (rules.length > MAX_CORS_RULES) throw new CosError('InvalidArgument', `At most ${MAX_CORS_RULES} CORS rules.`);
  return rules;
}

export function corsDocument(rules: readonly CorsRule[]): string {
  const rule = (r: CorsRule): XmlObject => ({
    ID: r.id,
    AllowedOrigin: r.allowedOrigins,
    AllowedMethod: r.allowedMethods,
    AllowedHeader: r.allowedHeaders,
    ExposeHeader: r.exposeHeaders,
    MaxAgeSeconds: r.maxAgeSeconds,
  });
  return buildXml('CORSConfiguration', { CORSRule: rules.map(rule) });
}

/**
 * The first rule that lets `origin` use `method` with every one of `headers` (C281-C283), or
 * undefined. Header names compare case-insensitively.
 */
export function matchCors(rules: readonly CorsRule[] | undefined, origin: string, method: string, headers: readonly string[] = []): CorsRule | undefined {
  return rules?.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      r.allowedMethods.includes(method.toUpperCase()) &&
      headers.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, { caseInsensitive: true }))),
  );
}

/** The Access-Control-* headers of a response to a request from `origin` under `rule`. */
export function corsHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  if (rule.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(',');
  return headers;
}
