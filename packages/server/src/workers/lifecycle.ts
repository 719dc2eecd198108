/**
 * The lifecycle worker (C297-C300): every `intervalMs` it walks the buckets that have lifecycle rules
 * and carries out what model/lifecycle.ts decides: transitions change an object's storage class,
 * expirations delete it, stale multipart uploads are aborted with their parts. Each change re-checks,
 * inside the store's transaction, that the object is still the one the scan saw, so a write racing
 * the scan always wins. `runOnce()` runs a round at once (tests, `RunningServer.runLifecycle`).
 */
import { CosError } from '@cosbox/protocol';
import { decideUploadAbort, decideVersion, type LifecycleRule, type VersionAction } from '../model/lifecycle.js';
import { abortUpload } from '../model/multipart.js';
import type { Services } from '../services.js';
import { PeriodicWorker } from './periodic.js';
import { isDeleteMarker, versionIdOf, type BucketRecord, type ListedVersion, type ObjectRecord } from '../storage/metadata/store.js';

const PAGE = 1000;

export class LifecycleWorker extends PeriodicWorker {
  constructor(services: Services, intervalMs: number, onRound?: (outcome: 'ok' | 'failed') => void) {
    super(services, intervalMs, 'lifecycle round', onRound);
  }

  protected async round(): Promise<void> {
    for (const bucket of await this.services.meta.listLifecycleBuckets()) {
      if (this.isStopped) return;
      try {
        await this.scanBucket(bucket);
      } catch (err) {
        // One bucket's trouble (deleted meanwhile, say) must not stop the others'.
        this.services.log.warn({ err, bucket: bucket.name }, 'lifecycle scan of a bucket failed');
      }
    }
  }

  private async scanBucket(bucket: BucketRecord): Promise<void> {
    const rules = (bucket.lifecycle ?? []).filter((r) => r.status === 'Enabled');
    if (rules.length === 0) return;
    const { meta } = this.services;
    const timeScale = this.services.config.timeScale;

    // A bucket with versioning is walked once, through its versions (current objects among them).
    if (bucket.versioning !== undefined) await this.applyToVersions(bucket, rules);
    else await this.applyToCurrentObjects(bucket, rules);

    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const page = await meta.listUploads({ bucket: bucket.name, prefix: '', delimiter: '', keyMarker, uploadIdMarker, maxUploads: PAGE });
      const now = Date.now();
      for (const entry of page.entries) {
        if (this.isStopped) return;
        if (!('upload' in entry)) continue;
        const { upload } = entry;
        if (!decideUploadAbort(rules, upload, now, timeScale)) continue;
        await abortUpload(this.services, upload.bucket, upload.key, upload.uploadId).catch((error: unknown) => {
          if (!(error instanceof CosError && error.code === 'NoSuchUpload')) throw error; // completed or aborted meanwhile
        });
      }
      if (!page.isTruncated || page.nextKeyMarker === undefined) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker ?? '';
    }
  }

  /** The current objects of a bucket without versioning (Transition, Expiration). */
  private async applyToCurrentObjects(bucket: BucketRecord, rules: readonly LifecycleRule[]): Promise<void> {
    let marker = '';
    for (;;) {
      const page = await this.services.meta.listObjects({ bucket: bucket.name, prefix: '', marker, delimiter: '', maxKeys: PAGE });
      const now = Date.now();
      for (const entry of page.entries) {
        if (this.isStopped) return;
        if (!('object' in entry)) continue;
        const object = entry.object;
        const description = { key: object.key, tags: object.tags ?? [], storageClass: object.storageClass, lastModified: object.lastModified, isLatest: true, isDeleteMarker: false, otherVersionsCount: 0 };
        await this.applyToCurrentObject(bucket, object, decideVersion(rules, description, now, this.services.config.timeScale));
      }
      if (!page.isTruncated || page.nextMarker === undefined) break;
      marker = page.nextMarker;
    }
  }

  /**
   * Carries out a decision on a bucket's current object, provided it is still the object the scan
   * saw (same ETag and modification time). In a bucket with versioning an expiration adds a delete
   * marker, as DELETE does: the object stays as a noncurrent version.
   */
  private async applyToCurrentObject(bucket: BucketRecord, seen: ObjectRecord, action: VersionAction): Promise<void> {
    const same = (current: ObjectRecord) => current.etag === seen.etag && current.lastModified === seen.lastModified;
    const { meta, blobs, log } = this.services;
    if (action.kind === 'transition') {
      await meta
        .updateObject(bucket.name, seen.key, (current) => {
          if (!current || !same(current)) throw new CosError('PreconditionFailed', 'changed since the scan');
          // The storage class changes, nothing else: the bytes stay, Last-Modified stays (as on COS).
          return { ...current, storageClass: action.storageClass, restore: undefined };
        })
        .catch((error: unknown) => {
          if (!(error instanceof CosError && (error.code === 'PreconditionFailed' || error.code === 'NoSuchBucket'))) throw error;
        });
    } else if (action.kind === 'expire') {
      const removed = await meta.deleteObjectIf(bucket.name, seen.key, same);
      if (removed) void blobs.remove(removed.blobs).catch((err: unknown) => log.warn({ err }, 'could not remove expired blobs'));
    }
  }

  /**
   * Noncurrent versions and delete markers (NoncurrentVersionTransition, NoncurrentVersionExpiration,
   * ExpiredObjectDeleteMarker; C300), a key at a time: whether a delete marker is "expired" depends
   * on the key's other versions, so a key's versions are decided together, even across pages.
   * The current object of a key is decided in the same pass (Transition, Expiration).
   */
  private async applyToVersions(bucket: BucketRecord, rules: readonly LifecycleRule[]): Promise<void> {
    let group: ListedVersion[] = [];
    let keyMarker = '';
    let versionIdMarker = '';
    for (;;) {
      const page = await this.services.meta.listObjectVersions({ bucket: bucket.name, prefix: '', delimiter: '', keyMarker, versionIdMarker, maxKeys: PAGE });
      for (const entry of page.entries) {
        if (this.isStopped) return;
        if (!('version' in entry)) continue;
        if (group.length > 0 && group[0].version.key !== entry.version.key) {
          await this.applyToKey(bucket, rules, group);
          group = [];
        }
        group.push(entry);
      }
      if (!page.isTruncated || page.nextKeyMarker === undefined) break;
      keyMarker = page.nextKeyMarker;
      versionIdMarker = page.nextVersionIdMarker ?? '';
    }
    if (group.length > 0) await this.applyToKey(bucket, rules, group);
  }

  private async applyToKey(bucket: BucketRecord, rules: readonly LifecycleRule[], versions: readonly ListedVersion[]): Promise<void> {
    const { meta, blobs, log, config } = this.services;
    const now = Date.now();
    for (const { version, isLatest, noncurrentSince } of versions) {
      const marker = isDeleteMarker(version);
      const action = decideVersion(
        rules,
        {
          key: version.key,
          tags: marker ? [] : (version.tags ?? []),
          storageClass: marker ? 'STANDARD' : version.storageClass,
          lastModified: version.lastModified,
          isLatest,
          isDeleteMarker: marker,
          noncurrentSince,
          otherVersionsCount: versions.length - 1,
        },
        now,
        config.timeScale,
      );
      const versionId = versionIdOf(version);
      if (isLatest && !marker) await this.applyToCurrentObject(bucket, version, action);
      else if (action.kind === 'transition' && !marker) {
        await meta
          .updateObject(bucket.name, version.key, (current) => ({ ...current!, storageClass: action.storageClass, restore: undefined }), versionId)
          .catch((error: unknown) => {
            if (!(error instanceof CosError && (error.code === 'NoSuchVersion' || error.code === 'NoSuchBucket'))) throw error; // removed meanwhile
          });
      } else if (action.kind === 'delete-version' || action.kind === 'remove-delete-marker') {
        const removed = await meta.deleteObject(bucket.name, version.key, versionId);
        void blobs.remove(removed.blobs).catch((err: unknown) => log.warn({ err }, 'could not remove expired versions'));
      }
    }
  }
}
