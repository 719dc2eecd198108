/**
 * The one request core: every method of the SDK ends here. It builds the URL and headers, signs,
 * sends through the platform transport, turns the answer into `{ statusCode, headers, doc }` or a
 * CosSdkError, and retries what is worth retrying:
 *
 *  - network failures and 5xx answers, up to 3 more times with exponential backoff;
 *  - a copy answered 200 with an <Error> body of InternalError / SlowDown / ServiceUnavailable;
 *  - a signature refused for clock skew, once SystemClockOffset is corrected from the Date header;
 *  - never a 4xx, never a body that cannot be replayed (a stream), never a download into an Output.
 */
import type { AuthData, CredentialSource, Headers, Scope } from './auth.js';
import { abortError, CosSdkError, asCosSdkError, type CosErrorDocument } from './errors.js';
import type { ResolvedOptions } from './options.js';
import {
  bodyLength,
  isStreamBody,
  platform,
  type Output,
  type RequestBody,
  type Progress,
  type Transport,
  type TransportResponse,
} from './transport.js';
import { appendQuery, endpointUrl, hostOf, normalizeProtocol, queryString, redirectToIp } from './url.js';
import { VERSION } from './version.js';
import { parseResponseXml, type JsonObject } from './xml.js';

/** What the core needs of a COS instance. */
export interface Client {
  options: ResolvedOptions;
  credentials: CredentialSource;
  transport: Transport;
  /** Multipart uploads this instance is sending parts to: sliceUploadFile does not resume them twice. */
  uploadsInUse: Set<string>;
}

export interface RequestSpec {
  method: string;
  bucket?: string;
  region?: string;
  /** The object key (decoded). */
  key?: string;
  /** A full endpoint URL instead of the bucket's (GET Service). */
  url?: string;
  /** The Host to sign when `url` is given ('' to sign none). */
  signHost?: string;
  /** The sub-resource, sent as a bare name first in the query (`?uploads`) and signed as `uploads=`. */
  action?: string;
  /** Query parameters; undefined and null values are left out. */
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Appended to the URL as given: neither encoded nor signed (getObject's QueryString). */
  rawQuery?: string;
  headers: Headers;
  body?: RequestBody;
  /** 2xx bodies are streamed here. */
  output?: Output;
  /** 2xx bodies are returned as bytes rather than parsed. */
  rawBody?: boolean;
  /** A 2xx answer with an <Error> body is a failure (Complete Multipart Upload, copies). */
  errorIn2xx?: boolean;
  scope: Scope;
  signal?: AbortSignal;
  onUploadProgress?: (progress: Progress) => void;
  onDownloadProgress?: (progress: Progress) => void;
}

export interface Response {
  statusCode: number;
  headers: Record<string, string>;
  /** The parsed XML body ({} when there is none). */
  doc: JsonObject;
  /** The raw body of a `rawBody` request (absent when it went to an output). */
  body?: Uint8Array;
}

/** Attempts per request: the first and three retries, like the official SDK. */
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;
const BACKOFF_MAX_MS = 2000;
/** Codes of a 200-with-<Error> copy answer that are worth trying again. */
const RETRYABLE_COPY_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable']);
/** COS refuses a signature for clock skew with these; a 30 s difference makes us correct the clock. */
const CLOCK_SKEW_THRESHOLD_MS = 30_000;


function hasHeader(headers: Headers, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** Header values as strings, for the wire. */
function wireHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = String(v);
  return out;
}

function cleanQuery(query: RequestSpec['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

/** The headers every request carries, before signing (submitRequest in base.js). */
function baseHeaders(client: Client, spec: RequestSpec): Headers {
  const headers: Headers = { ...spec.headers, 'User-Agent': client.options.UserAgent || `cosbox-sdk-${VERSION}` };
  if (platform().setsContentLength) return headers;
  if (spec.body !== undefined && spec.body !== null) {
    const length = bodyLength(spec.body);
    if (length !== undefined && !hasHeader(headers, 'content-length')) headers['Content-Length'] = length;
    if (isStreamBody(spec.body) && !hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/octet-stream';
  } else if (spec.method.toUpperCase() !== 'GET') {
    headers['Content-Length'] = 0;
  }
  return headers;
}

/** Where a request goes. */
interface Destination {
  url: string;
  /** What errors report as their url: the endpoint and sub-resource without the parameters, as the official SDK does. */
  reportedUrl: string;
  /** The Host to sign ('' for none). */
  signHost: string;
  /** With the Ip option: the Host header to send (the endpoint's host, while the URL names the Ip). */
  ipHost?: string;
}

function destination(client: Client, spec: RequestSpec, query: Record<string, string>): Destination {
  const { options } = client;
  const protocol = normalizeProtocol(options.Protocol, platform().defaultProtocol());
  const region = options.UseAccelerate ? 'accelerate' : (spec.region ?? '');
  const endpoint = spec.url ?? endpointUrl({ protocol, domain: options.Domain, bucket: spec.bucket ?? '', region, key: spec.key });
  const signHost = spec.signHost ?? hostOf(endpoint);
  const reportedUrl = appendQuery(appendQuery(endpoint, spec.action ?? ''), spec.rawQuery ?? '');
  const url = appendQuery(reportedUrl, queryString(query));
  if (!options.Ip) return { url, reportedUrl, signHost };
  const redirected = redirectToIp(url, options.Ip);
  return { url: redirected.url, reportedUrl: redirectToIp(reportedUrl, options.Ip).url, signHost, ipHost: redirected.host };
}

export async function submit(client: Client, spec: RequestSpec): Promise<Response> {
  const { options } = client;
  const query = cleanQuery(spec.query);
  const signedQuery = spec.action ? { ...query, [spec.action]: '' } : query;
  const { url, reportedUrl, signHost, ipHost } = destination(client, spec, query);
  const headers = baseHeaders(client, spec);
  const replayable = !isStreamBody(spec.body) && !spec.output;

  for (let attempt = 1; ; attempt++) {
    if (spec.signal?.aborted) throw abortError();
    const attemptHeaders: Headers = attempt > 1 ? { ...headers, 'x-cos-sdk-retry': 'true' } : { ...headers };
    const auth = await client.credentials.authorize({
      method: spec.method,
      bucket: spec.bucket ?? '',
      region: spec.region ?? '',
      key: spec.key ?? '',
      query: signedQuery,
      headers: attemptHeaders,
      signHost,
      scope: spec.scope,
    });
    addAuthorization(attemptHeaders, auth);
    if (ipHost) attemptHeaders.Host = ipHost;
    const clockOffset = options.SystemClockOffset;
    let error: CosSdkError;
    try {
      const response = await client.transport.send({
        method: spec.method.toUpperCase(),
        url,
        headers: wireHeaders(attemptHeaders),
        body: spec.body,
        output: spec.output,
        signal: spec.signal,
        timeout: options.Timeout,
        onUploadProgress: spec.onUploadProgress,
        onDownloadProgress: spec.onDownloadProgress,
      });
      const outcome = interpret(response, spec);
      if (!(outcome instanceof CosSdkError)) return outcome;
      error = outcome;
    } catch (e) {
      if (spec.signal?.aborted) throw abortError();
      error = asCosSdkError(e);
    }
    error.url = reportedUrl;
    error.method = spec.method.toUpperCase();

    const retry = correctClock(options, error) || (replayable && isRetryable(error, spec));
    if (!retry || attempt >= MAX_ATTEMPTS) throw error;
    // A corrected clock needs no pause; anything else backs off.
    if (clockOffset === options.SystemClockOffset) await sleep(backoff(attempt), spec.signal);
  }
}

function addAuthorization(headers: Headers, auth: AuthData | undefined): void {
  if (!auth) return;
  headers.Authorization = auth.Authorization;
  if (auth.SecurityToken) headers['x-cos-security-token'] = auth.SecurityToken;
}

/** A response as a result, or as the CosSdkError the official SDK would make of it. */
function interpret(response: TransportResponse, spec: RequestSpec): Response | CosSdkError {
  const { statusCode, headers } = response;
  const success = Math.floor(statusCode / 100) === 2;
  if (success && spec.rawBody) return { statusCode, headers, doc: {}, body: response.body };
  const text = response.body ? new TextDecoder().decode(response.body) : '';
  const doc = parseResponseXml(text);
  const errorDoc = doc.Error;
  if (errorDoc && typeof errorDoc === 'object' && !Array.isArray(errorDoc) && (!success || spec.errorIn2xx)) {
    const document = errorDoc as unknown as CosErrorDocument;
    return new CosSdkError(document.Code, document.Message, { error: document, statusCode, headers });
  }
  if (success) return { statusCode, headers, doc };
  return new CosSdkError(String(statusCode), response.statusMessage, { statusCode, headers });
}

function isRetryable(error: CosSdkError, spec: RequestSpec): boolean {
  const status = error.statusCode;
  if (status === undefined) return error.code !== 'AbortError';
  if (status >= 500) return true;
  return spec.errorIn2xx === true && status < 300 && RETRYABLE_COPY_CODES.has(error.code);
}

/**
 * When COS refuses a signature as expired or not yet valid and its Date is 30 s or more from our
 * clock, moves SystemClockOffset to the server's time. Returns whether it did (the request is then
 * signed again and resent).
 */
function correctClock(options: ResolvedOptions, error: CosSdkError): boolean {
  const isTimeError =
    error.statusCode !== undefined &&
    (error.code === 'RequestTimeTooSkewed' || (error.code === 'AccessDenied' && error.message === 'Request has expired'));
  const serverDate = error.headers?.date;
  if (!isTimeError || !serverDate || !options.CorrectClockSkew) return false;
  const serverTime = Date.parse(serverDate);
  if (Number.isNaN(serverTime) || Math.abs(Date.now() + options.SystemClockOffset - serverTime) < CLOCK_SKEW_THRESHOLD_MS) return false;
  options.SystemClockOffset = serverTime - Date.now();
  return true;
}

/** 100 ms, 200 ms, 400 ms ... up to 2 s, each with up to 50 % random spread so clients do not retry in step. */
export function backoff(attempt: number): number {
  const base = Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
  return base + Math.floor(Math.random() * base * 0.5);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
