/**
 * A list's queued messages run ahead of their turn in one worker (ahead.ts,
 * runtime/sandbox/chain.ts): under concurrent mail to one list every run
 * still counts once, in order, from its predecessor's state, and the results
 * given ahead are taken (the chain is used, not only built). Guesses made
 * wrong by a failed commit are in commit-failure.test.ts (the runs again).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createIngress, type Ingress } from "../../runtime/daemon/smtp.js";
import { COUNTER, listDaemon } from "./helpers.js";

const A = "a@example.org";

let daemon: Daemon;
let close: () => Promise<void>;
let ingress: Ingress;
let port: number;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: COUNTER, fileName: "counter.thwonk", addresses: [A] }));
  ingress = createIngress({ daemon, log: createLogger({ level: "silent", pretty: false }) });
  port = await ingress.listen("127.0.0.1", 0);
});

after(async () => {
  await ingress.close();
  await close();
});

test("60 messages at once to one list: each counted once, in commit order, and runs given ahead are taken", async () => {
  const before = { ...aheadCounts };
  const transports = Array.from({ length: 12 }, () => nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 }));
  try {
    const codes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const info = await transports[i % transports.length]!.sendMail({ from: "ann@example.org", to: A, subject: `m${i}`, text: `body ${i} grüße` });
        return Number(info.response.slice(0, 3));
      }),
    );
    assert.deepEqual(new Set(codes), new Set([250]));
  } finally {
    for (const t of transports) t.close();
  }
  const runs = (await daemon.runs({ address: A })).filter((r) => r.outcome === "ok").sort((a, b) => a.id - b.id);
  assert.equal(runs.length, 60);
  const counts = runs.map((r) => Number(String((r.actions[0] as { subject?: string }).subject).split(" ")[0]));
  assert.deepEqual(counts, Array.from({ length: 60 }, (_, i) => i + 1), "each run from its predecessor's state, in commit order");
  assert.deepEqual(new Set(runs.map((r) => String((r.actions[0] as { subject?: string }).subject).split(" ")[1])).size, 60, "every message once");
  assert.deepEqual((await daemon.state(A)).state, { count: 60 });
  assert.ok(aheadCounts.taken > before.taken, `results given ahead were taken (${JSON.stringify(aheadCounts)})`);
});
