/**
 * The store's side of replaying failed scheduled runs: a run that replays one marks it (`replayed_by`) in its commit,
 * the failed ones waiting are found through an index of those alone, and a store made before the column migrates
 * with its failed scheduled runs listed as replayable. And a group's runs are recorded at the time it is given.
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

const LIST = "due@example.org";
const DUE = Date.UTC(2026, 5, 2);
const failedRun = (trigger: string): RunCommit["run"] => ({
  trigger, now: DUE, bundleHash: "h", replayOf: null, outcome: "failed",
  error: { code: "TW5001", message: "out of gas", line: 1, column: 2 }, gasUsed: 9, gasBound: 9, actions: [],
});
const scheduled = (address = LIST): RunCommit => ({ address, run: failedRun("day at 00:00"), due: { trigger: "day at 00:00", at: DUE } });
const onMessage = (): RunCommit => ({
  address: LIST,
  message: { raw: Buffer.from("Subject: x\r\n\r\nx\r\n"), mailFrom: "a@example.org", rcptTo: LIST, receivedAt: DUE, status: "failed", problems: [] },
  run: failedRun("message"),
});

test("a replay marks the failed scheduled run it replays, in its commit; the waiting ones are found by their own index", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-due-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(file);
    const at = Date.UTC(2026, 5, 2, 0, 0, 1);
    const [a, , other, b] = await store.commitRuns([scheduled(), onMessage(), scheduled("other@example.org"), scheduled()], at);
    assert.deepEqual((await store.failedSchedules({ address: LIST })).map((r) => [r.id, r.replayable, r.replayedBy]), [[a!.runId, true, null], [b!.runId, true, null]]);
    assert.deepEqual((await store.failedSchedules()).map((r) => r.id), [a!.runId, other!.runId, b!.runId]);
    assert.deepEqual((await store.failedSchedules({ address: LIST, after: a!.runId, limit: 1 })).map((r) => r.id), [b!.runId]);
    assert.ok((await store.runs({})).every((r) => r.createdAt === at), "recorded at the time given, not the real clock's");
    const [replay] = await store.commitRuns([{ address: LIST, run: { ...failedRun("day at 00:00"), replayOf: a!.runId }, replays: a!.runId }], at + 1);
    const replayed = await store.run(a!.runId);
    assert.equal(replayed!.replayedBy, replay!.runId);
    assert.equal(replayed!.replayable, false);
    assert.deepEqual((await store.failedSchedules({ address: LIST })).map((r) => r.id), [b!.runId, replay!.runId], "the replay's failure waits in its place");
    const message = (await store.runs({ failed: true })).find((r) => r.messageId !== null)!;
    assert.equal(message.replayable, true, "a failed message's run, its message still failed");
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM runs WHERE outcome = 'failed' AND message_id IS NULL AND replayed_by IS NULL AND address = ? ORDER BY id LIMIT 5`).all(LIST) as { detail: string }[]).map((r) => r.detail).join("; ");
      assert.match(plan, /USING INDEX runs_failed_due/);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a store from before replayed_by migrates: its failed scheduled runs are listed as replayable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-due-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const db = openSchemaBefore(file, "replayed_by");
    const [a, m] = writeOld(db, [scheduled(), onMessage()]);
    db.close();
    const store = openSqliteStore(file);
    try {
      assert.deepEqual((await store.failedSchedules()).map((r) => [r.id, r.replayable, r.replayedBy]), [[a!.runId, true, null]]);
      assert.equal((await store.run(m!.runId))!.replayable, true);
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    assert.equal(check.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
