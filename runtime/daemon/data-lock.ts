/**
 * One thwonkd per data folder. Two would each run a list's rule from the state
 * they loaded, write the same outbox names and checkpoint one log: the store's
 * order and the outbox's "written once" rest on being alone. The lock is a
 * small SQLite file (DATA/thwonkd.lock) held in an exclusive transaction for
 * the daemon's life: SQLite's lock is the system's (fcntl on POSIX), which the
 * kernel lets go when the process ends however it ends, so a SIGKILL or a
 * crash never leaves a stale lock, and no other process needs to be asked.
 * The lock is a file of its own, so a reader of the store (sqlite3 on
 * thwonkd.sqlite, a backup) is not held back by it.
 */
import { join } from "node:path";
import Database from "better-sqlite3";

export const LOCK_FILE = "thwonkd.lock";

export class DataInUse extends Error {
  override readonly name = "DataInUse";
}

export interface DataLock {
  release(): void;
}

/** Takes the data folder's lock, or throws DataInUse when another process holds it. */
export function lockDataDir(dataDir: string): DataLock {
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === "SQLITE_BUSY") throw new DataInUse(join(dataDir, LOCK_FILE));
    throw err;
  }
  return {
    release() {
      if (!db.open) return;
      db.exec("ROLLBACK");
      db.close();
    },
  };
}
