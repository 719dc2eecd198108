/**
 * What the SDK needs from the platform it runs on: one HTTP exchange at a time (the transport), and
 * the hashes of the signature and of Content-MD5. The request core speaks only to these interfaces,
 * so Node (node:http/https, node:crypto; ./node/) and browsers (XMLHttpRequest, the pure hashes of
 * @cosbox/protocol; ./browser/) plug in underneath without the core importing any built-in.
 */
import type { SignatureCrypto } from '@cosbox/protocol';

/** A byte source read from the start on every attempt, so a request with it can be retried. */
export interface FileSlice {
  readonly kind: 'file-slice';
  readonly path: string;
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, exclusive. */
  readonly end: number;
}

/** A one-shot byte stream (a Node Readable): it cannot be replayed, so its request is never retried. */
export interface StreamBody {
  pipe: (...args: never[]) => unknown;
}

/**
 * A Blob or File (browsers; Node 20 has Blob too): read from the start on every attempt, so it can
 * be retried, and sliced for uploads in parts without reading it into memory.
 */
export type BlobBody = Blob;

export type RequestBody = string | Uint8Array | FileSlice | StreamBody | BlobBody;

/** Where a successful response body goes instead of memory (a Node Writable). */
export interface OutputSink {
  write: (...args: never[]) => unknown;
  end: (...args: never[]) => unknown;
}

/** What the SDK does with the stream it returns: writes, ends, reports failure when someone listens. */
export interface PassThroughLike {
  emit(event: 'error', error: unknown): boolean;
  listenerCount(event: string): number;
  end(chunk?: unknown): unknown;
}

/** A file the transport creates for a successful response body only, so a failed download leaves none. */
export interface FileTarget {
  readonly kind: 'file-target';
  readonly path: string;
}

export type Output = OutputSink | FileTarget;

export interface Progress {
  loaded: number;
  total: number;
}

export interface TransportRequest {
  method: string;
  /** Absolute URL, already carrying its query string. */
  url: string;
  headers: Record<string, string>;
  body?: RequestBody;
  /** 2xx bodies are streamed here and not buffered. */
  output?: Output;
  signal?: AbortSignal;
  /** Milliseconds without socket activity before the exchange fails; 0 for none. */
  timeout: number;
  onUploadProgress?: (progress: Progress) => void;
  onDownloadProgress?: (progress: Progress) => void;
}

export interface TransportResponse {
  statusCode: number;
  statusMessage: string;
  /** Lower-case names, as Node reports them. */
  headers: Record<string, string>;
  /** The body, unless it went to `output`. */
  body?: Uint8Array;
}

/** Rejects with an Error carrying a `code` (ECONNRESET, ETIMEDOUT, ...) when no response arrives. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
}

export interface TransportOptions {
  keepAlive: boolean;
  strictSsl: boolean;
  /** An HTTP proxy URL ('' for none: Node then reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY). */
  proxy?: string;
}

/** Local files, for the uploads that take a FilePath (Node). */
export interface LocalFiles {
  stat(path: string): Promise<{ size: number; isDirectory: boolean }>;
  /** hex MD5 of a slice of a file. */
  md5Hex(slice: FileSlice): Promise<string>;
  /** The MIME type of a file by its extension, if known. */
  contentType(path: string): string | undefined;
}

export interface Platform {
  /** The protocol used when the options name none ('https:' in Node, the page's in browsers). */
  defaultProtocol(): 'http:' | 'https:';
  createTransport(options: TransportOptions): Transport;
  crypto: SignatureCrypto & {
    /** base64 of the MD5 of the UTF-8 bytes (Content-MD5). */
    md5Base64(data: string | Uint8Array): string;
  };
  /** Absent where there are no local files (browsers). */
  files?: LocalFiles;
  /** A PassThrough stream, for getObjectStream and selectObjectContentStream (Node only). */
  createPassThrough?(): OutputSink & StreamBody & PassThroughLike;
  /**
   * The HTTP stack sets Content-Length itself and sends none for a body-less GET, HEAD or DELETE
   * (browsers): the core then adds none, so it is signed only when the caller gives ContentLength,
   * as cos-js-sdk-v5 does.
   */
  setsContentLength?: boolean;
  /**
   * getObject's `Body` made of the bytes received: a Buffer in Node; in browsers what the official
   * browser SDK gives for its `DataType` param (a string by default, or a Blob or an ArrayBuffer).
   */
  responseBody(bytes: Uint8Array, dataType: string | undefined, contentType: string | undefined): unknown;
}

let installed: Platform | undefined;

/** Called once by the entry point (index.ts for Node). */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

export function platform(): Platform {
  if (!installed) throw new Error('@cosbox/sdk: no platform installed; import the package entry point');
  return installed;
}

export function fileSlice(path: string, start: number, end: number): FileSlice {
  return { kind: 'file-slice', path, start, end };
}

export function isFileSlice(body: RequestBody | undefined): body is FileSlice {
  return typeof body === 'object' && body !== null && (body as FileSlice).kind === 'file-slice';
}

export function isFileTarget(output: Output | undefined): output is FileTarget {
  return typeof output === 'object' && output !== null && (output as FileTarget).kind === 'file-target';
}

export function isBlobBody(body: unknown): body is BlobBody {
  return typeof Blob !== 'undefined' && body instanceof Blob;
}

export function isStreamBody(body: RequestBody | undefined): body is StreamBody {
  return typeof body === 'object' && body !== null && typeof (body as StreamBody).pipe === 'function';
}

const utf8 = new TextEncoder();

/** The byte length of a body known before sending; undefined for a stream. */
export function bodyLength(body: RequestBody): number | undefined {
  if (typeof body === 'string') return utf8.encode(body).length;
  if (body instanceof Uint8Array) return body.byteLength;
  if (isFileSlice(body)) return body.end - body.start;
  if (isBlobBody(body)) return body.size;
  return undefined;
}
