/**
 * The SQLite store's schema: its migrations, one step per version (`PRAGMA user_version`), run at open in a
 * transaction each; a database of a newer version than this thwonkd's is refused. A step is never edited once
 * released: a change is a new step at the end.
 */
import Database from "better-sqlite3";
import { canonicalAddress } from "../../../contract/index.js";

/** Each step takes the schema from version i to i + 1. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE bundles (hash TEXT PRIMARY KEY, rule TEXT NOT NULL, compiler TEXT NOT NULL, source TEXT NOT NULL, json TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE deployments (id INTEGER PRIMARY KEY, address TEXT NOT NULL, hash TEXT NOT NULL REFERENCES bundles(hash), deployed_at INTEGER NOT NULL);
  CREATE INDEX deployments_address ON deployments(address, id);
  CREATE TABLE lists (address TEXT PRIMARY KEY, hash TEXT NOT NULL, members_version INTEGER NOT NULL DEFAULT 0,
    state TEXT, state_hash TEXT);
  CREATE TABLE members (address TEXT NOT NULL, member TEXT NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, joined INTEGER NOT NULL,
    PRIMARY KEY (address, member));
  CREATE INDEX members_order ON members(address, pos);
  CREATE TABLE messages (id INTEGER PRIMARY KEY, address TEXT NOT NULL, mail_from TEXT, rcpt_to TEXT NOT NULL, received_at INTEGER NOT NULL,
    size INTEGER NOT NULL, status TEXT NOT NULL, problems TEXT NOT NULL, raw BLOB NOT NULL);
  CREATE INDEX messages_status ON messages(address, status);
  CREATE TABLE runs (id INTEGER PRIMARY KEY, address TEXT NOT NULL, trigger TEXT NOT NULL, message_id INTEGER REFERENCES messages(id), now INTEGER NOT NULL,
    bundle_hash TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, gas_used INTEGER NOT NULL, gas_bound INTEGER NOT NULL, actions TEXT NOT NULL,
    replay_of INTEGER, created_at INTEGER NOT NULL);
  CREATE INDEX runs_address ON runs(address, id);
  CREATE INDEX runs_outcome ON runs(outcome, id);
  CREATE TABLE outbox (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), address TEXT NOT NULL, file TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL, recipients TEXT NOT NULL, action TEXT NOT NULL, raw BLOB NOT NULL, done INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX outbox_pending ON outbox(done, id);
  CREATE TABLE published (address TEXT NOT NULL, path TEXT NOT NULL, html TEXT NOT NULL, updated_at INTEGER NOT NULL, run_id INTEGER NOT NULL,
    PRIMARY KEY (address, path));
  CREATE TABLE schedule (address TEXT NOT NULL, trigger TEXT NOT NULL, last_due INTEGER NOT NULL, PRIMARY KEY (address, trigger));
  CREATE TABLE list_start (address TEXT PRIMARY KEY, at INTEGER NOT NULL);
  `,
  // Delivery to a relay: each outbox row in batches of recipients, each batch's state.
  `
  CREATE TABLE deliveries (id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL REFERENCES outbox(id), recipients TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    code INTEGER, response TEXT);
  CREATE INDEX deliveries_due ON deliveries(status, next_at);
  CREATE INDEX deliveries_outbox ON deliveries(outbox_id);
  `,
  // Moderation: each held message, waiting or decided (store/sqlite-held.ts).
  `
  CREATE TABLE held (message_id INTEGER PRIMARY KEY REFERENCES messages(id), address TEXT NOT NULL, mail_from TEXT, from_addr TEXT, subject TEXT NOT NULL,
    reason TEXT NOT NULL, held_at INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id), status TEXT NOT NULL,
    decided_at INTEGER, decision_run INTEGER REFERENCES runs(id), note TEXT);
  CREATE INDEX held_waiting ON held(status, held_at);
  CREATE INDEX held_address ON held(address, status, message_id);
  `,
  // Bounces: delivery status reports per member; a member's count is of those since they joined.
  `
  CREATE TABLE bounces (id INTEGER PRIMARY KEY, address TEXT NOT NULL, member TEXT NOT NULL, member_key TEXT NOT NULL, at INTEGER NOT NULL,
    status TEXT NOT NULL, action TEXT NOT NULL, diagnostic TEXT NOT NULL, verp INTEGER NOT NULL, run_id INTEGER NOT NULL REFERENCES runs(id));
  CREATE INDEX bounces_member ON bounces(address, member_key, at);
  `,
  // Each list's signing key for list.sign and list.verify (runtime/sandbox/tokens.ts): made at its first deployment,
  // given to the host side of its runs, never to a rule and never by the API.
  `
  CREATE TABLE list_secrets (address TEXT PRIMARY KEY, secret TEXT NOT NULL, created_at INTEGER NOT NULL);
  `,
  // Which message each bounce reports on: a member's count is of distinct messages, so a report sent again counts once;
  // a report's Message-ID is looked up in the outbox by its index, and a member by address without case (bounces,
  // one-click, each recipient's transaction) by an index, not by a scan of the list's members.
  `
  ALTER TABLE bounces ADD COLUMN message_id TEXT;
  CREATE INDEX outbox_message ON outbox(address, message_id);
  CREATE INDEX members_lower ON members(address, lower(member));
  `,
  // Failed runs and pending outbox rows are what is looked for: indexes of those rows alone, so a commit of runs
  // that succeeded, and the outbox marking its rows done, write no index page for them.
  `
  DROP INDEX runs_outcome;
  CREATE INDEX runs_failed ON runs(id) WHERE outcome = 'failed';
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_pending ON outbox(id) WHERE done = 0;
  `,
  // An outgoing message's action as its place in its run's actions (runs.actions holds its JSON), not a second copy of
  // it: `action` is then ''. A row whose action is not one of its run's, and every row from before, keeps its own.
  `
  ALTER TABLE outbox ADD COLUMN action_at INTEGER;
  `,
  // The messages looked for by status are the failed ones (to replay): an index of those alone, so a commit of an
  // accepted message writes no index page for its status.
  `
  DROP INDEX messages_status;
  CREATE INDEX messages_failed ON messages(address, id) WHERE status = 'failed';
  `,
  // A failed scheduled run has no message whose status says it was replayed: the run that replayed it is kept on it,
  // so it is replayed once, and the failed ones still waiting are found through an index of those alone.
  `
  ALTER TABLE runs ADD COLUMN replayed_by INTEGER REFERENCES runs(id);
  CREATE INDEX runs_failed_due ON runs(address, id) WHERE outcome = 'failed' AND message_id IS NULL AND replayed_by IS NULL;
  `,
  // An address's canonical form is NFC too (contract/values.ts canonicalAddress): a member stored before, written
  // decomposed (`e` + U+0301), is stored at its canonical form (`é`), so the rule's `members`, a removal and a
  // bounce find it by the one address; of two members of a list that are one address now, the first is kept (its
  // name, role and joined). Only rows with a character past ASCII are read by the rule (thwonk_canonical_address,
  // which keeps an address the rule refuses as it is: run-commit.ts frozen leaves it out of runs). Bounces follow.
  `
  CREATE TEMP TABLE nfc_members AS SELECT rowid AS id, address, pos, thwonk_canonical_address(member) AS canon FROM members
    WHERE member GLOB '*[^ -~]*' AND member <> thwonk_canonical_address(member);
  CREATE TEMP TABLE nfc_group AS SELECT id, address, pos, canon FROM nfc_members
    UNION ALL SELECT m.rowid, m.address, m.pos, m.member FROM members m JOIN (SELECT DISTINCT address, canon FROM nfc_members) n ON n.address = m.address AND n.canon = m.member;
  DELETE FROM members WHERE rowid IN
    (SELECT g.id FROM nfc_group g WHERE EXISTS (SELECT 1 FROM nfc_group o WHERE o.address = g.address AND o.canon = g.canon AND o.pos < g.pos));
  UPDATE members SET member = thwonk_canonical_address(member) WHERE rowid IN (SELECT id FROM nfc_members);
  UPDATE lists SET members_version = members_version + 1 WHERE address IN (SELECT address FROM nfc_members);
  UPDATE bounces SET member = thwonk_canonical_address(member), member_key = lower(thwonk_canonical_address(member))
    WHERE member GLOB '*[^ -~]*' AND member <> thwonk_canonical_address(member);
  DROP TABLE nfc_members;
  DROP TABLE nfc_group;
  `,
  // Removing a list (store/sqlite-lists.ts): each removal, with the version it ran, what went with it, and its last
  // run, up to which the address's runs are the removed list's (not replayed, not a list's deployed there since).
  `
  CREATE TABLE list_removals (id INTEGER PRIMARY KEY, address TEXT NOT NULL, hash TEXT NOT NULL, rule TEXT NOT NULL, removed_at INTEGER NOT NULL,
    members INTEGER NOT NULL, held INTEGER NOT NULL, last_run INTEGER NOT NULL);
  CREATE INDEX list_removals_address ON list_removals(address, last_run);
  `,
  // Retention (thwonkd --keep; store/sqlite-retention.ts): when a record's payload was removed, with what a run had
  // (its actions' count) and an outgoing message's size; each table's sweep cursor; the rows a sweep passed over as
  // still needed, looked at again by the next (an outgoing message's with its run, which is kept with it).
  `
  ALTER TABLE messages ADD COLUMN pruned_at INTEGER;
  ALTER TABLE runs ADD COLUMN pruned_at INTEGER;
  ALTER TABLE runs ADD COLUMN action_count INTEGER;
  ALTER TABLE outbox ADD COLUMN pruned_at INTEGER;
  ALTER TABLE outbox ADD COLUMN size INTEGER;
  CREATE TABLE retention (name TEXT PRIMARY KEY, after INTEGER NOT NULL);
  CREATE TABLE retention_kept (kind TEXT NOT NULL, id INTEGER NOT NULL, run_id INTEGER, PRIMARY KEY (kind, id)) WITHOUT ROWID;
  CREATE INDEX retention_kept_run ON retention_kept(run_id) WHERE kind = 'outbox';
  `,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * A database made as the thwonkd before the migration whose text contains `marker` made it (its schema and version),
 * open, for tests of a migration with the rows of an older version in it.
 */
export function openSchemaBefore(file: string, marker: string): Database.Database {
  const upTo = MIGRATIONS.findIndex((m) => m.includes(marker));
  if (upTo < 0) throw new Error(`no migration contains ${JSON.stringify(marker)}`);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  migrationFunctions(db);
  for (let v = 0; v < upTo; v++) db.exec(MIGRATIONS[v]!);
  db.pragma(`user_version = ${upTo}`);
  return db;
}

/** The SQL functions the migrations call: an address's canonical form (the one address rule), or it as it is when the rule refuses it. */
function migrationFunctions(db: Database.Database): void {
  db.function("thwonk_canonical_address", { deterministic: true }, (s: unknown) => (typeof s === "string" ? (canonicalAddress(s) ?? s) : s));
}

export function migrate(db: Database.Database): void {
  migrationFunctions(db);
  const at = db.pragma("user_version", { simple: true }) as number;
  if (at > MIGRATIONS.length) throw new Error(`the database's schema version ${at} is newer than this thwonkd's (${MIGRATIONS.length}); run a newer thwonkd`);
  for (let v = at; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
