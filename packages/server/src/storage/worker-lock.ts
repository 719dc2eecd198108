/**
 * With --workers, the primary holds the data directory's lock (data-lock.ts) and its worker
 * processes serve requests. A primary killed by SIGKILL leaves its workers running for a moment
 * (they exit when their channel to it closes), and one of them could still commit a write whose
 * blob the next server's start-up sweep had just removed. So every worker holds a shared lock on
 * `<data>/lock.workers` for its whole life, and a server takes that file's exclusive lock (waiting
 * for the last old worker to go) before it sweeps. SQLite's file locks again: the OS drops them
 * when a process dies, so none is ever stale.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataDirectoryLock } from './data-lock.js';

export const WORKERS_LOCK_FILE = 'lock.workers';

function open(dataDir: string, timeoutMs: number): Database.Database {
  const db = new Database(join(dataDir, WORKERS_LOCK_FILE), { timeout: timeoutMs });
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = OFF');
  return db;
}

/** A worker's shared lock, held until released or the process ends. */
export function holdWorkerLock(dataDir: string): DataDirectoryLock {
  const db = open(dataDir, 10_000);
  // In EXCLUSIVE locking mode the first read takes a shared lock that is never given back.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

/** Waits (up to `timeoutMs`) until no worker process of an earlier server is left; throws if one stays. */
export function waitForOldWorkers(dataDir: string, timeoutMs = 10_000): void {
  const db = open(dataDir, timeoutMs);
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`worker processes of an earlier cosbox server still use ${dataDir} (${join(dataDir, WORKERS_LOCK_FILE)} is locked); stop them first`);
    }
    throw error;
  } finally {
    db.close();
  }
}
