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
import { assertEachAcknowledgedOnce, COUNTER, startDaemon, workspace } from "./helpers.js";

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
    await assertEachAcknowledgedOnce(ws.data, d.ports.outbox, acked, "trim140@example.org");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
