/**
 * One request, end to end: address -> operation -> caller -> bucket -> access -> handler -> response.
 * Anything thrown becomes a COS error document here and only here; no stack trace leaves the server.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { buildXml, CosError, isHeaderName, isHeaderValue, OPERATIONS, spellHeader, textAsHeaderBytes, type OperationName } from '@cosbox/protocol';
import { authenticate, type Caller } from '../auth/authenticate.js';
import { authorizeRequest } from '../auth/authorize.js';
import { isAdminAddress, type AdminRoutes } from '../admin/index.js';
import { parseAddress, parseQuery, type Address } from '../routing/address.js';
import { route } from '../routing/route.js';
import { corsHeaders, matchCors } from '../model/cors.js';
import type { BucketRecord } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import type { RequestContext, ResponseSpec } from './context.js';

export type Handler = (ctx: RequestContext) => Promise<ResponseSpec>;
export type HandlerTable = Partial<Record<OperationName, Handler>>;

export interface RequestObserver {
  requestStarted(): void;
  /** `operation` is the COS operation, `Admin` for `/-/...`, or `Unknown` when the request never got that far. */
  requestFinished(operation: string, status: number, seconds: number, bodyBytes: number): void;
}

let counter = 0;
/** Tells this process's ids from another's with the same pid (a restart). */
const PROCESS_TAG = randomBytes(3).toString('hex');

/** `base64(<hex unix time>_<hex>_<hex>_<hex>)`, the shape of COS request ids (C017); unique per process run. */
function newRequestId(now: number): string {
  counter = (counter + 1) % 0x100000000;
  const raw = `${Math.floor(now / 1000).toString(16)}_${PROCESS_TAG}_${process.pid.toString(16)}_${counter.toString(16)}`;
  return Buffer.from(raw).toString('base64');
}

function newTraceId(): string {
  return randomBytes(24).toString('base64');
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

async function readAll(body: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new CosError('MaxMessageLengthExceeded');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function loadBucket(services: Services, op: OperationName, address: Address): Promise<BucketRecord | undefined> {
  if (OPERATIONS[op].target === 'service' || op === 'PutBucket' || !address.bucket) return undefined;
  const bucket = await services.meta.getBucket(address.bucket);
  // A bucket lives in one region; a host naming another region does not reach it (real COS).
  if (!bucket || (address.region !== undefined && address.region !== bucket.region)) throw new CosError('NoSuchBucket');
  return bucket;
}

/** The one rendering of a COS error: status, headers and the `<Error>` document (C019). */
export function errorResponse(cos: CosError, resource: string, requestId: string): ResponseSpec {
  const traceId = newTraceId();
  const xml = buildXml('Error', { Code: cos.code, Message: cos.message, Resource: resource, RequestId: requestId, TraceId: traceId });
  return {
    status: cos.status,
    headers: { 'Content-Type': 'application/xml', 'x-cos-trace-id': traceId, ...cos.headers },
    body: xml,
  };
}

/**
 * A COS error written straight to a socket, for requests Node's HTTP parser rejects before any
 * handler sees them (a body cut short, malformed headers): they still get a request id and a document.
 */
export function rawErrorResponse(cos: CosError): string {
  const requestId = newRequestId(Date.now());
  const spec = errorResponse(cos, '', requestId);
  const body = Buffer.from(spec.body as string);
  const head = [
    `HTTP/1.1 ${cos.status} ${STATUS_CODES[cos.status] ?? ''}`,
    'Server: tencent-cos',
    `Date: ${new Date().toUTCString()}`,
    `x-cos-request-id: ${requestId}`,
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${String(v)}`),
    `Content-Length: ${body.length}`,
    'Connection: close',
  ];
  return head.join('\r\n') + '\r\n\r\n' + body.toString();
}

export class Pipeline {
  constructor(
    private readonly services: Services,
    private readonly handlers: HandlerTable,
    /** `/-/...` on the service host: the console and the admin API. */
    private readonly admin?: AdminRoutes,
    /** Told of every request's start and end (the metrics). */
    private readonly observer?: RequestObserver,
  ) {}

  /**
   * Serves one request; `expectContinue` when Node held back the body for `Expect: 100-continue`.
   * Never rejects: whatever goes wrong is logged and, while the response is still unsent, answered
   * with a COS error; a request can never end the process.
   */
  async serve(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    const started = performance.now();
    const now = Date.now();
    const requestId = newRequestId(now);
    const method = (req.method ?? 'GET').toUpperCase();
    let address: Address | undefined;
    let operation = 'Unknown';
    this.observer?.requestStarted();
    let spec: ResponseSpec;
    try {
      spec = await this.run(req, res, method, now, requestId, expectContinue, (a) => (address = a), (op) => (operation = op));
    } catch (error) {
      spec = this.errorSpec(error, req, requestId, address);
    }
    try {
      if (method !== 'OPTIONS') await this.addCorsHeaders(req, method, address, spec);
    } catch (error) {
      this.services.log.warn({ err: error, requestId }, 'could not add CORS headers');
    }
    let bytes = 0;
    try {
      bytes = await this.send(res, method, spec, requestId);
    } catch (error) {
      this.services.log.error({ err: error, requestId }, 'response could not be sent');
      res.destroy();
    }
    const ms = performance.now() - started;
    this.observer?.requestFinished(operation, res.statusCode, ms / 1000, bytes);
    this.services.log.info(
      { method, host: req.headers.host, path: req.url, status: res.statusCode, bytes, ms: Math.round(ms * 10) / 10, requestId },
      'request',
    );
  }

  private async run(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    now: number,
    requestId: string,
    expectContinue: boolean,
    onAddress: (a: Address) => void,
    onOperation: (op: string) => void,
  ): Promise<ResponseSpec> {
    const address = parseAddress(headerOf(req, 'host'), req.url ?? '/', { domain: this.services.config.domain });
    onAddress(address);
    const query = parseQuery(address.rawQuery);
    const header = (name: string) => headerOf(req, name);
    // The host that addressed the request (an absolute-form target's authority) is the one a signature must sign.
    if (this.admin && isAdminAddress(address)) {
      onOperation('Admin');
      const unsigned = this.admin.serveUnsigned(method, address.pathname, header);
      if (unsigned) return unsigned;
    }
    const signedHeader = (name: string) => (name === 'host' ? address.host : header(name));
    const caller: Caller = await authenticate(
      { method, pathnames: [address.pathname, address.virtualPathname], query, header: signedHeader, headerNames: Object.keys(req.headers), now: Math.floor(now / 1000) },
      this.services.accounts,
      this.services.temporaryKeys,
    );
    if (this.admin && isAdminAddress(address)) {
      const readBody = (limit: number) => (expectContinue && res.writeContinue(), readAll(req, limit));
      return this.admin.serve({ method, pathname: address.pathname, caller, services: this.services, now, header, readBody });
    }
    // Routed after authentication, so that an unsigned sub-resource is refused as such (403) before
    // the table says whether cosbox has it.
    const op = route(method, address, query, (name) => header(name) !== undefined);
    onOperation(op);
    const bucket = await loadBucket(this.services, op, address);
    // A form's credentials are in its fields: POST Object authorizes itself once it has read them.
    if (OPERATIONS[op].access !== 'form') {
      const versionId = query.get('versionid') || undefined;
      await authorizeRequest(this.services, { op, caller, bucket, bucketName: address.bucket, region: address.region, key: address.key, versionId });
    }
    const handler = this.handlers[op];
    if (!handler) throw new CosError('NotImplemented', `${op} is not implemented by cosbox yet.`);

    let continued = !expectContinue;
    const body = (): AsyncIterable<Uint8Array> => {
      if (!continued) {
        res.writeContinue();
        continued = true;
      }
      return req;
    };
    let abort: AbortController | undefined;
    const ctx: RequestContext = {
      // Made on first use only: most requests never wait on anything but their own streams.
      get signal() {
        if (!abort) {
          const controller = (abort = new AbortController());
          res.once('close', () => {
            if (!res.writableFinished) controller.abort();
          });
        }
        return abort.signal;
      },
      requestId,
      method,
      op,
      address,
      host: address.host,
      query,
      caller,
      bucket,
      services: this.services,
      now,
      header,
      headers: req.headers,
      body,
      readBody: (limit) => readAll(body(), limit),
    };
    return handler(ctx);
  }

  /**
   * A browser reads a cross-origin response, error or not, only with Access-Control-* headers: add
   * the matching rule's to any response to a request with an Origin (C286).
   */
  private async addCorsHeaders(req: IncomingMessage, method: string, address: Address | undefined, spec: ResponseSpec): Promise<void> {
    const origin = headerOf(req, 'origin');
    if (!origin || !address?.bucket) return;
    const bucket = await this.services.meta.getBucket(address.bucket);
    const rule = matchCors(bucket?.cors, origin, method);
    if (rule) spec.headers = { ...spec.headers, ...corsHeaders(rule, origin) };
  }

  private errorSpec(error: unknown, req: IncomingMessage, requestId: string, address: Address | undefined): ResponseSpec {
    let cos: CosError;
    if (error instanceof CosError) {
      cos = error;
    } else {
      this.services.log.error({ err: error, requestId }, 'internal error');
      cos = new CosError('InternalError');
    }
    // Without a parsed address (no Host, a bad URI) the raw path still says what was asked for.
    const resource = `${headerOf(req, 'host') ?? ''}${address?.pathname ?? (req.url ?? '').split('?')[0]}`;
    return errorResponse(cos, resource, requestId);
  }

  /** Writes the response; returns the number of body bytes sent. */
  private async send(res: ServerResponse, method: string, spec: ResponseSpec, requestId: string): Promise<number> {
    if (res.headersSent || res.destroyed) {
      // A streamed body failed after the headers went out: all we can do is cut the connection.
      res.destroy();
      return 0;
    }
    try {
      this.setHeaders(res, spec, requestId);
    } catch (error) {
      // Node refused a header even after cleaning: a logged 500, never a crash.
      this.services.log.error({ err: error, requestId }, 'response headers could not be set');
      if (isStream(spec?.body)) spec.body.destroy();
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      spec = errorResponse(new CosError('InternalError'), '', requestId);
      this.setHeaders(res, spec, requestId);
    }
    const body = spec.body;
    const noBody = method === 'HEAD' || spec.status === 204 || spec.status === 304;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      const buf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
      // A 304 says Content-Length: 0 (as COS does) so that no client waits for a body; 204 has none.
      if (!res.hasHeader('Content-Length') && spec.status !== 204) res.setHeader('Content-Length', spec.status === 304 ? 0 : (buf?.length ?? 0));
      res.end(noBody ? undefined : buf);
      return noBody ? 0 : (buf?.length ?? 0);
    }
    if (noBody) {
      body.destroy();
      res.end();
      return 0;
    }
    // body.pipe rather than stream.pipeline: pipeline's AbortController costs a DOMException per
    // request, a tenth of the time of a small GET.
    return new Promise<number>((resolve) => {
      let bytes = 0;
      const counted = (chunk: Buffer) => void (bytes += chunk.length);
      body.on('data', counted);
      body.once('error', (error) => {
        this.services.log.warn({ err: error, requestId }, 'response stream failed');
        // Once the head is out nothing more can be said than a cut connection; before, a 500.
        if (res.headersSent) return void res.destroy();
        body.unpipe(res);
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        const failed = errorResponse(new CosError('InternalError'), '', requestId);
        this.setHeaders(res, failed, requestId);
        const doc = Buffer.from(failed.body as string);
        res.setHeader('Content-Length', doc.length);
        res.end(doc);
      });
      res.once('close', () => {
        if (!res.writableFinished) body.destroy(); // the client went away
        resolve(bytes);
      });
      body.pipe(res);
    });
  }

  /**
   * Status and headers, names as COS spells them. A value that cannot be a header (stored before
   * values were checked where they enter) is sent as its UTF-8 bytes when it is text beyond
   * Latin-1, and left out, with a warning, when it holds control characters.
   */
  private setHeaders(res: ServerResponse, spec: ResponseSpec, requestId: string): void {
    // Node checks the status only when it writes the head, too late to answer otherwise.
    if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 999) throw new RangeError(`invalid status ${spec.status}`);
    res.statusCode = spec.status;
    res.setHeader('Server', 'tencent-cos');
    res.setHeader('x-cos-request-id', requestId);
    for (const [name, raw] of Object.entries(spec.headers ?? {})) {
      if (raw === undefined) continue;
      let value = String(raw);
      if (!isHeaderValue(value)) value = textAsHeaderBytes(value);
      if (!isHeaderName(name) || !isHeaderValue(value)) {
        this.services.log.warn({ requestId, header: name }, 'left out a response header that HTTP cannot carry');
        continue;
      }
      res.setHeader(spellHeader(name), typeof raw === 'number' ? raw : value);
    }
  }
}

function isStream(body: ResponseSpec['body']): body is Readable {
  return body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
}
