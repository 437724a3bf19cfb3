// The floor under bench/daemon/run.js's ingest target: a bare smtp-server (as bare.js) that does only the durable work
// issue 13 asks of thwonkd per message, the cheapest way known, with no rule language, store interface or checks around
// it. What it costs against bare.js bounds what thwonkd can reach on a machine. Levels, each with the ones before it:
//   store    the raw message, a run row and an outbox row with the outgoing bytes committed in one SQLite transaction
//            per group of messages (WAL, the log fdatasync'ed) before their 250s;
//   files    each outgoing message also written as a Maildir file (tmp/, fdatasync, rename into new/) by a writer
//            thread, its row marked done after;
//   sandbox  each message first run through a QuickJS function (JSON in, an action's JSON out) on a worker thread.
// Two more, each `sandbox` with thwonkd's own reading of the message (runtime/input parseEml, from dist/: build first),
// whose message JSON is then the function's input: where that reading runs is what they compare.
//   parse            read on the event loop, as thwonkd reads it (runner.ts);
//   parse-in-worker  read on the sandbox's thread: the raw message goes there.
// And two with the threads arranged otherwise, to measure what a different design of thwonkd could reach:
//   inline           `sandbox` with the function run on the event loop itself: no worker, no hand-over.
//   atomics          `sandbox`, with the hand-over through shared memory instead of MessagePort: the event loop writes each
//                    message's JSON into a ring (SharedArrayBuffer) and wakes the worker with Atomics.notify; the worker,
//                    blocked in Atomics.wait (no event loop of its own), writes the answers into a second ring, which the
//                    event loop waits for with Atomics.waitAsync. No structured clone and no message events either way.
//   pipeline         the event loop only speaks SMTP: one worker reads each message, runs the function, commits the
//                    group and syncs the log (its own SQLite connection), and posts back which messages to answer; the
//                    writer thread is that worker's. One hand-over each way a message, none between the run and its commit.
// `node bench/daemon/floor.js LEVEL` (default sandbox); data under a new folder in os.tmpdir(). First stdout line:
// {"smtp":PORT}. threads.js measures it as `NAME=bench/daemon/floor.js:LEVEL`.
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { SMTPServer } from "smtp-server";
import { baselineOptions } from "./smtp-options.js";

const LEVELS = ["store", "files", "sandbox", "parse", "parse-in-worker", "pipeline", "atomics", "inline"];
/** The `atomics` level's rings: SLOTS slots of SLOT_BYTES each, and two counters (written, read) in an Int32Array. */
const SLOTS = 256;
const SLOT_BYTES = 16 * 1024;
const WRITTEN = 0;
const READ = 1;

if (isMainThread) await serve(process.argv[2] ?? "sandbox");
else if (workerData.role === "writer") writer(workerData.dir);
else if (workerData.role === "pipeline") await pipeline(workerData.dir);
else if (workerData.role === "atomics") await atomicSandbox(workerData.rings);
else await sandbox();

/**
 * The store and the outbox of the levels from `store` up, on the thread that calls it: `queue(m)` adds a message
 * (address, from, raw, out, actions, done(err?)) to the group the next turn of this thread's event loop commits.
 */
function durable(dir, { files }) {
  const db = new Database(join(dir, "floor.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE messages (id INTEGER PRIMARY KEY, address TEXT NOT NULL, mail_from TEXT, received_at INTEGER NOT NULL, raw TEXT NOT NULL);
    CREATE TABLE runs (id INTEGER PRIMARY KEY, address TEXT NOT NULL, message_id INTEGER NOT NULL, actions TEXT NOT NULL);
    CREATE TABLE outbox (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, file TEXT NOT NULL, raw TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);`);
  const insertMessage = db.prepare("INSERT INTO messages (address, mail_from, received_at, raw) VALUES (?, ?, ?, ?)");
  const insertRun = db.prepare("INSERT INTO runs (address, message_id, actions) VALUES (?, ?, ?)");
  const insertOutbox = db.prepare("INSERT INTO outbox (run_id, file, raw) VALUES (?, ?, ?)");
  const done = db.prepare("UPDATE outbox SET done = 1 WHERE id = ?");
  const markDone = db.transaction((ids) => {
    for (const id of ids) done.run(id);
  });
  const commit = db.transaction((group) => {
    for (const m of group) {
      const message = insertMessage.run(m.address, m.from, Date.now(), m.raw).lastInsertRowid;
      const run = insertRun.run(m.address, message, m.actions).lastInsertRowid;
      m.file = `${Date.now()}.${run}.floor`;
      m.outbox = Number(insertOutbox.run(run, m.file, m.out).lastInsertRowid);
    }
  });
  const wal = openSync(join(dir, "floor.sqlite-wal"), "r");

  let writer;
  if (files) {
    mkdirSync(join(dir, "outbox", "tmp"), { recursive: true });
    mkdirSync(join(dir, "outbox", "new"), { recursive: true });
    writer = new Worker(new URL(import.meta.url), { workerData: { role: "writer", dir: join(dir, "outbox") } });
    writer.on("message", (ids) => markDone(ids));
  }

  // Group commit: the messages that are ready in one turn of the event loop share a transaction and a log sync.
  let group = [];
  function flush() {
    const g = group;
    group = [];
    try {
      commit(g);
    } catch (err) {
      for (const m of g) m.done(err);
      return;
    }
    fdatasync(wal, (err) => {
      for (const m of g) m.done(err ?? undefined);
      if (!err && writer) writer.postMessage(g.map((m) => [m.outbox, m.file, m.out]));
    });
  }
  return function queue(m) {
    if (group.length === 0) setImmediate(flush);
    group.push(m);
  };
}

async function serve(level) {
  if (!LEVELS.includes(level)) throw new Error(`floor.js LEVEL: one of ${LEVELS.join(", ")}`);
  const at = LEVELS.indexOf(level);
  const dir = mkdtempSync(join(tmpdir(), "thwonk-floor-"));
  const running = new Map();
  let nextRun = 0;
  /** Takes a received message: `m` as durable() queues it, less `actions`. */
  let take;
  if (level === "pipeline") {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: "pipeline", dir } });
    await new Promise((ready) => worker.once("message", ready));
    worker.on("message", (answers) => {
      for (const [id, err] of answers) {
        const m = running.get(id);
        running.delete(id);
        m.done(err === null ? undefined : new Error(err));
      }
    });
    take = (m) => {
      const id = nextRun++;
      running.set(id, m);
      worker.postMessage([id, m.raw, m.address, m.from]);
    };
  } else if (level === "inline") {
    const queue = durable(dir, { files: true });
    const run = await quickjsFunction();
    take = (m) => {
      m.actions = run(JSON.stringify({ from: m.from, to: m.address, text: m.raw }));
      queue(m);
    };
  } else if (level === "atomics") {
    const queue = durable(dir, { files: true });
    const rings = { requests: newRing(), answers: newRing() };
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: "atomics", rings } });
    await new Promise((ready) => worker.once("message", ready));
    const answers = ringOf(rings.answers);
    const requests = ringOf(rings.requests);
    // Waits for the answers' count to move past what was read; reads every answer there, then waits again.
    const drain = () => {
      for (let a = answers.take(); a !== undefined; a = answers.take()) {
        const id = Number(a.slice(0, a.indexOf(" ")));
        const m = running.get(id);
        running.delete(id);
        m.actions = a.slice(a.indexOf(" ") + 1);
        queue(m);
      }
      // Waits while the count is what was read: answers written since the loop above end the wait at once.
      const w = Atomics.waitAsync(answers.ctl, WRITTEN, Atomics.load(answers.ctl, READ));
      if (w.async) void w.value.then(drain);
      else setImmediate(drain);
    };
    drain();
    take = (m) => {
      const id = nextRun++;
      running.set(id, m);
      requests.put(`${id} ${JSON.stringify({ from: m.from, to: m.address, text: m.raw })}`);
    };
  } else {
    const queue = durable(dir, { files: at >= 1 });
    take = queue;
    if (at >= 2) {
      const sandboxes = new Worker(new URL(import.meta.url), { workerData: { role: "sandbox" } });
      sandboxes.on("message", (answers) => {
        for (const [id, actions] of answers) {
          const m = running.get(id);
          running.delete(id);
          m.actions = actions;
          queue(m);
        }
      });
      take = (m) => {
        const id = nextRun++;
        running.set(id, m);
        if (level === "sandbox") sandboxes.postMessage([id, JSON.stringify({ from: m.from, to: m.address, text: m.raw })]);
        else if (level === "parse-in-worker") sandboxes.postMessage([id, { raw: m.raw, to: m.address }]);
        else void readMessage(m.raw, m.address).then((input) => sandboxes.postMessage([id, input]));
      };
    }
  }

  const server = new SMTPServer(
    baselineOptions("floor", (stream, session, cb) => {
      const chunks = [];
      stream.on("data", (c) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        const address = session.envelope.rcptTo[0]?.address ?? "";
        take({ address, from: session.envelope.mailFrom?.address ?? null, raw, out: `X-Floor: 1\r\n${raw}`, actions: "[]", done: cb });
      });
    }),
  );
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ smtp: server.server.address().port }) + "\n"));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}

/** The `pipeline` level's one worker: read, run, commit and sync here; the event loop is told which to answer. */
async function pipeline(dir) {
  const run = await quickjsFunction();
  const queue = durable(dir, { files: true });
  // The answers of one group go back together, as its sync ends.
  parentPort.on("message", async ([id, raw, address, from]) => {
    const actions = run(await readMessage(raw, address));
    const m = { address, from, raw, out: `X-Floor: 1\r\n${raw}`, actions, done: (err) => answer(id, err) };
    queue(m);
  });
  let answers = [];
  function answer(id, err) {
    if (answers.length === 0) queueMicrotask(() => {
      parentPort.postMessage(answers);
      answers = [];
    });
    answers.push([id, err ? String(err) : null]);
  }
  parentPort.postMessage("ready");
}

/** Writes each batch of outgoing messages as Maildir files, durable in new/ before their ids go back. */
function writer(dir) {
  parentPort.on("message", (batch) => {
    for (const [, file, raw] of batch) {
      const fd = openSync(join(dir, "tmp", file), "w");
      writeSync(fd, raw, null, "latin1");
      fdatasyncSync(fd);
      closeSync(fd);
      renameSync(join(dir, "tmp", file), join(dir, "new", file));
    }
    const d = openSync(join(dir, "new"), "r");
    fsyncSync(d);
    closeSync(d);
    parentPort.postMessage(batch.map(([id]) => id));
  });
}

/** thwonkd's reader (dist/runtime/input: `npm run build` first), imported once, by the levels that read messages. */
let reader;

/** The function's input from thwonkd's reading of the message. */
async function readMessage(raw, to) {
  reader ??= (await import("../../dist/runtime/input/index.js")).parseEml;
  const { message } = await reader(Buffer.from(raw, "latin1"), { listAddress: to });
  return JSON.stringify({ ...message, to, text: message.text });
}

/** One QuickJS context, one function: the message's JSON in, an action's JSON out, per call. */
async function quickjsFunction() {
  const { newQuickJSWASMModuleFromVariant } = await import("quickjs-emscripten-core");
  const variant = (await import("@jitl/quickjs-wasmfile-release-sync")).default;
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const vm = qjs.newContext();
  const fn = vm.unwrapResult(
    vm.evalCode(`(function (i) { var m = JSON.parse(i); return JSON.stringify([{ send: { to: [m.to], subject: "", text: m.text.slice(0, 140) } }]); })`),
  );
  return (input) => {
    const arg = vm.newString(input);
    const out = vm.unwrapResult(vm.callFunction(fn, vm.undefined, arg));
    arg.dispose();
    const actions = vm.getString(out);
    out.dispose();
    return actions;
  };
}

/** The sandbox's thread of the levels from `sandbox` up. */
async function sandbox() {
  const run = await quickjsFunction();
  // Runs handed over together are answered together, as a pool of workers would batch them.
  let answers = [];
  parentPort.on("message", async ([id, given]) => {
    const input = typeof given === "string" ? given : await readMessage(given.raw, given.to);
    answers.push([id, run(input)]);
    if (answers.length === 1)
      setImmediate(() => {
        parentPort.postMessage(answers);
        answers = [];
      });
  });
}


function newRing() {
  return { ctl: new SharedArrayBuffer(8), data: new SharedArrayBuffer(SLOTS * SLOT_BYTES) };
}

/** One writer and one reader: put() writes a string into the next slot and wakes the reader; take() reads the next, or undefined. */
function ringOf(ring) {
  const ctl = new Int32Array(ring.ctl);
  const bytes = new Uint8Array(ring.data);
  const view = new DataView(ring.data);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    ctl,
    put(text) {
      const n = Atomics.load(ctl, WRITTEN);
      if (n - Atomics.load(ctl, READ) >= SLOTS) throw new Error("ring full");
      const at = (n % SLOTS) * SLOT_BYTES;
      const { written } = encoder.encodeInto(text, bytes.subarray(at + 4, at + SLOT_BYTES));
      if (written < text.length && Buffer.byteLength(text) > SLOT_BYTES - 4) throw new Error("message too long for a slot");
      view.setUint32(at, written);
      Atomics.store(ctl, WRITTEN, n + 1);
      Atomics.notify(ctl, WRITTEN);
    },
    take() {
      const r = Atomics.load(ctl, READ);
      if (r === Atomics.load(ctl, WRITTEN)) return undefined;
      const at = (r % SLOTS) * SLOT_BYTES;
      const text = decoder.decode(bytes.slice(at + 4, at + 4 + view.getUint32(at)));
      Atomics.store(ctl, READ, r + 1);
      return text;
    },
  };
}

/** The `atomics` level's sandbox thread: blocks in Atomics.wait for requests, runs each, answers through the other ring. */
async function atomicSandbox(rings) {
  const run = await quickjsFunction();
  const requests = ringOf(rings.requests);
  const answers = ringOf(rings.answers);
  parentPort.postMessage("ready");
  for (;;) {
    Atomics.wait(requests.ctl, WRITTEN, Atomics.load(requests.ctl, READ));
    for (let r = requests.take(); r !== undefined; r = requests.take()) {
      const space = r.indexOf(" ");
      answers.put(`${r.slice(0, space)} ${run(r.slice(space + 1))}`);
    }
  }
}
