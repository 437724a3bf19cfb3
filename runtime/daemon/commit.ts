/**
 * Group commit: runs that finish close together (different lists) are
 * committed in one transaction, so one disk sync serves them all. Each
 * caller's promise settles only after the transaction that holds its run:
 * no 250 before its commit, and when a group fails every run in it fails
 * (each of their clients gets 451).
 */
import type { RunCommit, Store } from "./store/types.js";

interface Waiting {
  commit: RunCommit;
  resolve: (ids: { runId: number; messageId: number | null }) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter {
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** Tests only: the next group commit fails (THWONKD_TEST_FAIL_COMMITS). */
  failNext = 0;

  constructor(private readonly store: Store) {}

  commit(commit: RunCommit): Promise<{ runId: number; messageId: number | null }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ commit, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.waiting.splice(0);
    if (group.length === 0) return;
    try {
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error("test hook: this group commit fails");
      }
      const ids = await this.store.commitRuns(group.map((w) => w.commit));
      group.forEach((w, i) => w.resolve(ids[i]!));
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  }
}
