/**
 * Removing a list in the SQLite store (the `list_removals` table, schema version 12), and the counts of the lists
 * view. Its statements are its own, on the store's first connection (never the group commit's): a removal is one
 * transaction, made in the list's turn once its runs are committed (Daemon.removeList).
 *
 * What a removal drops: the members (the `lists` row is kept, its members' version bumped, so a sandbox that kept
 * the old roster by version never takes it for a new list's), the state, the schedules' bookkeeping (`schedule`,
 * `list_start`: a list deployed there again counts its schedules from its own deploy), the signing key (tokens the
 * old list signed, unsubscribe links among them, do not hold for a new one) and the published pages (a public
 * archive a stranger's list would otherwise serve; each page's HTML stays in the run that published it). Held
 * messages still waiting expire (`expired`, decided at the removal, with a note). Everything else is history and
 * stays: deployments, bundles, runs, messages, bounces, outbox rows and deliveries (pending ones are still sent).
 */
import type Database from "better-sqlite3";
import type { ListCounts, ListRemoval } from "./types.js";

type Row = Record<string, unknown>;

/** The note a held message expired by a removal carries (HeldRecord.note). */
export const REMOVED_NOTE = "the list was removed";

/**
 * Per address, the last message of the lists removed from it: a message at an address up to it was a removed list's
 * (one after it, a list's deployed there since). A removal's last run is the last of its list (list_removals); a
 * message is stored with its first run, in the same order, so the highest message a run up to it names is the list's
 * last (a replay names an older one). Computed once per removal (a removal never changes) and kept. The failed
 * messages' views and retention (sqlite-retention.ts) read it, each on its own connection.
 */
export class RemovedUpTo {
  private readonly removals;
  private readonly lastMessage;
  /** Per removal (its id): its address and the last message of the list it removed. */
  private readonly cuts = new Map<number, { address: string; upTo: number }>();

  constructor(db: Database.Database) {
    this.removals = db.prepare("SELECT id, address, last_run FROM list_removals");
    this.lastMessage = db.prepare("SELECT COALESCE(MAX(message_id), 0) FROM runs WHERE address = ? AND id <= ?").pluck();
  }

  get(): Map<string, number> {
    for (const r of this.removals.all() as { id: number; address: string; last_run: number }[]) {
      if (!this.cuts.has(r.id)) this.cuts.set(r.id, { address: r.address, upTo: this.lastMessage.get(r.address, r.last_run) as number });
    }
    const out = new Map<string, number>();
    for (const { address, upTo } of this.cuts.values()) out.set(address, Math.max(out.get(address) ?? 0, upTo));
    return out;
  }
}

export class SqliteLists {
  private readonly q;
  private readonly remove: (address: string, at: number) => ListRemoval;

  constructor(db: Database.Database) {
    this.q = {
      list: db.prepare("SELECT l.hash AS hash, b.rule AS rule FROM lists l LEFT JOIN bundles b ON b.hash = l.hash WHERE l.address = ?"),
      members: db.prepare("SELECT COUNT(*) AS n FROM members WHERE address = ?"),
      lastRun: db.prepare("SELECT COALESCE(MAX(id), 0) AS n FROM runs WHERE address = ?"),
      expireMessages: db.prepare("UPDATE messages SET status = 'expired' WHERE id IN (SELECT message_id FROM held WHERE address = ? AND status = 'held')"),
      expireHeld: db.prepare("UPDATE held SET status = 'expired', decided_at = ?, decision_run = NULL, note = ? WHERE address = ? AND status = 'held'"),
      record: db.prepare("INSERT INTO list_removals (address, hash, rule, removed_at, members, held, last_run) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      dropMembers: db.prepare("DELETE FROM members WHERE address = ?"),
      dropList: db.prepare("UPDATE lists SET hash = '', state = NULL, state_hash = NULL, members_version = members_version + 1 WHERE address = ?"),
      dropSchedule: db.prepare("DELETE FROM schedule WHERE address = ?"),
      dropStart: db.prepare("DELETE FROM list_start WHERE address = ?"),
      dropSecret: db.prepare("DELETE FROM list_secrets WHERE address = ?"),
      dropPublished: db.prepare("DELETE FROM published WHERE address = ?"),
      one: db.prepare("SELECT * FROM list_removals WHERE id = ?"),
      all: db.prepare("SELECT * FROM list_removals ORDER BY id"),
      of: db.prepare("SELECT * FROM list_removals WHERE lower(address) = lower(?) ORDER BY id"),
      memberCounts: db.prepare("SELECT address, COUNT(*) AS n FROM members GROUP BY address"),
      heldCounts: db.prepare("SELECT address, COUNT(*) AS n FROM held WHERE status = 'held' GROUP BY address"),
    };
    this.remove = db.transaction((address: string, at: number): ListRemoval => {
      const q = this.q;
      const list = q.list.get(address) as Row | undefined;
      if (!list || list["hash"] === "") throw new Error(`no list is deployed at ${address}`);
      const members = (q.members.get(address) as { n: number }).n;
      const lastRun = (q.lastRun.get(address) as { n: number }).n;
      q.expireMessages.run(address);
      const held = q.expireHeld.run(at, REMOVED_NOTE, address).changes;
      const id = Number(q.record.run(address, list["hash"], (list["rule"] as string | null) ?? "", at, members, held, lastRun).lastInsertRowid);
      q.dropMembers.run(address);
      q.dropList.run(address);
      q.dropSchedule.run(address);
      q.dropStart.run(address);
      q.dropSecret.run(address);
      q.dropPublished.run(address);
      return toRemoval(q.one.get(id) as Row);
    });
  }

  removeList(address: string, at: number): ListRemoval {
    return this.remove(address, at);
  }

  removals(address?: string): ListRemoval[] {
    return ((address === undefined ? this.q.all.all() : this.q.of.all(address)) as Row[]).map(toRemoval);
  }

  counts(): Map<string, ListCounts> {
    const out = new Map<string, ListCounts>();
    const at = (address: string): ListCounts => {
      let c = out.get(address);
      if (!c) out.set(address, (c = { members: 0, held: 0 }));
      return c;
    };
    for (const r of this.q.memberCounts.all() as { address: string; n: number }[]) at(r.address).members = r.n;
    for (const r of this.q.heldCounts.all() as { address: string; n: number }[]) at(r.address).held = r.n;
    return out;
  }
}

function toRemoval(r: Row): ListRemoval {
  return {
    id: r["id"] as number,
    address: r["address"] as string,
    hash: r["hash"] as string,
    rule: r["rule"] as string,
    removedAt: r["removed_at"] as number,
    members: r["members"] as number,
    held: r["held"] as number,
    lastRun: r["last_run"] as number,
  };
}
