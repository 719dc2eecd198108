/**
 * The Node transport: node:http / node:https with keep-alive agents per COS instance. Bodies are
 * streamed (a Readable or a file slice is piped, never read into memory), and a 2xx response goes
 * straight into the caller's output stream when there is one.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { proxyAuthorization, proxyFor, tunnelConnection } from './proxy.js';
import {
  isBlobBody,
  isFileSlice,
  isFileTarget,
  isStreamBody,
  type Progress,
  type RequestBody,
  type Transport,
  type TransportOptions,
  type TransportRequest,
  type TransportResponse,
} from '../transport.js';

export function createNodeTransport(options: TransportOptions): Transport {
  // StrictSsl true leaves the check to Node's default, so NODE_TLS_REJECT_UNAUTHORIZED=0 turns it
  // off as it does for the official SDK; false turns it off.
  const tlsOptions = options.strictSsl ? {} : { rejectUnauthorized: false };
  const agents = {
    'http:': new http.Agent({ keepAlive: options.keepAlive }),
    'https:': new https.Agent({ keepAlive: options.keepAlive, ...tlsOptions }),
  };
  return { send: (request) => send(request, agents, options.proxy ?? '', tlsOptions) };
}

/** Where the request connects: the host itself, or the proxy (a plain-http request), or a CONNECT tunnel (https). */
function route(protocol: 'http:' | 'https:', authority: string, path: string, proxyOption: string, tlsOptions: { rejectUnauthorized?: boolean }) {
  const { hostname, port } = splitHost(authority);
  const proxy = proxyFor({ protocol, hostname, port }, proxyOption);
  if (!proxy) return { hostname, port, path, viaProxy: false };
  if (protocol === 'http:') {
    const auth = proxyAuthorization(proxy);
    return { hostname: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80), path: `http://${authority}${path}`, viaProxy: true, auth };
  }
  return { hostname, port, path, viaProxy: true, createConnection: tunnelConnection(proxy, { protocol, hostname, port }, tlsOptions) };
}

function send(
  request: TransportRequest,
  agents: Record<'http:' | 'https:', http.Agent>,
  proxyOption: string,
  tlsOptions: { rejectUnauthorized?: boolean },
): Promise<TransportResponse> {
  // The path is used exactly as built: `new URL()` would resolve `..` segments that are part of a key.
  const m = /^(https?:)\/\/([^/?#]+)(.*)$/.exec(request.url);
  if (!m) return Promise.reject(Object.assign(new Error(`Invalid URL: ${request.url}`), { code: 'ERR_INVALID_URL' }));
  const protocol = m[1] as 'http:' | 'https:';
  const module = protocol === 'https:' ? https : http;
  // An endpoint without a path (GET Service's) still sends one: `/?create-time=...`, never `?create-time=...`.
  const path = m[3].startsWith('/') ? m[3] : `/${m[3]}`;
  const via = route(protocol, m[2], path, proxyOption, tlsOptions);
  const headers = { ...request.headers };
  // Through a proxy the Host is the bucket's, not the proxy's.
  if (via.viaProxy && !Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.Host = m[2];
  if (via.auth) headers['Proxy-Authorization'] = via.auth;

  return new Promise<TransportResponse>((resolve, reject) => {
    const req = module.request({
      protocol: via.createConnection || !via.viaProxy ? protocol : 'http:',
      hostname: via.hostname,
      port: via.port,
      path: via.path,
      method: request.method,
      headers,
      ...(via.createConnection ? { createConnection: via.createConnection as never } : { agent: agents[protocol] }),
      signal: request.signal,
    });
    if (request.timeout > 0) {
      req.setTimeout(request.timeout, () => req.destroy(Object.assign(new Error('Request timed out'), { code: 'ETIMEDOUT' })));
    }
    req.on('error', reject);
    req.on('response', (res) => {
      const response = { statusCode: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: flatHeaders(res.headers) };
      const total = Number(res.headers['content-length'] ?? 0);
      const source = request.onDownloadProgress ? res.pipe(counter(total, request.onDownloadProgress)) : res;
      res.on('error', reject);
      if (request.output && response.statusCode >= 200 && response.statusCode < 300) {
        const output = isFileTarget(request.output) ? createWriteStream(request.output.path) : (request.output as unknown as Writable);
        pipeline(source, output).then(() => resolve(response), reject);
        return;
      }
      const chunks: Buffer[] = [];
      source.on('data', (chunk: Buffer) => chunks.push(chunk));
      source.on('end', () => resolve({ ...response, body: Buffer.concat(chunks) }));
      source.on('error', reject);
    });
    writeBody(req, request.body, request.headers, request.onUploadProgress).catch((e: unknown) => req.destroy(e as Error));
  });
}

async function writeBody(
  req: http.ClientRequest,
  body: RequestBody | undefined,
  headers: Record<string, string>,
  onProgress: ((p: Progress) => void) | undefined,
): Promise<void> {
  const total = Number(Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? 0);
  let source: Readable;
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    if (!onProgress || body === undefined) {
      req.end(body);
      return;
    }
    source = Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
  } else if (isFileSlice(body)) {
    if (body.end <= body.start) {
      req.end();
      return;
    }
    source = createReadStream(body.path, { start: body.start, end: body.end - 1 });
  } else if (isBlobBody(body)) {
    source = Readable.fromWeb(body.stream() as WebReadableStream);
  } else if (isStreamBody(body)) {
    source = body as unknown as Readable;
  } else {
    throw new TypeError('Unsupported request body');
  }
  await (onProgress ? pipeline(source, counter(total, onProgress), req) : pipeline(source, req));
}

/** Passes bytes through, reporting how many went by. */
function counter(total: number, onProgress: (p: Progress) => void): Transform {
  let loaded = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      loaded += chunk.length;
      onProgress({ loaded, total });
      done(null, chunk);
    },
  });
}

function splitHost(host: string): { hostname: string; port?: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!m) return { hostname: host };
  return { hostname: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : undefined };
}

/** Node's header object with every value a string (repeated headers joined as Node joins them). */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
