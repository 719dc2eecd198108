/**
 * Raw HTTP for what the official SDK cannot express: anonymous and hand-signed requests, odd hosts,
 * wrong digests, chunked bodies, `Expect: 100-continue`, bytes written straight on a socket. Requests
 * are signed with cosbox's own q-sign implementation, the one the server verifies with.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { parseXml, sign, xmlChild, xmlText } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { REGION, SECRET_ID, SECRET_KEY, type Harness } from './harness.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** Whether the server answered `100 Continue` first. */
  continued: boolean;
}

/** Who signs a raw request and how; every field defaults to the harness credentials, valid now. */
export interface Signer {
  secretId?: string;
  secretKey?: string;
  /** `start;end` unix seconds. */
  signTime?: string;
  /** Headers to leave out of the signature (sent all the same). */
  unsigned?: string[];
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as written on the wire: an encoded path and its query. */
  path: string;
  /** The Host header; default the server's `127.0.0.1:port` (path-style addressing). */
  host?: string;
  headers?: Record<string, string | number>;
  /** Sent with a Content-Length, or, given as chunks, with `Transfer-Encoding: chunked`. */
  body?: string | Buffer | Buffer[];
  /** `false` for an anonymous request. */
  sign?: false | Signer;
  /** Send the headers with `Expect: 100-continue` and the body only once the server says 100. */
  expectContinue?: boolean;
  /** The local address to connect from (`127.0.0.2`: a second client address on loopback). */
  localAddress?: string;
}

/** The virtual-hosted endpoint of a bucket, as the SDK addresses it. */
export function bucketHost(bucket: string, region = REGION, domain = 'myqcloud.com'): string {
  return `${bucket}.cos.${region}.${domain}`;
}

/** An object key as a path segment: percent-encoded except '/', as the SDK writes it. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

export function md5Base64(body: string | Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

export function sha1Hex(body: string | Buffer): string {
  return createHash('sha1').update(body).digest('hex');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The Authorization value for a request target, signing the host and every header given. */
export function authorization(method: string, target: string, headers: Record<string, string | number>, signer: Signer = {}): string {
  const q = target.indexOf('?');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(q >= 0 ? target.slice(q + 1) : '')) query[k] = v;
  const now = nowSeconds();
  const signed = Object.fromEntries(Object.entries(headers).filter(([name]) => !signer.unsigned?.includes(name.toLowerCase())));
  return sign(nodeCrypto, {
    secretId: signer.secretId ?? SECRET_ID,
    secretKey: signer.secretKey ?? SECRET_KEY,
    method,
    pathname: decodeURIComponent(q >= 0 ? target.slice(0, q) : target),
    query,
    headers: signed,
    signTime: signer.signTime ?? `${now - 60};${now + 900}`,
  }).authorization;
}

/** Sends one request to the harness's server over a fresh connection. */
export function send(h: Harness, req: RawRequest): Promise<RawResponse> {
  const method = req.method ?? 'GET';
  const chunked = Array.isArray(req.body);
  const headers: Record<string, string | number> = { host: req.host ?? `127.0.0.1:${h.port}`, ...req.headers };
  if (req.body !== undefined && !chunked && !Object.keys(headers).some((n) => n.toLowerCase() === 'content-length')) {
    headers['content-length'] = Buffer.byteLength(req.body as string | Buffer);
  }
  if (req.expectContinue) headers.expect = '100-continue';
  if (req.sign !== false) headers.authorization = authorization(method, req.path, headers, req.sign);

  return new Promise((resolve, reject) => {
    let continued = false;
    const r = request({ host: '127.0.0.1', port: h.port, method, path: req.path, headers, agent: false, localAddress: req.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), continued });
        r.destroy(); // an unread 100-continue body must not keep the socket
      });
    });
    r.on('error', reject);
    const writeBody = () => {
      if (Array.isArray(req.body)) for (const c of req.body) r.write(c);
      else if (req.body !== undefined) r.write(req.body);
      r.end();
    };
    if (req.expectContinue) {
      r.on('continue', () => {
        continued = true;
        writeBody();
      });
      r.flushHeaders();
    } else {
      writeBody();
    }
  });
}

/** A signed request, virtual-hosted on `bucket`. */
export function sendToBucket(h: Harness, bucket: string, req: Omit<RawRequest, 'host'>): Promise<RawResponse> {
  return send(h, { ...req, host: bucketHost(bucket) });
}

/**
 * Writes `text` on a plain TCP connection and returns whatever comes back until the server closes
 * it (or `waitMs` passes). `halfClose` ends our side right after writing.
 */
export function socketExchange(h: Harness, text: string | Buffer, options: { halfClose?: boolean; waitMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(h.port, '127.0.0.1', () => {
      socket.write(text);
      if (options.halfClose) socket.end();
    });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, options.waitMs ?? 3000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', (err) => (chunks.length > 0 ? done() : reject(err)));
  });
}

/** Splits a raw HTTP/1.x response into status, lower-cased headers and body text. */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; text: string } {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = raw.slice(0, end < 0 ? raw.length : end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: end < 0 ? '' : raw.slice(end + 4) };
}

/** An HTTP/1.1 request written by hand, signed for the given host and request target. */
export function handWritten(method: string, target: string, signedPath: string, headers: Record<string, string | number>, body = ''): string {
  const all = { ...headers, 'content-length': Buffer.byteLength(body) };
  const auth = authorization(method, signedPath, all);
  const lines = Object.entries({ ...all, authorization: auth, connection: 'close' }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

export interface ErrorDocument {
  Code: string;
  Message: string;
  Resource: string;
  RequestId: string;
  TraceId: string;
}

/** The five elements in order; Message and Resource may be empty (`<Resource/>`). */
const ERROR_SHAPE =
  /^<\?xml[^>]*\?>\s*<Error><Code>[^<]+<\/Code>(?:<Message>[^<]*<\/Message>|<Message\/>)(?:<Resource>[^<]*<\/Resource>|<Resource\/>)<RequestId>[^<]+<\/RequestId><TraceId>[^<]+<\/TraceId><\/Error>$/;

/** Checks a COS error response (status, code, the five elements in order, ids) and returns its fields. */
export function assertCosError(res: { status: number; headers: Record<string, string | string[] | undefined>; text: string }, status: number, code: string): ErrorDocument {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.text, ERROR_SHAPE);
  const doc = xmlChild(parseXml(res.text).Error) ?? {};
  const field = (name: keyof ErrorDocument) => xmlText(doc[name]) ?? '';
  const out: ErrorDocument = { Code: field('Code'), Message: field('Message'), Resource: field('Resource'), RequestId: field('RequestId'), TraceId: field('TraceId') };
  assert.equal(out.Code, code);
  assert.match(String(res.headers['content-type']), /^application\/xml/);
  assert.equal(res.headers['x-cos-request-id'], out.RequestId);
  assert.equal(res.headers['x-cos-trace-id'], out.TraceId);
  return out;
}

/** Every cosbox response carries a request id (C017). */
export function assertRequestId(headers: Record<string, unknown> | undefined): void {
  const id = headers?.['x-cos-request-id'];
  assert.equal(typeof id, 'string');
  assert.match(id as string, /^[A-Za-z0-9+/]+=*$/);
}

/** What the official SDK rejects with when the server answers an error. */
export interface SdkError {
  statusCode?: number;
  code?: string;
  message?: string;
  error?: { Code?: string; Message?: string; RequestId?: string; Resource?: string };
  headers?: Record<string, string>;
}

/**
 * Awaits an SDK call that must fail with `status` and, when the response has a body, `code`.
 * Returns the SDK's error for further checks.
 */
export async function sdkRejects(call: Promise<unknown>, status: number, code?: string): Promise<SdkError> {
  let caught: SdkError | undefined;
  await assert.rejects(call, (err: SdkError) => {
    caught = err;
    return true;
  });
  const err = caught as SdkError;
  assert.equal(err.statusCode, status, `expected ${status} ${code ?? ''}, got ${err.statusCode} ${err.code}: ${err.message}`);
  assertRequestId(err.headers);
  if (code !== undefined) {
    assert.equal(err.code, code);
    assert.equal(err.error?.Code, code);
    assert.equal(err.error?.RequestId, err.headers?.['x-cos-request-id']);
  }
  return err;
}
