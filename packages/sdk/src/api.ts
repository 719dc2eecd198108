/**
 * A method of the SDK is a declarative MethodSpec: its HTTP shape (method, what it addresses, the
 * sub-resource, query, body) and how the answer becomes the official result object. `run` is the one
 * place that turns a spec and params into a request and a result.
 */
import type { Headers, Query, Scope } from './auth.js';
import { CosSdkError, asCosSdkError } from './errors.js';
import { checkParams, requestHeaders, type CommonParams, type Target } from './params.js';
import { progressReporter, type OnProgress } from './progress.js';
import { submit, type Client, type Response } from './request.js';
import { bodyLength, platform, type Output, type RequestBody } from './transport.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS';

export interface MethodSpec<P extends CommonParams, R> {
  /** The CAM action (`name/cos:<cam>`), for getAuthorization callbacks that issue scoped keys. */
  cam?: string;
  method: HttpMethod;
  target: Target;
  /** The sub-resource: `?uploads`, `?delete`, ... */
  action?: string;
  /** The endpoint when it is not the bucket's (GET Service). */
  endpoint?(p: P, client: Client): { url: string; signHost: string };
  query?(p: P): Query;
  /** Appended to the query unencoded and unsigned. */
  rawQuery?(p: P): string | undefined;
  /** Adjusts the headers mapped from the params. */
  headers?(p: P, headers: Headers, client: Client): void;
  /** An XML body, sent with Content-Type application/xml and its Content-MD5. */
  xml?(p: P): string | undefined;
  body?(p: P): RequestBody | undefined;
  /** Where a 2xx body goes instead of the result. */
  output?(p: P): Output | undefined;
  /** Throws a CosSdkError for params the official SDK refuses before sending. */
  check?(p: P, client: Client): void;
  /** The permissions the request needs when they are not just `cam` on the key. */
  scope?(p: P, client: Client): Scope;
  /** The resource of the default scope when it is not the key (a listing's prefix). */
  resourceKey?(p: P): string;
  /** onProgress reports bytes sent (upload) or received (download). */
  progress?: 'upload' | 'download';
  /** A 2xx body is the result's bytes (getObject), not XML. */
  rawBody?: boolean;
  /** A 2xx answer may carry an <Error> (copies, Complete Multipart Upload). */
  errorIn2xx?: boolean;
  result(res: Response, p: P, client: Client): R;
  /** Failures the official SDK reports as data (304 NotModified, 404 BucketNotFound). */
  recover?(err: CosSdkError, p: P): R | undefined;
  /** Reshapes an error the official SDK words its own way (getBucketPolicy's ErrorStatus). */
  mapError?(err: CosSdkError, p: P): CosSdkError;
}

/** `{ statusCode, headers }`, the result of methods that return nothing else. */
export interface GeneralResult {
  statusCode?: number;
  headers?: Record<string, string>;
  RequestId?: string;
}

export type CosError = null | CosSdkError;
export type Callback<R> = (err: CosError, data: R) => void;

export interface ApiMethod<P, R> {
  (params: P, callback: Callback<R>): void;
  (params: P): Promise<R>;
}

/** A method whose params may all be left out (getService). */
export interface OptionalParamsApiMethod<P, R> extends ApiMethod<P, R> {
  (callback: Callback<R>): void;
  (): Promise<R>;
}

export type ApiOf<Table> = {
  [K in keyof Table]: Table[K] extends MethodSpec<infer P, infer R>
    ? object extends P
      ? OptionalParamsApiMethod<P, R>
      : ApiMethod<P, R>
    : never;
};

/** The API of methods implemented as functions of the client (the advanced methods). */
export type FunctionsApiOf<Table> = {
  [K in keyof Table]: Table[K] extends (client: Client, params: infer P) => Promise<infer R> ? ApiMethod<P, R> : never;
};

/** Declares a method with its params and result types. */
export function method<P extends CommonParams, R>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}

/** `{ ...doc, statusCode, headers }`: the answer's parsed XML with the HTTP status and headers. */
export function withStatus<T extends object>(res: Response, fields: T): T & GeneralResult {
  return { ...fields, statusCode: res.statusCode, headers: res.headers };
}

/** The result of the methods that return nothing but the status and headers. */
export const statusOnly = (res: Response): GeneralResult => withStatus(res, {});

/** The result of the methods that return the answer's whole parsed body as it is. */
export const wholeDocument = (res: Response): GeneralResult => withStatus(res, res.doc);

/** The header fields the official SDK copies onto every result and error (apiWrapper formatResult). */
function withHeaderFields<T>(value: T): T {
  const target = value as { headers?: Record<string, string>; RequestId?: string; VersionId?: string; DeleteMarker?: string };
  const headers = target?.headers;
  if (!headers) return value;
  if (headers['x-cos-request-id']) target.RequestId = headers['x-cos-request-id'];
  if (headers['x-cos-version-id']) target.VersionId = headers['x-cos-version-id'];
  if (headers['x-cos-delete-marker']) target.DeleteMarker = headers['x-cos-delete-marker'];
  return value;
}

export async function run<P extends CommonParams, R>(client: Client, spec: MethodSpec<P, R>, input: P): Promise<R> {
  const params = checkParams(spec.target, input ?? ({} as P), client.options);
  spec.check?.(params, client);

  const headers = requestHeaders(params);
  spec.headers?.(params, headers, client);
  let body = spec.body?.(params);
  const xml = spec.xml?.(params);
  if (xml !== undefined) {
    // Without the <?xml?> declaration, byte for byte the body the official SDK sends (its
    // json2xml writes none), so both sign the same Content-MD5 (test/e2e/sdk-wire.test.ts).
    body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
    headers['Content-Type'] = 'application/xml';
    headers['Content-MD5'] = platform().crypto.md5Base64(body);
  }

  const onProgress = (params as { onProgress?: OnProgress }).onProgress;
  const uploadSize = body === undefined ? 0 : (bodyLength(body) ?? Number(headers['Content-Length'] ?? 0));
  const reporter =
    spec.progress && typeof onProgress === 'function'
      ? progressReporter(onProgress, spec.progress === 'upload' ? uploadSize : 0, client.options.ProgressInterval)
      : undefined;
  const endpoint = spec.endpoint?.(params, client);
  const key = spec.target === 'object' ? params.Key : undefined;
  try {
    reporter?.update(undefined, true);
    const res = await submit(client, {
      method: spec.method,
      bucket: params.Bucket,
      region: params.Region,
      key,
      url: endpoint?.url,
      signHost: endpoint?.signHost,
      action: spec.action,
      query: spec.query?.(params),
      rawQuery: spec.rawQuery?.(params),
      headers,
      body,
      output: spec.output?.(params),
      rawBody: spec.rawBody,
      errorIn2xx: spec.errorIn2xx,
      scope: spec.scope?.(params, client) ?? [
        { action: `name/cos:${spec.cam ?? ''}`, bucket: params.Bucket ?? '', region: params.Region ?? '', prefix: spec.resourceKey?.(params) ?? key ?? '' },
      ],
      signal: params.Signal,
      onUploadProgress: spec.progress === 'upload' ? (p) => reporter?.update(p) : undefined,
      onDownloadProgress: spec.progress === 'download' ? (p) => reporter?.update(p) : undefined,
    });
    reporter?.update(spec.progress === 'upload' ? { loaded: uploadSize, total: uploadSize } : undefined, true);
    return withHeaderFields(spec.result(res, params, client));
  } catch (e) {
    reporter?.update(undefined, true);
    const err = asCosSdkError(e);
    const recovered = spec.recover?.(err, params);
    if (recovered !== undefined) return withHeaderFields(recovered);
    throw withHeaderFields(spec.mapError ? spec.mapError(err, params) : err);
  }
}
