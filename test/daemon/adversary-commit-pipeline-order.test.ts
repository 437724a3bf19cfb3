/**
 * Attacks on the pipelined group commit (commit.ts) on a real SQLite store whose disk syncs the test ends one by one
 * (each runs the real fdatasync when ended well): a group whose own transaction fails while an earlier group's sync
 * is pending, a sync failing while the next transaction waits (as at the checkpoint gate), one list's runs spread
 * over groups whose syncs end in reverse order, and the checkpoint thread restarting the log between two syncs still
 * running. No answer may come before its own sync and every earlier one ended; a list's state in the store is its
 * last run's; the log's descriptor synced is the log's file.
 */
import assert from "node:assert/strict";
import { copyFileSync, fstatSync, openSync, closeSync, readSync, rmSync, statSync } from "node:fs";
import { test } from "node:test";
import Database from "better-sqlite3";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import type { RunCommit, } from "../../runtime/daemon/store/types.js";
import { heldSyncs, runCommit, turns } from "./held-syncs.js";

const LIST = "pipeorder@example.org";
const commit = (n: number, bytes = 20): RunCommit => runCommit(LIST, n, bytes);


function storedRuns(file: string): number[] {
  const db = new Database(file);
  try {
    return (db.prepare("SELECT now FROM runs WHERE address = ? ORDER BY id").all(LIST) as { now: number }[]).map((r) => r.now);
  } finally {
    db.close();
  }
}

test("a group whose transaction fails while the sync before it runs: it alone fails at once, the one after it still waits for that sync", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const answered: string[] = [];
    const mark = (p: Promise<unknown>, n: number) => p.then(() => answered.push(`ok ${n}`), () => answered.push(`fail ${n}`));
    const one = mark(c.commit(commit(1)), 1);
    await turns();
    assert.equal(h.syncs.length, 1);
    h.failNext();
    const two = mark(c.commit(commit(2)), 2);
    await turns();
    assert.deepEqual(answered, ["fail 2"], "the failed transaction is answered at once, the group before it is not");
    assert.equal(h.syncs.length, 1, "no sync for a group that wrote nothing");
    const three = mark(c.commit(commit(3)), 3);
    await turns();
    assert.deepEqual(h.groups, [[1], [3]]);
    assert.equal(h.syncs.length, 2);
    await h.syncs[1]!.end();
    await turns();
    assert.deepEqual(answered, ["fail 2"], "group 3 waits for group 1's sync though its own ended");
    await h.syncs[0]!.end();
    await Promise.all([one, two, three]);
    assert.deepEqual(answered, ["fail 2", "ok 1", "ok 3"]);
    assert.deepEqual(c.stats, { groups: 2, runs: 2, failed: 1 });
    assert.deepEqual(storedRuns(h.file), [1, 3], "the failed run never reached the store");
  } finally {
    await h.done();
  }
});

test("a failed sync with a group committed behind it: that group fails, a run built on its state is refused (StaleCommit), nothing after is committed", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const one = c.commit(commit(1));
    await turns();
    const two = c.commit(commit(2));
    await turns();
    assert.equal(h.syncs.length, 2);
    // A run built on group 2's state, refused by its valid() once group 2 failed.
    let twoFailed = false;
    void two.catch(() => (twoFailed = true));
    const stale = c.commit(commit(3), () => !twoFailed);
    await h.syncs[0]!.end(new Error("EIO"));
    await assert.rejects(one, /disk sync of a group commit failed \(EIO\)/);
    await assert.rejects(two, /restart thwonkd/, "group 2 committed behind the failed sync fails, its own sync still pending");
    await assert.rejects(stale, { name: "StaleCommit" }, "valid() is asked when its group forms, after group 2's failure is known");
    await h.syncs[1]!.end();
    await assert.rejects(c.commit(commit(4)), /restart thwonkd/);
    assert.deepEqual(h.groups, [[1], [2]], "no transaction after the failed sync");
  } finally {
    await h.done();
  }
});

test("a sync that fails while the next group's transaction waits (as at the checkpoint gate): that group, written after, still fails", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const one = c.commit(commit(1));
    await turns();
    const open = h.holdNext();
    const two = c.commit(commit(2));
    await turns();
    assert.equal(h.syncs.length, 1, "the second group's transaction waits");
    await h.syncs[0]!.end(new Error("EIO"));
    await assert.rejects(one, /EIO/);
    let twoSettled = false;
    void two.then(
      () => (twoSettled = true),
      () => (twoSettled = true),
    );
    open();
    await turns();
    // Its transaction went through (the failure came while it waited): whatever its own sync does, it is not answered 250.
    if (h.syncs[1]) await h.syncs[1].end();
    await assert.rejects(two, /restart thwonkd/);
    assert.ok(twoSettled);
    await assert.rejects(c.commit(commit(3)), /restart thwonkd/);
    assert.deepEqual(h.groups, [[1], [2]], "nothing reaches the store after the failure is known");
  } finally {
    await h.done();
  }
});

test("one list's runs over four groups whose syncs end in reverse: answered in run order, only after the first sync, the store holds the last state", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const answered: number[] = [];
    const all: Promise<unknown>[] = [];
    // Two groups in flight (MAX_SYNCING); the rest gather behind them.
    for (let n = 1; n <= 2; n++) {
      all.push(c.commit(commit(n)).then(() => answered.push(n)));
      await turns();
    }
    for (let n = 3; n <= 6; n++) all.push(c.commit(commit(n)).then(() => answered.push(n)));
    await turns();
    assert.equal(h.syncs.length, 2);
    await h.syncs[1]!.end();
    await turns();
    assert.deepEqual(answered, []);
    assert.equal(h.groups.length, 3, "a third transaction once a sync slot is free");
    assert.equal(h.syncs.length, 3);
    await h.syncs[2]!.end();
    await turns();
    assert.deepEqual(answered, [], "groups 2 and 3 synced, group 1 not: nothing answered");
    await h.syncs[0]!.end();
    await Promise.all(all);
    assert.deepEqual(answered, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(h.groups.flat(), [1, 2, 3, 4, 5, 6], "the runs reached the store in run order");
    assert.equal(((await h.real.state(LIST)).state as { n: number }).n, 6);
  } finally {
    await h.done();
  }
});

/** The `-wal` header's checkpoint sequence number: SQLite adds one at each restart of the log. */
function walRestarts(file: string): number {
  const fd = openSync(`${file}-wal`, "r");
  try {
    const b = Buffer.alloc(16);
    readSync(fd, b, 0, 16, 0);
    return b.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

test("the checkpoint thread restarts the log between two syncs in flight: the first group is in the database file before the log is written over, answers wait for both syncs", async () => {
  const h = heldSyncs({ checkpoint: { pages: 4 } });
  const copy = `${h.file}.copy`;
  try {
    const c = new GroupCommitter(h.store);
    const answered: number[] = [];
    // A first group of many pages: the thread checkpoints it while its sync is still held.
    const first = Array.from({ length: 20 }, (_, i) => c.commit(commit(100 + i, 3000)).then(() => answered.push(100 + i)));
    await turns();
    assert.equal(h.syncs.length, 1);
    const before = walRestarts(h.file);
    const cp = (h.real as unknown as { checkpointer: { stats: { done: number } } }).checkpointer;
    const end = Date.now() + 10_000;
    while (cp.stats.done < 1) {
      assert.ok(Date.now() < end, "the checkpoint thread never completed");
      await new Promise((r) => setTimeout(r, 5));
    }
    // The second group restarts the log, writing over the first group's frames before the first group's sync ran.
    const second = c.commit(commit(200)).then(() => answered.push(200));
    await turns();
    assert.equal(h.syncs.length, 2);
    assert.ok(walRestarts(h.file) > before, `the log was not restarted between the two syncs (${before} → ${walRestarts(h.file)})`);
    // The first group's frames are gone from the log: they must be in the database file itself.
    copyFileSync(h.file, copy);
    const inFile = storedRuns(copy);
    assert.deepEqual(inFile.slice(0, 20), Array.from({ length: 20 }, (_, i) => 100 + i), "the first group's runs, in the database file alone");
    // The descriptor the syncs use names the log's file still (the restart rewinds it, never replaces it).
    const wal = (h.real as unknown as { wal: { fd: number | undefined } }).wal;
    await h.syncs[1]!.end();
    assert.ok(wal.fd !== undefined);
    assert.equal(fstatSync(wal.fd).ino, statSync(`${h.file}-wal`).ino, "the sync's descriptor is the log's file");
    await turns();
    assert.deepEqual(answered, [], "the second group's sync ended; the first's did not: no answer");
    await h.syncs[0]!.end();
    await Promise.all([...first, second]);
    assert.deepEqual(answered, [...Array.from({ length: 20 }, (_, i) => 100 + i), 200]);
    await h.real.close();
    assert.deepEqual(storedRuns(h.file), [...Array.from({ length: 20 }, (_, i) => 100 + i), 200]);
  } finally {
    rmSync(copy, { force: true });
    await h.done().catch(() => undefined);
  }
});
