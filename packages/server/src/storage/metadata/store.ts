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
  /** The ACL given at creation (enforced once ACLs arrive; kept so nothing is lost until then). */
  acl?: AclSpec;
}

/** An ACL as given by x-cos-acl / x-cos-grant-* headers (FEATURES §1.7). */
export interface AclSpec {
  canned?: string;
  grants: Array<{ permission: string; grantee: string }>;
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
  /** The object's bytes in order: one blob for a simple upload, one per part for multipart. */
  blobs: BlobRef[];
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

export interface MetadataStore {
  /** Throws BucketAlreadyExists, or TooManyBucket when the owner has `maxPerOwner` already. */
  createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(ownerUin: string): Promise<BucketRecord[]>;
  /** Throws NoSuchBucket, or BucketNotEmpty while objects or multipart uploads remain. */
  deleteBucket(name: string): Promise<void>;

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /**
   * Makes `object` the current content of its key in one transaction. Throws NoSuchBucket when the
   * bucket is gone. Resolves with the blobs the replaced object no longer needs.
   */
  putObject(object: ObjectRecord): Promise<BlobRef[]>;
  /** Removes a key; resolves with its blobs (none when the key did not exist). */
  deleteObject(bucket: string, key: string): Promise<BlobRef[]>;
  listObjects(query: ListObjectsQuery): Promise<ListObjectsPage>;

  /** Every blob id some record references (start-up orphan sweep). */
  referencedBlobIds(): Promise<Set<string>>;
  close(): Promise<void>;
}
