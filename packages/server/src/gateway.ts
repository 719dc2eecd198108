/**
 * Several gateways on one PostgreSQL metadata store and one (shared) blob directory.
 *
 * - Identity: each gateway has an id (`--gateway-id`, else `<host>-<pid>-<random>`) and holds
 *   `<data>/gateways/<id>.lock` while it runs (the same OS file lock as the single server's
 *   `<data>/lock`, dropped by the OS when the process dies, even by SIGKILL). Its temp files are
 *   `tmp/<id>.<blob>`: the start-up sweep removes a dead gateway's at once, and leaves a live one's.
 * - Orphans: a blob no record references is removed only once older than a grace period (default
 *   one hour): a younger one may be the blob of a commit in flight on another gateway. The
 *   workers' gateway sweeps once per grace period too.
 * - Background workers (lifecycle, replication, access-log delivery, inventory) run on one gateway
 *   at a time: the one holding a PostgreSQL session advisory lock on a dedicated connection. The
 *   others try again every `pollMs`; when the holder dies its connection closes, PostgreSQL drops
 *   the lock and the next try of another gateway takes it over.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { tryLockFile, type DataDirectoryLock } from './storage/data-lock.js';

export const GATEWAYS_DIR = 'gateways';
export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;
export const DEFAULT_LEADER_POLL_MS = 5000;
/** The background workers' advisory lock (two-int form: apart from the store's key locks). */
const WORKERS_LOCK = [0x636f73, 2] as const;

export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** A fresh gateway id, or the given one when it is a safe file name. */
export function gatewayIdOf(given: string | undefined): string {
  if (given !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(given)) throw new Error(`the gateway id must be 1 to 64 letters, digits, _ or -, not ${JSON.stringify(given)}`);
    return given;
  }
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32) || 'gw';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class GatewayInUseError extends Error {
  constructor(id: string) {
    super(`the gateway id ${id} is in use by another running cosbox gateway on this data directory`);
  }
}

/** Holds this gateway's lock file until release (which also removes it). */
export function lockGateway(dataDir: string, id: string): DataDirectoryLock {
  const dir = join(dataDir, GATEWAYS_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${id}.lock`);
  const lock = tryLockFile(path);
  if (!lock) throw new GatewayInUseError(id);
  return {
    release() {
      lock.release();
      rmSync(path, { force: true });
    },
  };
}

/**
 * Whether the gateway `id` runs now (its lock is held). A dead gateway's lock file is removed on
 * the way. A gateway never registered (no lock file) is taken as dead.
 */
export function gatewayAlive(dataDir: string, id: string): boolean {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return false;
  const path = join(dataDir, GATEWAYS_DIR, `${id}.lock`);
  if (!readdirSync(join(dataDir, GATEWAYS_DIR)).includes(`${id}.lock`)) return false;
  const lock = tryLockFile(path);
  if (!lock) return true;
  lock.release();
  rmSync(path, { force: true });
  return false;
}

/** Something that runs in the background and can be started and stopped (the workers). */
export interface BackgroundWork {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs `start` while this gateway holds the workers' advisory lock, `stop` when it loses it (its
 * connection broke); tries every `pollMs` while another gateway holds it.
 */
export class WorkerLeadership {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private closed = false;
  private attempt: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly pollMs: number,
    private readonly work: { start(): void; stop(): Promise<void> },
    private readonly log: Logger,
  ) {}

  /** Whether this gateway runs the background workers now. */
  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.attempt = this.tryLead();
    this.timer = setInterval(() => {
      this.attempt = this.attempt.then(() => this.tryLead());
    }, this.pollMs);
    this.timer.unref();
  }

  private async tryLead(): Promise<void> {
    if (this.closed || this.leading) return;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.url });
        client.on('error', (err) => void this.lose(client, err));
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [...WORKERS_LOCK]);
      if (!rows[0]?.ok || this.closed) return;
      this.leading = true;
      this.log.info('this gateway runs the background workers');
      this.work.start();
    } catch (err) {
      this.log.warn({ err }, 'could not try the background workers lock');
      const client = this.client;
      this.client = undefined;
      await client?.end().catch(() => undefined);
    }
  }

  /** The connection broke: the lock is gone with it, so the workers stop here. */
  private async lose(client: pg.Client, err: unknown): Promise<void> {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.leading) return;
    this.leading = false;
    // Stopped workers do not start again: another gateway takes them over for good.
    this.closed = true;
    this.log.warn({ err }, 'lost the background workers lock; stopping them here (another gateway takes over)');
    await this.work.stop();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.attempt.catch(() => undefined);
    if (this.leading) await this.work.stop();
    this.leading = false;
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
