/**
 * A group commit whose outbox hand-off throws (commit.ts, `outgoing`): the group is on the disk, so its messages
 * are answered as committed (250), never failed (451: their senders would send them again, and each would run
 * twice). The rows stay pending in the store, and the outbox, told of the failure, reads them back from there:
 * each is written to the Maildir and marked done once. Real SQLite, a real Maildir.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import pino from "pino";
import { GroupCommitter } from "../../runtime/daemon/commit.js";
import { MaildirOutbox } from "../../runtime/daemon/outbox.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import type { OutboxRow, RunCommit } from "../../runtime/daemon/store/types.js";
import { until, countingMarks } from "./helpers.js";

const LIST = "handoff@example.org";
const quiet = pino({ level: "silent" });

function commit(n: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: m${n}@example.org\r\nSubject: n ${n}\r\nMessage-ID: <h.${n}@example.org>\r\n\r\nbody ${n}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Th${n}_1.test`, messageId: `h.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test("a hand-off that throws: the group is answered as committed, and told once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-handoff-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const told: unknown[] = [];
    const c = new GroupCommitter(
      store,
      () => {
        throw new Error("hand-off broke");
      },
      (err) => told.push(err),
    );
    const ids = await Promise.all([c.commit(commit(1)), c.commit(commit(2)), c.commit(commit(3))]);
    assert.equal(ids.length, 3);
    for (const i of ids) assert.equal(i.outboxIds.length, 1);
    assert.equal(told.length, 1);
    assert.match(String(told[0]), /hand-off broke/);
    assert.equal(c.stats.failed, 0);
    // The rows are durable and pending: the outbox's next read of the store finds them.
    assert.deepEqual((await store.pendingOutbox()).map((r) => r.id).sort(), ids.map((i) => i.outboxIds[0]).sort());
    // A later group is committed and answered as usual.
    await c.commit(commit(4));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a hand-off that throws, and its report that throws too: the group is still answered as committed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-handoff-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const c = new GroupCommitter(
      store,
      () => {
        throw new Error("hand-off broke");
      },
      () => {
        throw new Error("and so did its report");
      },
    );
    const ids = await Promise.all([c.commit(commit(1)), c.commit(commit(2))]);
    assert.equal(ids.length, 2);
    assert.equal(c.stats.failed, 0);
    // The rows stay pending in the store, for the outbox's next read of it.
    assert.equal((await store.pendingOutbox()).length, 2);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a hand-off that throws once: its rows still reach the Maildir, each written and marked done once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-handoff-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const { store, marked } = countingMarks(real);
  try {
    const outbox = new MaildirOutbox(dir, store, quiet);
    await outbox.kick(); // caught up: from now on rows come from memory
    let throws = 1;
    const c = new GroupCommitter(
      store,
      (rows: OutboxRow[]) => {
        // Throws after taking some of the rows: the outbox must not count on what it was handed.
        outbox.committed(rows.slice(0, 1));
        if (throws-- > 0) throw new Error("hand-off broke");
      },
      (err) => outbox.handOffFailed(err),
    );
    const first = await Promise.all([c.commit(commit(1)), c.commit(commit(2)), c.commit(commit(3))]);
    await turns();
    const second = await Promise.all([c.commit(commit(4))]);
    const ids = [...first, ...second].map((i) => i.outboxIds[0]!);
    const files = (): string[] => readdirSync(join(dir, "outbox", "new")).sort();
    await until("every row's file", async () => {
      await outbox.kick();
      return files().length >= 4 || undefined;
    });
    // Rows 2 and 3 were never handed on from memory, and row 1 was let go with the rest: all three read from the store.
    await until("every row marked", async () => {
      await outbox.kick();
      return (await real.pendingOutbox()).length === 0 || undefined;
    });
    assert.deepEqual(files(), ["1700000000000.Th1_1.test", "1700000000000.Th2_1.test", "1700000000000.Th3_1.test", "1700000000000.Th4_1.test"]);
    assert.deepEqual([...marked].filter(([, n]) => n !== 1), [], "rows marked done more than once (id, times)");
    assert.deepEqual([...marked.keys()].sort((a, b) => a - b), ids.sort((a, b) => a - b));
    await outbox.close();
  } finally {
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
