/**
 * The test-only clock hook (THWONKD_TEST_CLOCK_FILE) read while a test
 * writes it: writeFileSync empties the file before it writes the new time,
 * and a read in between must not make the daemon's clock jump to the real
 * time (which would run every schedule up to today, and stamp messages
 * with it).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import nodemailer from "nodemailer";
import { readStore, startDaemon, workspace } from "./helpers.js";
import { countingRule, testClock } from "./adversary-schedule-helpers.js";

const RULE = countingRule("ticking", "day at 00:00");

test("a clock file being rewritten with the same time is read as that time, never as the real clock", async () => {
  const ws = workspace({ ticking: { source: RULE } });
  const { clock, env, set } = testClock(ws);
  const FAKE = "2026-01-15T10:00:00Z";
  set(FAKE);
  const d = await startDaemon(ws, { env });
  // Another thread writes the same time again and again, as a test that moves the clock often does.
  const writer = new Worker(
    `const { writeFileSync } = require("node:fs"); const { workerData } = require("node:worker_threads");
     for (;;) writeFileSync(workerData.file, workerData.time);`,
    { eval: true, workerData: { file: clock, time: FAKE } },
  );
  try {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 4 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => t.sendMail({ from: "ann@example.org", to: "ticking@example.org", subject: `m${i}`, text: "x" })));
    t.close();
    await new Promise((r) => setTimeout(r, 1500)); // fifteen of the scheduler's looks at the clock
    const runs = readStore(ws.data, (db) => db.prepare("SELECT trigger, now FROM runs WHERE address = 'ticking@example.org' ORDER BY id").all() as { trigger: string; now: number }[]);
    assert.equal(runs.filter((r) => r.trigger === "message").length, 60);
    assert.deepEqual(
      runs.filter((r) => r.now !== Date.parse(FAKE)).map((r) => `${r.trigger} ${new Date(r.now).toISOString()}`),
      [],
      "every run saw the test's time",
    );
  } finally {
    await writer.terminate();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
