/**
 * What the outbox's let-go (outbox.ts FRESH_BYTES) promises: an outbox that falls behind "costs reads, not memory".
 * The rows let go are read back from the store in batches of a count of rows (BATCH, 200), whatever their size: with
 * large rows (a forward of a large message, an attachment sent to a list) one read holds far more than the bytes
 * the let-go bounds memory to. Real SQLite, real Maildir; the reads' bytes are measured at the store.
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
import type { RunCommit, Store } from "../../runtime/daemon/store/types.js";
import { until } from "./helpers.js";

const LIST = "reads@example.org";

function commit(n: number, pad: number): RunCommit {
  const raw = Buffer.from(`From: ${LIST}\r\nTo: ${LIST}\r\nSubject: n ${n}\r\nMessage-ID: <r.${n}@example.org>\r\n\r\n${"x".repeat(pad)}\r\n`);
  return {
    address: LIST,
    run: { trigger: "message", now: 1_700_000_000_000 + n, bundleHash: "test", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 1, actions: [] },
    outbox: [{ file: `1700000000000.Tr${n}_1.test`, messageId: `r.${n}@example.org`, recipients: [`m${n}@example.org`], action: { kind: "send", to: [`m${n}@example.org`], at: { line: 1, column: 1 } }, raw }],
  };
}

test("rows let go are read back in reads of about the bytes the let-go allows, not 200 rows whatever their size", { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-letgo-reads-"));
  const real = openSqliteStore(join(dir, "thwonkd.sqlite"));
  const FRESH = 1024 * 1024;
  const ROW = 100 * 1024;
  let largestRead = 0;
  let markGate: Promise<void> | undefined;
  let open!: () => void;
  const marked = new Set<number>();
  const store = Object.create(real) as Store;
  store.pendingOutbox = async (limit?: number, maxBytes?: number) => {
    const rows = await real.pendingOutbox(limit, maxBytes);
    largestRead = Math.max(largestRead, rows.reduce((n, r) => n + r.raw.length, 0));
    return rows;
  };
  store.markOutboxDone = async (ids: number[]) => {
    const g = markGate;
    markGate = undefined;
    if (g) await g;
    for (const id of ids) marked.add(id);
    return real.markOutboxDone(ids);
  };
  const outbox = new MaildirOutbox(dir, store, pino({ level: "silent" }), FRESH);
  const committer = new GroupCommitter(store, (rows) => outbox.committed(rows));
  const alive = setInterval(() => undefined, 1000);
  try {
    await outbox.kick();
    // The Maildir falls behind (its first mark waits) while 300 rows of 100 KiB are committed: 30 MiB, let go.
    markGate = new Promise((r) => (open = r));
    await committer.commit(commit(0, ROW));
    for (let g = 0; g < 30; g++) await Promise.all(Array.from({ length: 10 }, (_, i) => committer.commit(commit(1 + g * 10 + i, ROW))));
    assert.ok(outbox.stats.letGo > 250, `let go: ${outbox.stats.letGo}`);
    open();
    await until("every row marked done", async () => {
      await outbox.kick();
      return marked.size >= 301 || undefined;
    });
    assert.equal(readdirSync(join(dir, "outbox", "new")).length, 301);
    t.diagnostic(`the largest read of the store held ${largestRead} bytes of rows; the let-go bounds memory to ${FRESH}`);
    assert.ok(largestRead <= 2 * FRESH, `a read of the store held ${largestRead} bytes of rows, ${(largestRead / FRESH).toFixed(1)} times the ${FRESH} the let-go bounds memory to`);
  } finally {
    clearInterval(alive);
    await outbox.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
