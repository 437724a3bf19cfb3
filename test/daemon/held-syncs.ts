/**
 * For tests of the group commit (commit.ts): a real SQLite store whose disk syncs wait for the test to end them
 * (each runs the real sync when ended well), whose next transaction can be made to fail or to wait; one run's commit
 * as a list's message makes it; a few turns of the event loop; the descriptors open on a file.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStoreOptions } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";

/** Run `n` of `list`: its message (a body of `bytes`), an ok run at time `n`, the state `{ n }`. */
export function runCommit(list: string, n: number, bytes = 20): RunCommit {
  return {
    address: list,
    message: { raw: Buffer.from(`Subject: ${n}\r\n\r\n${"x".repeat(bytes)}\r\n`), mailFrom: null, rcptTo: list, receivedAt: n, status: "accepted", problems: [] },
    run: { trigger: "message", now: n, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    state: { n } as never,
  };
}

export interface Held {
  real: Store;
  store: Store;
  file: string;
  /** Each sync asked for, in order; end() resolves once its outcome is given to the committer (the real sync ended). */
  syncs: { end: (err?: Error) => Promise<void> }[];
  /** Each group committed: its runs' times, in order. */
  groups: number[][];
  /** The next group's transaction throws before it writes. */
  failNext: () => void;
  /** The next group's transaction waits (as at the checkpoint gate) until the returned function is called. */
  holdNext: () => () => void;
  done: () => Promise<void>;
}

export function heldSyncs(options: SqliteStoreOptions = {}): Held {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-held-syncs-"));
  const file = join(dir, "thwonkd.sqlite");
  const real = openSqliteStore(file, options);
  const store = Object.create(real) as Store;
  const syncs: Held["syncs"] = [];
  const groups: number[][] = [];
  let fail = false;
  let gate: Promise<void> | undefined;
  store.commitRuns = async (commits) => {
    const g = gate;
    gate = undefined;
    if (g) await g;
    if (fail) {
      fail = false;
      throw new Error("injected: SQLITE_FULL");
    }
    groups.push(commits.map((c) => c.run.now));
    return real.commitRuns(commits);
  };
  store.sync = () =>
    new Promise<void>((resolve, reject) => {
      syncs.push({
        end: async (err) => {
          if (err) return reject(err);
          await real.sync!().then(resolve, reject);
        },
      });
    });
  let closed = false;
  return {
    real,
    store,
    file,
    syncs,
    groups,
    failNext: () => (fail = true),
    holdNext: () => {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return open;
    },
    done: async () => {
      if (!closed) await real.close();
      closed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** The descriptors of this process open on `file`. */
export function openOn(file: string): number {
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}
