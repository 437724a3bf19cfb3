/** groupDigits writes every number as toLocaleString("en-US") does, without loading Intl for safe integers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { groupDigits } from "../../contract/numbers.js";

test("groupDigits agrees with toLocaleString('en-US') on integers and on the rest", () => {
  fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat().map((n) => -n), fc.double()), (n) => groupDigits(n) === n.toLocaleString("en-US")), { numRuns: 5000 });
  for (const n of [0, -0, 7, 999, 1000, -1000, 123456789, Number.MAX_SAFE_INTEGER, 2 ** 60, Infinity, Number.NaN]) assert.equal(groupDigits(n), n.toLocaleString("en-US"), String(n));
});
