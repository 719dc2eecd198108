/**
 * fast-check arbitraries for hostile input. Header values are byte strings (one char per byte):
 * what reaches the server is exactly those bytes, whatever Node's own client would allow.
 */
import fc from 'fast-check';
import { bytesOf } from './live.js';

/** Breaks the HTTP parser lets through or not: CR, LF, NUL, obs-fold, a smuggled header. */
const BREAKS = ['\r\n', '\r', '\n', '\0', '\r\n ', '\r\n\t', '\t', '\x7f', '\x1b', '\r\nx-cos-acl: public-read-write', '\nSet-Cookie: a=b', '"', "'", ';', ',', '%0d%0a', '\\'];

/** Text in every script, surrogates and private use included. */
export const anyText = fc.string({ unit: 'binary', maxLength: 24 });

/** Values a header of COS could plausibly carry, as seeds for the rest. */
const PLAUSIBLE = [
  'text/plain', 'application/octet-stream; charset=utf-8', 'attachment; filename="a.txt"', "attachment; filename*=UTF-8''%E6%97%A5.txt",
  'gzip', 'max-age=0, no-cache', 'Wed, 21 Oct 2015 07:28:00 GMT', '0', '-1', '99999999999999999999', 'bytes=0-1', 'bytes=-1', 'bytes=5-2',
  'private', 'public-read', 'public-read-write', 'default', 'id="qcs::cam::anyone:anyone"', 'id="qcs::cam::uin/1:uin/2",id=""',
  'STANDARD', 'ARCHIVE', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING', 'Copy', 'Replaced', 'a=b&c=d', 'a', '=', '&&&', '%', '%zz', '%E6%97',
  '819200', '1e400', 'NaN', 'AES256', 'cos/kms', '*', 'GET', 'http://example.com', '1B2M2Y8AsgTpgAmY7PhCfg==', 'not-base64!',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709', '"etag"', 'W/"x"', '/other-1250000000/key', 'a.cos.ap-guangzhou.myqcloud.com/%',
];

/** A header value, as the bytes on the wire. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PLAUSIBLE),
  fc.string({ maxLength: 40 }),
  anyText.map(bytesOf),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.tuple(fc.constantFrom(...PLAUSIBLE, ''), fc.constantFrom(...BREAKS), fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c),
  fc.constant(''),
  fc.constant(' '),
  fc.tuple(fc.constantFrom('a', 'ä', '日', '%', '\u00ff'), fc.integer({ min: 1000, max: 12000 })).map(([c, n]) => bytesOf(c.repeat(n))),
);

/** Headers that end up stored with an object and come back on GET/HEAD. */
export const STORED_HEADERS = ['Content-Type', 'Cache-Control', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Expires'];

const OTHER_HEADERS = [
  'x-cos-acl', 'x-cos-grant-read', 'x-cos-grant-write', 'x-cos-grant-read-acp', 'x-cos-grant-write-acp', 'x-cos-grant-full-control',
  'x-cos-storage-class', 'x-cos-tagging', 'x-cos-tagging-directive', 'x-cos-metadata-directive', 'x-cos-copy-source',
  'x-cos-copy-source-range', 'x-cos-copy-source-If-Match', 'x-cos-copy-source-If-Modified-Since', 'x-cos-traffic-limit',
  'x-cos-server-side-encryption', 'x-cos-server-side-encryption-customer-algorithm', 'x-cos-server-side-encryption-customer-key',
  'x-cos-server-side-encryption-customer-key-MD5', 'Content-MD5', 'x-cos-content-sha1', 'x-cos-security-token', 'Range', 'If-Match',
  'If-None-Match', 'If-Modified-Since', 'If-Unmodified-Since', 'Origin', 'Access-Control-Request-Method',
  'Access-Control-Request-Headers', 'x-cos-version-id', 'Content-Language', 'Expect',
];

/** A header name: one COS reads, an `x-cos-meta-*` one, or garbage. */
export const headerName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STORED_HEADERS) },
  { weight: 4, arbitrary: fc.constantFrom(...OTHER_HEADERS) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9_.-]{0,12}$/).map((s) => `x-cos-meta-${s}`) },
  { weight: 1, arbitrary: anyText.map((s) => `x-cos-meta-${bytesOf(s)}`) },
);

/** One to four headers, no name twice (Node would merge or drop duplicates before the signature). */
export const headerSet = fc.uniqueArray(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 4, selector: ([name]) => name.toLowerCase() });

/** Hostile text for values that arrive decoded (query parameters, form fields): any code point. */
export const decodedValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PLAUSIBLE),
  fc.string({ maxLength: 30 }),
  anyText,
  fc.tuple(fc.constantFrom(...PLAUSIBLE, ''), fc.constantFrom(...BREAKS), anyText).map(([a, b, c]) => a + b + c),
  fc.constant(''),
  fc.tuple(fc.constantFrom('a', 'ä', '日', '\u0000', '\u{1F600}'), fc.integer({ min: 500, max: 6000 })).map(([c, n]) => c.repeat(n)),
);

/** A query value as written in a URL: percent-encoded, or raw, or broken percent-encoding. */
export function encodeValue(value: string, style: number): string {
  switch (style % 3) {
    case 0:
      return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
    case 1:
      return bytesOf(value).replace(/[\s&#%]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
    default:
      return bytesOf(value).replace(/[ \r\n#]/g, '') + '%';
  }
}

/** Object keys: unicode, dot segments, percent signs, control characters, very long ones. */
export const objectKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  anyText.filter((s) => s.length > 0),
  fc.constantFrom('..', '../', '../../etc/passwd', './a', 'a/../b', '/', '//', 'a//b', '%', '%25', '%2F', '?', '#', '+', ' ', '\u0000', '\r\n', '\u202e', 'CON', '.', '...', '~', 'a\\b'),
  fc.array(fc.constantFrom('..', '.', '', '%', 'a', '日本', '\u0001', '\u007f', '\uFEFF', ' '), { minLength: 1, maxLength: 8 }).map((p) => p.join('/')),
  fc.tuple(fc.constantFrom('a', 'é', '日', '😀', '/'), fc.integer({ min: 200, max: 1200 })).map(([c, n]) => c.repeat(n)),
);

/** Sub-resource names the router knows, ones it does not, and near misses. */
export const SUBRESOURCES = [
  'acl', 'cors', 'lifecycle', 'location', 'versioning', 'versions', 'tagging', 'uploads', 'uploadId', 'partNumber', 'delete',
  'append', 'position', 'restore', 'versionId', 'policy', 'website', 'replication', 'logging', 'inventory', 'select', 'torrent',
  'ACL', 'Acl', 'uploadid', 'UPLOADS', 'max-keys', 'prefix', 'marker', 'delimiter', 'encoding-type', 'key-marker',
  'version-id-marker', 'upload-id-marker', 'max-uploads', 'max-parts', 'part-number-marker', 'response-content-type',
  'response-content-disposition', 'response-cache-control', 'x-cos-security-token', 'q-sign-algorithm', 'q-ak', 'q-signature',
  'q-sign-time', 'q-key-time', 'q-header-list', 'q-url-param-list', '__proto__', 'constructor', 'hasOwnProperty', '', '=',
  'referer', 'encryption', 'accelerate', 'domain', 'Policy', 'WEBSITE',

  'object-lock', 'intelligenttiering', 'intelligent-tiering', 'origin', 'id', 'continuation-token', 'Logging', 'INVENTORY',
];

/** A raw query string: known and unknown names, duplicates, empty values, broken escapes. */
export const rawQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...SUBRESOURCES) }, { weight: 1, arbitrary: anyText }),
      fc.option(decodedValue, { nil: undefined }),
      fc.nat(5),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .chain((pairs) =>
    // Duplicate a parameter now and then (`?acl&acl`, `?versionId=a&versionId=b`).
    fc.constantFrom(...pairs.map((_, i) => i), -1).map((dup) => (dup >= 0 ? [...pairs, pairs[dup]] : pairs)),
  )
  .map((pairs) =>
    pairs
      .map(([name, value, style]) => {
        const n = encodeValue(name, style);
        return value === undefined ? n : `${n}=${encodeValue(value, style + 1)}`;
      })
      .join(style(pairs)),
  );

function style(pairs: unknown[]): string {
  return pairs.length % 7 === 0 ? '&&' : '&';
}
