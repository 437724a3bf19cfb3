/**
 * The rule's time zone as the compiled code reads it: a table of UTC offset
 * transitions, [[fromEpochMs, offsetMinutes], ...], because QuickJS has no
 * Intl. Built here from Node's ICU data: sample the offset once a day, and
 * where two samples differ, binary-search the exact minute it changes.
 * Each zone-year is computed once.
 */
import type { OffsetTable } from "./types.js";

export { isKnownTimeZone } from "../../contract/zones.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The first instant of a UTC year; Date.UTC would read years 0–99 as 1900–1999. */
export function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at `ms`, in minutes (east positive). Historical offsets in seconds are rounded. */
export function offsetAt(zone: string, ms: number): number {
  const name = formatter(zone).formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new RangeError(`unexpected offset ${JSON.stringify(name)} for ${zone}`);
  if (m[1] === undefined) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 60;
  return Math.round(m[1] === "-" ? -minutes : minutes);
}

interface ZoneYear {
  /** The offset at the year's first instant (UTC). */
  start: number;
  /** Changes within the year: [first minute of the new offset, new offset]. */
  changes: [number, number][];
}

const years = new Map<string, ZoneYear>();

function zoneYear(zone: string, year: number): ZoneYear {
  const key = `${zone}\u0000${year}`;
  let y = years.get(key);
  if (!y) {
    y = scan(zone, yearStart(year), yearStart(year + 1));
    years.set(key, y);
  }
  return y;
}

/** Changes in (from, to]. A daily sample could miss only an offset undone within the same day. */
function scan(zone: string, from: number, to: number): ZoneYear {
  const start = offsetAt(zone, from);
  const changes: [number, number][] = [];
  let t = from;
  let off = start;
  while (t < to) {
    const next = Math.min(t + DAY, to);
    if (offsetAt(zone, next) === off) {
      t = next;
      continue;
    }
    // The offset is `off` at lo and differs at hi; both are whole minutes.
    let lo = t;
    let hi = next;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / (2 * MINUTE)) * MINUTE;
      if (offsetAt(zone, mid) === off) lo = mid;
      else hi = mid;
    }
    off = offsetAt(zone, hi);
    changes.push([hi, off]);
    t = hi;
  }
  return { start, changes };
}

/**
 * The offsets from `fromMs` to `toMs`: the first entry is [fromMs, offset at
 * fromMs], then one entry per change up to toMs. Throws a RangeError for a
 * zone this runtime does not know (check with isKnownTimeZone).
 */
export function offsetTransitions(zone: string, fromMs: number, toMs: number): OffsetTable {
  const table: OffsetTable = [[fromMs, offsetAt(zone, fromMs)]];
  const first = new Date(fromMs).getUTCFullYear();
  const last = new Date(toMs).getUTCFullYear();
  for (let year = first; year <= last; year++) {
    for (const [at, off] of zoneYear(zone, year).changes) {
      if (at > fromMs && at <= toMs) table.push([at, off]);
    }
  }
  return table;
}
