/**
 * MetadataStore over SQLite (better-sqlite3, WAL).
 *
 * Writes are group-committed: every write queued during one turn of the event loop runs in one
 * transaction (each in its own savepoint, so one failure does not undo its neighbours), and all of
 * them resolve after that single commit is durable. SQLite itself runs with `synchronous=NORMAL`
 * (commits write the WAL without syncing it) and the store fsyncs the WAL file through libuv's
 * thread pool before resolving: the durability of `synchronous=FULL` without blocking the event
 * loop on every commit, and one fsync shared by all the writes of a batch.
 *
 * Buckets are cached in memory: every request reads its bucket, and only this store changes them.
 *
 * Keys are TEXT with SQLite's BINARY collation, which compares the UTF-8 bytes: listing order is
 * UTF-8 byte order (C178) without any work of ours.
 */
import { randomBytes } from 'node:crypto';
import { close, fsync, open } from 'node:fs';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { CosError } from '@cosbox/protocol';
import type {
  AccessKeyRecord,
  AccountRecord,
  GrantRecord,
  AclSpec,
  BlobRef,
  BucketRecord,
  CorsRule,
  DeleteMarkerRecord,
  BucketUsage,
  DeleteOutcome,
  ListedVersion,
  EncryptionRecord,
  LifecycleRule,
  ListObjectsPage,
  ListObjectsQuery,
  ListPartsPage,
  ListUploadsPage,
  ListUploadsQuery,
  ListVersionsPage,
  ListVersionsQuery,
  MetadataStore,
  ObjectRecord,
  ObjectUpdate,
  ObjectVersion,
  PartRecord,
  RestoreState,
  Tag,
  UploadCompletion,
  UploadRecord,
  VersioningStatus,
  WriteOutcome,
  QueuedItem,
  AccessRecord,
} from './store.js';
import { isDeleteMarker, REPLICATION_QUEUE_KIND, REPLICATION_STATUS_META, versionIdOf } from './store.js';

const openFd = promisify(open);
const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/** Schema changes by version, applied in order on open (exported for the upgrade test). */
export const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE buckets (
      name TEXT PRIMARY KEY,
      appid TEXT NOT NULL,
      owner_uin TEXT NOT NULL,
      region TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      acl TEXT
    );
    CREATE INDEX buckets_by_owner ON buckets(owner_uin, name);
    CREATE TABLE objects (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      crc64 TEXT NOT NULL,
      last_modified INTEGER NOT NULL,
      storage_class TEXT NOT NULL,
      object_type TEXT NOT NULL,
      content_headers TEXT NOT NULL,
      meta TEXT NOT NULL,
      owner_uin TEXT NOT NULL,
      acl TEXT,
      blobs TEXT NOT NULL,
      PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID;
    -- Multipart uploads in progress: they keep a bucket from being deleted (C174).
    CREATE TABLE uploads (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      upload_id TEXT NOT NULL,
      initiated INTEGER NOT NULL,
      owner_uin TEXT NOT NULL,
      initiator_uin TEXT NOT NULL,
      storage_class TEXT NOT NULL,
      content_headers TEXT NOT NULL,
      meta TEXT NOT NULL,
      acl TEXT,
      PRIMARY KEY (bucket, key, upload_id)
    ) WITHOUT ROWID;
    CREATE TABLE parts (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      upload_id TEXT NOT NULL,
      part_number INTEGER NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      crc64 TEXT NOT NULL,
      last_modified INTEGER NOT NULL,
      blob_id TEXT NOT NULL,
      PRIMARY KEY (bucket, key, upload_id, part_number)
    ) WITHOUT ROWID;
  `,
  2: `
    CREATE TABLE accounts (
      uin TEXT PRIMARY KEY,
      appid TEXT NOT NULL,
      root_uin TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE access_keys (
      secret_id TEXT PRIMARY KEY,
      secret_key TEXT NOT NULL,
      uin TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX access_keys_by_uin ON access_keys(uin);
    ALTER TABLE buckets ADD COLUMN cors TEXT;
  `,
  // Object tags, and the tags a multipart upload gives its object: JSON [{key, value}], NULL for none.
  3: `
    ALTER TABLE objects ADD COLUMN tags TEXT;
    ALTER TABLE uploads ADD COLUMN tags TEXT;
  `,
  // Versioning: the bucket's status, the current object's version id, and every other version (the
  // noncurrent ones and delete markers) as whole records, newest first within a key.
  4: `
    ALTER TABLE buckets ADD COLUMN versioning TEXT;
    ALTER TABLE objects ADD COLUMN version_id TEXT;
    CREATE TABLE versions (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      seq INTEGER NOT NULL,
      version_id TEXT NOT NULL,
      delete_marker INTEGER NOT NULL,
      noncurrent_since INTEGER NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (bucket, key, seq DESC)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX versions_by_id ON versions(bucket, key, version_id);
  `,
  // Lifecycle rules and tags of buckets, restore state of archived objects: JSON, NULL for none.
  5: `
    ALTER TABLE buckets ADD COLUMN lifecycle TEXT;
    ALTER TABLE buckets ADD COLUMN tagging TEXT;
    ALTER TABLE objects ADD COLUMN restore TEXT;
  `,
  // Encryption at rest: the EncryptionRecord of an object or upload (JSON, NULL when unencrypted),
  // and a part's own IV (JSON {iv}); an object's blob IVs live in its blobs column.
  6: "ALTER TABLE objects ADD COLUMN encryption TEXT; ALTER TABLE uploads ADD COLUMN encryption TEXT; ALTER TABLE parts ADD COLUMN encryption TEXT;",
  // Sub-users' policies: one CAM-style statement per row, attached by the root account.
  7: `
    CREATE TABLE grants (
      uin TEXT NOT NULL,
      effect TEXT NOT NULL,
      action TEXT NOT NULL,
      resource TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (uin, effect, action, resource)
    ) WITHOUT ROWID;
  `,
  // Symlinks (PUT Object symlink): the key a link points to, NULL for every other object.
  8: 'ALTER TABLE objects ADD COLUMN symlink_target TEXT;',
  // The bucket configurations that are one document each (policy, website, referer, logging...):
  // one JSON object keyed by the configuration's name, NULL when the bucket has none.
  9: 'ALTER TABLE buckets ADD COLUMN configs TEXT;',
  // Durable work queues of the background workers (replication tasks, access-log lines not yet
  // delivered): one JSON item per row, in insertion order within a kind.
  10: `
    CREATE TABLE work_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      item TEXT NOT NULL
    );
    CREATE INDEX work_queue_by_kind ON work_queue(kind, seq);
  `,
  // Intelligent tiering: when a key was last read (batched by the server, not a write per GET).
  11: `
    CREATE TABLE object_access (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      last_access INTEGER NOT NULL,
      PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID;
  `,
  // fsck --repair: what is wrong with a current object's bytes, NULL when nothing is known to be
  // (a noncurrent version keeps it in its JSON record).
  12: 'ALTER TABLE objects ADD COLUMN damaged TEXT;',
  // A counter every bucket write increments in its transaction: a process that sees another
  // process's commit (PRAGMA data_version) drops its cached bucket records only when it moved.
  13: `
    CREATE TABLE bucket_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL);
    INSERT INTO bucket_epoch (id, epoch) VALUES (1, 0);
  `,
};

/** Rows per page of fsck's scans. */
const SCAN_PAGE = 256;

const SCHEMA_VERSION = Math.max(...Object.keys(MIGRATIONS).map(Number));

interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  crc64: string;
  last_modified: number;
  storage_class: string;
  object_type: string;
  content_headers: string;
  meta: string;
  owner_uin: string;
  acl: string | null;
  tags: string | null;
  blobs: string;
  restore: string | null;
  version_id: string | null;
  encryption: string | null;
  symlink_target: string | null;
  damaged: string | null;
}

interface VersionRow {
  bucket: string;
  key: string;
  seq: number;
  version_id: string;
  delete_marker: number;
  noncurrent_since: number;
  record: string;
}

interface BucketRow {
  name: string;
  appid: string;
  owner_uin: string;
  region: string;
  created_at: number;
  acl: string | null;
  cors: string | null;
  versioning: string | null;
  lifecycle: string | null;
  tagging: string | null;
  configs: string | null;
}

/** The acl member, present only when one was stored. */
function aclOf(column: string | null): { acl?: AclSpec } {
  return column ? { acl: JSON.parse(column) as AclSpec } : {};
}

/** The tags member, present only when there are tags. */
function tagsOf(column: string | null): { tags?: Tag[] } {
  return column ? { tags: JSON.parse(column) as Tag[] } : {};
}

/** The encryption member, present only for encrypted objects and uploads. */
function encryptionOf(column: string | null): { encryption?: EncryptionRecord } {
  return column ? { encryption: JSON.parse(column) as EncryptionRecord } : {};
}

function encryptionColumn(encryption: EncryptionRecord | undefined): string | null {
  return encryption ? JSON.stringify(encryption) : null;
}

/** No tags and an empty list are both stored as NULL. */
function tagsColumn(tags: readonly Tag[] | undefined): string | null {
  return tags && tags.length > 0 ? JSON.stringify(tags) : null;
}

function versioningOfRow(row: BucketRow): VersioningStatus | undefined {
  return (row.versioning ?? undefined) as VersioningStatus | undefined;
}

function toBucket(row: BucketRow): BucketRecord {
  return {
    name: row.name,
    appid: row.appid,
    ownerUin: row.owner_uin,
    region: row.region,
    createdAt: row.created_at,
    ...aclOf(row.acl),
    ...(row.cors ? { cors: JSON.parse(row.cors) as CorsRule[] } : {}),
    ...(row.lifecycle ? { lifecycle: JSON.parse(row.lifecycle) as LifecycleRule[] } : {}),
    ...(row.tagging ? { tagging: JSON.parse(row.tagging) as Tag[] } : {}),
    ...(row.versioning ? { versioning: versioningOfRow(row) } : {}),
    ...(row.configs ? { configs: JSON.parse(row.configs) as Record<string, unknown> } : {}),
  };
}

interface UploadRow {
  bucket: string;
  key: string;
  upload_id: string;
  initiated: number;
  owner_uin: string;
  initiator_uin: string;
  storage_class: string;
  content_headers: string;
  meta: string;
  acl: string | null;
  tags: string | null;
  encryption: string | null;
}

interface PartRow {
  part_number: number;
  size: number;
  etag: string;
  crc64: string;
  last_modified: number;
  blob_id: string;
  encryption: string | null;
}

function toUpload(row: UploadRow): UploadRecord {
  return {
    bucket: row.bucket,
    key: row.key,
    uploadId: row.upload_id,
    initiated: row.initiated,
    ownerUin: row.owner_uin,
    initiatorUin: row.initiator_uin,
    storageClass: row.storage_class,
    contentHeaders: JSON.parse(row.content_headers) as UploadRecord['contentHeaders'],
    meta: JSON.parse(row.meta) as Record<string, string>,
    ...aclOf(row.acl),
    ...tagsOf(row.tags),
    ...encryptionOf(row.encryption),
  };
}

function toPart(row: PartRow): PartRecord {
  return {
    partNumber: row.part_number,
    size: row.size,
    etag: row.etag,
    crc64: row.crc64,
    lastModified: row.last_modified,
    blob: { id: row.blob_id, size: row.size, ...(row.encryption ? (JSON.parse(row.encryption) as { iv: string }) : {}) },
  };
}

function toObject(row: ObjectRow): ObjectRecord {
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    crc64: row.crc64,
    lastModified: row.last_modified,
    storageClass: row.storage_class,
    objectType: row.object_type === 'appendable' || row.object_type === 'symlink' ? row.object_type : 'normal',
    contentHeaders: JSON.parse(row.content_headers) as ObjectRecord['contentHeaders'],
    meta: JSON.parse(row.meta) as Record<string, string>,
    ownerUin: row.owner_uin,
    ...aclOf(row.acl),
    ...tagsOf(row.tags),
    blobs: JSON.parse(row.blobs) as BlobRef[],
    ...(row.version_id !== null ? { versionId: row.version_id } : {}),
    ...encryptionOf(row.encryption),
    ...(row.restore ? { restore: JSON.parse(row.restore) as RestoreState } : {}),
    ...(row.symlink_target !== null ? { symlinkTarget: row.symlink_target } : {}),
    ...(row.damaged ? { damaged: row.damaged } : {}),
  };
}

function toVersion(row: VersionRow): ObjectVersion {
  return JSON.parse(row.record) as ObjectVersion;
}

/** The blobs a version holds (a delete marker holds none). */
function blobsOf(version: ObjectVersion): BlobRef[] {
  return isDeleteMarker(version) ? [] : version.blobs;
}

/** The record without a version id: writes to a bucket that never had versioning. */
function unversioned(object: ObjectRecord): ObjectRecord {
  const { versionId: _, ...rest } = object;
  return rest;
}

/** The blobs of `before` that `after` does not use. */
function blobsNotIn(before: readonly BlobRef[], after: readonly BlobRef[]): BlobRef[] {
  const kept = new Set(after.map((b) => b.id));
  return before.filter((b) => !kept.has(b.id));
}

/** The smallest string greater than `value` in byte order. */
function successor(value: string): string {
  return value + '\u0000';
}

/**
 * The smallest string greater than every string that starts with `prefix`: the prefix with its last
 * code point incremented. Undefined when no such bound exists (empty prefix).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip the surrogate range
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

type WalkEntry<R> = { row: R } | { commonPrefix: string };

/**
 * One page of a key-ordered listing with optional delimiter (objects and multipart uploads alike).
 * Each pass walks the index from `from` until the page is full or it meets a common prefix, then
 * restarts just past that prefix: the cost follows the page, not the bucket (C179). Common prefixes
 * at or before the marker were returned on an earlier page and are skipped.
 */
function walk<R extends { key: string }>(
  scan: (from: string) => Iterable<R>,
  start: string,
  q: { prefix: string; delimiter: string; marker: string; max: number },
): { entries: WalkEntry<R>[]; isTruncated: boolean; last?: WalkEntry<R> } {
  const entries: WalkEntry<R>[] = [];
  if (q.max <= 0) return { entries, isTruncated: false };
  const markerBytes = Buffer.from(q.marker);
  let from = start;
  outer: while (true) {
    for (const row of scan(from)) {
      if (entries.length === q.max) return { entries, isTruncated: true, last: entries[entries.length - 1] };
      if (q.delimiter !== '') {
        const at = row.key.indexOf(q.delimiter, q.prefix.length);
        if (at >= 0) {
          const commonPrefix = row.key.slice(0, at + q.delimiter.length);
          if (Buffer.compare(Buffer.from(commonPrefix), markerBytes) > 0) entries.push({ commonPrefix });
          const next = prefixUpperBound(commonPrefix);
          if (next === undefined) break outer;
          from = next;
          continue outer;
        }
      }
      entries.push({ row });
    }
    break;
  }
  return { entries, isTruncated: false };
}

function* takeWhile<T>(items: Iterable<T>, ok: (item: T) => boolean): Generator<T> {
  for (const item of items) {
    if (!ok(item)) return;
    yield item;
  }
}

function* concat<T>(first: Iterable<T>, second: Iterable<T>): Generator<T> {
  yield* first;
  yield* second;
}

/** A row of a version listing: the current object (from `objects`) or another version (from `versions`). */
type VersionListRow = { key: string; current: ObjectRow } | { key: string; other: VersionRow };

/**
 * The rows of both tables in listing order: keys in byte order, and within a key the current object
 * first, then the other versions newest first (the versions index is ordered that way). Both scans
 * are closed when the consumer stops early, so the connection is free for writes again.
 */
function* mergeVersions(objects: IterableIterator<ObjectRow>, others: IterableIterator<VersionRow>): Generator<VersionListRow> {
  try {
    let o = objects.next();
    let v = others.next();
    while (!o.done || !v.done) {
      if (!o.done && (v.done || Buffer.compare(Buffer.from(o.value.key), Buffer.from(v.value.key)) <= 0)) {
        yield { key: o.value.key, current: o.value };
        o = objects.next();
      } else if (!v.done) {
        yield { key: v.value.key, other: v.value };
        v = others.next();
      }
    }
  } finally {
    objects.return?.();
    others.return?.();
  }
}

interface Queued {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface SqliteOptions {
  /** 'full' (default): a write resolves once its commit is fsynced. 'normal': survives a process crash, not a power cut. */
  synchronous?: 'full' | 'normal';
}

function prepareStatements(db: Database.Database) {
  return {
    insertBucket: db.prepare('INSERT INTO buckets (name, appid, owner_uin, region, created_at, acl) VALUES (?, ?, ?, ?, ?, ?)'),
    getBucket: db.prepare('SELECT * FROM buckets WHERE name = ?'),
    // One pass over the objects' primary key, which starts with the bucket.
    bucketUsage: db.prepare(
      'SELECT b.name AS bucket, count(o.key) AS objects, coalesce(sum(o.size), 0) AS bytes FROM buckets b LEFT JOIN objects o ON o.bucket = b.name GROUP BY b.name ORDER BY b.name',
    ),
    countBuckets: db.prepare('SELECT count(*) AS n FROM buckets WHERE owner_uin = ?'),
    listBuckets: db.prepare('SELECT * FROM buckets WHERE owner_uin = ? ORDER BY name'),
    deleteBucket: db.prepare('DELETE FROM buckets WHERE name = ?'),
    setBucketAcl: db.prepare('UPDATE buckets SET acl = ? WHERE name = ?'),
    setBucketCors: db.prepare('UPDATE buckets SET cors = ? WHERE name = ?'),
    setBucketLifecycle: db.prepare('UPDATE buckets SET lifecycle = ? WHERE name = ?'),
    setBucketTagging: db.prepare('UPDATE buckets SET tagging = ? WHERE name = ?'),
    setBucketConfigs: db.prepare('UPDATE buckets SET configs = ? WHERE name = ?'),
    lifecycleBuckets: db.prepare('SELECT * FROM buckets WHERE lifecycle IS NOT NULL ORDER BY name'),
    anyObject: db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1'),
    anyUpload: db.prepare('SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1'),
    anyVersion: db.prepare('SELECT 1 FROM versions WHERE bucket = ? LIMIT 1'),
    setBucketVersioning: db.prepare('UPDATE buckets SET versioning = ? WHERE name = ?'),
    getVersion: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? AND version_id = ?'),
    newestVersion: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1'),
    versionsOfKey: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? ORDER BY seq DESC'),
    versionsOfKeyBefore: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? AND seq < ? ORDER BY seq DESC'),
    insertVersion: db.prepare(`
      INSERT INTO versions (bucket, key, seq, version_id, delete_marker, noncurrent_since, record)
      VALUES (?, ?, coalesce((SELECT max(seq) FROM versions WHERE bucket = ? AND key = ?), 0) + 1, ?, ?, ?, ?)`),
    updateVersion: db.prepare('UPDATE versions SET record = ? WHERE bucket = ? AND key = ? AND seq = ?'),
    deleteVersion: db.prepare('DELETE FROM versions WHERE bucket = ? AND key = ? AND seq = ?'),
    versionsFrom: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key >= ? ORDER BY key, seq DESC'),
    versionsRange: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key, seq DESC'),
    allVersionBlobs: db.prepare('SELECT record FROM versions WHERE delete_marker = 0'),
    getObject: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
    getBlobs: db.prepare('SELECT blobs FROM objects WHERE bucket = ? AND key = ?'),
    upsertObject: db.prepare(`
      INSERT INTO objects (bucket, key, size, etag, crc64, last_modified, storage_class, object_type, content_headers, meta, owner_uin, acl, tags, blobs, version_id, encryption, restore, symlink_target, damaged)
      VALUES (@bucket, @key, @size, @etag, @crc64, @last_modified, @storage_class, @object_type, @content_headers, @meta, @owner_uin, @acl, @tags, @blobs, @version_id, @encryption, @restore, @symlink_target, @damaged)
      ON CONFLICT (bucket, key) DO UPDATE SET
        size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, last_modified = excluded.last_modified,
        storage_class = excluded.storage_class, object_type = excluded.object_type,
        content_headers = excluded.content_headers, meta = excluded.meta, owner_uin = excluded.owner_uin, acl = excluded.acl,
        tags = excluded.tags, blobs = excluded.blobs, version_id = excluded.version_id, encryption = excluded.encryption, restore = excluded.restore,
        symlink_target = excluded.symlink_target, damaged = excluded.damaged`),
    scanObjectsPage: db.prepare('SELECT * FROM objects WHERE (bucket, key) > (?, ?) ORDER BY bucket, key LIMIT ?'),
    scanVersionsPage: db.prepare('SELECT * FROM versions WHERE delete_marker = 0 AND (bucket, key, seq) > (?, ?, ?) ORDER BY bucket, key, seq LIMIT ?'),
    scanPartsPage: db.prepare('SELECT * FROM parts WHERE (bucket, key, upload_id, part_number) > (?, ?, ?, ?) ORDER BY bucket, key, upload_id, part_number LIMIT ?'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    bucketEpoch: db.prepare('SELECT epoch FROM bucket_epoch WHERE id = 1').pluck(),
    bumpBucketEpoch: db.prepare('UPDATE bucket_epoch SET epoch = epoch + 1 WHERE id = 1'),
    markObjectDamaged: db.prepare("UPDATE objects SET damaged = ? WHERE bucket = ? AND key = ? AND coalesce(version_id, 'null') = ?"),
    getVersionById: db.prepare('SELECT * FROM versions WHERE bucket = ? AND key = ? AND version_id = ? AND delete_marker = 0'),
    deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
    scanFrom: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key >= ? ORDER BY key'),
    scanRange: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key'),
    allBlobs: db.prepare('SELECT blobs FROM objects'),
    allPartBlobs: db.prepare('SELECT blob_id FROM parts'),
    insertUpload: db.prepare(`
      INSERT INTO uploads (bucket, key, upload_id, initiated, owner_uin, initiator_uin, storage_class, content_headers, meta, acl, tags, encryption)
      VALUES (@bucket, @key, @upload_id, @initiated, @owner_uin, @initiator_uin, @storage_class, @content_headers, @meta, @acl, @tags, @encryption)`),
    getUpload: db.prepare('SELECT * FROM uploads WHERE bucket = ? AND key = ? AND upload_id = ?'),
    deleteUpload: db.prepare('DELETE FROM uploads WHERE bucket = ? AND key = ? AND upload_id = ?'),
    getPartBlob: db.prepare('SELECT blob_id, size FROM parts WHERE bucket = ? AND key = ? AND upload_id = ? AND part_number = ?'),
    upsertPart: db.prepare(`
      INSERT INTO parts (bucket, key, upload_id, part_number, size, etag, crc64, last_modified, blob_id, encryption)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (bucket, key, upload_id, part_number) DO UPDATE SET
        size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, last_modified = excluded.last_modified, blob_id = excluded.blob_id,
        encryption = excluded.encryption`),
    listParts: db.prepare('SELECT * FROM parts WHERE bucket = ? AND key = ? AND upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?'),
    allParts: db.prepare('SELECT * FROM parts WHERE bucket = ? AND key = ? AND upload_id = ? ORDER BY part_number'),
    deleteParts: db.prepare('DELETE FROM parts WHERE bucket = ? AND key = ? AND upload_id = ?'),
    uploadsFrom: db.prepare('SELECT * FROM uploads WHERE bucket = ? AND key >= ? ORDER BY key, upload_id'),
    putAccount: db.prepare(`
      INSERT INTO accounts (uin, appid, root_uin, created_at) VALUES (@uin, @appid, @rootUin, @createdAt)
      ON CONFLICT (uin) DO UPDATE SET appid = excluded.appid, root_uin = excluded.root_uin`),
    getAccount: db.prepare('SELECT uin, appid, root_uin AS rootUin, created_at AS createdAt FROM accounts WHERE uin = ?'),
    listAccounts: db.prepare('SELECT uin, appid, root_uin AS rootUin, created_at AS createdAt FROM accounts ORDER BY root_uin, uin'),
    subUsers: db.prepare('SELECT uin FROM accounts WHERE root_uin = ? AND uin <> root_uin'),
    deleteAccount: db.prepare('DELETE FROM accounts WHERE uin = ?'),
    putAccessKey: db.prepare(`
      INSERT INTO access_keys (secret_id, secret_key, uin, created_at) VALUES (@secretId, @secretKey, @uin, @createdAt)
      ON CONFLICT (secret_id) DO UPDATE SET secret_key = excluded.secret_key, uin = excluded.uin`),
    getAccessKey: db.prepare('SELECT secret_id AS secretId, secret_key AS secretKey, uin, created_at AS createdAt FROM access_keys WHERE secret_id = ?'),
    listAccessKeys: db.prepare('SELECT secret_id AS secretId, secret_key AS secretKey, uin, created_at AS createdAt FROM access_keys ORDER BY uin, secret_id'),
    deleteAccessKey: db.prepare('DELETE FROM access_keys WHERE secret_id = ?'),
    deleteKeysOf: db.prepare('DELETE FROM access_keys WHERE uin = ?'),
    putGrant: db.prepare(`
      INSERT INTO grants (uin, effect, action, resource, created_at) VALUES (@uin, @effect, @action, @resource, @createdAt)
      ON CONFLICT (uin, effect, action, resource) DO NOTHING`),
    deleteGrant: db.prepare('DELETE FROM grants WHERE uin = @uin AND effect = @effect AND action = @action AND resource = @resource'),
    recordAccess: db.prepare('INSERT INTO object_access (bucket, key, last_access) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET last_access = max(last_access, excluded.last_access)'),
    lastAccess: db.prepare('SELECT last_access FROM object_access WHERE bucket = ? AND key = ?'),
    enqueue: db.prepare('INSERT INTO work_queue (kind, item) VALUES (?, ?)'),
    peekQueue: db.prepare('SELECT seq, item FROM work_queue WHERE kind = ? ORDER BY seq LIMIT ?'),
    dequeue: db.prepare('DELETE FROM work_queue WHERE kind = ? AND seq = ?'),
    listGrants: db.prepare('SELECT uin, effect, action, resource, created_at AS createdAt FROM grants WHERE uin = ? ORDER BY created_at, action, resource'),
    deleteGrantsOf: db.prepare('DELETE FROM grants WHERE uin = ?'),
    uploadsAfterId: db.prepare('SELECT * FROM uploads WHERE bucket = ? AND key = ? AND upload_id > ? ORDER BY upload_id'),
  };
}

export class SqliteMetadataStore implements MetadataStore {
  private readonly db: Database.Database;
  private queue: Queued[] = [];
  /** The WAL file to fsync after each commit (undefined: do not). */
  private readonly walPath: string | undefined;
  private walFd: Promise<number> | undefined;
  private lastSync: Promise<void> = Promise.resolve();
  private readonly buckets = new Map<string, BucketRecord | undefined>();
  private seenDataVersion = -1;
  private seenBucketEpoch = -1;
  private readonly stmt: ReturnType<typeof prepareStatements>;

  constructor(path: string, options: SqliteOptions = {}) {
    this.db = new Database(path);
    // First: with --workers, several processes open the database at once.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.walPath = options.synchronous === 'normal' ? undefined : `${path}-wal`;
    this.migrate();
    this.stmt = prepareStatements(this.db);
  }

  /** One migration per write transaction, the version read inside it: processes opening the database together apply each once. */
  private migrate(): void {
    const step = this.db.transaction((): boolean => {
      const next = (this.db.pragma('user_version', { simple: true }) as number) + 1;
      if (next > SCHEMA_VERSION) return false;
      this.db.exec(MIGRATIONS[next]);
      this.db.pragma(`user_version = ${next}`);
      return true;
    });
    while (step.immediate());
  }

  /** Queues a write for the next group commit. */
  private write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      // IMMEDIATE: the write lock is taken at BEGIN, so that writers in other processes (--workers)
      // wait their turn (busy_timeout) instead of failing when a read turns into a write.
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            // A nested transaction is a savepoint: a failed write rolls back alone.
            outcomes.push({ ok: true, value: this.db.transaction(item.run)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    const settle = () =>
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    if (!this.walPath) return settle();
    this.lastSync = this.syncWal().then(settle, (error: unknown) => {
      for (const item of batch) item.reject(error);
    });
  }

  /** fsync of the WAL file on the thread pool: makes every commit so far durable. */
  private async syncWal(): Promise<void> {
    this.walFd ??= openFd(this.walPath!, 'r');
    await fsyncFd(await this.walFd);
  }

  createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void> {
    return this.write(() => {
      if (this.stmt.getBucket.get(bucket.name)) throw new CosError('BucketAlreadyExists');
      const { n } = this.stmt.countBuckets.get(bucket.ownerUin) as { n: number };
      if (n >= maxPerOwner) throw new CosError('TooManyBucket');
      this.stmt.insertBucket.run(bucket.name, bucket.appid, bucket.ownerUin, bucket.region, bucket.createdAt, bucket.acl ? JSON.stringify(bucket.acl) : null);
      this.bucketChanged(bucket.name);
    });
  }

  /** Drops a bucket's cached record and tells the other processes on this database (inside the write's transaction). */
  private bucketChanged(name: string): void {
    this.buckets.delete(name);
    this.stmt.bumpBucketEpoch.run();
  }

  /**
   * Drops every cached bucket record when another process changed a bucket since the last look:
   * PRAGMA data_version (no I/O) tells whether anyone else committed; only then is the epoch read.
   */
  private syncBucketCache(): void {
    const version = this.stmt.dataVersion.get() as number;
    if (version === this.seenDataVersion) return;
    this.seenDataVersion = version;
    const epoch = this.stmt.bucketEpoch.get() as number;
    if (epoch === this.seenBucketEpoch) return;
    this.seenBucketEpoch = epoch;
    this.buckets.clear();
  }

  /** Changes whenever a bucket record changed, in any process on this database. */
  bucketEpoch(): number {
    this.syncBucketCache();
    return this.seenBucketEpoch;
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    this.syncBucketCache();
    if (this.buckets.has(name)) return this.buckets.get(name);
    const row = this.stmt.getBucket.get(name) as BucketRow | undefined;
    const bucket = row && toBucket(row);
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(name, bucket);
    return bucket;
  }

  async listBuckets(ownerUin: string): Promise<BucketRecord[]> {
    return (this.stmt.listBuckets.all(ownerUin) as BucketRow[]).map(toBucket);
  }

  deleteBucket(name: string): Promise<void> {
    return this.write(() => {
      if (!this.stmt.getBucket.get(name)) throw new CosError('NoSuchBucket');
      if (this.stmt.anyObject.get(name) || this.stmt.anyVersion.get(name) || this.stmt.anyUpload.get(name)) throw new CosError('BucketNotEmpty');
      this.stmt.deleteBucket.run(name);
      this.bucketChanged(name);
    });
  }

  setBucketAcl(name: string, acl: AclSpec): Promise<void> {
    return this.write(() => {
      if (this.stmt.setBucketAcl.run(JSON.stringify(acl), name).changes === 0) throw new CosError('NoSuchBucket');
      this.bucketChanged(name);
    });
  }

  setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<void> {
    return this.write(() => {
      if (this.stmt.setBucketCors.run(rules ? JSON.stringify(rules) : null, name).changes === 0) throw new CosError('NoSuchBucket');
      this.bucketChanged(name);
    });
  }

  setBucketVersioning(name: string, status: VersioningStatus): Promise<void> {
    return this.write(() => {
      if (this.stmt.setBucketVersioning.run(status, name).changes === 0) throw new CosError('NoSuchBucket');
      this.bucketChanged(name);
    });
  }

  setBucketLifecycle(name: string, rules: LifecycleRule[] | undefined): Promise<void> {
    return this.write(() => {
      if (this.stmt.setBucketLifecycle.run(rules && rules.length > 0 ? JSON.stringify(rules) : null, name).changes === 0) throw new CosError('NoSuchBucket');
      this.bucketChanged(name);
    });
  }

  setBucketTagging(name: string, tags: Tag[] | undefined): Promise<void> {
    return this.write(() => {
      if (this.stmt.setBucketTagging.run(tagsColumn(tags), name).changes === 0) throw new CosError('NoSuchBucket');
      this.bucketChanged(name);
    });
  }

  setBucketConfig(name: string, kind: string, value: unknown): Promise<void> {
    return this.write(() => {
      const row = this.stmt.getBucket.get(name) as BucketRow | undefined;
      if (!row) throw new CosError('NoSuchBucket');
      const configs = row.configs ? (JSON.parse(row.configs) as Record<string, unknown>) : {};
      if (value === undefined) delete configs[kind];
      else configs[kind] = value;
      this.stmt.setBucketConfigs.run(Object.keys(configs).length > 0 ? JSON.stringify(configs) : null, name);
      this.bucketChanged(name);
    });
  }

  async listLifecycleBuckets(): Promise<BucketRecord[]> {
    return (this.stmt.lifecycleBuckets.all() as BucketRow[]).map(toBucket);
  }

  async bucketUsage(): Promise<BucketUsage[]> {
    return this.stmt.bucketUsage.all() as BucketUsage[];
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.currentObject(bucket, key);
  }

  private currentObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.stmt.getObject.get(bucket, key) as ObjectRow | undefined;
    return row && toObject(row);
  }

  async getObjectVersion(bucket: string, key: string, versionId: string): Promise<ObjectVersion | undefined> {
    const current = this.currentObject(bucket, key);
    if (current && versionIdOf(current) === versionId) return current;
    const row = this.stmt.getVersion.get(bucket, key, versionId) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async latestDeleteMarker(bucket: string, key: string): Promise<DeleteMarkerRecord | undefined> {
    if (this.stmt.getObject.get(bucket, key)) return undefined;
    const row = this.stmt.newestVersion.get(bucket, key) as VersionRow | undefined;
    const newest = row && toVersion(row);
    return newest && isDeleteMarker(newest) ? newest : undefined;
  }

  /** The bucket's versioning status, read inside the write's transaction. Throws NoSuchBucket. */
  private versioningOf(bucket: string): VersioningStatus | undefined {
    const row = this.stmt.getBucket.get(bucket) as BucketRow | undefined;
    if (!row) throw new CosError('NoSuchBucket');
    return versioningOfRow(row);
  }

  /**
   * A fresh version id, COS's look (base64 of a decimal string, no padding: only letters and digits,
   * URL-safe as it is) but random, so that nobody reads an old version by guessing its id from the
   * clock. Listings order versions by their seq column, never by id; the unique index on
   * (bucket, key, version_id) refuses the 1-in-10^24 collision instead of losing a version.
   */
  private newVersionId(): string {
    const digits = (BigInt(`0x${randomBytes(16).toString('hex')}`) % 10n ** 24n).toString().padStart(24, '0');
    return Buffer.from(digits).toString('base64');
  }

  /** Files a version among the key's other versions, as the newest of them. */
  private keepVersion(version: ObjectVersion, now: number): void {
    const { bucket, key } = version;
    this.stmt.insertVersion.run(bucket, key, bucket, key, versionIdOf(version), isDeleteMarker(version) ? 1 : 0, now, JSON.stringify(version));
  }

  /** Removes one of the key's other versions by id; resolves with the blobs it held. */
  private dropVersion(bucket: string, key: string, versionId: string): BlobRef[] {
    const row = this.stmt.getVersion.get(bucket, key, versionId) as VersionRow | undefined;
    if (!row) return [];
    this.stmt.deleteVersion.run(bucket, key, row.seq);
    return blobsOf(toVersion(row));
  }

  /** After the current version went away: the newest other version, if an object, becomes current. */
  private promoteNewest(bucket: string, key: string): void {
    const row = this.stmt.newestVersion.get(bucket, key) as VersionRow | undefined;
    if (!row || row.delete_marker) return;
    this.stmt.deleteVersion.run(bucket, key, row.seq);
    this.upsert(toVersion(row) as ObjectRecord);
  }

  /** Makes `object` current under the bucket's versioning (see MetadataStore.putObject). */
  private install(object: ObjectRecord, current: ObjectRecord | undefined, versioning: VersioningStatus | undefined): WriteOutcome {
    const now = Date.now();
    let installed: ObjectRecord;
    const replaced: BlobRef[] = [];
    if (versioning === undefined) {
      installed = unversioned(object);
      if (current) replaced.push(...blobsNotIn(current.blobs, installed.blobs));
    } else if (versioning === 'Enabled') {
      installed = { ...object, versionId: this.newVersionId() };
      if (current) this.keepVersion(current, now);
    } else {
      installed = { ...object, versionId: 'null' };
      if (current && versionIdOf(current) === 'null') replaced.push(...blobsNotIn(current.blobs, installed.blobs));
      else if (current) this.keepVersion(current, now);
      replaced.push(...this.dropVersion(object.bucket, object.key, 'null'));
    }
    this.upsert(installed);
    if (installed.meta[REPLICATION_STATUS_META] === 'PENDING' && installed.versionId !== undefined) {
      this.stmt.enqueue.run(REPLICATION_QUEUE_KIND, JSON.stringify({ bucket: installed.bucket, key: installed.key, versionId: installed.versionId }));
    }
    return { object: installed, replaced };
  }

  putObject(object: ObjectRecord): Promise<WriteOutcome> {
    return this.write(() => this.install(object, this.currentObject(object.bucket, object.key), this.versioningOf(object.bucket)));
  }

  updateObject(bucket: string, key: string, decide: ObjectUpdate, versionId?: string): Promise<WriteOutcome> {
    return this.write(() => {
      const versioning = this.versioningOf(bucket);
      const current = this.currentObject(bucket, key);
      if (versionId === undefined || (current && versionIdOf(current) === versionId)) {
        if (!current) return this.install(decide(undefined), undefined, versioning);
        const object = { ...decide(current), versionId: current.versionId };
        if (object.versionId === undefined) delete object.versionId;
        this.upsert(object);
        return { object, replaced: blobsNotIn(current.blobs, object.blobs) };
      }
      const row = this.stmt.getVersion.get(bucket, key, versionId) as VersionRow | undefined;
      if (!row) throw new CosError('NoSuchVersion');
      const version = toVersion(row);
      if (isDeleteMarker(version)) throw new CosError('MethodNotAllowed', 'The specified version is a delete marker.');
      const object = { ...decide(version), versionId: version.versionId };
      this.stmt.updateVersion.run(JSON.stringify(object), bucket, key, row.seq);
      return { object, replaced: blobsNotIn(version.blobs, object.blobs) };
    });
  }

  private upsert(object: ObjectRecord): void {
    this.stmt.upsertObject.run({
      bucket: object.bucket,
      key: object.key,
      size: object.size,
      etag: object.etag,
      crc64: object.crc64,
      last_modified: object.lastModified,
      storage_class: object.storageClass,
      object_type: object.objectType,
      content_headers: JSON.stringify(object.contentHeaders),
      meta: JSON.stringify(object.meta),
      owner_uin: object.ownerUin,
      acl: object.acl ? JSON.stringify(object.acl) : null,
      tags: tagsColumn(object.tags),
      blobs: JSON.stringify(object.blobs),
      version_id: object.versionId ?? null,
      encryption: encryptionColumn(object.encryption),
      restore: object.restore ? JSON.stringify(object.restore) : null,
      symlink_target: object.symlinkTarget ?? null,
      damaged: object.damaged ?? null,
    });
  }

  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteOutcome> {
    return this.write((): DeleteOutcome => {
      const bucketRow = this.stmt.getBucket.get(bucket) as BucketRow | undefined;
      if (!bucketRow) return { blobs: [], deleteMarker: false };
      const current = this.currentObject(bucket, key);
      if (versionId !== undefined) return this.deleteVersion(bucket, key, versionId, current);
      return this.deleteCurrent(bucketRow, key, current);
    });
  }

  /**
   * DELETE without a version id: removes the object (no versioning) or adds a delete marker, keeping
   * the current object as a noncurrent version (enabled) or dropping the null version (suspended).
   */
  private deleteCurrent(bucketRow: BucketRow, key: string, current: ObjectRecord | undefined): DeleteOutcome {
    const bucket = bucketRow.name;
    const versioning = versioningOfRow(bucketRow);
    if (versioning === undefined) {
      if (!current) return { blobs: [], deleteMarker: false };
      this.stmt.deleteObject.run(bucket, key);
      return { blobs: current.blobs, deleteMarker: false };
    }
    const now = Date.now();
    const blobs: BlobRef[] = [];
    const marker: DeleteMarkerRecord = {
      deleteMarker: true,
      bucket,
      key,
      versionId: versioning === 'Enabled' ? this.newVersionId() : 'null',
      lastModified: now,
      ownerUin: bucketRow.owner_uin,
    };
    if (current) {
      if (versioning === 'Suspended' && versionIdOf(current) === 'null') blobs.push(...current.blobs);
      else this.keepVersion(current, now);
      this.stmt.deleteObject.run(bucket, key);
    }
    if (versioning === 'Suspended') blobs.push(...this.dropVersion(bucket, key, 'null'));
    this.keepVersion(marker, now);
    return { blobs, versionId: marker.versionId, deleteMarker: true };
  }

  /** Removes exactly one version or delete marker; a missing one is a no-op (DELETE is idempotent). */
  private deleteVersion(bucket: string, key: string, versionId: string, current: ObjectRecord | undefined): DeleteOutcome {
    if (current && versionIdOf(current) === versionId) {
      this.stmt.deleteObject.run(bucket, key);
      this.promoteNewest(bucket, key);
      return { blobs: current.blobs, versionId, deleteMarker: false };
    }
    const row = this.stmt.getVersion.get(bucket, key, versionId) as VersionRow | undefined;
    if (!row) return { blobs: [], versionId, deleteMarker: false };
    this.stmt.deleteVersion.run(bucket, key, row.seq);
    if (!current) this.promoteNewest(bucket, key);
    const version = toVersion(row);
    return { blobs: blobsOf(version), versionId, deleteMarker: isDeleteMarker(version) };
  }

  deleteObjectIf(bucket: string, key: string, matches: (current: ObjectRecord) => boolean): Promise<DeleteOutcome | undefined> {
    return this.write(() => {
      const bucketRow = this.stmt.getBucket.get(bucket) as BucketRow | undefined;
      const current = this.currentObject(bucket, key);
      if (!bucketRow || !current || !matches(current)) return undefined;
      return this.deleteCurrent(bucketRow, key, current);
    });
  }

  async listObjects(q: ListObjectsQuery): Promise<ListObjectsPage> {
    const upper = prefixUpperBound(q.prefix);
    const start = Buffer.compare(Buffer.from(q.marker), Buffer.from(q.prefix)) >= 0 ? successor(q.marker) : q.prefix;
    const scan = (from: string) =>
      (upper === undefined ? this.stmt.scanFrom.iterate(q.bucket, from) : this.stmt.scanRange.iterate(q.bucket, from, upper)) as IterableIterator<ObjectRow>;
    const page = walk(scan, start, { prefix: q.prefix, delimiter: q.delimiter, marker: q.marker, max: q.maxKeys });
    return {
      entries: page.entries.map((e) => ('row' in e ? { object: toObject(e.row) } : e)),
      isTruncated: page.isTruncated,
      nextMarker: page.last && ('row' in page.last ? page.last.row.key : page.last.commonPrefix),
    };
  }

  async listObjectVersions(q: ListVersionsQuery): Promise<ListVersionsPage> {
    const upper = prefixUpperBound(q.prefix);
    const afterKey = Buffer.compare(Buffer.from(q.keyMarker), Buffer.from(q.prefix)) >= 0 ? successor(q.keyMarker) : q.prefix;
    const rows = (from: string): Generator<VersionListRow> => {
      const objects = (upper === undefined ? this.stmt.scanFrom.iterate(q.bucket, from) : this.stmt.scanRange.iterate(q.bucket, from, upper)) as IterableIterator<ObjectRow>;
      const others = (upper === undefined ? this.stmt.versionsFrom.iterate(q.bucket, from) : this.stmt.versionsRange.iterate(q.bucket, from, upper)) as IterableIterator<VersionRow>;
      return mergeVersions(objects, others);
    };
    // The first pass starts with key-marker's versions older than version-id-marker, when given.
    const scan = (from: string) => {
      const rest = rows(from);
      if (from !== afterKey || q.keyMarker === '' || q.versionIdMarker === '' || !q.keyMarker.startsWith(q.prefix)) return rest;
      return concat(this.olderVersions(q.bucket, q.keyMarker, q.versionIdMarker), rest);
    };
    const page = walk(scan, afterKey, { prefix: q.prefix, delimiter: q.delimiter, marker: q.keyMarker, max: q.maxKeys });
    // A version is the latest when it is the current object, or the first of a key without one.
    let previousKey: string | undefined = q.versionIdMarker === '' ? undefined : q.keyMarker;
    const entries = page.entries.map((e): ListedVersion | { commonPrefix: string } => {
      if (!('row' in e)) return e;
      const isLatest = e.row.key !== previousKey;
      previousKey = e.row.key;
      if ('current' in e.row) return { version: toObject(e.row.current), isLatest: true };
      return { version: toVersion(e.row.other), isLatest, noncurrentSince: isLatest ? undefined : e.row.other.noncurrent_since };
    });
    const last = page.last;
    return {
      entries,
      isTruncated: page.isTruncated,
      nextKeyMarker: last && ('row' in last ? last.row.key : last.commonPrefix),
      nextVersionIdMarker: last && 'row' in last ? ('current' in last.row ? last.row.current.version_id ?? 'null' : last.row.other.version_id) : undefined,
    };
  }

  /** The versions of a key after (older than) the one named `versionId`, for a listing's first page. */
  private olderVersions(bucket: string, key: string, versionId: string): VersionListRow[] {
    const current = this.currentObject(bucket, key);
    const rows = (() => {
      if (current && versionIdOf(current) === versionId) return this.stmt.versionsOfKey.all(bucket, key) as VersionRow[];
      const marker = this.stmt.getVersion.get(bucket, key, versionId) as VersionRow | undefined;
      return marker ? (this.stmt.versionsOfKeyBefore.all(bucket, key, marker.seq) as VersionRow[]) : [];
    })();
    return rows.map((other) => ({ key, other }));
  }

  createUpload(upload: UploadRecord): Promise<void> {
    return this.write(() => {
      if (!this.stmt.getBucket.get(upload.bucket)) throw new CosError('NoSuchBucket');
      this.stmt.insertUpload.run({
        bucket: upload.bucket,
        key: upload.key,
        upload_id: upload.uploadId,
        initiated: upload.initiated,
        owner_uin: upload.ownerUin,
        initiator_uin: upload.initiatorUin,
        storage_class: upload.storageClass,
        content_headers: JSON.stringify(upload.contentHeaders),
        meta: JSON.stringify(upload.meta),
        acl: upload.acl ? JSON.stringify(upload.acl) : null,
        tags: tagsColumn(upload.tags),
        encryption: encryptionColumn(upload.encryption),
      });
    });
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const row = this.stmt.getUpload.get(bucket, key, uploadId) as UploadRow | undefined;
    return row && toUpload(row);
  }

  private requireUpload(bucket: string, key: string, uploadId: string): UploadRecord {
    const row = this.stmt.getUpload.get(bucket, key, uploadId) as UploadRow | undefined;
    if (!row) throw new CosError('NoSuchUpload');
    return toUpload(row);
  }

  putPart(bucket: string, key: string, uploadId: string, part: PartRecord): Promise<BlobRef[]> {
    return this.write(() => {
      this.requireUpload(bucket, key, uploadId);
      const previous = this.stmt.getPartBlob.get(bucket, key, uploadId, part.partNumber) as { blob_id: string; size: number } | undefined;
      const partEncryption = part.blob.iv === undefined ? null : JSON.stringify({ iv: part.blob.iv });
      this.stmt.upsertPart.run(bucket, key, uploadId, part.partNumber, part.size, part.etag, part.crc64, part.lastModified, part.blob.id, partEncryption);
      return previous && previous.blob_id !== part.blob.id ? [{ id: previous.blob_id, size: previous.size }] : [];
    });
  }

  async listParts(bucket: string, key: string, uploadId: string, marker: number, maxParts: number): Promise<ListPartsPage> {
    this.requireUpload(bucket, key, uploadId);
    const rows = this.stmt.listParts.all(bucket, key, uploadId, marker, maxParts + 1) as PartRow[];
    const parts = rows.slice(0, maxParts).map(toPart);
    const isTruncated = rows.length > maxParts;
    return { parts, isTruncated, nextPartNumberMarker: isTruncated ? parts[parts.length - 1]?.partNumber : undefined };
  }

  async listUploads(q: ListUploadsQuery): Promise<ListUploadsPage> {
    const upper = prefixUpperBound(q.prefix);
    const withinPrefix = (rows: Iterable<UploadRow>) => takeWhile(rows, (r) => upper === undefined || Buffer.compare(Buffer.from(r.key), Buffer.from(upper)) < 0);
    const afterKey = Buffer.compare(Buffer.from(q.keyMarker), Buffer.from(q.prefix)) >= 0 ? successor(q.keyMarker) : q.prefix;
    // The first pass also holds key-marker's own uploads after upload-id-marker (C200).
    const scan = (from: string) => {
      const rest = withinPrefix(this.stmt.uploadsFrom.iterate(q.bucket, from) as IterableIterator<UploadRow>);
      if (from !== afterKey || q.keyMarker === '' || q.uploadIdMarker === '' || !q.keyMarker.startsWith(q.prefix)) return rest;
      return concat(this.stmt.uploadsAfterId.all(q.bucket, q.keyMarker, q.uploadIdMarker) as UploadRow[], rest);
    };
    const page = walk(scan, afterKey, { prefix: q.prefix, delimiter: q.delimiter, marker: q.keyMarker, max: q.maxUploads });
    const last = page.last;
    return {
      entries: page.entries.map((e) => ('row' in e ? { upload: toUpload(e.row) } : e)),
      isTruncated: page.isTruncated,
      nextKeyMarker: last && ('row' in last ? last.row.key : last.commonPrefix),
      nextUploadIdMarker: last && 'row' in last ? last.row.upload_id : undefined,
    };
  }

  completeUpload(bucket: string, key: string, uploadId: string, complete: UploadCompletion): Promise<{ object: ObjectRecord; unneeded: BlobRef[] }> {
    return this.write(() => {
      const upload = this.requireUpload(bucket, key, uploadId);
      const parts = (this.stmt.allParts.all(bucket, key, uploadId) as PartRow[]).map(toPart);
      const { object: built, used } = complete(upload, parts);
      const { object, replaced } = this.install(built, this.currentObject(bucket, key), this.versioningOf(bucket));
      this.stmt.deleteParts.run(bucket, key, uploadId);
      this.stmt.deleteUpload.run(bucket, key, uploadId);
      const unused = parts.filter((p) => !used.has(p.partNumber)).map((p) => p.blob);
      return { object, unneeded: [...replaced, ...unused] };
    });
  }

  abortUpload(bucket: string, key: string, uploadId: string): Promise<BlobRef[]> {
    return this.write(() => {
      this.requireUpload(bucket, key, uploadId);
      const parts = (this.stmt.allParts.all(bucket, key, uploadId) as PartRow[]).map((p) => toPart(p).blob);
      this.stmt.deleteParts.run(bucket, key, uploadId);
      this.stmt.deleteUpload.run(bucket, key, uploadId);
      return parts;
    });
  }

  putAccount(account: AccountRecord): Promise<void> {
    return this.write(() => void this.stmt.putAccount.run(account));
  }

  async getAccount(uin: string): Promise<AccountRecord | undefined> {
    return this.stmt.getAccount.get(uin) as AccountRecord | undefined;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return this.stmt.listAccounts.all() as AccountRecord[];
  }

  deleteAccount(uin: string): Promise<void> {
    return this.write(() => {
      const account = this.stmt.getAccount.get(uin) as AccountRecord | undefined;
      if (!account) throw new CosError('InvalidArgument', `No account ${uin}.`);
      if ((this.stmt.countBuckets.get(uin) as { n: number }).n > 0) throw new CosError('InvalidArgument', `Account ${uin} still owns buckets.`);
      const doomed = account.rootUin === uin ? [uin, ...(this.stmt.subUsers.all(uin) as Array<{ uin: string }>).map((r) => r.uin)] : [uin];
      for (const u of doomed) {
        this.stmt.deleteKeysOf.run(u);
        this.stmt.deleteGrantsOf.run(u);
        this.stmt.deleteAccount.run(u);
      }
    });
  }

  putGrant(grant: GrantRecord): Promise<void> {
    return this.write(() => {
      const account = this.stmt.getAccount.get(grant.uin) as AccountRecord | undefined;
      if (!account || account.rootUin === account.uin) throw new CosError('InvalidArgument', `No sub-user ${grant.uin}.`);
      this.stmt.putGrant.run(grant);
    });
  }

  deleteGrant(grant: Omit<GrantRecord, 'createdAt'>): Promise<boolean> {
    return this.write(() => this.stmt.deleteGrant.run(grant).changes > 0);
  }

  async listGrants(uin: string): Promise<GrantRecord[]> {
    return this.stmt.listGrants.all(uin) as GrantRecord[];
  }

  putAccessKey(key: AccessKeyRecord): Promise<void> {
    return this.write(() => {
      if (!this.stmt.getAccount.get(key.uin)) throw new CosError('InvalidArgument', `No account ${key.uin}.`);
      this.stmt.putAccessKey.run(key);
    });
  }

  async getAccessKey(secretId: string): Promise<AccessKeyRecord | undefined> {
    return this.stmt.getAccessKey.get(secretId) as AccessKeyRecord | undefined;
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    return this.stmt.listAccessKeys.all() as AccessKeyRecord[];
  }

  deleteAccessKey(secretId: string): Promise<boolean> {
    return this.write(() => this.stmt.deleteAccessKey.run(secretId).changes > 0);
  }

  recordAccess(entries: readonly AccessRecord[]): Promise<void> {
    return this.write(() => {
      for (const e of entries) this.stmt.recordAccess.run(e.bucket, e.key, e.time);
    });
  }

  async lastAccess(bucket: string, key: string): Promise<number | undefined> {
    return (this.stmt.lastAccess.get(bucket, key) as { last_access: number } | undefined)?.last_access;
  }

  enqueue(kind: string, items: readonly unknown[]): Promise<void> {
    return this.write(() => {
      for (const item of items) this.stmt.enqueue.run(kind, JSON.stringify(item));
    });
  }

  async peekQueue(kind: string, limit: number): Promise<QueuedItem[]> {
    return (this.stmt.peekQueue.all(kind, limit) as Array<{ seq: number; item: string }>).map((row) => ({ seq: row.seq, item: JSON.parse(row.item) as unknown }));
  }

  dequeue(kind: string, seqs: readonly number[]): Promise<void> {
    return this.write(() => {
      for (const seq of seqs) this.stmt.dequeue.run(kind, seq);
    });
  }

  async *scanObjects(): AsyncIterable<ObjectRecord> {
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = this.stmt.scanObjectsPage.all(...after, SCAN_PAGE) as ObjectRow[];
      for (const row of rows) yield toObject(row);
      if (rows.length < SCAN_PAGE) break;
      after = [rows[rows.length - 1].bucket, rows[rows.length - 1].key];
    }
    let afterVersion: [string, string, number] = ['', '', -1];
    for (;;) {
      const rows = this.stmt.scanVersionsPage.all(...afterVersion, SCAN_PAGE) as VersionRow[];
      for (const row of rows) yield toVersion(row) as ObjectRecord;
      if (rows.length < SCAN_PAGE) break;
      const last = rows[rows.length - 1];
      afterVersion = [last.bucket, last.key, last.seq];
    }
  }

  async *scanParts(): AsyncIterable<{ upload: UploadRecord; part: PartRecord }> {
    let after: [string, string, string, number] = ['', '', '', -1];
    for (;;) {
      const rows = this.stmt.scanPartsPage.all(...after, SCAN_PAGE) as Array<PartRow & { bucket: string; key: string; upload_id: string }>;
      for (const row of rows) {
        const upload = this.stmt.getUpload.get(row.bucket, row.key, row.upload_id) as UploadRow | undefined;
        if (upload) yield { upload: toUpload(upload), part: toPart(row) };
      }
      if (rows.length < SCAN_PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.bucket, last.key, last.upload_id, last.part_number];
    }
  }

  markDamaged(bucket: string, key: string, versionId: string | undefined, reason: string): Promise<boolean> {
    return this.write(() => {
      const id = versionId ?? 'null';
      if (this.stmt.markObjectDamaged.run(reason, bucket, key, id).changes > 0) return true;
      const row = this.stmt.getVersionById.get(bucket, key, id) as VersionRow | undefined;
      if (!row) return false;
      this.stmt.updateVersion.run(JSON.stringify({ ...(toVersion(row) as ObjectRecord), damaged: reason }), bucket, key, row.seq);
      return true;
    });
  }

  async referencedBlobIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const row of this.stmt.allBlobs.iterate() as IterableIterator<{ blobs: string }>) {
      for (const blob of JSON.parse(row.blobs) as BlobRef[]) ids.add(blob.id);
    }
    for (const row of this.stmt.allPartBlobs.iterate() as IterableIterator<{ blob_id: string }>) ids.add(row.blob_id);
    for (const row of this.stmt.allVersionBlobs.iterate() as IterableIterator<{ record: string }>) {
      for (const blob of (JSON.parse(row.record) as ObjectRecord).blobs) ids.add(blob.id);
    }
    return ids;
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    await this.lastSync;
    if (this.walFd) await closeFd(await this.walFd);
    this.db.close();
  }
}

// Shared with the PostgreSQL store, whose rows have the same columns.
export { toBucket, toObject, toUpload, toPart, toVersion, blobsOf, unversioned, blobsNotIn, tagsColumn, encryptionColumn, versioningOfRow };
export type { ObjectRow, VersionRow, BucketRow, UploadRow, PartRow };
