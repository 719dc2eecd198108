/**
 * The S3 dialect, at the edges and by tables (DESIGN: "two dialects, one model").
 *
 * A request signed with AWS V4/V2 (or an anonymous one that looks like S3's) is answered in S3's
 * words; handlers never ask. On the way in, `x-amz-*` headers with a COS twin are renamed to the
 * `x-cos-*` name the handlers read, and S3's few other words (GLACIER, GlacierJobParameters, the
 * AllUsers URI) become COS's in headers and documents; on the way out, the reverse: `x-cos-*` response headers become `x-amz-*`, XML documents get S3's namespace, the request
 * id travels as `x-amz-request-id`/`x-amz-id-2`, and errors take S3's code from the error table.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Address } from '../routing/address.js';

export type Dialect = 'cos' | 's3';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * Header names S3 and COS share after their prefix (`x-amz-acl` / `x-cos-acl`), exact or as a
 * prefix (`meta-` covers every user metadata header). Authentication headers (`x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token`, ...) are not here: the signature module reads them as sent.
 */
const TWIN_NAMES: ReadonlySet<string> = new Set([
  'acl',
  'metadata-directive',
  'tagging-directive',
  'storage-class',
  'tagging',
  'tagging-count',
  'version-id',
  'delete-marker',
  'restore',
  'bucket-region',
  'expiration',
]);
const TWIN_PREFIXES = ['meta-', 'grant-', 'copy-source', 'server-side-encryption'];

function isTwin(suffix: string): boolean {
  return TWIN_NAMES.has(suffix) || TWIN_PREFIXES.some((p) => suffix.startsWith(p));
}

/** `x-<from>-<suffix>` as `x-<to>-<suffix>` when the suffix has a twin, else undefined. */
function twinName(name: string, from: string, to: string): string | undefined {
  const lower = name.toLowerCase();
  if (!lower.startsWith(from)) return undefined;
  const suffix = lower.slice(from.length);
  return isTwin(suffix) ? to + suffix : undefined;
}

/** Words of response documents and headers: COS's on the left, S3's on the right. */
const XML_OUT: ReadonlyArray<readonly [string, string]> = [
  // Whole elements only: a key or tag that holds the same text is data, not a name.
  ['<URI>http://cam.qcloud.com/groups/global/AllUsers</URI>', '<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>'],
  ['<StorageClass>ARCHIVE</StorageClass>', '<StorageClass>GLACIER</StorageClass>'],
];
const STORAGE_CLASS_OUT: Readonly<Record<string, string>> = { ARCHIVE: 'GLACIER' };

/**
 * S3's words in request headers and documents where COS has others (S3's on the left): the
 * storage class COS calls ARCHIVE, the AllUsers group's URI, restore's job parameters. Whole
 * elements and values only, so that keys and tags holding the same text stay data.
 */
const S3_ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const COS_ALL_USERS = 'http://cam.qcloud.com/groups/global/AllUsers';
const XML_IN: ReadonlyArray<readonly [string, string]> = [
  ['<StorageClass>GLACIER</StorageClass>', '<StorageClass>ARCHIVE</StorageClass>'],
  ['<GlacierJobParameters>', '<CASJobParameters>'],
  ['</GlacierJobParameters>', '</CASJobParameters>'],
  [`<URI>${S3_ALL_USERS}</URI>`, `<URI>${COS_ALL_USERS}</URI>`],
];
const DIRECTIVES: Readonly<Record<string, string>> = { COPY: 'Copy', REPLACE: 'Replaced' };
const REQUEST_VALUES: Readonly<Record<string, (value: string) => string>> = {
  'x-cos-metadata-directive': (v) => DIRECTIVES[v.trim().toUpperCase()] ?? v,
  'x-cos-tagging-directive': (v) => DIRECTIVES[v.trim().toUpperCase()] ?? v,
  'x-cos-storage-class': (v) => (v.trim().toUpperCase() === 'GLACIER' ? 'ARCHIVE' : v),
};
const GRANT_VALUE = (v: string) => v.split(`"${S3_ALL_USERS}"`).join(`"${COS_ALL_USERS}"`);

function requestValue(name: string, value: string): string {
  if (name.startsWith('x-cos-grant-')) return GRANT_VALUE(value);
  return Object.hasOwn(REQUEST_VALUES, name) ? REQUEST_VALUES[name](value) : value;
}

function replaceAll(text: string, table: ReadonlyArray<readonly [string, string]>): string {
  let out = text;
  for (const [from, to] of table) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}

/**
 * The dialect a request speaks, from how it is signed: the COS signature answers in COS's words,
 * AWS V4/V2 (header or query) in S3's. An anonymous request speaks S3 when it carries S3's marks
 * (an `x-amz-*` or `amz-sdk-*` header, ListObjectsV2's `list-type`, the AWS SDKs' `x-id`) or
 * addresses an S3 host (`<bucket>.s3.<...>`, `s3.<...>`); else COS.
 */
export function dialectOf(headers: IncomingHttpHeaders, query: ReadonlyMap<string, string>, address: Address): Dialect {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.trim() !== '') {
    return /^\s*(?:AWS4-|AWS\s)/.test(authorization) ? 's3' : 'cos';
  }
  if (query.has('q-signature') || query.has('q-sign-algorithm') || query.has('sign')) return 'cos';
  if (query.has('x-amz-algorithm') || query.has('x-amz-signature') || query.has('awsaccesskeyid')) return 's3';
  if (query.has('list-type') || query.has('x-id')) return 's3';
  for (const name of Object.keys(headers)) if (name.startsWith('x-amz-') || name.startsWith('amz-sdk-')) return 's3';
  return address.s3Host ? 's3' : 'cos';
}

/** The request headers a handler sees in the S3 dialect: `x-amz-*` twins renamed. */
export function s3RequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  // No prototype: a header named `__proto__` is a header like any other.
  const out = Object.create(null) as IncomingHttpHeaders;
  const renamed = Object.create(null) as IncomingHttpHeaders;
  for (const [name, value] of Object.entries(headers)) {
    const cos = twinName(name, 'x-amz-', 'x-cos-');
    if (cos === undefined) out[name] = value;
    else renamed[cos] = typeof value === 'string' ? requestValue(cos, value) : value;
  }
  // The S3 spelling wins over a COS one sent alongside: it is what the S3 signature covered.
  return Object.assign(out, renamed);
}

/** The fields of a POST form signed the S3 way, by the same table: `x-amz-meta-*` -> `x-cos-meta-*`, ... */
export function s3FormFields(fields: ReadonlyMap<string, string>): Map<string, string> {
  const headers = s3RequestHeaders(Object.fromEntries(fields));
  return new Map(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A request document (ACL, lifecycle, restore, ...) in COS's words; the same bytes when it has no S3 words. */
export function s3RequestXml(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const cos = replaceAll(text, XML_IN);
  return cos === text ? body : Buffer.from(cos, 'utf8');
}

/**
 * A request document as the handler reads it: in COS's words. A Content-MD5 covers the bytes as
 * sent; when it holds for them, the (renamed, request-own) headers get the digest of the words the
 * handler checks; when it does not, it stays, and the handler answers BadDigest as ever.
 */
export function s3RequestDocument(raw: Buffer, headers: IncomingHttpHeaders): Buffer {
  const cos = s3RequestXml(raw);
  if (cos === raw) return raw;
  const md5 = headers['content-md5'];
  if (typeof md5 === 'string' && createHash('md5').update(raw).digest('base64') === md5.trim()) {
    headers['content-md5'] = createHash('md5').update(cos).digest('base64');
  }
  return cos;
}

/** Response headers in S3's words: `x-cos-*` twins renamed and S3's values. */
export function s3ResponseHeaders(headers: Record<string, string | number | undefined>): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    const s3 = twinName(name, 'x-cos-', 'x-amz-');
    if (s3 === undefined) out[name] = value;
    else out[s3] = s3 === 'x-amz-storage-class' && typeof value === 'string' ? (STORAGE_CLASS_OUT[value] ?? value) : value;
  }
  return out;
}

/** A response document in S3's words: S3's namespace on its root element, S3's names and values. */
export function s3ResponseXml(xml: string): string {
  const withNames = replaceAll(xml, XML_OUT);
  // The root element is the first one after the declaration; an Error document has no namespace in S3.
  return withNames.replace(/^(<\?xml[^>]*\?>\s*)?<([A-Za-z][\w.-]*)(?=[\s>/])(?![^>]*\sxmlns=)/, (whole, decl: string | undefined, root: string) =>
    root === 'Error' ? whole : `${decl ?? ''}<${root} xmlns="${S3_NAMESPACE}"`,
  );
}

/** The `x-amz-checksum-*` algorithms the payload reader (auth/aws-body.ts) verifies as the body passes. */
const VERIFIED_CHECKSUMS = ['x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256'];

/**
 * Whether an S3 request's body comes with a checksum that is verified as it is read: S3 takes one in
 * place of Content-MD5 where an API requires integrity (DeleteObjects, PutBucketCors, ...), and the
 * current AWS SDKs send CRC32 there instead of MD5.
 */
export function hasVerifiedChecksum(header: (name: string) => string | undefined): boolean {
  if (VERIFIED_CHECKSUMS.some((name) => header(name) !== undefined)) return true;
  const trailer = header('x-amz-trailer')?.trim().toLowerCase();
  return trailer !== undefined && VERIFIED_CHECKSUMS.includes(trailer);
}
