/**
 * What a group commit writes, byte for byte: the run's actions, each
 * outgoing message's recipients and raw bytes, the message's problems, as
 * JSON.stringify of each value writes them (the store writes each action's
 * JSON once, in the run's row; an outbox row names its action's place
 * there), for actions that are shared with the outbox rows and ones that
 * are not, with unicode, `__proto__` keys, nested values and empty lists;
 * and each pending row read back with its action as it was given.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { RunAction } from "../../contract/index.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { RunCommit } from "../../runtime/daemon/store/types.js";

const LIST = "rows@example.org";

function commits(): RunCommit[] {
  const proto = JSON.parse('{"kind":"send","__proto__":{"x":1},"to":["a@example.org"]}') as RunAction;
  const send: RunAction = { kind: "send", to: ["ann@example.org", "bob@example.org"], subject: "Ünïcødé ☕ \u2028 \"quoted\" \\", text: "line 1\nline 2\u0000", at: { line: 3, column: 5 } };
  const reply: RunAction = { kind: "reply", to: ["carol@example.org"], text: "", headers: { "In-Reply-To": "<x@y>" }, at: { line: 4, column: 1 } };
  const state: RunAction = { kind: "publish", to: [], value: { nested: [1, { deep: null }], empty: [] }, at: { line: 2, column: 1 } };
  const raw = (s: string): Buffer => Buffer.from(`Subject: ${s}\r\n\r\nbody\r\n`);
  const run = (actions: RunAction[]): RunCommit["run"] => ({ trigger: "message", now: 1_700_000_000_000, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 3, gasBound: 9, actions });
  return [
    {
      address: LIST,
      message: { raw: raw("one"), mailFrom: "ann@example.org", rcptTo: LIST, receivedAt: 1, status: "accepted", problems: [] },
      run: run([state, send, reply, proto]),
      outbox: [
        { file: "f1", messageId: "m1@example.org", recipients: ["ann@example.org", "bob@example.org"], action: send, raw: raw("out 1") },
        { file: "f2", messageId: "m2@example.org", recipients: ["carol@example.org"], action: reply, raw: raw("out 2") },
        // Not one of the run's actions (a copy): written as its own JSON.
        { file: "f3", messageId: "m3@example.org", recipients: [], action: { ...send, subject: "copy" }, raw: raw("out 3") },
        { file: "f4", messageId: "m4@example.org", recipients: ["a@example.org"], action: proto, raw: raw("out 4") },
      ],
    },
    {
      address: LIST,
      message: { raw: raw("two"), mailFrom: null, rcptTo: `${LIST}`, receivedAt: 2, status: "failed", problems: ["the Date header \"x\" could not be read; the date is none", "ü"] },
      run: { ...run([]), outcome: "failed", error: { code: "TW5001", message: "out of gas", line: 1, column: 2 } },
    },
    { address: LIST, run: run([send]), outbox: [] },
  ];
}

test("a group commit writes each value as JSON.stringify writes it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-rows-"));
  try {
    const file = join(dir, "thwonkd.sqlite");
    const store = openSqliteStore(file);
    const given = commits();
    const ids = await store.commitRuns(given);
    await store.sync?.();
    const pending = await store.pendingOutbox();
    assert.deepEqual(
      pending.map((r) => [r.file, r.action]),
      given.flatMap((c) => (c.outbox ?? []).map((o) => [o.file, o.action])),
    );
    assert.equal(Object.hasOwn(pending[3]!.action, "__proto__"), true);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      given.forEach((c, i) => {
        const run = db.prepare("SELECT * FROM runs WHERE id = ?").get(ids[i]!.runId) as Record<string, unknown>;
        assert.equal(run["actions"], JSON.stringify(c.run.actions));
        assert.equal(run["error"], c.run.error ? JSON.stringify(c.run.error) : null);
        if (c.message) {
          const m = db.prepare("SELECT * FROM messages WHERE id = ?").get(ids[i]!.messageId) as Record<string, unknown>;
          assert.equal(m["problems"], JSON.stringify(c.message.problems));
          assert.deepEqual(m["raw"], c.message.raw);
        }
        assert.equal(ids[i]!.outboxIds.length, c.outbox?.length ?? 0);
        (c.outbox ?? []).forEach((o, j) => {
          const row = db.prepare("SELECT * FROM outbox WHERE id = ?").get(ids[i]!.outboxIds[j]) as Record<string, unknown>;
          // An action that is one of the run's is named by its place in the run's actions; another keeps its JSON.
          const k = c.run.actions.indexOf(o.action);
          assert.equal(row["action"], k >= 0 ? "" : JSON.stringify(o.action));
          assert.equal(row["action_at"], k >= 0 ? k : null);
          assert.equal(row["recipients"], JSON.stringify(o.recipients));
          assert.equal(row["file"], o.file);
          assert.equal(row["run_id"], ids[i]!.runId);
          assert.deepEqual(row["raw"], o.raw);
        });
      });
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a group that fails writes nothing, and the store takes the next group", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-rows-"));
  try {
    const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
    const [a, b] = commits();
    // The second outbox row names the first's file again (UNIQUE): the whole group rolls back.
    const bad: RunCommit = { ...b!, outbox: [a!.outbox![0]!] };
    await assert.rejects(store.commitRuns([a!, bad]), /UNIQUE/);
    assert.deepEqual(await store.runs(), []);
    assert.deepEqual(await store.pendingOutbox(), []);
    const ids = await store.commitRuns([a!]);
    assert.equal((await store.runs()).length, 1);
    assert.equal((await store.pendingOutbox()).length, 4);
    assert.equal(ids[0]!.outboxIds.length, 4);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
