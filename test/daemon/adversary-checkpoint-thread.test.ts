/**
 * The store's checkpoint thread dies inside a running daemon (a real Daemon, real SQLite, its real worker thread
 * ended as a crash would): the daemon goes on answering 250, logs it once (error), SQLite's own checkpoint comes
 * back on the event loop's connections and keeps the log bounded, and every message is stored once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, openSync, readSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import pino from "pino";
import type Database from "better-sqlite3";
import { Daemon } from "../../runtime/daemon/daemon.js";
import type { Checkpointer } from "../../runtime/daemon/store/checkpointer.js";
import { COUNTER, postTo } from "./helpers.js";

const LIST = "ckthread@example.org";

function walBehind(file: string): number {
  const fd = openSync(`${file}-shm`, "r");
  try {
    const b = Buffer.alloc(100);
    readSync(fd, b, 0, 100, 0);
    return b.readUInt32LE(16) - b.readUInt32LE(96);
  } finally {
    closeSync(fd);
  }
}

test("the checkpoint thread dies: thwonkd goes on, logs it once, SQLite's checkpoint keeps the log bounded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-ckthread-"));
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  process.env["THWONKD_TEST_CHECKPOINT_PAGES"] = "20";
  const daemon = await Daemon.open({ dataDir: dir, log: pino({ level: "info" }, sink), workers: 2 });
  delete process.env["THWONKD_TEST_CHECKPOINT_PAGES"];
  const file = join(dir, "thwonkd.sqlite");
  try {
    const r = await daemon.deploy({ source: COUNTER, fileName: "counter.thwonk", addresses: [LIST] });
    assert.ok(r.ok);
    await daemon.addMembers(LIST, [{ address: "ann@example.org", name: "Ann" }]);
    daemon.start();
    const internals = daemon.store as unknown as { checkpointer: Checkpointer; unsyncedDb: Database.Database };
    const cp = internals.checkpointer;
    let sent = 0;
    while (cp.stats.done < 3) {
      assert.equal((await postTo(daemon, LIST, "ann@example.org", `before ${sent++} 🧵`)).code, 250);
      assert.ok(sent < 5000, "the thread checkpointed");
    }
    await cp.thread!.terminate();
    await new Promise((r) => setImmediate(r));
    let peak = 0;
    for (let i = 0; i < 300; i++) {
      assert.equal((await postTo(daemon, LIST, "ann@example.org", `after ${i}`)).code, 250, "answered 250 after the thread died");
      peak = Math.max(peak, walBehind(file));
    }
    sent += 300;
    const errors = lines.filter((l) => l.level >= 50);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0]!.msg, /^TW6027 The store's checkpoint thread is not in use: its thread ended/);
    assert.equal(internals.unsyncedDb.pragma("wal_autocheckpoint", { simple: true }), 20);
    assert.ok(peak < 3 * 20 + 40, `at most ${peak} frames waited for a checkpoint`);
    const state = await daemon.state(LIST);
    assert.equal((state.state as { count: number }).count, sent, "every message run once, in order");
  } finally {
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
