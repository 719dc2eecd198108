/**
 * MetadataStore: buckets and objects, the only durable state besides blob bytes.
 *
 * Every method is async so that an implementation over the network (PostgreSQL for several gateway
 * nodes) fits the same contract; `contract.test-suite.ts` is the suite every implementation passes.
 * A write resolves once it is committed. Keys compare in UTF-8 byte order everywhere.
 */
import type { StoredContentHeader } from '@cosbox/protocol';

export interface BucketRecord {
  /** `<name>-<appid>`, globally unique on this server. */
  name: string;
  appid: string;
  ownerUin: string;
  region: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The bucket's ACL (x-cos-acl / grants at creation, or PUT Bucket acl). */
  acl?: AclSpec;
  /** The bucket's CORS rules, when it has any. */
  cors?: CorsRule[];
  /** Absent until versioning is first enabled; it can be suspended afterwards, never removed (C154). */
  versioning?: VersioningStatus;
  /** The bucket's lifecycle rules (PUT Bucket lifecycle), when it has any. */
  lifecycle?: LifecycleRule[];
  /** The bucket's tags (PUT Bucket tagging), when it has any. */
  tagging?: Tag[];
  /**
   * The configurations that are one document each (`policy`, `website`, `referer`, ...), by name,
   * as their model module validated and stored them (read them through that module's accessor).
   */
  configs?: Readonly<Record<string, unknown>>;
}

/** Which objects a lifecycle rule applies to: all of these must hold (an empty filter matches all). */
export interface LifecycleFilter {
  prefix?: string;
  tags: Tag[];
}

/**
 * One lifecycle rule (FEATURES §1.14) as PUT Bucket lifecycle gave it. Dates are kept as written
 * (GET answers them verbatim) with their instant alongside; days are whole days.
 */
export interface LifecycleRule {
  id?: string;
  status: 'Enabled' | 'Disabled';
  filter: LifecycleFilter;
  transitions: Array<{ days?: number; date?: string; storageClass: string }>;
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionTransitions: Array<{ noncurrentDays: number; storageClass: string }>;
  noncurrentVersionExpiration?: { noncurrentDays: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/**
 * A POST Object restore of an archived object: the instants (ms since the epoch, already shortened
 * by the server's time scale) at which the temporary copy becomes readable and goes away. Whether
 * a restore is under way, done or expired follows from them and the clock: no timer changes it.
 */
export interface RestoreState {
  tier: 'Expedited' | 'Standard' | 'Bulk';
  days: number;
  requestedAt: number;
  readyAt: number;
  expiresAt: number;
}

export type VersioningStatus = 'Enabled' | 'Suspended';

/** One CORS rule of a bucket (FEATURES §1.10.7). */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** An ACL as given by x-cos-acl / x-cos-grant-* headers or an AccessControlPolicy document (FEATURES §1.7). */
export interface AclSpec {
  canned?: string;
  grants: Array<{ permission: string; grantee: string }>;
  /** Given as an AccessControlPolicy document: GET acl answers exactly its grants. */
  fromDocument?: boolean;
}

/** One object tag (x-cos-tagging, PUT Object tagging); an object's tags keep the order they were given in. */
export interface Tag {
  key: string;
  value: string;
}

/** One stretch of an object's bytes: a blob in the BlobStore. */
export interface BlobRef {
  id: string;
  size: number;
  /** Base64 AES-256-CTR IV of an encrypted blob; its key is its object's (or upload's) data key. */
  iv?: string;
}

/**
 * How an object's (or a multipart upload's) bytes are encrypted at rest. One random data key per
 * object encrypts each of its blobs under that blob's own IV; the data key is stored only sealed.
 */
export interface EncryptionRecord {
  /** SSE-COS: sealed by the server's master key. SSE-C: sealed by the customer's key, which is never stored. */
  kind: 'SSE-COS' | 'SSE-C';
  /** The data key sealed with AES-256-GCM (base64 nonce, ciphertext, tag); the tag is what verifies an SSE-C key. */
  sealedKey: string;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as returned in ETag headers and list XML. */
  etag: string;
  /** CRC-64/ECMA-182 as an unsigned decimal string. */
  crc64: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  storageClass: string;
  /** `symlink`: a PUT Object symlink link, which holds no bytes and reads as its target. */
  objectType: 'normal' | 'appendable' | 'symlink';
  /** The key (in the same bucket) a symlink points to; set exactly when objectType is `symlink`. */
  symlinkTarget?: string;
  contentHeaders: Partial<Record<StoredContentHeader, string>>;
  /** x-cos-meta-* headers, names lower-cased. */
  meta: Record<string, string>;
  ownerUin: string;
  acl?: AclSpec;
  /** The object's tags, when it has any. */
  tags?: Tag[];
  /** The object's bytes in order: one blob for a simple upload, one per part for multipart. */
  blobs: BlobRef[];
  /** The latest restore of an ARCHIVE or DEEP_ARCHIVE object, when there was one. */
  restore?: RestoreState;
  /** Present when the bytes are encrypted at rest (SSE-COS or SSE-C). */
  encryption?: EncryptionRecord;
  /**
   * Set by `cosbox fsck --repair` when the bytes on disk are missing or do not match: reads answer
   * InternalError at once instead of streaming a damaged body. What fsck found, for the log.
   */
  damaged?: string;
  /**
   * Set by the store on every write to a bucket with versioning: a fresh id while versioning is
   * enabled, `null` while it is suspended. Absent for objects written before versioning was first
   * enabled: they are the bucket's `null` version.
   */
  versionId?: string;
}

/** A delete marker: the latest version of a key deleted in a bucket with versioning. */
export interface DeleteMarkerRecord {
  deleteMarker: true;
  bucket: string;
  key: string;
  versionId: string;
  lastModified: number;
  ownerUin: string;
}

/** One version of a key: an object or a delete marker. */
export type ObjectVersion = ObjectRecord | DeleteMarkerRecord;

export function isDeleteMarker(version: ObjectVersion): version is DeleteMarkerRecord {
  return 'deleteMarker' in version;
}

/** The version id a record is known by: objects from before versioning are the `null` version. */
export function versionIdOf(version: ObjectVersion): string {
  return version.versionId ?? 'null';
}

/** What a DELETE did: removed a version (or an unversioned object) or added a delete marker. */
export interface DeleteOutcome {
  /** Blobs no version uses any more. */
  blobs: BlobRef[];
  /** The version removed, or the delete marker added; absent in a bucket that never had versioning. */
  versionId?: string;
  /** True when the DELETE added a delete marker or removed one. */
  deleteMarker: boolean;
}

export interface ListVersionsQuery {
  bucket: string;
  prefix: string;
  delimiter: string;
  /** Versions of keys after this one... */
  keyMarker: string;
  /** ...and, when given, the versions of key-marker older than this one. */
  versionIdMarker: string;
  maxKeys: number;
}

export interface ListedVersion {
  version: ObjectVersion;
  isLatest: boolean;
  /** When the version stopped being the current one (for lifecycle's NoncurrentDays). */
  noncurrentSince?: number;
}

export interface ListVersionsPage {
  /** Newest version first within a key; keys in UTF-8 byte order; common prefixes interleaved. */
  entries: Array<ListedVersion | { commonPrefix: string }>;
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export interface ListObjectsQuery {
  bucket: string;
  prefix: string;
  /** List keys strictly after this one. */
  marker: string;
  delimiter: string;
  maxKeys: number;
}

export interface ListObjectsPage {
  /** Keys and common prefixes interleaved in key order, at most maxKeys in all. */
  entries: Array<{ object: ObjectRecord } | { commonPrefix: string }>;
  isTruncated: boolean;
  /** The last key or common prefix returned, when truncated. */
  nextMarker?: string;
}

/**
 * An account: a root account (rootUin === uin; the appid is the number in its bucket names) or a
 * sub-user of one (its own uin, the root's appid). Buckets belong to root accounts.
 */
export interface AccountRecord {
  uin: string;
  appid: string;
  rootUin: string;
  createdAt: number;
}

/** A SecretId/SecretKey pair that signs as one account. */
export interface AccessKeyRecord {
  secretId: string;
  secretKey: string;
  uin: string;
  createdAt: number;
}

/**
 * One CAM-style policy statement a root account attached to one of its sub-users (`cosbox keys
 * grant`): `allow` or `deny` an action (`name/cos:PutBucket`, `name/cos:*`, `*`) on a resource
 * (`qcs::cos:<region>:uid/<appid>:<bucket>/<key>`, `*` anywhere).
 */
export interface GrantRecord {
  uin: string;
  effect: 'allow' | 'deny';
  action: string;
  resource: string;
  createdAt: number;
}

/** A multipart upload in progress (C238, C239): what the final object will be, besides its bytes. */
export interface UploadRecord {
  bucket: string;
  key: string;
  /** `<10-digit unix seconds><64 lower-case hex>` (C201), ordered by initiation. */
  uploadId: string;
  /** Milliseconds since the epoch. */
  initiated: number;
  ownerUin: string;
  initiatorUin: string;
  storageClass: string;
  contentHeaders: ObjectRecord['contentHeaders'];
  meta: Record<string, string>;
  acl?: AclSpec;
  /** The tags the completed object gets (x-cos-tagging at initiation). */
  tags?: Tag[];
  /** The encryption every part, and so the completed object, gets (chosen at initiation). */
  encryption?: EncryptionRecord;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  /** Quoted MD5 of the part. */
  etag: string;
  crc64: string;
  lastModified: number;
  blob: BlobRef;
}

export interface ListUploadsQuery {
  bucket: string;
  prefix: string;
  delimiter: string;
  /** Uploads of keys after this one... */
  keyMarker: string;
  /** ...and, when given, uploads of key-marker itself with a greater id (C200). */
  uploadIdMarker: string;
  maxUploads: number;
}

export interface ListUploadsPage {
  entries: Array<{ upload: UploadRecord } | { commonPrefix: string }>;
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

export interface ListPartsPage {
  parts: PartRecord[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

/** Decides a key's new content from its current one, inside the store's transaction. May throw. */
export type ObjectUpdate = (current: ObjectRecord | undefined) => ObjectRecord;

/** The object a write made visible (with its version id) and the blobs no version uses any more. */
export interface WriteOutcome {
  object: ObjectRecord;
  replaced: BlobRef[];
}

/** Builds the object a multipart upload becomes from the upload and all its parts; may throw. */
export type UploadCompletion = (upload: UploadRecord, parts: PartRecord[]) => { object: ObjectRecord; used: ReadonlySet<number> };

/** One item of a work queue: its JSON value as enqueued, and its place in the queue. */
export interface QueuedItem {
  seq: number;
  item: unknown;
}

/** A read of a key at a time (ms), as the intelligent-tiering tracker batches them. */
export interface AccessRecord {
  bucket: string;
  key: string;
  time: number;
}

/**
 * A write whose `meta` holds this header with the value PENDING is queued for replication in the same
 * transaction (`enqueue('replication', { bucket, key, versionId })`), so no replication is lost to a
 * crash between the write and its task.
 */
export const REPLICATION_STATUS_META = 'x-cos-replication-status';
export const REPLICATION_QUEUE_KIND = 'replication';

/** What a bucket holds now, for the metrics. */
export interface BucketUsage {
  bucket: string;
  /** Current objects (noncurrent versions and delete markers not counted). */
  objects: number;
  /** Their bytes. */
  bytes: number;
}

export interface MetadataStore {
  /**
   * True when other processes write the same metadata (several gateways on PostgreSQL): anything
   * derived from it must not be kept in this process across requests.
   */
  readonly shared?: boolean;
  /** Throws BucketAlreadyExists, or TooManyBucket when the owner has `maxPerOwner` already. */
  createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(ownerUin: string): Promise<BucketRecord[]>;
  /** Throws NoSuchBucket, or BucketNotEmpty while objects, versions, delete markers or multipart uploads remain. */
  deleteBucket(name: string): Promise<void>;
  /** Replaces the bucket's ACL. Throws NoSuchBucket. */
  setBucketAcl(name: string, acl: AclSpec): Promise<void>;
  /** Replaces the bucket's CORS rules, or removes them (undefined). Throws NoSuchBucket. */
  setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<void>;
  /** Enables or suspends versioning. Throws NoSuchBucket. */
  setBucketVersioning(name: string, status: VersioningStatus): Promise<void>;
  /** Replaces the bucket's lifecycle rules, or removes them (undefined). Throws NoSuchBucket. */
  setBucketLifecycle(name: string, rules: LifecycleRule[] | undefined): Promise<void>;
  /** Replaces the bucket's tags, or removes them (undefined or empty). Throws NoSuchBucket. */
  setBucketTagging(name: string, tags: Tag[] | undefined): Promise<void>;
  /** Replaces one configuration document of the bucket (`configs[kind]`), or removes it (undefined). Throws NoSuchBucket. */
  setBucketConfig(name: string, kind: string, value: unknown): Promise<void>;
  /**
   * A number that changes whenever a bucket record changes, in this process or another one on the
   * same store (--workers): caches built from bucket records (the custom-domain index) compare it.
   * Optional: a store without it is taken to be changed by this process only.
   */
  bucketEpoch?(): number;
  /** Every bucket that has lifecycle rules, of any owner (the lifecycle worker's round). */
  listLifecycleBuckets(): Promise<BucketRecord[]>;
  /** Every bucket's current objects and bytes, empty buckets included, by name. */
  bucketUsage(): Promise<BucketUsage[]>;

  /** The key's current object (undefined when there is none, or its latest version is a delete marker). */
  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** One version of a key, current or not, by id (`null` names the null version). */
  getObjectVersion(bucket: string, key: string, versionId: string): Promise<ObjectVersion | undefined>;
  /** The delete marker that is the key's latest version, if it is one. */
  latestDeleteMarker(bucket: string, key: string): Promise<DeleteMarkerRecord | undefined>;
  /**
   * Makes `object` the current content of its key in one transaction, under the bucket's versioning:
   * without versioning the old object is replaced; with versioning enabled it becomes a noncurrent
   * version and the new one gets a fresh version id; while suspended the new one is the `null`
   * version, replacing any earlier `null` version. Throws NoSuchBucket when the bucket is gone.
   * A versioned write marked PENDING for replication is queued with it (REPLICATION_STATUS_META).
   */
  putObject(object: ObjectRecord): Promise<WriteOutcome>;
  /**
   * Reads one version of the key (the current object unless `versionId` is given) and replaces it in
   * place with what `decide` returns, atomically (append checks its position, tagging and ACL change
   * a version this way). When there is no such object, what `decide` returns is written as putObject
   * does. Throws NoSuchBucket, or whatever `decide` throws.
   */
  updateObject(bucket: string, key: string, decide: ObjectUpdate, versionId?: string): Promise<WriteOutcome>;
  /**
   * DELETE Object under the bucket's versioning: without `versionId`, removes the object (no
   * versioning) or adds a delete marker; with it, removes exactly that version or marker (none: a
   * no-op), and the next newest version, if an object, becomes current again.
   */
  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteOutcome>;
  /**
   * Expires the key's current object only if `matches` accepts it, in one transaction (the lifecycle
   * worker expires what it saw, never a newer object written since), under the bucket's versioning
   * as DELETE without a version id does. Undefined when nothing was done.
   */
  deleteObjectIf(bucket: string, key: string, matches: (current: ObjectRecord) => boolean): Promise<DeleteOutcome | undefined>;
  listObjects(query: ListObjectsQuery): Promise<ListObjectsPage>;
  /** GET Bucket Object Versions: every version and delete marker, newest first within a key. */
  listObjectVersions(query: ListVersionsQuery): Promise<ListVersionsPage>;

  /** Throws NoSuchBucket. */
  createUpload(upload: UploadRecord): Promise<void>;
  getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Stores a part, replacing one of the same number. Throws NoSuchUpload; resolves with the replaced blob(s). */
  putPart(bucket: string, key: string, uploadId: string, part: PartRecord): Promise<BlobRef[]>;
  /** Parts after `marker` in ascending order. Throws NoSuchUpload. */
  listParts(bucket: string, key: string, uploadId: string, marker: number, maxParts: number): Promise<ListPartsPage>;
  listUploads(query: ListUploadsQuery): Promise<ListUploadsPage>;
  /**
   * Turns an upload into its object in one transaction: `complete` sees the upload and every part,
   * validates and builds the object; the upload and its parts are gone afterwards. Resolves with the
   * blobs no longer needed (the replaced object's and the unused parts'). Throws NoSuchUpload.
   */
  completeUpload(bucket: string, key: string, uploadId: string, complete: UploadCompletion): Promise<{ object: ObjectRecord; unneeded: BlobRef[] }>;
  /** Removes an upload and its parts; resolves with their blobs. Throws NoSuchUpload. */
  abortUpload(bucket: string, key: string, uploadId: string): Promise<BlobRef[]>;

  /** Creates an account or updates its appid and root. */
  putAccount(account: AccountRecord): Promise<void>;
  getAccount(uin: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  /** Removes an account with its keys and, for a root account, its sub-users and theirs. InvalidArgument while it owns buckets. */
  deleteAccount(uin: string): Promise<void>;
  /** Adds or replaces a key pair; throws InvalidArgument when its account does not exist. */
  putAccessKey(key: AccessKeyRecord): Promise<void>;
  /** Read on every signed request and never cached, so keys added by `cosbox keys` work at once. */
  getAccessKey(secretId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;
  /** Resolves false when no such key existed. */
  deleteAccessKey(secretId: string): Promise<boolean>;

  /** Adds a statement to a sub-user's policy (a repeat is a no-op); InvalidArgument unless the account is a sub-user. */
  putGrant(grant: GrantRecord): Promise<void>;
  /** Resolves false when the sub-user had no such statement. */
  deleteGrant(grant: Omit<GrantRecord, 'createdAt'>): Promise<boolean>;
  /** A sub-user's statements, in the order they were added; read on every request of a sub-user. */
  listGrants(uin: string): Promise<GrantRecord[]>;

  /**
   * Durable work queues of the background workers, by kind (`replication`, `access-log`): items are
   * appended in one commit, read oldest first, and removed once done, so work survives a restart.
   */
  enqueue(kind: string, items: readonly unknown[]): Promise<void>;
  /** The oldest `limit` items of a kind, with their sequence numbers (increasing). */
  peekQueue(kind: string, limit: number): Promise<QueuedItem[]>;
  /** Removes items of a kind by sequence number (unknown ones are ignored). */
  dequeue(kind: string, seqs: readonly number[]): Promise<void>;

  /** Records reads of keys (intelligent tiering), keeping the latest time per key; one commit for the batch. */
  recordAccess(entries: readonly AccessRecord[]): Promise<void>;
  /** When the key was last recorded as read, if ever (the record outlives the object: compare with lastModified). */
  lastAccess(bucket: string, key: string): Promise<number | undefined>;

  /**
   * Every object that holds bytes, current or noncurrent (no delete markers), bucket by bucket in
   * key order, fetched a page at a time (fsck's walk; the store may be written between pages).
   */
  scanObjects(): AsyncIterable<ObjectRecord>;
  /** Every part of every multipart upload in progress, with its upload (fsck's walk). */
  scanParts(): AsyncIterable<{ upload: UploadRecord; part: PartRecord }>;
  /**
   * Marks one version (`versionId` as the record has it: undefined for the null version) as damaged
   * (ObjectRecord.damaged). Resolves false when there is no such version. Nothing else changes.
   */
  markDamaged(bucket: string, key: string, versionId: string | undefined, reason: string): Promise<boolean>;

  /** Every blob id some record references (start-up orphan sweep). */
  referencedBlobIds(): Promise<Set<string>>;
  close(): Promise<void>;
}
