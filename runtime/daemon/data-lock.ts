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
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";

export const LOCK_FILE = "thwonkd.lock";

/** How long a start waits for the lock: a racing start's moment, never a running thwonkd, which holds it for good. */
const LOCK_WAIT_MS = 1000;

export class DataInUse extends Error {
  override readonly name = "DataInUse";
}

/** The lock file is there but SQLite cannot lock it (not a database): the message names it and why. */
export class LockFileUnusable extends Error {
  override readonly name = "LockFileUnusable";
}

export interface DataLock {
  /**
   * Every LOCK_CHECK_MS, whether DIR/thwonkd.lock is still the file locked: the lock is on the file, not on its name,
   * so once it is removed or replaced (rm DIR/thwonkd.lock) the next start would take a new file at that name and run
   * beside this one. When the name is gone or names another file, the lock is taken again at it (`retaken`), or, when
   * another process holds that one already (it started in the moment between), `lost`: this thwonkd is no longer
   * alone and is to stop. A file put there that cannot be locked (`unlockable`: not a database, read-only) refuses
   * the next start as well, so this thwonkd goes on. `everyMs`: how often to look, LOCK_CHECK_MS unless a test of
   * this logic asks for less.
   */
  keep(on: { retaken(): void; lost(): void; unlockable(why: string): void }, everyMs?: number): void;
  release(): void;
}

/** How often a running thwonkd looks that its lock file is still there (a stat). */
export const LOCK_CHECK_MS = 1000;

interface Held {
  db: Database.Database;
  dev: number;
  ino: number;
}

function take(path: string, waitMs: number): Held {
  // BEGIN EXCLUSIVE takes SHARED first, then the exclusive lock. Two starts at one instant may each hold SHARED for
  // a moment: with no wait both were refused and no thwonkd ran. So the lock waits a little (LOCK_WAIT_MS) for a
  // moment's SHARED to go; and not in locking_mode EXCLUSIVE, in which the start that loses would keep its SHARED
  // until it closed and the two would wait on each other to the end. The transaction alone holds the lock.
  // SQLite opens a file it cannot write read-only, without a word, and a read-only file's lock is no lock (fcntl's
  // write lock needs the file open for writing): two thwonkd each took a read-only thwonkd.lock and ran. So the file
  // must be writable, or its folder where it is to be made (EACCES, said by main.ts as a folder it cannot use).
  accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
  // Any answer of SQLite's but busy is the file's, not the store's: written over (a PID put in it, as in a pidfile),
  // it is no database; a folder made at its name cannot be opened. A held lock would have answered busy first.
  // A full disk is the disk's (main.ts says so), not the file's.
  const unusable = (err: unknown): unknown =>
    (err as { name?: string }).name === "SqliteError" && (err as { code?: string }).code !== "SQLITE_FULL" ? new LockFileUnusable(`${path} is not thwonkd's lock file (${(err as Error).message})`) : err;
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: waitMs });
  } catch (err) {
    throw unusable(err);
  }
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === "SQLITE_BUSY") throw new DataInUse(path);
    throw unusable(err);
  }
  const st = statSync(path);
  return { db, dev: st.dev, ino: st.ino };
}

/** Takes the data folder's lock, or throws DataInUse when another process holds it. */
export function lockDataDir(dataDir: string): DataLock {
  const path = join(dataDir, LOCK_FILE);
  const held = [take(path, LOCK_WAIT_MS)];
  let timer: NodeJS.Timeout | undefined;
  return {
    keep(on, everyMs = LOCK_CHECK_MS) {
      // The file last looked at: the one locked, or one put in its place that could not be locked (looked at once).
      let seen: { dev: number; ino: number } = held[0]!;
      let said: string | undefined;
      timer = setInterval(() => {
        const now = statSync(path, { throwIfNoEntry: false });
        if (now !== undefined && now.dev === seen.dev && now.ino === seen.ino) return;
        try {
          // No wait here: the event loop is this thwonkd's. A racing start's moment of SHARED makes it `lost`.
          held.push((seen = take(path, 0)));
          on.retaken();
        } catch (err) {
          if (err instanceof DataInUse) {
            clearInterval(timer);
            return on.lost();
          }
          // A file put there that cannot be locked (no database, read-only): no start can take it either, so this
          // thwonkd goes on, still holding the file it locked first, and says so.
          if (now !== undefined) seen = now;
          // Said once for one reason: a folder removed whole is tried again each second, not logged each second.
          const why = err instanceof Error ? err.message : String(err);
          if (why !== said) on.unlockable((said = why));
        }
      }, everyMs).unref();
    },
    release() {
      clearInterval(timer);
      for (const h of held.splice(0)) {
        if (!h.db.open) continue;
        h.db.exec("ROLLBACK");
        h.db.close();
      }
    },
  };
}
