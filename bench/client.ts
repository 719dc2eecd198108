/**
 * The load generator's HTTP side: one `Target` per server, driven identically over keep-alive
 * node:http agents. Only the addressing differs: cosbox is addressed virtual-hosted style and every
 * request carries a COS q-sign signature made with the project's own `sign` (signing cost is part of
 * cosbox's workload); the limit server and s3rver get unsigned path-style `/<bucket>/<key>`.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { sign, type SignatureCrypto } from '@cosbox/protocol';

export type ServerName = 'cosbox' | 'limit' | 's3rver';
export type Bucket = 'bench' | 'list';

export const CREDENTIALS = { secretId: 'AKIDbench', secretKey: 'benchsecret', appId: '1250000000' } as const;

const nodeCrypto: SignatureCrypto = {
  hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
  sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
};

export interface Request {
  method: 'GET' | 'PUT' | 'POST';
  bucket?: Bucket;
  /** Object key; '' addresses the bucket itself. */
  key: string;
  /** Values of '' are sent bare (`?uploads`). */
  query?: Record<string, string>;
  body?: Buffer;
  /** Keep the response body (XML replies); otherwise it is read to the end and discarded. */
  keepBody?: boolean;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Response body bytes received, kept or not. */
  bytes: number;
  /** The body as text when kept (always kept for error statuses, for the message). */
  body: string;
}

function queryString(query: Record<string, string>): string {
  const parts = Object.entries(query).map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`));
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export class Target {
  constructor(
    readonly name: ServerName,
    readonly port: number,
  ) {}

  /** Path and headers (signed for cosbox) for one request. */
  private address(r: Request): { path: string; headers: Record<string, string> } {
    const bucket = r.bucket ?? 'bench';
    const headers: Record<string, string> = {};
    if (r.method !== 'GET') headers['content-length'] = String(r.body?.length ?? 0);
    if (this.name !== 'cosbox') {
      headers.host = `127.0.0.1:${this.port}`;
      return { path: `/${bucket}${r.key === '' ? '' : `/${r.key}`}${queryString(r.query ?? {})}`, headers };
    }
    headers.host = `${bucket}-${CREDENTIALS.appId}.cos.ap-guangzhou.myqcloud.com`;
    const pathname = `/${r.key}`;
    const now = Math.floor(Date.now() / 1000);
    const { authorization } = sign(nodeCrypto, {
      secretId: CREDENTIALS.secretId,
      secretKey: CREDENTIALS.secretKey,
      method: r.method,
      pathname,
      query: r.query ?? {},
      headers,
      signTime: `${now - 60};${now + 3600}`,
    });
    return { path: pathname + queryString(r.query ?? {}), headers: { ...headers, authorization } };
  }

  /** Sends one request; resolves once the whole response body has arrived. */
  send(agent: http.Agent, r: Request): Promise<Reply> {
    const { path, headers } = this.address(r);
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, method: r.method, path, headers, agent }, (res) => {
        const status = res.statusCode ?? 0;
        const keep = r.keepBody === true || status >= 300;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keep) chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status, headers: res.headers, bytes, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(r.body);
    });
  }

  /** Like `send`, but a non-2xx status is an error naming the request. */
  async ok(agent: http.Agent, r: Request): Promise<Reply> {
    const reply = await this.send(agent, r);
    if (reply.status < 200 || reply.status >= 300) {
      throw new Error(`${this.name}: ${r.method} ${r.bucket ?? 'bench'}/${r.key}${queryString(r.query ?? {})} -> ${reply.status} ${reply.body.slice(0, 300)}`);
    }
    return reply;
  }
}

/** Runs `fn` with a fresh keep-alive agent allowing `concurrency` sockets, and closes them after. */
export async function withAgent<T>(concurrency: number, fn: (agent: http.Agent) => Promise<T>): Promise<T> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    return await fn(agent);
  } finally {
    agent.destroy();
  }
}
