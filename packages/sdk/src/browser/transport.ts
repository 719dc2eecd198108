/**
 * The browser transport: one XMLHttpRequest per exchange, as cos-js-sdk-v5 sends them (fetch has no
 * upload progress). Bodies are strings, bytes or Blobs (a File, or a slice of one: the browser reads
 * it from disk as it sends); upload progress comes from xhr.upload.onprogress and download progress
 * from xhr.onprogress. The headers a browser sets itself (Host, Content-Length, ...) are left to it:
 * it sends the values the signature was computed with.
 *
 * Cross-origin, the page sees only the response headers the bucket's CORS rules expose (ETag,
 * x-cos-request-id, ...), and a request CORS refuses fails like a network error.
 */
import { abortError } from '../errors.js';
import {
  isBlobBody,
  isFileSlice,
  isStreamBody,
  type Progress,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '../transport.js';

// The slice of the DOM's XMLHttpRequest used here: the package compiles with lib ES2022 (no DOM).
interface ProgressEventLike {
  loaded: number;
  total: number;
  lengthComputable: boolean;
}
interface Xhr {
  open(method: string, url: string, async: boolean): void;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders(): string;
  send(body?: string | Uint8Array | Blob | null): void;
  abort(): void;
  responseType: string;
  response: ArrayBuffer | null;
  status: number;
  statusText: string;
  timeout: number;
  upload: { onprogress: ((event: ProgressEventLike) => void) | null };
  onprogress: ((event: ProgressEventLike) => void) | null;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  ontimeout: (() => void) | null;
  onabort: (() => void) | null;
}
declare const XMLHttpRequest: new () => Xhr;

/**
 * Headers a page may not set (the Fetch standard's forbidden names, and User-Agent, which Chromium
 * still refuses): the browser sends its own, and logs an error for every attempt to set one.
 */
const FORBIDDEN_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'via',
]);

export function createBrowserTransport(): Transport {
  return { send };
}

/** An Error with a `code`, as the core expects of a failure without a response (it retries those). */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function send(request: TransportRequest): Promise<TransportResponse> {
  const { body, signal } = request;
  if (signal?.aborted) return Promise.reject(abortError());
  if (request.output) return Promise.reject(networkError('Error', 'Output (a stream or a file path) needs Node; in browsers getObject returns Body'));
  if (isFileSlice(body) || isStreamBody(body)) {
    return Promise.reject(networkError('Error', 'params Body format error, Only allow File|Blob|String.'));
  }

  return new Promise<TransportResponse>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const settle = (outcome: () => void) => {
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };

    xhr.open(request.method, request.url, true);
    xhr.responseType = 'arraybuffer';
    for (const [name, value] of Object.entries(request.headers)) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    if (request.timeout > 0) xhr.timeout = request.timeout;
    // Only listened to when asked for: an upload listener makes every request need a CORS preflight.
    if (request.onUploadProgress) xhr.upload.onprogress = progress(request.onUploadProgress);
    if (request.onDownloadProgress) xhr.onprogress = progress(request.onDownloadProgress);

    xhr.onload = () =>
      settle(() =>
        resolve({
          statusCode: xhr.status,
          statusMessage: xhr.statusText,
          headers: parseHeaders(xhr.getAllResponseHeaders()),
          body: new Uint8Array(xhr.response ?? new ArrayBuffer(0)),
        }),
      );
    // A browser tells a page no more than this: the connection failed, or CORS refused the answer.
    xhr.onerror = () => settle(() => reject(networkError('NetworkError', 'CORS blocked or network error')));
    xhr.ontimeout = () => settle(() => reject(networkError('ETIMEDOUT', 'timeout')));
    xhr.onabort = () => settle(() => reject(abortError()));
    signal?.addEventListener('abort', onAbort, { once: true });

    xhr.send(body === undefined ? null : typeof body === 'string' || body instanceof Uint8Array || isBlobBody(body) ? body : null);
  });
}

function progress(report: (p: Progress) => void): (event: ProgressEventLike) => void {
  return (event) => report({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
}

/** `getAllResponseHeaders()` (CRLF-separated `name: value` lines) with lower-case names. */
export function parseHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
