/**
 * The moderation queue in the SQLite store (the `held` table): one row per
 * held message, keyed by the message's id, written in the transaction of the
 * run that held or decided it (commitRuns), read by the owners' API.
 */
import type Database from "better-sqlite3";
import type { HeldChange, HeldRecord, HeldStatus } from "./types.js";

type Row = Record<string, unknown>;

export class SqliteHeld {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      hold: db.prepare(
        `INSERT INTO held (message_id, address, mail_from, from_addr, subject, reason, held_at, run_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'held')
         ON CONFLICT(message_id) DO UPDATE SET reason = excluded.reason, held_at = excluded.held_at, run_id = excluded.run_id, status = 'held',
           decided_at = NULL, decision_run = NULL, note = NULL`,
      ),
      decide: db.prepare("UPDATE held SET status = ?, decided_at = ?, decision_run = ?, note = ? WHERE message_id = ?"),
      one: db.prepare("SELECT * FROM held WHERE message_id = ?"),
      due: db.prepare("SELECT * FROM held WHERE status = 'held' AND held_at <= ? ORDER BY held_at, message_id LIMIT ?"),
    };
  }

  /** Part of commitRuns' transaction. */
  apply(address: string, messageId: number, runId: number, c: HeldChange): void {
    if (c.op === "hold") this.q.hold.run(messageId, address, c.mailFrom, c.from, c.subject, c.reason, c.at, runId);
    else this.q.decide.run(c.status, c.at, runId, c.note ?? null, messageId);
  }

  list(filter: { address?: string; status?: HeldStatus | "all"; limit?: number }): HeldRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.address !== undefined) (where.push("address = ?"), args.push(filter.address));
    const status = filter.status ?? "held";
    if (status !== "all") (where.push("status = ?"), args.push(status));
    const sql = `SELECT * FROM held ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY message_id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit ?? 1000) as Row[]).map(toHeld);
  }

  one(id: number): HeldRecord | undefined {
    const r = this.q.one.get(id) as Row | undefined;
    return r ? toHeld(r) : undefined;
  }

  due(heldBefore: number, limit: number): HeldRecord[] {
    return (this.q.due.all(heldBefore, limit) as Row[]).map(toHeld);
  }
}

function toHeld(r: Row): HeldRecord {
  return {
    id: r["message_id"] as number,
    address: r["address"] as string,
    mailFrom: (r["mail_from"] as string | null) ?? null,
    from: (r["from_addr"] as string | null) ?? null,
    subject: r["subject"] as string,
    reason: r["reason"] as string,
    heldAt: r["held_at"] as number,
    runId: r["run_id"] as number,
    status: r["status"] as HeldStatus,
    decidedAt: (r["decided_at"] as number | null) ?? null,
    decisionRun: (r["decision_run"] as number | null) ?? null,
    note: (r["note"] as string | null) ?? null,
  };
}
