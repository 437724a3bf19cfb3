/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode, with
 * `synchronous = FULL` so a committed run survives a power cut as well as a
 * crash. Group commits write the log without waiting for the disk and then
 * sync it off the event loop (sync(), wal-sync.ts) before any answer; the log is checkpointed on a thread of its
 * own (checkpointer.ts), never in a commit on the event loop. The schema is versioned and migrated at open
 * (sqlite-schema.ts). better-sqlite3 is synchronous: each method
 * does its work at once and returns a settled promise, which keeps the
 * interface the one a networked store needs.
 */
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { canonicalAddress, type MemberJson, type RunAction } from "../../../contract/index.js";
import { keptJson } from "../../input/json-parts.js";
import { Checkpointer, type CheckpointerOptions } from "./checkpointer.js";
import { SqliteHeld } from "./sqlite-held.js";
import { RemovedUpTo, SqliteLists } from "./sqlite-lists.js";
import { SqliteRetention } from "./sqlite-retention.js";
import type {
  BounceRecord,
  Deployment,
  HeldRecord,
  ListCounts,
  ListRemoval,
  HeldStatus,
  DeliveryPart,
  DeliveryRow,
  MemberChange,
  MembersSnapshot,
  MessageRecord,
  MessageStatus,
  OutboxRow,
  PruneCursor,
  PruneStep,
  RunCommit,
  RunFilter,
  RunRecord,
  SavedState,
  CommittedIds,
  StateSnapshot,
  Store,
  StoredBundle,
  StoreSize,
} from "./types.js";
import { WalSync } from "./wal-sync.js";
import { migrate } from "./sqlite-schema.js";

export { openSchemaBefore, SCHEMA_VERSION } from "./sqlite-schema.js";


/** Every message status (a Record, so that a new one must be added here). */
const MESSAGE_STATUSES: Readonly<Record<MessageStatus, true>> = { accepted: true, rejected: true, held: true, failed: true, loop: true, replayed: true, expired: true };

/** A list's signing key: 32 random bytes, as hex (the HMAC key is its text). */
function newTokenKey(): string {
  return randomBytes(32).toString("hex");
}

export interface SqliteStoreOptions {
  /** "FULL" (default): every commit reaches the disk before the 250. "NORMAL" survives a crash of the process, not of the machine. */
  synchronous?: "FULL" | "NORMAL";
  /** With FULL: when the log is checkpointed off the event loop (checkpointer.ts), and where its fall-back is logged. */
  checkpoint?: CheckpointerOptions;
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  const db = new Database(file);
  // A new store can give back the space retention frees (incremental vacuum), which only a file made so, or
  // rewritten by a VACUUM (incrementalVacuum), can: set before its first table.
  if (isEmpty(db)) db.pragma("auto_vacuum = INCREMENTAL");
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  if (options.synchronous === "NORMAL") return new SqliteStore(db, undefined, undefined, undefined, sweepConnection(file));
  // The group commit writes the log without waiting for the disk, then syncs it off the event loop (wal-sync.ts):
  // on a connection of its own that stays at NORMAL, as a switch of one connection between NORMAL and FULL is a
  // PRAGMA, compiled again at each run. Every other write keeps FULL on the first.
  const unsynced = new Database(file);
  unsynced.pragma("synchronous = NORMAL");
  unsynced.pragma("foreign_keys = ON");
  unsynced.pragma("busy_timeout = 5000");
  // Neither connection checkpoints in its commits: a thread does (checkpointer.ts).
  const sweeper = sweepConnection(file);
  const checkpointer = new Checkpointer(file, [unsynced, db, sweeper], options.checkpoint);
  return new SqliteStore(db, new WalSync(file), unsynced, checkpointer, sweeper);
}

/**
 * Retention's connection (sqlite-retention.ts): `synchronous = NORMAL`, as the group commit's (a sweep lost in a power
 * cut is done again by the next), and without foreign key checks: a sweep takes each row it blanks out and puts it
 * back with the same id in one transaction, and a check of each row taken out would scan the tables that refer to
 * it (`runs.message_id`, `outbox.run_id` have no index): a sweep of 20,000 messages took 9 minutes, not 2 seconds.
 */
function sweepConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = OFF");
  db.pragma("busy_timeout = 5000");
  // A vacuum step moves pages from the file's end and rewrites the pages that point to them: kept in memory, not read
  // again from the disk at each step.
  db.pragma("cache_size = -32000");
  return db;
}

function isEmpty(db: Database.Database): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() === 0;
}

/** SQLite's auto_vacuum setting: 2 is INCREMENTAL. */
const INCREMENTAL = 2;

/**
 * Makes a store file made before retention able to give space back (auto_vacuum = INCREMENTAL), once: a VACUUM, which
 * rewrites the whole file (it takes as long as copying it and needs as much free disk again; docs/daemon.md,
 * "Retention"). Undefined when the file needs none (missing, new or switched already); else the sizes and the time.
 */
export function incrementalVacuum(file: string): { before: number; after: number; ms: number } | undefined {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch {
    return undefined;
  }
  try {
    if (isEmpty(db) || db.pragma("auto_vacuum", { simple: true }) === INCREMENTAL) return undefined;
    const bytes = (): number => (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number);
    const before = bytes();
    const t0 = performance.now();
    db.pragma("busy_timeout = 5000");
    db.pragma("auto_vacuum = INCREMENTAL");
    db.exec("VACUUM");
    // The log the VACUUM wrote (the whole database) copied and cut back.
    db.pragma("wal_checkpoint(TRUNCATE)");
    return { before, after: bytes(), ms: Math.round(performance.now() - t0) };
  } finally {
    db.close();
  }
}

type Row = Record<string, unknown>;

/**
 * A run's row, its message's status and whether its list was removed after it (list_removals), which say whether the
 * run can be replayed (toRun).
 */
const RUN_COLUMNS =
  "runs.*, (SELECT status FROM messages WHERE messages.id = runs.message_id) AS message_status, EXISTS (SELECT 1 FROM list_removals x WHERE x.address = runs.address AND x.last_run >= runs.id) AS list_removed";

type Statements = ReturnType<typeof statements>;

/** The store's statements, prepared on a connection. */
function statements(db: Database.Database) {
  return {
    putBundle: db.prepare("INSERT OR IGNORE INTO bundles (hash, rule, compiler, source, json, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
    bundle: db.prepare("SELECT * FROM bundles WHERE hash = ?"),
    bundles: db.prepare("SELECT * FROM bundles ORDER BY created_at"),
    addDeployment: db.prepare("INSERT INTO deployments (address, hash, deployed_at) VALUES (?, ?, ?)"),
    upsertList: db.prepare("INSERT INTO lists (address, hash) VALUES (?, ?) ON CONFLICT(address) DO UPDATE SET hash = excluded.hash"),
    listStart: db.prepare("INSERT OR IGNORE INTO list_start (address, at) VALUES (?, ?)"),
    deployments: db.prepare("SELECT l.address, l.hash, (SELECT MAX(deployed_at) FROM deployments d WHERE d.address = l.address) AS deployed_at FROM lists l ORDER BY l.address"),
    history: db.prepare("SELECT address, hash, deployed_at FROM deployments WHERE address = ? ORDER BY id"),
    list: db.prepare("SELECT * FROM lists WHERE address = ?"),
    members: db.prepare("SELECT member, name, role, joined FROM members WHERE address = ? ORDER BY pos"),
    maxPos: db.prepare("SELECT COALESCE(MAX(pos), 0) AS p FROM members WHERE address = ?"),
    addMember: db.prepare(
      "INSERT INTO members (address, member, pos, name, role, joined) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(address, member) DO UPDATE SET name = excluded.name, role = excluded.role",
    ),
    removeMember: db.prepare("DELETE FROM members WHERE address = ? AND lower(member) = lower(?)"),
    clearMembers: db.prepare("DELETE FROM members WHERE address = ?"),
    bumpMembers: db.prepare("UPDATE lists SET members_version = members_version + 1 WHERE address = ?"),
    ensureList: db.prepare("INSERT OR IGNORE INTO lists (address, hash) VALUES (?, '')"),
    setState: db.prepare("UPDATE lists SET state = ?, state_hash = ? WHERE address = ?"),
    putState: db.prepare(
      "INSERT INTO lists (address, hash, state, state_hash) VALUES (?, '', ?, ?) ON CONFLICT(address) DO UPDATE SET state = excluded.state, state_hash = excluded.state_hash",
    ),
    insertMessage: db.prepare(
      "INSERT INTO messages (address, mail_from, rcpt_to, received_at, size, status, problems, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    messageStatus: db.prepare("UPDATE messages SET status = ? WHERE id = ?"),
    insertRun: db.prepare(
      "INSERT INTO runs (address, trigger, message_id, now, bundle_hash, outcome, error, gas_used, gas_bound, actions, replay_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    insertOutbox: db.prepare("INSERT INTO outbox (run_id, address, file, message_id, recipients, action, raw, action_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    publish: db.prepare(
      // A page's time (its Last-Modified, to the second) moves with every change of it and only then: to the next
      // second at least, so a page changed twice in one second, or after the clock went back, is never older than a
      // copy a client has (If-Modified-Since would keep that copy); the same page published again keeps its time.
      "INSERT INTO published (address, path, html, updated_at, run_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT(address, path) DO UPDATE SET " +
        "updated_at = CASE WHEN html = excluded.html THEN updated_at ELSE MAX(excluded.updated_at, updated_at / 1000 * 1000 + 1000) END, html = excluded.html, run_id = excluded.run_id",
    ),
    due: db.prepare("INSERT INTO schedule (address, trigger, last_due) VALUES (?, ?, ?) ON CONFLICT(address, trigger) DO UPDATE SET last_due = MAX(last_due, excluded.last_due)"),
    run: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`),
    // Through the index of failed runs (runs_failed): the messages' ids as one JSON array.
    failedRunsOf: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE outcome = 'failed' AND message_id IN (SELECT value FROM json_each(?)) ORDER BY id`),
    markReplayed: db.prepare("UPDATE runs SET replayed_by = ? WHERE id = ?"),
    message: db.prepare("SELECT * FROM messages WHERE id = ?"),
    pending: db.prepare("SELECT * FROM outbox WHERE done = 0 ORDER BY id LIMIT ?"),
    done: db.prepare("UPDATE outbox SET done = 1 WHERE id = ?"),
    doneAll: db.prepare("UPDATE outbox SET done = 1 WHERE id IN (SELECT value FROM json_each(?))"),
    planDelivery: db.prepare("INSERT INTO deliveries (outbox_id, recipients, status, attempts, next_at, created_at, updated_at) VALUES (?, ?, 'pending', 0, ?, ?, ?)"),
    dueDeliveries: db.prepare(
      "SELECT d.*, o.address, o.message_id, o.raw FROM deliveries d JOIN outbox o ON o.id = d.outbox_id WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?",
    ),
    nextDelivery: db.prepare("SELECT MIN(next_at) AS t FROM deliveries WHERE status = 'pending'"),
    settleDelivery: db.prepare("UPDATE deliveries SET recipients = ?, status = ?, attempts = ?, next_at = ?, updated_at = ?, code = ?, response = ? WHERE id = ?"),
    splitDelivery: db.prepare(
      "INSERT INTO deliveries (outbox_id, recipients, status, attempts, next_at, created_at, updated_at, code, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    published: db.prepare("SELECT html, updated_at FROM published WHERE address = ? AND path = ?"),
    schedule: db.prepare("SELECT trigger, last_due FROM schedule WHERE address = ?"),
    start: db.prepare("SELECT at FROM list_start WHERE address = ?"),
    member: db.prepare("SELECT member, name, role, joined FROM members WHERE address = ? AND lower(member) = lower(?)"),
    insertBounce: db.prepare(
      "INSERT INTO bounces (address, member, member_key, at, status, action, diagnostic, verp, run_id, message_id) VALUES (?, ?, lower(?), ?, ?, ?, ?, ?, ?, ?)",
    ),
    bounceCounts: db.prepare(
      "SELECT m.member AS member, COUNT(DISTINCT COALESCE(b.message_id, 'row ' || b.id)) AS n FROM members m JOIN bounces b ON b.address = m.address AND b.member_key = lower(m.member) AND b.at >= m.joined WHERE m.address = ? GROUP BY m.member",
    ),
    addSecret: db.prepare("INSERT OR IGNORE INTO list_secrets (address, secret, created_at) VALUES (?, ?, ?)"),
    secret: db.prepare("SELECT secret FROM list_secrets WHERE address = ?"),
    // Only a deployed list gets a key when it asks: a removed list's key is dropped, and one made for it afterwards
    // (a late delivery of its mail) would become the key of the next list deployed there (deploy keeps a key it finds).
    addListedSecret: db.prepare(
      "INSERT OR IGNORE INTO list_secrets (address, secret, created_at) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM lists WHERE address = ? AND hash <> '')",
    ),
    // Each run's actions once for a batch of outbox rows (a join would copy them into every row of the run).
    runActions: db.prepare("SELECT id, actions FROM runs WHERE id IN (SELECT value FROM json_each(?))"),
  };
}

class SqliteStore implements Store {
  readonly kind = "sqlite";
  private readonly q: Statements;
  private readonly held: SqliteHeld;
  /** The statements and moderation records of the group commit and the outbox's marks: `q` and `held`, or the unsynced connection's. */
  private readonly g: Statements;
  private readonly groupHeld: SqliteHeld;
  /** groupTransaction as one transaction, made once (better-sqlite3's transaction() builds a new wrapper at each call). */
  private readonly commitGroup: (commits: RunCommit[], now: number) => CommittedIds[];
  private readonly markDone: (ids: number[]) => void;
  /** Removing lists and the lists view's counts (sqlite-lists.ts), on the first connection. */
  private readonly listsTable: SqliteLists;
  /** Retention's sweeps (sqlite-retention.ts), on a connection of their own (sweepConnection). */
  private readonly retention: SqliteRetention;
  /** The last message of the lists removed from each address (sqlite-lists.ts). */
  private readonly removedUpTo: RemovedUpTo;

  constructor(
    private readonly db: Database.Database,
    /** Set when commits must reach the disk: commitRuns leaves the log's sync to sync(), off the event loop (wal-sync.ts). */
    private readonly wal?: WalSync,
    /** With `wal`: a second connection to the same file, with `synchronous = NORMAL`, for the work sync() makes durable. */
    private readonly unsyncedDb?: Database.Database,
    /** With `wal`: checkpoints the log on a thread of its own, woken after group commits. */
    private readonly checkpointer?: Checkpointer,
    /** Retention's own connection (sweepConnection). */
    private readonly sweepDb?: Database.Database,
  ) {
    this.q = statements(db);
    this.held = new SqliteHeld(db);
    // The group commit and the outbox's marks, on the connection that does not wait for the disk (see openSqliteStore).
    this.g = unsyncedDb ? statements(unsyncedDb) : this.q;
    this.groupHeld = unsyncedDb ? new SqliteHeld(unsyncedDb) : this.held;
    const gdb = unsyncedDb ?? db;
    this.commitGroup = gdb.transaction((commits: RunCommit[], now: number) => this.groupTransaction(commits, now));
    // A batch's rows in one statement: one call into SQLite, not one a row.
    this.markDone = (ids: number[]) => void this.g.doneAll.run(JSON.stringify(ids));
    this.listsTable = new SqliteLists(db);
    this.removedUpTo = new RemovedUpTo(db);
    this.retention = new SqliteRetention(sweepDb ?? gdb);
  }

  /**
   * Retention's writes, as the outbox's marks: on the connection that does not wait for the disk (a sweep lost in a
   * power cut is done again by the next; each step is one transaction, so nothing is half done), through the
   * checkpoint thread's gate, and never inside a group commit (better-sqlite3 is synchronous: a step runs between
   * two). After it, the checkpoint thread is woken as after a commit: a sweep writes many pages.
   */
  private async outsideCommits<T>(work: () => T): Promise<T> {
    if (this.closing) throw new Error("the store is closing");
    const cp = this.checkpointer;
    if (cp?.shut) await cp.opened();
    cp?.enter();
    try {
      return work();
    } finally {
      cp?.leave();
      cp?.afterCommit();
    }
  }

  async prune(cursor: PruneCursor, cutoff: number, at: number, limit: number): Promise<PruneStep> {
    return this.outsideCommits(() => this.retention.prune(cursor, cutoff, at, limit));
  }

  async vacuumStep(pages: number): Promise<number> {
    const gdb = this.sweepDb ?? this.unsyncedDb ?? this.db;
    return this.outsideCommits(() => {
      const free = gdb.pragma("freelist_count", { simple: true }) as number;
      // In pieces of 8 pages, up to `pages` or 3 ms: a page moved from the file's end may need its parent read from the
      // disk, and on a file larger than memory 64 pages at once held the event loop up to 70 ms.
      const end = performance.now() + 3;
      let left = Math.min(free, Math.max(1, Math.floor(pages)));
      while (left > 0 && performance.now() < end) {
        gdb.pragma(`incremental_vacuum(${Math.min(8, left)})`);
        left -= 8;
      }
      return free - (gdb.pragma("freelist_count", { simple: true }) as number);
    });
  }

  backlog(): number {
    return this.checkpointer?.backlog ?? 0;
  }

  async size(): Promise<StoreSize> {
    return {
      pageSize: this.db.pragma("page_size", { simple: true }) as number,
      pages: this.db.pragma("page_count", { simple: true }) as number,
      free: this.db.pragma("freelist_count", { simple: true }) as number,
    };
  }

  /** Set once close() began: it waits for syncs still running, and a commit made meanwhile would be answered as failed. */
  private closing = false;

  async close(): Promise<void> {
    this.closing = true;
    await this.checkpointer?.close();
    await this.wal?.close();
    if (this.unsyncedDb?.open) this.unsyncedDb.close();
    if (this.sweepDb?.open) this.sweepDb.close();
    if (this.db.open) this.db.close();
  }

  sync(): Promise<void> {
    return this.wal ? this.wal.sync() : Promise.resolve();
  }

  async putBundle(b: StoredBundle): Promise<void> {
    this.q.putBundle.run(b.hash, b.rule, b.compiler, b.source, b.json, b.createdAt);
  }

  async bundle(hash: string): Promise<StoredBundle | undefined> {
    const r = this.q.bundle.get(hash) as Row | undefined;
    return r ? toBundle(r) : undefined;
  }

  async bundles(): Promise<StoredBundle[]> {
    return (this.q.bundles.all() as Row[]).map(toBundle);
  }

  async deploy(address: string, hash: string, at: number, newTriggers: readonly string[] = [], state?: SavedState): Promise<void> {
    this.db.transaction(() => {
      this.q.addDeployment.run(address, hash, at);
      this.q.upsertList.run(address, hash);
      if (state !== undefined) this.q.setState.run(JSON.stringify(state), hash, address);
      this.q.listStart.run(address, at);
      // A trigger counts from the deployment that brings it in: a time before it existed was not missed.
      for (const t of newTriggers) this.q.due.run(address, t, at);
      this.q.addSecret.run(address, newTokenKey(), at);
    })();
  }

  async tokenKey(address: string): Promise<string> {
    // A list deployed before keys were kept gets its key at its first run that asks.
    this.q.addListedSecret.run(address, newTokenKey(), Date.now(), address);
    const row = this.q.secret.get(address) as Row | undefined;
    if (!row) throw new Error(`no list is deployed at ${address}: it has no key`);
    return row["secret"] as string;
  }

  async deployments(): Promise<Deployment[]> {
    return (this.q.deployments.all() as Row[]).filter((r) => r["hash"] !== "").map(toDeployment);
  }

  async deploymentHistory(address: string): Promise<Deployment[]> {
    return (this.q.history.all(address) as Row[]).map(toDeployment);
  }

  async removeList(address: string, at: number): Promise<ListRemoval> {
    return this.listsTable.removeList(address, at);
  }

  async removals(address?: string): Promise<ListRemoval[]> {
    return this.listsTable.removals(address);
  }

  async listCounts(): Promise<Map<string, ListCounts>> {
    return this.listsTable.counts();
  }

  async members(address: string): Promise<MembersSnapshot> {
    return this.snapshot(address);
  }

  private snapshot(address: string): MembersSnapshot {
    const list = this.q.list.get(address) as Row | undefined;
    const members = (this.q.members.all(address) as Row[]).map(
      (r): MemberJson => ({ address: r["member"] as string, name: r["name"] as string, role: r["role"] as MemberJson["role"], joined: r["joined"] as number }),
    );
    // A member's bounces since they joined, on the members that have any (the others' count is 0, left out).
    const counts = this.q.bounceCounts.all(address) as { member: string; n: number }[];
    if (counts.length) {
      const n = new Map(counts.map((c) => [c.member, c.n]));
      for (const m of members) if (n.has(m.address)) m.bounces = n.get(m.address)!;
    }
    return { version: (list?.["members_version"] as number | undefined) ?? 0, members };
  }

  private applyMembers(address: string, changes: MemberChange[], q: Statements = this.q): void {
    if (changes.length === 0) return;
    q.ensureList.run(address);
    let pos = (q.maxPos.get(address) as { p: number }).p;
    for (const c of changes) {
      if (c.op === "add") q.addMember.run(address, c.member.address, ++pos, c.member.name ?? "", c.member.role ?? "member", c.member.joined ?? 0);
      else q.removeMember.run(address, c.address);
    }
    q.bumpMembers.run(address);
  }

  async changeMembers(address: string, changes: MemberChange[]): Promise<MembersSnapshot> {
    return this.db.transaction(() => {
      this.applyMembers(address, changes);
      return this.snapshot(address);
    })();
  }

  async setMembers(address: string, members: MemberJson[]): Promise<MembersSnapshot> {
    return this.db.transaction(() => {
      this.q.ensureList.run(address);
      this.q.clearMembers.run(address);
      // One change, one version: applyMembers bumps it unless there is nothing to add.
      if (members.length === 0) this.q.bumpMembers.run(address);
      else this.applyMembers(address, members.map((member) => ({ op: "add", member })));
      return this.snapshot(address);
    })();
  }

  async state(address: string): Promise<StateSnapshot> {
    const list = this.q.list.get(address) as Row | undefined;
    const text = list?.["state"] as string | null | undefined;
    return { state: text ? savedState(text) : null, hash: (list?.["state_hash"] as string | null | undefined) ?? null };
  }

  async setState(address: string, state: SavedState | null, hash: string): Promise<void> {
    this.q.ensureList.run(address);
    this.q.setState.run(state === null ? null : JSON.stringify(state), hash, address);
  }

  async commitRuns(commits: RunCommit[], at: number = Date.now()): Promise<CommittedIds[]> {
    // Refused, not written: its sync would be refused (wal-sync.ts), so it would be answered 451 and run again.
    if (this.closing) throw new Error("the store is closing: this group was not committed");
    const cp = this.checkpointer;
    if (!cp) return this.commitGroup(commits, at);
    // Through the checkpoint thread's gate (checkpointer.ts), waited for off the event loop when it is shut.
    if (cp.shut) await cp.opened();
    cp.enter();
    try {
      return this.commitGroup(commits, at);
    } finally {
      cp.leave();
      cp.afterCommit();
    }
  }

  /** One transaction for a group. */
  private groupTransaction(commits: RunCommit[], now: number): CommittedIds[] {
    const q = this.g;
    // A list's state is written once per group, by its last run in it: the runs before it are superseded in the same transaction.
    const lastState = new Map<string, number>();
    commits.forEach((c, i) => c.state !== undefined && lastState.set(c.address, i));
    // Arrays pushed into literals, not mapped: optimized `map` makes holey arrays, the interpreter's packed ones, and
    // the code reading them (here, commit.ts) deoptimizes each time the kind it meets changes.
    const ids: CommittedIds[] = [];
    for (let i = 0; i < commits.length; i++) {
      const c = commits[i]!;
      let messageId: number | null = c.messageId ?? null;
      if (c.message) {
        const m = c.message;
        messageId = Number(
          q.insertMessage.run(c.address, m.mailFrom, m.rcptTo, m.receivedAt, m.raw.length, m.status, m.problems.length ? JSON.stringify(m.problems) : "[]", m.raw).lastInsertRowid,
        );
      } else if (c.messageId !== undefined) {
        q.messageStatus.run(c.messageStatus ?? "replayed", c.messageId);
      }
      const r = c.run;
      // Each action's JSON once, in the run's record; an outgoing message's row names its action's place there.
      const actionJson: string[] = [];
      for (const a of r.actions) actionJson.push(JSON.stringify(a) ?? "null");
      const runId = Number(
        q.insertRun.run(
          c.address,
          r.trigger,
          messageId,
          r.now,
          r.bundleHash,
          r.outcome,
          r.error ? JSON.stringify(r.error) : null,
          r.gasUsed,
          r.gasBound,
          arrayJson(actionJson),
          r.replayOf,
          now,
        ).lastInsertRowid,
      );
      if (c.state !== undefined && lastState.get(c.address) === i) {
        // One statement for a list that has a row (every deployed list) and one that has none.
        // Its JSON kept with it when the runner kept it (runner.ts keptState): not written again.
        q.putState.run(c.address, keptJson(c.state), r.bundleHash);
      }
      if (c.members?.length) this.applyMembers(c.address, c.members, q);
      const outboxIds: number[] = [];
      for (const o of c.outbox ?? []) {
        const k = r.actions.indexOf(o.action);
        const action = k >= 0 ? "" : JSON.stringify(o.action);
        outboxIds.push(Number(q.insertOutbox.run(runId, c.address, o.file, o.messageId, JSON.stringify(o.recipients), action, o.raw, k >= 0 ? k : null).lastInsertRowid));
      }
      for (const p of c.published ?? []) q.publish.run(c.address, p.path, p.html, now, runId);
      if (c.due) q.due.run(c.address, c.due.trigger, c.due.at);
      if (c.replays !== undefined) q.markReplayed.run(runId, c.replays);
      if (c.held && messageId !== null) this.groupHeld.apply(c.address, messageId, runId, c.held);
      if (c.bounces?.length) {
        for (const b of c.bounces) q.insertBounce.run(c.address, b.member, b.member, b.at, b.status, b.action, b.diagnostic, b.verp ? 1 : 0, runId, b.messageId ?? null);
        q.ensureList.run(c.address);
        q.bumpMembers.run(c.address); // the counts are part of the members the sandbox keeps by version
      }
      ids.push({ runId, messageId, outboxIds });
    }
    return ids;
  }

  async runs(filter: RunFilter = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.address !== undefined) (where.push("address = ?"), args.push(filter.address));
    if (filter.failed) where.push("outcome = 'failed'");
    if (filter.after !== undefined) (where.push("id > ?"), args.push(filter.after));
    const sql = `SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id${filter.last !== undefined ? " DESC" : ""} LIMIT ?`;
    if (filter.last !== undefined) return (this.db.prepare(sql).all(...args, filter.last) as Row[]).reverse().map(toRun);
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toRun);
  }

  async run(id: number): Promise<RunRecord | undefined> {
    const r = this.q.run.get(id) as Row | undefined;
    return r ? toRun(r) : undefined;
  }

  async failedRunsOf(messageIds: readonly number[]): Promise<RunRecord[]> {
    if (messageIds.length === 0) return [];
    return (this.q.failedRunsOf.all(JSON.stringify(messageIds)) as Row[]).map(toRun);
  }

  async failedSchedules(filter: { address?: string; limit?: number; after?: number; removedLists?: boolean } = {}): Promise<RunRecord[]> {
    // The conditions of the index of these runs alone (runs_failed_due), written as it has them.
    const where = ["outcome = 'failed'", "message_id IS NULL", "replayed_by IS NULL"];
    const args: unknown[] = [];
    if (filter.address !== undefined) (where.push("address = ?"), args.push(filter.address));
    if (filter.after !== undefined) (where.push("id > ?"), args.push(filter.after));
    if (filter.removedLists === false) where.push("NOT EXISTS (SELECT 1 FROM list_removals x WHERE x.address = runs.address AND x.last_run >= runs.id)");
    const sql = `SELECT ${RUN_COLUMNS} FROM runs WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toRun);
  }

  async message(id: number): Promise<(MessageRecord & { raw: Buffer }) | undefined> {
    const r = this.q.message.get(id) as Row | undefined;
    return r ? { ...toMessage(r), raw: r["raw"] as Buffer } : undefined;
  }

  async messages(filter: { address?: string; status?: MessageStatus; limit?: number; after?: number; removedLists?: boolean } = {}): Promise<MessageRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.address !== undefined) (where.push("address = ?"), args.push(filter.address));
    if (filter.after !== undefined) (where.push("id > ?"), args.push(filter.after));
    const removed = this.removedUpTo.get();
    if (filter.removedLists === false && removed.size) {
      where.push("NOT EXISTS (SELECT 1 FROM json_each(?) j WHERE json_extract(j.value, '$[0]') = messages.address AND messages.id <= json_extract(j.value, '$[1]'))");
      args.push(JSON.stringify([...removed]));
    }
    // The status as a literal, so that a query for the failed ones uses their index (messages_failed), as a bound
    // value cannot; one of the known statuses only.
    if (filter.status !== undefined) {
      if (!Object.hasOwn(MESSAGE_STATUSES, filter.status)) throw new Error(`no message has the status ${JSON.stringify(filter.status)}`);
      where.push(`status = '${filter.status}'`);
    }
    const sql = `SELECT id, address, mail_from, rcpt_to, received_at, size, status, problems, pruned_at FROM messages ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[]).map((r) => {
      const m = toMessage(r);
      const upTo = removed.get(m.address);
      return upTo !== undefined && m.id <= upTo ? { ...m, listRemoved: true as const } : m;
    });
  }

  async pendingOutbox(limit = 500, maxBytes = Number.POSITIVE_INFINITY): Promise<OutboxRow[]> {
    // Stepped a row at a time, so that a read bounded by bytes stops before it loads the rows past them.
    const pending: Row[] = [];
    let bytes = 0;
    for (const r of this.q.pending.iterate(limit) as IterableIterator<Row>) {
      pending.push(r);
      bytes += (r["raw"] as Buffer).length;
      if (bytes >= maxBytes) break;
    }
    // A run's actions read and parsed once for all its rows in the batch (a run may send many).
    const ids = new Set<number>();
    for (const r of pending) if (r["action_at"] !== null) ids.add(r["run_id"] as number);
    const runs = new Map<number, RunAction[]>();
    if (ids.size) for (const r of this.q.runActions.all(JSON.stringify([...ids])) as Row[]) runs.set(r["id"] as number, JSON.parse(r["actions"] as string) as RunAction[]);
    return pending.map((r) => {
      const runId = r["run_id"] as number;
      const at = r["action_at"] as number | null;
      // The foreign key keeps the run; were it gone, the row's file is still written, without its action.
      const action = at === null ? (JSON.parse(r["action"] as string) as RunAction) : (runs.get(runId)?.[at] ?? (null as unknown as RunAction));
      return {
        id: r["id"] as number,
        runId,
        address: r["address"] as string,
        file: r["file"] as string,
        messageId: r["message_id"] as string,
        recipients: JSON.parse(r["recipients"] as string) as string[],
        action,
        raw: r["raw"] as Buffer,
      };
    });
  }

  /** Not synced: a mark lost in a power cut leaves the row pending, and the outbox skips a file it already wrote. */
  async markOutboxDone(ids: number[]): Promise<void> {
    const cp = this.checkpointer;
    if (cp?.shut) await cp.opened();
    cp?.enter();
    try {
      this.markDone(ids);
    } finally {
      cp?.leave();
    }
  }

  async planDeliveries(plans: { outboxId: number; batches: string[][] }[], at: number): Promise<void> {
    this.db.transaction(() => {
      for (const p of plans) {
        for (const b of p.batches) this.q.planDelivery.run(p.outboxId, JSON.stringify(b), at, at, at);
        this.q.done.run(p.outboxId);
      }
    })();
  }

  async dueDeliveries(now: number, limit = 100): Promise<DeliveryRow[]> {
    return (this.q.dueDeliveries.all(now, limit) as Row[]).map((r) => ({
      id: r["id"] as number,
      outboxId: r["outbox_id"] as number,
      address: r["address"] as string,
      messageId: r["message_id"] as string,
      recipients: JSON.parse(r["recipients"] as string) as string[],
      attempts: r["attempts"] as number,
      createdAt: r["created_at"] as number,
      raw: r["raw"] as Buffer,
    }));
  }

  async nextDeliveryAt(): Promise<number | null> {
    return (this.q.nextDelivery.get() as { t: number | null }).t;
  }

  async settleDelivery(row: Pick<DeliveryRow, "id" | "outboxId" | "createdAt">, parts: DeliveryPart[], at: number): Promise<void> {
    const real = parts.filter((p) => p.recipients.length > 0);
    if (real.length === 0) return;
    this.db.transaction(() => {
      real.forEach((p, i) => {
        const args = [JSON.stringify(p.recipients), p.status, p.attempts, p.nextAt ?? at, at, p.code ?? null, p.response ?? null] as const;
        if (i === 0) this.q.settleDelivery.run(...args, row.id);
        else this.q.splitDelivery.run(row.outboxId, args[0], args[1], args[2], args[3], row.createdAt, at, args[5], args[6]);
      });
    })();
  }

  async published(address: string, path: string): Promise<{ html: string; updatedAt: number } | undefined> {
    const r = this.q.published.get(address, path) as Row | undefined;
    return r ? { html: r["html"] as string, updatedAt: r["updated_at"] as number } : undefined;
  }

  async schedule(address: string): Promise<{ since: number | null; last: Map<string, number> }> {
    const last = new Map<string, number>();
    const start = this.q.start.get(address) as { at: number } | undefined;
    for (const r of this.q.schedule.all(address) as Row[]) last.set(r["trigger"] as string, r["last_due"] as number);
    return { since: start?.at ?? null, last };
  }

  async heldMessages(filter: { address?: string; status?: HeldStatus | "all"; limit?: number } = {}): Promise<HeldRecord[]> {
    return this.held.list(filter);
  }

  async heldMessage(id: number): Promise<HeldRecord | undefined> {
    return this.held.one(id);
  }

  async heldDue(heldBefore: number, limit = 100): Promise<HeldRecord[]> {
    return this.held.due(heldBefore, limit);
  }

  async member(address: string, member: string): Promise<MemberJson | undefined> {
    const r = this.q.member.get(address, member) as Row | undefined;
    return r ? { address: r["member"] as string, name: r["name"] as string, role: r["role"] as MemberJson["role"], joined: r["joined"] as number } : undefined;
  }

  async sentRecipients(address: string, messageId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const rows = this.db
      .prepare("SELECT o.recipients AS recipients, r.now AS at FROM outbox o JOIN runs r ON r.id = o.run_id WHERE o.address = ? AND o.message_id = ?")
      .all(address, messageId) as { recipients: string; at: number }[];
    for (const r of rows) {
      for (const a of JSON.parse(r.recipients) as string[]) {
        // Canonical, as members are: recipients written before members were kept in NFC compare too.
        const key = canonicalAddress(a) ?? a.toLowerCase();
        out.set(key, Math.max(out.get(key) ?? r.at, r.at));
      }
    }
    return out;
  }

  async bounces(address: string, member?: string): Promise<BounceRecord[]> {
    const rows = (
      member === undefined
        ? this.db.prepare("SELECT * FROM bounces WHERE address = ? ORDER BY id").all(address)
        : this.db.prepare("SELECT * FROM bounces WHERE address = ? AND member_key = lower(?) ORDER BY id").all(address, member)
    ) as Row[];
    return rows.map((r) => ({
      id: r["id"] as number,
      address: r["address"] as string,
      member: r["member"] as string,
      at: r["at"] as number,
      status: r["status"] as string,
      action: r["action"] as string,
      diagnostic: r["diagnostic"] as string,
      verp: r["verp"] === 1,
      runId: r["run_id"] as number,
      ...(typeof r["message_id"] === "string" ? { messageId: r["message_id"] } : {}),
    }));
  }
}

/** JSON.stringify of an array, from the JSON of each of its elements (none undefined). */
function arrayJson(elements: readonly string[]): string {
  return `[${elements.join(",")}]`;
}

function toBundle(r: Row): StoredBundle {
  return {
    hash: r["hash"] as string,
    rule: r["rule"] as string,
    compiler: r["compiler"] as string,
    source: r["source"] as string,
    json: r["json"] as string,
    createdAt: r["created_at"] as number,
  };
}

function toDeployment(r: Row): Deployment {
  return { address: r["address"] as string, hash: r["hash"] as string, deployedAt: (r["deployed_at"] as number | null) ?? 0 };
}

function toRun(r: Row): RunRecord {
  const messageId = (r["message_id"] as number | null) ?? null;
  const replayedBy = (r["replayed_by"] as number | null | undefined) ?? null;
  // What replay() takes: a failed message's run (its message still failed), or a failed scheduled run not replayed yet.
  // Never a run of a list removed since: no rule of its list is deployed (a list deployed there again is another).
  const replayable = r["outcome"] === "failed" && !r["list_removed"] && (messageId === null ? replayedBy === null : r["message_status"] === "failed");
  return {
    id: r["id"] as number,
    address: r["address"] as string,
    trigger: r["trigger"] as string,
    messageId,
    now: r["now"] as number,
    bundleHash: r["bundle_hash"] as string,
    outcome: r["outcome"] as RunRecord["outcome"],
    error: r["error"] ? JSON.parse(r["error"] as string) : null,
    gasUsed: r["gas_used"] as number,
    gasBound: r["gas_bound"] as number,
    actions: JSON.parse(r["actions"] as string),
    replayOf: (r["replay_of"] as number | null) ?? null,
    replayedBy,
    replayable,
    createdAt: r["created_at"] as number,
    ...(typeof r["pruned_at"] === "number" ? { prunedAt: r["pruned_at"], actionCount: (r["action_count"] as number | null) ?? 0 } : {}),
  };
}

function toMessage(r: Row): MessageRecord {
  return {
    id: r["id"] as number,
    address: r["address"] as string,
    mailFrom: (r["mail_from"] as string | null) ?? null,
    rcptTo: r["rcpt_to"] as string,
    receivedAt: r["received_at"] as number,
    size: r["size"] as number,
    status: r["status"] as MessageStatus,
    problems: JSON.parse(r["problems"] as string) as string[],
    ...(typeof r["pruned_at"] === "number" ? { prunedAt: r["pruned_at"] } : {}),
  };
}

/**
 * Stored state as the runner checks it. Text that is not JSON (a hand edit) is given back as the text itself: the
 * check before a run refuses it with its place named (TW5070) and the state route shows it, where a throw here
 * would fail every delivery, state read and deploy of the list with no run recorded.
 */
function savedState(text: string): SavedState {
  try {
    return JSON.parse(text) as SavedState;
  } catch {
    return text as unknown as SavedState;
  }
}
