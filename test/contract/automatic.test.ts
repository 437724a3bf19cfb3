/**
 * One notion of automatic mail (contract/automatic.ts): the prelude's `__automated` (what `m.isAutomated()` reads,
 * contract/prelude/library.js, run in node:vm here; in the real sandbox through thwonkd by
 * test/daemon/requests-automatic.test.ts) says what the host's table says, for the markers, their values in any
 * case and spacing, several fields of one name, and fields that only look like them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import fc from "fast-check";
import { PRELUDE } from "../../contract/prelude.js";
import { AUTOMATIC_MARKERS, automaticMarker, MARKER_READ, markerValue } from "../../contract/automatic.js";

const prelude = vm.runInContext(`${PRELUDE}; ({ automated: (fields, decoded) => __automated(__headers(fields, decoded || [])), value: __markerValue })`, vm.createContext({})) as {
  automated: (fields: [string, string][], decoded?: (string | null)[]) => boolean;
  value: (v: string) => string;
};

const same = (fields: [string, string][], decoded?: (string | null)[]): void => {
  assert.equal(prelude.automated(fields, decoded), automaticMarker(fields, decoded) !== undefined, JSON.stringify([fields, decoded]));
};

test("each marker, as auto-responders write it, is automatic to both; what only looks like one is not", () => {
  const automatic: [string, string][] = [
    ["Auto-Submitted", "auto-replied"],
    ["auto-submitted", " auto-generated "],
    ["Precedence", "bulk"],
    ["Precedence", "JUNK"],
    ["Precedence", "list"],
    ["Precedence", "auto_reply"],
    ["X-Autoreply", "yes"],
    ["X-AutoReply", "YES"],
    ["X-Autorespond", "I am away"],
    ["X-Autorespond", ""],
    ["X-Auto-Response-Suppress", "All"],
    ["X-Auto-Response-Suppress", "OOF"],
    ["X-Auto-Response-Suppress", "DR, AutoReply"],
    ["x-auto-response-suppress", "RN,oof,NRN"],
    ["List-Id", "<news.example.org>"],
  ];
  for (const f of automatic) {
    assert.ok(automaticMarker([f]), `host: ${JSON.stringify(f)}`);
    assert.equal(prelude.automated([f]), true, `prelude: ${JSON.stringify(f)}`);
  }
  const not: [string, string][] = [
    ["Auto-Submitted", "no"],
    ["Auto-Submitted", " No "],
    ["Precedence", "first-class"],
    ["Precedence", "bulky"],
    ["Precedence", "auto-reply"],
    ["X-Autoreply", "no"],
    ["X-Auto-Response-Suppress", "None"],
    ["X-Auto-Response-Suppress", "DR, NDR, RN"],
    ["X-Auto-Response-Suppress", "Allow"],
    ["X-Autoreply-From", "x@example.org"],
    ["X-Autoresponder", "yes"],
    ["Subject", "Auto-Submitted: auto-replied"],
    ["List-Unsubscribe", "<mailto:x@example.org>"],
  ];
  for (const f of not) {
    assert.equal(automaticMarker([f]), undefined, `host: ${JSON.stringify(f)}`);
    assert.equal(prelude.automated([f]), false, `prelude: ${JSON.stringify(f)}`);
  }
  // RFC 3834's syntax: comments and parameters around the keyword. Before, `no (sent by a person)` was automatic
  // to both (a person's request went unanswered) and `bulk (newsletter)` was not.
  for (const f of [["Auto-Submitted", "auto-replied; owner-email=\"a@b.example\""], ["Auto-Submitted", "(vacation) auto-replied"], ["Precedence", "bulk (newsletter)"], ["Precedence", " Junk;x"], ["X-Autoreply", "yes (really)"], ["X-Auto-Response-Suppress", "DR, OOF (Exchange)"]] as [string, string][]) {
    assert.ok(automaticMarker([f]), `host: ${JSON.stringify(f)}`);
    assert.equal(prelude.automated([f]), true, `prelude: ${JSON.stringify(f)}`);
  }
  for (const f of [["Auto-Submitted", "no (sent by a person)"], ["Auto-Submitted", "(a (nested \\) comment)) No ; x=y"], ["Auto-Submitted", "no;"], ["X-Autoreply", "NO (thanks)"], ["Precedence", "(bulk) first-class"]] as [string, string][]) {
    assert.equal(automaticMarker([f]), undefined, `host: ${JSON.stringify(f)}`);
    assert.equal(prelude.automated([f]), false, `prelude: ${JSON.stringify(f)}`);
  }
  // Read as the rule reads it: decoded. Before, the host read `=?utf-8?q?bulk?=` as written (answered) where the
  // rule's isAutomated() read it decoded (automatic); and the other way round for an encoded `no`.
  for (const [f, d, automatic] of [[["Precedence", "=?utf-8?q?bulk?="], "bulk", true], [["Auto-Submitted", "=?utf-8?q?no?="], "no", false]] as [[string, string], string, boolean][]) {
    assert.equal(automaticMarker([f], [d]) !== undefined, automatic, `host: ${JSON.stringify(f)}`);
    assert.equal(prelude.automated([f], [d]), automatic, `prelude: ${JSON.stringify(f)}`);
  }
  // A value's first MARKER_READ characters are read: the rest is a comment or a parameter.
  assert.equal(markerValue(`no (${"x".repeat(10 * MARKER_READ)})`), "no");
  assert.equal(markerValue(`no${" ".repeat(MARKER_READ)}auto-replied`), "no");
  // A second field of a name counts as the first does (a relay may add one; a sender may write two).
  same([["Auto-Submitted", "no"], ["Auto-Submitted", "auto-replied"]]);
  assert.equal(prelude.automated([["Precedence", "first-class"], ["Precedence", "auto_reply"]]), true);
  same([]);
});

test("the prelude and the host agree on any set of fields drawn from the markers, their values and look-alikes", () => {
  const names = fc.constantFrom(...AUTOMATIC_MARKERS.map((m) => m.field), "Auto-submitted", "PRECEDENCE", "X-AUTOREPLY", "Subject", "X-Autoresponder", "List-Idx", "From");
  const values = fc.oneof(
    fc.constantFrom("no", "No", " no ", "yes", "auto-replied", "bulk", "Bulk ", "list", "junk", "auto_reply", "All", "OOF", "AutoReply", "DR,NDR", "None", "DR, oof", "autoreplyx", "all,", ",all", ""),
    fc.string({ maxLength: 12 }),
  );
  fc.assert(fc.property(fc.array(fc.tuple(names, values), { maxLength: 6 }), (fields) => same(fields as [string, string][])), { numRuns: 3000 });
  // With comments, parameters, quoted pairs and decoded values: the two readings are one.
  const piece = fc.constantFrom("no", "bulk", "auto-replied", "OOF", "(", ")", "\\", ";", " ", "(c)", "x=y", "all,");
  const value = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
  fc.assert(
    fc.property(fc.array(fc.tuple(names, value, fc.option(value)), { maxLength: 4 }), (rows) => {
      for (const [, v] of rows) assert.equal(prelude.value(v), markerValue(v), JSON.stringify(v));
      same(rows.map(([n, v]) => [n, v] as [string, string]), rows.map(([, , d]) => d));
    }),
    { numRuns: 3000 },
  );
});
