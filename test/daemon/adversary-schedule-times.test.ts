/**
 * The adversary of schedule.ts: its due times against a reference computed
 * another way (from the zone's table of offset changes, not by trying
 * offsets), in zones with 30-minute DST (Lord_Howe), odd offsets
 * (Kathmandu, Chatham), DST at midnight (Santiago, Havana), a skipped day
 * (Apia) and historic changes (Moscow, Caracas, Pyongyang).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compileSource } from "../../compiler/index.js";
import { offsetTransitions } from "../../runtime/input/index.js";
import { instantOf, latestDue, nextDue, type TriggerSchedule } from "../../runtime/daemon/schedule.js";
import { refDueTimes, WEEKDAYS } from "./adversary-schedule-helpers.js";

const MINUTE = 60_000;
const at = (s: string): number => Date.parse(s);

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "Pacific/Chatham",
  "America/Santiago",
  "America/Havana",
  "Pacific/Apia",
  "Europe/Dublin",
  "Antarctica/Troll",
  "America/St_Johns",
  "Europe/Moscow",
  "America/Caracas",
  "Asia/Pyongyang",
  "Africa/Casablanca",
];

const schedules: fc.Arbitrary<TriggerSchedule> = fc.oneof(
  fc.record({ unit: fc.constantFrom("day", "week", ...WEEKDAYS), intervalMs: fc.constant(null), atMinutes: fc.integer({ min: 0, max: 1439 }) }),
  fc.constant({ unit: "hour", intervalMs: null, atMinutes: null }),
  fc.record({ unit: fc.constant(null), intervalMs: fc.constantFrom(1, 7, 15, 45, 90, 100, 420, 720, 1439).map((m) => m * MINUTE), atMinutes: fc.constant(null) }),
);

/** Instants near the zone's offset changes (where the bugs are), and anywhere. */
const instants = (zone: string): fc.Arbitrary<number> => {
  const changes = offsetTransitions(zone, at("2000-01-01T00:00:00Z"), at("2035-01-01T00:00:00Z"))
    .slice(1)
    .map(([t]) => t);
  const anywhere = fc.integer({ min: at("2000-01-01T00:00:00Z"), max: at("2035-01-01T00:00:00Z") });
  if (changes.length === 0) return anywhere;
  return fc.oneof(anywhere, fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 60, max: 36 * 60 })).map(([c, m]) => c + m * MINUTE), fc.constantFrom(...changes));
};

test("nextDue and latestDue agree with the reference in every zone, around every offset change", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ZONES).chain((zone) => fc.tuple(fc.constant(zone), schedules, instants(zone))),
      ([zone, s, t]) => {
        const due = refDueTimes(s, zone, t);
        const next = due.find((x) => x > t);
        const latest = due.filter((x) => x <= t).at(-1);
        assert.equal(nextDue(s, zone, t), next, `nextDue ${zone} ${JSON.stringify(s)} ${new Date(t).toISOString()}`);
        assert.equal(latestDue(s, zone, t), latest, `latestDue ${zone} ${JSON.stringify(s)} ${new Date(t).toISOString()}`);
        // The scheduler steps from the latest due time it ran to the next: nothing in between is lost.
        if (latest !== undefined) assert.equal(nextDue(s, zone, latest), next);
      },
    ),
    { numRuns: Number(process.env["SCHEDULE_RUNS"] ?? 400) },
  );
});

test("the wall-clock times the docs name, in zones with 30- and 45-minute offsets", () => {
  const daily = (h: number, m = 0): TriggerSchedule => ({ unit: "day", intervalMs: null, atMinutes: h * 60 + m });
  // Lord Howe, 2026-10-04: 02:00 → 02:30 (+10:30 → +11). 02:15 is skipped: due at 02:30 local, 15:30Z the day before.
  assert.equal(nextDue(daily(2, 15), "Australia/Lord_Howe", at("2026-10-03T12:00:00Z")), at("2026-10-03T15:30:00Z"));
  // Lord Howe, 2026-04-05: 02:00 → 01:30; 01:45 happens twice (14:45Z and 15:15Z): once, at the first.
  assert.equal(nextDue(daily(1, 45), "Australia/Lord_Howe", at("2026-04-04T12:00:00Z")), at("2026-04-04T14:45:00Z"));
  assert.equal(nextDue(daily(1, 45), "Australia/Lord_Howe", at("2026-04-04T14:45:00Z")), at("2026-04-05T15:15:00Z"));
  // Kathmandu is +05:45: midnight is 18:15Z.
  assert.equal(nextDue(daily(0), "Asia/Kathmandu", at("2026-06-01T00:00:00Z")), at("2026-06-01T18:15:00Z"));
  // Santiago changes at midnight. 2026-09-06: 00:00 → 01:00 (-04 → -03): midnight runs at 01:00 (04:00Z).
  assert.equal(nextDue(daily(0), "America/Santiago", at("2026-09-05T12:00:00Z")), at("2026-09-06T04:00:00Z"));
  assert.equal(nextDue(daily(0), "America/Santiago", at("2026-09-06T04:00:00Z")), at("2026-09-07T03:00:00Z"));
  // 2026-04-05: 24:00 → 23:00 (-03 → -04): 23:00–24:00 of the 4th happens twice, midnight once (04:00Z).
  assert.equal(nextDue(daily(0), "America/Santiago", at("2026-04-04T12:00:00Z")), at("2026-04-05T04:00:00Z"));
  assert.equal(nextDue(daily(23, 30), "America/Santiago", at("2026-04-04T12:00:00Z")), at("2026-04-05T02:30:00Z"));
  assert.equal(nextDue(daily(23, 30), "America/Santiago", at("2026-04-05T02:30:00Z")), at("2026-04-06T03:30:00Z"));
  // New York, 2026-03-08: 02:00 → 03:00. `every day at 02:00` runs at 03:00 (07:00Z).
  assert.equal(instantOf("America/New_York", at("2026-03-08T02:00:00Z")), at("2026-03-08T07:00:00Z"));
});

test("finding the due time of `every 1m` reads the zone a few hundred times, not once per minute of three days", () => {
  // The scheduler computes the latest and the next due time of each trigger when it runs, on the daemon's one thread:
  // 1,000 lists with `every 1m` must not each cost it 1,440 × 3 days of zone look-ups a minute.
  const proto = Intl.DateTimeFormat.prototype;
  const real = proto.formatToParts;
  let reads = 0;
  proto.formatToParts = function (this: Intl.DateTimeFormat, ...args: Parameters<typeof real>) {
    reads++;
    return real.apply(this, args);
  };
  try {
    for (const zone of ["UTC", "Europe/Berlin", "Australia/Lord_Howe"]) {
      for (const interval of [1, 7]) {
        const s: TriggerSchedule = { unit: null, intervalMs: interval * MINUTE, atMinutes: null };
        reads = 0;
        const t = at("2026-10-04T15:47:30Z");
        const latest = latestDue(s, zone, t)!;
        nextDue(s, zone, latest);
        assert.ok(reads <= 500, `${zone} every ${interval}m: ${reads} zone look-ups`);
      }
    }
  } finally {
    proto.formatToParts = real;
  }
});

test("an interval longer than a day is refused (it would run once a day, at midnight); up to a day is taken", () => {
  const compile = (interval: string) => compileSource("r.thwonk", `rule r\n\nstate {\n  n: int = 0\n}\n\nevery ${interval} {\n  state.n = 1\n}\n`);
  for (const interval of ["25h", "2d", "48h", "1441m"]) {
    const r = compile(interval);
    assert.equal(r.bundle, undefined, `every ${interval} compiled`);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ["TW2096"],
      interval,
    );
    assert.match(r.diagnostics[0]!.message, /once a day/);
  }
  for (const interval of ["1d", "24h", "1439m", "7h", "90m"]) {
    const r = compile(interval);
    assert.ok(r.bundle, `every ${interval}: ${r.diagnostics.map((d) => d.message).join(" ")}`);
  }
});
