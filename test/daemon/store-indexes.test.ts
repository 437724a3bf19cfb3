/**
 * The store indexes failed runs and pending outbox rows alone (a commit of runs that succeeded writes no index
 * page for them): the queries that look for those rows use the partial indexes, and a store made before them
 * migrates with its rows still found. Failed messages likewise (messages_failed), found by the store through it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openSchemaBefore, openSqliteStore, SCHEMA_VERSION } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";
import { writeOld } from "./old-store.js";

const LIST = "idx@example.org";
const raw = (s: string): Buffer => Buffer.from(`Subject: ${s}\r\n\r\nbody\r\n`);
const run = (outcome: "ok" | "failed"): RunCommit["run"] => ({
  trigger: "message", now: 1_700_000_000_000, bundleHash: "h", replayOf: null, outcome,
  error: outcome === "failed" ? { code: "TW5001", message: "out of gas", line: 1, column: 2 } : null, gasUsed: 3, gasBound: 9, actions: [],
});
const commits = (n: number): RunCommit[] =>
  Array.from({ length: n }, (_, i) => ({
    address: LIST,
    message: { raw: raw(`m${i}`), mailFrom: "a@example.org", rcptTo: LIST, receivedAt: i, status: i % 3 === 0 ? "failed" : "accepted", problems: [] },
    run: run(i % 3 === 0 ? "failed" : "ok"),
    outbox: i % 3 === 0 ? [] : [{ file: `f${i}`, messageId: `m${i}@example.org`, recipients: ["b@example.org"], action: { kind: "send", to: ["b@example.org"], at: { line: 1, column: 1 } }, raw: raw(`out ${i}`) }],
  }));

function plan(file: string, sql: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join("; ");
  } finally {
    db.close();
  }
}

test("pending outbox rows and failed runs are found through indexes of those rows alone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-idx-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(file);
    await store.commitRuns(commits(30));
    const pending = await store.pendingOutbox();
    assert.equal(pending.length, 20);
    await store.markOutboxDone(pending.slice(0, 15).map((r) => r.id));
    assert.deepEqual((await store.pendingOutbox()).map((r) => r.file), pending.slice(15).map((r) => r.file));
    const failed = await store.runs({ failed: true });
    assert.equal(failed.length, 10);
    const failedMessages = await store.messages({ address: LIST, status: "failed" });
    assert.deepEqual(failedMessages.map((m) => m.id), failed.map((r) => r.messageId));
    assert.equal((await store.messages({ status: "accepted" })).length, 20);
    await assert.rejects(store.messages({ status: "failed' OR 1 = 1 --" as "failed" }), /no message has the status/);
    assert.ok(failed.every((r) => r.outcome === "failed"));
    assert.deepEqual((await store.runs({ failed: true, after: failed[4]!.id })).map((r) => r.id), failed.slice(5).map((r) => r.id));
    await store.close();
    assert.match(plan(file, "SELECT * FROM outbox WHERE done = 0 ORDER BY id LIMIT 5"), /USING INDEX outbox_pending/);
    assert.match(plan(file, "SELECT * FROM runs WHERE outcome = 'failed' ORDER BY id LIMIT 5"), /USING INDEX runs_failed/);
    // The store's own query for pending rows (it joins each row's run, for its action).
    assert.match(
      plan(file, "SELECT o.*, CASE WHEN o.action_at IS NULL THEN NULL ELSE r.actions END AS run_actions FROM outbox o LEFT JOIN runs r ON r.id = o.run_id WHERE o.done = 0 ORDER BY o.id LIMIT 5"),
      /USING INDEX outbox_pending/,
    );
    assert.match(plan(file, `SELECT * FROM messages WHERE address = '${LIST}' AND status = 'failed' ORDER BY id LIMIT 5`), /USING INDEX messages_failed/);
    assert.match(plan(file, "SELECT * FROM runs WHERE outcome = 'failed' AND id > 3 ORDER BY id LIMIT 5"), /USING INDEX runs_failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store with the full indexes of the version before migrates, and its rows are found", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-idx-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    // A store as the version before the partial indexes made it, with its rows.
    const db = openSchemaBefore(file, "runs_failed");
    writeOld(db, commits(9));
    db.close();
    const again = openSqliteStore(file);
    assert.equal((await again.pendingOutbox()).length, 6);
    assert.equal((await again.runs({ failed: true })).length, 3);
    assert.equal((await again.messages({ status: "failed" })).length, 3);
    await again.close();
    const check = new Database(file, { readonly: true });
    const indexes = (check.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('runs', 'outbox')").all() as { name: string; sql: string | null }[]).map((r) => r.name);
    assert.equal(check.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    check.close();
    assert.ok(indexes.includes("runs_failed") && !indexes.includes("runs_outcome"), indexes.join(", "));
    assert.ok(indexes.includes("outbox_pending"));
    const messageIndexes = (new Database(file, { readonly: true }).prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'").all() as { name: string }[]).map((r) => r.name);
    assert.ok(messageIndexes.includes("messages_failed") && !messageIndexes.includes("messages_status"), messageIndexes.join(", "));
    assert.match(plan(file, "SELECT * FROM outbox WHERE done = 0 ORDER BY id LIMIT 5"), /USING INDEX outbox_pending/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
