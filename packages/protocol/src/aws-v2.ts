/**
 * AWS Signature Version 2 for S3 (old clients: `Authorization: AWS AKID:sig`, and query
 * `AWSAccessKeyId` / `Signature` / `Expires`), sign and verify sharing one string to sign:
 *
 *   StringToSign = method \n Content-MD5 \n Content-Type \n Date-or-Expires \n
 *                  CanonicalizedAmzHeaders CanonicalizedResource
 *   Signature    = base64(HMAC-SHA1(secret, StringToSign))
 *
 * CanonicalizedAmzHeaders: every `x-amz-*` header, lower-cased, sorted, values trimmed with folded
 * whitespace collapsed, `name:value\n` each. The Date line is empty when x-amz-date is sent (it is
 * among the amz headers then). CanonicalizedResource: `/bucket/key` as sent plus the S3
 * sub-resources and response overrides present, sorted, with their values undecoded-as-sent.
 */

export interface V2Crypto {
  /** Raw HMAC-SHA1 bytes. */
  hmacSha1(key: string, message: string): Uint8Array;
}

/** The query parameters that enter CanonicalizedResource (S3's list, plus the ones later APIs added). */
export const V2_SUB_RESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'delete', 'encryption', 'inventory', 'legal-hold', 'lifecycle', 'location',
  'logging', 'metrics', 'notification', 'object-lock', 'partNumber', 'policy', 'publicAccessBlock', 'replication',
  'requestPayment', 'restore', 'retention', 'select', 'select-type', 'tagging', 'torrent', 'uploadId', 'uploads',
  'versionId', 'versioning', 'versions', 'website', 'response-cache-control', 'response-content-disposition',
  'response-content-encoding', 'response-content-language', 'response-content-type', 'response-expires',
]);

export function base64OfBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function canonicalAmzHeaders(headers: Iterable<readonly [string, string]>): string {
  const merged = new Map<string, string[]>();
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (!name.startsWith('x-amz-')) continue;
    const list = merged.get(name) ?? [];
    list.push(value.replace(/\s*\r?\n\s*/g, ' ').trim());
    merged.set(name, list);
  }
  return [...merged.keys()]
    .sort()
    .map((name) => `${name}:${merged.get(name)!.join(',')}\n`)
    .join('');
}

/** `path` (as sent, starting with `/bucket`) plus `?sub&sub=value` of the sub-resources present, sorted. */
export function canonicalResource(path: string, query: ReadonlyArray<readonly [string, string | undefined]>): string {
  const subs = query
    .filter(([k]) => V2_SUB_RESOURCES.has(k))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => (v === undefined || v === '' ? k : `${k}=${v}`));
  return subs.length ? `${path}?${subs.join('&')}` : path;
}

export interface V2StringInput {
  method: string;
  contentMd5?: string;
  contentType?: string;
  /** The Date header (empty when x-amz-date is sent), or the Expires of a query signature. */
  dateOrExpires: string;
  amzHeaders: Iterable<readonly [string, string]>;
  resource: string;
}

export function v2StringToSign(input: V2StringInput): string {
  return `${input.method.toUpperCase()}\n${input.contentMd5 ?? ''}\n${input.contentType ?? ''}\n${input.dateOrExpires}\n${canonicalAmzHeaders(input.amzHeaders)}${input.resource}`;
}

export function signV2(crypto: V2Crypto, secretKey: string, toSign: string): string {
  return base64OfBytes(crypto.hmacSha1(secretKey, toSign));
}

/** `AWS AKID:signature`, split at the last colon (a signature holds none). */
export function parseV2Authorization(value: string): { accessKey: string; signature: string } | undefined {
  const m = /^AWS\s+(.+):([A-Za-z0-9+/=]+)\s*$/.exec(value.trim());
  return m ? { accessKey: m[1].trim(), signature: m[2] } : undefined;
}

export function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
