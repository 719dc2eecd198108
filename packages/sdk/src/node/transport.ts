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
  const agents = {
    'http:': new http.Agent({ keepAlive: options.keepAlive }),
    'https:': new https.Agent({ keepAlive: options.keepAlive, rejectUnauthorized: options.strictSsl }),
  };
  return { send: (request) => send(request, agents) };
}

function send(request: TransportRequest, agents: Record<'http:' | 'https:', http.Agent>): Promise<TransportResponse> {
  // The path is used exactly as built: `new URL()` would resolve `..` segments that are part of a key.
  const m = /^(https?:)\/\/([^/?#]+)(.*)$/.exec(request.url);
  if (!m) return Promise.reject(Object.assign(new Error(`Invalid URL: ${request.url}`), { code: 'ERR_INVALID_URL' }));
  const protocol = m[1] as 'http:' | 'https:';
  const { hostname, port } = splitHost(m[2]);
  const module = protocol === 'https:' ? https : http;

  return new Promise<TransportResponse>((resolve, reject) => {
    const req = module.request({
      protocol,
      hostname,
      port,
      path: m[3] || '/',
      method: request.method,
      headers: request.headers,
      agent: agents[protocol],
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
