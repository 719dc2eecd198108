/**
 * The cosbox command line. `cosbox serve` runs the server; the client commands
 * (ls, cp, sync, ...: client/commands.ts) talk to cosbox and COS through @cosbox/sdk.
 */
import { Command, InvalidArgumentError } from 'commander';
import cluster from 'node:cluster';
import type { RootCredentials, ServerLimits, ServerOptions } from '@cosbox/server';
import { keysCommand } from './keys.js';
import { certCommand } from './cert.js';
import { fsckCommand } from './fsck.js';
import { snapshotCommand } from './snapshot.js';
import { registerClientCommands } from './client/commands.js';

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
}

interface ServeOptions {
  port: number;
  host: string;
  data: string;
  region: string;
  domain?: string;
  secretId?: string;
  secretKey?: string;
  appid?: string;
  uin?: string;
  sseMasterKey?: string;
  logLevel: string;
  timeScale: number;
  lifecycleInterval: number;
  logFlushInterval: number;
  originAllow: string[];
  console: boolean;
  headersTimeout?: number;
  bodyTimeout?: number;
  bodyMinRate?: number;
  keepAliveTimeout?: number;
  idleTimeout?: number;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  tlsCert?: string;
  tlsKey?: string;
  httpPort?: number;
  metricsToken?: string;
  workers: number;
  metadata?: string;
  gatewayId?: string;
  orphanGrace?: number;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a non-negative number');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('not a positive integer');
  return n;
}

/** Seconds on the command line, milliseconds in ServerOptions; an absent flag keeps the default. */
function limitsFrom(o: ServeOptions): Partial<ServerLimits> {
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  const limits: Partial<ServerLimits> = {
    headersTimeoutMs: ms(o.headersTimeout),
    bodyTimeoutMs: ms(o.bodyTimeout),
    bodyMinRate: o.bodyMinRate,
    keepAliveTimeoutMs: ms(o.keepAliveTimeout),
    idleTimeoutMs: ms(o.idleTimeout),
    maxConnections: o.maxConnections,
    maxConnectionsPerAddress: o.maxConnectionsPerAddress,
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

function credentialsFrom(o: ServeOptions): RootCredentials | undefined {
  const given = [o.secretId, o.secretKey, o.appid].filter((v) => v !== undefined && v !== '');
  if (given.length === 0) return undefined;
  if (given.length !== 3) throw new Error('set all three of COSBOX_SECRET_ID, COSBOX_SECRET_KEY and COSBOX_APPID (or --secret-id, --secret-key, --appid)');
  if (!/^\d+$/.test(o.appid!)) throw new Error('the appid must be a number, like 1250000000');
  return { secretId: o.secretId!, secretKey: o.secretKey!, appid: o.appid!, uin: o.uin };
}

async function serve(o: ServeOptions): Promise<void> {
  // Loaded here, not at the top: the client commands never need the server (a tenth of a second per run).
  const { DEVELOPMENT_CREDENTIALS, keepServingOnUnexpectedErrors, startServer, usesDevelopmentCredentials } = await import('@cosbox/server');
  const credentials = credentialsFrom(o);
  // A worker process of --workers runs this same command: it serves and says nothing.
  if (o.workers > 1 && cluster.isWorker) {
    const { startWorker } = await import('@cosbox/server');
    const worker = await startWorker(serverOptions(o, credentials));
    keepServingOnUnexpectedErrors(worker.services.log);
    return;
  }
  if (usesDevelopmentCredentials({ dataDir: o.data, credentials })) {
    const c = DEVELOPMENT_CREDENTIALS;
    process.stderr.write(
      [
        '',
        '!!! WARNING: cosbox is using its WELL-KNOWN DEVELOPMENT CREDENTIALS !!!',
        `!!!   SecretId  ${c.secretId}`,
        `!!!   SecretKey ${c.secretKey}`,
        `!!!   AppId     ${c.appid}`,
        '!!! Anyone can read these. Set COSBOX_SECRET_ID, COSBOX_SECRET_KEY and COSBOX_APPID for real use;',
        '!!! with these credentials cosbox only listens on a loopback address.',
        '',
      ].join('\n'),
    );
  }
  // Each worker would need a gateway identity of its own on a shared store: not offered yet.
  if (o.workers > 1 && o.metadata) throw new Error('--workers N with --metadata postgres:// is not supported: run one gateway per process instead (see README: Several gateways on PostgreSQL)');
  if (o.workers > 1) return serveCluster(o, credentials);
  const server = await startServer(serverOptions(o, credentials));
  keepServingOnUnexpectedErrors(server.services.log);
  process.stdout.write(`cosbox ready: ${server.url} (region ${o.region}, data ${o.data})\n`);
  if (o.console) process.stdout.write(`console: ${server.url}/-/console/\n`);
  if (server.httpUrl) process.stdout.write(`plain HTTP: ${server.httpUrl}\n`);
  stopOnSignals(() => server.close());
}

/** --workers N: this process is the primary; the workers are forks of it (cluster.ts). */
async function serveCluster(o: ServeOptions, credentials: RootCredentials | undefined): Promise<void> {
  const { startCluster } = await import('@cosbox/server');
  const running = await startCluster(serverOptions(o, credentials), o.workers);
  process.stdout.write(`cosbox ready: ${running.url} (region ${o.region}, data ${o.data}, ${o.workers} workers)\n`);
  if (o.console) process.stdout.write(`console: ${running.url}/-/console/\n`);
  if (running.httpUrl) process.stdout.write(`plain HTTP: ${running.httpUrl}\n`);
  stopOnSignals(() => running.close());
}

function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`cosbox: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function serverOptions(o: ServeOptions, credentials: RootCredentials | undefined): ServerOptions {
  return {
    dataDir: o.data,
    port: o.port,
    host: o.host,
    region: o.region,
    domain: o.domain,
    credentials,
    sseMasterKey: o.sseMasterKey,
    logLevel: o.logLevel,
    timeScale: o.timeScale,
    lifecycleIntervalMs: o.lifecycleInterval * 1000,
    logFlushIntervalMs: o.logFlushInterval * 1000,
    originAllow: o.originAllow,
    console: o.console,
    limits: limitsFrom(o),
    tlsCert: o.tlsCert,
    tlsKey: o.tlsKey,
    httpPort: o.httpPort,
    metricsToken: o.metricsToken || undefined,
    metadataUrl: o.metadata || undefined,
    gatewayId: o.gatewayId,
    orphanGraceMs: o.orphanGrace === undefined ? undefined : o.orphanGrace * 1000,
  };
}

const program = new Command('cosbox').description('A self-hosted object storage server that speaks the Tencent Cloud COS XML API');

program
  .command('serve')
  .description('run the cosbox server')
  .option('--port <port>', 'port to listen on (0 picks a free one)', portNumber, 9000)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--data <dir>', 'data directory (SQLite metadata and blobs)', './data')
  .option('--region <region>', 'region of buckets addressed without one', 'ap-guangzhou')
  .option('--domain <domain>', 'extra domain for virtual-hosted buckets: <bucket>-<appid>.<domain>')
  .option('--secret-id <id>', 'SecretId of the root account [env COSBOX_SECRET_ID]', process.env.COSBOX_SECRET_ID)
  .option('--secret-key <key>', 'SecretKey of the root account [env COSBOX_SECRET_KEY]', process.env.COSBOX_SECRET_KEY)
  .option('--appid <appid>', 'APPID of the root account [env COSBOX_APPID]', process.env.COSBOX_APPID)
  .option('--uin <uin>', 'uin of the root account [env COSBOX_UIN]', process.env.COSBOX_UIN)
  .option('--sse-master-key <base64>', 'SSE master key, 32 bytes base64 (default: made once in <data>/sse.key) [env COSBOX_SSE_MASTER_KEY]', process.env.COSBOX_SSE_MASTER_KEY)
  .option('--log-level <level>', 'fatal, error, warn, info, debug or silent', 'info')
  .option('--time-scale <n>', 'run lifecycle days and restores N times faster than real time (86400: a day per second)', positiveNumber, 1)
  .option('--lifecycle-interval <seconds>', 'how often bucket lifecycle rules are applied, in real seconds', positiveNumber, 3600)
  .option('--log-flush-interval <seconds>', 'how often bucket access logs are delivered to their target buckets, in seconds', positiveNumber, 300)
  .option('--origin-allow <hosts>', 'comma-separated hosts back-to-origin rules may fetch from (* for any; default: loopback only)', (v: string) => v.split(',').map((h) => h.trim()).filter((h) => h !== ''), [] as string[])
  .option('--no-console', 'do not serve the web console at /-/console/')
  .option('--headers-timeout <seconds>', 'request headers must be complete within this (default 20)', positiveNumber)
  .option('--body-timeout <seconds>', 'a request body silent (or below --body-min-rate) this long gets 400 RequestTimeOut (default 20)', positiveNumber)
  .option('--body-min-rate <bytes/s>', 'the least rate a request body must average over each --body-timeout window (default 500)', nonNegativeNumber)
  .option('--keep-alive-timeout <seconds>', 'idle keep-alive connections are closed after this (default 30)', nonNegativeNumber)
  .option('--idle-timeout <seconds>', 'a connection on which nothing moves this long during a request is closed (default 120)', nonNegativeNumber)
  .option('--max-connections <n>', 'open connections at most (default: from the open-files limit, (ulimit -n - 64) / 2)', positiveInteger)
  .option('--max-connections-per-address <n>', 'open connections per client address at most (default: half of --max-connections)', positiveInteger)
  .option('--tls-cert <file>', 'serve HTTPS on --port with this PEM certificate (chain) [env COSBOX_TLS_CERT]', process.env.COSBOX_TLS_CERT)
  .option('--tls-key <file>', 'the PEM private key of --tls-cert [env COSBOX_TLS_KEY]', process.env.COSBOX_TLS_KEY)
  .option('--http-port <port>', 'with HTTPS, also serve plain HTTP on this port', portNumber)
  .option('--workers <n>', 'server processes on the one port, over the one data directory (see README: Running in production)', positiveInteger, 1)
  .option('--metrics-token <token>', '/-/metrics requires Authorization: Bearer <token> [env COSBOX_METRICS_TOKEN]', process.env.COSBOX_METRICS_TOKEN)
  .option('--metadata <url>', 'postgres://user:password@host:5432/db: metadata in PostgreSQL, shared by several gateways on one --data directory (default: SQLite in --data) [env COSBOX_METADATA_URL]', process.env.COSBOX_METADATA_URL)
  .option('--gateway-id <id>', 'with --metadata postgres://: this gateway\'s name (default: <host>-<pid>-<random>)')
  .option('--orphan-grace <seconds>', 'with --metadata postgres://: unreferenced blobs younger than this are kept at start-up (default 3600)', nonNegativeNumber)
  .action(async (o: ServeOptions) => {
    try {
      await serve(o);
    } catch (error) {
      process.stderr.write(`cosbox: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  });

keysCommand(program);
certCommand(program);
fsckCommand(program);
snapshotCommand(program);
registerClientCommands(program);

await program.parseAsync(process.argv);
