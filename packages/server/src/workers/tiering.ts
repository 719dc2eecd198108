/**
 * Intelligent tiering: reads of INTELLIGENT_TIERING objects are noted in memory (`touch`, no write
 * per GET) and recorded in the metadata store in one batch per round; every `intervalMs` (and on
 * `runOnce()`) the round then moves an object read while INFREQUENT back to FREQUENT, and in buckets
 * with tiering Enabled moves FREQUENT objects not read (nor written) for the configuration's Days to
 * INFREQUENT. A crash loses at most one round's reads: an object may then move a round early,
 * never any data. Each move re-checks in the store's transaction that the object is the one seen.
 */
import { CosError } from '@cosbox/protocol';
import { afterDays } from '../model/clock.js';
import { STORAGE_TIER, tierOf, tieringOf } from '../model/intelligent-tiering.js';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';
import type { AccessRecord, BucketRecord, ObjectRecord } from '../storage/metadata/store.js';

const PAGE = 1000;
/** Past this many pending reads the oldest are dropped until the next round (bounded memory). */
const MAX_PENDING = 100_000;

export class TieringWorker extends PeriodicWorker {
  private pending = new Map<string, AccessRecord>();
  /** The timer of startRecording(), in a process that records reads but runs no rounds. */
  private recordTimer: NodeJS.Timeout | undefined;

  constructor(
    services: Services,
    private readonly recordEveryMs: number,
  ) {
    super(services, recordEveryMs, 'tiering round');
  }

  /** Notes a read of an INTELLIGENT_TIERING object. */
  touch(bucket: string, key: string, time: number): void {
    const id = `${bucket}\n${key}`;
    this.pending.delete(id);
    this.pending.set(id, { bucket, key, time });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
  }

  /** A worker process of --workers: stores its reads now and then (the primary runs the rounds). */
  startRecording(): void {
    if (this.isStopped || this.recordTimer) return;
    const every = Math.min(this.recordEveryMs, 10_000);
    this.recordTimer = setInterval(() => void this.recordPending().catch((err: unknown) => this.services.log.error({ err }, 'recording reads failed')), every);
    this.recordTimer.unref();
  }

  /** Records the pending reads and waits for a round in progress. */
  override async stop(): Promise<void> {
    if (this.recordTimer) clearInterval(this.recordTimer);
    this.recordTimer = undefined;
    await super.stop();
    await this.recordPending().catch(() => undefined);
  }

  private async recordPending(): Promise<AccessRecord[]> {
    const reads = [...this.pending.values()];
    this.pending = new Map();
    if (reads.length > 0) await this.services.meta.recordAccess(reads);
    return reads;
  }

  protected async round(): Promise<void> {
    const { meta, log } = this.services;
    for (const read of await this.recordPending()) {
      await this.move(read.bucket, read.key, 'FREQUENT', () => true).catch((err: unknown) => log.warn({ err, ...read }, 'tiering move failed'));
    }
    for (const account of await meta.listAccounts()) {
      if (account.rootUin !== account.uin) continue;
      for (const bucket of await meta.listBuckets(account.uin)) {
        if (this.isStopped) return;
        if (tieringOf(bucket)?.status === 'Enabled') await this.coolDown(bucket).catch((err: unknown) => log.warn({ err, bucket: bucket.name }, 'tiering round failed for a bucket'));
      }
    }
  }

  private async coolDown(bucket: BucketRecord): Promise<void> {
    const days = tieringOf(bucket)!.days;
    const now = Date.now();
    let marker = '';
    for (;;) {
      const page = await this.services.meta.listObjects({ bucket: bucket.name, prefix: '', marker, delimiter: '', maxKeys: PAGE });
      for (const entry of page.entries) {
        if (!('object' in entry) || tierOf(entry.object) !== 'FREQUENT') continue;
        const seen = entry.object;
        const lastRead = Math.max(seen.lastModified, (await this.services.meta.lastAccess(bucket.name, seen.key)) ?? 0);
        if (now < afterDays(lastRead, days, this.services.config.timeScale)) continue;
        await this.move(bucket.name, seen.key, 'INFREQUENT', (current) => current.etag === seen.etag && current.lastModified === seen.lastModified);
      }
      if (!page.isTruncated || page.nextMarker === undefined) return;
      marker = page.nextMarker;
    }
  }

  /** Sets the tier of the key's current object if it is an INTELLIGENT_TIERING one that `same` accepts. */
  private async move(bucket: string, key: string, tier: 'FREQUENT' | 'INFREQUENT', same: (current: ObjectRecord) => boolean): Promise<void> {
    const current = await this.services.meta.getObject(bucket, key);
    if (!current || tierOf(current) === undefined || tierOf(current) === tier || !same(current)) return;
    await this.services.meta.updateObject(bucket, key, (now) => {
      if (!now || !same(now) || tierOf(now) === undefined) throw new CosError('PreconditionFailed');
      const meta = { ...now.meta };
      if (tier === 'INFREQUENT') meta[STORAGE_TIER] = 'INFREQUENT';
      else delete meta[STORAGE_TIER];
      return { ...now, meta };
    }, current.versionId).catch((error: unknown) => {
      if (!(error instanceof CosError && error.code === 'PreconditionFailed')) throw error;
    });
  }
}
