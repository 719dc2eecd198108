/**
 * The live server the properties run against, and a raw HTTP/1.1 client that writes every byte
 * itself (node:http would refuse CR/LF, non-Latin-1 text and odd request targets before sending).
 *
 * The server runs in a child process (server-main.ts: startServer on port 0, temporary data
 * directory), so a crash is a process that exits, not an exception swallowed by the test runner.
 * After a crash the server is started again on the same data directory, so that fast-check can go
 * on shrinking the failing case; the property has failed all the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@cosbox/protocol';
import { nodeCrypto } from '../../../packages/server/src/auth/node-crypto.js';
import { APPID, REGION, SECRET_ID, SECRET_KEY, UIN } from '../../e2e/harness.js';

const root = new URL('../../..', import.meta.url).pathname;
const MAIN = new URL('./server-main.ts', import.meta.url).pathname;

/** A request as written on the wire; strings are byte strings (one char per byte, Latin-1). */
export interface WireRequest {
  method: string;
  /** The request target exactly as written: origin form (`/k?acl`) or absolute form. */
  target: string;
  headers: Array<[string, string]>;
  body?: Buffer;
}

export interface WireResponse {
  /** 0 when the server answered nothing (closed the connection or let it time out). */
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Why there is no status, when there is none. */
  error?: string;
}

/** A Latin-1 byte string for text: its UTF-8 bytes, one char per byte. */
export function bytesOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The request's bytes: request line, headers as given, Content-Length, `Connection: close`, body. */
export function serialize(req: WireRequest): Buffer {
  const body = req.body ?? Buffer.alloc(0);
  const lines = [`${req.method} ${req.target} HTTP/1.1`, ...req.headers.map(([k, v]) => `${k}: ${v}`)];
  if (!req.headers.some(([k]) => k.toLowerCase() === 'content-length')) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close');
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** The request's bytes as a JS string literal, bodies cut at `max` bytes: for failure reports. */
export function describe(req: WireRequest, max = 1500): string {
  const bytes = serialize(req);
  const text = bytes.subarray(0, max).toString('latin1');
  return JSON.stringify(text) + (bytes.length > max ? ` ... (${bytes.length} bytes in all)` : '');
}

function parseResponse(raw: Buffer, method: string): WireResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: raw, error: raw.length === 0 ? 'no response' : 'incomplete response head' };
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let body = raw.subarray(end + 4);
  if (method === 'HEAD' || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  if (status === 100) return parseResponse(raw.subarray(end + 4), method); // an interim answer
  return { status: Number.isFinite(status) ? status : 0, headers, body };
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Writes the request on a fresh connection and reads until the server closes it. */
export function exchange(port: number, req: WireRequest, timeoutMs = 15_000): Promise<WireResponse> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const res = parseResponse(Buffer.concat(chunks), req.method);
      if (res.status === 0 && error) res.error = error;
      resolve(res);
    };
    const socket = connect(port, '127.0.0.1', () => socket.write(serialize(req)));
    const timer = setTimeout(() => finish(`no complete answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err) => finish(err.message));
  });
}

export const CREDENTIALS = { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN };
export { APPID, REGION };

/** The virtual-hosted endpoint of a bucket. */
export function hostOf(bucket: string): string {
  return `${bucket}.cos.${REGION}.myqcloud.com`;
}

/** Query parameters as the server reads them: lower-case names, first occurrence wins. */
export function queryOf(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const lower = name.toLowerCase();
    if (!(lower in out)) out[lower] = value;
  }
  return out;
}

export interface SignOptions {
  secretId?: string;
  secretKey?: string;
  /** Header names (lower case) to sign; default every header given, the Host included. */
  signHeaders?: string[];
  /** Query parameter names to sign; default every parameter of the target. */
  signParams?: string[];
  /** The Host the signature is computed for; default the request's Host header. */
  host?: string;
  /** The request target the signature is computed for; default the request's own. */
  target?: string;
}

/**
 * Adds an Authorization header computed the way the server verifies it: over the decoded path, the
 * query parameters as the server parses them and the header values as Node hands them over (byte
 * strings, surrounding blanks trimmed).
 */
export function signed(req: WireRequest, options: SignOptions = {}): WireRequest {
  let target = options.target ?? req.target;
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  let pathname: string;
  try {
    pathname = decodeURIComponent(rawPath);
  } catch {
    pathname = rawPath;
  }
  const query = queryOf(q >= 0 ? target.slice(q + 1) : '');
  const params = options.signParams ? Object.fromEntries(Object.entries(query).filter(([k]) => options.signParams!.includes(k))) : query;
  const headers: Record<string, string> = {};
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    if (!(lower in headers)) headers[lower] = value.replace(/^[ \t]+|[ \t]+$/g, '');
  }
  if (options.host !== undefined) headers.host = options.host;
  const chosen = options.signHeaders ? Object.fromEntries(Object.entries(headers).filter(([k]) => options.signHeaders!.includes(k))) : headers;
  const now = Math.floor(Date.now() / 1000);
  let authorization: string;
  try {
    authorization = sign(nodeCrypto, {
      secretId: options.secretId ?? SECRET_ID,
      secretKey: options.secretKey ?? SECRET_KEY,
      method: req.method,
      pathname,
      query: params,
      headers: chosen,
      signTime: `${now - 60};${now + 900}`,
    }).authorization;
  } catch {
    authorization = 'q-sign-algorithm=sha1&q-ak=unsignable'; // a lone surrogate cannot be URL-encoded
  }
  return { ...req, headers: [...req.headers, ['Authorization', authorization]] };
}

/** The cosbox process under test. */
export class LiveServer {
  port = 0;
  /** The last lines the process wrote (its error log, a crash's stack). */
  output: string[] = [];
  /** How many times the process died and was started again. */
  restarts = 0;
  private child?: ChildProcess;
  private exited = true;
  private exitCode: number | null = null;

  private constructor(readonly dataDir: string) {}

  static async start(): Promise<LiveServer> {
    const live = new LiveServer(await mkdtemp(join(tmpdir(), 'cosbox-fuzz-')));
    await live.spawn();
    return live;
  }

  private record(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.output.push(line);
    if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
  }

  private async spawn(): Promise<void> {
    const child = spawn(process.execPath, ['--conditions=cosbox-source', '--import', 'tsx', MAIN], {
      cwd: root,
      env: { ...process.env, FUZZ_DATA_DIR: this.dataDir, FUZZ_CREDENTIALS: JSON.stringify(CREDENTIALS) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = false;
    child.stderr!.on('data', (c: Buffer) => this.record(c));
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        resolve();
      }),
    );
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        this.record(c);
        out += c.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      void exited.then(() => reject(new Error(`the server exited at start-up (${this.exitCode}): ${this.output.slice(-5).join('\n')}`)));
    });
  }

  private restarting?: Promise<void>;

  /** Resolves once a restart in progress is done. */
  async ready(): Promise<void> {
    await this.restarting;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return !this.exited;
  }

  /** A mark in the output, to read what was written after it. */
  mark(): number {
    return this.output.length;
  }

  /** Error log lines and crash output written since `mark`, shortened for a report. */
  errorsSince(mark: number): string[] {
    return this.output
      .slice(Math.min(mark, this.output.length))
      .map((line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
          return `${entry.msg}: ${entry.err?.type ?? ''} ${entry.err?.message ?? ''}`.trim();
        } catch {
          return line;
        }
      })
      .slice(0, 12);
  }

  /** After a crash: the process again on the same data directory. */
  restart(): Promise<void> {
    this.restarts++;
    this.restarting = (async () => {
      if (!this.exited) await this.stopProcess();
      await this.spawn();
    })();
    return this.restarting;
  }

  send(req: WireRequest, timeoutMs?: number): Promise<WireResponse> {
    return exchange(this.port, req, timeoutMs);
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
