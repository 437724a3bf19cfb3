/**
 * The disk sync of SQLite's write-ahead log, off the event loop.
 *
 * With `synchronous = FULL` in WAL mode SQLite writes a commit's pages to the
 * log and then syncs the log, inside the commit: better-sqlite3 is
 * synchronous, so the daemon's one thread waits for the disk (about a
 * millisecond here) at every group commit, and no run, parse or SMTP reply
 * goes on meanwhile. The group commit instead writes with
 * `synchronous = NORMAL` (the pages reach the operating system, not yet the
 * disk) and then syncs the log file itself with `fdatasync` on one of libuv's
 * threads; only then are the group's messages answered 250. A sync of a file
 * covers every write to it, through any descriptor, so this is the sync FULL
 * would have made, and a 250 survives a power cut as well as a crash. While
 * the sync runs, the next runs go on and gather into the next group.
 *
 * The log file is the database's `-wal`; SQLite keeps it (and its inode)
 * while a connection is open, rewinding it after a checkpoint, and syncs it
 * itself before a checkpoint copies it into the database.
 */
import { close, fdatasync, openSync } from "node:fs";

export class WalSync {
  private fd: number | undefined;

  constructor(
    private readonly dbFile: string,
    /** fs.fdatasync; a test's stand-in ends the syncs in the order it chooses. */
    private readonly syncFd: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void = fdatasync,
  ) {}

  /**
   * Resolves when everything written to the log so far is on the disk; rejects when the sync fails. The callback
   * form on a plain descriptor: a FileHandle's promise costs the event loop more per call, at every group commit.
   */
  sync(): Promise<void> {
    // Refused once close() began: its descriptor is about to be closed, and its number may then name another file.
    if (this.closing) return Promise.reject(new Error("the store is closing: this commit was not synced"));
    const p = new Promise<void>((resolve, reject) => {
      try {
        // Opened at the first sync (the log exists from the store's first write on), without waiting for the disk.
        this.fd ??= openSync(`${this.dbFile}-wal`, "r");
      } catch (err) {
        return reject(err);
      }
      this.syncFd(this.fd, (err) => (err ? reject(err) : resolve()));
    });
    this.running.add(p);
    const ended = (): boolean => this.running.delete(p);
    p.then(ended, ended);
    return p;
  }

  /**
   * The syncs not ended: close() waits for every one, as the descriptor must stay open (and not reused) until they end.
   * The group commit runs two at once (commit.ts), and the later may end first.
   */
  private readonly running = new Set<Promise<void>>();

  private closing = false;

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
