/**
 * The log's own sync (store/wal-sync.ts) against a real SQLite file in WAL
 * mode: a sync asked once close() has begun is refused, never run on a
 * descriptor being closed (whose number may then name another file), and
 * close() waits for the sync that was running.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { WalSync } from "../../runtime/daemon/store/wal-sync.js";
import { openOn } from "./held-syncs.js";

/** A SQLite file in WAL mode with a table, open, for `body`; removed after. */
async function withLog(body: (file: string, db: Database.Database) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-walsync-"));
  const file = join(dir, "s.sqlite");
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (x)");
    await body(file, db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a sync asked while close() runs is refused; close() waits for the running sync, then closes the log's descriptor", async () => {
  await withLog(async (file, db) => {
    const wal = new WalSync(file);
    db.prepare("INSERT INTO t VALUES (1)").run();
    await wal.sync();
    assert.equal(openOn(`${file}-wal`), 2, "SQLite's descriptor and the sync's");

    db.prepare("INSERT INTO t VALUES (2)").run();
    let running = false;
    const before = wal.sync().then(() => (running = true));
    const closed = wal.close();
    await assert.rejects(wal.sync(), /the store is closing/);
    await closed;
    assert.equal(running, true, "the sync asked before close() ended first");
    await before;
    assert.equal(openOn(`${file}-wal`), 1, "only SQLite's descriptor is left");
    await assert.rejects(wal.sync(), /the store is closing/);
  });
});

test("close() waits for every sync still running, the earlier ones too when a later one ended first", async () => {
  await withLog(async (file) => {
    // Syncs the test ends by hand, each checking that its descriptor is still the log's when it runs.
    const held: (() => void)[] = [];
    const wal = new WalSync(file, (fd, done) => {
      held.push(() => {
        const still = readlinkSync(`/proc/self/fd/${fd}`) === `${file}-wal`;
        done(still ? null : Object.assign(new Error("the descriptor no longer names the log"), { code: "EBADF" }));
      });
    });
    const first = wal.sync();
    const second = wal.sync();
    assert.equal(held.length, 2);
    held[1]!();
    await second;
    let closed = false;
    const closing = wal.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, false, "close() waits for the first sync, still running");
    assert.equal(openOn(`${file}-wal`), 2, "its descriptor is still open");
    held[0]!();
    await first;
    await closing;
    assert.equal(openOn(`${file}-wal`), 1, "then it is closed");
  });
});
