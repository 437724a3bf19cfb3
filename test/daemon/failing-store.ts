/**
 * A real SQLite store with a failure injection point on its commit, for
 * tests only: `hold()` keeps the next group commit waiting until
 * `release()`, `failNext()` makes the next group commit to arrive throw before it
 * writes anything (as a full disk or a lost database connection would);
 * `failSync()` makes the next disk sync fail after its group was written.
 * Every group handed to the store is recorded, so a test can say which runs
 * reached it. The daemon takes it through DaemonOptions.store: nothing in
 * the daemon knows it is not the real one.
 */
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";

export interface FailingStore extends Store {
  /** Each group commitRuns was called with, in order, and whether it failed. */
  readonly groups: { commits: RunCommit[]; failed: boolean }[];
  hold(): void;
  /** Resolves when a held commit is waiting. */
  holding(): Promise<void>;
  release(): void;
  failNext(): void;
  /** The next disk sync (Store.sync) fails, after its group was written. */
  failSync(): void;
}

export function failingStore(real: Store): FailingStore {
  const groups: { commits: RunCommit[]; failed: boolean }[] = [];
  let held: { waiting: Promise<void>; arrived: () => void; release: () => void; reached: Promise<void> } | undefined;
  let heldNow: { reached: Promise<void>; release: () => void } | undefined;
  let fail = 0;
  let failSync = 0;
  const wrapper = Object.create(real) as FailingStore;
  return Object.assign(wrapper, {
    groups,
    async commitRuns(commits: RunCommit[], at?: number) {
      // Decided on arrival: a failure armed while this call is held is for the next one.
      const failing = fail > 0;
      if (failing) fail--;
      const h = held;
      if (h) {
        held = undefined;
        h.arrived();
        await h.waiting;
      }
      if (failing) {
        groups.push({ commits, failed: true });
        throw new Error("injected: the database refused the commit");
      }
      groups.push({ commits, failed: false });
      return real.commitRuns(commits, at);
    },
    hold() {
      let release!: () => void;
      let arrived!: () => void;
      const waiting = new Promise<void>((r) => (release = r));
      const reached = new Promise<void>((r) => (arrived = r));
      held = { waiting, release, arrived, reached };
      heldNow = held;
    },
    holding: () => heldNow!.reached,
    release: () => heldNow!.release(),
    failNext() {
      fail++;
    },
    async sync() {
      if (failSync > 0) {
        failSync--;
        throw new Error("injected: EIO on fdatasync");
      }
      await real.sync?.();
    },
    failSync() {
      failSync++;
    },
  });
}
