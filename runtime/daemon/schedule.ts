/**
 * When an `every` trigger is due: the one computation the scheduler and the
 * tests share. The compiler describes each schedule in the bundle's manifest
 * (ManifestTrigger.schedule: a unit with a time of day, `hour`, or an
 * interval in ms); times are wall-clock times in the rule's zone.
 *
 *  - `day`, `week` (Monday), a weekday: once that day at `atMinutes`.
 *  - `hour`: at every whole hour of the local day.
 *  - an interval: from local midnight, every interval, while still the same
 *    local day. An interval that does not divide a day restarts at each
 *    midnight: `every 7h` runs at 00:00, 07:00, 14:00 and 21:00 every day (the
 *    last gap of the day is 3h), so the times never drift from day to day.
 *
 * A wall-clock time the clock skips (a daylight-saving gap) is due at the
 * first moment after the gap; a time that happens twice is due once, at its
 * first occurrence. Two wall-clock times that fall on the same instant (two
 * times inside one gap) are one due time.
 */
import { offsetAt } from "../input/index.js";

export interface TriggerSchedule {
  unit: string | null;
  intervalMs: number | null;
  atMinutes: number | null;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** The wall-clock times (ms since the epoch, read as UTC) due on the local day starting at `dayStart`. */
export function localTimesOfDay(s: TriggerSchedule, dayStart: number): number[] {
  if (s.intervalMs !== null && s.intervalMs > 0) {
    const out: number[] = [];
    for (let t = 0; t < DAY; t += s.intervalMs) out.push(dayStart + t);
    return out;
  }
  if (s.unit === "hour") return Array.from({ length: 24 }, (_, h) => dayStart + h * 3_600_000);
  const at = dayStart + (s.atMinutes ?? 0) * MINUTE;
  if (s.unit === "day") return [at];
  // 1970-01-01 was a Thursday: index 3 of WEEKDAYS.
  const weekday = WEEKDAYS[(Math.floor(dayStart / DAY) % 7 + 3 + 7) % 7];
  const want = s.unit === "week" ? "monday" : s.unit;
  return weekday === want ? [at] : [];
}

/**
 * The instant at which the wall-clock time `local` happens in `zone`: its
 * first occurrence, or the end of the gap when the clock skips it.
 */
export function instantOf(zone: string, local: number): number {
  const offsets = [...new Set([offsetAt(zone, local - DAY), offsetAt(zone, local), offsetAt(zone, local + DAY)])];
  const fits = offsets.map((o) => local - o * MINUTE).filter((t) => offsetAt(zone, t) * MINUTE === local - t);
  if (fits.length > 0) return Math.min(...fits);
  // In a gap: the transition lies between the two readings; find it to the minute (zones change on whole minutes).
  let lo = Math.min(...offsets.map((o) => local - o * MINUTE));
  let hi = Math.max(...offsets.map((o) => local - o * MINUTE));
  const before = offsetAt(zone, lo);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function localDayStart(zone: string, t: number): number {
  const local = t + offsetAt(zone, t) * MINUTE;
  return Math.floor(local / DAY) * DAY;
}

/**
 * The index of the first of a day's wall-clock times (in order) that is due after `t`; their length when none is.
 * A binary search: the instant of a wall-clock time never goes back as the time goes on, and a day of `every 1m` is
 * 1,440 of them, each a few zone look-ups, on the daemon's one thread.
 */
function firstAfter(zone: string, local: number[], t: number): number {
  let lo = 0;
  let hi = local.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (instantOf(zone, local[mid]!) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The latest due time at or before `t`; undefined if none in the eight days before it. */
export function latestDue(s: TriggerSchedule, zone: string, t: number): number | undefined {
  const today = localDayStart(zone, t);
  for (let d = today + DAY; d >= today - 8 * DAY; d -= DAY) {
    const local = localTimesOfDay(s, d);
    const i = firstAfter(zone, local, t);
    if (i > 0) return instantOf(zone, local[i - 1]!);
  }
  return undefined;
}

/** The earliest due time strictly after `t`. */
export function nextDue(s: TriggerSchedule, zone: string, t: number): number {
  const today = localDayStart(zone, t);
  for (let d = today - DAY; d <= today + 9 * DAY; d += DAY) {
    const local = localTimesOfDay(s, d);
    const i = firstAfter(zone, local, t);
    if (i < local.length) return instantOf(zone, local[i]!);
  }
  throw new Error(`no due time within nine days of ${new Date(t).toISOString()} for ${JSON.stringify(s)}`);
}
