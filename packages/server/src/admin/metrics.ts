/**
 * `GET /-/metrics`: the server's counters in the Prometheus text format (prom-client), on a registry
 * of its own (two servers in one process keep theirs apart).
 *
 * The request path pays one call per request, at its end (`requestFinished`), plus an increment of
 * the in-flight count at its start; connections, network bytes and bucket usage are read only when
 * scraped. With `--metrics-token` a scrape must carry `Authorization: Bearer <token>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CosError } from '@cosbox/protocol';
import type { ResponseSpec } from '../http/context.js';
import { BlobGoneError, type BlobStore } from '../storage/blob/store.js';
import type { BucketUsage } from '../storage/metadata/store.js';

export const METRICS_PATH = '/-/metrics';

export interface MetricsOptions {
  /** Objects and bytes per bucket, read at scrape time. */
  bucketUsage: () => Promise<BucketUsage[]>;
  /** A scrape within this many milliseconds of the last reuses its bucket usage. Default 10 s. */
  usageCacheMs?: number;
  /** `--metrics-token`: scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

/** Latency buckets from 1 ms to 1 min: small requests land in the first ones, large transfers in the last. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Metrics {
  readonly registry = new Registry();
  private gather: (() => Promise<string>) | undefined;
  private inFlight = 0;
  private readonly sockets = new Set<Socket>();
  /** Bytes of connections already closed; open ones are added at scrape time. */
  private closedBytesIn = 0;
  private closedBytesOut = 0;
  private readonly requests: Counter<'operation' | 'status'>;
  private readonly latency: Histogram<'operation'>;
  private readonly responseBytes: Counter<'operation'>;
  private readonly lifecycleRuns: Counter<'outcome'>;
  private readonly blobReadErrors: Counter;
  private readonly tokenHash?: Buffer;
  private usage?: { at: number; rows: Promise<BucketUsage[]> };

  constructor(private readonly options: MetricsOptions) {
    if (options.token !== undefined) {
      if (options.token === '' || /[\s]/.test(options.token)) throw new Error('the metrics token must be non-empty and without spaces');
      this.tokenHash = sha256(options.token);
    }
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'cosbox_' });
    this.requests = new Counter({ name: 'cosbox_requests_total', help: 'Requests answered, by COS operation and HTTP status.', labelNames: ['operation', 'status'], registers });
    this.latency = new Histogram({
      name: 'cosbox_request_duration_seconds',
      help: 'Time from the request head to the end of the response, by COS operation.',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.responseBytes = new Counter({ name: 'cosbox_response_body_bytes_total', help: 'Response body bytes sent, by COS operation.', labelNames: ['operation'], registers });
    this.lifecycleRuns = new Counter({ name: 'cosbox_lifecycle_runs_total', help: 'Lifecycle rounds over the buckets with rules, by outcome.', labelNames: ['outcome'], registers });
    this.blobReadErrors = new Counter({ name: 'cosbox_blob_read_errors_total', help: 'Blob reads that failed (missing, unreadable or damaged data).', registers });
    const self = this;
    new Gauge({ name: 'cosbox_requests_in_flight', help: 'Requests being served now.', registers, collect() { this.set(self.inFlight); } });
    new Gauge({ name: 'cosbox_open_connections', help: 'Client connections open now, on every listener.', registers, collect() { this.set(self.sockets.size); } });
    new Counter({ name: 'cosbox_network_received_bytes_total', help: 'Bytes received from clients (headers and bodies, as sent on the wire).', registers, collect() { this.reset(); this.inc(self.bytesIn()); } });
    new Counter({ name: 'cosbox_network_sent_bytes_total', help: 'Bytes sent to clients (headers and bodies, as sent on the wire).', registers, collect() { this.reset(); this.inc(self.bytesOut()); } });
    new Gauge({
      name: 'cosbox_bucket_objects',
      help: 'Current objects per bucket (noncurrent versions not counted).',
      labelNames: ['bucket'],
      registers,
      // Every process of --workers counts the same store: one count, not their sum.
      aggregator: 'max',
      async collect() {
        const rows = await self.bucketUsage();
        this.reset();
        for (const row of rows) this.set({ bucket: row.bucket }, row.objects);
      },
    });
    new Gauge({
      name: 'cosbox_bucket_bytes',
      help: 'Bytes of the current objects per bucket (noncurrent versions not counted).',
      labelNames: ['bucket'],
      registers,
      aggregator: 'max',
      async collect() {
        const rows = await self.bucketUsage();
        this.reset();
        for (const row of rows) this.set({ bucket: row.bucket }, row.bytes);
      },
    });
  }

  /** Counts the connections of a listener (plain or TLS) and the bytes they carry. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.closedBytesIn += socket.bytesRead;
        this.closedBytesOut += socket.bytesWritten;
      });
    });
  }

  requestStarted(): void {
    this.inFlight++;
  }

  /** The one update per request, once its response is written (or abandoned). */
  requestFinished(operation: string, status: number, seconds: number, bodyBytes: number): void {
    this.inFlight--;
    this.requests.inc({ operation, status: String(status) });
    this.latency.observe({ operation }, seconds);
    if (bodyBytes > 0) this.responseBytes.inc({ operation }, bodyBytes);
  }

  lifecycleRun(outcome: 'ok' | 'failed'): void {
    this.lifecycleRuns.inc({ outcome });
  }

  blobReadError(): void {
    this.blobReadErrors.inc();
  }

  /** The blob store with every failed read counted (a vanished blob, which callers retry, is not a failure). */
  countReadErrors(blobs: BlobStore): BlobStore {
    const open: BlobStore['open'] = async (...args) => {
      let stream: Readable;
      try {
        stream = await blobs.open(...args);
      } catch (error) {
        if (!(error instanceof BlobGoneError)) this.blobReadError();
        throw error;
      }
      return stream.once('error', (error: NodeJS.ErrnoException) => {
        // A reader that went away (the client closed the connection) is not a failed read.
        if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE' && error.name !== 'AbortError') this.blobReadError();
      });
    };
    return new Proxy(blobs, {
      get(target, name) {
        if (name === 'open') return open;
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** With --workers: a scrape answers for every process (cluster.ts gathers), not just this one. */
  gatherWith(gather: () => Promise<string>): void {
    this.gather = gather;
  }

  /** This process's metrics, for the primary of --workers to add up. */
  snapshot(): Promise<object[]> {
    return this.registry.getMetricsAsJSON();
  }

  /** The text format of several processes' snapshots, counters and histograms summed. */
  static aggregate(snapshots: object[][]): Promise<string> {
    return AggregatorRegistry.aggregate(snapshots).metrics();
  }

  /** Answers a scrape: the text format, or AccessDenied without the token. */
  async serve(method: string, header: (name: string) => string | undefined): Promise<ResponseSpec> {
    if (method !== 'GET' && method !== 'HEAD') throw new CosError('MethodNotAllowed', 'The metrics are read with GET.');
    if (this.tokenHash && !this.bearerMatches(header('authorization'))) {
      throw new CosError('AccessDenied', 'The metrics need Authorization: Bearer <the --metrics-token>.');
    }
    const text = this.gather ? await this.gather() : await this.registry.metrics();
    return { status: 200, headers: { 'Content-Type': this.registry.contentType, 'Cache-Control': 'no-store' }, body: method === 'HEAD' ? undefined : text };
  }

  private bearerMatches(value: string | undefined): boolean {
    const match = /^Bearer +(\S+) *$/i.exec(value ?? '');
    // Hashes of equal length, so the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(sha256(match[1]!), this.tokenHash!);
  }

  private bytesIn(): number {
    let total = this.closedBytesIn;
    for (const socket of this.sockets) total += socket.bytesRead;
    return total;
  }

  private bytesOut(): number {
    let total = this.closedBytesOut;
    for (const socket of this.sockets) total += socket.bytesWritten;
    return total;
  }

  /** One query for both usage gauges, reused for a few seconds so frequent scrapes stay cheap. */
  private bucketUsage(): Promise<BucketUsage[]> {
    const now = Date.now();
    if (!this.usage || now - this.usage.at >= (this.options.usageCacheMs ?? 10_000)) {
      this.usage = { at: now, rows: this.options.bucketUsage() };
      this.usage.rows.catch(() => (this.usage = undefined));
    }
    return this.usage.rows;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
