/**
 * MetadataStore over PostgreSQL (node-postgres, one pool), for several gateways sharing one database.
 *
 * Every write is one transaction, and its invariants are enforced by the database, never by a lock
 * of this process, so that any number of gateways can write the same keys at once:
 * - a write to a key (object, version, upload or part of that key) first takes a transaction-scoped
 *   advisory lock on (bucket, key): conditional writes, append positions, Complete vs Abort vs
 *   Upload Part and versioning transitions of one key run one after the other, on every gateway;
 * - it then reads its bucket row FOR SHARE: DELETE Bucket (FOR UPDATE) and PUT Bucket versioning
 *   (UPDATE) wait for writes in flight and the writes that follow see the new state;
 * - a transaction that still hits a deadlock or serialization failure is retried.
 *
 * Nothing is cached across requests (buckets, keys and accounts change through other gateways).
 *
 * Keys are TEXT COLLATE "C": PostgreSQL compares them by their UTF-8 bytes, as listings need (C178).
 * PostgreSQL's TEXT cannot hold U+0000: a key or value with one is refused as InvalidArgument.
 * JSON members are stored as TEXT, exactly as the SQLite store writes them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CosError } from '@cosbox/protocol';
import type {
  AccessKeyRecord,
  AccessRecord,
  AccountRecord,
  AclSpec,
  BlobRef,
  BucketRecord,
  BucketUsage,
  CorsRule,
  DeleteMarkerRecord,
  DeleteOutcome,
  GrantRecord,
  LifecycleRule,
  ListedVersion,
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
  QueuedItem,
  Tag,
  UploadCompletion,
  UploadRecord,
  VersioningStatus,
  WriteOutcome,
} from './store.js';
import { isDeleteMarker, REPLICATION_QUEUE_KIND, REPLICATION_STATUS_META, versionIdOf } from './store.js';
import {
  blobsNotIn,
  blobsOf,
  encryptionColumn,
  prefixUpperBound,
  tagsColumn,
  toBucket,
  toObject,
  toPart,
  toUpload,
  toVersion,
  unversioned,
  versioningOfRow,
  type BucketRow,
  type ObjectRow,
  type PartRow,
  type UploadRow,
  type VersionRow,
} from './sqlite.js';

/** Schema changes by version, applied in order on open under an advisory lock (several gateways may start at once). */
export const PG_MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE buckets (
      name TEXT COLLATE "C" PRIMARY KEY,
      appid TEXT NOT NULL,
      owner_uin TEXT NOT NULL,
      region TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      acl TEXT,
      cors TEXT,
      versioning TEXT,
      lifecycle TEXT,
      tagging TEXT,
      configs TEXT
    );
    CREATE INDEX buckets_by_owner ON buckets(owner_uin, name);
    CREATE TABLE objects (
      bucket TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      size BIGINT NOT NULL,
      etag TEXT NOT NULL,
      crc64 TEXT NOT NULL,
      last_modified BIGINT NOT NULL,
      storage_class TEXT NOT NULL,
      object_type TEXT NOT NULL,
      content_headers TEXT NOT NULL,
      meta TEXT NOT NULL,
      owner_uin TEXT NOT NULL,
      acl TEXT,
      tags TEXT,
      blobs TEXT NOT NULL,
      version_id TEXT,
      restore TEXT,
      encryption TEXT,
      symlink_target TEXT,
      PRIMARY KEY (bucket, key)
    );
    CREATE TABLE uploads (
      bucket TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      upload_id TEXT COLLATE "C" NOT NULL,
      initiated BIGINT NOT NULL,
      owner_uin TEXT NOT NULL,
      initiator_uin TEXT NOT NULL,
      storage_class TEXT NOT NULL,
      content_headers TEXT NOT NULL,
      meta TEXT NOT NULL,
      acl TEXT,
      tags TEXT,
      encryption TEXT,
      PRIMARY KEY (bucket, key, upload_id)
    );
    CREATE TABLE parts (
      bucket TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      upload_id TEXT COLLATE "C" NOT NULL,
      part_number INTEGER NOT NULL,
      size BIGINT NOT NULL,
      etag TEXT NOT NULL,
      crc64 TEXT NOT NULL,
      last_modified BIGINT NOT NULL,
      blob_id TEXT NOT NULL,
      encryption TEXT,
      PRIMARY KEY (bucket, key, upload_id, part_number)
    );
    CREATE TABLE versions (
      bucket TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      seq BIGINT NOT NULL,
      version_id TEXT NOT NULL,
      delete_marker INTEGER NOT NULL,
      noncurrent_since BIGINT NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (bucket, key, seq)
    );
    CREATE UNIQUE INDEX versions_by_id ON versions(bucket, key, version_id);
    CREATE TABLE accounts (
      uin TEXT PRIMARY KEY,
      appid TEXT NOT NULL,
      root_uin TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE TABLE access_keys (
      secret_id TEXT PRIMARY KEY,
      secret_key TEXT NOT NULL,
      uin TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX access_keys_by_uin ON access_keys(uin);
    CREATE TABLE grants (
      uin TEXT NOT NULL,
      effect TEXT NOT NULL,
      action TEXT NOT NULL,
      resource TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (uin, effect, action, resource)
    );
    CREATE TABLE work_queue (
      seq BIGSERIAL PRIMARY KEY,
      kind TEXT NOT NULL,
      item TEXT NOT NULL
    );
    CREATE INDEX work_queue_by_kind ON work_queue(kind, seq);
    CREATE TABLE object_access (
      bucket TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL,
      last_access BIGINT NOT NULL,
      PRIMARY KEY (bucket, key)
    );
  `,
  // fsck --repair: what was found damaged in a version, so its reads answer 500 at once.
  2: 'ALTER TABLE objects ADD COLUMN damaged TEXT;',
};

const PG_SCHEMA_VERSION = Math.max(...Object.keys(PG_MIGRATIONS).map(Number));

/** Advisory lock (two-int form, a key space apart from the one-bigint key locks) held while migrating. */
const MIGRATION_LOCK = [0x636f73, 1] as const;

/** Rows fetched per round trip by listings (a page needs at most max-keys + 1). */
const LIST_BATCH = 1000;

/** Transactions retried after a deadlock or serialization failure, at most this many times. */
const MAX_RETRIES = 8;

type Db = pg.PoolClient | pg.Pool;

/** BIGINT and COUNT come back as numbers: every value stored is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Connections of this gateway's pool (default 10). */
  poolSize?: number;
  /** A schema to keep the tables in (created when missing), instead of the connection's search_path (tests). */
  schema?: string;
}

/** A quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL's refusal of U+0000 in TEXT, and of other invalid text: a client error, not a 500. */
function translate(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === '22021' || code === '22P05') return new CosError('InvalidArgument', 'A name or value contains a character the metadata store cannot hold (U+0000).');
  return error;
}

/** The query that fetches the rows after `after` (undefined: the first batch). */
type Fetch<R> = (after: R | undefined) => Promise<R[]>;

/** Every row a batched scan yields, fetching LIST_BATCH rows per round trip. */
async function* batches<R>(fetch: Fetch<R>): AsyncGenerator<R> {
  let after: R | undefined;
  for (;;) {
    const rows = await fetch(after);
    yield* rows;
    if (rows.length < LIST_BATCH) return;
    after = rows[rows.length - 1];
  }
}

async function* concat<T>(first: Iterable<T>, second: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* second;
}

type WalkEntry<R> = { row: R } | { commonPrefix: string };

/** Where a listing scan starts: at `from`, or (exclusive) just after it. */
interface ScanStart {
  from: string;
  exclusive: boolean;
}

/** The SQLite store's walk (see there), over async scans; every pass after the first starts inclusive. */
async function walk<R extends { key: string }>(
  scan: (start: ScanStart) => AsyncIterable<R>,
  start: ScanStart,
  q: { prefix: string; delimiter: string; marker: string; max: number },
): Promise<{ entries: WalkEntry<R>[]; isTruncated: boolean; last?: WalkEntry<R> }> {
  const entries: WalkEntry<R>[] = [];
  if (q.max <= 0) return { entries, isTruncated: false };
  const markerBytes = Buffer.from(q.marker);
  let from = start;
  outer: while (true) {
    for await (const row of scan(from)) {
      if (entries.length === q.max) return { entries, isTruncated: true, last: entries[entries.length - 1] };
      if (q.delimiter !== '') {
        const at = row.key.indexOf(q.delimiter, q.prefix.length);
        if (at >= 0) {
          const commonPrefix = row.key.slice(0, at + q.delimiter.length);
          if (Buffer.compare(Buffer.from(commonPrefix), markerBytes) > 0) entries.push({ commonPrefix });
          const next = prefixUpperBound(commonPrefix);
          if (next === undefined) break outer;
          from = { from: next, exclusive: false };
          continue outer;
        }
      }
      entries.push({ row });
    }
    break;
  }
  return { entries, isTruncated: false };
}

/** Where a listing starts: after the marker when it is at or past the prefix, else at the prefix. */
function listingStart(marker: string, prefix: string): ScanStart {
  return Buffer.compare(Buffer.from(marker), Buffer.from(prefix)) >= 0 ? { from: marker, exclusive: true } : { from: prefix, exclusive: false };
}

type VersionListRow = { key: string; current: ObjectRow } | { key: string; other: VersionRow };

/** Both tables' rows in listing order (see the SQLite store's mergeVersions). */
async function* mergeVersions(objects: AsyncIterator<ObjectRow>, others: AsyncIterator<VersionRow>): AsyncGenerator<VersionListRow> {
  try {
    let o = await objects.next();
    let v = await others.next();
    while (!o.done || !v.done) {
      if (!o.done && (v.done || Buffer.compare(Buffer.from(o.value.key), Buffer.from(v.value.key)) <= 0)) {
        yield { key: o.value.key, current: o.value };
        o = await objects.next();
      } else if (!v.done) {
        yield { key: v.value.key, other: v.value };
        v = await others.next();
      }
    }
  } finally {
    await objects.return?.();
    await others.return?.();
  }
}

const UPSERT_OBJECT = `
  INSERT INTO objects (bucket, key, size, etag, crc64, last_modified, storage_class, object_type, content_headers, meta, owner_uin, acl, tags, blobs, version_id, encryption, restore, symlink_target, damaged)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
  ON CONFLICT (bucket, key) DO UPDATE SET
    size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, last_modified = excluded.last_modified,
    storage_class = excluded.storage_class, object_type = excluded.object_type,
    content_headers = excluded.content_headers, meta = excluded.meta, owner_uin = excluded.owner_uin, acl = excluded.acl,
    tags = excluded.tags, blobs = excluded.blobs, version_id = excluded.version_id, encryption = excluded.encryption, restore = excluded.restore,
    symlink_target = excluded.symlink_target, damaged = excluded.damaged`;

/** Rows per page of fsck's walks. */
const SCAN_PAGE = 500;

const ACCOUNT_COLUMNS = 'uin, appid, root_uin AS "rootUin", created_at AS "createdAt"';
const KEY_COLUMNS = 'secret_id AS "secretId", secret_key AS "secretKey", uin, created_at AS "createdAt"';

export class PostgresMetadataStore implements MetadataStore {
  readonly shared = true;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, creates the schema when asked, and brings the tables to the current version. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresMetadataStore> {
    const schema = options.schema;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle connection the server dropped is replaced by the pool; the error must not crash us.
    pool.on('error', () => undefined);
    const store = new PostgresMetadataStore(pool);
    try {
      await store.migrate(schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private async migrate(schema: string | undefined): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
      if (schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
      const current = rows[0]?.v ?? 0;
      for (let v = current + 1; v <= PG_SCHEMA_VERSION; v++) {
        await c.query(PG_MIGRATIONS[v]);
        await c.query('INSERT INTO schema_version (version) VALUES ($1)', [v]);
      }
    });
  }

  /** Runs `run` in one transaction, retried on deadlock or serialization failure. */
  private async tx<T>(run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const value = await run(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (error as { code?: string }).code;
        if ((code === '40001' || code === '40P01') && attempt < MAX_RETRIES) continue;
        throw translate(error);
      } finally {
        client.release(broken);
      }
    }
  }

  /** One statement outside a transaction. */
  private async q<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw translate(error);
    }
  }

  /** Serializes the writes of one key across gateways until the transaction ends. */
  private async lockKey(c: Db, bucket: string, key: string): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${bucket}\n${key}`]);
  }

  /** The bucket row, locked against DELETE Bucket and versioning changes until the transaction ends. */
  private async sharedBucket(c: Db, bucket: string): Promise<BucketRow | undefined> {
    return (await c.query<BucketRow>('SELECT * FROM buckets WHERE name = $1 FOR SHARE', [bucket])).rows[0];
  }

  private async versioningOf(c: Db, bucket: string): Promise<VersioningStatus | undefined> {
    const row = await this.sharedBucket(c, bucket);
    if (!row) throw new CosError('NoSuchBucket');
    return versioningOfRow(row);
  }

  async createBucket(bucket: BucketRecord, maxPerOwner: number): Promise<void> {
    await this.tx(async (c) => {
      // One owner's creations run one at a time, so the count cannot be exceeded by a race.
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [bucket.ownerUin]);
      const [{ n }] = (await c.query<{ n: number }>('SELECT count(*) AS n FROM buckets WHERE owner_uin = $1', [bucket.ownerUin])).rows;
      const inserted = await c.query(
        'INSERT INTO buckets (name, appid, owner_uin, region, created_at, acl) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING',
        [bucket.name, bucket.appid, bucket.ownerUin, bucket.region, bucket.createdAt, bucket.acl ? JSON.stringify(bucket.acl) : null],
      );
      if (inserted.rowCount === 0) throw new CosError('BucketAlreadyExists');
      if (n >= maxPerOwner) throw new CosError('TooManyBucket');
    });
  }

  async getBucket(name: string): Promise<BucketRecord | undefined> {
    const [row] = await this.q<BucketRow>('SELECT * FROM buckets WHERE name = $1', [name]);
    return row && toBucket(row);
  }

  async listBuckets(ownerUin: string): Promise<BucketRecord[]> {
    return (await this.q<BucketRow>('SELECT * FROM buckets WHERE owner_uin = $1 ORDER BY name', [ownerUin])).map(toBucket);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM buckets WHERE name = $1 FOR UPDATE', [name])).rowCount === 0) throw new CosError('NoSuchBucket');
      for (const table of ['objects', 'versions', 'uploads']) {
        if ((await c.query(`SELECT 1 FROM ${table} WHERE bucket = $1 LIMIT 1`, [name])).rowCount! > 0) throw new CosError('BucketNotEmpty');
      }
      await c.query('DELETE FROM buckets WHERE name = $1', [name]);
    });
  }

  private async setBucketColumn(name: string, column: string, value: string | null): Promise<void> {
    const { rowCount } = await this.pool.query(`UPDATE buckets SET ${column} = $1 WHERE name = $2`, [value, name]).catch((e: unknown) => {
      throw translate(e);
    });
    if (rowCount === 0) throw new CosError('NoSuchBucket');
  }

  setBucketAcl(name: string, acl: AclSpec): Promise<void> {
    return this.setBucketColumn(name, 'acl', JSON.stringify(acl));
  }

  setBucketCors(name: string, rules: CorsRule[] | undefined): Promise<void> {
    return this.setBucketColumn(name, 'cors', rules ? JSON.stringify(rules) : null);
  }

  setBucketVersioning(name: string, status: VersioningStatus): Promise<void> {
    return this.setBucketColumn(name, 'versioning', status);
  }

  setBucketLifecycle(name: string, rules: LifecycleRule[] | undefined): Promise<void> {
    return this.setBucketColumn(name, 'lifecycle', rules && rules.length > 0 ? JSON.stringify(rules) : null);
  }

  setBucketTagging(name: string, tags: Tag[] | undefined): Promise<void> {
    return this.setBucketColumn(name, 'tagging', tagsColumn(tags));
  }

  async setBucketConfig(name: string, kind: string, value: unknown): Promise<void> {
    await this.tx(async (c) => {
      const row = (await c.query<BucketRow>('SELECT * FROM buckets WHERE name = $1 FOR UPDATE', [name])).rows[0];
      if (!row) throw new CosError('NoSuchBucket');
      const configs = row.configs ? (JSON.parse(row.configs) as Record<string, unknown>) : {};
      if (value === undefined) delete configs[kind];
      else configs[kind] = value;
      await c.query('UPDATE buckets SET configs = $1 WHERE name = $2', [Object.keys(configs).length > 0 ? JSON.stringify(configs) : null, name]);
    });
  }

  async listLifecycleBuckets(): Promise<BucketRecord[]> {
    return (await this.q<BucketRow>('SELECT * FROM buckets WHERE lifecycle IS NOT NULL ORDER BY name')).map(toBucket);
  }

  async bucketUsage(): Promise<BucketUsage[]> {
    return this.q<BucketUsage>(
      'SELECT b.name AS bucket, count(o.key) AS objects, coalesce(sum(o.size), 0)::bigint AS bytes FROM buckets b LEFT JOIN objects o ON o.bucket = b.name GROUP BY b.name ORDER BY b.name',
    );
  }

  private async currentObject(c: Db, bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = (await c.query<ObjectRow>('SELECT * FROM objects WHERE bucket = $1 AND key = $2', [bucket, key])).rows[0];
    return row && toObject(row);
  }

  private async getVersionRow(c: Db, bucket: string, key: string, versionId: string): Promise<VersionRow | undefined> {
    return (await c.query<VersionRow>('SELECT * FROM versions WHERE bucket = $1 AND key = $2 AND version_id = $3', [bucket, key, versionId])).rows[0];
  }

  private async newestVersionRow(c: Db, bucket: string, key: string): Promise<VersionRow | undefined> {
    return (await c.query<VersionRow>('SELECT * FROM versions WHERE bucket = $1 AND key = $2 ORDER BY seq DESC LIMIT 1', [bucket, key])).rows[0];
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.currentObject(this.pool, bucket, key).catch((e: unknown) => {
      throw translate(e);
    });
  }

  async getObjectVersion(bucket: string, key: string, versionId: string): Promise<ObjectVersion | undefined> {
    // One snapshot: a version turned noncurrent between two reads is still found.
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const current = await this.currentObject(c, bucket, key);
      if (current && versionIdOf(current) === versionId) return current;
      const row = await this.getVersionRow(c, bucket, key, versionId);
      return row && toVersion(row);
    });
  }

  async latestDeleteMarker(bucket: string, key: string): Promise<DeleteMarkerRecord | undefined> {
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      if (await this.currentObject(c, bucket, key)) return undefined;
      const row = await this.newestVersionRow(c, bucket, key);
      const newest = row && toVersion(row);
      return newest && isDeleteMarker(newest) ? newest : undefined;
    });
  }

  /** A fresh version id, as the SQLite store makes them (random, COS's look). */
  private newVersionId(): string {
    const digits = (BigInt(`0x${randomBytes(16).toString('hex')}`) % 10n ** 24n).toString().padStart(24, '0');
    return Buffer.from(digits).toString('base64');
  }

  private async keepVersion(c: Db, version: ObjectVersion, now: number): Promise<void> {
    const { bucket, key } = version;
    await c.query(
      `INSERT INTO versions (bucket, key, seq, version_id, delete_marker, noncurrent_since, record)
       VALUES ($1, $2, coalesce((SELECT max(seq) FROM versions WHERE bucket = $1 AND key = $2), 0) + 1, $3, $4, $5, $6)`,
      [bucket, key, versionIdOf(version), isDeleteMarker(version) ? 1 : 0, now, JSON.stringify(version)],
    );
  }

  private async dropVersion(c: Db, bucket: string, key: string, versionId: string): Promise<BlobRef[]> {
    const row = await this.getVersionRow(c, bucket, key, versionId);
    if (!row) return [];
    await c.query('DELETE FROM versions WHERE bucket = $1 AND key = $2 AND seq = $3', [bucket, key, row.seq]);
    return blobsOf(toVersion(row));
  }

  private async promoteNewest(c: Db, bucket: string, key: string): Promise<void> {
    const row = await this.newestVersionRow(c, bucket, key);
    if (!row || row.delete_marker) return;
    await c.query('DELETE FROM versions WHERE bucket = $1 AND key = $2 AND seq = $3', [bucket, key, row.seq]);
    await this.upsert(c, toVersion(row) as ObjectRecord);
  }

  private async install(c: Db, object: ObjectRecord, current: ObjectRecord | undefined, versioning: VersioningStatus | undefined): Promise<WriteOutcome> {
    const now = Date.now();
    let installed: ObjectRecord;
    const replaced: BlobRef[] = [];
    if (versioning === undefined) {
      installed = unversioned(object);
      if (current) replaced.push(...blobsNotIn(current.blobs, installed.blobs));
    } else if (versioning === 'Enabled') {
      installed = { ...object, versionId: this.newVersionId() };
      if (current) await this.keepVersion(c, current, now);
    } else {
      installed = { ...object, versionId: 'null' };
      if (current && versionIdOf(current) === 'null') replaced.push(...blobsNotIn(current.blobs, installed.blobs));
      else if (current) await this.keepVersion(c, current, now);
      replaced.push(...(await this.dropVersion(c, object.bucket, object.key, 'null')));
    }
    await this.upsert(c, installed);
    if (installed.meta[REPLICATION_STATUS_META] === 'PENDING' && installed.versionId !== undefined) {
      await c.query('INSERT INTO work_queue (kind, item) VALUES ($1, $2)', [
        REPLICATION_QUEUE_KIND,
        JSON.stringify({ bucket: installed.bucket, key: installed.key, versionId: installed.versionId }),
      ]);
    }
    return { object: installed, replaced };
  }

  private async upsert(c: Db, object: ObjectRecord): Promise<void> {
    await c.query(UPSERT_OBJECT, [
      object.bucket,
      object.key,
      object.size,
      object.etag,
      object.crc64,
      object.lastModified,
      object.storageClass,
      object.objectType,
      JSON.stringify(object.contentHeaders),
      JSON.stringify(object.meta),
      object.ownerUin,
      object.acl ? JSON.stringify(object.acl) : null,
      tagsColumn(object.tags),
      JSON.stringify(object.blobs),
      object.versionId ?? null,
      encryptionColumn(object.encryption),
      object.restore ? JSON.stringify(object.restore) : null,
      object.symlinkTarget ?? null,
      object.damaged ?? null,
    ]);
  }

  putObject(object: ObjectRecord): Promise<WriteOutcome> {
    return this.tx(async (c) => {
      await this.lockKey(c, object.bucket, object.key);
      const versioning = await this.versioningOf(c, object.bucket);
      return this.install(c, object, await this.currentObject(c, object.bucket, object.key), versioning);
    });
  }

  updateObject(bucket: string, key: string, decide: ObjectUpdate, versionId?: string): Promise<WriteOutcome> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      const versioning = await this.versioningOf(c, bucket);
      const current = await this.currentObject(c, bucket, key);
      if (versionId === undefined || (current && versionIdOf(current) === versionId)) {
        if (!current) return this.install(c, decide(undefined), undefined, versioning);
        const object = { ...decide(current), versionId: current.versionId };
        if (object.versionId === undefined) delete object.versionId;
        await this.upsert(c, object);
        return { object, replaced: blobsNotIn(current.blobs, object.blobs) };
      }
      const row = await this.getVersionRow(c, bucket, key, versionId);
      if (!row) throw new CosError('NoSuchVersion');
      const version = toVersion(row);
      if (isDeleteMarker(version)) throw new CosError('MethodNotAllowed', 'The specified version is a delete marker.');
      const object = { ...decide(version), versionId: version.versionId };
      await c.query('UPDATE versions SET record = $1 WHERE bucket = $2 AND key = $3 AND seq = $4', [JSON.stringify(object), bucket, key, row.seq]);
      return { object, replaced: blobsNotIn(version.blobs, object.blobs) };
    });
  }

  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteOutcome> {
    return this.tx(async (c): Promise<DeleteOutcome> => {
      await this.lockKey(c, bucket, key);
      const bucketRow = await this.sharedBucket(c, bucket);
      if (!bucketRow) return { blobs: [], deleteMarker: false };
      const current = await this.currentObject(c, bucket, key);
      if (versionId !== undefined) return this.deleteVersion(c, bucket, key, versionId, current);
      return this.deleteCurrent(c, bucketRow, key, current);
    });
  }

  private async deleteCurrent(c: Db, bucketRow: BucketRow, key: string, current: ObjectRecord | undefined): Promise<DeleteOutcome> {
    const bucket = bucketRow.name;
    const versioning = versioningOfRow(bucketRow);
    if (versioning === undefined) {
      if (!current) return { blobs: [], deleteMarker: false };
      await c.query('DELETE FROM objects WHERE bucket = $1 AND key = $2', [bucket, key]);
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
      else await this.keepVersion(c, current, now);
      await c.query('DELETE FROM objects WHERE bucket = $1 AND key = $2', [bucket, key]);
    }
    if (versioning === 'Suspended') blobs.push(...(await this.dropVersion(c, bucket, key, 'null')));
    await this.keepVersion(c, marker, now);
    return { blobs, versionId: marker.versionId, deleteMarker: true };
  }

  private async deleteVersion(c: Db, bucket: string, key: string, versionId: string, current: ObjectRecord | undefined): Promise<DeleteOutcome> {
    if (current && versionIdOf(current) === versionId) {
      await c.query('DELETE FROM objects WHERE bucket = $1 AND key = $2', [bucket, key]);
      await this.promoteNewest(c, bucket, key);
      return { blobs: current.blobs, versionId, deleteMarker: false };
    }
    const row = await this.getVersionRow(c, bucket, key, versionId);
    if (!row) return { blobs: [], versionId, deleteMarker: false };
    await c.query('DELETE FROM versions WHERE bucket = $1 AND key = $2 AND seq = $3', [bucket, key, row.seq]);
    if (!current) await this.promoteNewest(c, bucket, key);
    const version = toVersion(row);
    return { blobs: blobsOf(version), versionId, deleteMarker: isDeleteMarker(version) };
  }

  deleteObjectIf(bucket: string, key: string, matches: (current: ObjectRecord) => boolean): Promise<DeleteOutcome | undefined> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      const bucketRow = await this.sharedBucket(c, bucket);
      const current = await this.currentObject(c, bucket, key);
      if (!bucketRow || !current || !matches(current)) return undefined;
      return this.deleteCurrent(c, bucketRow, key, current);
    });
  }

  /** Objects of a bucket from `start` (below `upper` when given), in key order. */
  private scanObjectRows(c: Db, bucket: string, upper: string | undefined, start: ScanStart): AsyncGenerator<ObjectRow> {
    return batches<ObjectRow>(async (after) => {
      const from = after ? after.key : start.from;
      const op = after || start.exclusive ? '>' : '>=';
      const values: unknown[] = [bucket, from, LIST_BATCH];
      const bound = upper === undefined ? '' : ` AND key < $${values.push(upper)}`;
      return (await c.query<ObjectRow>(`SELECT * FROM objects WHERE bucket = $1 AND key ${op} $2${bound} ORDER BY key LIMIT $3`, values)).rows;
    });
  }

  /** Noncurrent versions and delete markers from `start`: keys in order, newest first within a key. */
  private scanVersions(c: Db, bucket: string, upper: string | undefined, start: ScanStart): AsyncGenerator<VersionRow> {
    return batches<VersionRow>(async (after) => {
      const values: unknown[] = [bucket, LIST_BATCH];
      const bound = upper === undefined ? '' : ` AND key < $${values.push(upper)}`;
      let from: string;
      if (after) {
        from = `(key > $${values.push(after.key)} OR (key = $${values.length} AND seq < $${values.push(after.seq)}))`;
      } else {
        from = `key ${start.exclusive ? '>' : '>='} $${values.push(start.from)}`;
      }
      return (await c.query<VersionRow>(`SELECT * FROM versions WHERE bucket = $1 AND ${from}${bound} ORDER BY key, seq DESC LIMIT $2`, values)).rows;
    });
  }

  /** Uploads from `start` (below `upper`), by key then upload id. */
  private scanUploads(c: Db, bucket: string, upper: string | undefined, start: ScanStart): AsyncGenerator<UploadRow> {
    return batches<UploadRow>(async (after) => {
      const values: unknown[] = [bucket, LIST_BATCH];
      const bound = upper === undefined ? '' : ` AND key < $${values.push(upper)}`;
      const from = after
        ? `(key, upload_id) > ($${values.push(after.key)}, $${values.push(after.upload_id)})`
        : `key ${start.exclusive ? '>' : '>='} $${values.push(start.from)}`;
      return (await c.query<UploadRow>(`SELECT * FROM uploads WHERE bucket = $1 AND ${from}${bound} ORDER BY key, upload_id LIMIT $2`, values)).rows;
    });
  }

  /** Runs a listing on one connection in one snapshot, so that its batches agree with each other. */
  private snapshot<T>(run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return run(c);
    });
  }

  listObjects(q: ListObjectsQuery): Promise<ListObjectsPage> {
    return this.snapshot(async (c) => {
      const upper = prefixUpperBound(q.prefix);
      const page = await walk((start) => this.scanObjectRows(c, q.bucket, upper, start), listingStart(q.marker, q.prefix), {
        prefix: q.prefix,
        delimiter: q.delimiter,
        marker: q.marker,
        max: q.maxKeys,
      });
      return {
        entries: page.entries.map((e) => ('row' in e ? { object: toObject(e.row) } : e)),
        isTruncated: page.isTruncated,
        nextMarker: page.last && ('row' in page.last ? page.last.row.key : page.last.commonPrefix),
      };
    });
  }

  listObjectVersions(q: ListVersionsQuery): Promise<ListVersionsPage> {
    return this.snapshot(async (c) => {
      const upper = prefixUpperBound(q.prefix);
      const first = listingStart(q.keyMarker, q.prefix);
      const older = q.keyMarker === '' || q.versionIdMarker === '' || !q.keyMarker.startsWith(q.prefix) ? [] : await this.olderVersions(c, q.bucket, q.keyMarker, q.versionIdMarker);
      const scan = (start: ScanStart) => {
        const rest = mergeVersions(this.scanObjectRows(c, q.bucket, upper, start), this.scanVersions(c, q.bucket, upper, start));
        return start === first ? concat(older, rest) : rest;
      };
      const page = await walk(scan, first, { prefix: q.prefix, delimiter: q.delimiter, marker: q.keyMarker, max: q.maxKeys });
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
        nextVersionIdMarker: last && 'row' in last ? ('current' in last.row ? (last.row.current.version_id ?? 'null') : last.row.other.version_id) : undefined,
      };
    });
  }

  private async olderVersions(c: Db, bucket: string, key: string, versionId: string): Promise<VersionListRow[]> {
    const current = await this.currentObject(c, bucket, key);
    let rows: VersionRow[];
    if (current && versionIdOf(current) === versionId) {
      rows = (await c.query<VersionRow>('SELECT * FROM versions WHERE bucket = $1 AND key = $2 ORDER BY seq DESC', [bucket, key])).rows;
    } else {
      const marker = await this.getVersionRow(c, bucket, key, versionId);
      rows = marker ? (await c.query<VersionRow>('SELECT * FROM versions WHERE bucket = $1 AND key = $2 AND seq < $3 ORDER BY seq DESC', [bucket, key, marker.seq])).rows : [];
    }
    return rows.map((other) => ({ key, other }));
  }

  async createUpload(upload: UploadRecord): Promise<void> {
    await this.tx(async (c) => {
      if (!(await this.sharedBucket(c, upload.bucket))) throw new CosError('NoSuchBucket');
      await c.query(
        `INSERT INTO uploads (bucket, key, upload_id, initiated, owner_uin, initiator_uin, storage_class, content_headers, meta, acl, tags, encryption)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          upload.bucket,
          upload.key,
          upload.uploadId,
          upload.initiated,
          upload.ownerUin,
          upload.initiatorUin,
          upload.storageClass,
          JSON.stringify(upload.contentHeaders),
          JSON.stringify(upload.meta),
          upload.acl ? JSON.stringify(upload.acl) : null,
          tagsColumn(upload.tags),
          encryptionColumn(upload.encryption),
        ],
      );
    });
  }

  private async uploadRow(c: Db, bucket: string, key: string, uploadId: string): Promise<UploadRow | undefined> {
    return (await c.query<UploadRow>('SELECT * FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id = $3', [bucket, key, uploadId])).rows[0];
  }

  async getUpload(bucket: string, key: string, uploadId: string): Promise<UploadRecord | undefined> {
    const row = await this.uploadRow(this.pool, bucket, key, uploadId).catch((e: unknown) => {
      throw translate(e);
    });
    return row && toUpload(row);
  }

  private async requireUpload(c: Db, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    const row = await this.uploadRow(c, bucket, key, uploadId);
    if (!row) throw new CosError('NoSuchUpload');
    return toUpload(row);
  }

  putPart(bucket: string, key: string, uploadId: string, part: PartRecord): Promise<BlobRef[]> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      await this.requireUpload(c, bucket, key, uploadId);
      const previous = (
        await c.query<{ blob_id: string; size: number }>('SELECT blob_id, size FROM parts WHERE bucket = $1 AND key = $2 AND upload_id = $3 AND part_number = $4', [
          bucket,
          key,
          uploadId,
          part.partNumber,
        ])
      ).rows[0];
      const partEncryption = part.blob.iv === undefined ? null : JSON.stringify({ iv: part.blob.iv });
      await c.query(
        `INSERT INTO parts (bucket, key, upload_id, part_number, size, etag, crc64, last_modified, blob_id, encryption)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (bucket, key, upload_id, part_number) DO UPDATE SET
           size = excluded.size, etag = excluded.etag, crc64 = excluded.crc64, last_modified = excluded.last_modified, blob_id = excluded.blob_id,
           encryption = excluded.encryption`,
        [bucket, key, uploadId, part.partNumber, part.size, part.etag, part.crc64, part.lastModified, part.blob.id, partEncryption],
      );
      return previous && previous.blob_id !== part.blob.id ? [{ id: previous.blob_id, size: previous.size }] : [];
    });
  }

  listParts(bucket: string, key: string, uploadId: string, marker: number, maxParts: number): Promise<ListPartsPage> {
    return this.snapshot(async (c) => {
      await this.requireUpload(c, bucket, key, uploadId);
      const rows = (
        await c.query<PartRow>('SELECT * FROM parts WHERE bucket = $1 AND key = $2 AND upload_id = $3 AND part_number > $4 ORDER BY part_number LIMIT $5', [
          bucket,
          key,
          uploadId,
          marker,
          maxParts + 1,
        ])
      ).rows;
      const parts = rows.slice(0, maxParts).map(toPart);
      const isTruncated = rows.length > maxParts;
      return { parts, isTruncated, nextPartNumberMarker: isTruncated ? parts[parts.length - 1]?.partNumber : undefined };
    });
  }

  listUploads(q: ListUploadsQuery): Promise<ListUploadsPage> {
    return this.snapshot(async (c) => {
      const upper = prefixUpperBound(q.prefix);
      const first = listingStart(q.keyMarker, q.prefix);
      const own =
        q.keyMarker === '' || q.uploadIdMarker === '' || !q.keyMarker.startsWith(q.prefix)
          ? []
          : (await c.query<UploadRow>('SELECT * FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id > $3 ORDER BY upload_id', [q.bucket, q.keyMarker, q.uploadIdMarker])).rows;
      const scan = (start: ScanStart) => {
        const rest = this.scanUploads(c, q.bucket, upper, start);
        return start === first ? concat(own, rest) : rest;
      };
      const page = await walk(scan, first, { prefix: q.prefix, delimiter: q.delimiter, marker: q.keyMarker, max: q.maxUploads });
      const last = page.last;
      return {
        entries: page.entries.map((e) => ('row' in e ? { upload: toUpload(e.row) } : e)),
        isTruncated: page.isTruncated,
        nextKeyMarker: last && ('row' in last ? last.row.key : last.commonPrefix),
        nextUploadIdMarker: last && 'row' in last ? last.row.upload_id : undefined,
      };
    });
  }

  private async allParts(c: Db, bucket: string, key: string, uploadId: string): Promise<PartRecord[]> {
    const rows = (await c.query<PartRow>('SELECT * FROM parts WHERE bucket = $1 AND key = $2 AND upload_id = $3 ORDER BY part_number', [bucket, key, uploadId])).rows;
    return rows.map(toPart);
  }

  private async dropUpload(c: Db, bucket: string, key: string, uploadId: string): Promise<void> {
    await c.query('DELETE FROM parts WHERE bucket = $1 AND key = $2 AND upload_id = $3', [bucket, key, uploadId]);
    await c.query('DELETE FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id = $3', [bucket, key, uploadId]);
  }

  completeUpload(bucket: string, key: string, uploadId: string, complete: UploadCompletion): Promise<{ object: ObjectRecord; unneeded: BlobRef[] }> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      const upload = await this.requireUpload(c, bucket, key, uploadId);
      const parts = await this.allParts(c, bucket, key, uploadId);
      const { object: built, used } = complete(upload, parts);
      const versioning = await this.versioningOf(c, bucket);
      const { object, replaced } = await this.install(c, built, await this.currentObject(c, bucket, key), versioning);
      await this.dropUpload(c, bucket, key, uploadId);
      const unused = parts.filter((p) => !used.has(p.partNumber)).map((p) => p.blob);
      return { object, unneeded: [...replaced, ...unused] };
    });
  }

  abortUpload(bucket: string, key: string, uploadId: string): Promise<BlobRef[]> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      await this.requireUpload(c, bucket, key, uploadId);
      const blobs = (await this.allParts(c, bucket, key, uploadId)).map((p) => p.blob);
      await this.dropUpload(c, bucket, key, uploadId);
      return blobs;
    });
  }

  async putAccount(account: AccountRecord): Promise<void> {
    await this.q(
      `INSERT INTO accounts (uin, appid, root_uin, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (uin) DO UPDATE SET appid = excluded.appid, root_uin = excluded.root_uin`,
      [account.uin, account.appid, account.rootUin, account.createdAt],
    );
  }

  async getAccount(uin: string): Promise<AccountRecord | undefined> {
    return (await this.q<AccountRecord>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE uin = $1`, [uin]))[0];
  }

  listAccounts(): Promise<AccountRecord[]> {
    return this.q<AccountRecord>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY root_uin, uin`);
  }

  async deleteAccount(uin: string): Promise<void> {
    await this.tx(async (c) => {
      const account = (await c.query<AccountRecord>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE uin = $1 FOR UPDATE`, [uin])).rows[0];
      if (!account) throw new CosError('InvalidArgument', `No account ${uin}.`);
      const [{ n }] = (await c.query<{ n: number }>('SELECT count(*) AS n FROM buckets WHERE owner_uin = $1', [uin])).rows;
      if (n > 0) throw new CosError('InvalidArgument', `Account ${uin} still owns buckets.`);
      const subUsers = account.rootUin === uin ? (await c.query<{ uin: string }>('SELECT uin FROM accounts WHERE root_uin = $1 AND uin <> root_uin', [uin])).rows : [];
      for (const u of [uin, ...subUsers.map((r) => r.uin)]) {
        await c.query('DELETE FROM access_keys WHERE uin = $1', [u]);
        await c.query('DELETE FROM grants WHERE uin = $1', [u]);
        await c.query('DELETE FROM accounts WHERE uin = $1', [u]);
      }
    });
  }

  async putGrant(grant: GrantRecord): Promise<void> {
    await this.tx(async (c) => {
      const account = (await c.query<AccountRecord>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE uin = $1 FOR SHARE`, [grant.uin])).rows[0];
      if (!account || account.rootUin === account.uin) throw new CosError('InvalidArgument', `No sub-user ${grant.uin}.`);
      await c.query(
        `INSERT INTO grants (uin, effect, action, resource, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (uin, effect, action, resource) DO NOTHING`,
        [grant.uin, grant.effect, grant.action, grant.resource, grant.createdAt],
      );
    });
  }

  async deleteGrant(grant: Omit<GrantRecord, 'createdAt'>): Promise<boolean> {
    const { rowCount } = await this.pool
      .query('DELETE FROM grants WHERE uin = $1 AND effect = $2 AND action = $3 AND resource = $4', [grant.uin, grant.effect, grant.action, grant.resource])
      .catch((e: unknown) => {
        throw translate(e);
      });
    return (rowCount ?? 0) > 0;
  }

  listGrants(uin: string): Promise<GrantRecord[]> {
    return this.q<GrantRecord>('SELECT uin, effect, action, resource, created_at AS "createdAt" FROM grants WHERE uin = $1 ORDER BY created_at, action, resource', [uin]);
  }

  async putAccessKey(key: AccessKeyRecord): Promise<void> {
    await this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM accounts WHERE uin = $1 FOR SHARE', [key.uin])).rowCount === 0) throw new CosError('InvalidArgument', `No account ${key.uin}.`);
      await c.query(
        `INSERT INTO access_keys (secret_id, secret_key, uin, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (secret_id) DO UPDATE SET secret_key = excluded.secret_key, uin = excluded.uin`,
        [key.secretId, key.secretKey, key.uin, key.createdAt],
      );
    });
  }

  async getAccessKey(secretId: string): Promise<AccessKeyRecord | undefined> {
    return (await this.q<AccessKeyRecord>(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE secret_id = $1`, [secretId]))[0];
  }

  listAccessKeys(): Promise<AccessKeyRecord[]> {
    return this.q<AccessKeyRecord>(`SELECT ${KEY_COLUMNS} FROM access_keys ORDER BY uin, secret_id`);
  }

  async deleteAccessKey(secretId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM access_keys WHERE secret_id = $1', [secretId]).catch((e: unknown) => {
      throw translate(e);
    });
    return (rowCount ?? 0) > 0;
  }

  async recordAccess(entries: readonly AccessRecord[]): Promise<void> {
    if (entries.length === 0) return;
    // Sorted, so that two gateways' batches lock the same rows in the same order (no deadlock).
    const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(`${a.bucket}\n${a.key}`), Buffer.from(`${b.bucket}\n${b.key}`)));
    await this.tx(async (c) => {
      for (const e of sorted) {
        await c.query(
          `INSERT INTO object_access (bucket, key, last_access) VALUES ($1, $2, $3)
           ON CONFLICT (bucket, key) DO UPDATE SET last_access = greatest(object_access.last_access, excluded.last_access)`,
          [e.bucket, e.key, e.time],
        );
      }
    });
  }

  async lastAccess(bucket: string, key: string): Promise<number | undefined> {
    return (await this.q<{ last_access: number }>('SELECT last_access FROM object_access WHERE bucket = $1 AND key = $2', [bucket, key]))[0]?.last_access;
  }

  async enqueue(kind: string, items: readonly unknown[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx(async (c) => {
      for (const item of items) await c.query('INSERT INTO work_queue (kind, item) VALUES ($1, $2)', [kind, JSON.stringify(item)]);
    });
  }

  async peekQueue(kind: string, limit: number): Promise<QueuedItem[]> {
    const rows = await this.q<{ seq: number; item: string }>('SELECT seq, item FROM work_queue WHERE kind = $1 ORDER BY seq LIMIT $2', [kind, limit]);
    return rows.map((row) => ({ seq: row.seq, item: JSON.parse(row.item) as unknown }));
  }

  async dequeue(kind: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.q('DELETE FROM work_queue WHERE kind = $1 AND seq = ANY($2::bigint[])', [kind, [...seqs]]);
  }

  async *scanObjects(): AsyncIterable<ObjectRecord> {
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = (await this.pool.query<ObjectRow>('SELECT * FROM objects WHERE (bucket, key) > ($1, $2) ORDER BY bucket, key LIMIT $3', [...after, SCAN_PAGE])).rows;
      for (const row of rows) yield toObject(row);
      if (rows.length < SCAN_PAGE) break;
      after = [rows[rows.length - 1].bucket, rows[rows.length - 1].key];
    }
    let afterVersion: [string, string, number] = ['', '', -1];
    for (;;) {
      const rows = (
        await this.pool.query<VersionRow>('SELECT * FROM versions WHERE delete_marker = 0 AND (bucket, key, seq) > ($1, $2, $3) ORDER BY bucket, key, seq LIMIT $4', [...afterVersion, SCAN_PAGE])
      ).rows;
      for (const row of rows) yield toVersion(row) as ObjectRecord;
      if (rows.length < SCAN_PAGE) break;
      const last = rows[rows.length - 1];
      afterVersion = [last.bucket, last.key, Number(last.seq)];
    }
  }

  async *scanParts(): AsyncIterable<{ upload: UploadRecord; part: PartRecord }> {
    let after: [string, string, string, number] = ['', '', '', -1];
    for (;;) {
      const rows = (
        await this.pool.query<PartRow & { bucket: string; key: string; upload_id: string }>(
          'SELECT * FROM parts WHERE (bucket, key, upload_id, part_number) > ($1, $2, $3, $4) ORDER BY bucket, key, upload_id, part_number LIMIT $5',
          [...after, SCAN_PAGE],
        )
      ).rows;
      for (const row of rows) {
        const upload = (await this.pool.query<UploadRow>('SELECT * FROM uploads WHERE bucket = $1 AND key = $2 AND upload_id = $3', [row.bucket, row.key, row.upload_id])).rows[0];
        if (upload) yield { upload: toUpload(upload), part: toPart(row) };
      }
      if (rows.length < SCAN_PAGE) break;
      const last = rows[rows.length - 1];
      after = [last.bucket, last.key, last.upload_id, Number(last.part_number)];
    }
  }

  markDamaged(bucket: string, key: string, versionId: string | undefined, reason: string): Promise<boolean> {
    return this.tx(async (c) => {
      await this.lockKey(c, bucket, key);
      const id = versionId ?? 'null';
      const marked = await c.query("UPDATE objects SET damaged = $1 WHERE bucket = $2 AND key = $3 AND coalesce(version_id, 'null') = $4", [reason, bucket, key, id]);
      if ((marked.rowCount ?? 0) > 0) return true;
      const row = await this.getVersionRow(c, bucket, key, id);
      if (!row) return false;
      await c.query('UPDATE versions SET record = $1 WHERE bucket = $2 AND key = $3 AND seq = $4', [JSON.stringify({ ...(toVersion(row) as ObjectRecord), damaged: reason }), bucket, key, row.seq]);
      return true;
    });
  }

  async referencedBlobIds(): Promise<Set<string>> {
    return this.snapshot(async (c) => {
      const ids = new Set<string>();
      for (const row of (await c.query<{ blobs: string }>('SELECT blobs FROM objects')).rows) {
        for (const blob of JSON.parse(row.blobs) as BlobRef[]) ids.add(blob.id);
      }
      for (const row of (await c.query<{ blob_id: string }>('SELECT blob_id FROM parts')).rows) ids.add(row.blob_id);
      for (const row of (await c.query<{ record: string }>('SELECT record FROM versions WHERE delete_marker = 0')).rows) {
        for (const blob of (JSON.parse(row.record) as ObjectRecord).blobs) ids.add(blob.id);
      }
      return ids;
    });
  }

  /** A dedicated connection of this store's database (the background-worker election holds one). */
  connectDedicated(): Promise<pg.PoolClient> {
    return this.pool.connect();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
