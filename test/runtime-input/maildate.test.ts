/** The Date header: RFC 5322 and its obsolete forms, read the same on every host. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMailDate } from "../../runtime/input/index.js";

const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s);

test("RFC 5322 dates with numeric zones, comments and without a weekday", () => {
  assert.equal(parseMailDate("Tue, 03 Mar 2026 10:15:00 +0100"), at(2026, 3, 3, 9, 15));
  assert.equal(parseMailDate("Tue, 3 Mar 2026 10:15:00 +0100 (CET)"), at(2026, 3, 3, 9, 15));
  assert.equal(parseMailDate("3 Mar 2026 10:15 -0530"), at(2026, 3, 3, 15, 45));
  assert.equal(parseMailDate("  Sun,  8 Mar 2026 20:00:00 -0500  "), at(2026, 3, 9, 1, 0));
});

test("obsolete forms: zone names, two- and three-digit years, spaces around colons", () => {
  assert.equal(parseMailDate("Thu, 5 Mar 2026 12:00:00 GMT"), at(2026, 3, 5, 12));
  assert.equal(parseMailDate("Thu, 5 Mar 2026 12:00:00 UT"), at(2026, 3, 5, 12));
  assert.equal(parseMailDate("Thu, 5 Mar 2026 12:00:00 EST"), at(2026, 3, 5, 17));
  assert.equal(parseMailDate("Thu, 5 Mar 2026 12:00:00 PDT"), at(2026, 3, 5, 19));
  assert.equal(parseMailDate("Thu, 5 Mar 26 12:00:00 +0000"), at(2026, 3, 5, 12));
  assert.equal(parseMailDate("Fri, 5 Mar 99 12:00:00 +0000"), at(1999, 3, 5, 12));
  assert.equal(parseMailDate("Fri, 5 Mar 099 12:00:00 +0000"), at(1999, 3, 5, 12));
  assert.equal(parseMailDate("5 Mar 2026 12 : 00 : 00 +0000"), at(2026, 3, 5, 12));
  assert.equal(parseMailDate("5 March 2026 12:00:00 +0000"), at(2026, 3, 5, 12));
});

test("a date without a zone is UTC, whatever the host's zone (Date.parse would use local time)", () => {
  assert.equal(parseMailDate("5 Mar 2026 12:00:00"), at(2026, 3, 5, 12));
});

test("ISO 8601 with a zone is accepted; without one, and anything else, is not a date", () => {
  assert.equal(parseMailDate("2026-03-05T12:00:00Z"), at(2026, 3, 5, 12));
  assert.equal(parseMailDate("2026-03-05T12:00:00+01:00"), at(2026, 3, 5, 11));
  for (const bad of ["2026-03-05T12:00:00", "2026", "sometime last week", "", "31 Feb 2026 10:00:00 +0000", "5 Foo 2026 10:00 +0000", "5 Mar 2026 25:00 +0000"]) {
    assert.equal(parseMailDate(bad), undefined, bad);
  }
});
