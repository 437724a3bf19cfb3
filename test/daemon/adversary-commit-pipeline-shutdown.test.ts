/**
 * Closing a real Daemon while two group syncs are in flight (commit.ts pipelines them) and a third group waits behind
 * them: close() waits for the syncs (the log's descriptor stays open meanwhile), every message is answered 250 once
 * its syncs end, nothing hangs, and after a restart each answered run is in the store once, the counting list's state
 * is their number.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";
import { WalSync } from "../../runtime/daemon/store/wal-sync.js";
import { COUNTER, listDaemon, postTo, readStore, until } from "./helpers.js";
import { openOn, runCommit } from "./held-syncs.js";

const LIST = "pipeshut@example.org";
const commit = (n: number): RunCommit => runCommit(LIST, n);

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} hangs`)), 10_000)))]);
  } finally {
    clearTimeout(timer);
  }
}

test("daemon.close() with two syncs in flight and a group behind them: waits for them, answers all 250, loses none, hangs nothing", async () => {
  const syncs: (() => Promise<void>)[] = [];
  let file = "";
  const { dir, daemon, close } = await listDaemon({
    source: COUNTER,
    fileName: "counter.thwonk",
    addresses: [LIST],
    store: (at) => {
      file = join(at, "thwonkd.sqlite");
      const real = openSqliteStore(file);
      const store = Object.create(real) as Store;
      let holding = false;
      // Held only once the test says so (deploy and members go through untouched).
      store.sync = () => (holding ? new Promise<void>((resolve, reject) => syncs.push(() => real.sync!().then(resolve, reject))) : real.sync!());
      (store as Store & { hold: () => void }).hold = () => (holding = true);
      return store;
    },
  });
  let closed = false;
  try {
    (daemon.store as Store & { hold: () => void }).hold();
    const answers: Promise<{ code: number }>[] = [];
    answers.push(postTo(daemon, LIST, "ann@example.org", "one"));
    await until("the first group's sync", () => (syncs.length === 1 ? true : undefined));
    answers.push(postTo(daemon, LIST, "ann@example.org", "two"));
    await until("the second group's sync", () => (syncs.length === 2 ? true : undefined));
    answers.push(postTo(daemon, LIST, "ann@example.org", "three"));
    // Given time to run and reach the committer, where it waits behind the two syncs.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(syncs.length, 2, "no third transaction while two syncs run");
    const closing = daemon.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(closed, false, "close() waits for the syncs in flight");
    assert.ok(openOn(`${file}-wal`) >= 1, "the log is still open");
    await syncs[1]!();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, "close() waits for the first sync too");
    await syncs[0]!();
    await until("the third group's sync", () => (syncs.length === 3 ? true : undefined), 5000);
    await syncs[2]!();
    const codes = await within(Promise.all(answers).then((a) => a.map((x) => x.code)), "the answers");
    assert.deepEqual(codes, [250, 250, 250]);
    await within(closing, "close()");
    assert.equal(openOn(`${file}-wal`), 0, "every descriptor on the log closed");
    const subjects = readStore(dir, (db) => (db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id").all(LIST) as { actions: string }[]).map((r) => (JSON.parse(r.actions) as { subject: string }[])[0]!.subject));
    assert.deepEqual(subjects, ["1 one", "2 two", "3 three"]);
    const again = await Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 1 });
    try {
      assert.equal(((await again.store.state(LIST)).state as { count: number }).count, 3);
    } finally {
      await again.close();
    }
  } finally {
    if (!closed) await close().catch(() => undefined);
    else rmSync(dir, { recursive: true, force: true });
  }
});

test("the store closed under the committer with two real log syncs in flight: each runs on the log's own descriptor, their groups are answered, the one behind is refused unwritten, nothing hangs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-adv-pipe-shut-"));
  const file = join(dir, "thwonkd.sqlite");
  const store = openSqliteStore(file);
  // The store's log sync, with fdatasync ended by the test; each checks its descriptor still names the log when it runs.
  const held: (() => void)[] = [];
  const sync = new WalSync(file, (fd, done) => {
    held.push(() => {
      let still = false;
      try {
        still = readlinkSync(`/proc/self/fd/${fd}`) === `${file}-wal`;
      } catch {}
      done(still ? null : Object.assign(new Error("the descriptor no longer names the log"), { code: "EBADF" }));
    });
  });
  (store as unknown as { wal: WalSync }).wal = sync;
  try {
    const c = new GroupCommitter(store);
    const one = c.commit(commit(1));
    await until("the first sync", () => (held.length === 1 ? true : undefined));
    const two = c.commit(commit(2));
    await until("the second sync", () => (held.length === 2 ? true : undefined));
    // Behind the two syncs; it fails once the store closes (caught now, looked at below).
    const three = c.commit(commit(3)).then(
      () => undefined,
      (err: Error) => err,
    );
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, "close() waits for the syncs running");
    held[1]!();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, false, "and for the earlier one, still running");
    held[0]!();
    await within(closing, "close()");
    assert.deepEqual(await within(Promise.all([one, two]).then((ids) => ids.length), "the answers"), 2);
    assert.ok((await within(three, "the group behind")) instanceof Error, "the group behind the syncs is not answered 250");
    assert.equal(openOn(`${file}-wal`), 0);
    const runs = readStore(dir, (db) => (db.prepare("SELECT now FROM runs WHERE address = ? ORDER BY id").all(LIST) as { now: number }[]).map((r) => r.now));
    // The group behind is refused once close() began, not written and then answered 451 (a retry would run it twice).
    assert.deepEqual(runs, [1, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
