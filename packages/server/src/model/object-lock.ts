/**
 * Object lock (WORM, `?object-lock`): COS's ObjectLockConfiguration with a default retention in days.
 *
 * An object's retention ends `Days` after it was written. The retention is computed from the
 * configuration rather than stored per object, which is sound because a configuration can neither be
 * removed nor have its days shortened: an object's end of retention can only move later.
 * Within retention an object cannot be overwritten or deleted (AccessDenied), so a bucket holding one
 * cannot be emptied or deleted early. In a bucket with versioning enabled, new versions and delete
 * markers can still be added (nothing is lost); removing a locked version cannot.
 */
import { buildXml, CosError, xmlChild } from '@cosbox/protocol';
import type { BucketRecord, MetadataStore, ObjectVersion } from '../storage/metadata/store.js';
import { afterDays } from './clock.js';
import { choice, rootOf, wholeNumber } from './config-doc.js';

export const MAX_OBJECT_LOCK_BYTES = 16 * 1024;
export const MAX_RETENTION_DAYS = 36500;

export interface ObjectLockConfig {
  days: number;
}

export function objectLockFromXml(text: string): ObjectLockConfig {
  const root = rootOf(text, 'ObjectLockConfiguration');
  choice(root.ObjectLockEnabled, 'ObjectLockEnabled', ['Enabled'] as const);
  const retention = xmlChild(xmlChild(root.Rule)?.DefaultRetention);
  if (!retention) throw new CosError('MalformedXML', 'ObjectLockConfiguration needs Rule.DefaultRetention.Days.');
  return { days: wholeNumber(retention.Days, 'Days', 1, MAX_RETENTION_DAYS) };
}

/** A new configuration may only keep or lengthen the retention. */
export function checkObjectLockChange(current: ObjectLockConfig | undefined, next: ObjectLockConfig): void {
  if (current && next.days < current.days) throw new CosError('InvalidArgument', `The retention can only be lengthened (now ${current.days} days).`);
}

export function objectLockDocument(config: ObjectLockConfig): string {
  return buildXml('ObjectLockConfiguration', { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Days: config.days } } });
}

export function objectLockOf(bucket: BucketRecord | undefined): ObjectLockConfig | undefined {
  return bucket?.configs?.['object-lock'] as ObjectLockConfig | undefined;
}

/** When a version's retention ends (ms), or undefined when the bucket has no lock. */
export function retainUntil(bucket: BucketRecord | undefined, version: ObjectVersion, timeScale: number): number | undefined {
  const config = objectLockOf(bucket);
  if (!config || 'deleteMarker' in version) return undefined;
  return afterDays(version.lastModified, config.days, timeScale);
}

export function lockedError(key: string): CosError {
  return new CosError('AccessDenied', `The object ${key} is under object lock retention (WORM) and cannot be overwritten or deleted yet.`);
}

/** The HEAD/GET headers of a version's retention, when its bucket has a lock. */
export function retentionHeaders(bucket: BucketRecord | undefined, version: ObjectVersion, timeScale: number): Record<string, string> {
  const until = retainUntil(bucket, version, timeScale);
  if (until === undefined) return {};
  return { 'x-cos-object-lock-mode': 'COMPLIANCE', 'x-cos-object-lock-retain-until-date': new Date(until).toISOString() };
}

/**
 * The metadata store as every writer sees it: overwrites, deletes and expirations of a version
 * within its retention are refused here, under every API that writes (PUT, copy, POST, multipart,
 * DELETE, DELETE Multiple, lifecycle), so no path around the lock exists.
 */
export function guardObjectLock(meta: MetadataStore, timeScale: number): MetadataStore {
  const locked = async (bucketName: string, key: string, versionId?: string): Promise<boolean> => {
    const bucket = await meta.getBucket(bucketName);
    if (!objectLockOf(bucket)) return false;
    let version: ObjectVersion | undefined;
    if (versionId !== undefined) version = await meta.getObjectVersion(bucketName, key, versionId);
    // Without a version id a bucket with versioning enabled keeps the current version (a new one or a marker is added).
    else if (bucket?.versioning === 'Enabled') return false;
    else version = await meta.getObject(bucketName, key);
    const until = version && retainUntil(bucket, version, timeScale);
    return until !== undefined && Date.now() < until;
  };
  const guards: Partial<MetadataStore> = {
    putObject: async (object) => {
      if (await locked(object.bucket, object.key)) throw lockedError(object.key);
      return meta.putObject(object);
    },
    deleteObject: async (bucket, key, versionId) => {
      if (await locked(bucket, key, versionId)) throw lockedError(key);
      return meta.deleteObject(bucket, key, versionId);
    },
    deleteObjectIf: async (bucket, key, matches) => {
      if (await locked(bucket, key)) return undefined;
      return meta.deleteObjectIf(bucket, key, matches);
    },
    // Tags and ACLs of a locked object may change; its bytes (an append) may not.
    updateObject: async (bucket, key, decide, versionId) => {
      const version = versionId === undefined ? await meta.getObject(bucket, key) : await meta.getObjectVersion(bucket, key, versionId);
      const until = version && retainUntil(await meta.getBucket(bucket), version, timeScale);
      const held = until !== undefined && Date.now() < until;
      return meta.updateObject(bucket, key, (current) => {
        const next = decide(current);
        if (held && current && (next.size !== current.size || next.etag !== current.etag)) throw lockedError(key);
        return next;
      }, versionId);
    },
    completeUpload: async (bucket, key, uploadId, complete) => {
      if (await locked(bucket, key)) throw lockedError(key);
      return meta.completeUpload(bucket, key, uploadId, complete);
    },
  };
  return new Proxy(meta, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in guards) return guards[property as keyof MetadataStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
