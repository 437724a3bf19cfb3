/**
 * Retention in the SQLite store (docs/daemon.md, "Retention"): the payloads of records older than a cutoff blanked
 * (a message's raw bytes, a run's actions, an outgoing message's bytes and its own copy of its action), their rows
 * kept with their metadata and the time they were pruned (`pruned_at`; a run keeps how many actions it had, an
 * outgoing message its size).
 *
 * A sweep walks each table in commit order (by id) from where the last sweep stopped (`retention`, one cursor a
 * table, moved in the transaction that prunes, so a crash leaves the cursor and the rows agreeing) and stops at the
 * first record not older than the cutoff: one after it waits for it, whatever its own time, so a clock set back
 * (records stamped earlier than those before them) prunes nothing new. A record still needed is passed over and
 * listed in `retention_kept`, which each sweep looks at again first:
 *
 * - a message failed (to replay; not a removed list's, which nothing replays) or held (to approve);
 * - an outgoing message not yet written out (`done = 0`) or with a delivery to the relay still pending (the relay
 *   reads its bytes); its run too, whose actions name its action (`outbox.action_at`);
 * - a run of a failed or held message, and a failed scheduled run not replayed (again not a removed list's).
 *
 * Never touched: bundles, deployments, lists (state, members), published pages, held records, bounces, deliveries,
 * and every row's metadata: bounce attribution reads an outgoing message's Message-ID, recipients and its run's time
 * (Store.sentRecipients), which stay, so a report about a message of any age is still matched.
 *
 * Runs are walked only as far as the outgoing messages are (a run's are written in its transaction, right after it):
 * whether a run's outgoing messages are still needed is then known from `retention_kept` alone.
 */
import type Database from "better-sqlite3";
import { RemovedUpTo } from "./sqlite-lists.js";
import { PRUNE_AHEAD_MS, type PruneCursor, type PruneStep, type StampedAhead } from "./types.js";

type Row = Record<string, unknown>;

/** A run's message's status, and whether its list was removed after it (list_removals): then nothing can replay it. */
const RUN_STATUS =
  "(SELECT status FROM messages m WHERE m.id = runs.message_id) AS message_status, EXISTS (SELECT 1 FROM list_removals x WHERE x.address = runs.address AND x.last_run >= runs.id) AS list_removed";

/** The phases of a sweep: the rows kept before looked at again, then the three walks; outgoing messages before runs. */
const KEPT_OUTBOX = 0;
const KEPT_RUNS = 1;
const KEPT_MESSAGES = 2;
const WALK_OUTBOX = 3;
const WALK_RUNS = 4;
const WALK_MESSAGES = 5;
const PRUNE_DONE = 6;
/**
 * A step ends once it removed this many bytes, whatever its records: deleting a row frees its overflow pages one by
 * one, and 50 messages of 10 MB in one transaction would hold the event loop for a long time.
 */
const STEP_BYTES = 4 * 1024 * 1024;

const KIND: Record<number, string> = { [KEPT_OUTBOX]: "outbox", [KEPT_RUNS]: "run", [KEPT_MESSAGES]: "message" };

export class SqliteRetention {
  private readonly q;
  private readonly rewrite: Record<string, (id: number, at: number) => number | undefined>;
  private readonly step: (cursor: PruneCursor, cutoff: number, at: number, limit: number) => PruneStep;
  private readonly removedUpTo: RemovedUpTo;

  /** `db` checks no foreign keys (sqlite.ts sweepConnection): a row blanked is taken out and put back with its id. */
  constructor(db: Database.Database) {
    this.removedUpTo = new RemovedUpTo(db);
    this.q = {
      cursor: db.prepare("SELECT after FROM retention WHERE name = ?").pluck(),
      setCursor: db.prepare("INSERT INTO retention (name, after) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET after = excluded.after"),
      kept: db.prepare("SELECT id FROM retention_kept WHERE kind = ? AND id > ? ORDER BY id LIMIT ?").pluck(),
      keep: db.prepare("INSERT OR IGNORE INTO retention_kept (kind, id, run_id) VALUES (?, ?, ?)"),
      unkeep: db.prepare("DELETE FROM retention_kept WHERE kind = ? AND id = ?"),
      runKeptForOutbox: db.prepare("SELECT 1 FROM retention_kept WHERE kind = 'outbox' AND run_id = ? LIMIT 1").pluck(),

      outboxWalk: db.prepare("SELECT o.id AS id, o.run_id AS run_id, o.done AS done, r.created_at AS at FROM outbox o JOIN runs r ON r.id = o.run_id WHERE o.id > ? ORDER BY o.id LIMIT ?"),
      outboxOne: db.prepare("SELECT o.id AS id, o.run_id AS run_id, o.done AS done, r.created_at AS at, o.pruned_at AS pruned_at FROM outbox o JOIN runs r ON r.id = o.run_id WHERE o.id = ?"),
      deliveryPending: db.prepare("SELECT 1 FROM deliveries WHERE outbox_id = ? AND status = 'pending' LIMIT 1").pluck(),
      nextOutboxRun: db.prepare("SELECT run_id FROM outbox WHERE id > ? ORDER BY id LIMIT 1").pluck(),

      runsWalk: db.prepare(`SELECT id, created_at AS at, outcome, message_id, replayed_by, ${RUN_STATUS} FROM runs WHERE id > ? ORDER BY id LIMIT ?`),
      runOne: db.prepare(`SELECT id, created_at AS at, outcome, message_id, replayed_by, pruned_at, ${RUN_STATUS} FROM runs WHERE id = ?`),

      messagesWalk: db.prepare("SELECT id, address, received_at AS at, status FROM messages WHERE id > ? ORDER BY id LIMIT ?"),
      messageOne: db.prepare("SELECT id, address, received_at AS at, status, pruned_at FROM messages WHERE id = ?"),
      heldWaiting: db.prepare("SELECT 1 FROM held WHERE message_id = ? AND status = 'held'").pluck(),
      triggers: db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('messages', 'runs', 'outbox') ORDER BY name"),
    };
    this.rewrite = {
      // Bytes, not characters: length() of TEXT counts characters (an action's text in Japanese is three bytes each).
      outbox: rewriter(db, "outbox", { raw: "x''", action: "CASE WHEN action = '' THEN '' ELSE 'null' END", size: "length(raw)" }, "length(raw) + length(CAST(action AS BLOB))"),
      // A run with no actions (a loop, a moderator's rejection, most failures) has nothing to remove: left as it is, not
      // rewritten for nothing and then shown as "0 actions removed by retention".
      run: rewriter(db, "runs", { actions: "'[]'", action_count: "json_array_length(actions)" }, "length(CAST(actions AS BLOB)) - 2", "actions <> '[]'"),
      message: rewriter(db, "messages", { raw: "x''" }, "length(raw)"),
    };
    this.step = db.transaction((cursor: PruneCursor, cutoff: number, at: number, limit: number) => this.stepIn(cursor, cutoff, at, limit));
  }

  /** One step: up to `limit` records looked at, in one transaction. */
  prune(cursor: PruneCursor, cutoff: number, at: number, limit: number): PruneStep {
    this.noTriggers();
    return this.step(cursor, cutoff, at, limit);
  }

  /**
   * A row blanked is taken out and put back (rewriter): a trigger on its table would fire as if the row were removed
   * and another added (a count kept by a trigger would drift, a search index be told of a removal and an addition).
   * None is made by thwonkd; one added to the file by hand, or by a later migration that forgot this, stops the sweep
   * with its name (TW6058) rather than firing. Looked at each step: a trigger can be added while thwonkd runs.
   */
  private noTriggers(): void {
    const found = this.q.triggers.all() as { name: string; tbl_name: string }[];
    if (found.length === 0) return;
    const names = found.map((t) => `${t.name} (on ${t.tbl_name})`).join(", ");
    throw new Error(`the store has ${found.length === 1 ? "a trigger" : "triggers"} on a table retention rewrites, ${names}: a pruned row is deleted and inserted again with its id, which would fire it; drop it (DROP TRIGGER) or run without --keep`);
  }

  private stepIn(cursor: PruneCursor, cutoff: number, at: number, limit: number): PruneStep {
    const out: PruneStep = { messages: 0, runs: 0, outbox: 0, bytes: 0, kept: 0, done: false };
    let left = Math.max(1, limit);
    // Each turn looks at a record or ends a phase.
    while (left > 0 && cursor.phase < PRUNE_DONE) {
      left = cursor.phase <= KEPT_MESSAGES ? this.again(cursor, cutoff, at, left, out) : this.walk(cursor, cutoff, at, left, out);
    }
    out.done = cursor.phase >= PRUNE_DONE;
    return out;
  }

  /** The rows kept before, looked at again: pruned if no longer needed (and older than the cutoff). */
  private again(cursor: PruneCursor, cutoff: number, at: number, limit: number, out: PruneStep): number {
    const kind = KIND[cursor.phase]!;
    const ids = this.q.kept.all(kind, cursor.after, limit) as number[];
    for (const id of ids) {
      if (out.bytes >= STEP_BYTES) return 0; // the step's bytes: the rest in the next step
      cursor.after = id;
      const r = (kind === "outbox" ? this.q.outboxOne : kind === "run" ? this.q.runOne : this.q.messageOne).get(id) as Row | undefined;
      // Gone (it cannot be: rows are never deleted) or pruned already: nothing left to keep.
      if (!r || r["pruned_at"] !== null) {
        this.q.unkeep.run(kind, id);
        continue;
      }
      if ((r["at"] as number) >= cutoff || this.needed(kind, r)) {
        out.kept++;
        continue;
      }
      this.q.unkeep.run(kind, id);
      this.pruneOne(kind, id, at, out);
    }
    if (ids.length < limit) (cursor.phase++, (cursor.after = 0));
    return limit - ids.length;
  }

  /** The walk of one table from its cursor, up to the first record not older than the cutoff. */
  private walk(cursor: PruneCursor, cutoff: number, at: number, limit: number, out: PruneStep): number {
    const name = cursor.phase === WALK_OUTBOX ? "outbox" : cursor.phase === WALK_RUNS ? "runs" : "messages";
    const kind = cursor.phase === WALK_OUTBOX ? "outbox" : cursor.phase === WALK_RUNS ? "run" : "message";
    if (cursor.phase > WALK_MESSAGES) return limit;
    let from = (this.q.cursor.get(name) as number | undefined) ?? 0;
    const rows = ((cursor.phase === WALK_OUTBOX ? this.q.outboxWalk : cursor.phase === WALK_RUNS ? this.q.runsWalk : this.q.messagesWalk).all(from, limit) as Row[]);
    // Runs only as far as the outgoing messages were walked: a run's own come right after it.
    const runsUpTo = cursor.phase === WALK_RUNS ? ((this.q.nextOutboxRun.get((this.q.cursor.get("outbox") as number | undefined) ?? 0) as number | undefined) ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
    let ended = rows.length < limit;
    let looked = 0;
    for (const r of rows) {
      const id = r["id"] as number;
      if (out.bytes >= STEP_BYTES) {
        // The step's bytes: the rest in the next step.
        ended = false;
        looked = limit;
        break;
      }
      if ((r["at"] as number) >= cutoff || id >= runsUpTo) {
        // Stamped more than a day after the sweep's clock: every record after it waits for it, for as long as that is
        // (a clock that was years ahead for a moment holds retention back for years); said, not guessed past (TW6060).
        if (id < runsUpTo && (r["at"] as number) > at + PRUNE_AHEAD_MS) out.ahead ??= stampedAhead(kind, r);
        ended = true;
        break;
      }
      looked++;
      from = id;
      if (this.needed(kind, r)) {
        this.q.keep.run(kind, id, kind === "outbox" ? (r["run_id"] as number) : null);
        out.kept++;
      } else this.pruneOne(kind, id, at, out);
    }
    if (looked > 0) this.q.setCursor.run(name, from);
    if (ended) (cursor.phase++, (cursor.after = 0));
    return limit - looked;
  }

  private needed(kind: string, r: Row): boolean {
    const id = r["id"] as number;
    if (kind === "outbox") return r["done"] !== 1 || this.q.deliveryPending.get(id) !== undefined;
    // A failed message of a removed list is never replayed (TW6047): not kept for it.
    if (kind === "message") return ((r["status"] === "failed" && !this.removedList(r["address"] as string, id)) || r["status"] === "held" || this.q.heldWaiting.get(id) !== undefined);
    // A run: its message to replay or approve, a failed schedule to replay, outgoing messages that read its actions.
    const status = r["message_status"];
    if (status === "held" || (status === "failed" && r["list_removed"] !== 1)) return true;
    if (r["outcome"] === "failed" && r["message_id"] === null && r["replayed_by"] === null && r["list_removed"] !== 1) return true;
    return this.q.runKeptForOutbox.get(id) !== undefined;
  }

  /** Whether message `id` at `address` was a list's that has been removed since. */
  private removedList(address: string, id: number): boolean {
    return id <= (this.removedUpTo.get().get(address) ?? 0);
  }

  private pruneOne(kind: string, id: number, at: number, out: PruneStep): void {
    const bytes = this.rewrite[kind]!(id, at);
    if (bytes === undefined) return;
    out[kind === "outbox" ? "outbox" : kind === "run" ? "runs" : "messages"]++;
    out.bytes += bytes;
  }
}

/** The record a walk stopped at, stamped ahead of the clock: an outgoing message's time is its run's. */
function stampedAhead(kind: string, r: Row): StampedAhead {
  const at = r["at"] as number;
  if (kind === "message") return { table: "messages", id: r["id"] as number, column: "received_at", at };
  return { table: "runs", id: (kind === "outbox" ? r["run_id"] : r["id"]) as number, column: "created_at", at };
}

/**
 * Blanks a row's payload by taking the row out and putting it back with the payload blank, `pruned_at` the time and
 * what `set` computes: a row made smaller in place (UPDATE) leaves its page mostly empty, as SQLite merges a page with
 * its neighbours only when a row is deleted from it, and new rows go at the end of the table, never into that space:
 * measured on 20,000 messages of 2.6 kB, an UPDATE gave a third of their pages back, this all but the pages of the
 * rows kept. Every column of the table is carried over (read from the schema, so a column added later is too). The
 * payload's bytes, or undefined when the row is gone, was pruned already or has nothing to remove (`something`).
 */
function rewriter(db: Database.Database, table: string, set: Record<string, string>, bytes: string, something = "1"): (id: number, at: number) => number | undefined {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).pluck().all() as string[]);
  const values = columns.map((c) => (c === "pruned_at" ? "@at" : (set[c] ?? `"${c}"`)));
  const read = db.prepare(`SELECT ${values.join(", ")}, ${bytes} FROM "${table}" WHERE id = @id AND pruned_at IS NULL AND ${something}`).raw();
  const remove = db.prepare(`DELETE FROM "${table}" WHERE id = ?`);
  const put = db.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
  return (id, at) => {
    const row = read.get({ at, id }) as unknown[] | undefined;
    if (!row) return undefined;
    const n = row.pop() as number;
    remove.run(id);
    put.run(...row);
    return Math.max(0, n);
  };
}
