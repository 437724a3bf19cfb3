/**
 * The outbox's file writer, in a worker thread of its own: the daemon's event
 * loop hears back once per batch. Asynchronous calls from the main thread
 * would cost a hand-over to libuv's threads per call, each a wake-up that on
 * a busy machine costs the main thread its turn.
 *
 * A batch is one durability point. Every file is written to tmp/ first, then
 * their file system is synced once (`syncfs`, syncfs.ts; where it cannot be,
 * each file with `fdatasync`), then all are renamed into new/, then new/ is
 * synced once: a file is in new/ only once its bytes are on disk (a reader
 * never finds a short file there, even after a power cut), and the batch's
 * rows are marked done (outbox.ts) only after the sync of new/. Syncing the
 * files after all are written, rather than each after its write, lets one
 * sync write the whole batch; on this kind of disk each sync costs CPU for
 * every block it writes and a flush of the disk's cache, so that is measurable
 * (bench/daemon/outbox.js). A crash at any point leaves each file either
 * absent from new/ or whole in it, with its row not marked done: the next
 * pass looks in new/ and cur/ first and writes only those missing, under the
 * same names (chosen at commit), so none is written twice. The look is taken
 * once per catch-up (outbox.ts), at its first batch, and kept for its other
 * batches (`Look`): a reader's cur/ may hold hundreds of thousands of files,
 * and a backlog after a crash may be hundreds of batches.
 */
import { closeSync, constants, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { loadSyncFs } from "./syncfs.js";

export interface WriteFile {
  /** The file's name, in tmp/ then new/. */
  name: string;
  /** Written first, as UTF-8 (the row's envelope, outbox.ts), then `bytes`. */
  head?: string;
  bytes: Uint8Array;
}

export interface BatchRequest {
  id: number;
  dir: string;
  /**
   * A number: the catch-up the batch is part of (outbox.ts); a file already in new/ or cur/ (written before a crash,
   * in cur/ maybe with its info suffix) is skipped, as its look found it (`Look`). false: rows committed by this
   * process since it caught up, which have no file yet.
   */
  look: number | false;
  files: WriteFile[];
}

/** The catch-up is over (outbox.ts): its look is let go (its names may be many). */
type Forget = { forget: true };

/** `looks`: whether the batch listed new/ and cur/ (1: the first of its catch-up's on this thread), else 0. */
type Reply = { id: number; error?: string; looks: number };

/**
 * What a catch-up's look found: the names in new/ and cur/, a name in cur/ without its info suffix. Taken at the
 * catch-up's first batch and kept for the others, so a catch-up lists cur/ once, not once a batch.
 *
 * new/ is listed, then cur/. A reader only moves a file from new/ to cur/ (new/NAME to cur/NAME:2,FLAGS), so a file
 * in new/ when the look began is in the listing of new/ if it was still there when that listing passed it, and else
 * was in cur/ before the listing of cur/ began; moved after the look, its name was listed already. Nothing else puts
 * a pending row's file in new/ during the catch-up: this thread is new/'s one writer (one thwonkd a data folder), and
 * a row whose batch put its file there is marked done before the store is read again, unless the batch or its mark
 * failed, after which the outbox starts another catch-up (outbox.ts), whose look sees that file.
 */
export class Look {
  private dir: string | undefined;
  private catchUp: number | false = false;
  private names = new Set<string>();
  /** The listings of new/ and cur/ taken (each lists both). */
  looks = 0;

  /** Whether `name` was in new/ or cur/ when the catch-up looked; lists both at the catch-up's first call. */
  has(dir: string, catchUp: number, name: string): boolean {
    this.take(dir, catchUp);
    return this.names.has(name);
  }

  /** Lists new/ then cur/, unless this catch-up has already. */
  private take(dir: string, catchUp: number): void {
    if (this.catchUp === catchUp && this.dir === dir) return;
    this.forget();
    const names = new Set(readdirSync(join(dir, "new")));
    // A reader that takes a message moves new/NAME to cur/NAME:2,FLAGS (Maildir's info suffix): the name is what
    // comes before the colon (the names chosen at commit have none).
    for (const n of readdirSync(join(dir, "cur"))) names.add(n.split(":", 1)[0]!);
    this.names = names;
    this.dir = dir;
    this.catchUp = catchUp;
    this.looks++;
  }

  forget(): void {
    this.names = new Set();
    this.dir = undefined;
    this.catchUp = false;
  }
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;

function writeAll(fd: number, bytes: Uint8Array): void {
  // A write to a regular file may be short (a signal, a full disk): the rest is written, or the write throws.
  for (let at = 0; at < bytes.length; ) {
    const n = writeSync(fd, bytes, at, bytes.length - at);
    if (n <= 0) throw new Error("the outbox file could not be written (no byte written)");
    at += n;
  }
}

/**
 * Whether syncfs made the batch durable. It fails when any write on the file system failed since the batch's first
 * file was opened, another program's too: the batch's own files are then synced one by one, whose errors are theirs
 * alone, so a file system where something else keeps failing does not stall the outbox.
 */
function syncedOnce(syncfs: (fd: number) => void, fd: number): boolean {
  try {
    syncfs(fd);
    return true;
  } catch {
    return false;
  }
}

/**
 * `syncfs`: the files' file system synced once (syncfs.ts); without it, or when it fails, each file. `look`: what
 * the batch's catch-up found, kept from one batch to the next (the writer's thread keeps one; without it, the
 * batch's own). Exported for its tests.
 */
export function writeBatch(r: BatchRequest, syncfs: ((fd: number) => void) | undefined, look = new Look()): void {
  const open: { fd: number; tmp: string; target: string }[] = [];
  let files = r.files;
  if (r.look === false) look.forget();
  else {
    const catchUp = r.look;
    files = files.filter((f) => !look.has(r.dir, catchUp, f.name));
  }
  // The folders once a batch, each name put after them (path.join for each file normalizes the whole path again).
  const newDir = `${join(r.dir, "new")}/`;
  const tmpDir = `${join(r.dir, "tmp")}/`;
  try {
    for (const f of files) {
      const target = newDir + f.name;
      const tmp = tmpDir + f.name;
      // O_TRUNC: a file left in tmp/ by a crash is written over.
      const file = { fd: openSync(tmp, CREATE), tmp, target };
      open.push(file);
      writeAll(file.fd, f.bytes);
    }
    const synced = syncfs !== undefined && open.length > 0 && syncedOnce(syncfs, open[0]!.fd);
    if (!synced) for (const f of open) fdatasyncSync(f.fd);
  } finally {
    for (const f of open) closeSync(f.fd);
  }
  for (const f of open) renameSync(f.tmp, f.target);
  // Also when every file was skipped: one found in new/ may have been renamed there by a process that died before
  // this sync, and its row is marked done after it.
  const dir = openSync(join(r.dir, "new"), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

interface WriterData {
  outboxWriter?: boolean;
  /** false: each file synced with fdatasync, whether or not syncfs could be used. */
  syncfs?: boolean;
}

// In the writer's own thread: one batch at a time, answered with its id (and the error, if it failed).
if ((workerData as WriterData | null)?.outboxWriter && parentPort) {
  const port = parentPort;
  const syncfs = (workerData as WriterData).syncfs === false ? undefined : loadSyncFs().syncfs;
  const look = new Look();
  port.on("message", (r: BatchRequest | Forget) => {
    if ("forget" in r) return look.forget();
    const looks = look.looks;
    let error: string | undefined;
    try {
      writeBatch(r, syncfs, look);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    port.postMessage({ id: r.id, looks: look.looks - looks, ...(error === undefined ? {} : { error }) } satisfies Reply);
  });
}

/** The main thread's side: one worker, batches in order, one at a time. */
export class OutboxWriter {
  private worker: Worker | undefined;

  /** `syncfs: false`: sync each file (fdatasync) even where the file system could be synced once (syncfs.ts). */
  constructor(private readonly options: { syncfs?: boolean } = {}) {}

  /** How a batch's files are made durable: "syncfs", or "fdatasync" and why. */
  get durability(): string {
    if (this.options.syncfs === false) return "fdatasync (each file: asked so)";
    const s = loadSyncFs();
    return s.syncfs ? "syncfs (the file system once a batch)" : `fdatasync (each file: ${s.why})`;
  }
  private next = 1;
  /** The listings of new/ and cur/ the writer's thread took (one per catch-up: `Look`). */
  looks = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  /** `look`: the catch-up the batch is part of (its files looked for first), or false (BatchRequest). */
  write(dir: string, look: number | false, files: WriteFile[]): Promise<void> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      // The batch's files laid out in one buffer, each its head then its bytes, and moved to the writer's thread
      // (transferred, not cloned): the raw messages' own buffers may share Node's pool with other data.
      let total = 0;
      for (const f of files) total += (f.head ? Buffer.byteLength(f.head) : 0) + f.bytes.length;
      const moved = Buffer.from(new ArrayBuffer(total));
      let at = 0;
      const views: WriteFile[] = [];
      for (const f of files) {
        const start = at;
        // UTF-8: the return path and the recipients may be past ASCII (RFC 6531).
        if (f.head) at += moved.write(f.head, at, "utf8");
        moved.set(f.bytes, at);
        at += f.bytes.length;
        views.push({ name: f.name, bytes: new Uint8Array(moved.buffer, start, at - start) });
      }
      worker.postMessage({ id, dir, look, files: views } satisfies BatchRequest, [moved.buffer]);
    });
  }

  /** The catch-up is over: the writer's thread lets its look go. */
  forget(): void {
    this.worker?.postMessage({ forget: true } satisfies Forget);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL(import.meta.url), { workerData: { outboxWriter: true, syncfs: this.options.syncfs !== false } satisfies WriterData });
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(err);
      this.waiting.clear();
    };
    w.on("message", (m: Reply) => {
      this.looks += m.looks;
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if (m.error === undefined) p?.resolve();
      else p?.reject(new Error(m.error));
    });
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`the outbox writer exited with code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }
}
