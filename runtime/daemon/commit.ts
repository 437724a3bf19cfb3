/**
 * Group commit: runs that finish close together (any lists, and several
 * runs of one list) are committed in one transaction, so one disk sync
 * serves them all. One group is in the store at a time; runs that finish
 * meanwhile wait for the next, so a list's runs reach the store in the
 * order they ran. Each caller's promise settles only after the transaction
 * that holds its run: no 250 before its commit, and when a group fails
 * every run in it fails (each of their clients gets 451).
 *
 * A run may start from the state its predecessor left before that
 * predecessor is committed (runner.ts). When a group fails, the runs built
 * on its runs' state must not be committed either: each commit carries
 * `valid()`, asked when its group is formed; a commit no longer valid is
 * refused with `StaleCommit` and never reaches the store.
 */
import type { CommittedIds, OutboxRow, RunCommit, Store } from "./store/types.js";

export type CommitIds = CommittedIds;

/** A commit refused because an earlier run it was built on failed to commit. */
export class StaleCommit extends Error {
  override readonly name = "StaleCommit";
}

interface Waiting {
  commit: RunCommit;
  valid: () => boolean;
  resolve: (ids: CommitIds) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter {
  private waiting: Waiting[] = [];
  private busy = false;
  private scheduled = false;
  /** Groups committed, runs in them, groups failed. */
  readonly stats = { groups: 0, runs: 0, failed: 0 };
  /** Set when a disk sync failed: every later commit fails. */
  private broken: Error | undefined;

  /**
   * @param outgoing the outbox rows of each group once it is durable, before its runs are answered: handed on from
   * memory, so the outbox need not read back from the store what was just written to it.
   */
  constructor(
    private readonly store: Store,
    private readonly outgoing?: (rows: OutboxRow[]) => void,
  ) {}

  /** Runs waiting for the next group. */
  get queued(): number {
    return this.waiting.length;
  }

  commit(commit: RunCommit, valid: () => boolean = () => true): Promise<CommitIds> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ commit, valid, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The next group forms after the current one settles and after the
   * callbacks of its callers ran (setImmediate comes after promise
   * reactions), so a failure's roll-back is seen by `valid()`.
   */
  private schedule(): void {
    if (this.scheduled || this.busy || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group: Waiting[] = [];
    for (const w of this.waiting.splice(0)) {
      if (w.valid()) group.push(w);
      else w.reject(new StaleCommit("an earlier run of this list failed to commit, so this run's outcome was dropped"));
    }
    if (group.length === 0) return;
    this.busy = true;
    try {
      if (this.broken) throw this.broken;
      // Pushed, not mapped: optimized `map` makes a holey array, and the store's code reading it deoptimizes each
      // time the kind it meets changes.
      const commits: RunCommit[] = [];
      for (const w of group) commits.push(w.commit);
      const ids = await this.store.commitRuns(commits);
      await this.store.sync?.().catch((err: unknown) => {
        // After a failed sync the kernel may have dropped the pages it could not write, and a later sync can
        // succeed without them: nothing is committed again until a restart reads what the disk really has. The
        // group's runs are in the database but answered 451: a retry may run one twice; none acknowledged is lost.
        this.broken = new Error(`the disk sync of a group commit failed (${err instanceof Error ? err.message : String(err)}); restart thwonkd`);
        throw this.broken;
      });
      this.stats.groups++;
      this.stats.runs += group.length;
      if (this.outgoing) this.outgoing(outboxRows(group, ids));
      group.forEach((w, i) => w.resolve(ids[i]!));
    } catch (err) {
      this.stats.failed++;
      for (const w of group) w.reject(err);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }
}

function outboxRows(group: readonly Waiting[], ids: readonly CommittedIds[]): OutboxRow[] {
  const rows: OutboxRow[] = [];
  group.forEach((w, i) => {
    const { runId, outboxIds } = ids[i]!;
    const address = w.commit.address;
    // Field by field: a spread copy takes V8's slow path for each row.
    w.commit.outbox?.forEach((o, j) => rows.push({ file: o.file, messageId: o.messageId, recipients: o.recipients, action: o.action, raw: o.raw, id: outboxIds[j]!, runId, address }));
  });
  return rows;
}
