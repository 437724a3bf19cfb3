import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as S from "../../compiler/verify/sym.js";
import { stepOf } from "../../compiler/verify/growth.js";
import { checkSources } from "../../compiler/program.js";

const env = (o: Record<string, number>) => new Map(Object.entries(o));

test("constructors simplify and stay exact", () => {
  assert.equal(S.show(S.add(S.num(2), S.v("a"), S.num(3), S.v("a"))), "5 + 2 × a");
  assert.equal(S.show(S.mul(S.num(2), S.num(3), S.v("n"))), "6 × n");
  assert.equal(S.show(S.max(S.add(S.num(9), S.v("s")), S.add(S.num(15), S.v("s")), S.num(4))), "15 + s");
  assert.equal(S.show(S.cdiv(S.add(S.v("a"), S.v("b")), 16)), "⌈(a + b)/16⌉");
  assert.equal(S.evaluate(S.cdiv(S.num(17), 16), env({})), 2);
});

test("terms add up to the bound and name the dominant one", () => {
  const s = S.add(S.num(40), S.mul(S.v("members"), S.add(S.num(12), S.cdiv(S.v("text"), 64))));
  const e = env({ members: 500, text: 20000 });
  const ts = S.terms(s, e);
  assert.equal(ts.reduce((n, t) => n + t.value, 0), S.evaluate(s, e));
  assert.equal(ts[0]!.product, "members × ⌈text/64⌉");
  assert.equal(S.formula(ts), "40 + 12 × members + members × ⌈text/64⌉");
});

test("the largest single limit that fits a budget is exact", () => {
  const s = S.add(S.num(40), S.mul(S.v("members"), S.add(S.num(12), S.cdiv(S.v("text"), 64))));
  const e = env({ members: 500, text: 20000 });
  const best = S.largestFitting(s, "members", e, 100_000, 10_000)!;
  assert.ok(S.evaluate(s, new Map(e).set("members", best)) <= 100_000);
  assert.ok(S.evaluate(s, new Map(e).set("members", best + 1)) > 100_000);
  assert.equal(S.largestFitting(S.add(S.num(200_000), S.v("x")), "x", env({ x: 1 }), 100_000, 10), undefined);
});

test("loop growth: next ≤ max(x, c) + d is read off, self-feeding growth refused", () => {
  const acc = "$acc";
  const step = (x: S.Sym) => {
    const st = stepOf(x, acc);
    return st && `d=${S.show(st.d)} c=${S.show(st.c)}`;
  };
  assert.equal(step(S.add(S.v(acc), S.num(5), S.v("n"))), "d=5 + n c=0");
  assert.equal(step(S.max(S.add(S.v(acc), S.num(3)), S.v(acc))), "d=3 c=0");
  assert.equal(step(S.max(S.v(acc), S.v("n"))), "d=0 c=n");
  assert.equal(step(S.v("n")), "d=0 c=n");
  assert.equal(stepOf(S.add(S.v(acc), S.v(acc)), acc), undefined);
  assert.equal(stepOf(S.mul(S.num(2), S.v(acc)), acc), undefined);
});

test("summing over the parts of a string is linear in its length", () => {
  const e = "$e";
  // A body costing 5 + ⌈e/16⌉ per part, over at most t+1 parts summing to t.
  const body = S.add(S.num(5), S.cdiv(S.v(e), 16));
  const sum = S.sumOverElements(body, e, S.add(S.v("t"), S.num(1)), S.v("t"), S.v("t"));
  // Sound: for any split of t into parts, the actual sum is at most the bound.
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 200 }), { minLength: 1, maxLength: 50 }), (parts) => {
      const t = parts.reduce((a, b) => a + b, 0) + parts.length - 1;
      const actual = parts.reduce((n, p) => n + 5 + Math.ceil(p / 16), 0);
      return actual <= S.evaluate(sum, env({ t }));
    }),
    { seed: 7, numRuns: 300 },
  );
  // And linear: doubling t roughly doubles it, unlike count × body(t).
  const at = (t: number) => S.evaluate(sum, env({ t }));
  assert.ok(at(20_000) < 3 * at(10_000));
});

test("every bound is monotone in every limit", () => {
  const src = `rule m
limits { members: 100, text: 1000 }
on message(m: Message) {
  var seen: List<string> = []
  for line in m.text.lines() where not line.startsWith(">") {
    seen.push(line.trim())
  }
  for member in members where member.address != m.from {
    send(to: member, subject: "{m.subject} ({seen.size})", text: seen.join("\\n"))
  }
}`;
  const r = checkSources([{ fileName: "m.thwonk", text: src }]);
  const v = r.units[0]!.verify!;
  const gas = v.triggers[0]!.gasSym;
  for (const name of S.variables(gas)) {
    const base = v.env;
    const lo = S.evaluate(gas, base);
    const hi = S.evaluate(gas, new Map(base).set(name, base.get(name)! * 2));
    assert.ok(hi >= lo, `${name}`);
  }
});
