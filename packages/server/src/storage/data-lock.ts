/**
 * One server per data directory. Two servers on one directory would each sweep the blobs the other
 * has written but not yet committed, and lose acknowledged writes; so a server holds an exclusive
 * lock on `<data>/lock` from before it reads or sweeps anything until it stops.
 *
 * Node has no flock, but SQLite's file locks (fcntl on POSIX, LockFileEx on Windows) do what is
 * needed: a connection in `locking_mode=EXCLUSIVE` that has begun an exclusive transaction keeps
 * the file locked until it closes, and the OS drops the lock when the process dies, even by
 * SIGKILL, so a lock is never stale. The lock file is its own database, not the metadata: `cosbox
 * keys` opens the metadata of a running server on purpose and must not be locked out.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'lock';

export class DataDirectoryInUseError extends Error {
  constructor(dataDir: string) {
    super(`the data directory ${dataDir} is in use by another cosbox server (${join(dataDir, LOCK_FILE)} is locked); stop that server first`);
  }
}

export interface DataDirectoryLock {
  release(): void;
}

/** Takes the data directory's lock, or throws DataDirectoryInUseError at once (no waiting). */
export function lockDataDirectory(dataDir: string): DataDirectoryLock {
  const lock = tryLockFile(join(dataDir, LOCK_FILE));
  if (!lock) throw new DataDirectoryInUseError(dataDir);
  return lock;
}

/** An exclusive OS lock on the SQLite file at `path` (made when missing), or undefined when another process holds it. */
export function tryLockFile(path: string): DataDirectoryLock | undefined {
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // Nothing is ever written: no journal file either.
    db.pragma('journal_mode = OFF');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
