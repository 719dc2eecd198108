/**
 * From a method's params to what goes on the wire, before any method-specific work: the checks of
 * the official SDK's apiWrapper (required Bucket/Region/Key, their formats) and its formatParams,
 * which turns the named params into request headers (ContentType -> Content-Type, ACL -> x-cos-acl,
 * every `x-cos-*` param as it is) on top of `params.Headers`.
 */
import type { Headers } from './auth.js';
import { paramError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** Param name -> header name (util.js formatParams headerMap). */
export const HEADER_PARAMS: Readonly<Record<string, string>> = {
  MFA: 'x-cos-mfa',
  ContentMD5: 'Content-MD5',
  ContentLength: 'Content-Length',
  ContentType: 'Content-Type',
  Expect: 'Expect',
  Expires: 'Expires',
  CacheControl: 'Cache-Control',
  ContentDisposition: 'Content-Disposition',
  ContentEncoding: 'Content-Encoding',
  Range: 'Range',
  IfModifiedSince: 'If-Modified-Since',
  IfUnmodifiedSince: 'If-Unmodified-Since',
  IfMatch: 'If-Match',
  IfNoneMatch: 'If-None-Match',
  CopySource: 'x-cos-copy-source',
  CopySourceRange: 'x-cos-copy-source-Range',
  MetadataDirective: 'x-cos-metadata-directive',
  CopySourceIfModifiedSince: 'x-cos-copy-source-If-Modified-Since',
  CopySourceIfUnmodifiedSince: 'x-cos-copy-source-If-Unmodified-Since',
  CopySourceIfMatch: 'x-cos-copy-source-If-Match',
  CopySourceIfNoneMatch: 'x-cos-copy-source-If-None-Match',
  ACL: 'x-cos-acl',
  GrantRead: 'x-cos-grant-read',
  GrantWrite: 'x-cos-grant-write',
  GrantFullControl: 'x-cos-grant-full-control',
  GrantReadAcp: 'x-cos-grant-read-acp',
  GrantWriteAcp: 'x-cos-grant-write-acp',
  StorageClass: 'x-cos-storage-class',
  TrafficLimit: 'x-cos-traffic-limit',
  MimeLimit: 'x-cos-mime-limit',
  SSECustomerAlgorithm: 'x-cos-server-side-encryption-customer-algorithm',
  SSECustomerKey: 'x-cos-server-side-encryption-customer-key',
  SSECustomerKeyMD5: 'x-cos-server-side-encryption-customer-key-MD5',
  ServerSideEncryption: 'x-cos-server-side-encryption',
  SSEKMSKeyId: 'x-cos-server-side-encryption-cos-kms-key-id',
  SSEContext: 'x-cos-server-side-encryption-context',
  PicOperations: 'Pic-Operations',
};

/** The common params every bucket and object method takes. */
export interface CommonParams {
  Bucket?: string;
  Region?: string;
  Key?: string;
  /** Extra request headers, sent as given. */
  Headers?: Headers;
  /** Deprecated: appended to a Bucket given without its AppId. */
  AppId?: string;
  /** Aborts the call (and its retries): the callback gets / the Promise rejects with code 'AbortError'. */
  Signal?: AbortSignal;
}

/** `params.Headers` plus the named params and the `x-cos-*` params, undefined values dropped. */
export function requestHeaders(params: CommonParams): Headers {
  const headers: Headers = { ...params.Headers };
  const record = params as Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) {
    if (name.includes('x-cos-') && value !== undefined && value !== null) headers[name] = value as string;
  }
  for (const [param, header] of Object.entries(HEADER_PARAMS)) {
    const value = record[param];
    if (value !== undefined && value !== null) headers[header] = value as string;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) delete headers[name];
  }
  return headers;
}

export type Target = 'service' | 'bucket' | 'object';

const BUCKET_FORMAT = /^([a-z\d-]+)-(\d+)$/;
const REGION_FORMAT = /^([a-z\d-]+)$/;

/**
 * The official SDK's parameter checks. Returns the params to use (Bucket completed with AppId,
 * Key without its leading '/'), or throws a CosSdkError with the official message.
 */
export function checkParams<P extends CommonParams>(target: Target, input: P, options: ResolvedOptions): P {
  const params = { ...input };
  if (target === 'service') return params;
  if (!params.Bucket) throw paramError('missing param Bucket');
  if (!params.Region) throw paramError('missing param Region');
  if (target === 'object' && !params.Key) throw paramError('missing param Key');

  if (params.Region.includes('cos.')) throw paramError('param Region should not be start with "cos."');
  if (!REGION_FORMAT.test(params.Region)) throw paramError('Region format error.');
  if (!BUCKET_FORMAT.test(params.Bucket)) {
    const appId = params.AppId || options.AppId;
    if (!appId) throw paramError('Bucket should format as "test-1250000000".');
    params.Bucket = `${params.Bucket}-${appId}`;
  }
  delete params.AppId;
  if (!options.UseRawKey && params.Key?.startsWith('/')) params.Key = params.Key.slice(1);
  return params;
}
