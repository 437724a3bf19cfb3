/**
 * The outbox's file writer, in a worker thread of its own: a batch of
 * Maildir files is written, synced (one `fdatasync` each), renamed into
 * new/, and new/ synced, with blocking calls here, and the daemon's event
 * loop hears back once per batch. Asynchronous calls from the main thread
 * would cost a hand-over to libuv's threads per call, five per file, each a
 * wake-up that on a busy machine costs the main thread its turn.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parentPort, Worker, workerData } from "node:worker_threads";

export interface WriteFile {
  /** The file's name, in tmp/ then new/. */
  name: string;
  bytes: Uint8Array;
}

interface Request {
  id: number;
  dir: string;
  /** Look in new/ and cur/ first, and skip a file already there (written before a crash). */
  look: boolean;
  files: WriteFile[];
}

type Reply = { id: number; error?: string };

function writeBatch(r: Request): void {
  const renames: [string, string][] = [];
  for (const f of r.files) {
    const target = join(r.dir, "new", f.name);
    if (r.look && (existsSync(target) || existsSync(join(r.dir, "cur", f.name)))) continue;
    const tmp = join(r.dir, "tmp", f.name);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, f.bytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renames.push([tmp, target]);
  }
  for (const [tmp, target] of renames) renameSync(tmp, target);
  const dir = openSync(join(r.dir, "new"), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

// In the writer's own thread: one batch at a time, answered with its id (and the error, if it failed).
if ((workerData as { outboxWriter?: boolean } | null)?.outboxWriter && parentPort) {
  const port = parentPort;
  port.on("message", (r: Request) => {
    let reply: Reply = { id: r.id };
    try {
      writeBatch(r);
    } catch (err) {
      reply = { id: r.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}

/** The main thread's side: one worker, batches in order, one at a time. */
export class OutboxWriter {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  write(dir: string, look: boolean, files: WriteFile[]): Promise<void> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      // The batch's bytes moved to the writer's thread in one buffer (transferred, not cloned): the raw
      // messages' own buffers may share Node's pool with other data, so they are copied into it once here.
      let total = 0;
      for (const f of files) total += f.bytes.length;
      const moved = new ArrayBuffer(total);
      let at = 0;
      const views = files.map((f) => {
        const bytes = new Uint8Array(moved, at, f.bytes.length);
        bytes.set(f.bytes);
        at += f.bytes.length;
        return { name: f.name, bytes };
      });
      worker.postMessage({ id, dir, look, files: views } satisfies Request, [moved]);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL(import.meta.url), { workerData: { outboxWriter: true } });
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
