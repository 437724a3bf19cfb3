/**
 * What the schedule adversary's tests share: the counting rule and the
 * test clock most of them start from, a list's scheduled runs and waiting
 * for them, and the reference for due times (computed from the zone's
 * table of offset changes, not as schedule.ts does).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { offsetTransitions } from "../../runtime/input/index.js";
import type { TriggerSchedule } from "../../runtime/daemon/schedule.js";
import { readStore, until } from "./helpers.js";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The body of every counting trigger: the schedule tests count runs through `n`, never overflowing it. */
export const COUNT = `{
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}`;

/** A rule that counts each message and, when `schedule` is given, each `every <schedule>` run; in `zone` when given (no settings block otherwise). */
export function countingRule(name: string, schedule: string | null, zone?: string): string {
  const settings = zone === undefined ? "" : `settings { timezone: "${zone}" }\n\n`;
  const every = schedule === null ? "" : `\nevery ${schedule} ${COUNT}\n`;
  return `rule ${name}\n\nlimits { members: 10 }\n\n${settings}state {\n  n: int = 0\n}\n\non message(m: Message) ${COUNT}\n${every}`;
}

/** The test-only clock hook's file in the workspace and the env that points thwonkd at it, so a test can move the daemon's clock. */
export function testClock(ws: { dir: string }): { clock: string; env: { THWONKD_TEST_CLOCK_FILE: string }; set(iso: string): void } {
  const clock = join(ws.dir, "clock");
  return { clock, env: { THWONKD_TEST_CLOCK_FILE: clock }, set: (iso) => writeFileSync(clock, iso) };
}

export interface Ran {
  trigger: string;
  now: string;
  outcome: string;
}

/** The list's scheduled runs in commit order, `now` as ISO text. */
export function scheduledRuns(data: string, list: string): Ran[] {
  return readStore(data, (db) =>
    (db.prepare("SELECT trigger, now, outcome FROM runs WHERE address = ? AND trigger != 'message' ORDER BY id").all(list) as { trigger: string; now: number; outcome: string }[]).map((r) => ({
      trigger: r.trigger,
      now: new Date(r.now).toISOString(),
      outcome: r.outcome,
    })),
  );
}

/**
 * Looks at the daemon's clock in the list's own turn, and waits for what the looks queue: an empty member change
 * through the API is queued like any work on the list, so the runner first queues every schedule due by the clock
 * now (runner.ts dueBy, the tick's own queueDue), and the API answers once the runs queued before it are committed.
 * Twice: the second turn comes after every run before the first was answered, so a run put back to be due again
 * (scheduler.ts, a run not committed) is queued by then too. When it returns, a run too many for the clock as it is
 * now is in the store: no fixed wait for the scheduler's ticks.
 */
export async function lookedAt(d: { ports: { http: number } }, data: string, list: string): Promise<void> {
  const token = readFileSync(join(data, "admin.token"), "utf8").trim();
  for (let turn = 0; turn < 2; turn++) {
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${encodeURIComponent(list)}/members`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ addresses: [] }),
      signal: AbortSignal.timeout(60_000),
    });
    if (r.status !== 200) throw new Error(`the list's turn through the API: ${r.status} ${await r.text()}`);
  }
}

/** Waits until the list has `n` scheduled runs, then for a look at the clock in the list's turn (lookedAt), so more would show. */
export async function settledRuns(d: { ports: { http: number } }, data: string, list: string, n: number): Promise<Ran[]> {
  await until(`${n} scheduled runs of ${list}`, () => scheduledRuns(data, list).length >= n || undefined);
  await lookedAt(d, data, list);
  return scheduledRuns(data, list);
}

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/**
 * The reference: a wall-clock time W is due at the first instant whose local reading is W or later
 * (the first occurrence of a repeated time; the end of the gap for a skipped one), read off the zone's offset table.
 */
function refInstant(zone: string, local: number): number {
  const table = offsetTransitions(zone, local - 2 * DAY, local + 2 * DAY);
  for (let i = 0; i < table.length; i++) {
    const [from, off] = table[i]!;
    const to = table[i + 1]?.[0] ?? Infinity;
    const m = Math.max(from, local - off * MINUTE);
    if (m < to) return m;
  }
  throw new Error("no instant");
}

/** The wall-clock times of the schedule on the local date `day` (ms of its midnight, read as UTC), written out from the docs' table. */
function refLocalTimes(s: TriggerSchedule, day: number): number[] {
  if (s.intervalMs !== null) {
    const out = [];
    for (let m = 0; m < 1440; m += s.intervalMs / MINUTE) out.push(day + m * MINUTE);
    return out;
  }
  if (s.unit === "hour") return Array.from({ length: 24 }, (_, h) => day + h * HOUR);
  const weekday = WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7];
  if (s.unit === "day" || (s.unit === "week" && weekday === "monday") || s.unit === weekday) return [day + s.atMinutes! * MINUTE];
  return [];
}

export function refDueTimes(s: TriggerSchedule, zone: string, t: number): number[] {
  const first = Math.floor(t / DAY) * DAY - 10 * DAY;
  const out = new Set<number>();
  for (let d = first; d <= first + 21 * DAY; d += DAY) for (const l of refLocalTimes(s, d)) out.add(refInstant(zone, l));
  return [...out].sort((a, b) => a - b);
}

