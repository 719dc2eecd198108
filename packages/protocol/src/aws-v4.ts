/**
 * AWS Signature Version 4 as S3 uses it (header `Authorization: AWS4-HMAC-SHA256 ...` and pre-signed
 * `X-Amz-*` query strings): one implementation, shared by signing and verifying.
 *
 *   CanonicalRequest = method \n uri \n query \n headers \n \n signedHeaders \n payloadHash
 *   StringToSign     = "AWS4-HMAC-SHA256" \n amzDate \n scope \n hex(SHA256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
 *   Signature        = hex(HMAC(SigningKey, StringToSign))
 *
 * S3's rules: the path is URI-encoded once (never twice, no dot-segment normalisation), every query
 * parameter is signed (names and values URI-encoded, sorted), header values trimmed with inner runs
 * of spaces collapsed. Hashing goes through `Sha256Crypto` so this file stays free of Node built-ins.
 */
import { toHex } from './hash.js';

export interface Sha256Crypto {
  sha256Hex(data: string | Uint8Array): string;
  hmacSha256(key: string | Uint8Array, message: string): Uint8Array;
}

export const AWS4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
/** hex(SHA256("")). */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The longest X-Amz-Expires S3 takes: seven days. */
export const MAX_PRESIGN_EXPIRES = 604800;

/** UriEncode of the SigV4 spec: everything but A-Z a-z 0-9 - _ . ~ as %XX of its UTF-8 bytes; `/` kept when `keepSlash`. */
export function uriEncode(value: string, keepSlash = false): string {
  const encoded = encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/** `yyyymmddThhmmssZ` for a time in milliseconds. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Milliseconds for a `yyyymmddThhmmssZ` (or undefined). */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface Credential {
  accessKey: string;
  /** `yyyymmdd` */
  date: string;
  region: string;
  service: string;
}

export function scopeOf(c: Credential): string {
  return `${c.date}/${c.region}/${c.service}/aws4_request`;
}

/** `AKID/20130524/us-east-1/s3/aws4_request`; the access key may itself hold no `/`. */
export function parseCredential(value: string): Credential | undefined {
  const parts = value.trim().split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !parts[0] || !/^\d{8}$/.test(parts[1]) || !parts[2] || !parts[3]) return undefined;
  return { accessKey: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

export function signingKey(crypto: Sha256Crypto, secretKey: string, c: Omit<Credential, 'accessKey'>): Uint8Array {
  const kDate = crypto.hmacSha256('AWS4' + secretKey, c.date);
  const kRegion = crypto.hmacSha256(kDate, c.region);
  const kService = crypto.hmacSha256(kRegion, c.service);
  return crypto.hmacSha256(kService, 'aws4_request');
}

/** Query pairs as sent: names and values percent-decoded (a `+` stays a `+`). */
export function parseRawQuery(rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push([percentDecode(name), percentDecode(value)]);
  }
  return out;
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Names and values URI-encoded, sorted by name then value, joined with `&`. */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** A header value as signed: trimmed, inner runs of spaces and tabs collapsed to one space. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/[ \t]+/g, ' ');
}

export interface CanonicalInput {
  method: string;
  /** The canonical URI: the path as encoded once (`/bucket/a%20b.txt`). */
  canonicalUri: string;
  /** Every query parameter, decoded (the signature parameter of a pre-signed URL excluded). */
  query: ReadonlyArray<readonly [string, string]>;
  /** Lower-case names of the signed headers, sorted. */
  signedHeaders: readonly string[];
  headerValue(name: string): string | undefined;
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalInput): string {
  const headers = input.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(input.headerValue(name) ?? '')}\n`).join('');
  return [input.method.toUpperCase(), input.canonicalUri, canonicalQuery(input.query), headers, input.signedHeaders.join(';'), input.payloadHash].join('\n');
}

export function stringToSign(crypto: Sha256Crypto, date: string, scope: string, canonical: string): string {
  return `${AWS4_ALGORITHM}\n${date}\n${scope}\n${crypto.sha256Hex(canonical)}`;
}

export function signatureOf(crypto: Sha256Crypto, key: Uint8Array, toSign: string): string {
  return toHex(crypto.hmacSha256(key, toSign));
}

/** The fields of a V4 signature, from the Authorization header or a pre-signed query. */
export interface V4Fields {
  credential: Credential;
  signedHeaders: string[];
  signature: string;
  /** `yyyymmddThhmmssZ` of X-Amz-Date (pre-signed) or of the request's date header. */
  date?: string;
  /** X-Amz-Expires of a pre-signed URL. */
  expires?: string;
  presigned: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` (pairs in any order, spaces optional). */
export function parseV4Authorization(value: string): Parsed<V4Fields> {
  const trimmed = value.trim();
  if (!trimmed.startsWith(AWS4_ALGORITHM + ' ')) return { ok: false, reason: `the algorithm must be ${AWS4_ALGORITHM}` };
  const pairs = new Map<string, string>();
  for (const part of trimmed.slice(AWS4_ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    pairs.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return fieldsFrom(pairs.get('Credential'), pairs.get('SignedHeaders'), pairs.get('Signature'), false);
}

/** The `X-Amz-*` parameters of a pre-signed URL (names as S3 spells them). */
export function parseV4Query(get: (name: string) => string | undefined): Parsed<V4Fields> {
  if (get('X-Amz-Algorithm') !== AWS4_ALGORITHM) return { ok: false, reason: `X-Amz-Algorithm must be ${AWS4_ALGORITHM}` };
  const parsed = fieldsFrom(get('X-Amz-Credential'), get('X-Amz-SignedHeaders'), get('X-Amz-Signature'), true);
  if (!parsed.ok) return parsed;
  const date = get('X-Amz-Date');
  const expires = get('X-Amz-Expires');
  if (date === undefined || parseAmzDate(date) === undefined) return { ok: false, reason: 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"' };
  if (expires === undefined || !/^\d{1,10}$/.test(expires)) return { ok: false, reason: 'X-Amz-Expires should be a number' };
  if (Number(expires) > MAX_PRESIGN_EXPIRES) return { ok: false, reason: `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES}` };
  return { ok: true, value: { ...parsed.value, date, expires } };
}

function fieldsFrom(credential: string | undefined, signedHeaders: string | undefined, signature: string | undefined, presigned: boolean): Parsed<V4Fields> {
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return { ok: false, reason: 'the Credential, SignedHeaders and Signature are all required' };
  }
  const parsed = parseCredential(credential);
  if (!parsed) return { ok: false, reason: `the Credential "${credential}" is not <access key>/<yyyymmdd>/<region>/<service>/aws4_request` };
  const names = signedHeaders.split(';').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'the Signature is not 64 hex digits' };
  return { ok: true, value: { credential: parsed, signedHeaders: names.sort(), signature: signature.toLowerCase(), presigned } };
}

export function formatV4Authorization(c: Credential, signedHeaders: readonly string[], signature: string): string {
  return `${AWS4_ALGORITHM} Credential=${c.accessKey}/${scopeOf(c)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
}

export interface V4SignInput {
  accessKey: string;
  secretKey: string;
  region: string;
  service?: string;
  method: string;
  /** The decoded path from the root (`/bucket/a b.txt`); encoded once here. */
  pathname: string;
  query?: ReadonlyArray<readonly [string, string]>;
  /** Headers to send and sign; must include `host`. */
  headers: Record<string, string>;
  /** Milliseconds since the epoch. */
  now: number;
  /** x-amz-content-sha256 (header signing) or the payload hash of a pre-signed URL (UNSIGNED-PAYLOAD by default). */
  payloadHash?: string;
  sessionToken?: string;
}

/** Signs with the Authorization header; returns the headers to send (x-amz-date, x-amz-content-sha256, Authorization). */
export function signV4(crypto: Sha256Crypto, input: V4SignInput): { headers: Record<string, string>; signature: string; seed: { key: Uint8Array; date: string; scope: string } } {
  const date = amzDate(input.now);
  const credential: Credential = { accessKey: input.accessKey, date: date.slice(0, 8), region: input.region, service: input.service ?? 's3' };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = input.payloadHash ?? UNSIGNED_PAYLOAD;
  if (input.sessionToken) headers['x-amz-security-token'] = input.sessionToken;
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: input.method,
    canonicalUri: uriEncode(input.pathname, true),
    query: input.query ?? [],
    signedHeaders,
    headerValue: (n) => headers[n],
    payloadHash: headers['x-amz-content-sha256'],
  });
  const key = signingKey(crypto, input.secretKey, credential);
  const scope = scopeOf(credential);
  const signature = signatureOf(crypto, key, stringToSign(crypto, date, scope, canonical));
  headers.authorization = formatV4Authorization(credential, signedHeaders, signature);
  return { headers, signature, seed: { key, date, scope } };
}

/** Pre-signs a URL: returns the query pairs to append (X-Amz-Signature last). */
export function presignV4(crypto: Sha256Crypto, input: V4SignInput & { expires: number }): Array<[string, string]> {
  const date = amzDate(input.now);
  const credential: Credential = { accessKey: input.accessKey, date: date.slice(0, 8), region: input.region, service: input.service ?? 's3' };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  const signedHeaders = Object.keys(headers).sort();
  const query: Array<[string, string]> = [
    ...(input.query ?? []).map(([k, v]) => [k, v] as [string, string]),
    ['X-Amz-Algorithm', AWS4_ALGORITHM],
    ['X-Amz-Credential', `${credential.accessKey}/${scopeOf(credential)}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(input.expires)],
    ['X-Amz-SignedHeaders', signedHeaders.join(';')],
  ];
  if (input.sessionToken) query.push(['X-Amz-Security-Token', input.sessionToken]);
  const canonical = canonicalRequest({
    method: input.method,
    canonicalUri: uriEncode(input.pathname, true),
    query,
    signedHeaders,
    headerValue: (n) => headers[n],
    payloadHash: input.payloadHash ?? UNSIGNED_PAYLOAD,
  });
  const signature = signatureOf(crypto, signingKey(crypto, input.secretKey, credential), stringToSign(crypto, date, scopeOf(credential), canonical));
  query.push(['X-Amz-Signature', signature]);
  return query;
}

export interface V4VerifyInput {
  method: string;
  /** Candidate canonical URIs (the path as sent, the decoded path encoded once, ...). */
  canonicalUris: readonly string[];
  /** The raw query string as sent. */
  rawQuery: string;
  headerValue(name: string): string | undefined;
  /** The `yyyymmddThhmmssZ` the string to sign carries. */
  date: string;
  payloadHash: string;
}

/**
 * Recomputes the signature for each candidate URI and compares. Returns the signing key on a match
 * (aws-chunked bodies chain their chunk signatures from it), undefined otherwise.
 */
export function verifyV4(crypto: Sha256Crypto, fields: V4Fields, secretKey: string, input: V4VerifyInput): Uint8Array | undefined {
  const all = parseRawQuery(input.rawQuery);
  const query = fields.presigned ? all.filter(([k]) => k !== 'X-Amz-Signature') : all;
  // A client that wrote a space as `+` signed it as %20.
  const queries = [query];
  if (input.rawQuery.includes('+')) queries.push(parseRawQuery(input.rawQuery.replace(/\+/g, '%20')).filter(([k]) => !fields.presigned || k !== 'X-Amz-Signature'));
  const key = signingKey(crypto, secretKey, fields.credential);
  const scope = scopeOf(fields.credential);
  for (const canonicalUri of new Set(input.canonicalUris)) {
    for (const q of queries) {
      const canonical = canonicalRequest({ method: input.method, canonicalUri, query: q, signedHeaders: fields.signedHeaders, headerValue: input.headerValue, payloadHash: input.payloadHash });
      if (equalHex(signatureOf(crypto, key, stringToSign(crypto, input.date, scope, canonical)), fields.signature)) return key;
    }
  }
  return undefined;
}

/** The string each aws-chunked chunk signs: its data's hash chained to the previous signature. */
export function chunkStringToSign(date: string, scope: string, previous: string, chunkSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${date}\n${scope}\n${previous}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** The string the trailer of a signed aws-chunked body signs (`name:value\n` lines, hashed). */
export function trailerStringToSign(date: string, scope: string, previous: string, trailerSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${date}\n${scope}\n${previous}\n${trailerSha256Hex}`;
}

/** The signature of a V4 POST policy: hex(HMAC(SigningKey, base64 policy)). */
export function postPolicySignatureV4(crypto: Sha256Crypto, secretKey: string, credential: Credential, base64Policy: string): string {
  return signatureOf(crypto, signingKey(crypto, secretKey, credential), base64Policy);
}

export function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
