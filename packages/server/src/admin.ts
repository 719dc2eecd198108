/**
 * What `cosbox keys` needs to manage accounts in a data directory, with or without a server running
 * on it (SQLite's WAL lets both write; the server reads keys on every request).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PostgresMetadataStore } from './storage/metadata/postgres.js';
import { SqliteMetadataStore } from './storage/metadata/sqlite.js';
import type { MetadataStore } from './storage/metadata/store.js';

export const METADATA_FILE = 'metadata.sqlite';

export function openMetadataStore(dataDir: string): SqliteMetadataStore {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  return new SqliteMetadataStore(join(dir, METADATA_FILE));
}

/**
 * The metadata of a data directory, or of a PostgreSQL database shared by several gateways when
 * `url` (COSBOX_METADATA_URL) is a postgres:// URL.
 */
export async function openMetadata(dataDir: string, url: string | undefined): Promise<MetadataStore> {
  if (url !== undefined && url !== '') return PostgresMetadataStore.open(url);
  return openMetadataStore(dataDir);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  // 62 letters: reject bytes past the last whole multiple so every letter is equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length)) if (b < 248 && out.length < length) out += ALPHANUMERIC[b % 62];
  }
  return out;
}

/** A fresh key pair in the shape of COS's: `AKID` + 32 characters, and a 32-character key. */
export function newAccessKey(): { secretId: string; secretKey: string } {
  return { secretId: `AKID${randomText(32)}`, secretKey: randomText(32) };
}
