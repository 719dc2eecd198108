/**
 * The inventory worker: every `intervalMs` (and on `runOnce()`) each enabled inventory whose period
 * (Daily: one day, Weekly: seven, under the server's time scale) has passed since its last report
 * writes a new one into its destination bucket, as COS lays it out:
 *   <prefix>/<source bucket>/<id>/data/<uuid>.csv.gz         gzip'd CSV, up to FILE_ROWS rows each
 *   <prefix>/<source bucket>/<id>/<yyyyMMddHHmmss>/manifest.json   the files with their MD5s
 *   <prefix>/<source bucket>/<id>/<yyyyMMddHHmmss>/manifest.checksum   the manifest's MD5
 * The time of the last report is kept per inventory in the bucket's `inventory-runs` configuration.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { dayMs } from '../model/clock.js';
import { inventoriesOf, inventoryRow, inventorySchema, type InventoryConfig } from '../model/inventory.js';
import { storeObject } from '../model/objects.js';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';
import type { BucketRecord } from '../storage/metadata/store.js';

const FILE_ROWS = 10_000;
const PAGE = 1000;
export const INVENTORY_RUNS = 'inventory-runs';

/** Whether a report is due: never made, or a period (a day or a week, under the time scale) has passed since the last. */
export function inventoryDue(lastRun: number | undefined, now: number, frequency: InventoryConfig['frequency'], timeScale: number): boolean {
  return lastRun === undefined || now - lastRun >= dayMs(timeScale) * (frequency === 'Weekly' ? 7 : 1);
}

export class InventoryWorker extends PeriodicWorker {
  constructor(services: Services, intervalMs: number) {
    super(services, intervalMs, 'inventory round');
  }

  protected async round(): Promise<void> {
    const { meta, log } = this.services;
    for (const account of await meta.listAccounts()) {
      if (account.rootUin !== account.uin) continue;
      for (const bucket of await meta.listBuckets(account.uin)) {
        if (this.isStopped) return;
        const configs = Object.values(inventoriesOf(bucket)).filter((c) => c.enabled);
        for (const config of configs) {
          try {
            await this.runIfDue(bucket, config);
          } catch (err) {
            log.warn({ err, bucket: bucket.name, id: config.id }, 'inventory report failed');
          }
        }
      }
    }
  }

  private async runIfDue(bucket: BucketRecord, config: InventoryConfig): Promise<void> {
    const runs = ((await this.services.meta.getBucket(bucket.name))?.configs?.[INVENTORY_RUNS] as Record<string, number> | undefined) ?? {};
    const now = Date.now();
    if (!inventoryDue(runs[config.id], now, config.frequency, this.services.config.timeScale)) return;
    const destination = await this.services.meta.getBucket(config.destinationBucket);
    if (!destination || destination.ownerUin !== bucket.ownerUin) throw new Error(`destination ${config.destinationBucket} gone or not the owner's`);
    await this.report(bucket, destination, config, now);
    const latest = (await this.services.meta.getBucket(bucket.name))?.configs?.[INVENTORY_RUNS] as Record<string, number> | undefined;
    await this.services.meta.setBucketConfig(bucket.name, INVENTORY_RUNS, { ...latest, [config.id]: now });
  }

  private async report(bucket: BucketRecord, destination: BucketRecord, config: InventoryConfig, now: number): Promise<void> {
    const base = `${config.prefix ? config.prefix.replace(/\/$/, '') + '/' : ''}${bucket.name}/${config.id}`;
    const files: Array<{ key: string; size: number; MD5checksum: string }> = [];
    let rows: string[] = [];
    const flush = async () => {
      if (rows.length === 0) return;
      const body = gzipSync(Buffer.from(rows.join('\n') + '\n'));
      const key = `${base}/data/${randomUUID()}.csv.gz`;
      await this.write(destination, key, body, 'application/gzip', config.encrypted);
      files.push({ key, size: body.length, MD5checksum: createHash('md5').update(body).digest('hex') });
      rows = [];
    };
    for await (const [version, isLatest] of this.versions(bucket.name, config)) {
      rows.push(inventoryRow(config, bucket.name, version, isLatest));
      if (rows.length >= FILE_ROWS) await flush();
    }
    await flush();
    const stamp = new Date(now).toISOString().slice(0, 19).replace(/[-:T]/g, '');
    const manifest = Buffer.from(
      JSON.stringify({
        sourceBucket: bucket.name,
        destinationBucket: config.destination,
        version: '2019-09-09',
        creationTimestamp: String(Math.floor(now / 1000)),
        fileFormat: 'CSV',
        fileSchema: inventorySchema(config),
        files,
      }, null, 2),
    );
    await this.write(destination, `${base}/${stamp}/manifest.json`, manifest, 'application/json', config.encrypted);
    await this.write(destination, `${base}/${stamp}/manifest.checksum`, Buffer.from(createHash('md5').update(manifest).digest('hex') + '\n'), 'text/plain', config.encrypted);
  }

  /** The versions the report lists: every version and marker (All) or the current objects (Current), under the filter's prefix. */
  private async *versions(bucket: string, config: InventoryConfig) {
    const { meta } = this.services;
    if (config.includedVersions === 'Current') {
      let marker = '';
      for (;;) {
        const page = await meta.listObjects({ bucket, prefix: config.filterPrefix, marker, delimiter: '', maxKeys: PAGE });
        for (const entry of page.entries) if ('object' in entry) yield [entry.object, true] as const;
        if (!page.isTruncated || page.nextMarker === undefined) return;
        marker = page.nextMarker;
      }
    }
    let keyMarker = '';
    let versionIdMarker = '';
    for (;;) {
      const page = await meta.listObjectVersions({ bucket, prefix: config.filterPrefix, delimiter: '', keyMarker, versionIdMarker, maxKeys: PAGE });
      for (const entry of page.entries) if ('version' in entry) yield [entry.version, entry.isLatest] as const;
      if (!page.isTruncated) return;
      keyMarker = page.nextKeyMarker ?? '';
      versionIdMarker = page.nextVersionIdMarker ?? '';
    }
  }

  private async write(destination: BucketRecord, key: string, body: Buffer, contentType: string, encrypted: boolean): Promise<void> {
    await storeObject(this.services, {
      bucket: destination.name,
      key,
      ownerUin: destination.ownerUin,
      body: Readable.from([body]),
      size: body.length,
      attributes: { storageClass: 'STANDARD', contentHeaders: { 'content-type': contentType }, meta: {} },
      ...(encrypted ? { encryption: { kind: 'SSE-COS' as const } } : {}),
    });
  }
}
