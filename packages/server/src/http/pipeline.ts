/**
 * One request, end to end: address -> operation -> caller -> bucket -> access -> handler -> response.
 * Anything thrown becomes a COS error document here and only here; no stack trace leaves the server.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { buildXml, CosError, isHeaderName, s3ErrorOf, isHeaderValue, OPERATIONS, spellHeader, textAsHeaderBytes, type OperationName } from '@cosbox/protocol';
import { authenticateRequest } from '../auth/authenticate.js';
import { awsBody, payloadHeader } from '../auth/aws-body.js';
import { authorizeRequest } from '../auth/authorize.js';
import { isAdminAddress, type AdminRoutes } from '../admin/index.js';
import { boundDomainAddress, bucketFromHost, hostName, mayBeCustomDomain, parseAddress, parseQuery, websitePathAddress, type Address } from '../routing/address.js';
import { route } from '../routing/route.js';
import { corsHeaders, matchCors } from '../model/cors.js';
import { checkAccelerated } from '../model/accelerate.js';
import { boundDomain } from '../model/domain.js';
import { serveWebsite, websiteOperation } from '../handlers/website.js';
import type { BucketRecord } from '../storage/metadata/store.js';
import type { Services } from '../services.js';
import type { RequestContext, ResponseSpec } from './context.js';
import { dialectOf, s3RequestDocument, s3RequestHeaders, s3ResponseHeaders, s3ResponseXml, type Dialect } from './s3-dialect.js';

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
export function newRequestId(now: number): string {
  counter = (counter + 1) % 0x100000000;
  const raw = `${Math.floor(now / 1000).toString(16)}_${PROCESS_TAG}_${process.pid.toString(16)}_${counter.toString(16)}`;
  return Buffer.from(raw).toString('base64');
}

function newTraceId(): string {
  return randomBytes(24).toString('base64');
}

/** The peer's address; an IPv4 client on a dual-stack socket shows as `::ffff:a.b.c.d`. */
export function clientAddress(req: IncomingMessage): string | undefined {
  const address = req.socket?.remoteAddress;
  return address?.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
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
  // The accelerate host reaches a bucket of any region, while its acceleration is enabled.
  const accelerated = address.region === 'accelerate';
  if (!bucket || (address.region !== undefined && !accelerated && address.region !== bucket.region)) throw new CosError('NoSuchBucket');
  if (accelerated) checkAccelerated(bucket);
  return bucket;
}

/**
 * The one rendering of an error: status, headers and the `<Error>` document (C019); in the S3
 * dialect with S3's code and status from the same table, and the trace id as S3's HostId.
 */
export function errorResponse(cos: CosError, resource: string, requestId: string, dialect: Dialect = 'cos'): ResponseSpec {
  const traceId = newTraceId();
  if (dialect === 's3') {
    const s3 = s3ErrorOf(cos.code);
    // Messages name headers as the client sent them.
    const message = cos.message.replace(/\bx-cos-/g, 'x-amz-');
    const xml = buildXml('Error', { Code: s3.code, Message: message, Resource: resource, RequestId: requestId, HostId: traceId });
    return { status: s3.status, headers: { 'Content-Type': 'application/xml', 'x-amz-id-2': traceId, ...cos.headers }, body: xml };
  }
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
    let dialect = 'cos' as Dialect;
    let operation = 'Unknown';
    this.observer?.requestStarted();
    let spec: ResponseSpec;
    try {
      spec = await this.run(
        req,
        res,
        method,
        now,
        requestId,
        expectContinue,
        (a, d) => {
          address = a;
          dialect = d;
        },
        (op) => (operation = op),
      );
      // A handler that answers nothing usable is a bug of ours: a logged 500, like a throw.
      if (spec === null || typeof spec !== 'object' || !Number.isInteger(spec.status)) throw new Error(`the handler answered ${String(spec)}`);
    } catch (error) {
      spec = this.errorSpec(error, req, requestId, address, dialect);
    }
    try {
      if (method !== 'OPTIONS') await this.addCorsHeaders(req, method, address, spec);
    } catch (error) {
      this.services.log.warn({ err: error, requestId }, 'could not add CORS headers');
    }
    let bytes = 0;
    try {
      const answerIn = spec.dialect ?? dialect;
      bytes = await this.send(res, method, answerIn === 's3' ? inS3Words(spec) : spec, requestId, answerIn);
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
    const errorCode = spec.status >= 400 && typeof spec.body === 'string' ? (/<Code>([^<]*)<\/Code>/.exec(spec.body)?.[1] ?? '') : '';
    void this.services.accessLogs?.record({ req, address, status: res.statusCode, bytes, ms: performance.now() - started, requestId, time: now, errorCode });
  }

  private async run(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    now: number,
    requestId: string,
    expectContinue: boolean,
    onAddress: (a: Address, dialect: Dialect) => void,
    onOperation: (op: string) => void,
  ): Promise<ResponseSpec> {
    const address = await this.addressOf(req);
    const query = parseQuery(address.rawQuery);
    const dialect = dialectOf(req.headers, query, address);
    onAddress(address, dialect);
    if (this.admin && isAdminAddress(address)) {
      onOperation('Admin');
      // Health, readiness and metrics answer before any signature is read (a scraper's Bearer token is none).
      const unsigned = this.admin.serveUnsigned(method, address.pathname, (name) => headerOf(req, name));
      if (unsigned) return unsigned;
    }
    // The host that addressed the request (an absolute-form target's authority) is the one a signature must sign.
    const signedHeader = (name: string) => (name === 'host' ? address.host : headerOf(req, name));
    const bucketInHost = address.bucket !== undefined && address.pathname === address.virtualPathname ? address.bucket : undefined;
    const { caller, payload, queryHeaders } = await authenticateRequest(
      { method, pathnames: [address.pathname, address.virtualPathname], query, header: signedHeader, headerNames: Object.keys(req.headers), now: Math.floor(now / 1000), rawUrl: req.url, bucketInHost },
      this.services.accounts,
      this.services.temporaryKeys,
    );
    // Handlers read COS's header names: an S3 request's x-amz-* twins are renamed once the signature
    // has been checked over the headers as sent. A pre-signed URL may carry x-amz-* headers in its
    // signed query (the AWS presigners hoist them there): they count as sent, over unsigned headers.
    const headers = dialect === 's3' ? s3RequestHeaders({ ...req.headers, ...queryHeaders }) : req.headers;
    const header = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    };
    if (this.admin && isAdminAddress(address)) {
      const readBody = (limit: number) => (expectContinue && res.writeContinue(), readAll(req, limit));
      return this.admin.serve({ method, pathname: address.pathname, caller, services: this.services, now, header, readBody });
    }
    // Routed after authentication, so that an unsigned sub-resource is refused as such (403) before
    // the table says whether cosbox has it.
    // A website request is a GET or HEAD of whatever the website makes of its path (issue 16).
    const op = address.website ? websiteOperation(method) : route(method, address, query, (name) => header(name) !== undefined);
    onOperation(op);
    if (op === 'PutBucket' && address.region === 'accelerate') throw new CosError('InvalidRequest', 'Create buckets on their regional host, not the accelerate host.');
    const bucket = await loadBucket(this.services, op, address);
    const clientIp = clientAddress(req);
    // A form's credentials are in its fields: POST Object authorizes itself once it has read them.
    // The website authorizes each key it serves itself.
    if (OPERATIONS[op].access !== 'form' && !address.website) {
      const versionId = query.get('versionid') || undefined;
      const request = { clientIp, header, query };
      await authorizeRequest(this.services, { op, caller, bucket, bucketName: address.bucket, region: address.region, key: address.key, versionId, request });
    }
    const handler = address.website ? serveWebsite : this.handlers[op];
    if (!handler) throw new CosError('NotImplemented', `${op} is not implemented by cosbox yet.`);

    let continued = !expectContinue;
    let payloadBody: AsyncIterable<Uint8Array> | undefined;
    const body = (): AsyncIterable<Uint8Array> => {
      if (!continued) {
        res.writeContinue();
        continued = true;
      }
      // An S3 payload comes decoded (aws-chunked) and checked (x-amz-content-sha256, checksums).
      return (payloadBody ??= awsBody(req, payload, (name) => headerOf(req, name)));
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
      clientIp,
      method,
      op,
      dialect,
      address,
      host: address.host,
      query,
      caller,
      bucket,
      services: this.services,
      now,
      header: payloadHeader(header, payload),
      headers,
      body,
      // An S3 document is read in COS's words (its own headers, copied above, follow the bytes).
      readBody: async (limit) => {
        const raw = await readAll(body(), limit);
        return dialect === 's3' ? s3RequestDocument(raw, headers) : raw;
      },
    };
    return handler(ctx);
  }

  /**
   * Where the request goes: its Host and target; the website path form `/-/website/<bucket>/...`;
   * or a custom domain bound to a bucket (PUT Bucket domain), looked up only for a host that names
   * no bucket and no region itself.
   */
  private async addressOf(req: IncomingMessage): Promise<Address> {
    const options = { domain: this.services.config.domain };
    const address = parseAddress(headerOf(req, 'host'), req.url ?? '/', options);
    const website = websitePathAddress(address);
    if (website) return website;
    if (address.region !== undefined || !mayBeCustomDomain(address.host) || bucketFromHost(address.host, options)) return address;
    const bound = await boundDomain(this.services.meta, hostName(address.host));
    return bound ? boundDomainAddress(address, bound.bucket, bound.website) : address;
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

  private errorSpec(error: unknown, req: IncomingMessage, requestId: string, address: Address | undefined, dialect: Dialect): ResponseSpec {
    let cos: CosError;
    if (error instanceof CosError) {
      cos = error;
    } else {
      this.services.log.error({ err: error, requestId }, 'internal error');
      cos = new CosError('InternalError');
    }
    // Without a parsed address (no Host, a bad URI) the raw path still says what was asked for.
    const resource = `${headerOf(req, 'host') ?? ''}${address?.pathname ?? (req.url ?? '').split('?')[0]}`;
    return errorResponse(cos, resource, requestId, dialect);
  }

  /** Writes the response; returns the number of body bytes sent. */
  private async send(res: ServerResponse, method: string, spec: ResponseSpec, requestId: string, dialect: Dialect): Promise<number> {
    if (res.headersSent || res.destroyed) {
      // A streamed body failed after the headers went out: all we can do is cut the connection.
      res.destroy();
      return 0;
    }
    try {
      this.setHeaders(res, spec, requestId, dialect);
    } catch (error) {
      // Node refused a header even after cleaning: a logged 500, never a crash.
      this.services.log.error({ err: error, requestId }, 'response headers could not be set');
      if (isStream(spec?.body)) spec.body.destroy();
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      spec = errorResponse(new CosError('InternalError'), '', requestId, dialect);
      this.setHeaders(res, spec, requestId, dialect);
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
        const failed = errorResponse(new CosError('InternalError'), '', requestId, dialect);
        this.setHeaders(res, failed, requestId, dialect);
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
  private setHeaders(res: ServerResponse, spec: ResponseSpec, requestId: string, dialect: Dialect): void {
    // Node checks the status only when it writes the head, too late to answer otherwise.
    if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 999) throw new RangeError(`invalid status ${spec.status}`);
    res.statusCode = spec.status;
    res.setHeader('Server', 'tencent-cos');
    if (dialect === 's3') {
      res.setHeader('x-amz-request-id', requestId);
      if (!spec.headers?.['x-amz-id-2']) res.setHeader('x-amz-id-2', newTraceId());
    } else {
      res.setHeader('x-cos-request-id', requestId);
    }
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

/** A response in S3's words: its x-cos-* headers renamed, its XML document in S3's namespace and names. */
function inS3Words(spec: ResponseSpec): ResponseSpec {
  const headers = s3ResponseHeaders(spec.headers ?? {});
  const type = headers['Content-Type'] ?? headers['content-type'];
  const xml = typeof spec.body === 'string' && String(type ?? '').includes('xml');
  return { ...spec, headers, body: xml ? s3ResponseXml(spec.body as string) : spec.body };
}

function isStream(body: ResponseSpec['body']): body is Readable {
  return body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
}
