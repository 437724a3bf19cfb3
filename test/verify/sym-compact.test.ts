/**
 * The compaction of a large formula (sym-compact.ts) is sound: on random
 * formulas over a few limits, at random values of them, the polynomial is
 * never below the formula, it is a whole number, and it is monotone (as
 * every bound must be: test/verify/monotone.test.ts); and it is not much
 * above it (a bound that is sound but useless would refuse every rule).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as S from "../../compiler/verify/sym.js";
import type { Sym } from "../../compiler/verify/sym.js";
import { compact } from "../../compiler/verify/sym-compact.js";

const VARS = ["members", "subject", "text"];

const symArb: fc.Arbitrary<Sym> = fc.letrec<{ s: Sym }>((tie) => ({
  s: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.nat({ max: 300 }).map((v) => S.num(v)),
    fc.constantFrom(...VARS).map((v) => S.v(v)),
    fc.array(tie("s"), { minLength: 1, maxLength: 4 }).map((xs) => S.add(...xs)),
    fc.array(tie("s"), { minLength: 1, maxLength: 3 }).map((xs) => S.mul(...xs)),
    fc.array(tie("s"), { minLength: 1, maxLength: 3 }).map((xs) => S.max(...xs)),
    fc.array(tie("s"), { minLength: 1, maxLength: 3 }).map((xs) => S.min(...xs)),
    fc.tuple(tie("s"), fc.constantFrom(2, 3, 4, 7, 16, 64)).map(([x, k]) => S.cdiv(x, k)),
    tie("s").map((x) => S.log2(x)),
  ),
})).s;

const envArb = fc.record({ members: fc.nat({ max: 5000 }), subject: fc.nat({ max: 2000 }), text: fc.nat({ max: 40000 }) });

test("compaction: never below the formula, whole, and monotone", () => {
  fc.assert(
    fc.property(symArb, envArb, fc.constantFrom(...VARS), fc.nat({ max: 1000 }), (s, env, v, more) => {
      const c = compact(s);
      const at = (x: Sym, e: Record<string, number>): number => S.evaluate(x, new Map(Object.entries(e)));
      const exact = at(s, env);
      const bound = at(c, env);
      assert.ok(bound >= exact, `${S.show(c)} = ${bound} < ${S.show(s)} = ${exact} at ${JSON.stringify(env)}`);
      assert.ok(Number.isInteger(bound));
      assert.ok(at(c, { ...env, [v]: env[v as keyof typeof env] + more }) >= bound, `not monotone in ${v}: ${S.show(c)}`);
    }),
    { seed: 20261206, numRuns: 3000 },
  );
});

test("compaction of sums of ceilings and maxima stays close (within the rounding of each monomial)", () => {
  const s = S.add(S.mul(S.v("members"), S.max(S.cdiv(S.add(S.v("subject"), S.num(256)), 4), S.cdiv(S.v("subject"), 4))), S.cdiv(S.v("text"), 64));
  const c = compact(s);
  const env = new Map([["members", 1000], ["subject", 1000], ["text", 40000]]);
  const exact = S.evaluate(s, env);
  const bound = S.evaluate(c, env);
  assert.ok(bound >= exact && bound <= exact * 1.01 + 1000, `${bound} vs ${exact}: ${S.show(c)}`);
});
