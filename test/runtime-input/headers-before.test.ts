/**
 * readHeaders as it was (test/runtime-input/before/headers.ts, the oracle)
 * against what it is now (lines found by scanning, not split and joined):
 * the same fields, problems and end of the header block for any bytes made
 * of the pieces that matter (CR, LF and CRLF in any mix, blank lines of
 * spaces and tabs, continuation lines first or last, colons, mbox `From `
 * lines, 8-bit bytes valid and invalid in UTF-8, an empty message).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readHeaders } from "../../runtime/input/headers.js";
import { readHeaders as readHeadersBefore } from "./before/headers.js";

const piece = fc.constantFrom("\r", "\n", "\r\n", "\n\r\n", "\n\n", " ", "\t", ":", " : ", "a", "Subject", "X-Y", "From ", "From:", "é", "\xe9", "\xc3\xa9", "\xff", "=?", "", "b c");

test("readHeaders reads any bytes as it did before", () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (pieces, utf8) => {
      const raw = Buffer.from(pieces.join(""), utf8 ? "utf8" : "latin1");
      assert.deepEqual(readHeaders(raw), readHeadersBefore(raw), JSON.stringify(raw.toString("latin1")));
    }),
    { numRuns: 20000 },
  );
  for (const s of ["", "\n", "\r\n", "\r", "a", "a\r", "a: b\r", "a: b\n\n", "a: b\r\n\r\nbody\n\nmore", "a: b\n\r\nx\n\ny", " x\r\na: b\r\n\r\n", "From x\r\nA: b\r\n"]) {
    const raw = Buffer.from(s, "latin1");
    assert.deepEqual(readHeaders(raw), readHeadersBefore(raw), JSON.stringify(s));
  }
});
