/**
 * The replication worker: every `intervalMs` (and on `runOnce()`) it takes the queued replications
 * (model/replication.ts) oldest first and carries each version to the destination bucket: an object
 * is copied with its metadata as a REPLICA (x-cos-replication-status), a delete marker adds a delete
 * marker. The source version then reads COMPLETED, or FAILED when the copy cannot be made (the
 * destination gone, versioning off there, an SSE-C object whose key the server never keeps). A task
 * leaves the queue only once done, so a restart resumes where the last run stopped.
 */
import { CosError } from '@cosbox/protocol';
import { readObject, storeObject, wholeObject } from '../model/objects.js';
import { REPLICATION_QUEUE, REPLICATION_STATUS, replicationOf, replicationRuleFor, type ReplicationTask } from '../model/replication.js';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';
import { isDeleteMarker, type ObjectRecord } from '../storage/metadata/store.js';

const BATCH = 100;

export class ReplicationWorker extends PeriodicWorker {
  constructor(services: Services, intervalMs: number) {
    super(services, intervalMs, 'replication round');
  }

  protected async round(): Promise<void> {
    for (;;) {
      if (this.isStopped) return;
      const batch = await this.services.meta.peekQueue(REPLICATION_QUEUE, BATCH);
      if (batch.length === 0) return;
      for (const { seq, item } of batch) {
        if (this.isStopped) return;
        await this.replicate(item as ReplicationTask);
        await this.services.meta.dequeue(REPLICATION_QUEUE, [seq]);
      }
    }
  }

  private async replicate(task: ReplicationTask): Promise<void> {
    const { meta, log } = this.services;
    // A marker task carries the key's latest delete marker, if the delete made one and it still is.
    const version = task.marker ? await meta.latestDeleteMarker(task.bucket, task.key) : task.versionId !== undefined ? await meta.getObjectVersion(task.bucket, task.key, task.versionId) : undefined;
    if (!version) return; // removed meanwhile, or no marker was added: nothing to carry
    try {
      const rule = replicationRuleFor(replicationOf(await meta.getBucket(task.bucket)), task.key);
      if (!rule) throw new CosError('InvalidRequest', 'No replication rule covers the key any more.');
      const destination = await meta.getBucket(rule.destinationBucket);
      if (!destination || destination.versioning !== 'Enabled') throw new CosError('InvalidRequest', 'The destination bucket is gone or has no versioning.');
      if (isDeleteMarker(version)) {
        await meta.deleteObject(destination.name, task.key);
        return;
      }
      await this.copy(version, destination.name, rule.storageClass);
      await this.setStatus(task, 'COMPLETED');
    } catch (err) {
      log.warn({ err, ...task }, 'replication failed');
      if (!isDeleteMarker(version)) await this.setStatus(task, 'FAILED').catch(() => undefined);
    }
  }

  private async copy(source: ObjectRecord, destination: string, storageClass: string | undefined): Promise<void> {
    const read = await readObject(this.services, source.bucket, source.key, wholeObject, { versionId: source.versionId });
    if (!read.stream) throw new CosError('InvalidRequest', 'The object has no bytes to copy.');
    await storeObject(this.services, {
      bucket: destination,
      key: source.key,
      ownerUin: source.ownerUin,
      body: read.stream,
      size: source.size,
      attributes: {
        storageClass: storageClass ?? source.storageClass,
        contentHeaders: source.contentHeaders,
        meta: { ...source.meta, [REPLICATION_STATUS]: 'REPLICA' },
        acl: source.acl,
        tags: source.tags,
      },
      ...(source.encryption?.kind === 'SSE-COS' ? { encryption: { kind: 'SSE-COS' as const } } : {}),
    });
  }

  private async setStatus(task: ReplicationTask, status: 'COMPLETED' | 'FAILED'): Promise<void> {
    await this.services.meta.updateObject(task.bucket, task.key, (current) => {
      if (!current) throw new CosError('NoSuchKey');
      return { ...current, meta: { ...current.meta, [REPLICATION_STATUS]: status } };
    }, task.versionId);
  }
}
