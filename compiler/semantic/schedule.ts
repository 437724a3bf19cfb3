/**
 * Schedules of `every` triggers (and of `run every` in tests):
 * `every day at 00:00`, `every monday at 9:30`, `every week`, `every hour`,
 * `every 15m`. `day`, `week` and weekdays run at a time of day (`at`,
 * midnight when absent; `week` means Monday); `hour` and intervals run on
 * whole minutes and take no `at`; an interval is at most a day.
 */
import type { Schedule } from "../syntax/ast.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import type { Ctx } from "./context.js";
import type { ScheduleInfo } from "./model.js";
import { closest, renameFix } from "./suggest.js";

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
/** Units that run at a time of day. */
const DAILY_UNITS: readonly string[] = ["day", "week", ...WEEKDAYS];
export const SCHEDULE_UNITS: readonly string[] = [...DAILY_UNITS, "hour"];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Validates a schedule; returns its normalized form, or undefined when it is not valid. */
export function checkSchedule(ctx: Ctx, s: Schedule): ScheduleInfo | undefined {
  let ok = true;
  let unit: string | undefined;
  let intervalMs: number | undefined;
  if (s.unit) {
    unit = s.unit.name;
    if (!SCHEDULE_UNITS.includes(unit)) {
      const best = closest(unit, SCHEDULE_UNITS);
      ctx.report(M.invalidScheduleUnit, s.unit.span, [unit, didYouMean(best) || undefined], renameFix(s.unit.span, best));
      ok = false;
    }
  } else if (s.interval) {
    intervalMs = s.interval.ms;
    if (!(intervalMs >= MINUTE_MS) || intervalMs % MINUTE_MS !== 0) {
      ctx.report(M.invalidInterval, s.interval.span, [s.interval.text]);
      ok = false;
    } else if (intervalMs > DAY_MS) {
      // Intervals restart at each local midnight (runtime/daemon/schedule.ts): `every 2d` would run every day.
      ctx.report(M.invalidInterval, s.interval.span, [s.interval.text, true]);
      ok = false;
    }
  } else {
    return undefined; // the parser reported it
  }
  let atMinutes: number | undefined;
  const daily = unit !== undefined && DAILY_UNITS.includes(unit);
  if (s.at) {
    if (ok && !daily) {
      ctx.report(M.atNotAllowed, s.at.span, [unit ?? s.interval!.text]);
      ok = false;
    }
    // The parser reports an invalid time of day; such a schedule is not kept.
    const m = /^(\d{1,2}):(\d{2})$/.exec(s.at.text);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) ok = false;
    else atMinutes = Number(m[1]) * 60 + Number(m[2]);
  } else if (daily) {
    atMinutes = 0;
  }
  if (!ok) return undefined;
  const text =
    unit !== undefined
      ? daily
        ? `${unit} at ${pad(Math.floor(atMinutes! / 60))}:${pad(atMinutes! % 60)}`
        : unit
      : s.interval!.text;
  return { unit, intervalMs, atMinutes, text };
}

export function sameSchedule(a: ScheduleInfo, b: ScheduleInfo): boolean {
  return a.unit === b.unit && a.intervalMs === b.intervalMs && a.atMinutes === b.atMinutes;
}
