/**
 * compose.ts reads a From value that is one bare address without nodemailer's
 * address parser (bareMailbox): on generated values, whenever it does, its
 * answer is the parser's, and a message composed from such a From is the same.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { bareMailbox } from "../../runtime/input/decode.js";

const part = fc.string({ unit: fc.constantFrom(..."aZ09._+-".split("")), minLength: 0, maxLength: 8 });
const value = fc
  .record({
    local: fc.oneof(part, fc.tuple(fc.constantFrom("a", "Z", "0"), part).map(([a, b]) => a + b)),
    domain: fc.oneof(part, fc.tuple(fc.constantFrom("a", "Z", "0"), part).map(([a, b]) => a + b)),
    open: fc.constantFrom("", "", "<", "<", " <", "\t<", "<<", '"x" <', "x <"),
    close: fc.constantFrom("", "", ">", ">", "> ", ">\t", ">>", " (c)", ","),
    at: fc.constantFrom("@", "@", "@", "@@", ""),
  })
  .map(({ local, domain, open, close, at }) => `${open}${local}${at}${domain}${close}`);

test("a bare From is read as nodemailer's address parser reads it", () => {
  let bare = 0;
  fc.assert(
    fc.property(value, (v) => {
      const fast = bareMailbox(v);
      if (!fast) return;
      bare++;
      assert.deepEqual(fast, addressparser(v, { flatten: true }), JSON.stringify(v));
    }),
    { numRuns: 4000 },
  );
  assert.ok(bare > 100, `${bare} bare values`);
  for (const v of ["<from@example.org>", "from@example.org", " <From@Example.ORG>\t", "a.b+c@x-y.example"]) assert.deepEqual(bareMailbox(v), addressparser(v, { flatten: true }), v);
  for (const v of ["Ann <a@b>", "a@b, c@d", "<a@b", "a@b>", "", "=?utf-8?Q?a?= <a@b>"]) assert.equal(bareMailbox(v), undefined, v);
});
