/**
 * The store's checkpoints on a thread of their own (store/checkpointer.ts), on real SQLite files: the event loop's
 * connections never checkpoint in their commits, the thread keeps the log bounded over 50,000 messages, a reader
 * holding a snapshot makes it retry (and the event loop try past the hard bound) without losing a commit, and a
 * dead thread is logged and replaced by SQLite's own checkpoint. The log's file stays the one whose descriptor the
 * group commit syncs (wal-sync.ts) through all of it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { Checkpointer } from "../../runtime/daemon/store/checkpointer.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";

const LIST = "ckpt@example.org";
const run = (): RunCommit["run"] => ({ trigger: "message", now: 5, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions: [] });
let seq = 0;
/** A group of `n` messages, each ~1 KB with a unique subject (and some non-ASCII). */
function group(n: number): RunCommit[] {
  return Array.from({ length: n }, () => {
    const s = `m-${seq++}`;
    return {
      address: LIST,
      message: { raw: Buffer.from(`Subject: ${s} ☕\r\n\r\n${"x".repeat(900)}\r\n`), mailFrom: "a@example.org", rcptTo: LIST, receivedAt: 1, status: "accepted", problems: [] },
      run: run(),
      state: { n: seq },
    } satisfies RunCommit;
  });
}

const internals = (store: Store) => store as unknown as { db: Database.Database; unsyncedDb: Database.Database; checkpointer: Checkpointer };

/** The log's frames and those copied into the database, from the wal-index header (as another process would see them). */
function walState(file: string): { frames: number; copied: number } {
  const fd = openSync(`${file}-shm`, "r");
  try {
    const b = Buffer.alloc(100);
    readSync(fd, b, 0, 100, 0);
    return { frames: b.readUInt32LE(16), copied: b.readUInt32LE(96) };
  } finally {
    closeSync(fd);
  }
}

function withStore(pages: number | undefined, work: (store: Store, file: string, logged: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-ckpt-"));
  const file = join(dir, "thwonkd.sqlite");
  const logged: string[] = [];
  const log = { warn: (m: string) => logged.push(`warn ${m}`), error: (m: string) => logged.push(`error ${m}`) };
  const store = openSqliteStore(file, { checkpoint: { log, ...(pages ? { pages } : {}) } });
  return work(store, file, logged).finally(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

const tick = () => new Promise((r) => setTimeout(r, 1));

test("50,000 messages: the event loop's connections never checkpoint, the thread keeps the log bounded", async () => {
  await withStore(undefined, async (store, file) => {
    const { db, unsyncedDb, checkpointer } = internals(store);
    assert.equal(unsyncedDb.pragma("wal_autocheckpoint", { simple: true }), 0);
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
    const frameBytes = (db.pragma("page_size", { simple: true }) as number) + 24;
    let ino: number | undefined;
    let maxBehind = 0;
    let maxWal = 0;
    for (let g = 0; g < 5000; g++) {
      await store.commitRuns(group(10));
      // The group commit's sync, as the committer makes it; it opens the log's descriptor at its first call.
      await store.sync!();
      ino ??= statSync(`${file}-wal`).ino;
      const w = walState(file);
      maxBehind = Math.max(maxBehind, w.frames - w.copied);
      maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
      if (g % 50 === 0) await tick(); // the thread's turn, as the event loop's idle moments give it
    }
    const s = checkpointer.stats;
    assert.equal(s.own, 0, "the event loop never checkpointed");
    assert.equal(s.fallen, undefined);
    assert.ok(s.done >= 20, `the thread checkpointed ${s.done} times`);
    // How far behind the thread falls depends on the machine's load (about 1,000 to 3,000 frames on these machines):
    // the bound that holds is the event loop's fall-back at 10 times its 1,000, which it never needed (s.own above).
    // Without the thread the log would hold every frame of the 5,000 groups (tens of thousands).
    assert.ok(maxBehind < 10 * 1000, `at most ${maxBehind} frames were waiting for a checkpoint`);
    assert.ok(maxWal <= 10 * 1000 * frameBytes, `the log's file stayed at ${maxWal} bytes`);
    assert.equal(statSync(`${file}-wal`).ino, ino, "the log's file is the one it was (its descriptor is what the commit syncs)");
    assert.equal((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n, 50_000);
    assert.equal((db.prepare("SELECT count(DISTINCT raw) AS n FROM messages").get() as { n: number }).n, 50_000);
  });
});

test("a reader holding its snapshot: the thread retries, the event loop tries past the hard bound, no commit lost, the log restarts after", async () => {
  await withStore(50, async (store, file, logged) => {
    const { checkpointer } = internals(store);
    const seq0 = seq;
    const reader = new Database(file, { readonly: true });
    try {
      await store.commitRuns(group(5));
      reader.prepare("BEGIN").run();
      const before = (reader.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n;
      let peak = 0;
      for (let g = 0; g < 400; g++) {
        await store.commitRuns(group(5));
        await store.sync!();
        peak = Math.max(peak, walState(file).frames);
        if (g % 20 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      // No checkpoint can copy a frame newer than the reader's snapshot: the log grew, the tries stopped short.
      assert.ok(peak > 10 * 50, `the log reached ${peak} frames while the reader held it`);
      const s = checkpointer.stats;
      assert.ok(s.retries >= 1, `the thread tried again ${s.retries} times`);
      assert.ok(s.own >= 1, `the event loop checkpointed ${s.own} times past the hard bound`);
      assert.ok(s.own <= Math.ceil(peak / 50), `not at every commit: ${s.own}`);
      assert.equal((reader.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n, before, "the reader's snapshot held");
      reader.prepare("COMMIT").run();
      const grown = statSync(`${file}-wal`).size;
      // The reader gone, the thread's next try completes, and the next commit restarts the log and cuts its file back.
      const end = Date.now() + 10_000;
      for (;;) {
        await store.commitRuns(group(1));
        await store.sync!();
        const w = walState(file);
        if (w.frames < 50 && statSync(`${file}-wal`).size < grown) break;
        assert.ok(Date.now() < end, `the log did not restart: ${JSON.stringify(w)}, ${checkpointer.stats.retries} retries`);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(checkpointer.stats.fallen, undefined);
      assert.deepEqual(logged, []);
      const db = internals(store).db;
      const subjects = (db.prepare("SELECT raw FROM messages").all() as { raw: Buffer }[]).map((r) => r.raw.toString().split("\r\n")[0]);
      assert.equal(subjects.length, seq - seq0, "every message committed is there");
      assert.equal(new Set(subjects).size, subjects.length, "each once");
    } finally {
      if (reader.inTransaction) reader.prepare("COMMIT").run();
      reader.close();
    }
  });
});

test("the thread dies: logged, SQLite's own checkpoint comes back, the log stays bounded, commits go on", async () => {
  await withStore(50, async (store, file, logged) => {
    const { db, unsyncedDb, checkpointer } = internals(store);
    const ino = () => statSync(`${file}-wal`).ino;
    let first: number | undefined;
    while (checkpointer.stats.done < 2) {
      await store.commitRuns(group(5));
      await store.sync!();
      first ??= ino();
      await tick();
    }
    const thread = checkpointer.thread;
    assert.ok(thread, "the thread runs");
    const count = db.prepare("SELECT count(*) AS n FROM messages");
    const n0 = (count.get() as { n: number }).n;
    await thread.terminate();
    await new Promise((r) => setImmediate(r));
    assert.match(checkpointer.stats.fallen ?? "", /thread ended/);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^error TW6027 The store's checkpoint thread is not in use: its thread ended.*SQLite's automatic checkpoint.*restart thwonkd/);
    assert.equal(unsyncedDb.pragma("wal_autocheckpoint", { simple: true }), 50);
    let peak = 0;
    for (let g = 0; g < 300; g++) {
      await store.commitRuns(group(5));
      await store.sync!();
      const w = walState(file);
      peak = Math.max(peak, w.frames - w.copied);
    }
    assert.ok(peak < 3 * 50, `at most ${peak} frames waited for a checkpoint`);
    assert.equal((count.get() as { n: number }).n, n0 + 1500);
    assert.equal(ino(), first, "the log's file is the one it was: the dead thread's connection did not remove it");
    assert.equal(logged.length, 1, "logged once");
  });
});

test("closed while the thread checkpoints (or starts, or has just finished): close ends, every commit kept", async () => {
  for (let i = 0; i < 12; i++) {
    const dir = mkdtempSync(join(tmpdir(), "thwonk-ckpt-close-"));
    const file = join(dir, "thwonkd.sqlite");
    try {
      const store = openSqliteStore(file, { checkpoint: { pages: 20 } });
      for (let g = 0; g < 20; g++) await store.commitRuns(group(100));
      await store.sync!();
      // From at once to after the thread's first checkpoint (its start takes tens of ms): the close lands at each point.
      await new Promise((r) => setTimeout(r, i * 8));
      const closed = store.close().then(() => "closed");
      const late = new Promise((r) => setTimeout(() => r("hung"), 10_000).unref());
      assert.equal(await Promise.race([closed, late]), "closed", `close #${i} ended`);
      const db = new Database(file, { readonly: true });
      assert.equal((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n, 2000);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("a checkpoint after a commit that throws does not fail the commit: the commit is answered, SQLite's checkpoint takes over, logged once", async () => {
  await withStore(undefined, async (store, _file, logged) => {
    const { unsyncedDb, checkpointer } = internals(store);
    // The event loop's own checkpoint (past the hard bound) fails, as an I/O error in it would.
    const cp = checkpointer as unknown as { hard: number; pages: number; writers: Database.Database[] };
    cp.hard = 1;
    const real = cp.writers[0]!;
    cp.writers[0] = new Proxy(real, {
      get(target, key) {
        if (key === "pragma") return (p: string, o?: object) => (p.startsWith("wal_checkpoint") ? (() => { throw new Error("disk I/O error"); })() : target.pragma(p, o as never));
        const v = Reflect.get(target, key);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const ids = await store.commitRuns(group(3));
    assert.equal(ids.length, 3, "the commit before the failed checkpoint is answered, not failed");
    await store.commitRuns(group(3));
    assert.equal(logged.filter((l) => /a checkpoint after a commit failed \(disk I\/O error\)/.test(l)).length, 1, logged.join("\n"));
    // SQLite's own checkpoint is back on the commits' connection.
    assert.equal(unsyncedDb.pragma("wal_autocheckpoint", { simple: true }), cp.pages);
    cp.writers[0] = real;
  });
});
