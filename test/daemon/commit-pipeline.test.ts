/**
 * The group commit's next transaction does not wait for the disk sync of the group before it (commit.ts), on a real
 * SQLite store whose syncs the test ends one by one: the next group is in the store while the sync before it runs,
 * at most MAX_SYNCING syncs run at once (the runs behind them gather into one group), no group is answered before its
 * own sync and every earlier one ended, answers come in commit order whatever order the syncs end in, and a failed
 * sync fails the groups committed behind it as well as every later one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GroupCommitter, MAX_SYNCING } from "../../runtime/daemon/commit.js";
import type { RunCommit, } from "../../runtime/daemon/store/types.js";
import { heldSyncs, runCommit, turns } from "./held-syncs.js";

const LIST = "pipeline@example.org";
const commit = (n: number): RunCommit => runCommit(LIST, n);


test("the next group commits while the sync before it runs, and is answered after it", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const answered: number[] = [];
    const one = c.commit(commit(1)).then(() => answered.push(1));
    await turns();
    assert.deepEqual(h.groups.map((g) => g.length), [1]);
    assert.equal(h.syncs.length, 1);
    const two = c.commit(commit(2)).then(() => answered.push(2));
    await turns();
    assert.deepEqual(h.groups.map((g) => g.length), [1, 1], "the second group is in the store while the first one's sync runs");
    assert.equal(h.syncs.length, 2);
    // Its own sync ends first: it still waits for the first group's.
    await h.syncs[1]!.end();
    await turns();
    assert.deepEqual(answered, [], "no group is answered before every earlier group's sync ended");
    await h.syncs[0]!.end();
    await Promise.all([one, two]);
    assert.deepEqual(answered, [1, 2], "answered in the order they were committed");
  } finally {
    await h.done();
  }
});

test(`at most ${MAX_SYNCING} syncs at once: the runs behind them gather into one group`, async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const all: Promise<unknown>[] = [];
    for (let g = 0; g < MAX_SYNCING; g++) {
      all.push(c.commit(commit(g)));
      await turns();
    }
    assert.equal(h.syncs.length, MAX_SYNCING);
    for (let n = 100; n < 110; n++) all.push(c.commit(commit(n)));
    await turns();
    assert.equal(h.groups.length, MAX_SYNCING, "no transaction while the syncs are all under way");
    await h.syncs[0]!.end();
    await turns();
    assert.deepEqual(h.groups.slice(MAX_SYNCING).map((g) => g.length), [10], "the ten runs that waited, in one group");
    for (let i = 1; i < h.syncs.length; i++) await h.syncs[i]!.end();
    await Promise.all(all);
    assert.equal(c.stats.runs, MAX_SYNCING + 10);
    assert.deepEqual(((await h.store.state(LIST)).state as { n: number }).n, 109, "the last run's state is the stored one");
  } finally {
    await h.done();
  }
});

test("a failed sync fails the group committed behind it, even when that group's own sync ended well, and every later one", async () => {
  const h = heldSyncs();
  try {
    const c = new GroupCommitter(h.store);
    const one = c.commit(commit(1));
    await turns();
    const two = c.commit(commit(2));
    await turns();
    assert.equal(h.syncs.length, 2);
    await h.syncs[1]!.end();
    await h.syncs[0]!.end(new Error("EIO: the disk failed"));
    await assert.rejects(one, /the disk sync of a group commit failed \(EIO: the disk failed\); restart thwonkd/);
    await assert.rejects(two, /the disk sync of a group commit failed/, "its runs may stand on the failed group's state");
    await assert.rejects(c.commit(commit(3)), /restart thwonkd/);
    assert.deepEqual(h.groups.map((g) => g.length), [1, 1], "nothing reaches the store after the failure is known");
    assert.deepEqual(c.stats, { groups: 0, runs: 0, failed: 3 });
  } finally {
    await h.done();
  }
});
