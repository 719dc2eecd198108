/**
 * Starting and stopping a cosbox server: opens the stores, sweeps what a crash left behind, serves
 * HTTP, and on close stops accepting, lets in-flight requests finish and closes the stores.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { CosError } from '@cosbox/protocol';
import { Accounts, ensureRootAccount } from './auth/accounts.js';
import { TemporaryKeys } from './auth/temporary-keys.js';
import { handlers } from './handlers/index.js';
import { ServerSideEncryption } from './model/encryption.js';
import { METADATA_FILE } from './admin.js';
import { BodyWatch, ConnectionGuard, resolveLimits, type ServerLimits } from './http/limits.js';
import { Pipeline, rawErrorResponse, type HandlerTable } from './http/pipeline.js';
import { AdminRoutes } from './admin/index.js';
import { ConsoleAssets, DEFAULT_CONSOLE_DIR } from './admin/console.js';
import type { Services } from './services.js';
import { FsBlobStore } from './storage/blob/fs.js';
import { lockDataDirectory, type DataDirectoryLock } from './storage/data-lock.js';
import { holdWorkerLock, waitForOldWorkers } from './storage/worker-lock.js';
import { SqliteMetadataStore } from './storage/metadata/sqlite.js';
import { LifecycleWorker } from './workers/lifecycle.js';
import { AccessLogs } from './workers/access-log.js';
import { ReplicationWorker } from './workers/replication.js';
import { InventoryWorker } from './workers/inventory.js';
import { TieringWorker } from './workers/tiering.js';
import { guardObjectLock } from './model/object-lock.js';
import { queueReplication } from './model/replication.js';
import { loadTls, type TlsMaterial } from './tls.js';
import { Metrics } from './admin/metrics.js';
import { Readiness } from './admin/health.js';
import { DEFAULT_LEADER_POLL_MS, DEFAULT_ORPHAN_GRACE_MS, gatewayAlive, gatewayIdOf, isPostgresUrl, lockGateway, WorkerLeadership, type BackgroundWork } from './gateway.js';
import { PostgresMetadataStore } from './storage/metadata/postgres.js';

export interface RootCredentials {
  secretId: string;
  secretKey: string;
  appid: string;
  /** The account's uin; defaults to a fixed development uin. */
  uin?: string;
}

/**
 * Well-known development credentials, used when none are configured. Anyone can read them here, so
 * a server using them refuses to listen beyond the loopback interface.
 */
export const DEVELOPMENT_CREDENTIALS: Readonly<Required<RootCredentials>> = {
  secretId: 'AKIDcosboxDevelopmentOnlyKey000000',
  secretKey: 'cosboxDevelopmentOnlySecretKey0000',
  appid: '1250000000',
  uin: '100000000001',
};

export interface ServerOptions {
  dataDir: string;
  /** 0 picks a free port. Default 9000. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default ap-guangzhou. */
  region?: string;
  domain?: string;
  /** The first root account; the development credentials when absent. */
  credentials?: RootCredentials;
  /** pino level; 'silent' for tests. Default 'info'. */
  logLevel?: string;
  /** A logger to use instead of one on stdout. */
  logger?: Logger;
  /** SQLite durability: 'full' (default) fsyncs every group commit. */
  synchronous?: 'full' | 'normal';
  /**
   * The SSE master key, base64 of 32 bytes (--sse-master-key, COSBOX_SSE_MASTER_KEY). Absent: one is
   * made at first start and kept in `<data>/sse.key`.
   */
  sseMasterKey?: string;
  /**
   * How many times faster than real time lifecycle days, restore durations and restore expiry
   * pass: default 1; 86400 makes a day last one second.
   */
  timeScale?: number;
  /** How often the lifecycle worker applies the buckets' rules, in real milliseconds. Default one hour. */
  lifecycleIntervalMs?: number;
  /** The largest object, part or append in bytes; default 5 GB. Tests lower it to reach the limit. */
  maxObjectSize?: number;
  /** Replaces the handler table: for fault-injection tests only. */
  handlers?: HandlerTable;
  /** Serve the web console at /-/console/ (default true; `--no-console` turns it off). */
  console?: boolean;
  /** Where the built console is; default packages/console/dist. */
  consoleDir?: string;
  /** Timeouts and connection caps (http/limits.ts); each absent one takes its safe default. */
  limits?: Partial<ServerLimits>;
  /** How often queued access-log lines are delivered as objects (`--log-flush-interval`), in ms. Default 5 minutes. */
  logFlushIntervalMs?: number;
  /** How often the replication worker works its queue, in ms. Default 1 second. */
  replicationIntervalMs?: number;
  /** Hosts back-to-origin rules may fetch from (`--origin-allow`, `*` for any); default loopback only. */
  originAllow?: string[];
  /** How long an origin may take to answer, in ms. Default 10 s. */
  originTimeoutMs?: number;
  /** How often due inventory reports are written, in real ms. Default one hour (the lifecycle interval's default). */
  inventoryIntervalMs?: number;
  /** HTTPS on `port`: the certificate chain and its key, as file paths or PEM text (--tls-cert, --tls-key). */
  tlsCert?: string;
  tlsKey?: string;
  /** With HTTPS, a plain HTTP listener on this port too (--http-port; 0 picks a free one). */
  httpPort?: number;
  /** `/-/metrics` answers only `Authorization: Bearer <metricsToken>` (--metrics-token). */
  metricsToken?: string;
  /** How long `/-/ready` reuses its last disk and store check, in ms. Default 1000. */
  readyCacheMs?: number;
  /** How long `/-/metrics` reuses the per-bucket object counts, in ms. Default 10000. */
  bucketUsageCacheMs?: number;
  /**
   * --workers (cluster.ts): the `primary` holds the lock, sweeps and runs the background workers but
   * does not listen; a `worker` serves requests only (no lock but its shared one, no sweep, no
   * background rounds). Absent: one process does everything.
   */
  role?: 'primary' | 'worker';
  /**
   * `postgres://...` (--metadata, COSBOX_METADATA_URL): metadata in PostgreSQL, shared by several
   * gateways on one blob directory (gateway.ts). Absent: SQLite in the data directory.
   */
  metadataUrl?: string;
  /** With PostgreSQL: this gateway's id (--gateway-id); default `<host>-<pid>-<random>`. */
  gatewayId?: string;
  /** With PostgreSQL: unreferenced blobs younger than this are kept by the sweep (a commit may be in flight elsewhere). Default one hour. */
  orphanGraceMs?: number;
  /** With PostgreSQL: how often a gateway tries to take over the background workers. Default 5 s. */
  leaderPollMs?: number;
}

export const DEFAULT_LIFECYCLE_INTERVAL_MS = 60 * 60 * 1000;

export interface RunningServer {
  /** `http://host:port`, or `https://host:port` with TLS. */
  url: string;
  host: string;
  port: number;
  /** The plain listener beside HTTPS (`httpPort`), when there is one. */
  httpUrl?: string;
  services: Services;
  /** The server's metrics (/-/metrics); --workers gathers them across processes. */
  metrics: Metrics;
  /** The limits in force, with their defaults filled in. */
  limits: ServerLimits;
  /** Connections open now, and how many were refused or displaced (fair share) and bodies timed out so far. */
  connections(): { open: number; refused: number; displaced: number; bodiesTimedOut: number };
  /** Applies every bucket's lifecycle rules now (besides the periodic rounds); resolves when done. */
  runLifecycle(): Promise<void>;
  /** Works the replication queue until it is empty. */
  runReplication(): Promise<void>;
  /** Delivers the queued access-log lines now. */
  flushAccessLogs(): Promise<void>;
  /** Writes every inventory report that is due now. */
  runInventory(): Promise<void>;
  /** Records pending reads and moves INTELLIGENT_TIERING objects between tiers now. */
  runTiering(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, stops the lifecycle worker, closes the stores. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

export function usesDevelopmentCredentials(options: ServerOptions): boolean {
  return options.credentials === undefined || options.credentials.secretId === DEVELOPMENT_CREDENTIALS.secretId;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (usesDevelopmentCredentials(options) && !isLoopback(host)) {
    throw new Error(`refusing to listen on ${host} with the well-known development credentials: set COSBOX_SECRET_ID, COSBOX_SECRET_KEY and COSBOX_APPID`);
  }
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new Error(`the time scale must be a positive number, not ${timeScale}`);
  const lifecycleIntervalMs = options.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS;
  if (!Number.isFinite(lifecycleIntervalMs) || lifecycleIntervalMs <= 0) throw new Error(`the lifecycle interval must be a positive number, not ${lifecycleIntervalMs}`);
  const limits = resolveLimits(options.limits);
  // TLS settings are checked before anything is opened.
  const tls = await loadTls(options.tlsCert, options.tlsKey);
  if (options.httpPort !== undefined && !tls) throw new Error('--http-port adds a plain listener beside HTTPS: give --tls-cert and --tls-key too');
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info' }, pino.destination({ dest: 1, sync: false }));

  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // Before anything is read or swept: a second server on this directory would sweep the first's
  // uncommitted blobs.
  const shared = sharedGateway(options);
  if (shared && options.role !== undefined) throw new Error('--workers is not supported with a PostgreSQL metadata store: run one gateway per process');
  const lock = options.role === 'worker' ? holdWorkerLock(dataDir) : shared ? lockGateway(dataDir, shared.gatewayId) : lockDataDirectory(dataDir);
  try {
    // Workers of an earlier server (killed with its primary) must be gone before the sweep.
    if (options.role !== 'worker') waitForOldWorkers(dataDir);
    return await serveLocked(options, dataDir, lock, limits, tls, log);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function serveLocked(options: ServerOptions, dataDir: string, lock: DataDirectoryLock, limits: ServerLimits, tls: TlsMaterial | undefined, log: Logger): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const credentials = options.credentials ?? DEVELOPMENT_CREDENTIALS;
  const timeScale = options.timeScale ?? 1;
  const lifecycleIntervalMs = options.lifecycleIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS;
  const shared = sharedGateway(options);
  const store = shared
    ? await PostgresMetadataStore.open(shared.url)
    : new SqliteMetadataStore(join(dataDir, METADATA_FILE), { synchronous: options.synchronous });
  // Every writer goes through object lock's checks and replication's queueing.
  const locked = guardObjectLock(store, timeScale);
  const meta = queueReplication(locked);
  const blobs = new FsBlobStore(dataDir, { gatewayId: shared?.gatewayId });
  await blobs.init();
  const temporaryKeys = new TemporaryKeys(await serverSecret(dataDir));
  const encryption = new ServerSideEncryption(await sseMasterKey(dataDir, options.sseMasterKey));
  // Start-up work is the primary's (or the single process's), done before any worker is forked.
  const sweepOptions = shared ? { graceMs: shared.orphanGraceMs, gatewayAlive: (id: string) => gatewayAlive(dataDir, id) } : {};
  if (options.role !== 'worker') {
    await ensureRootAccount(meta, { ...credentials, uin: credentials.uin ?? DEVELOPMENT_CREDENTIALS.uin }, Date.now());
    const swept = await blobs.sweep(await meta.referencedBlobIds(), { ...sweepOptions, startup: true });
    if (swept.temporary + swept.orphans > 0) log.info(swept, 'removed files left by an interrupted run');
  }

  const metrics = new Metrics({ bucketUsage: () => meta.bucketUsage(), token: options.metricsToken, usageCacheMs: options.bucketUsageCacheMs });
  const services: Services = {
    meta,
    blobs: metrics.countReadErrors(blobs),
    accounts: new Accounts(meta),
    temporaryKeys,
    encryption,
    config: {
      region: options.region ?? 'ap-guangzhou',
      domain: options.domain,
      maxBucketsPerOwner: 200,
      timeScale,
      maxObjectSize: options.maxObjectSize,
      originAllow: options.originAllow,
      originTimeoutMs: options.originTimeoutMs,
    },
    log,
  };
  const accessLogs = new AccessLogs(services, positiveMs(options.logFlushIntervalMs ?? 5 * 60_000, 'log flush interval'));
  services.accessLogs = accessLogs;
  // Tiering rounds run with the lifecycle's (they are the same kind of work: classes moving with age).
  const tiering = new TieringWorker(services, lifecycleIntervalMs);
  services.tiering = tiering;
  const consoleAssets = options.console === false ? undefined : await ConsoleAssets.load(options.consoleDir ?? DEFAULT_CONSOLE_DIR);
  const readiness = new Readiness({ meta, tmpDir: join(dataDir, 'tmp'), cacheMs: options.readyCacheMs });
  const pipeline = new Pipeline(services, options.handlers ?? handlers, new AdminRoutes({ console: consoleAssets, metrics, readiness }), metrics);
  const guard = new ConnectionGuard(limits);
  const bodies = new BodyWatch(limits, log);
  const serve = (req: IncomingMessage, res: ServerResponse, expectContinue: boolean) => {
    guard.requestStarted(req.socket, res);
    bodies.watch(req, res, expectContinue);
    // serve() answers every error itself; the catch is the last guard that keeps the process up.
    pipeline.serve(req, res, expectContinue).catch((err: unknown) => {
      log.error({ err }, 'request failed outside the pipeline');
      res.destroy();
    });
  };
  // The main listener (HTTPS with a certificate) and, with --http-port, a plain one beside it: both
  // take the same handler, limits and connection settings below.
  const httpSettings = {
    // No requestTimeout: a large upload rightly takes long; BodyWatch bounds slow bodies instead.
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    // Node checks headersTimeout only this often (30 s by default).
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(limits.headersTimeoutMs / 4))),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => serve(req, res, false);
  const server: Server | HttpsServer = tls ? createHttpsServer({ ...httpSettings, ...tls }, onRequest) : createServer(httpSettings, onRequest);
  const plain = tls && options.httpPort !== undefined ? createServer(httpSettings, onRequest) : undefined;
  const listeners = plain ? [server, plain] : [server];
  for (const listener of listeners) {
    // The guard decides before Node's HTTP (or TLS) machinery sets a connection up: a refused one
    // costs an accept and a close, nothing more.
    const setUp = listener.listeners('connection') as Array<(socket: Socket) => void>;
    listener.removeAllListeners('connection');
    listener.on('connection', (socket: Socket) => {
      if (guard.admit(socket)) for (const handler of setUp) handler.call(listener, socket);
    });
    metrics.watch(listener);
    // Answer `Expect: 100-continue` only once the request has passed routing and authentication.
    listener.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => serve(req, res, true));
    // A connection on which nothing moves at all (a client that stopped reading) must not be held forever.
    listener.setTimeout(limits.idleTimeoutMs);
    listener.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      log.debug({ err }, 'client error');
      if (!socket.writable) return void socket.destroy();
      // A body that ends before its Content-Length is IncompleteBody; anything else Node's parser
      // refuses is a request COS could not read either.
      const cos =
        err.code === 'HPE_INVALID_EOF_STATE'
          ? new CosError('IncompleteBody')
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? new CosError('RequestTimeOut')
            : new CosError('InvalidRequest', 'The HTTP request is malformed.');
      socket.end(rawErrorResponse(cos));
    });
  }
  // A failed TLS handshake (a client that does not trust the certificate) has no HTTP answer.
  server.on('tlsClientError', (err: Error) => log.debug({ err }, 'TLS handshake failed'));

  // The primary of --workers does not listen: its workers share the port.
  const listening = options.role !== 'primary';
  const port = listening ? await listen(server, options.port ?? 9000, host) : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const httpPort = plain && listening
    ? await listen(plain, options.httpPort!, host).catch(async (error: unknown) => {
        server.close();
        await meta.close();
        throw error;
      })
    : undefined;

  const lifecycle = new LifecycleWorker(services, lifecycleIntervalMs, (outcome) => metrics.lifecycleRun(outcome));
  // Replicas are written beneath the replication queueing (never queued again), still under object lock.
  const replication = new ReplicationWorker({ ...services, meta: locked }, positiveMs(options.replicationIntervalMs ?? 1000, 'replication interval'));
  const inventory = new InventoryWorker(services, positiveMs(options.inventoryIntervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS, 'inventory interval'));
  const workers: BackgroundWork[] = [lifecycle, replication, accessLogs, inventory];
  // Several gateways: what a gateway killed mid-commit left is swept by the workers' gateway too,
  // once per grace period, not only when a gateway starts.
  if (shared) workers.push(orphanSweeper(async () => blobs.sweep(await meta.referencedBlobIds(), sweepOptions), shared.orphanGraceMs, log));
  const background = { start: () => workers.forEach((w) => w.start()), stop: async () => void (await Promise.all(workers.map((w) => w.stop()))) };
  // Several gateways: one of them at a time runs these (gateway.ts). Tiering runs on every gateway:
  // only this one knows its reads, and each move re-checks the object in a transaction.
  const leadership = shared ? new WorkerLeadership(shared.url, positiveMs(options.leaderPollMs ?? DEFAULT_LEADER_POLL_MS, 'leader poll interval'), background, log) : undefined;
  // Background rounds run in one process only; a worker of --workers just hands its reads over.
  if (options.role === 'worker') tiering.startRecording();
  else {
    if (leadership) leadership.start();
    else background.start();
    tiering.start();
  }

  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}`,
    host,
    port,
    httpUrl: httpPort === undefined ? undefined : `http://${urlHost}:${httpPort}`,
    services,
    metrics,
    limits,
    connections: () => ({ open: guard.open, refused: guard.refused, displaced: guard.displaced, bodiesTimedOut: bodies.timedOut }),
    runLifecycle: () => lifecycle.runOnce(),
    runReplication: () => replication.runOnce(),
    flushAccessLogs: () => accessLogs.runOnce(),
    runInventory: () => inventory.runOnce(),
    runTiering: () => tiering.runOnce(),
    close: () =>
      (closing ??= (async () => {
        await Promise.all(
          listeners.map(
            (listener) =>
              new Promise<void>((done) => {
                listener.close(() => done());
                // In-flight requests finish; their keep-alive connections are closed as they fall idle,
                // and after a minute whatever remains is cut.
                const idle = setInterval(() => listener.closeIdleConnections(), 50);
                const deadline = setTimeout(() => listener.closeAllConnections(), 60_000);
                listener.once('close', () => {
                  clearInterval(idle);
                  clearTimeout(deadline);
                });
                listener.closeIdleConnections();
              }),
          ),
        );
        bodies.stop();
        await leadership?.stop();
        await lifecycle.stop();
        await replication.stop();
        await inventory.stop();
        await tiering.stop();
        // Lines still queued stay in the store and are delivered after the next start.
        await accessLogs.stop();
        await meta.close();
        lock.release();
        log.flush?.();
      })()),
  };
}

/** Runs `sweep` every `intervalMs` (never two at once) while started. */
function orphanSweeper(sweep: () => Promise<{ temporary: number; orphans: number }>, intervalMs: number, log: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const round = async () => {
    busy = true;
    try {
      const swept = await sweep();
      if (swept.temporary + swept.orphans > 0) log.info(swept, 'removed files left by a gateway that stopped mid-write');
    } catch (err) {
      log.warn({ err }, 'orphan sweep failed');
    } finally {
      busy = false;
    }
  };
  return {
    start() {
      timer ??= setInterval(() => {
        if (!busy) running = round();
      }, Math.max(intervalMs, 1000));
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

/** With a PostgreSQL metadata URL: what makes this server one gateway among several. */
function sharedGateway(options: ServerOptions): { url: string; gatewayId: string; orphanGraceMs: number } | undefined {
  const url = options.metadataUrl;
  if (url === undefined || url === '') return undefined;
  if (!isPostgresUrl(url)) throw new Error(`the metadata URL must be postgres://... (or absent for SQLite in the data directory), not ${url.split('@').pop()}`);
  // One id per server: startServer and serveLocked must agree on it.
  const gatewayId = (gatewayIds.get(options) ?? gatewayIds.set(options, gatewayIdOf(options.gatewayId)).get(options))!;
  return { url, gatewayId, orphanGraceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS };
}
const gatewayIds = new WeakMap<ServerOptions, string>();

/**
 * Keeps a serving process up through an error nothing caught (a throw in a stream callback, a
 * promise nobody awaited): logs it, with the request id when the error carries one, and goes on
 * serving: one bad request must not end the service for everyone. `cosbox serve` installs it; a
 * program that embeds the server decides for itself. Returns a function that removes the handlers.
 */
export function keepServingOnUnexpectedErrors(log: Logger): () => void {
  const requestIdOf = (err: unknown) => (err !== null && typeof err === 'object' && 'requestId' in err ? String(err.requestId) : undefined);
  const onException = (err: Error, origin: string) => log.error({ err, origin, requestId: requestIdOf(err) }, 'unexpected error; still serving');
  const onRejection = (reason: unknown) => log.error({ err: reason, requestId: requestIdOf(reason) }, 'unhandled promise rejection; still serving');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/** The secret that seals temporary keys: made once per data directory, readable by its owner only. */
async function serverSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'sts.secret');
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Several gateways may start at once on a shared directory: the first file made wins.
    return createOnce(path, TemporaryKeys.fresh());
  }
}

/** Base64 of exactly 32 bytes, else an error that names the setting. */
export function parseSseMasterKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()) || key.length !== 32) {
    throw new Error('the SSE master key (--sse-master-key, COSBOX_SSE_MASTER_KEY) must be 32 bytes, base64-encoded');
  }
  return key;
}

/**
 * The key that seals the data keys of SSE-COS objects: the configured one, else one made once per
 * data directory and kept beside the metadata, readable by its owner only. Losing it loses every
 * SSE-COS object, so it is never replaced once written.
 */
async function sseMasterKey(dataDir: string, configured: string | undefined): Promise<Buffer> {
  if (configured !== undefined && configured !== '') return parseSseMasterKey(configured);
  const path = join(dataDir, 'sse.key');
  try {
    return parseSseMasterKey(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return parseSseMasterKey((await createOnce(path, Buffer.from(randomBytes(32).toString('base64') + '\n'))).toString('utf8'));
  }
}

/**
 * Makes `path` with `content` unless it exists, atomically (written aside, then hard-linked into
 * place: nobody reads it half-written), and resolves with what the file holds: this content, or
 * that of another gateway that made it first.
 */
async function createOnce(path: string, content: Buffer): Promise<Buffer> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.new`;
  await writeFile(aside, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
  return readFile(path);
}

function positiveMs(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`the ${what} must be a positive number, not ${value}`);
  return value;
}

/** Resolves with the port listened on (the one picked for 0). */
function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const address = server.address();
      ok(typeof address === 'object' && address ? address.port : port);
    });
  });
}
