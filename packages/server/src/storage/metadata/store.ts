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
  /** The bucket's lifecycle rules (PUT Bucket lifecycle), when it has any. */
  lifecycle?: LifecycleRule[];
  /** The bucket's tags (PUT Bucket tagging), when it has any. */
  tagging?: Tag[];
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

/** One CORS rule of a bucket (FEATURES §1.10.7). */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** An ACL as given by x-cos-acl / x-cos-grant-* headers (FEATURES §1.7). */
export interface AclSpec {
  canned?: string;
  grants: Array<{ permission: string; grantee: string }>;
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
  objectType: 'normal' | 'appendable';
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

/** Builds the object a multipart upload becomes from the upload and all its parts; may throw. */
export type UploadCompletion = (upload: UploadRecord, parts: PartRecord[]) => { object: ObjectRecord; used: ReadonlySet<number> };

export interface MetadataStore {
  /** Throws BucketAlreadyExists, or TooManyBucket when the owner has `maxPerOwner` already. */
  createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(ownerUin: string): Promise<BucketRecord[]>;
  /** Throws NoSuchBucket, or BucketNotEmpty while objects or multipart uploads remain. */
  deleteBucket(name: string): Promise<void>;
  /** Replaces the bucket's ACL. Throws NoSuchBucket. */
  setBucketAcl(name: string, acl: AclSpec): Promise<void>;
  /** Replaces the bucket's CORS rules, or removes them (undefined). Throws NoSuchBucket. */
  setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<void>;
  /** Replaces the bucket's lifecycle rules, or removes them (undefined). Throws NoSuchBucket. */
  setBucketLifecycle(name: string, rules: LifecycleRule[] | undefined): Promise<void>;
  /** Replaces the bucket's tags, or removes them (undefined or empty). Throws NoSuchBucket. */
  setBucketTagging(name: string, tags: Tag[] | undefined): Promise<void>;
  /** Every bucket that has lifecycle rules, of any owner (the lifecycle worker's round). */
  listLifecycleBuckets(): Promise<BucketRecord[]>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /**
   * Makes `object` the current content of its key in one transaction. Throws NoSuchBucket when the
   * bucket is gone. Resolves with the blobs the replaced object no longer needs.
   */
  putObject(object: ObjectRecord): Promise<BlobRef[]>;
  /**
   * Reads the key's current object and replaces it with what `decide` returns, atomically (append
   * checks its position this way). Throws NoSuchBucket, or whatever `decide` throws.
   */
  updateObject(bucket: string, key: string, decide: ObjectUpdate): Promise<{ object: ObjectRecord; replaced: BlobRef[] }>;
  /** Removes a key; resolves with its blobs (none when the key did not exist). */
  deleteObject(bucket: string, key: string): Promise<BlobRef[]>;
  /**
   * Removes a key only if `matches` accepts its current object, in one transaction (the lifecycle
   * worker expires what it saw, never a newer object written since). Resolves with the removed
   * blobs, or undefined when nothing was removed.
   */
  deleteObjectIf(bucket: string, key: string, matches: (current: ObjectRecord) => boolean): Promise<BlobRef[] | undefined>;
  listObjects(query: ListObjectsQuery): Promise<ListObjectsPage>;

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

  /** Every blob id some record references (start-up orphan sweep). */
  referencedBlobIds(): Promise<Set<string>>;
  close(): Promise<void>;
}
