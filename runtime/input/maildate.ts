/**
 * The Date header (RFC 5322 §3.3, with the obsolete forms of §4.3) → epoch ms.
 * Not Date.parse: it reads a date without a zone in the host's local time,
 * and the same message must give the same input on every host.
 */

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** RFC 5322 §4.3: the obsolete zone names; military letters are "-0000", unknown. */
const ZONES: Record<string, number> = { ut: 0, gmt: 0, utc: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

const RFC5322 = /^(?:[a-z]{3,9}\s*,\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\s+([+-]\d{4}|[a-z]{1,5}))?$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms, or undefined when the value is not a date. A date without a zone is read as UTC. */
export function parseMailDate(value: string): number | undefined {
  // Mail that arrives within a second often carries the same Date (one client's batch): read once.
  if (kept.has(value)) return kept.get(value);
  const t = readDate(value);
  if (value.length > 100) return t;
  if (kept.size >= KEPT) kept.clear();
  kept.set(value, t);
  return t;
}

/** How many Date values' answers are kept (the answer depends on the value alone; a long value is not kept). */
const KEPT = 256;
const kept = new Map<string, number | undefined>();

function readDate(value: string): number | undefined {
  const v = value.replace(/\([^()]*\)/g, " ").replace(/\s+/g, " ").trim();
  const m = RFC5322.exec(v);
  if (!m) {
    const t = ISO.test(v) ? Date.parse(v) : Number.NaN;
    return Number.isNaN(t) ? undefined : t;
  }
  const [, day, mon, yearText, hour, minute, second, zone] = m;
  const month = MONTHS.indexOf(mon!.toLowerCase());
  let year = Number(yearText);
  if (yearText!.length === 2) year += year < 50 ? 2000 : 1900; // §4.3
  else if (yearText!.length === 3) year += 1900;
  if (month < 0 || Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 60) return undefined;
  const offset = zoneMinutes(zone);
  if (offset === undefined) return undefined;
  const t = Date.UTC(year, month, Number(day), Number(hour), Number(minute), Number(second ?? 0));
  if (new Date(t).getUTCDate() !== Number(day)) return undefined; // 31 Feb, or day 0
  return t - offset * 60_000;
}

/** The zone's offset in minutes; undefined for `+hhmm` whose minutes are over 59 or hours over 18 (not an offset). */
function zoneMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0;
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone[0] === "-" ? -1 : 1;
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (hours > 18 || minutes > 59) return undefined;
    return sign * (hours * 60 + minutes);
  }
  return ZONES[zone.toLowerCase()] ?? 0;
}
