/**
 * Group commit: runs that finish close together (any lists, and several
 * runs of one list) are committed in one transaction, so one disk sync
 * serves them all. One group's transaction runs at a time; runs that
 * finish meanwhile wait for the next, so a list's runs reach the store in
 * the order they ran. The next group's transaction does not wait for this
 * one's disk sync (a sync covers every page written before it), but its
 * answers do: a group is answered once its own sync and every earlier
 * group's ended well, as its runs may stand on their state. Each caller's
 * promise settles only then: no 250 before its commit is on the disk, and
 * when a group fails every run in it fails (each of their clients gets 451),
 * and after a failed sync every group committed behind it too.
 *
 * A run may start from the state its predecessor left before that
 * predecessor is committed (runner.ts). When a group fails, the runs built
 * on its runs' state must not be committed either: each commit carries
 * `valid()`, asked when its group is formed; a commit no longer valid is
 * refused with `StaleCommit` and never reaches the store.
 */
import type { CommittedIds, OutboxRow, RunCommit, Store } from "./store/types.js";

export type CommitIds = CommittedIds;

/**
 * Groups whose disk sync may be under way at once: two, so that the next group commits during a sync, and no more, so
 * that on a slow disk the runs that finish meanwhile still gather into large groups (one sync each).
 */
export const MAX_SYNCING = 2;

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
   * @param handOffFailed told when `outgoing` threw: the group is on the disk and answered 250 all the same, and its
   * rows stay pending in the store, for the outbox to read back from there.
   * @param clock the daemon's clock: a group's runs are recorded as committed at its time, as everything else it
   * records is (a test's injected clock then reads the same in every column).
   */
  constructor(
    private readonly store: Store,
    private readonly outgoing?: (rows: OutboxRow[]) => void,
    private readonly handOffFailed?: (err: unknown) => void,
    private readonly clock: () => number = Date.now,
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
   * The next group forms after the current one's transaction ended (failed:
   * after the callbacks of its callers ran, as setImmediate comes after
   * promise reactions, so the roll-back is seen by `valid()`).
   */
  private schedule(): void {
    if (this.scheduled || this.busy || this.syncing >= MAX_SYNCING || this.waiting.length === 0) return;
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
    // The group's durability, counted from before its transaction (synced()): a read of the store may see its rows
    // as soon as the transaction ends. Given its sync once the transaction is in; nothing to wait for if it failed.
    let syncOf!: (own: Promise<void>) => void;
    const synced = Promise.all([this.lastSync, new Promise<Promise<void>>((r) => (syncOf = r)).then((own) => own)]).then(nothing);
    // Awaited below, by the next group, and by synced()'s callers: a failure none of them is waiting for yet is no crash.
    synced.catch(nothing);
    this.lastSync = synced;
    let ids: CommittedIds[];
    try {
      if (this.broken) throw this.broken;
      // Pushed, not mapped: optimized `map` makes a holey array, and the store's code reading it deoptimizes each
      // time the kind it meets changes.
      const commits: RunCommit[] = [];
      for (const w of group) commits.push(w.commit);
      ids = await this.store.commitRuns(commits, this.clock());
    } catch (err) {
      syncOf(Promise.resolve());
      this.fail(group, err);
      this.busy = false;
      this.schedule();
      return;
    }
    // The next group commits while this one's sync runs. Its pages go after these in the log, so its own sync covers
    // both; it is answered only once every earlier group's sync ended well too, as its runs may stand on their state.
    this.syncing++;
    syncOf(
      this.syncGroup().finally(() => {
        this.syncing--;
        this.schedule();
      }),
    );
    this.busy = false;
    this.schedule();
    try {
      await synced;
    } catch (err) {
      this.fail(group, err);
      return;
    }
    this.stats.groups++;
    this.stats.runs += group.length;
    if (this.outgoing) {
      // Past this point the group is durable: whatever the hand-off does, its messages are accepted.
      try {
        this.outgoing(outboxRows(group, ids));
      } catch (err) {
        try {
          this.handOffFailed?.(err);
        } catch {
          // Told nothing more: the rows stay pending in the store, and the outbox's next read of it (at the latest, the next start) hands them on.
        }
      }
    }
    group.forEach((w, i) => w.resolve(ids[i]!));
  }

  private fail(group: readonly Waiting[], err: unknown): void {
    this.stats.failed++;
    for (const w of group) w.reject(err);
  }

  /** The sync of the latest group, and of every one before it: the groups after it are answered after it. */
  private lastSync: Promise<void> = Promise.resolve();

  /**
   * Resolves once every group whose transaction has begun is on the disk; rejects when a sync failed. What a read of
   * the store sees now is durable then (the outbox's backlog pass waits for it before it hands rows on).
   */
  synced(): Promise<void> {
    return this.lastSync;
  }
  /** Groups whose sync is under way. */
  private syncing = 0;

  private async syncGroup(): Promise<void> {
    await this.store.sync?.().catch((err: unknown) => {
      // After a failed sync the kernel may have dropped the pages it could not write, and a later sync can
      // succeed without them: nothing is committed again until a restart reads what the disk really has. The
      // group's runs are in the database but answered 451: a retry may run one twice; none acknowledged is lost.
      this.broken ??= new Error(`the disk sync of a group commit failed (${err instanceof Error ? err.message : String(err)}); restart thwonkd`);
      throw this.broken;
    });
  }
}

const nothing = (): void => undefined;

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
