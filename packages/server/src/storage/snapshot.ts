/**
 * `cosbox snapshot`: a consistent copy of a data directory, taken while its server runs and without
 * disturbing it (nothing in the source is written, its lock is not taken).
 *
 * Blobs are immutable, so a hard link to one is a consistent copy of it (a copy where the target is
 * on another filesystem). The order makes the copy complete:
 *   1. link every blob in the directory now;
 *   2. take an online backup of the metadata (SQLite's backup API: one consistent state);
 *   3. link the blobs that backup names and step 1 did not see (written in between), and drop the
 *      links step 1 made that the backup does not name (blobs being written or removed then).
 * A blob the backup names can only be gone by step 3 if it was written after step 1 and removed
 * (overwritten, deleted) after step 2: then the whole snapshot is taken again.
 * The keys that make the data readable (sse.key, sts.secret) are copied too.
 */
import { chmod, copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { METADATA_FILE } from '../admin.js';
import { NotADataDirectoryError } from './fsck.js';
import { SqliteMetadataStore } from './metadata/sqlite.js';

/** Files beside the metadata that the copy needs (without them, encrypted objects and temporary keys are lost). */
const KEY_FILES = ['sse.key', 'sts.secret'];
const ATTEMPTS = 3;
const HEX = '0123456789abcdef';

export interface SnapshotReport {
  blobs: number;
  bytes: number;
  /** Hard links where the filesystem allowed them, else copies. */
  linked: number;
  copied: number;
  attempts: number;
}

export class SnapshotError extends Error {}

/** Snapshots `dataDir` into `outDir`, which must not exist or be empty. */
export async function snapshot(dataDir: string, outDir: string): Promise<SnapshotReport> {
  const from = resolve(dataDir);
  const to = resolve(outDir);
  if (!existsSync(join(from, METADATA_FILE))) throw new NotADataDirectoryError(from);
  if (from === to) throw new SnapshotError('the snapshot must go to another directory');
  if (existsSync(to) && (await readdir(to)).length > 0) throw new SnapshotError(`${to} is not empty: a snapshot goes into a new directory`);
  let lastMissing = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await rm(to, { recursive: true, force: true });
    const result = await attemptSnapshot(from, to);
    if (typeof result !== 'string') return { ...result, attempts: attempt };
    lastMissing = result;
  }
  await rm(to, { recursive: true, force: true });
  throw new SnapshotError(
    `blob ${lastMissing} was removed while the snapshot was taken, ${ATTEMPTS} times in a row (the server overwrites or deletes objects faster than the metadata can be copied); try again when it is quieter`,
  );
}

/** One attempt; resolves with the id of a blob that vanished under it, if one did. */
async function attemptSnapshot(from: string, to: string): Promise<Omit<SnapshotReport, 'attempts'> | string> {
  await mkdir(join(to, 'tmp'), { recursive: true });
  for (const a of HEX) for (const b of HEX) await mkdir(join(to, 'blobs', a + b), { recursive: true });
  const pathIn = (root: string, id: string) => join(root, 'blobs', id.slice(0, 2), id);
  const report = { blobs: 0, bytes: 0, linked: 0, copied: 0 };
  const copied = new Set<string>();

  const put = async (id: string): Promise<boolean> => {
    try {
      await link(pathIn(from, id), pathIn(to, id));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code === 'EEXIST') return true;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
      try {
        await copyFile(pathIn(from, id), pathIn(to, id));
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw copyError;
      }
      copied.add(id);
    }
    return true;
  };

  // 1. Every blob there is now.
  const early = new Set<string>();
  for (const sub of await readdir(join(from, 'blobs')).catch(() => [] as string[])) {
    for (const id of await readdir(join(from, 'blobs', sub)).catch(() => [] as string[])) {
      if (await put(id)) early.add(id);
    }
  }

  // 2. The metadata as of one instant (read-only on the source).
  const source = new Database(join(from, METADATA_FILE), { readonly: true, fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // All remaining pages in one step after the first: a write by the server between steps restarts the copy.
    await source.backup(join(to, METADATA_FILE), { progress: () => 1 << 30 });
  } finally {
    source.close();
  }
  const copy = new SqliteMetadataStore(join(to, METADATA_FILE), { synchronous: 'normal' });
  let referenced: Set<string>;
  try {
    referenced = await copy.referencedBlobIds();
  } finally {
    await copy.close();
  }

  // 3. What the backup names and step 1 missed; what step 1 took that the backup does not name.
  for (const id of referenced) {
    if (early.has(id)) continue;
    if (!(await put(id))) return id;
  }
  for (const id of early) if (!referenced.has(id)) await rm(pathIn(to, id), { force: true });
  for (const id of referenced) report.bytes += (await stat(pathIn(to, id))).size;
  report.blobs = referenced.size;
  report.copied = [...referenced].filter((id) => copied.has(id)).length;
  report.linked = report.blobs - report.copied;
  for (const name of KEY_FILES) {
    try {
      await copyFile(join(from, name), join(to, name));
      await chmod(join(to, name), 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return report;
}
