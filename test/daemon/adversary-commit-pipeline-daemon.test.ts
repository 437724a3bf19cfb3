/**
 * A real Daemon with the counting rule (COUNTER) on a real SQLite store whose disk syncs the test ends one by one and
 * whose next group transaction it can make fail: a message whose group fails while the group before it waits for its
 * sync is answered 451 at once, the list's state is not advanced by it (the list's next message counts on from the
 * last committed run), and another list's message committed behind the first group is not answered before that
 * group's sync ended, though its own ended before.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { Store } from "../../runtime/daemon/store/types.js";
import { COUNTER, listDaemon, postTo, until } from "./helpers.js";

const LIST = "pipedaemon@example.org";
const OTHER = "pipeother@example.org";

interface Control {
  hold(): void;
  failNext(): void;
  /** Syncs run at once again, and those held end: a failed test does not leave close() waiting. */
  release(): Promise<void>;
}

test("a failed group behind a pending sync: 451 at once, the state not advanced, the next message answered only after the first group's sync", async () => {
  const syncs: (() => Promise<void>)[] = [];
  const { daemon, close } = await listDaemon({
    source: COUNTER,
    fileName: "counter.thwonk",
    addresses: [LIST, OTHER],
    store: (at) => {
      const real = openSqliteStore(join(at, "thwonkd.sqlite"));
      const store = Object.create(real) as Store & Control;
      let holding = false;
      let fail = false;
      store.sync = () => (holding ? new Promise<void>((resolve, reject) => syncs.push(() => real.sync!().then(resolve, reject))) : real.sync!());
      store.commitRuns = async (commits) => {
        if (fail) {
          fail = false;
          throw new Error("injected: SQLITE_FULL");
        }
        return real.commitRuns(commits);
      };
      store.hold = () => (holding = true);
      store.failNext = () => (fail = true);
      store.release = async () => {
        holding = false;
        for (const end of syncs) await end().catch(() => undefined);
      };
      return store;
    },
  });
  try {
    const control = daemon.store as Store & Control;
    control.hold();
    const answered: string[] = [];
    const post = (list: string, subject: string) =>
      postTo(daemon, list, "ann@example.org", subject).then((a) => {
        answered.push(`${a.code} ${subject}`);
        return a;
      });
    const one = post(LIST, "one");
    await until("the first group's sync", () => (syncs.length === 1 ? true : undefined));
    control.failNext();
    const two = await post(LIST, "two");
    assert.equal(two.code, 451);
    assert.deepEqual(answered, ["451 two"], "the failed group is answered at once, the one before it is not");
    // Another list's message: its group commits behind the first, its sync ends first; it waits for the first's.
    const other = post(OTHER, "other");
    await until("the other list's group's sync", () => (syncs.length === 2 ? true : undefined));
    await syncs[1]!();
    // The failed list's next message: it waits for the list's runs before the failure to settle, then counts on.
    const three = post(LIST, "three");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(answered, ["451 two"], "no answer before the first group's sync, though a later one's ended");
    assert.equal(syncs.length, 2);
    await syncs[0]!();
    await Promise.all([one, other]);
    assert.deepEqual(answered, ["451 two", "250 one", "250 other"]);
    await until("the third message's group's sync", () => (syncs.length === 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(answered.length, 3, "the third message waits for its own sync");
    await syncs[2]!();
    await three;
    assert.deepEqual(answered, ["451 two", "250 one", "250 other", "250 three"]);
    const runs = await daemon.runs({ address: LIST });
    const subjects = runs
      .filter((r) => r.outcome === "ok")
      .map((r) => String((r.actions[0] as { subject?: string }).subject))
      .sort();
    assert.deepEqual(subjects, ["1 one", "2 three"], "the failed run advanced nothing: the next one counts 2");
    assert.equal(((await daemon.store.state(LIST)).state as { count: number }).count, 2);
    assert.equal(((await daemon.store.state(OTHER)).state as { count: number }).count, 1);
  } finally {
    await (daemon.store as Store & Control).release();
    await close();
  }
});
