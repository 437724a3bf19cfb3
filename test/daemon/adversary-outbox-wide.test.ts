/**
 * An outbox row names its action by its place in its run's actions (outbox.action_at): reading the rows pending (at
 * a start with a backlog, or after a failed pass) must not read its run's actions once per row. A run that sends
 * one message per member in a loop (a personal digest: 1,000 sends of 10 KB, 10 MB of actions) makes 1,000 rows;
 * a batch of 200 of them read with a copy of the whole run's actions each is 2 GB of strings, and a thwonkd
 * restarted on that backlog runs out of memory at every start. The rows must read back their own actions, in
 * memory (and so time) of the order of the batch's own size; and a real thwonkd (with a heap of 384 MB) restarted on
 * the backlog of such a rule's run writes it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import type { RunAction } from "../../contract/index.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { readStore, startDaemon, until, workspace } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("pending rows of a run with 1,000 sends of 10 KB are read in memory of the order of the batch, each with its action", async () => {
  const dir = mkdtempSync(join(tmpdir(), "adv-wide-"));
  const store = openSqliteStore(join(dir, "thwonkd.sqlite"));
  try {
    const actions = Array.from({ length: 1000 }, (_, k) => ({ kind: "send", to: [`m${k}@example.org`], subject: `digest for m${k} é😀`, text: `${k} `.padEnd(10_000, "t"), at: { line: 9, column: 3 } }) as unknown as RunAction);
    const log = { kind: "log", to: [], text: "sent", at: { line: 1, column: 1 } } as unknown as RunAction;
    await store.commitRuns([
      {
        address: "digest@example.org",
        run: { trigger: "every", now: 1, bundleHash: "h", replayOf: null, outcome: "ok", error: null, gasUsed: 1, gasBound: 2, actions: [log, ...actions] },
        outbox: actions.map((a, k) => ({ file: `f${k}`, messageId: `<${k}@x>`, recipients: [`m${k}@example.org`], action: a, raw: Buffer.from(`Subject: ${k}\r\n\r\n.\r\n`) })),
      },
    ]);
    let seen = 0;
    let worst = 0;
    for (;;) {
      gc();
      const before = process.memoryUsage().heapUsed;
      const rows = await store.pendingOutbox(200);
      const grew = process.memoryUsage().heapUsed - before;
      worst = Math.max(worst, grew);
      if (rows.length === 0) break;
      for (const r of rows) {
        const a = r.action as unknown as { subject: string; text: string };
        assert.equal(a.subject, `digest for m${seen} é😀`);
        assert.equal(a.text, `${seen} `.padEnd(10_000, "t"));
        seen++;
      }
      // The batch's own actions are 2 MB; the run's, read once, 10 MB; a copy of them per row, 2 GB (and the time to
      // parse it: the heap tells both, where a wall-clock bound would follow the machine's load).
      assert.ok(grew < 150 * 2 ** 20, `reading 200 rows grew the heap by ${Math.round(grew / 2 ** 20)} MB`);
      await store.markOutboxDone(rows.map((r) => r.id));
    }
    assert.equal(seen, 1000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const DIGEST = `rule digest

limits { members: 400, fanout: 400, text: 12000, memory: 256 * 1024 * 1024 }

on message(m: Message) {
  for p in members {
    send(to: p, subject: "for {p.name} é😀", text: m.text)
  }
}
`;

test("a thwonkd restarted on the backlog of a run that sent 400 messages of 11 KB writes it, in a heap of 384 MB", async () => {
  const members = Array.from({ length: 400 }, (_, k) => ({ address: `m${k}@example.org`, name: `M ${k}` }));
  const ws = workspace({ digest: { source: DIGEST, members } });
  const env = { NODE_OPTIONS: "--max-old-space-size=384" };
  let d = await startDaemon(ws, { env });
  const pending = () => readStore(ws.data, (db) => (db.prepare("SELECT count(*) AS n FROM outbox WHERE done = 0").get() as { n: number }).n);
  try {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await t.sendMail({ from: "ann@example.org", to: "digest@example.org", subject: "news", text: "news é ".repeat(1400) });
    t.close();
    const dir = join(ws.data, "outbox", "new");
    await until("the digest written", () => (pending() === 0 && readdirSync(dir).length === 400) || undefined, 30_000);
    await d.stop();
    // Committed, then killed before the outbox wrote: every row pending again, its file gone.
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    db.prepare("UPDATE outbox SET done = 0").run();
    db.close();
    for (const f of readdirSync(dir)) unlinkSync(join(dir, f));
    d = await startDaemon(ws, { env });
    await until("the backlog written", () => (pending() === 0 && readdirSync(dir).length === 400) || undefined, 30_000);
    assert.equal(d.proc.exitCode, null, d.stderr());
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
