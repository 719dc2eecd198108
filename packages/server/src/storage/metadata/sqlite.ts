/**
 * MetadataStore over SQLite (better-sqlite3, WAL).
 *
 * Writes are group-committed: every write queued during one turn of the event loop runs in one
 * transaction (each in its own savepoint, so one failure does not undo its neighbours), and all of
 * them resolve after that single commit. With `synchronous=FULL` a commit is one WAL fsync, so many
 * concurrent uploads share it instead of queueing behind one fsync each.
 *
 * Keys are TEXT with SQLite's BINARY collation, which compares the UTF-8 bytes: listing order is
 * UTF-8 byte order (C178) without any work of ours.
 */
import Database from 'better-sqlite3';
import { CosError } from '@cosbox/protocol';
import type { AclSpec, BlobRef, BucketRecord, ListObjectsPage, ListObjectsQuery, MetadataStore, ObjectRecord } from './store.js';

const SCHEMA_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
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
      PRIMARY KEY (bucket, key, upload_id)
    ) WITHOUT ROWID;
  `,
};

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
  blobs: string;
}

interface BucketRow {
  name: string;
  appid: string;
  owner_uin: string;
  region: string;
  created_at: number;
  acl: string | null;
}

/** The acl member, present only when one was stored. */
function aclOf(column: string | null): { acl?: AclSpec } {
  return column ? { acl: JSON.parse(column) as AclSpec } : {};
}

function toBucket(row: BucketRow): BucketRecord {
  return { name: row.name, appid: row.appid, ownerUin: row.owner_uin, region: row.region, createdAt: row.created_at, ...aclOf(row.acl) };
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
    objectType: row.object_type === 'appendable' ? 'appendable' : 'normal',
    contentHeaders: JSON.parse(row.content_headers) as ObjectRecord['contentHeaders'],
    meta: JSON.parse(row.meta) as Record<string, string>,
    ownerUin: row.owner_uin,
    ...aclOf(row.acl),
    blobs: JSON.parse(row.blobs) as BlobRef[],
  };
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
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip the surrogate range
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

interface Queued {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface SqliteOptions {
  /** 'full' (default): every commit is fsynced. 'normal': survives a process crash, not a power cut. */
  synchronous?: 'full' | 'normal';
}

function prepareStatements(db: Database.Database) {
  return {
    insertBucket: db.prepare('INSERT INTO buckets (name, appid, owner_uin, region, created_at, acl) VALUES (?, ?, ?, ?, ?, ?)'),
    getBucket: db.prepare('SELECT * FROM buckets WHERE name = ?'),
    countBuckets: db.prepare('SELECT count(*) AS n FROM buckets WHERE owner_uin = ?'),
    listBuckets: db.prepare('SELECT * FROM buckets WHERE owner_uin = ? ORDER BY name'),
    deleteBucket: db.prepare('DELETE FROM buckets WHERE name = ?'),
    anyObject: db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1'),
    anyUpload: db.prepare('SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1'),
    getObject: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?'),
    getBlobs: db.prepare('SELECT blobs FROM objects WHERE bucket = ? AND key = ?'),
    upsertObject: db.prepare(`
      INSERT INTO objects (bucket, key, size, etag, crc64, last_modified, storage_class, object_type, content_headers, meta, owner_uin, acl, blobs)
      VALUES (@bucket, @key, @size, @etag, @crc64, @last_modified, @storage_class, @object_type, @content_headers, @meta, @owner_uin, @acl, @blobs)
      ON CONFLICT (bucket, key) DO UPDATE SET
        size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, last_modified = excluded.last_modified,
        storage_class = excluded.storage_class, object_type = excluded.object_type,
        content_headers = excluded.content_headers, meta = excluded.meta, owner_uin = excluded.owner_uin, acl = excluded.acl, blobs = excluded.blobs`),
    deleteObject: db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
    scanFrom: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key >= ? ORDER BY key'),
    scanRange: db.prepare('SELECT * FROM objects WHERE bucket = ? AND key >= ? AND key < ? ORDER BY key'),
    allBlobs: db.prepare('SELECT blobs FROM objects'),
  };
}

export class SqliteMetadataStore implements MetadataStore {
  private readonly db: Database.Database;
  private queue: Queued[] = [];
  private readonly stmt: ReturnType<typeof prepareStatements>;

  constructor(path: string, options: SqliteOptions = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.stmt = prepareStatements(this.db);
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v}`);
      })();
    }
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
      this.db.transaction(() => {
        for (const item of batch) {
          try {
            // A nested transaction is a savepoint: a failed write rolls back alone.
            outcomes.push({ ok: true, value: this.db.transaction(item.run)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void> {
    return this.write(() => {
      if (this.stmt.getBucket.get(bucket.name)) throw new CosError('BucketAlreadyExists');
      const { n } = this.stmt.countBuckets.get(bucket.ownerUin) as { n: number };
      if (n >= maxPerOwner) throw new CosError('TooManyBucket');
      this.stmt.insertBucket.run(bucket.name, bucket.appid, bucket.ownerUin, bucket.region, bucket.createdAt, bucket.acl ? JSON.stringify(bucket.acl) : null);
    });
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const row = this.stmt.getBucket.get(name) as BucketRow | undefined;
    return row && toBucket(row);
  }

  async listBuckets(ownerUin: string): Promise<BucketRecord[]> {
    return (this.stmt.listBuckets.all(ownerUin) as BucketRow[]).map(toBucket);
  }

  deleteBucket(name: string): Promise<void> {
    return this.write(() => {
      if (!this.stmt.getBucket.get(name)) throw new CosError('NoSuchBucket');
      if (this.stmt.anyObject.get(name) || this.stmt.anyUpload.get(name)) throw new CosError('BucketNotEmpty');
      this.stmt.deleteBucket.run(name);
    });
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = this.stmt.getObject.get(bucket, key) as ObjectRow | undefined;
    return row && toObject(row);
  }

  putObject(object: ObjectRecord): Promise<BlobRef[]> {
    return this.write(() => {
      if (!this.stmt.getBucket.get(object.bucket)) throw new CosError('NoSuchBucket');
      const previous = this.stmt.getBlobs.get(object.bucket, object.key) as { blobs: string } | undefined;
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
        blobs: JSON.stringify(object.blobs),
      });
      if (!previous) return [];
      const kept = new Set(object.blobs.map((b) => b.id));
      return (JSON.parse(previous.blobs) as BlobRef[]).filter((b) => !kept.has(b.id));
    });
  }

  deleteObject(bucket: string, key: string): Promise<BlobRef[]> {
    return this.write(() => {
      const previous = this.stmt.getBlobs.get(bucket, key) as { blobs: string } | undefined;
      if (!previous) return [];
      this.stmt.deleteObject.run(bucket, key);
      return JSON.parse(previous.blobs) as BlobRef[];
    });
  }

  async listObjects(q: ListObjectsQuery): Promise<ListObjectsPage> {
    const entries: ListObjectsPage['entries'] = [];
    const upper = q.prefix === '' ? undefined : prefixUpperBound(q.prefix);
    if (q.maxKeys <= 0) return { entries, isTruncated: false };
    const markerBytes = Buffer.from(q.marker);
    let from = q.marker !== '' && Buffer.compare(markerBytes, Buffer.from(q.prefix)) >= 0 ? successor(q.marker) : q.prefix;
    let last: string | undefined;

    const scan = (start: string) =>
      (upper === undefined ? this.stmt.scanFrom.iterate(q.bucket, start) : this.stmt.scanRange.iterate(q.bucket, start, upper)) as IterableIterator<ObjectRow>;

    // Each pass walks the index from `from` until the page is full or it meets a common prefix,
    // then restarts just past that prefix: the cost follows the page, not the bucket (C179).
    outer: while (true) {
      for (const row of scan(from)) {
        if (entries.length === q.maxKeys) return { entries, isTruncated: true, nextMarker: last };
        if (q.delimiter !== '') {
          const at = row.key.indexOf(q.delimiter, q.prefix.length);
          if (at >= 0) {
            const commonPrefix = row.key.slice(0, at + q.delimiter.length);
            // A prefix at or before the marker was returned on an earlier page.
            if (Buffer.compare(Buffer.from(commonPrefix), markerBytes) > 0) {
              entries.push({ commonPrefix });
              last = commonPrefix;
            }
            const next = prefixUpperBound(commonPrefix);
            if (next === undefined) break outer;
            from = next;
            continue outer;
          }
        }
        entries.push({ object: toObject(row) });
        last = row.key;
      }
      break;
    }
    return { entries, isTruncated: false };
  }

  async referencedBlobIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const row of this.stmt.allBlobs.iterate() as IterableIterator<{ blobs: string }>) {
      for (const blob of JSON.parse(row.blobs) as BlobRef[]) ids.add(blob.id);
    }
    return ids;
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    this.db.close();
  }
}
