/**
 * A list whose rule's time zone this host does not know (its zone data
 * changed under a stored bundle: the case TW4029 warns of) cannot compute
 * its due times. That must stay the list's own problem: the other lists'
 * schedules run, and mail to the list is answered (451, try again), not
 * dropped with the connection.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import nodemailer from "nodemailer";
import { startDaemon, workspace, type Running } from "./helpers.js";
import { countingRule, scheduledRuns, settledRuns, testClock } from "./adversary-schedule-helpers.js";

const rule = (name: string): string => countingRule(name, "hour", "Europe/Berlin");

test("a list whose zone is unknown here does not stop the other lists' schedules, and its mail gets an answer", async () => {
  const ws = workspace({ aaa: { source: rule("aaa") }, bbb: { source: rule("bbb") } });
  const { env, set } = testClock(ws);
  set("2026-06-01T10:30:00Z");
  let d: Running = await startDaemon(ws, { env });
  try {
    assert.equal(await d.stop(), 0);
    // aaa's stored bundle now names a zone this host does not have; the rules directory is no longer deployed.
    const db = new Database(join(ws.data, "thwonkd.sqlite"));
    const row = db.prepare("SELECT b.hash, b.json FROM bundles b JOIN lists l ON l.hash = b.hash WHERE l.address = 'aaa@example.org'").get() as { hash: string; json: string };
    db.prepare("UPDATE bundles SET json = ? WHERE hash = ?").run(row.json.replace('"timezone":"Europe/Berlin"', '"timezone":"Mars/Olympus_Mons"'), row.hash);
    db.close();
    rmSync(ws.rules, { recursive: true, force: true });
    mkdirSync(ws.rules);
    set("2026-06-01T11:00:10Z");
    d = await startDaemon(ws, { env });
    const runs = await settledRuns(d, ws.data, "bbb@example.org", 1);
    assert.deepEqual(
      runs.map((r) => r.now),
      ["2026-06-01T11:00:00.000Z"],
    );
    assert.deepEqual(scheduledRuns(ws.data, "aaa@example.org"), []);
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await assert.rejects(t.sendMail({ from: "ann@example.org", to: "aaa@example.org", subject: "x", text: "x" }), (err: { responseCode?: number }) => err.responseCode === 451);
    const ok = await t.sendMail({ from: "ann@example.org", to: "bbb@example.org", subject: "x", text: "x" });
    assert.match(ok.response, /^250 /);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
