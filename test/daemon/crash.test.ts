/**
 * Crash safety: a few hundred messages from parallel clients, SIGKILL while
 * they arrive, a restart: every message that got a 250 was processed exactly
 * once (one run, one outbox file), and nothing was processed twice. Runs of
 * one list are pipelined (a run starts from the state of one whose commit is
 * pending): on the counting list the state after the restart is exactly the
 * count of its committed runs, and their counts run 1..n without a gap.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { COUNTER, outboxMail, readStore, startDaemon, until, workspace } from "./helpers.js";

test("SIGKILL mid-work: every message that got a 250 is run once and written to the outbox once", async () => {
  const ann = [{ address: "ann@example.org", name: "Ann" }];
  const ws = workspace({ trim140: { example: "trim140", members: ann }, counter: { source: COUNTER, members: ann } });
  let d = await startDaemon(ws);
  const acked = new Set<string>();
  try {
    const clients = 10;
    const each = 30;
    let sent = 0;
    const killed = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (acked.size >= 100) {
          clearInterval(timer);
          void d.kill().then(resolve);
        }
      }, 5);
    });
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
        for (let i = 0; i < each; i++) {
          const subject = `m-${c}-${i}`;
          sent++;
          try {
            const to = c % 2 === 0 ? "trim140@example.org" : "counter@example.org";
            const info = await t.sendMail({ from: "ann@example.org", to, subject, text: subject });
            if (/^250 /.test(info.response)) acked.add(subject);
          } catch {
            // The daemon is gone: the rest of this client's messages are not acknowledged.
          }
        }
        t.close();
      }),
    );
    await killed;
    assert.ok(acked.size >= 100 && sent === 300, `${acked.size} acknowledged of ${sent}`);

    d = await startDaemon(ws);
    const subjectsOf = (list: string): string[] =>
      readStore(ws.data, (db) => (db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id").all(list) as { actions: string }[]).map((r) => (JSON.parse(r.actions) as { subject: string }[])[0]!.subject));
    const counted = subjectsOf("counter@example.org");
    // "k m-c-i": the k-th committed run of the list saw the k-1 before it, whatever was in flight when it died.
    assert.deepEqual(counted.map((s) => Number(s.split(" ")[0])), counted.map((_, i) => i + 1), "the counting list's runs count 1..n in commit order");
    const state = readStore(ws.data, (db) => (db.prepare("SELECT state FROM lists WHERE address = 'counter@example.org'").get() as { state: string | null }).state);
    assert.equal(state === null ? 0 : (JSON.parse(state) as { count: number }).count, counted.length, "the stored count is the number of committed runs");
    const runs = [...subjectsOf("trim140@example.org"), ...counted.map((s) => s.slice(s.indexOf(" ") + 1))];
    const files = await until("the outbox written for every committed run", async () => {
      const m = await outboxMail(d.ports.outbox);
      return m.length >= runs.length ? m : undefined;
    });
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const runCount = count(runs);
    const fileCount = count(files.map((f) => (f.mail.subject ?? "").replace(/^\d+ /, "")));
    for (const s of acked) {
      assert.equal(runCount.get(s), 1, `${s} got a 250: run once`);
      assert.equal(fileCount.get(s), 1, `${s} got a 250: written once`);
    }
    for (const [s, n] of runCount) assert.equal(n, 1, `${s} run at most once`);
    for (const [s, n] of fileCount) assert.equal(n, 1, `${s} written at most once`);
    assert.equal(files.length, runs.length, "one outbox file per committed run");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
