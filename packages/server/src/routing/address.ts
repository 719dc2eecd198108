/**
 * Where a request is addressed: service, bucket or object (FEATURES §1.1, C001-C006).
 *
 *  - virtual-hosted: Host `<name>-<appid>.cos.<region>.<any domain>` (myqcloud.com, localhost, ...),
 *    the legacy `<name>-<appid>.<region>.myqcloud.com`, or `<name>-<appid>.<--domain>`;
 *  - path style: `/<name>-<appid>/<key>` on any host that names no bucket (a bare IP, `localhost`,
 *    `cos.<region>.<domain>` as the SDKs' ForcePathStyle sends, or the service host);
 *  - S3's forms of the same (for S3 clients; the bucket is the full COS name): virtual-hosted
 *    `<name>-<appid>.s3.<region>.<any domain>` and `<name>-<appid>.s3.<any domain>`, path style on
 *    `s3.<region>.<domain>` or any host as above;
 *  - the Host may come from an absolute-form request line (`PUT http://host/key HTTP/1.1`).
 *
 * Keys are percent-decoded once and otherwise kept byte-exact: no dot-segment or slash
 * normalisation, `+` stays `+`.
 */
import { CosError, utf8Length } from '@cosbox/protocol';

export const MAX_KEY_BYTES = 850;

export interface Address {
  kind: 'service' | 'bucket' | 'object';
  bucket?: string;
  key?: string;
  /** The host that addresses the request: the Host header, or an absolute-form target's authority. */
  host: string;
  /** The region named by the Host, when it names one. */
  region?: string;
  /** The decoded request path, as a client signs it. */
  pathname: string;
  /** The path a client would have signed had it used virtual-hosted style (`/` + key). */
  virtualPathname: string;
  /** The raw query string (after '?'), undecoded. */
  rawQuery: string;
  /** The host is one of S3's forms (`<bucket>.s3.<...>`, `s3.<...>`): an anonymous request there speaks S3. */
  s3Host?: boolean;
  /** Addressed to the bucket's static website (`<bucket>.cos-website.<region>.<domain>`, issue 16). */
  website?: boolean;
}

export interface AddressingOptions {
  /** Extra domain: `<name>-<appid>.<domain>` addresses a bucket. */
  domain?: string;
}

/** `<name>-<appid>`, the name not starting or ending with a hyphen (as PUT Bucket requires). */
const BUCKET_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-\d+$/i;
const REGION = /^(?:[a-z]+-[a-z0-9-]+|accelerate)$/i;

/** Splits `host[:port]` into the host name, lower-cased (IPv6 literals keep their brackets off). */
export function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 ? trimmed.slice(0, colon) : trimmed;
}

/** The bucket and region a host names, if it names one. */
export function bucketFromHost(host: string, options: AddressingOptions = {}): { bucket: string; region?: string; s3Host?: boolean; website?: boolean } | undefined {
  const name = hostName(host);
  const labels = name.split('.');
  if (labels.length >= 3 && labels[1] === 's3') {
    // S3's `<bucket>.s3.<region>.<domain>` and `<bucket>.s3.<domain>`: the same rule as `.cos.`.
    if (!BUCKET_LABEL.test(labels[0])) throw new CosError('InvalidBucketName', `"${labels[0]}" is not a bucket name (<name>-<appid>).`);
    const region = labels.length >= 4 && REGION.test(labels[2]) ? labels[2] : undefined;
    return { bucket: labels[0], region, s3Host: true };
  }
  if (labels.length >= 4 && labels[1] === 'cos-website' && REGION.test(labels[2]) && labels[2] !== 'accelerate') {
    if (!BUCKET_LABEL.test(labels[0])) throw new CosError('InvalidBucketName', `"${labels[0]}" is not a bucket name (<name>-<appid>).`);
    return { bucket: labels[0], region: labels[2], website: true };
  }
  if (labels.length >= 4 && labels[1] === 'cos' && REGION.test(labels[2])) {
    // `<anything>.cos.<region>.` is a bucket endpoint: a name that is no bucket's is an error, not
    // a path-style request to the service host (which would answer 405).
    if (!BUCKET_LABEL.test(labels[0])) throw new CosError('InvalidBucketName', `"${labels[0]}" is not a bucket name (<name>-<appid>).`);
    return { bucket: labels[0], region: labels[2] };
  }
  if (labels.length === 4 && labels[2] === 'myqcloud' && labels[3] === 'com' && BUCKET_LABEL.test(labels[0])) {
    return { bucket: labels[0], region: labels[1] }; // legacy <bucket>.<region>.myqcloud.com (C003)
  }
  if (options.domain && name.endsWith('.' + options.domain.toLowerCase())) {
    const label = name.slice(0, -options.domain.length - 1);
    if (BUCKET_LABEL.test(label)) return { bucket: label };
  }
  return undefined;
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new CosError('InvalidURI');
  }
}

function checkKey(key: string): string {
  if (utf8Length(key) > MAX_KEY_BYTES) throw new CosError('InvalidURI', `The object key is longer than ${MAX_KEY_BYTES} bytes.`);
  return key;
}

/** Reads the address of a request from its Host header and request target. */
export function parseAddress(hostHeader: string | undefined, requestTarget: string, options: AddressingOptions = {}): Address {
  let host = hostHeader;
  let target = requestTarget;
  const absolute = /^https?:\/\/([^/?#]*)/i.exec(target);
  if (absolute) {
    // RFC 9112 §3.2.2: the authority of an absolute-form target replaces the Host header, for
    // addressing and for the signature alike. Userinfo has no place in a request target.
    if (absolute[1].includes('@')) throw new CosError('InvalidURI', 'The request target carries userinfo.');
    host = absolute[1];
    target = target.slice(absolute[0].length) || '/';
    if (!target.startsWith('/')) target = '/' + target; // `http://host?acl`
  }
  if (host === undefined || host.trim() === '') throw new CosError('MissingHost');
  const base: { host: string; s3Host?: boolean } = { host };

  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const rawQuery = q >= 0 ? target.slice(q + 1) : '';
  if (!rawPath.startsWith('/')) throw new CosError('InvalidURI');
  const pathname = decode(rawPath);

  const virtual = bucketFromHost(host, options);
  if (virtual) {
    const key = pathname.slice(1);
    if (key === '') return { ...base, kind: 'bucket', ...virtual, pathname, virtualPathname: pathname, rawQuery };
    return { ...base, kind: 'object', ...virtual, key: checkKey(key), pathname, virtualPathname: pathname, rawQuery };
  }

  // Path style: the first segment names the bucket.
  const labels = hostName(host).split('.');
  const service = labels[0] === 'cos' || labels[0] === 's3';
  const region = labels.length >= 3 && service && REGION.test(labels[1]) ? labels[1] : undefined;
  if (labels[0] === 's3' && labels.length >= 2) base.s3Host = true;
  const slash = rawPath.indexOf('/', 1);
  const rawBucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
  if (rawBucket === '') return { ...base, kind: 'service', pathname, virtualPathname: pathname, rawQuery };
  const bucket = decode(rawBucket);
  const rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  if (rawKey === '') return { ...base, kind: 'bucket', bucket, region, pathname, virtualPathname: '/', rawQuery };
  const key = checkKey(decode(rawKey));
  return { ...base, kind: 'object', bucket, region, key, pathname, virtualPathname: '/' + key, rawQuery };
}

/** Query parameters by lower-case name (first occurrence wins), decoded with form semantics. */
export function parseQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  if (rawQuery === '') return out;
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const lower = name.toLowerCase();
    if (!out.has(lower)) out.set(lower, value);
  }
  return out;
}

/** The website path form for loopback, where no website host resolves: `/-/website/<bucket>/<key>`. */
export const WEBSITE_PATH_PREFIX = '/-/website/';

/**
 * The website address a path-style request on `/-/website/<bucket>/<key>` stands for, or undefined
 * when the path is not of that form. The key is what follows the bucket, as decoded already.
 */
export function websitePathAddress(address: Address): Address | undefined {
  if (address.bucket !== '-' || !address.pathname.startsWith(WEBSITE_PATH_PREFIX)) return undefined;
  const rest = address.pathname.slice(WEBSITE_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET_LABEL.test(bucket)) throw new CosError('InvalidBucketName', 'The website path is /-/website/<bucket>/<key>.');
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  const base = { host: address.host, bucket, pathname: address.pathname, virtualPathname: '/' + key, rawQuery: address.rawQuery, website: true };
  return key === '' ? { ...base, kind: 'bucket' } : { ...base, kind: 'object', key: checkKey(key) };
}

/** The address of a request on a custom domain bound to `bucket` (PUT Bucket domain): virtual-hosted style. */
export function boundDomainAddress(address: Address, bucket: string, website: boolean): Address {
  const key = address.pathname.slice(1);
  const base = { host: address.host, bucket, pathname: address.pathname, virtualPathname: address.pathname, rawQuery: address.rawQuery, website };
  return key === '' ? { ...base, kind: 'bucket' } : { ...base, kind: 'object', key: checkKey(key) };
}

/** Whether a path-style host could be a custom domain: a name, not an IP literal nor localhost. */
export function mayBeCustomDomain(host: string): boolean {
  const name = hostName(host);
  return name.includes('.') && /[a-z]/.test(name) && !name.includes(':');
}
