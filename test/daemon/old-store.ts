/**
 * Rows as an older thwonkd wrote them, for tests of the migrations that follow (openSchemaBefore): the insert
 * statements of the version before `outbox.action_at`, each outgoing message's action kept as its own JSON.
 */
import type Database from "better-sqlite3";
import type { RunCommit } from "../../runtime/daemon/store/types.js";

/** Commits written with the old statements, in one transaction; each run's id and its outbox rows' ids. */
export function writeOld(db: Database.Database, commits: RunCommit[], now = 1_700_000_000_000): { runId: number; outboxIds: number[] }[] {
  const message = db.prepare("INSERT INTO messages (address, mail_from, rcpt_to, received_at, size, status, problems, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const run = db.prepare(
    "INSERT INTO runs (address, trigger, message_id, now, bundle_hash, outcome, error, gas_used, gas_bound, actions, replay_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const outbox = db.prepare("INSERT INTO outbox (run_id, address, file, message_id, recipients, action, raw) VALUES (?, ?, ?, ?, ?, ?, ?)");
  return db.transaction(() =>
    commits.map((c) => {
      const m = c.message;
      const messageId = m ? Number(message.run(c.address, m.mailFrom, m.rcptTo, m.receivedAt, m.raw.length, m.status, JSON.stringify(m.problems), m.raw).lastInsertRowid) : null;
      const r = c.run;
      const runId = Number(
        run.run(c.address, r.trigger, messageId, r.now, r.bundleHash, r.outcome, r.error ? JSON.stringify(r.error) : null, r.gasUsed, r.gasBound, JSON.stringify(r.actions), r.replayOf, now)
          .lastInsertRowid,
      );
      const outboxIds = (c.outbox ?? []).map((o) => Number(outbox.run(runId, c.address, o.file, o.messageId, JSON.stringify(o.recipients), JSON.stringify(o.action), o.raw).lastInsertRowid));
      return { runId, outboxIds };
    }),
  )();
}
