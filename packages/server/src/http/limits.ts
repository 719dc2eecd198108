/**
 * What one client may hold of the server: connections, and time on them.
 *
 * Node's own timeouts cover part of it. `headersTimeout` (checked every `connectionsCheckingInterval`)
 * closes a connection whose request headers are not complete in time, counted from the connection or
 * from the first byte of the request, so it also closes connections that never send anything;
 * `keepAliveTimeout` closes idle keep-alive connections; `server.timeout` closes a connection on
 * which nothing moves at all. None of them bounds a request body: `requestTimeout` counts the whole
 * request, which a 5 GB upload rightly exceeds, and a byte every few seconds keeps `server.timeout`
 * from ever firing. So bodies are watched here (`BodyWatch`): a body that falls silent, or arrives
 * slower than a minimum rate, for a whole window gets 400 RequestTimeOut and its connection closed.
 *
 * And connections are counted (`ConnectionGuard`): at most `maxConnections` open, so the process
 * never runs out of descriptors, shared fairly between client addresses.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { CosError } from '@cosbox/protocol';
import { errorResponse, newRequestId } from './pipeline.js';

export interface ServerLimits {
  /** Request headers complete within this, from the connection or the request's first byte. */
  headersTimeoutMs: number;
  /** The window over which a request body must keep arriving: silent for this long, it fails. */
  bodyTimeoutMs: number;
  /** Bytes per second a body must average over each window (0: any byte in each window will do). */
  bodyMinRate: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves either way this long during a request (a client that stops reading). */
  idleTimeoutMs: number;
  /** Open connections at most; past it a newcomer gets a connection only from an address with more than its share. */
  maxConnections: number;
  /** Open connections per client address (an IPv6 /64 counts as one address) at most. */
  maxConnectionsPerAddress: number;
}

/** Connections the process can afford: half its descriptors (each may read or write a file too), less a reserve. */
export function defaultMaxConnections(descriptorLimit = openFileLimit()): number {
  return Math.max(16, Math.min(10_000, Math.floor((descriptorLimit - 64) / 2)));
}

/** The soft limit on open files (`ulimit -n`), from /proc where there is one; 1024 elsewhere. */
function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line) return line[1] === 'unlimited' ? Infinity : Number(line[1]);
  } catch {
    // no /proc: assume the common default
  }
  return 1024;
}

/** Safe defaults: Apache's mod_reqtimeout figures for headers and bodies (20 s, 500 bytes/s). */
export function resolveLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const maxConnections = given.maxConnections ?? defaultMaxConnections();
  const limits: ServerLimits = {
    headersTimeoutMs: 20_000,
    bodyTimeoutMs: 20_000,
    bodyMinRate: 500,
    keepAliveTimeoutMs: 30_000,
    idleTimeoutMs: 120_000,
    maxConnectionsPerAddress: Math.max(1, Math.ceil(maxConnections / 2)),
    ...given,
    maxConnections,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`the limit ${name} must be a non-negative number, not ${value}`);
  }
  for (const name of ['headersTimeoutMs', 'bodyTimeoutMs', 'maxConnections', 'maxConnectionsPerAddress'] as const) {
    if (limits[name] < 1) throw new Error(`the limit ${name} must be at least 1, not ${limits[name]}`);
  }
  return limits;
}

/** The address a connection counts against: the IPv4 address, or the /64 of an IPv6 one (one host's share). */
export function addressKey(remote: string | undefined): string {
  if (!remote) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped) return mapped[1];
  if (!isIPv6(remote)) return remote;
  const [head, tail = ''] = remote.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = remote.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':') + '::/64';
}

/**
 * Counts open connections by client address and decides who gets one. Below the cap anyone does,
 * up to the per-address share. At the cap a newcomer gets one only by displacing a connection of
 * the address that holds the most, and only if that address holds at least two more than the
 * newcomer's: so a flood from one address can fill the server only while nobody else wants it.
 * Idle connections (between keep-alive requests, or before their first) are displaced first.
 */
export class ConnectionGuard {
  /** Open connections by address key, oldest first. */
  private readonly byAddress = new Map<string, Set<Socket>>();
  /** Connections with a request in progress. */
  private readonly busy = new WeakSet<Socket>();
  private total = 0;
  refused = 0;
  displaced = 0;

  constructor(private readonly limits: Pick<ServerLimits, 'maxConnections' | 'maxConnectionsPerAddress'>) {}

  get open(): number {
    return this.total;
  }

  /** A new connection: admitted (true), or destroyed at once. */
  admit(socket: Socket): boolean {
    const key = addressKey(socket.remoteAddress);
    const mine = this.byAddress.get(key);
    const count = mine?.size ?? 0;
    if (count >= this.limits.maxConnectionsPerAddress || (this.total >= this.limits.maxConnections && !this.displaceFor(count))) {
      this.refused++;
      socket.destroy();
      return false;
    }
    const set = mine ?? new Set<Socket>();
    if (!mine) this.byAddress.set(key, set);
    set.add(socket);
    this.total++;
    socket.once('close', () => {
      if (!set.delete(socket)) return;
      this.total--;
      if (set.size === 0 && this.byAddress.get(key) === set) this.byAddress.delete(key);
    });
    return true;
  }

  /** Marks a connection as serving a request until its response is done. */
  requestStarted(socket: Socket, res: ServerResponse): void {
    // Over HTTPS the request's socket is the TLS wrapper of the one admit() saw; Node keeps that
    // one as `_parent`, and it is the one the displacement looks at.
    const admitted = (socket as Socket & { _parent?: Socket })._parent ?? socket;
    this.busy.add(admitted);
    res.once('close', () => this.busy.delete(admitted));
  }

  /** Closes one connection of the heaviest address if it holds at least two more than `count`. */
  private displaceFor(count: number): boolean {
    let heaviest: Set<Socket> | undefined;
    for (const set of this.byAddress.values()) if (!heaviest || set.size > heaviest.size) heaviest = set;
    if (!heaviest || heaviest.size < count + 2) return false;
    let victim: Socket | undefined;
    for (const socket of heaviest) {
      if (!this.busy.has(socket)) {
        victim = socket;
        break;
      }
    }
    victim ??= heaviest.values().next().value as Socket;
    // Counted out now, not when its close event comes, so the newcomer's place is really free.
    heaviest.delete(victim);
    this.total--;
    this.displaced++;
    victim.destroy();
    return true;
  }
}

/** One body under watch: the socket's byte count at each of the last ticks. */
interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  /** False while a 100-continue request waits for the server's go-ahead: the client is not late. */
  started: boolean;
  samples: number[];
}

/** Ticks per window: a silent body fails between one and 1 + 1/TICKS windows after its last byte. */
const TICKS = 4;

/**
 * Watches request bodies: each tick notes how many bytes each connection has received, and a
 * body that received less than `bodyMinRate` (at least one byte) over the last whole window fails.
 * A window in which the server itself was not reading (its buffer full, the socket paused: a slow
 * disk, a handler still busy) does not count against the client. One timer for all bodies.
 */
export class BodyWatch {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  timedOut = 0;

  constructor(
    private readonly limits: Pick<ServerLimits, 'bodyTimeoutMs' | 'bodyMinRate'>,
    private readonly log: Logger,
  ) {}

  /** Starts watching a request's body, if it has one; for 100-continue, once the server says 100. */
  watch(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    if (!hasBody(req) || req.complete) return;
    const socket = req.socket;
    const w: Watched = { req, res, socket, started: !expectContinue, samples: [socket.bytesRead] };
    if (expectContinue) {
      const writeContinue = res.writeContinue.bind(res);
      res.writeContinue = (callback?: () => void) => {
        w.started = true;
        w.samples = [socket.bytesRead];
        writeContinue(callback);
      };
    }
    this.watched.add(w);
    // A keep-alive connection carries many requests: each takes its listener away when done.
    const stop = () => {
      this.watched.delete(w);
      req.off('end', stop);
      socket.off('close', stop);
    };
    req.once('end', stop);
    socket.once('close', stop);
    this.timer ??= setInterval(() => this.tick(), this.limits.bodyTimeoutMs / TICKS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private tick(): void {
    const needed = Math.max(1, (this.limits.bodyMinRate * this.limits.bodyTimeoutMs) / 1000);
    for (const w of this.watched) {
      if (w.req.complete || w.socket.destroyed) {
        this.watched.delete(w);
        continue;
      }
      if (!w.started) continue;
      const now = w.socket.bytesRead;
      if (w.socket.isPaused() || w.req.readableLength > 0) {
        w.samples = [now];
        continue;
      }
      w.samples.push(now);
      if (w.samples.length <= TICKS) continue;
      const received = now - w.samples.shift()!;
      if (received < needed) this.expire(w, received);
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** 400 RequestTimeOut if nothing was answered yet, and the connection closed either way. */
  private expire(w: Watched, received: number): void {
    this.watched.delete(w);
    this.timedOut++;
    const requestId = newRequestId(Date.now());
    this.log.warn(
      { remote: w.socket.remoteAddress, method: w.req.method, path: w.req.url, received, windowMs: this.limits.bodyTimeoutMs, requestId },
      'request body too slow: closing the connection',
    );
    // The handler still waits for the rest of the body: failing the request ends that wait (Node
    // no longer counts a request as in flight once its response is done, so closing the socket
    // alone would leave the handler, its descriptor and its temporary file waiting for ever).
    const cut = () => {
      w.req.destroy(new CosError('RequestTimeOut'));
      w.socket.destroy();
    };
    if (w.res.headersSent || w.res.writableEnded) return cut();
    const resource = `${w.req.headers.host ?? ''}${(w.req.url ?? '').split('?')[0]}`;
    const spec = errorResponse(new CosError('RequestTimeOut'), resource, requestId);
    const body = Buffer.from(spec.body as string);
    w.res.writeHead(spec.status, {
      ...spec.headers,
      Server: 'tencent-cos',
      'x-cos-request-id': requestId,
      'Content-Length': body.length,
      Connection: 'close',
    });
    w.res.end(body, cut);
    // A client that does not read the answer either is not waited for.
    setTimeout(cut, this.limits.bodyTimeoutMs).unref();
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
