/**
 * Schedules of many lists at once, in a real thwonkd with its clock moved
 * by the test: a list whose queue is long (slow runs, mail coming all the
 * time) must not hold back the schedules of the other lists; 1,000 lists
 * due at the same instant each run once, as the daemon goes on taking mail.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { readStore, startDaemon, until, workspace } from "./helpers.js";
import { countingRule, testClock } from "./adversary-schedule-helpers.js";

// A message of 1,690 spaces between two letters is 1,691 words, and the nested loop walks 2.9 million pairs: a run of
// a second or more, so the list's queue stays long while three senders keep it fed.
const SLOW = `rule slow

limits { members: 10, text: 1700, budget: 100000000 }

state {
  n: int = 0
}

on message(m: Message) {
  let words = m.text.split(" ")
  var k = 0
  for a in words {
    for b in words {
      if k < 1000000000 {
        k = k + 1
      }
    }
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

const QUICK = `rule quick

limits { members: 10 }

state {
  n: int = 0
}

every 1m {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}
`;

interface Row {
  id: number;
  address: string;
  trigger: string;
  now: number;
}

const runs = (data: string): Row[] => readStore(data, (db) => db.prepare("SELECT id, address, trigger, now FROM runs ORDER BY id").all() as Row[]);

test("a list with a long queue does not hold back another list's schedule", async () => {
  const ws = workspace({ slow: { source: SLOW }, quick: { source: QUICK } });
  const { env, set } = testClock(ws);
  set("2026-06-01T23:58:30Z");
  const d = await startDaemon(ws, { env });
  let sending = true;
  const text = `x${" ".repeat(1690)}x`;
  const senders = Array.from({ length: 3 }, async () => {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    while (sending) await t.sendMail({ from: "ann@example.org", to: "slow@example.org", subject: "slow", text });
    t.close();
  });
  try {
    await until("a slow run", () => runs(ws.data).some((r) => r.address === "slow@example.org") || undefined, 60_000);
    const at = (iso: string) => (r: Row) => r.now === Date.parse(iso);
    set("2026-06-02T00:00:30Z");
    await until("quick's 00:00", () => runs(ws.data).find((r) => r.address === "quick@example.org" && at("2026-06-02T00:00:00Z")(r)));
    // Slow's midnight run waits behind its messages; quick's next minute must not wait for it.
    set("2026-06-02T00:01:30Z");
    const next = await until("quick's 00:01", () => runs(ws.data).find((r) => r.address === "quick@example.org" && at("2026-06-02T00:01:00Z")(r)), 60_000);
    const slowMidnight = runs(ws.data).find((r) => r.address === "slow@example.org" && r.trigger !== "message");
    assert.ok(slowMidnight === undefined || slowMidnight.id > next.id, "quick's 00:01 ran before slow's queue reached its midnight run");
  } finally {
    sending = false;
    await Promise.all(senders);
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const MANY = countingRule("many", "day at 00:00", "Europe/Berlin");

test("1,000 lists due at the same instant: each runs once at each midnight, and mail is taken meanwhile, after its list's midnight", async () => {
  const ws = workspace({ many: { source: MANY } });
  const { env, set } = testClock(ws);
  set("2026-06-01T12:00:00Z");
  const d = await startDaemon(ws, { env });
  const lists = Array.from({ length: 1000 }, (_, i) => `many${String(i).padStart(4, "0")}@example.org`);
  try {
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ source: MANY, fileName: "many.thwonk", addresses: lists }),
    });
    assert.equal(r.status, 200, await r.text());
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 4 });
    for (const [night, midnight] of [
      ["2026-06-02T00:00:05+02:00", "2026-06-01T22:00:00.000Z"],
      ["2026-06-03T00:00:05+02:00", "2026-06-02T22:00:00.000Z"],
    ] as const) {
      set(night);
      // Mail to twenty of the lists while their midnights run.
      const answers = await Promise.all(lists.filter((_, i) => i % 50 === 7).map((to) => t.sendMail({ from: "ann@example.org", to, subject: night, text: "x" })));
      assert.ok(answers.every((a) => /^250 /.test(a.response)));
      await until(`the midnight runs of ${night}`, () => runs(ws.data).filter((x) => x.trigger !== "message" && x.now === Date.parse(midnight)).length >= 1000 || undefined, 120_000);
    }
    t.close();
    await new Promise((r) => setTimeout(r, 800));
    const all = runs(ws.data).filter((x) => x.address !== "many@example.org");
    const scheduled = all.filter((x) => x.trigger !== "message");
    assert.equal(scheduled.length, 2000, "each list ran once at each midnight");
    for (const list of lists) {
      const mine = all.filter((x) => x.address === list);
      const nows = mine.map((x) => x.now);
      assert.deepEqual(
        nows,
        [...nows].sort((a, b) => a - b),
        `${list}: now never goes back`,
      );
    }
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
