/**
 * `cosbox serve --workers N`: N server processes on one port (node:cluster) over one data directory.
 *
 * The primary takes the data directory's lock, sweeps, runs the background rounds (lifecycle,
 * replication, inventory, tiering, access-log delivery) and forks the workers; it does not listen.
 * The workers share the port (the primary accepts and hands connections round-robin) and serve
 * every request. What must hold across processes is in SQLite: each worker's group commit is one
 * BEGIN IMMEDIATE transaction (they queue for the write lock), cached bucket records follow the
 * bucket epoch, and keys, accounts and grants are read per request. A worker that dies is forked
 * again; a worker whose primary is gone exits (its shared lock, storage/worker-lock.ts, keeps a
 * next server from sweeping until it has).
 *
 * The workers are forks of the running program: `cluster.fork()` runs the same script with the
 * same arguments, which calls `startWorker` when `cluster.isWorker`.
 */
import cluster, { type Worker } from 'node:cluster';
import { Metrics } from './admin/metrics.js';
import { startServer, type RunningServer, type ServerOptions } from './server.js';

interface ReadyMessage {
  type: 'cosbox-ready';
  url: string;
  httpUrl?: string;
}

const STOP = 'cosbox-stop';
/** How long a scrape waits for the other processes' metrics. */
const GATHER_TIMEOUT_MS = 5000;

/**
 * A scrape reaches one worker; it asks the primary (`scrape`), which asks every worker for its
 * metrics (`collect` / `part`), adds its own, and answers with the sum (`scraped`).
 */
type MetricsMessage =
  | { type: 'cosbox-metrics-scrape'; id: number }
  | { type: 'cosbox-metrics-scraped'; id: number; text?: string; error?: string }
  | { type: 'cosbox-metrics-collect'; id: number }
  | { type: 'cosbox-metrics-part'; id: number; part: object[] };

function isMetricsMessage(message: unknown): message is MetricsMessage {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('cosbox-metrics-');
}

export interface RunningCluster {
  /** The workers' shared URL (and plain HTTP URL beside HTTPS). */
  url: string;
  httpUrl?: string;
  workers: number;
  /** Stops the workers (each finishes its requests), then the primary. */
  close(): Promise<void>;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'cosbox-ready';
}

/** In the primary: starts the primary's server and `workers` workers; resolves once all listen. */
export async function startCluster(options: ServerOptions, workers: number): Promise<RunningCluster> {
  const primary = await startServer({ ...options, role: 'primary' });
  const log = primary.services.log;
  let stopping = false;
  let firstReady: ReadyMessage | undefined;
  const live = new Set<Worker>();
  let collections = 0;
  const parts = new Map<number, (part: object[]) => void>();
  /** Every process's metrics, summed: the primary's own and each live worker's. */
  const gather = async (): Promise<string> => {
    const asked = [...live].map(
      (worker) =>
        new Promise<object[]>((resolve) => {
          const id = ++collections;
          const timer = setTimeout(() => {
            parts.delete(id);
            resolve([]);
          }, GATHER_TIMEOUT_MS);
          parts.set(id, (part) => {
            clearTimeout(timer);
            parts.delete(id);
            resolve(part);
          });
          if (worker.isConnected()) worker.send({ type: 'cosbox-metrics-collect', id } satisfies MetricsMessage);
        }),
    );
    return Metrics.aggregate([await primary.metrics.snapshot(), ...(await Promise.all(asked))]);
  };
  const onMetricsMessage = (worker: Worker, message: MetricsMessage) => {
    if (message.type === 'cosbox-metrics-part') parts.get(message.id)?.(message.part);
    else if (message.type === 'cosbox-metrics-scrape') {
      gather().then(
        (text) => worker.isConnected() && worker.send({ type: 'cosbox-metrics-scraped', id: message.id, text } satisfies MetricsMessage),
        (error: unknown) => worker.isConnected() && worker.send({ type: 'cosbox-metrics-scraped', id: message.id, error: String(error) } satisfies MetricsMessage),
      );
    }
  };

  const fork = (): Promise<ReadyMessage> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork();
      live.add(worker);
      let ready = false;
      worker.on('message', (message: unknown) => {
        if (isMetricsMessage(message)) return onMetricsMessage(worker, message);
        if (!isReady(message) || ready) return;
        ready = true;
        resolve(message);
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        if (!ready) return reject(new Error(`a worker process exited before it was ready (${signal ?? `code ${code}`})`));
        if (stopping) return;
        log.error({ code, signal }, 'a worker process died; starting another');
        setTimeout(() => void fork().catch((err: unknown) => log.error({ err }, 'could not start a worker process')), 200).unref();
      });
    });

  try {
    const ready = await Promise.all(Array.from({ length: workers }, fork));
    firstReady = ready[0];
  } catch (error) {
    stopping = true;
    for (const worker of live) worker.kill('SIGKILL');
    await primary.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: firstReady.url,
    httpUrl: firstReady.httpUrl,
    workers,
    close: () =>
      (closing ??= (async () => {
        stopping = true;
        await Promise.all(
          [...live].map(
            (worker) =>
              new Promise<void>((done) => {
                worker.once('exit', () => done());
                if (worker.isConnected()) worker.send(STOP);
                else worker.kill();
                // A worker finishes its requests within the server's own close deadline (a minute).
                setTimeout(() => worker.kill('SIGKILL'), 70_000).unref();
              }),
          ),
        );
        await primary.close();
      })()),
  };
}

/** In a worker process: serves requests until the primary says stop, or goes away. */
export async function startWorker(options: ServerOptions): Promise<RunningServer> {
  const server = await startServer({ ...options, role: 'worker' });
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  let scrapes = 0;
  const scraped = new Map<number, (answer: { text?: string; error?: string }) => void>();
  process.on('message', (message: unknown) => {
    if (message === STOP) return stop(0);
    if (!isMetricsMessage(message)) return;
    if (message.type === 'cosbox-metrics-collect') {
      void server.metrics.snapshot().then((part) => process.send?.({ type: 'cosbox-metrics-part', id: message.id, part } satisfies MetricsMessage));
    } else if (message.type === 'cosbox-metrics-scraped') scraped.get(message.id)?.(message);
  });
  server.metrics.gatherWith(
    () =>
      new Promise<string>((resolve, reject) => {
        const id = ++scrapes;
        const timer = setTimeout(() => {
          scraped.delete(id);
          reject(new Error('the primary did not gather the metrics in time'));
        }, 2 * GATHER_TIMEOUT_MS);
        scraped.set(id, (answer) => {
          clearTimeout(timer);
          scraped.delete(id);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(answer.error ?? 'no metrics'));
        });
        process.send?.({ type: 'cosbox-metrics-scrape', id } satisfies MetricsMessage);
      }),
  );
  // The primary is gone (killed): stop at once, as it did.
  process.on('disconnect', () => {
    if (!stopping) process.exit(1);
  });
  // Signals are the primary's to handle (a terminal's Ctrl-C reaches the whole group).
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => stop(0));
  const ready: ReadyMessage = { type: 'cosbox-ready', url: server.url, httpUrl: server.httpUrl };
  process.send?.(ready);
  return server;
}
