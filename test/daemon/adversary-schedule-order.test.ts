/**
 * One run at a time per list, in arrival order, messages and schedules
 * alike: a scheduled trigger arrives when it is due. A message accepted
 * after midnight must run after the midnight trigger (daily_or_out would
 * otherwise count a post of the new day as one of the day that ended, and
 * unsubscribe its sender at the next midnight), and `now` never goes back
 * from one run of a list to the next.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { readStore, startDaemon, until, workspace } from "./helpers.js";
import { countingRule, lookedAt, testClock } from "./adversary-schedule-helpers.js";

const RULE = countingRule("midnight", "day at 00:00");

const runsOf = (data: string, list: string): { trigger: string; now: number }[] =>
  readStore(data, (db) => db.prepare("SELECT trigger, now FROM runs WHERE address = ? ORDER BY id").all(list) as { trigger: string; now: number }[]);

test("a message accepted at or just after midnight runs after the midnight trigger, on every one of five nights", async () => {
  const ws = workspace({ midnight: { source: RULE } });
  const { env, set } = testClock(ws);
  const list = "midnight@example.org";
  set("2026-06-01T12:00:00Z");
  const d = await startDaemon(ws, { env });
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
  try {
    await t.sendMail({ from: "ann@example.org", to: list, subject: "noon", text: "x" });
    for (let night = 2; night <= 6; night++) {
      set(`2026-06-0${night - 1}T23:59:59Z`);
      // The scheduler has looked at 23:59:59 (in the list's turn, waited for) before the clock passes midnight.
      await lookedAt(d, ws.data, list);
      // The clock passes midnight and the message comes at once, before the scheduler's next look at the clock.
      // On odd nights the message comes at midnight itself: a trigger due at the same instant goes first too.
      set(`2026-06-0${night}T00:00:0${night % 2}Z`);
      const info = await t.sendMail({ from: "ann@example.org", to: list, subject: `night ${night}`, text: "x" });
      assert.match(info.response, /^250 /);
      await until(`night ${night}'s midnight run`, () => runsOf(ws.data, list).filter((r) => r.trigger !== "message").length >= night - 1 || undefined);
    }
    const runs = runsOf(ws.data, list);
    const seen = runs.map((r) => `${r.trigger === "message" ? "message" : "midnight"} ${new Date(r.now).toISOString()}`);
    assert.deepEqual(
      seen,
      [
        "message 2026-06-01T12:00:00.000Z",
        ...[2, 3, 4, 5, 6].flatMap((n) => [`midnight 2026-06-0${n}T00:00:00.000Z`, `message 2026-06-0${n}T00:00:0${n % 2}.000Z`]),
      ],
      "each midnight ran before the message that came after it",
    );
  } finally {
    t.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("after downtime, a message accepted as soon as thwonkd listens runs after the missed trigger's catch-up run", async () => {
  const ws = workspace({ midnight: { source: RULE } });
  const { env, set } = testClock(ws);
  const list = "midnight@example.org";
  set("2026-06-01T12:00:00Z");
  let d = await startDaemon(ws, { env });
  try {
    assert.equal(await d.stop(), 0);
    // Down over three midnights; the first message after the restart comes the moment the port is announced.
    set("2026-06-04T09:00:00Z");
    d = await startDaemon(ws, { env });
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: "ann@example.org", to: list, subject: "back", text: "x" });
    assert.match(info.response, /^250 /);
    await until("the catch-up run", () => runsOf(ws.data, list).some((r) => r.trigger !== "message") || undefined);
    await lookedAt(d, ws.data, list);
    assert.deepEqual(
      runsOf(ws.data, list).map((r) => `${r.trigger === "message" ? "message" : "midnight"} ${new Date(r.now).toISOString()}`),
      ["midnight 2026-06-04T00:00:00.000Z", "message 2026-06-04T09:00:00.000Z"],
    );
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const HOLDING = `rule holding

limits { members: 10 }

state {
  n: int = 0
}

on message(m: Message) {
  if not m.approved {
    hold("every post is read first")
  }
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}

every day at 00:00 {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}
`;

test("a held message approved just after midnight runs after the midnight trigger, on every one of four nights", async () => {
  const ws = workspace({ holding: { source: HOLDING } });
  const { env, set } = testClock(ws);
  const list = "holding@example.org";
  set("2026-06-01T12:00:00Z");
  const d = await startDaemon(ws, { env });
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    for (let i = 0; i < 4; i++) await t.sendMail({ from: "ann@example.org", to: list, subject: `held ${i}`, text: "x" });
    const held = readStore(ws.data, (db) => (db.prepare("SELECT message_id FROM held WHERE address = ? ORDER BY message_id").all(list) as { message_id: number }[]).map((r) => r.message_id));
    assert.equal(held.length, 4);
    for (let night = 2; night <= 5; night++) {
      set(`2026-06-0${night - 1}T23:59:59Z`);
      // The scheduler has looked at 23:59:59 (in the list's turn, waited for) before the clock passes midnight.
      await lookedAt(d, ws.data, list);
      set(`2026-06-0${night}T00:00:01Z`);
      const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/held/${held[night - 2]}/approve`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, await r.text());
      await until(`night ${night}'s midnight run`, () => runsOf(ws.data, list).filter((x) => x.trigger !== "message").length >= night - 1 || undefined);
    }
    const after = runsOf(ws.data, list).slice(4);
    assert.deepEqual(
      after.map((r) => `${r.trigger === "message" ? "approved" : "midnight"} ${new Date(r.now).toISOString()}`),
      [2, 3, 4, 5].flatMap((n) => [`midnight 2026-06-0${n}T00:00:00.000Z`, `approved 2026-06-0${n}T00:00:01.000Z`]),
      "each midnight ran before the approval that came after it",
    );
  } finally {
    t.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
