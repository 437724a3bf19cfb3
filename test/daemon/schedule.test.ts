/**
 * Schedules: due times in the rule's zone (schedule.ts, shared by the
 * scheduler and these tests), and daily_or_out's midnight run in a real
 * thwonkd driven by the test-only clock hook (THWONKD_TEST_CLOCK_FILE),
 * with a catch-up after a simulated downtime.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { instantOf, latestDue, nextDue } from "../../runtime/daemon/schedule.js";
import { outboxMail, readStore, startDaemon, until, workspace } from "./helpers.js";
import { lookedAt } from "./adversary-schedule-helpers.js";

const at = (s: string): number => Date.parse(s);
const daily = (h: number, m = 0) => ({ unit: "day", intervalMs: null, atMinutes: h * 60 + m });

test("a skipped local time is due at the first moment after the gap; a repeated one once, at its first occurrence", () => {
  // Paris, 2026-03-29: 02:00 → 03:00 (01:00Z). 02:30 does not exist.
  assert.equal(instantOf("Europe/Paris", at("2026-03-29T02:30:00Z")), at("2026-03-29T01:00:00Z"));
  assert.equal(nextDue(daily(2, 30), "Europe/Paris", at("2026-03-28T12:00:00Z")), at("2026-03-29T01:00:00Z"));
  // Paris, 2026-10-25: 03:00 → 02:00; 02:30 happens at 00:30Z and 01:30Z: due once, at 00:30Z.
  assert.equal(nextDue(daily(2, 30), "Europe/Paris", at("2026-10-24T12:00:00Z")), at("2026-10-25T00:30:00Z"));
  assert.equal(nextDue(daily(2, 30), "Europe/Paris", at("2026-10-25T00:30:00Z")), at("2026-10-26T01:30:00Z"));
  // every hour through the gap: 01:00Z is 03:00 local, and 02:00 local is the same instant — due once.
  const hour = { unit: "hour", intervalMs: null, atMinutes: null };
  assert.equal(nextDue(hour, "Europe/Paris", at("2026-03-29T00:00:00Z")), at("2026-03-29T01:00:00Z"));
  assert.equal(nextDue(hour, "Europe/Paris", at("2026-03-29T01:00:00Z")), at("2026-03-29T02:00:00Z"));
});

test("an interval that does not divide a day restarts at each local midnight", () => {
  const every7h = { unit: null, intervalMs: 7 * 3_600_000, atMinutes: null };
  assert.equal(nextDue(every7h, "UTC", at("2026-01-01T21:00:00Z")), at("2026-01-02T00:00:00Z"));
  assert.equal(nextDue(every7h, "UTC", at("2026-01-02T00:00:00Z")), at("2026-01-02T07:00:00Z"));
  assert.equal(latestDue(every7h, "UTC", at("2026-01-02T06:59:00Z")), at("2026-01-02T00:00:00Z"));
  // Weekdays and `week` (Monday).
  assert.equal(nextDue({ unit: "week", intervalMs: null, atMinutes: 480 }, "UTC", at("2026-01-01T00:00:00Z")), at("2026-01-05T08:00:00Z"));
  assert.equal(nextDue({ unit: "friday", intervalMs: null, atMinutes: 0 }, "UTC", at("2026-01-01T00:00:00Z")), at("2026-01-02T00:00:00Z"));
});

test("daily_or_out: the midnight trigger removes a silent member; after downtime the missed midnights run once", async () => {
  const ws = workspace({
    daily_or_out: {
      example: "daily_or_out",
      members: [
        { address: "ann@example.org", name: "Ann", joined: "2026-10-01T00:00:00Z" },
        { address: "bob@example.org", name: "Bob", joined: "2026-10-01T00:00:00Z" },
        { address: "cat@example.org", name: "Cat", joined: "2026-10-01T00:00:00Z" },
      ],
    },
  });
  const clock = join(ws.dir, "clock");
  const env = { THWONKD_TEST_CLOCK_FILE: clock };
  writeFileSync(clock, "2026-11-25T12:00:00Z");
  let d = await startDaemon(ws, { env });
  try {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await t.sendMail({ from: "ann@example.org", to: "daily-or-out@example.org", subject: "Present", text: "here" });
    await t.sendMail({ from: "cat@example.org", to: "daily-or-out@example.org", subject: "Me too", text: "here" });
    writeFileSync(clock, "2026-11-25T23:00:05Z"); // just after midnight in Paris
    const left = await until("Bob's notice", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "You have left daily-or-out"));
    assert.deepEqual(left.recipients, ["bob@example.org"]);
    const members = () => readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all("daily-or-out@example.org") as { member: string }[]).map((r) => r.member));
    assert.deepEqual(members(), ["ann@example.org", "cat@example.org"]);
    assert.equal(await d.stop(), 0);

    // Down for three midnights; Cat posted on none of them... and neither did Ann: one run, as the latest midnight.
    writeFileSync(clock, "2026-11-28T10:00:00Z");
    d = await startDaemon(ws, { env });
    const runs = await until("the catch-up run", () => {
      const r = readStore(ws.data, (db) => db.prepare("SELECT trigger, now FROM runs WHERE trigger != 'message' ORDER BY id").all() as { trigger: string; now: number }[]);
      return r.length >= 2 ? r : undefined;
    });
    // A look at the clock in the list's turn, waited for: a second catch-up run would show.
    await lookedAt(d, ws.data, "daily-or-out@example.org");
    const after = readStore(ws.data, (db) => db.prepare("SELECT trigger, now FROM runs WHERE trigger != 'message' ORDER BY id").all() as { trigger: string; now: number }[]);
    assert.equal(after.length, 2, "the missed midnights ran once");
    assert.deepEqual(runs.map((r) => new Date(r.now).toISOString()), ["2026-11-25T23:00:00.000Z", "2026-11-27T23:00:00.000Z"]);
    assert.deepEqual(members(), []);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
