/**
 * SQLite's WAL checkpoints, on a thread of their own.
 *
 * In WAL mode a commit appends pages to the `-wal` log; a checkpoint copies
 * them into the database file (syncing the log before and the database after)
 * so that the next writer can start the log again from its beginning.
 * SQLite's own automatic checkpoint runs inside the commit that takes the log
 * past 1,000 pages, on the committing connection: in thwonkd that is the
 * event loop, which copies ~100 pages and waits for 2-3 disk syncs while no
 * SMTP answer, parse or commit goes on. So the store's connections run with
 * `wal_autocheckpoint = 0`, and a worker thread with a connection of its own
 * checkpoints instead.
 *
 * After each group commit the event loop reads the log's state from the
 * wal-index header in the `-shm` file (one pread of 100 bytes; the format is
 * SQLite's documented one, https://sqlite.org/walformat.html, checked by its
 * version): `mxFrame`, the frames in the log, and `nBackfill`, those already
 * copied. When the frames not yet copied reach `pages` it wakes the thread
 * (a futex, no message), which runs a PASSIVE checkpoint: one that never takes
 * the writer's lock or waits for readers, so the event loop's commits go on
 * meanwhile. Under load, though, they always do: each checkpoint ends behind
 * the commits made during it, and SQLite restarts the log only at a write that
 * begins when every frame is copied. So the thread then closes a gate (a
 * shared word) that the store's group commits and outbox marks pass through,
 * copies the few frames written during its first pass, and opens it; the next
 * commit restarts the log (SQLite writes and syncs its new 32-byte header then).
 * A commit that finds the gate closed waits for it without holding the event
 * loop (a message from the thread opens it; after 20 ms it goes ahead anyway:
 * the gate is for the log's restart, not for correctness). A checkpoint that a
 * reader's snapshot stops short (or another checkpointer holds off) is tried
 * again after 5 ms, then twice as long each time up to 1 s.
 *
 * Durability. The group commit's sync (wal-sync.ts) covers what was written to
 * the log's file before it, through any descriptor. A checkpoint overwrites
 * nothing; the log is only written over by a restart, which SQLite allows only
 * once every frame is copied and the database file synced (the checkpointing
 * connection syncs at any `synchronous` other than OFF; this one has FULL). So
 * a commit whose frames a restart overwrites before its own sync ran is in the
 * synced database file already.
 *
 * Bounds. Should the frames not yet copied pass `hardFactor` times `pages`
 * (the thread cannot keep up, or is stuck), the event loop checkpoints itself
 * (PASSIVE: it never waits for a reader), at most once per `pages` more
 * frames. No checkpoint can copy frames newer than an open reader's snapshot:
 * while one is held the log grows, and it restarts once the reader ends. The
 * log's file, grown so, is cut back to twice its usual size at its next
 * restart (`journal_size_limit`). If the thread dies, or the header cannot be
 * read, SQLite's own automatic checkpoint is switched back on and it is logged.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { parentPort, Worker, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { daemonMessages as M, say } from "../messages.js";

/** SQLite's automatic checkpoint's default, in pages. */
export const CHECKPOINT_PAGES = 1000;

/** The wal-index header's version (walformat.html, 2.2) and where its fields are. */
const WAL_INDEX_VERSION = 3007000;
const HEADER_BYTES = 48;
const MX_FRAME = 16;
const N_BACKFILL = 96;

/**
 * The shared words: the event loop asks (WANT 1), the thread answers (WANT 0); GATE is 1 while the thread's last pass
 * runs, 2 while the event loop writes; WAITING is 1 while the event loop waits for the gate; counters for tests and logs.
 */
const WANT = 0;
const CLOSE = 1;
const DONE = 2;
const RETRIES = 3;
const GATE = 4;
const WAITING = 5;
const SLOTS = 6;
/** How long the event loop's writes wait for the gate, and the thread for them to leave it. */
const GATE_WAIT_MS = 20;

export interface CheckpointLog {
  warn(msg: string): void;
  error(msg: string): void;
}

export interface CheckpointerOptions {
  /** Frames not yet copied into the database at which the thread checkpoints. */
  pages?: number;
  /** Times `pages` at which the event loop checkpoints itself. */
  hardFactor?: number;
  log?: CheckpointLog;
}

interface ThreadData {
  checkpointer: { file: string; shared: SharedArrayBuffer };
}

/**
 * The thread: waits to be asked; checkpoints, then copies behind the gate what was written meanwhile; tries again
 * while a reader holds frames back; says so, waits again.
 */
function checkpointThread(d: ThreadData["checkpointer"]): void {
  const sh = new Int32Array(d.shared);
  const db = new Database(d.file, { fileMustExist: true });
  try {
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
    const complete = (): boolean => {
      const r = passive.get() as { busy: number; log: number; checkpointed: number };
      return r.busy === 0 && r.checkpointed >= r.log;
    };
    const behindGate = (): boolean => {
      const end = Date.now() + GATE_WAIT_MS;
      while (Atomics.compareExchange(sh, GATE, 0, 1) !== 0) {
        if (Date.now() > end) return false;
        Atomics.wait(sh, GATE, 2, 1);
      }
      try {
        return complete();
      } finally {
        Atomics.store(sh, GATE, 0);
        if (Atomics.exchange(sh, WAITING, 0) === 1) parentPort?.postMessage(0);
      }
    };
    for (;;) {
      // WANT is set to 1 after CLOSE: once WANT is 0 again here, a close either shows now or wakes the wait.
      if (Atomics.load(sh, CLOSE)) return;
      Atomics.wait(sh, WANT, 0);
      if (Atomics.load(sh, CLOSE)) return;
      for (let delay = 5; !(complete() && behindGate()); delay = Math.min(delay * 2, 1000)) {
        Atomics.add(sh, RETRIES, 1);
        Atomics.wait(sh, CLOSE, 0, delay);
        if (Atomics.load(sh, CLOSE)) return;
      }
      Atomics.add(sh, DONE, 1);
      Atomics.store(sh, WANT, 0);
    }
  } finally {
    db.close();
  }
}

if ((workerData as ThreadData | null)?.checkpointer) checkpointThread((workerData as ThreadData).checkpointer);

/** The event loop's side, made by the store for its file and the connections that write to it. */
export class Checkpointer {
  private readonly pages: number;
  private readonly hard: number;
  private readonly sh = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private worker: Worker | undefined;
  private shm: number | undefined;
  private readonly header = Buffer.alloc(N_BACKFILL + 4);
  private readonly u32 = endianness() === "LE" ? (at: number) => this.header.readUInt32LE(at) : (at: number) => this.header.readUInt32BE(at);
  /** The log's frame count below which the event loop does not checkpoint again itself. */
  private nextOwn = 0;
  /** Set once SQLite's own automatic checkpoint is back on: nothing is left to do here. */
  private fallen: string | undefined;
  private closed = false;
  /** Checkpoints the event loop ran itself (past the hard bound). */
  own = 0;

  constructor(
    private readonly file: string,
    /** The connections that write: autocheckpoint off now, back on if this falls back. */
    private readonly writers: Database.Database[],
    private readonly o: CheckpointerOptions = {},
  ) {
    this.pages = Math.max(1, Math.floor(o.pages ?? CHECKPOINT_PAGES));
    this.hard = this.pages * Math.max(1, o.hardFactor ?? 10);
    const page = writers[0]!.pragma("page_size", { simple: true }) as number;
    // A log grown past twice its usual size (a reader held it) is cut back at its next restart.
    const limit = 2 * this.pages * (page + 24) + 32;
    for (const db of writers) {
      db.pragma("wal_autocheckpoint = 0");
      db.pragma(`journal_size_limit = ${limit}`);
    }
  }

  /** Counters: checkpoints the thread completed, its tries stopped short, the event loop's own; why it fell back. */
  get stats(): { done: number; retries: number; own: number; fallen: string | undefined } {
    return { done: Atomics.load(this.sh, DONE), retries: Atomics.load(this.sh, RETRIES), own: this.own, fallen: this.fallen };
  }

  /**
   * The frames written to the log and not yet copied into the database, relative to the frames the thread checkpoints
   * at (1 is `pages` behind); 0 when unknown or fallen back. Retention's sweep waits while it is high, so that its
   * writes never take the log to the bound where the event loop checkpoints itself.
   */
  get backlog(): number {
    if (this.fallen !== undefined || this.closed) return 0;
    const log = this.readLog();
    return log ? (log.frames - log.copied) / this.pages : 0;
  }

  /** Whether the thread's last pass has the gate: the store's writes then wait for opened() first. */
  get shut(): boolean {
    return Atomics.load(this.sh, GATE) === 1;
  }

  /** Until the gate opens (or GATE_WAIT_MS passed, or the thread is gone), without holding the event loop. */
  async opened(): Promise<void> {
    const end = Date.now() + GATE_WAIT_MS;
    for (;;) {
      Atomics.store(this.sh, WAITING, 1);
      const left = end - Date.now();
      if (Atomics.load(this.sh, GATE) !== 1 || left <= 0 || !this.worker) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiters.push(done);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  private readonly waiters: (() => void)[] = [];
  private held = false;

  /** Before a write on the event loop (synchronous up to leave()): takes the gate if it is open. */
  enter(): void {
    this.held = Atomics.compareExchange(this.sh, GATE, 0, 2) === 0;
  }

  leave(): void {
    if (this.held) Atomics.store(this.sh, GATE, 0);
    this.held = false;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * After a commit, on the event loop: wakes the thread when the log is due, checkpoints here past the hard bound.
   * Never throws: the commit before it is on its way to the disk, and a failure here must not fail it (its messages
   * would be answered 451 and sent again); SQLite's own checkpoint takes over instead.
   */
  afterCommit(): void {
    try {
      this.checkAfterCommit();
    } catch (err) {
      this.fallBack(`a checkpoint after a commit failed (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private checkAfterCommit(): void {
    if (this.fallen !== undefined || this.closed) return;
    const log = this.readLog();
    if (!log) return;
    const behind = log.frames - log.copied;
    if (behind >= this.pages && Atomics.load(this.sh, WANT) === 0) {
      this.start();
      if (this.fallen !== undefined) return;
      Atomics.store(this.sh, WANT, 1);
      Atomics.notify(this.sh, WANT);
    }
    if (behind >= this.hard && log.frames >= this.nextOwn) {
      this.nextOwn = log.frames + this.pages;
      this.own++;
      this.writers[0]!.pragma("wal_checkpoint(PASSIVE)");
    } else if (behind < this.hard) this.nextOwn = 0;
  }

  /** The log's frames and those copied, from the `-shm` file; undefined while a writer changes the header. */
  private readLog(): { frames: number; copied: number } | undefined {
    try {
      this.shm ??= openSync(`${this.file}-shm`, "r");
      const n = readSync(this.shm, this.header, 0, this.header.length, 0);
      if (n < this.header.length) return undefined;
    } catch (err) {
      this.fallBack(`its state could not be read (${err instanceof Error ? err.message : String(err)})`);
      return undefined;
    }
    if (this.u32(0) !== WAL_INDEX_VERSION) {
      this.fallBack(`its wal-index is of version ${this.u32(0)}, not ${WAL_INDEX_VERSION}`);
      return undefined;
    }
    // SQLite writes the header's two copies one after the other: a read between them is not used.
    if (!this.header.subarray(0, HEADER_BYTES).equals(this.header.subarray(HEADER_BYTES, 2 * HEADER_BYTES))) return undefined;
    return { frames: this.u32(MX_FRAME), copied: this.u32(N_BACKFILL) };
  }

  private start(): void {
    if (this.worker) return;
    const w = new Worker(new URL(import.meta.url), { workerData: { checkpointer: { file: this.file, shared: this.sh.buffer as SharedArrayBuffer } } satisfies ThreadData });
    w.unref();
    let why: string | undefined;
    w.on("message", () => this.wake());
    w.on("error", (err) => (why = err.message));
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = undefined;
      // A thread that ended with the gate shut cannot open it.
      if (Atomics.compareExchange(this.sh, GATE, 1, 0) === 1) this.wake();
      if (!this.closed) this.fallBack(`its thread ended (${why ?? `exit code ${code}`})`);
    });
    this.worker = w;
  }

  /** SQLite's automatic checkpoint again, in the commits on the event loop. */
  private fallBack(why: string): void {
    if (this.fallen !== undefined) return;
    this.fallen = why;
    for (const db of this.writers) if (db.open) db.pragma(`wal_autocheckpoint = ${this.pages}`);
    this.o.log?.error(say(M.checkpointsOnLoop, why));
    this.stopThread();
  }

  private stopThread(): Promise<number> | undefined {
    const w = this.worker;
    if (!w) return undefined;
    Atomics.store(this.sh, CLOSE, 1);
    Atomics.store(this.sh, WANT, 1);
    Atomics.notify(this.sh, WANT);
    Atomics.notify(this.sh, CLOSE);
    // Held (ref) until it ends: the store closes after it.
    w.ref();
    return new Promise<number>((resolve) => w.once("exit", resolve));
  }

  /** Test only: the thread, to end it as a crash would. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  /** Stops the thread (it ends a checkpoint it is in) before the store's connections close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopThread();
    this.worker = undefined;
    if (this.shm !== undefined) closeSync(this.shm);
    this.shm = undefined;
  }
}
