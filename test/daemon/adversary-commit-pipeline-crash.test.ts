/**
 * A real thwonkd under parallel SMTP load wide enough that the group commit keeps two disk syncs in flight (24
 * clients at once, a checkpoint every 8 pages so the log restarts between syncs), SIGKILLed three times at different
 * points and restarted: every message that got a 250 is run exactly once and written to the outbox exactly once,
 * nothing is run twice, the counting list's runs count 1..n in commit order, the store is intact.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { assertEachAcknowledgedOnce, COUNTER, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const CLIENTS = 24;

/** Each client sends until the daemon is gone (or `max`); the subjects answered 250 go to `acked`. */
async function load(d: Running, round: number, acked: Set<string>, max: number): Promise<number> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
      try {
        for (let i = 0; i < max; i++) {
          const subject = `p${round}-${c}-${i} 🚀`;
          const to = c % 3 === 0 ? "plain@example.org" : "counter@example.org";
          sent++;
          try {
            const info = await t.sendMail({ from: "ann@example.org", to, subject, text: `${subject}\n${"x".repeat(c * 40)}` });
            if (/^250 /.test(info.response)) acked.add(subject);
          } catch {
            return; // the daemon is gone: nothing more from this client is acknowledged
          }
        }
      } finally {
        t.close();
      }
    }),
  );
  return sent;
}

test("SIGKILL three times under 24 parallel SMTP clients with pipelined group syncs: every 250 run and written once", async () => {
  const ann = [{ address: "ann@example.org", name: "Ann" }];
  const ws = workspace({ plain: { example: "trim140", members: ann }, counter: { source: COUNTER, members: ann } });
  const env = { THWONKD_TEST_CHECKPOINT_PAGES: "8" };
  const acked = new Set<string>();
  let d = await startDaemon(ws, { env });
  let sent = 0;
  try {
    // Killed after 60, 150 and 240 more answers: early in a burst, and deep in it.
    for (const [round, after] of [60, 150, 240].entries()) {
      const before = acked.size;
      const killed = until(`${after} acknowledged`, () => acked.size - before >= after || undefined, 60_000).then(() => d.kill());
      sent += await load(d, round, acked, 1000);
      await killed;
      assert.ok(acked.size - before >= after, `round ${round}: ${acked.size - before} acknowledged`);
      d = await startDaemon(ws, { env });
    }
    assert.ok(acked.size >= 450 && sent > acked.size, `${acked.size} acknowledged of ${sent} sent`);
    assert.equal(readStore(ws.data, (db) => db.pragma("integrity_check", { simple: true })), "ok");
    await assertEachAcknowledgedOnce(ws.data, d.ports.outbox, acked, "plain@example.org");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
