/** Offset tables from Node's real ICU data (Intl), checked against Intl itself. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isKnownTimeZone, offsetAt, offsetTransitions, type OffsetTable } from "../../runtime/input/index.js";

const Y2026 = Date.UTC(2026, 0, 1);
const Y2027 = Date.UTC(2027, 0, 1);
const MIN = 60_000;

/** What the prelude's `__off` does with the table. */
function lookup(table: OffsetTable, t: number): number {
  let r = 0;
  for (const [from, off] of table) if (from <= t) r = off;
  return r;
}

test("Europe/Paris in 2026: CET, CEST from 29 March 01:00 UTC, CET again from 25 October 01:00 UTC", () => {
  assert.deepEqual(offsetTransitions("Europe/Paris", Y2026, Y2027), [
    [Y2026, 60],
    [Date.UTC(2026, 2, 29, 1, 0), 120],
    [Date.UTC(2026, 9, 25, 1, 0), 60],
  ]);
});

test("the transition is found to the minute", () => {
  const spring = Date.UTC(2026, 2, 29, 1, 0);
  assert.equal(offsetAt("Europe/Paris", spring - MIN), 60, "00:59 UTC is 01:59 CET");
  assert.equal(offsetAt("Europe/Paris", spring), 120, "01:00 UTC is 03:00 CEST");
  const table = offsetTransitions("Europe/Paris", Y2026, Y2027);
  assert.equal(lookup(table, spring - 1), 60);
  assert.equal(lookup(table, spring), 120);
});

test("UTC (and its aliases) has one entry and no transitions", () => {
  assert.deepEqual(offsetTransitions("UTC", Y2026, Y2027), [[Y2026, 0]]);
  assert.deepEqual(offsetTransitions("Etc/UTC", 0, Y2027), [[0, 0]]);
});

test("a range inside a year, across years, and one that starts inside summer time", () => {
  const summer = Date.UTC(2026, 6, 1);
  assert.deepEqual(offsetTransitions("Europe/Paris", summer, Date.UTC(2026, 7, 1)), [[summer, 120]]);
  const twoYears = offsetTransitions("Europe/Paris", summer, Date.UTC(2027, 11, 31));
  assert.deepEqual(twoYears.map(([, o]) => o), [120, 60, 120, 60]);
  assert.deepEqual(twoYears[2], [Date.UTC(2027, 2, 28, 1, 0), 120]);
});

test("zones with negative, half-hour and 30-minute DST offsets agree with Intl at every sampled instant", () => {
  for (const zone of ["America/New_York", "America/St_Johns", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "Europe/Paris"]) {
    const table = offsetTransitions(zone, Y2026, Y2027);
    for (let t = Y2026; t < Y2027; t += 3 * 3600_000 + 7 * MIN) {
      assert.equal(lookup(table, t), offsetAt(zone, t), `${zone} at ${new Date(t).toISOString()}`);
    }
  }
  assert.equal(offsetAt("America/St_Johns", Y2026), -210);
  assert.equal(offsetAt("Asia/Kolkata", Y2026), 330);
});

test("a zone that changed its standard offset (Asia/Kathmandu, +05:30 → +05:45 in 1986)", () => {
  assert.deepEqual(offsetTransitions("Asia/Kathmandu", Date.UTC(1985, 0, 1), Date.UTC(1987, 0, 1)), [
    [Date.UTC(1985, 0, 1), 330],
    [Date.UTC(1985, 11, 31, 18, 30), 345],
  ]);
});

test("unknown zones are reported, not guessed", () => {
  assert.equal(isKnownTimeZone("Europe/Paris"), true);
  assert.equal(isKnownTimeZone("Mars/Olympus_Mons"), false);
  assert.throws(() => offsetTransitions("Mars/Olympus_Mons", Y2026, Y2027), RangeError);
});

test("a zone-year is computed once: the second call is served from the cache", () => {
  offsetTransitions("Africa/Casablanca", Y2026, Y2027);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) offsetTransitions("Africa/Casablanca", Y2026, Y2027);
  assert.ok(performance.now() - t0 < 100, "100 cached lookups take well under the cost of one scan");
});
