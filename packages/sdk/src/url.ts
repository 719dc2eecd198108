/**
 * Where a request goes: the endpoint URL of a bucket, an object or the service, built from the
 * Domain / ServiceDomain templates exactly as the official SDK builds it (base.js getUrl,
 * getService), and the `Ip` redirection that sends it to another address under the same Host.
 */
import { camSafeUrlEncode } from '@cosbox/protocol';

/** Regions whose endpoints have no `cos.` label (the legacy JSON-era names). */
const LEGACY_REGIONS = new Set(['cn-south', 'cn-south-2', 'cn-north', 'cn-east', 'cn-southwest', 'sg']);

export interface EndpointInput {
  protocol: string;
  /** The Domain template; '' for the default `{Bucket}.cos.{Region}.myqcloud.com`. */
  domain: string;
  /** `<name>-<appid>`. */
  bucket: string;
  region: string;
  /** The object key (decoded); absent for bucket requests. */
  key?: string;
}

/** `http` and `https` without the colon are accepted too. */
export function normalizeProtocol(protocol: string | undefined, fallback: string): string {
  if (!protocol) return fallback;
  return protocol.endsWith(':') ? protocol : protocol + ':';
}

/** The key as it appears in a URL path: encoded like a signature value, slashes kept. */
export function encodeKeyPath(key: string): string {
  return camSafeUrlEncode(key).replace(/%2F/g, '/');
}

/**
 * Fills `{Bucket}` (`name-appid`), `{BucketName}` (`name`), `{AppId}` and `{Region}`; the older
 * double-brace forms `{{Bucket}}` (then the short name), `{{AppId}}`, `{{Region}}` too. Unknown
 * placeholders are dropped.
 */
export function fillDomainTemplate(template: string, bucket: string, region: string): string {
  const dash = bucket.lastIndexOf('-');
  const shortName = bucket.slice(0, dash);
  const appId = bucket.slice(dash + 1);
  return template
    .replace(/\{\{AppId\}\}/gi, appId)
    .replace(/\{\{Bucket\}\}/gi, shortName)
    .replace(/\{\{Region\}\}/gi, region)
    .replace(/\{\{.*?\}\}/gi, '')
    .replace(/\{AppId\}/gi, appId)
    .replace(/\{BucketName\}/gi, shortName)
    .replace(/\{Bucket\}/gi, bucket)
    .replace(/\{Region\}/gi, region)
    .replace(/\{.*?\}/gi, '');
}

/** Prefixes the protocol unless the domain carries one, and drops a trailing slash. */
function origin(domain: string, protocol: string): string {
  const withProtocol = /^[a-zA-Z]+:\/\//.test(domain) ? domain : `${protocol}//${domain}`;
  return withProtocol.endsWith('/') ? withProtocol.slice(0, -1) : withProtocol;
}

/** `https://bucket-125.cos.region.myqcloud.com/` plus the encoded key. */
export function endpointUrl(input: EndpointInput): string {
  let template = input.domain;
  if (!template) {
    template = LEGACY_REGIONS.has(input.region) ? '{Bucket}.{Region}.myqcloud.com' : '{Bucket}.cos.{Region}.myqcloud.com';
  }
  const base = origin(fillDomainTemplate(template, input.bucket, input.region), input.protocol);
  return `${base}/${input.key ? encodeKeyPath(input.key) : ''}`;
}

/** The `Location` the official SDK reports: the endpoint URL without its protocol. */
export function locationOf(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

export interface ServiceEndpoint {
  url: string;
  /** The Host to sign: only a standard COS host is signed (base.js getService). */
  signHost: string;
}

/** GET Service goes to ServiceDomain, else `cos.<Region>.myqcloud.com`, else `service.cos.myqcloud.com`. */
export function serviceEndpoint(protocol: string, serviceDomain: string, region: string | undefined, appId: string | undefined): ServiceEndpoint {
  let url: string;
  if (serviceDomain) {
    const domain = serviceDomain
      .replace(/\{\{AppId\}\}/gi, appId ?? '')
      .replace(/\{\{Region\}\}/gi, region ?? '')
      .replace(/\{\{.*?\}\}/gi, '');
    url = origin(domain, protocol);
  } else {
    url = `${protocol}//${region ? `cos.${region}` : 'service.cos'}.myqcloud.com`;
  }
  const standardHost = region ? `cos.${region}.myqcloud.com` : 'service.cos.myqcloud.com';
  return { url, signHost: hostOf(url) === standardHost ? standardHost : '' };
}

/** The `host[:port]` of an absolute URL. */
export function hostOf(url: string): string {
  return url.replace(/^[a-zA-Z]+:\/\/([^/?#]+).*$/, '$1');
}

/** Sends the request to `ip` instead, keeping the original host for the Host header. */
export function redirectToIp(url: string, ip: string): { url: string; host: string } {
  const host = hostOf(url);
  return { url: url.replace(/^([a-zA-Z]+:\/\/)[^/?#]+/, `$1${ip}`), host };
}

/** `a=1&b=2` with keys and values encoded as COS signs them; undefined values left out. */
export function queryString(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => `${camSafeUrlEncode(k)}=${camSafeUrlEncode(v)}`)
    .join('&');
}

/** Appends `?part` or `&part` to a URL. */
export function appendQuery(url: string, part: string): string {
  if (!part) return url;
  return url + (url.includes('?') ? '&' : '?') + part;
}
