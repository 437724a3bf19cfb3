/**
 * parseMailboxes (runtime/input/decode.ts) reads a field value that is one
 * bare address directly: on generated values, bare or not, it gives what
 * mailparser's parseAddressHeader gives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseAddressHeader } from "mailparser";
import { parseMailboxes } from "../../runtime/input/decode.js";

const mailparser = (values: string[]): unknown => parseAddressHeader(values, { flatten: true, decodePunycode: false }).value;

const part = fc.string({ unit: fc.constantFrom(..."aZ09._+-".split("")), minLength: 0, maxLength: 8 });
const bareish = fc
  .record({
    local: part,
    domain: part,
    open: fc.constantFrom("", "<", " <", "\t<", "<<", "\"x\" <", "x <"),
    close: fc.constantFrom("", ">", "> ", ">\t", ">>", " (c)", ","),
    at: fc.constantFrom("@", "@", "@@", ""),
  })
  .map(({ local, domain, open, close, at }) => `${open}${local}${at}${domain}${close}`);
const other = fc.constantFrom("", " ", "Ann <ann@example.org>", "a@b, c@d", "g: a@b, c@d;", "=?utf-8?Q?Zo=C3=AB?= <z@x.y>", "a@xn--caf-dma.example", "<a@b", "a@b>", "<@a.b>", "a@b.", "a..b@c", ".a@b", "a@-b", "A.B+C@X-Y.EXAMPLE");

test("parseMailboxes gives what mailparser gives, a bare address read directly or not", () => {
  let bare = 0;
  fc.assert(
    fc.property(fc.array(fc.oneof(bareish, other), { minLength: 1, maxLength: 3 }), (values) => {
      assert.deepEqual(parseMailboxes(values), mailparser(values), JSON.stringify(values));
      if (values.every((v) => /^[ \t]*<?[A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9][A-Za-z0-9.-]*>?[ \t]*$/.test(v))) bare++;
    }),
    { numRuns: 3000 },
  );
  assert.ok(bare > 100, `${bare} all-bare runs`);
});

test("the common bare forms", () => {
  for (const v of ["<from@example.org>", "from@example.org", " <From@Example.ORG> ", "a.b+c@x-y.example", "<a_b@c.d>", "a@localhost", "\t<a@b>\t"]) {
    assert.deepEqual(parseMailboxes([v]), mailparser([v]), v);
  }
  assert.deepEqual(parseMailboxes(["<from@example.org>", "Ann <ann@example.org>"]), [
    { address: "from@example.org", name: "" },
    { address: "ann@example.org", name: "Ann" },
  ]);
});
