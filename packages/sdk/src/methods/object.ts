/**
 * Object methods: headObject, getObject, putObject, appendObject, putObjectCopy, deleteObject,
 * deleteMultipleObject.
 */
import { buildXml } from '@cosbox/protocol';
import { method, statusOnly, wholeDocument, withStatus, type GeneralResult } from '../api.js';
import type { Headers, Query, Scope } from '../auth.js';
import { paramError, uploadParamError, type CosSdkError } from '../errors.js';
import type { OnProgress } from '../progress.js';
import type { Client } from '../request.js';
import type { QueuedUploadParams } from '../queue.js';
import { isBlobBody, isFileSlice, isStreamBody, platform, type BlobBody, type OutputSink, type StreamBody } from '../transport.js';
import { endpointUrl, locationOf, normalizeProtocol } from '../url.js';
import { asList, child, type JsonObject } from '../xml.js';
import type { BucketParams } from './bucket.js';

export interface ObjectParams extends BucketParams {
  /** The object key, without a leading '/'. */
  Key: string;
}

/** `x-cos-meta-*` params, stored with the object. */
export type MetaHeaders = { [name in `x-cos-meta-${string}`]?: string };

/** An upload body: a Buffer (any Uint8Array), a string, a Readable stream (Node), or a File or Blob. */
export type UploadBody = Uint8Array | string | StreamBody | BlobBody;

export type ObjectACL = 'default' | 'private' | 'public-read' | 'authenticated-read' | 'bucket-owner-read' | 'bucket-owner-full-control';

/** The headers an object is stored with (PUT Object, Initiate Multipart Upload, Append, Copy). */
export interface StoredObjectHeaders extends MetaHeaders {
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentType?: string;
  Expires?: string;
  ACL?: ObjectACL;
  GrantRead?: string;
  GrantReadAcp?: string;
  GrantWriteAcp?: string;
  GrantFullControl?: string;
  StorageClass?: string;
  ServerSideEncryption?: string;
}

export interface HeadObjectParams extends ObjectParams {
  VersionId?: string;
  IfModifiedSince?: string;
  IfUnmodifiedSince?: string;
  IfMatch?: string;
  IfNoneMatch?: string;
}
export interface HeadObjectResult extends GeneralResult {
  ETag?: string;
  VersionId?: string;
  /** true (with statusCode 304) when IfModifiedSince was given and the object is unchanged. */
  NotModified?: boolean;
}

export interface GetObjectParams extends ObjectParams {
  /** A writable stream, or a file path, that receives the body instead of `Body`. */
  Output?: OutputSink | string;
  /** Extra query parameters, encoded and signed. */
  Query?: Query;
  /** Appended to the query as given, neither encoded nor signed. */
  QueryString?: string;
  VersionId?: string;
  Range?: string;
  IfModifiedSince?: string;
  IfUnmodifiedSince?: string;
  IfMatch?: string;
  IfNoneMatch?: string;
  TrafficLimit?: number;
  ResponseContentType?: string;
  ResponseContentLanguage?: string;
  ResponseExpires?: string;
  ResponseCacheControl?: string;
  ResponseContentDisposition?: string;
  ResponseContentEncoding?: string;
  /** Browsers: the type of `Body`, as in cos-js-sdk-v5: 'text' (the default), 'blob' or 'arraybuffer'. */
  DataType?: 'text' | 'blob' | 'arraybuffer';
  onProgress?: OnProgress;
}
export interface GetObjectResult extends GeneralResult {
  /**
   * The object's bytes (absent when they went to Output). In browsers, as in cos-js-sdk-v5, a
   * string, or a Blob or an ArrayBuffer with `DataType`: the type names Node's Buffer.
   */
  Body?: Buffer;
  ETag?: string;
  VersionId?: string;
  /** true when IfModifiedSince was given and the object is unchanged. */
  NotModified?: boolean;
}

export interface PutObjectParams extends ObjectParams, StoredObjectHeaders, QueuedUploadParams {
  Body: UploadBody;
  /** Required for a stream body unless the server accepts chunked uploads. */
  ContentLength?: number;
  ContentMD5?: string;
  Expect?: string;
  TrafficLimit?: number;
  Query?: Query;
  onProgress?: OnProgress;
}
export interface PutObjectResult extends GeneralResult {
  ETag: string;
  /** The object URL without protocol. */
  Location: string;
  VersionId?: string;
}

export interface AppendObjectParams extends ObjectParams, StoredObjectHeaders {
  Body: UploadBody;
  /** 0 for the first append, then the object's length (x-cos-next-append-position). */
  Position: number;
  ContentLength?: number;
  ContentMD5?: string;
}
export type AppendObjectResult = GeneralResult;

/** The source of a copy and its conditions. */
export interface CopySourceParams {
  /** `sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/key` (key URL-encoded), optionally `?versionId=...`. */
  CopySource: string;
  CopySourceIfModifiedSince?: string;
  CopySourceIfUnmodifiedSince?: string;
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
}

export interface PutObjectCopyParams extends ObjectParams, StoredObjectHeaders, CopySourceParams {
  MetadataDirective?: 'Copy' | 'Replaced';
  GrantWrite?: string;
  VersionId?: string;
}
export interface PutObjectCopyResult extends GeneralResult {
  ETag: string;
  LastModified: string;
  CRC64?: string;
  VersionId?: string;
}

export interface DeleteObjectParams extends ObjectParams {
  VersionId?: string;
}
export interface DeleteObjectResult extends GeneralResult {
  /** true (with statusCode 404) when the bucket does not exist: the official SDK reports it as data. */
  BucketNotFound?: boolean;
}

export interface DeleteMultipleObjectParams extends BucketParams {
  Objects: { Key: string; VersionId?: string }[];
  Quiet?: boolean;
}
export interface DeleteMultipleObjectResult extends GeneralResult {
  Deleted: { Key: string; VersionId?: string; DeleteMarker?: string; DeleteMarkerVersionId?: string }[];
  Error: { Key: string; VersionId?: string; Code?: string; Message?: string }[];
}

/** The object URL without protocol, as putObject and multipartComplete report `Location`. */
export function objectLocation(client: Client, bucket: string, region: string, key: string): string {
  const { options } = client;
  const protocol = normalizeProtocol(options.Protocol, platform().defaultProtocol());
  return locationOf(endpointUrl({ protocol, domain: options.Domain, bucket, region: options.UseAccelerate ? 'accelerate' : region, key }));
}

/** Bucket, region and key of a CopySource (util.getSourceParams), or null when malformed. */
export function parseCopySource(client: Client, source: string): { Bucket: string; Region: string; Key: string } | null {
  const parser = client.options.CopySourceParser;
  if (parser) return parser(source);
  const m = /^([^.]+-\d+)\.cos(v6|-cdc|-internal)?\.([^.]+)\.((myqcloud\.com)|(tencentcos\.cn))\/(.+)$/.exec(source);
  return m ? { Bucket: m[1], Region: m[3], Key: m[7] } : null;
}

export function checkCopySource(p: CopySourceParams, client: Client): void {
  if (!parseCopySource(client, p.CopySource ?? '')) throw paramError('CopySource format error');
}

/** A copy needs GetObject on the source and PutObject on the target. */
export function copyScope(p: ObjectParams & CopySourceParams, client: Client): Scope {
  const source = parseCopySource(client, p.CopySource)!;
  return [
    { action: 'name/cos:GetObject', bucket: source.Bucket, region: source.Region, prefix: decodeURIComponent(source.Key) },
    { action: 'name/cos:PutObject', bucket: p.Bucket, region: p.Region, prefix: p.Key },
  ];
}

/**
 * What the two copies (putObjectCopy, uploadPartCopy) share: a PUT naming its source in
 * x-cos-copy-source, checked before sending, needing read on the source and write on the target,
 * and able to fail in a 200 answer (COS starts answering before the copy is done).
 */
export const COPY = {
  method: 'PUT',
  target: 'object',
  check: checkCopySource,
  scope: copyScope,
  errorIn2xx: true,
} as const;

/**
 * An empty Cache-Control (and Content-Type) when the caller sets none: the official SDK sends
 * them so that a proxy cannot add its own, which COS would store with the object.
 */
export function blankStoredHeaders(headers: Headers, ...names: string[]): void {
  for (const name of names) {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) headers[name] = '';
  }
}

/** UploadCheckContentMd5: Content-MD5 of a Buffer or string body. */
export function addBodyMd5(p: { Body?: UploadBody }, headers: Headers, client: Client): void {
  if (client.options.UploadCheckContentMd5 && (typeof p.Body === 'string' || p.Body instanceof Uint8Array)) {
    headers['Content-MD5'] = platform().crypto.md5Base64(p.Body);
  }
}

function checkUploadBody(p: { Body?: unknown }): void {
  if (p.Body === undefined) throw uploadParamError('missing param Body');
  const body = p.Body as UploadBody;
  // (A FileSlice is what uploadFile passes: not offered to callers, who have uploadFile.)
  if (!(typeof body === 'string' || body instanceof Uint8Array || isBlobBody(body) || isStreamBody(body) || isFileSlice(body))) {
    throw uploadParamError(
      platform().files ? 'params Body format error, Only allow Buffer|Stream|String.' : 'params Body format error, Only allow File|Blob|String.',
    );
  }
}

/** '/a/./b/../..' -> '/': a getObject key that would address the bucket instead. */
function simplifyPath(path: string): string {
  const stack: string[] = [];
  for (const name of path.split('/')) {
    if (name === '..') stack.pop();
    else if (name && name !== '.') stack.push(name);
  }
  return '/' + stack.join('/');
}

/** The query of a request on one version of an object (none without VersionId). */
export const versionQuery = (p: { VersionId?: string }) => ({ versionId: p.VersionId });

/** 304 with If-Modified-Since is "not modified", which the official SDK reports as data. */
function notModified(err: CosSdkError, p: { IfModifiedSince?: string; Headers?: Headers }): boolean {
  return err.statusCode === 304 && Boolean(p.IfModifiedSince ?? p.Headers?.['If-Modified-Since']);
}

export const objectMethods = {
  headObject: method<HeadObjectParams, HeadObjectResult>({
    cam: 'HeadObject',
    method: 'HEAD',
    target: 'object',
    query: versionQuery,
    result: (res) => withStatus(res, { ...res.doc, ETag: res.headers.etag ?? '' }),
    recover: (err, p) => (notModified(err, p) ? { NotModified: true, statusCode: 304 } : undefined),
  }),

  getObject: method<GetObjectParams, GetObjectResult>({
    cam: 'GetObject',
    method: 'GET',
    target: 'object',
    check: (p, client) => {
      if (client.options.ObjectKeySimplifyCheck && simplifyPath(p.Key) === '/') throw paramError('The Getobject Key is illegal');
    },
    query: (p) => ({
      ...p.Query,
      versionId: p.VersionId,
      'response-content-type': p.ResponseContentType,
      'response-content-language': p.ResponseContentLanguage,
      'response-expires': p.ResponseExpires,
      'response-cache-control': p.ResponseCacheControl,
      'response-content-disposition': p.ResponseContentDisposition,
      'response-content-encoding': p.ResponseContentEncoding,
    }),
    rawQuery: (p) => p.QueryString,
    output: (p) => (typeof p.Output === 'string' ? { kind: 'file-target', path: p.Output } : p.Output),
    rawBody: true,
    progress: 'download',
    result: (res, p) => {
      const result: GetObjectResult = {};
      if (!p.Output && res.body) result.Body = platform().responseBody(res.body, p.DataType, res.headers['content-type']) as Buffer;
      return withStatus(res, { ...result, ETag: res.headers.etag ?? '' });
    },
    recover: (err, p) => (notModified(err, p) ? { NotModified: true } : undefined),
  }),

  putObject: method<PutObjectParams, PutObjectResult>({
    cam: 'PutObject',
    method: 'PUT',
    target: 'object',
    check: checkUploadBody,
    headers: (p, headers, client) => {
      blankStoredHeaders(headers, 'Cache-Control');
      addBodyMd5(p, headers, client);
    },
    query: (p) => p.Query ?? {},
    body: (p) => p.Body,
    progress: 'upload',
    result: (res, p, client) =>
      withStatus(res, { ...res.doc, Location: objectLocation(client, p.Bucket, p.Region, p.Key), ETag: res.headers.etag ?? '' }),
  }),

  appendObject: method<AppendObjectParams, AppendObjectResult>({
    cam: 'AppendObject',
    method: 'POST',
    target: 'object',
    action: 'append',
    headers: (_p, headers) => blankStoredHeaders(headers, 'Cache-Control'),
    query: (p) => ({ position: p.Position }),
    body: (p) => p.Body,
    result: wholeDocument,
  }),

  putObjectCopy: method<PutObjectCopyParams, PutObjectCopyResult>({
    ...COPY,
    headers: (_p, headers) => blankStoredHeaders(headers, 'Cache-Control'),
    query: versionQuery,
    result: (res) => withStatus(res, child(res.doc, 'CopyObjectResult') as unknown as PutObjectCopyResult),
  }),

  deleteObject: method<DeleteObjectParams, DeleteObjectResult>({
    cam: 'DeleteObject',
    method: 'DELETE',
    target: 'object',
    query: versionQuery,
    result: statusOnly,
    recover: (err) => (err.statusCode === 404 ? { BucketNotFound: true, statusCode: 404 } : undefined),
  }),

  deleteMultipleObject: method<DeleteMultipleObjectParams, DeleteMultipleObjectResult>({
    method: 'POST',
    target: 'bucket',
    action: 'delete',
    xml: (p) => buildXml('Delete', { Object: asList(p.Objects as unknown as JsonObject[]), Quiet: p.Quiet ?? false }),
    scope: (p) =>
      asList<{ Key: string }>(p.Objects as unknown as JsonObject[]).map((o) => ({
        action: 'name/cos:DeleteObject',
        bucket: p.Bucket,
        region: p.Region,
        prefix: o.Key,
      })),
    result: (res) => {
      const result = child(res.doc, 'DeleteResult');
      return withStatus(res, {
        ...result,
        Deleted: asList<DeleteMultipleObjectResult['Deleted'][number]>(result.Deleted),
        Error: asList<DeleteMultipleObjectResult['Error'][number]>(result.Error),
      });
    },
  }),
};
