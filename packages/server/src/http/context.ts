/**
 * What a handler sees of a request (RequestContext) and what it gives back (ResponseSpec).
 * The body stays a stream; nothing here buffers an upload.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { CosError, type OperationName } from '@cosbox/protocol';
import type { Caller } from '../auth/authenticate.js';
import type { Address } from '../routing/address.js';
import type { BucketRecord } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import type { Dialect } from './s3-dialect.js';

export interface ResponseSpec {
  status: number;
  headers?: Record<string, string | number | undefined>;
  /** A string or Buffer is sent with its length; a stream needs Content-Length set by the handler. */
  body?: string | Buffer | Readable;
  /**
   * The dialect to answer in, when only the handler knows it: a POST form carries its signature in
   * its fields (AWS V4/V2 fields: 's3'). Otherwise the request's (RequestContext.dialect).
   */
  dialect?: Dialect;
}

export interface RequestContext {
  readonly requestId: string;
  readonly method: string;
  readonly op: OperationName;
  /** The words the request is answered in: COS's, or S3's for a request signed with AWS V4/V2. */
  readonly dialect: Dialect;
  readonly address: Address;
  readonly host: string;
  readonly query: ReadonlyMap<string, string>;
  readonly caller: Caller;
  /** The bucket the request addresses, loaded and checked before the handler runs (not for PutBucket). */
  readonly bucket: BucketRecord | undefined;
  readonly services: Services;
  /** Milliseconds since the epoch when the request arrived. */
  readonly now: number;
  header(name: string): string | undefined;
  /** The raw lower-cased headers. */
  readonly headers: IncomingMessage['headers'];
  /** The client's IP address (IPv4-mapped IPv6 as plain IPv4), for bucket policy conditions. */
  readonly clientIp?: string;
  /** Aborted when the client goes away before its response is sent (cancels waits, e.g. a throttle's). */
  readonly signal: AbortSignal;
  /** The request body as a stream (answers `Expect: 100-continue` on first use). */
  body(): AsyncIterable<Uint8Array>;
  /** The whole body, for small XML documents; MaxMessageLengthExceeded past `limit` bytes. */
  readBody(limit: number): Promise<Buffer>;
}

/** The bucket, which every bucket and object handler has (the pipeline guarantees it). */
export function bucketOf(ctx: RequestContext): BucketRecord {
  if (!ctx.bucket) throw new CosError('NoSuchBucket');
  return ctx.bucket;
}

/** The object key, which every object handler has. */
export function keyOf(ctx: RequestContext): string {
  if (ctx.address.key === undefined) throw new CosError('InvalidURI');
  return ctx.address.key;
}

export function emptyResponse(status = 200, headers: ResponseSpec['headers'] = {}): ResponseSpec {
  return { status, headers };
}

export function xmlResponse(xml: string, status = 200, headers: ResponseSpec['headers'] = {}): ResponseSpec {
  return { status, headers: { 'Content-Type': 'application/xml', ...headers }, body: xml };
}

/** What bucket policy conditions and the referer check see of a request (client address, headers, query). */
export function requestFacts(ctx: RequestContext): { clientIp?: string; header(name: string): string | undefined; query: ReadonlyMap<string, string> } {
  return { clientIp: ctx.clientIp, header: (name) => ctx.header(name), query: ctx.query };
}
