/**
 * readHeaders on a recorded corpus (test/golden/corpus/headers.json,
 * `THWONK_BLESS=1` records it again): the fields, problems and end of the
 * header block for fixed bytes made of the pieces that matter (CR, LF and
 * CRLF in any mix, blank lines of spaces and tabs, continuation lines first
 * or last, colons, mbox `From ` lines, 8-bit bytes valid and invalid in
 * UTF-8, an empty message).
 */
import { test } from "node:test";
import fc from "fast-check";
import { readHeaders } from "../../runtime/input/headers.js";
import { checkCorpus, draw } from "../helpers/corpus.js";

const piece = fc.constantFrom("\r", "\n", "\r\n", "\n\r\n", "\n\n", " ", "\t", ":", " : ", "a", "Subject", "X-Y", "From ", "From:", "é", "\xe9", "\xc3\xa9", "\xff", "=?", "", "b c");
const bytes = fc.tuple(fc.array(piece, { maxLength: 30 }), fc.boolean()).map(([pieces, utf8]) => Buffer.from(pieces.join(""), utf8 ? "utf8" : "latin1").toString("latin1"));
const fixed = ["", "\n", "\r\n", "\r", "a", "a\r", "a: b\r", "a: b\n\n", "a: b\r\n\r\nbody\n\nmore", "a: b\n\r\nx\n\ny", " x\r\na: b\r\n\r\n", "From x\r\nA: b\r\n"];
const inputs = [...fixed, ...draw(bytes, 400, 7101)];

test("readHeaders reads the corpus's bytes as recorded", () => {
  const cases = inputs.map((s) => {
    const raw = Buffer.from(s, "latin1");
    return { input: s, outputs: [JSON.stringify(readHeaders(raw))] };
  });
  checkCorpus("headers", cases);
});
