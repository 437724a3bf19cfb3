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
 * same names (chosen at commit), so none is written twice.
 */
import { closeSync, constants, existsSync, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { loadSyncFs } from "./syncfs.js";

export interface WriteFile {
  /** The file's name, in tmp/ then new/. */
  name: string;
  /** Written first, as latin1 (the row's envelope, outbox.ts), then `bytes`. */
  head?: string;
  bytes: Uint8Array;
}

export interface BatchRequest {
  id: number;
  dir: string;
  /** Look in new/ and cur/ first, and skip a file already there (written before a crash), in cur/ maybe with its info suffix. */
  look: boolean;
  files: WriteFile[];
}

type Reply = { id: number; error?: string };

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

/** `syncfs`: the files' file system synced once (syncfs.ts); without it, or when it fails, each file. Exported for its tests. */
export function writeBatch(r: BatchRequest, syncfs: ((fd: number) => void) | undefined): void {
  const open: { fd: number; tmp: string; target: string }[] = [];
  let files = r.files;
  if (r.look) {
    files = files.filter((f) => !existsSync(join(r.dir, "new", f.name)));
    // A reader that takes a message moves new/NAME to cur/NAME:2,FLAGS (Maildir's info suffix): the name is what comes
    // before the colon (the names chosen at commit have none). Listed after the look in new/, so that a file moved
    // meanwhile is found in one or the other.
    const cur = files.length ? new Set(readdirSync(join(r.dir, "cur")).map((n) => n.split(":", 1)[0])) : undefined;
    files = files.filter((f) => !cur?.has(f.name));
  }
  try {
    for (const f of files) {
      const target = join(r.dir, "new", f.name);
      const tmp = join(r.dir, "tmp", f.name);
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
  port.on("message", (r: BatchRequest) => {
    let reply: Reply = { id: r.id };
    try {
      writeBatch(r, syncfs);
    } catch (err) {
      reply = { id: r.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
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
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  write(dir: string, look: boolean, files: WriteFile[]): Promise<void> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      // The batch's files laid out in one buffer, each its head then its bytes, and moved to the writer's thread
      // (transferred, not cloned): the raw messages' own buffers may share Node's pool with other data.
      let total = 0;
      for (const f of files) total += (f.head?.length ?? 0) + f.bytes.length;
      const moved = Buffer.from(new ArrayBuffer(total));
      let at = 0;
      const views: WriteFile[] = [];
      for (const f of files) {
        const start = at;
        if (f.head) at += moved.write(f.head, at, "latin1");
        moved.set(f.bytes, at);
        at += f.bytes.length;
        views.push({ name: f.name, bytes: new Uint8Array(moved.buffer, start, at - start) });
      }
      worker.postMessage({ id, dir, look, files: views } satisfies BatchRequest, [moved.buffer]);
    });
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
