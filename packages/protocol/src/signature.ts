/**
 * The COS request signature ("q-sign", HMAC-SHA1; FEATURES §1.6, C088-C108): one implementation,
 * shared by the server (verify) and the SDK (sign).
 *
 *   SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))
 *   HttpString   = method \n pathname \n params \n headers \n
 *   StringToSign = "sha1" \n SignTime \n hex(SHA1(HttpString)) \n
 *   Signature    = hex(HMAC-SHA1(SignKey, StringToSign))
 *
 * params and headers are `key=value` pairs, keys lower-cased and URL-encoded, values URL-encoded,
 * sorted by key and joined with '&'. The encoding is the official SDKs' `camSafeUrlEncode`
 * (encodeURIComponent plus ! ' ( ) *); the verified test vector of 004 encodes `=` as `%3D`.
 *
 * Hashing goes through a small `Crypto` interface so that the same code runs in Node (node:crypto,
 * injected by the server) and in browsers (a pure implementation, injected by the SDK).
 */

export interface SignatureCrypto {
  hmacSha1Hex(key: string, message: string): string;
  sha1Hex(message: string): string;
}

/** The fields of an `Authorization: q-sign-algorithm=sha1&q-ak=...` value or of a pre-signed query. */
export interface SignatureFields {
  algorithm: string;
  secretId: string;
  signTime: string;
  keyTime: string;
  headerList: string[];
  paramList: string[];
  signature: string;
}

export interface SignInput {
  secretId: string;
  secretKey: string;
  method: string;
  /** The decoded path from the root, e.g. `/photos/a b.jpg`. */
  pathname: string;
  /** Query parameters to sign (all of them unless `paramList` narrows it). */
  query?: Record<string, string | undefined>;
  /** Headers to sign (all of them unless `headerList` narrows it). */
  headers?: Record<string, string | number | undefined>;
  /** `start;end` unix seconds. */
  signTime: string;
  keyTime?: string;
}

/** encodeURIComponent plus the characters it leaves alone but COS encodes. */
export function camSafeUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `key=value&...` with keys lower-cased and encoded, values encoded, sorted by key. */
export function canonicalPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [camSafeUrlEncode(k).toLowerCase(), camSafeUrlEncode(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export function httpString(method: string, pathname: string, params: string, headers: string): string {
  return `${method.toLowerCase()}\n${pathname}\n${params}\n${headers}\n`;
}

/** SignKey = hex(HMAC-SHA1(SecretKey, KeyTime)). */
export function signKeyOf(crypto: SignatureCrypto, secretKey: string, keyTime: string): string {
  return crypto.hmacSha1Hex(secretKey, keyTime);
}

/** Signature = hex(HMAC-SHA1(SignKey, "sha1\n" + SignTime + "\n" + hex(SHA1(HttpString)) + "\n")). */
export function signatureWithKey(crypto: SignatureCrypto, signKey: string, signTime: string, http: string): string {
  return crypto.hmacSha1Hex(signKey, `sha1\n${signTime}\n${crypto.sha1Hex(http)}\n`);
}

/**
 * The signature of a POST Object form (real COS; 004 leaves it unspecified, FEATURES §5 #7):
 * HMAC-SHA1(SignKey, hex(SHA1(policy))) over the decoded policy document.
 */
export function postPolicySignature(crypto: SignatureCrypto, secretKey: string, keyTime: string, policy: string): string {
  return crypto.hmacSha1Hex(signKeyOf(crypto, secretKey, keyTime), crypto.sha1Hex(policy));
}

export function computeSignature(crypto: SignatureCrypto, secretKey: string, keyTime: string, signTime: string, http: string): string {
  return signatureWithKey(crypto, signKeyOf(crypto, secretKey, keyTime), signTime, http);
}

function presentPairs(record: Record<string, string | number | undefined> | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(record ?? {})) {
    if (v === undefined) continue;
    out.push([k, String(v)]);
  }
  return out;
}

function sortedNames(pairs: Array<[string, string]>): string[] {
  return pairs.map(([k]) => camSafeUrlEncode(k).toLowerCase()).sort();
}

/** Signs a request; returns the fields and the `Authorization` value. */
export function sign(crypto: SignatureCrypto, input: SignInput): { fields: SignatureFields; authorization: string } {
  const params = presentPairs(input.query);
  const headers = presentPairs(input.headers);
  const keyTime = input.keyTime ?? input.signTime;
  const http = httpString(input.method, input.pathname, canonicalPairs(params), canonicalPairs(headers));
  const fields: SignatureFields = {
    algorithm: 'sha1',
    secretId: input.secretId,
    signTime: input.signTime,
    keyTime,
    headerList: sortedNames(headers),
    paramList: sortedNames(params),
    signature: computeSignature(crypto, input.secretKey, keyTime, input.signTime, http),
  };
  return { fields, authorization: formatAuthorization(fields) };
}

export function formatAuthorization(f: SignatureFields): string {
  return [
    `q-sign-algorithm=${f.algorithm}`,
    `q-ak=${f.secretId}`,
    `q-sign-time=${f.signTime}`,
    `q-key-time=${f.keyTime}`,
    `q-header-list=${f.headerList.join(';')}`,
    `q-url-param-list=${f.paramList.join(';')}`,
    `q-signature=${f.signature}`,
  ].join('&');
}

/** The names that make up a signature; present in a pre-signed URL's query and never signed themselves. */
export const SIGNATURE_PARAMS = [
  'q-sign-algorithm',
  'q-ak',
  'q-sign-time',
  'q-key-time',
  'q-header-list',
  'q-url-param-list',
  'q-signature',
] as const;

function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(';')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/**
 * Reads the signature fields from `name=value` pairs in any order (C089). `q-key-time` falls back to
 * `q-sign-time` and vice versa (C093, FEATURES §5 #4). Returns undefined when a required field is
 * missing, so the caller can answer with the right COS error.
 */
export function signatureFromPairs(get: (name: string) => string | undefined): SignatureFields | undefined {
  const algorithm = get('q-sign-algorithm');
  const secretId = get('q-ak');
  const signature = get('q-signature');
  const signTime = get('q-sign-time') ?? get('q-key-time');
  const keyTime = get('q-key-time') ?? signTime;
  if (algorithm === undefined || !secretId || !signature || !signTime || !keyTime) return undefined;
  return {
    algorithm: algorithm.toLowerCase(),
    secretId,
    signTime,
    keyTime,
    headerList: splitList(get('q-header-list')),
    paramList: splitList(get('q-url-param-list')),
    signature: signature.toLowerCase(),
  };
}

/**
 * Parses an `Authorization` header value. Pair names are matched case-insensitively; values are
 * taken as written (a SecretId with a trailing space is another SecretId, not this one).
 */
export function parseAuthorization(value: string): SignatureFields | undefined {
  const pairs = new Map<string, string>();
  for (const part of value.trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    pairs.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  return signatureFromPairs((name) => pairs.get(name));
}

/** `start;end` as numbers, or undefined when malformed. */
export function parseSignTime(value: string): { start: number; end: number } | undefined {
  const m = /^\s*(\d+)\s*;\s*(\d+)\s*$/.exec(value);
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}

export interface VerifyInput {
  method: string;
  /** Candidate pathnames the client may have signed (the decoded request path first). */
  pathnames: readonly string[];
  /** Looks up a query parameter by lower-case name (the actual, decoded value). */
  queryValue(name: string): string | undefined;
  /** Looks up a header by lower-case name. */
  headerValue(name: string): string | undefined;
}

/**
 * A name as a signature lists it: clients list names URL-encoded once and lower-cased (the official
 * SDKs' `camSafeUrlEncode(name).toLowerCase()`, the Python SDK's `quote(name, '-_.~').lower()`),
 * e.g. `imagemogr2%2fthumbnail%2f%2150p`. `lookup` is the decoded lower-case name to find the
 * value under; `canonical` the name as it enters HttpString. A name listed unencoded (`a/b`) is
 * encoded here, so both spellings sign the same string.
 */
export function signedName(listed: string): { lookup: string; canonical: string } {
  let decoded = listed;
  try {
    decoded = decodeURIComponent(listed);
  } catch {
    // not an encoding (a bare `%`): the name as written
  }
  return { lookup: decoded.toLowerCase(), canonical: camSafeUrlEncode(decoded).toLowerCase() };
}

/** `name=value&...` over listed names, values looked up by decoded name and URL-encoded, sorted by name. */
function canonicalListed(listed: readonly string[], valueOf: (lookup: string) => string): string {
  return listed
    .map((entry) => {
      const { lookup, canonical } = signedName(entry);
      return [canonical, camSafeUrlEncode(valueOf(lookup))] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Recomputes the signature over exactly the headers and parameters the client listed (C094, C095)
 * and compares. Query values are tried verbatim and, because seed 004 says values are lower-cased
 * (FEATURES §5 #3), lower-cased too.
 */
export function verifySignature(crypto: SignatureCrypto, fields: SignatureFields, secretKey: string, input: VerifyInput): boolean {
  // Node hands header bytes over as Latin-1 text; a client that sent UTF-8 text (a Chinese
  // x-cos-meta-*) signed that text, so its UTF-8 reading is tried too.
  const headerVariants = new Set([
    canonicalListed(fields.headerList, (n) => input.headerValue(n) ?? ''),
    canonicalListed(fields.headerList, (n) => utf8Reading(input.headerValue(n) ?? '')),
  ]);
  const paramVariants = new Set([
    canonicalListed(fields.paramList, (n) => input.queryValue(n) ?? ''),
    canonicalListed(fields.paramList, (n) => (input.queryValue(n) ?? '').toLowerCase()),
  ]);
  const signKey = signKeyOf(crypto, secretKey, fields.keyTime);
  for (const pathname of new Set(input.pathnames)) {
    for (const params of paramVariants) {
      for (const headers of headerVariants) {
        const expected = signatureWithKey(crypto, signKey, fields.signTime, httpString(input.method, pathname, params, headers));
        if (timingSafeEqualHex(expected, fields.signature)) return true;
      }
    }
  }
  return false;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Latin-1 text whose bytes are valid UTF-8, read as UTF-8; anything else unchanged. */
function utf8Reading(latin1: string): string {
  if (!/[\u0080-\u00ff]/.test(latin1) || /[^\u0000-\u00ff]/.test(latin1)) return latin1;
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1;
  }
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
