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
import { AUTOMATIC_MARKERS, automaticMarker } from "../../contract/automatic.js";

const prelude = vm.runInContext(`${PRELUDE}; ({ automated: (fields) => __automated(__headers(fields, [])) })`, vm.createContext({})) as {
  automated: (fields: [string, string][]) => boolean;
};

const same = (fields: [string, string][]): void => {
  assert.equal(prelude.automated(fields), automaticMarker(fields) !== undefined, JSON.stringify(fields));
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
});
