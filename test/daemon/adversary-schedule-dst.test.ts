/**
 * The adversary of schedules in a real thwonkd with its clock moved by the
 * test (THWONKD_TEST_CLOCK_FILE): Berlin's skipped and repeated 02:30, a
 * clock that jumps days ahead and hours back, an interval that does not
 * divide a day across restarts (one a SIGKILL right after a run
 * committed), and a scheduled run that fails.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { readStore, startDaemon, workspace, type Running } from "./helpers.js";
import { countingRule, lookedAt, scheduledRuns, settledRuns, testClock } from "./adversary-schedule-helpers.js";

const BERLIN = countingRule("berlin", "day at 02:30", "Europe/Berlin");

test("Berlin's 02:30: the skipped one runs at 03:00, the repeated one once; days ahead run once as the latest, hours back run nothing", async () => {
  const ws = workspace({ berlin: { source: BERLIN } });
  const { env, set } = testClock(ws);
  const list = "berlin@example.org";
  set("2026-03-28T12:00:00Z");
  const d = await startDaemon(ws, { env });
  try {
    const want: string[] = [];
    const step = async (iso: string, ran?: string): Promise<void> => {
      set(iso);
      if (ran) want.push(ran);
      const runs = await settledRuns(d, ws.data, list, want.length);
      assert.deepEqual(
        runs.map((r) => r.now),
        want,
        `at ${iso}`,
      );
    };
    // 2026-03-29: 02:00 → 03:00 CEST (01:00Z). 02:30 does not happen: the run is at 03:00.
    await step("2026-03-29T00:59:00Z");
    await step("2026-03-29T01:00:00Z", "2026-03-29T01:00:00.000Z");
    await step("2026-03-30T00:29:00Z");
    await step("2026-03-30T00:30:00Z", "2026-03-30T00:30:00.000Z");
    // 2026-10-25: 03:00 CEST → 02:00 CET (01:00Z). 02:30 happens at 00:30Z and at 01:30Z: once, the first.
    await step("2026-10-25T00:30:00Z", "2026-10-25T00:30:00.000Z");
    await step("2026-10-25T01:30:00Z");
    await step("2026-10-25T23:00:00Z");
    await step("2026-10-26T01:30:00Z", "2026-10-26T01:30:00.000Z");
    // Ten days ahead: one run, as the latest 02:30. Hours back, then ahead again to the same time: nothing more.
    await step("2026-11-05T12:00:00Z", "2026-11-05T01:30:00.000Z");
    await step("2026-11-05T00:00:00Z");
    await step("2026-11-05T12:00:00Z");
    await step("2026-11-06T01:30:00Z", "2026-11-06T01:30:00.000Z");
    assert.ok(scheduledRuns(ws.data, list).every((r) => r.trigger === "every day at 02:30" && r.outcome === "ok"));
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const SEVEN = `rule seven

limits { members: 10 }

settings { timezone: "Asia/Kathmandu" }

state {
  n: int = 0
}

every 7h {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}

every 90m {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}
`;

test("every 7h and every 90m in Kathmandu (+05:45) across restarts: 00:00, 07:00, 14:00, 21:00; a SIGKILL after a run does not run it again", async () => {
  const ws = workspace({ seven: { source: SEVEN } });
  const { env, set } = testClock(ws);
  const list = "seven@example.org";
  const of = (trigger: string) => scheduledRuns(ws.data, list).filter((r) => r.trigger === trigger).map((r) => r.now);
  // Local 2026-06-01 20:50 is 15:05Z.
  set("2026-06-01T15:05:00Z");
  let d: Running = await startDaemon(ws, { env });
  try {
    set("2026-06-01T15:15:00Z"); // local 21:00: a time of both
    await settledRuns(d, ws.data, list, 2);
    assert.deepEqual(of("every 7h"), ["2026-06-01T15:15:00.000Z"]);
    assert.deepEqual(of("every 90m"), ["2026-06-01T15:15:00.000Z"]);
    // Killed right after the run committed: the restart at the same time runs nothing again.
    await d.kill();
    d = await startDaemon(ws, { env });
    await lookedAt(d, ws.data, list);
    assert.deepEqual(of("every 7h"), ["2026-06-01T15:15:00.000Z"]);
    assert.deepEqual(of("every 90m"), ["2026-06-01T15:15:00.000Z"]);
    // Local midnight (18:15Z): both; the last gap of the 7h day was 3h.
    set("2026-06-01T18:15:00Z");
    await settledRuns(d, ws.data, list, 4);
    assert.deepEqual(of("every 7h"), ["2026-06-01T15:15:00.000Z", "2026-06-01T18:15:00.000Z"]);
    assert.deepEqual(of("every 90m"), ["2026-06-01T15:15:00.000Z", "2026-06-01T18:15:00.000Z"]);
    assert.equal(await d.stop(), 0);
    // Down from local 00:00 to 13:59 (08:14Z): 7h missed 07:00 (01:15Z), 90m missed 01:30 … 13:30 (07:45Z): once each, the latest.
    set("2026-06-02T08:14:00Z");
    d = await startDaemon(ws, { env });
    await settledRuns(d, ws.data, list, 6);
    assert.deepEqual(of("every 7h"), ["2026-06-01T15:15:00.000Z", "2026-06-01T18:15:00.000Z", "2026-06-02T01:15:00.000Z"]);
    assert.deepEqual(of("every 90m"), ["2026-06-01T15:15:00.000Z", "2026-06-01T18:15:00.000Z", "2026-06-02T07:45:00.000Z"]);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const FAILING = `rule failing

limits { members: 10 }

state {
  zero: int = 0
  n: int = 0
}

on message(m: Message) {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
  send(to: members, subject: "{state.n} {m.subject.truncate(100)}", text: m.text)
}

every hour {
  state.n = 10 / state.zero
}
`;

test("a scheduled run that fails is recorded as failed, commits nothing, and neither runs again nor stops the schedule or the list", async () => {
  const ws = workspace({ failing: { source: FAILING, members: [{ address: "ann@example.org", name: "Ann" }] } });
  const { env, set } = testClock(ws);
  const list = "failing@example.org";
  set("2026-06-01T10:30:00Z");
  const d = await startDaemon(ws, { env });
  try {
    set("2026-06-01T11:00:00Z");
    let runs = await settledRuns(d, ws.data, list, 1);
    assert.deepEqual(runs, [{ trigger: "every hour", now: "2026-06-01T11:00:00.000Z", outcome: "failed" }]);
    const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    const info = await t.sendMail({ from: "ann@example.org", to: list, subject: "after", text: "x" });
    assert.match(info.response, /^250 /);
    const state = readStore(ws.data, (db) => (db.prepare("SELECT state FROM lists WHERE address = ?").get(list) as { state: string }).state);
    assert.equal((JSON.parse(state) as { n: number }).n, 1, "the failed run wrote nothing; the message's run counted 1");
    set("2026-06-01T12:00:00Z");
    runs = await settledRuns(d, ws.data, list, 2);
    assert.deepEqual(
      runs.map((r) => [r.now, r.outcome]),
      [
        ["2026-06-01T11:00:00.000Z", "failed"],
        ["2026-06-01T12:00:00.000Z", "failed"],
      ],
    );
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

const SEES = `rule sees

limits { members: 10 }

settings { timezone: "Australia/Lord_Howe" }

every day at 02:15 {
  log("{now} {now.hour}:{now.minute} {now.day}")
}

every hour {
  log("{now} {now.hour}:{now.minute} {now.day}")
}
`;

test("the `now` a scheduled run sees in Lord Howe's 30-minute changes: 01:30–02:00 repeated runs nothing twice; the skipped 02:15 is 02:30", async () => {
  const ws = workspace({ sees: { source: SEES } });
  const { env, set } = testClock(ws);
  const list = "sees@example.org";
  set("2026-04-04T13:50:00Z"); // 00:50 +11 on 2026-04-05; at 02:00 the clock goes back to 01:30 (+10:30)
  const d = await startDaemon(ws, { env });
  const seen = () =>
    readStore(ws.data, (db) =>
      (db.prepare("SELECT trigger, actions FROM runs WHERE address = ? ORDER BY id").all(list) as { trigger: string; actions: string }[]).map(
        (r) => `${r.trigger.slice(6)}: ${(JSON.parse(r.actions) as { text?: string }[])[0]?.text}`,
      ),
    );
  // Each step's runs, in any order within the step (two triggers due at once).
  const steps: string[][] = [];
  const step = async (iso: string, ...ran: string[]): Promise<void> => {
    set(iso);
    steps.push(ran);
    const n = steps.flat().length;
    await settledRuns(d, ws.data, list, n);
    const all = seen();
    assert.equal(all.length, n, `${iso}: ${all.join(" | ")}`);
    let at = 0;
    for (const s of steps) {
      assert.deepEqual(all.slice(at, at + s.length).sort(), [...s].sort(), iso);
      at += s.length;
    }
  };
  try {
    await step("2026-04-04T14:00:00Z", "hour: 2026-04-05T01:00:00+11:00 1:0 5");
    await step("2026-04-04T15:00:00Z"); // 01:30 again, now +10:30
    await step("2026-04-04T15:29:00Z");
    await step("2026-04-04T15:30:00Z", "hour: 2026-04-05T02:00:00+10:30 2:0 5");
    await step("2026-04-04T15:45:00Z", "day at 02:15: 2026-04-05T02:15:00+10:30 2:15 5");
    // October: down for months, one catch-up run each; then 02:00 → 02:30 (+11): 02:00 and 02:15 are both 02:30.
    await step("2026-10-03T15:00:00Z", "hour: 2026-10-04T01:00:00+10:30 1:0 4", "day at 02:15: 2026-10-03T02:15:00+10:30 2:15 3");
    await step("2026-10-03T15:29:00Z");
    await step("2026-10-03T15:30:00Z", "hour: 2026-10-04T02:30:00+11:00 2:30 4", "day at 02:15: 2026-10-04T02:30:00+11:00 2:30 4");
    await step("2026-10-03T16:00:00Z", "hour: 2026-10-04T03:00:00+11:00 3:0 4");
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
