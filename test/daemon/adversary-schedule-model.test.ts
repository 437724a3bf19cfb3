/**
 * A real thwonkd against a model of its schedules: a seeded walk of the
 * test clock (minutes, hours and days ahead, hours back) with SIGTERM
 * restarts and SIGKILLs along the way, through New York's spring-forward
 * (02:30 skipped) and Lord Howe's 30-minute fall-back. The model: each
 * trigger counts from the deploy; whenever the clock is at c, a trigger
 * whose latest due time at or before c (from the reference, not from
 * schedule.ts) is after the last one it ran runs once, with that time.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import type { TriggerSchedule } from "../../runtime/daemon/schedule.js";
import { startDaemon, until, workspace, type Running } from "./helpers.js";
import { COUNT, DAY, HOUR, MINUTE, lookedAt, refDueTimes, scheduledRuns, testClock } from "./adversary-schedule-helpers.js";
// A seeded stream of numbers in [0, 1) (mulberry32): the same walk at every run.
import { rand as random } from "../properties/inputs.js";

const source = (name: string, zone: string, schedules: string[]): string => `rule ${name}

limits { members: 10 }

settings { timezone: "${zone}" }

state {
  n: int = 0
}
${schedules.map((s) => `\nevery ${s} ${COUNT}\n`).join("")}`;

interface Trigger {
  list: string;
  name: string;
  zone: string;
  schedule: TriggerSchedule;
  last: number;
}

type Step = { kind: "ahead"; ms: number } | { kind: "back"; ms: number } | { kind: "to"; at: number } | { kind: "restart" } | { kind: "kill" };

/** Coarse steps: minutes, hours or days ahead, hours back. */
function coarse(r: () => number): Step {
  const n = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const k = r();
  if (k < 0.3) return { kind: "ahead", ms: n(1, 180) * MINUTE };
  if (k < 0.6) return { kind: "ahead", ms: n(1, 30) * HOUR + 7 * MINUTE };
  if (k < 0.8) return { kind: "ahead", ms: n(1, 9) * DAY + 13 * MINUTE };
  return { kind: "back", ms: n(1, 10) * HOUR };
}

/** Small steps: through a change of the clocks a few minutes at a time. */
function fine(r: () => number): Step {
  const n = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  return r() < 0.75 ? { kind: "ahead", ms: n(5, 45) * MINUTE } : { kind: "back", ms: n(1, 40) * MINUTE };
}

test("a seeded walk of the clock with restarts and kills: the scheduled runs are the model's, one for one", async () => {
  const ws = workspace({
    ny: { source: source("ny", "America/New_York", ["7h", "sunday at 02:30"]) },
    lh: { source: source("lh", "Australia/Lord_Howe", ["90m", "day at 02:00"]) },
  });
  const { env, set } = testClock(ws);
  let now = Date.parse("2026-03-06T12:00:00Z");
  set(String(now));
  let d: Running = await startDaemon(ws, { env });
  const triggers: Trigger[] = [
    { list: "ny@example.org", name: "every 7h", zone: "America/New_York", schedule: { unit: null, intervalMs: 7 * HOUR, atMinutes: null }, last: now },
    { list: "ny@example.org", name: "every sunday at 02:30", zone: "America/New_York", schedule: { unit: "sunday", intervalMs: null, atMinutes: 150 }, last: now },
    { list: "lh@example.org", name: "every 90m", zone: "Australia/Lord_Howe", schedule: { unit: null, intervalMs: 90 * MINUTE, atMinutes: null }, last: now },
    { list: "lh@example.org", name: "every day at 02:00", zone: "Australia/Lord_Howe", schedule: { unit: "day", intervalMs: null, atMinutes: 120 }, last: now },
  ];
  const expected = new Map<string, string[]>([
    ["ny@example.org", []],
    ["lh@example.org", []],
  ]);
  // New York's spring-forward (2026-03-08), then Lord Howe's fall-back (2026-04-05 02:00 → 01:30, 15:00Z the day before).
  const r = random(20261207);
  const a = Array.from({ length: 10 }, () => coarse(r));
  const b = Array.from({ length: 12 }, () => fine(r));
  const walk: Step[] = [...a.slice(0, 5), { kind: "kill" }, ...a.slice(5), { kind: "restart" }, { kind: "to", at: Date.parse("2026-04-04T13:40:00Z") }, ...b.slice(0, 6), { kind: "kill" }, ...b.slice(6)];
  const done: string[] = [];
  try {
    for (const step of walk) {
      if (step.kind === "restart") {
        assert.equal(await d.stop(), 0);
        d = await startDaemon(ws, { env });
        done.push("restart");
      } else if (step.kind === "kill") {
        await d.kill();
        d = await startDaemon(ws, { env });
        done.push("kill");
      } else {
        now = step.kind === "to" ? step.at : step.kind === "ahead" ? now + step.ms : now - step.ms;
        done.push(`${step.kind === "back" ? "back" : "ahead"} to ${new Date(now).toISOString()}`);
        set(String(now));
        for (const t of triggers) {
          const latest = refDueTimes(t.schedule, t.zone, now)
            .filter((x) => x <= now)
            .at(-1);
          if (latest !== undefined && latest > t.last) {
            expected.get(t.list)!.push(`${t.name} ${new Date(latest).toISOString()}`);
            t.last = latest;
          }
        }
      }
      for (const [list, want] of expected) await until(`${want.length} runs of ${list}`, () => scheduledRuns(ws.data, list).length >= want.length || undefined);
      // A look at the clock in each list's turn, waited for: a run too many would show.
      for (const list of expected.keys()) await lookedAt(d, ws.data, list);
      for (const [list, want] of expected) {
        const got = scheduledRuns(ws.data, list).map((r) => `${r.trigger} ${r.now}`);
        assert.deepEqual([...got].sort(), [...want].sort(), `${list} after: ${done.join(", ")}`);
      }
    }
    assert.ok([...expected.values()].flat().length >= 10, `the walk ran the triggers a fair number of times: ${done.join(", ")}`);
    assert.ok(done.includes("kill") && done.includes("restart") && done.some((s) => s.startsWith("back")), `the walk has each kind of step: ${done.join(", ")}`);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
