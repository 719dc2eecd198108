/**
 * COS header vocabulary and the parsing every API shares: user metadata, storage classes, Range,
 * conditional requests and the date formats COS prints.
 */
import { CosError } from './errors.js';

const utf8 = new TextEncoder();

/** Length in bytes of a string's UTF-8 form (no Buffer: this package also runs in browsers). */
export function utf8Length(value: string): number {
  return utf8.encode(value).length;
}

/** HTTP headers stored with an object and returned on GET/HEAD (C136, C137). */
export const STORED_CONTENT_HEADERS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;
export type StoredContentHeader = (typeof STORED_CONTENT_HEADERS)[number];

/** GET Object query overrides and the header each sets (C208; `response-expires` sets Expires, §5 #23). */
export const RESPONSE_OVERRIDES: Readonly<Record<string, StoredContentHeader>> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/**
 * How COS spells the standard response headers (real clients look some up case-sensitively: the
 * Python SDK's `head_object(...)['Content-Type']`). Node writes a header name as it was set.
 */
export const HEADER_SPELLING: Readonly<Record<string, string>> = {
  'content-type': 'Content-Type',
  'cache-control': 'Cache-Control',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  expires: 'Expires',
  etag: 'ETag',
  'last-modified': 'Last-Modified',
  'content-length': 'Content-Length',
  'content-range': 'Content-Range',
  'accept-ranges': 'Accept-Ranges',
  location: 'Location',
};

/** A header name as COS spells it (x-cos-* and other names as given). */
export function spellHeader(name: string): string {
  return HEADER_SPELLING[name.toLowerCase()] ?? name;
}

/** What HTTP lets a field value hold: tab, visible ASCII and obs-text bytes (0x80-0xff), nothing else. */
const ILLEGAL_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** An HTTP token: what a header name is made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `value`, read as one byte per character, can be sent as a header value. */
export function isHeaderValue(value: string): boolean {
  return !ILLEGAL_VALUE_CHAR.test(value);
}

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * Text (a form field, a decoded query parameter) as the bytes a client would have put in a header:
 * its UTF-8 encoding, one character per byte, as Node hands over and writes header values. So
 * `中` from a form is stored and echoed as the same three bytes a header `x-cos-meta-a: 中` carries.
 */
export function textAsHeaderBytes(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  let out = '';
  for (const byte of utf8.encode(text)) out += String.fromCharCode(byte);
  return out;
}

/** The value as it is, or InvalidArgument when it cannot be a header value (CR, LF, other controls). */
export function checkHeaderValue(value: string, what: string): string {
  if (!isHeaderValue(value)) throw new CosError('InvalidArgument', `${what} holds characters that an HTTP header cannot carry.`);
  return value;
}

/** A header value made from text (see textAsHeaderBytes); InvalidArgument when it holds control characters. */
export function headerValueFromText(text: string, what: string): string {
  return checkHeaderValue(textAsHeaderBytes(text), what);
}

export const META_PREFIX = 'x-cos-meta-';
/** Total size of all x-cos-meta-* names and values (C139, C318). */
export const MAX_META_BYTES = 2 * 1024;
/** One x-cos-meta-* name plus value (C140). */
export const MAX_META_PAIR_BYTES = 4 * 1024;

/**
 * Collects x-cos-meta-* from lower-cased request headers, enforcing the 2 KB total (MetadataTooLarge)
 * and the 4 KB per header (KeyTooLong) limits. Header values are bytes, one character each (as Node
 * reads them, and as textAsHeaderBytes makes them of text), so their length is their size in bytes.
 */
export function extractUserMeta(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const meta: Record<string, string> = {};
  let total = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith(META_PREFIX) || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    const pair = utf8Length(name) + value.length;
    if (pair >= MAX_META_PAIR_BYTES) throw new CosError('KeyTooLong', `The metadata header ${name} is too long.`);
    total += utf8Length(name.slice(META_PREFIX.length)) + value.length;
    meta[name] = value;
  }
  if (total > MAX_META_BYTES) throw new CosError('MetadataTooLarge');
  return meta;
}

/** Storage classes COS accepts, upper-case (C142; FEATURES §1.8.2 and issue 6's list). */
export const STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'NEARLINE',
  'ARCHIVE',
  'DEEP_ARCHIVE',
  'MAZ_STANDARD',
  'MAZ_STANDARD_IA',
  'INTELLIGENT_TIERING',
  'MAZ_INTELLIGENT_TIERING',
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** Normalises a storage class case-insensitively (C143); unknown values are NotSupportedStorageClass (C144). */
export function parseStorageClass(value: string | undefined): StorageClass {
  if (value === undefined || value.trim() === '') return 'STANDARD';
  const upper = value.trim().toUpperCase() as StorageClass;
  if (!STORAGE_CLASSES.includes(upper)) throw new CosError('NotSupportedStorageClass', `The storage class ${value} is not supported.`);
  return upper;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Parses `Range: bytes=first-last | first- | -suffix` against an object of `size` bytes (C161, C162).
 * Returns undefined when the header is absent or not a single byte range (then the whole object is
 * served, as HTTP says); throws InvalidRange when it cannot be satisfied.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw new CosError('InvalidRange');
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined; // syntactically invalid: ignore, per RFC 9110
  if (start >= size) throw new CosError('InvalidRange');
  return { start, end };
}

/** An HTTP date (RFC 1123), or undefined when unparsable (then the condition is ignored, as HTTP says). */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

function etagMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((item) => {
    const t = item.trim().replace(/^W\//, '');
    return t === '*' || t.replace(/^"|"$/g, '') === bare;
  });
}

/**
 * Evaluates GET/HEAD preconditions in RFC 9110 order (C163-C166). Returns 'ok', 'not-modified'
 * (304) or 'failed' (412). Times compare at second precision, as HTTP dates carry.
 */
export function evaluatePreconditions(p: Preconditions, etag: string, lastModifiedMs: number): 'ok' | 'not-modified' | 'failed' {
  const lastModified = Math.floor(lastModifiedMs / 1000) * 1000;
  if (p.ifMatch !== undefined) {
    if (!etagMatches(p.ifMatch, etag)) return 'failed';
  } else {
    const since = parseHttpDate(p.ifUnmodifiedSince);
    if (since !== undefined && lastModified > since) return 'failed';
  }
  if (p.ifNoneMatch !== undefined) {
    if (etagMatches(p.ifNoneMatch, etag)) return 'not-modified';
  } else {
    const since = parseHttpDate(p.ifModifiedSince);
    if (since !== undefined && lastModified <= since) return 'not-modified';
  }
  return 'ok';
}

/** RFC 1123, as in Last-Modified and Date. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** ISO 8601 with milliseconds and Z, as in list XML (C135, FEATURES §5 #18). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/** A quoted ETag from an MD5 hex digest (C133). */
export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** Base64 Content-MD5 to hex, or undefined when it is not a 16-byte Base64 value. */
export function contentMd5ToHex(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(trimmed)) return undefined;
  return Array.from(atob(trimmed), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}
