/**
 * Cross-bucket replication (`?replication`): the ReplicationConfiguration document, and which rule
 * a key falls under. Destinations are buckets on this server, named `qcs::cos:<region>::<bucket>`;
 * as COS requires, both buckets have versioning enabled and every rule names the same destination.
 */
import { buildXml, CosError, xmlChild, xmlList } from '@cosbox/protocol';
import { STORAGE_TIER } from './intelligent-tiering.js';
import { REPLICATION_QUEUE_KIND, REPLICATION_STATUS_META, type BucketRecord, type MetadataStore, type ObjectRecord } from '../storage/metadata/store.js';
import { choice, optionalText, parseBucketResource, requiredText, rootOf } from './config-doc.js';

export const MAX_REPLICATION_BYTES = 64 * 1024;
export const MAX_REPLICATION_RULES = 1000;
const STORAGE_CLASSES = ['STANDARD', 'STANDARD_IA', 'ARCHIVE', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING', 'MAZ_STANDARD', 'MAZ_STANDARD_IA', 'Standard', 'Standard_IA'];

export interface ReplicationRule {
  id: string;
  status: 'Enabled' | 'Disabled';
  prefix: string;
  /** As written: `qcs::cos:<region>::<bucket>`. */
  destination: string;
  destinationBucket: string;
  storageClass?: string;
}

export interface ReplicationConfig {
  role: string;
  rules: ReplicationRule[];
}

export function replicationFromXml(text: string): ReplicationConfig {
  const root = rootOf(text, 'ReplicationConfiguration', 8 * MAX_REPLICATION_RULES + 4);
  const role = requiredText(root.Role, 'Role', 256);
  if (!/^qcs::cam::uin\/\d{1,20}:uin\/\d{1,20}$/.test(role)) throw new CosError('InvalidArgument', 'Role must be qcs::cam::uin/<owner uin>:uin/<uin>.');
  const entries = xmlList(root.Rule);
  if (entries.length === 0) throw new CosError('MalformedXML', 'The configuration has no Rule.');
  if (entries.length > MAX_REPLICATION_RULES) throw new CosError('InvalidArgument', `At most ${MAX_REPLICATION_RULES} rules.`);
  const rules = entries.map((entry, index) => {
    const rule = xmlChild(entry);
    const destination = xmlChild(rule?.Destination);
    if (!rule || !destination) throw new CosError('MalformedXML', 'Every Rule needs a Destination.');
    const resource = requiredText(destination.Bucket, 'Destination.Bucket', 256);
    const storageClass = optionalText(destination.StorageClass, 'StorageClass', 32) || undefined;
    if (storageClass !== undefined && !STORAGE_CLASSES.includes(storageClass)) throw new CosError('InvalidArgument', `Unsupported StorageClass ${storageClass}.`);
    return {
      id: optionalText(rule.ID, 'ID', 255) || `rule-${index + 1}`,
      status: choice(rule.Status, 'Status', ['Enabled', 'Disabled'] as const),
      prefix: optionalText(rule.Prefix, 'Prefix', 850) ?? '',
      destination: resource,
      destinationBucket: parseBucketResource(resource, 'Destination.Bucket').bucket,
      ...(storageClass ? { storageClass: storageClass.toUpperCase() } : {}),
    };
  });
  if (new Set(rules.map((r) => r.id)).size !== rules.length) throw new CosError('InvalidArgument', 'Rule IDs must be unique.');
  if (new Set(rules.map((r) => r.destinationBucket)).size > 1) throw new CosError('MultiBucketNotSupport');
  return { role, rules };
}

/** COS's conditions on the buckets: the destination exists, is another bucket, and both have versioning enabled. */
export function checkReplicationBuckets(source: BucketRecord, destination: BucketRecord | undefined, config: ReplicationConfig): void {
  if (!destination) throw new CosError('InvalidArgument', `The destination bucket ${config.rules[0].destinationBucket} does not exist.`);
  if (destination.name === source.name) throw new CosError('InvalidArgument', 'A bucket cannot replicate to itself.');
  const named = parseBucketResource(config.rules[0].destination, 'Destination.Bucket').region;
  if (named !== destination.region) throw new CosError('InvalidArgument', `The destination bucket is in ${destination.region}, not ${named}.`);
  if (destination.ownerUin !== source.ownerUin) throw new CosError('AccessDenied', 'The destination bucket belongs to another account.');
  if (source.versioning !== 'Enabled' || destination.versioning !== 'Enabled') {
    throw new CosError('InvalidRequest', 'Versioning must be enabled on both the source and the destination bucket to replicate.');
  }
}

export function replicationDocument(config: ReplicationConfig): string {
  return buildXml('ReplicationConfiguration', {
    Role: config.role,
    Rule: config.rules.map((r) => ({ ID: r.id, Status: r.status, Prefix: r.prefix, Destination: { Bucket: r.destination, StorageClass: r.storageClass } })),
  });
}

export function replicationOf(bucket: BucketRecord | undefined): ReplicationConfig | undefined {
  return bucket?.configs?.replication as ReplicationConfig | undefined;
}

/** The enabled rule whose prefix is the longest that the key starts with, if any. */
export function replicationRuleFor(config: ReplicationConfig | undefined, key: string): ReplicationRule | undefined {
  let best: ReplicationRule | undefined;
  for (const rule of config?.rules ?? []) {
    if (rule.status === 'Enabled' && key.startsWith(rule.prefix) && (!best || rule.prefix.length > best.prefix.length)) best = rule;
  }
  return best;
}

/** x-cos-replication-status: kept among an object's metadata headers, so HEAD and GET report it. */
export const REPLICATION_STATUS = REPLICATION_STATUS_META;
export const REPLICATION_QUEUE = REPLICATION_QUEUE_KIND;

/**
 * One queued replication: a version of a key to carry to the destination, or (`marker`) the delete
 * marker that is the key's latest version.
 */
export interface ReplicationTask {
  bucket: string;
  key: string;
  versionId?: string;
  marker?: boolean;
}

/**
 * The metadata store as the API's writers see it: a write under an enabled rule is marked PENDING,
 * which the store queues in the write's own transaction; a DELETE that may add a delete marker queues
 * a marker task in the same group commit as the delete (both are issued in one turn). The replication
 * worker writes its replicas (REPLICA) to the store beneath this one, so a replica is never queued
 * again and two buckets replicating to each other do not loop.
 */
export function queueReplication(meta: MetadataStore): MetadataStore {
  const ruleFor = async (bucket: string, key: string) => replicationRuleFor(replicationOf(await meta.getBucket(bucket)), key);
  // A status is the server's to set: one copied along with an object's metadata (PUT Object - Copy) is dropped.
  const fresh = (object: ObjectRecord, replicate: boolean): ObjectRecord => {
    const { [REPLICATION_STATUS]: _status, [STORAGE_TIER]: _tier, ...rest } = object.meta;
    return { ...object, meta: replicate ? { ...rest, [REPLICATION_STATUS]: 'PENDING' } : rest };
  };
  const guards: Partial<MetadataStore> = {
    putObject: async (object) => meta.putObject(fresh(object, (await ruleFor(object.bucket, object.key)) !== undefined)),
    completeUpload: async (bucket, key, uploadId, complete) => {
      const rule = await ruleFor(bucket, key);
      return meta.completeUpload(bucket, key, uploadId, (upload, parts) => {
        const made = complete(upload, parts);
        return { ...made, object: fresh(made.object, rule !== undefined) };
      });
    },
    deleteObject: async (bucket, key, versionId) => {
      // Delete markers replicate; removing a version for good does not (COS, like S3).
      if (versionId !== undefined || !(await ruleFor(bucket, key))) return meta.deleteObject(bucket, key, versionId);
      const deleted = meta.deleteObject(bucket, key);
      const queued = meta.enqueue(REPLICATION_QUEUE, [{ bucket, key, marker: true } satisfies ReplicationTask]);
      const [outcome] = await Promise.all([deleted, queued]);
      return outcome;
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
