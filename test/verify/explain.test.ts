/**
 * The words around a bound (compiler/verify/explain.ts): the short formula
 * is an upper bound when nothing is left out and collects like terms; the
 * advice over a budget never offers a limit cut below a tenth of its value,
 * prefers the smallest cut (a state max included) and otherwise names the
 * loop; every dominant term of the examples has a line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSources } from "../../compiler/program.js";
import { describeTerm, shortFormula } from "../../compiler/verify/explain.js";
import * as S from "../../compiler/verify/sym.js";

const span = { file: "x.thwonk", start: 0, end: 1, line: 7, col: 1, endLine: 7, endCol: 2 };

test("the short formula collects like terms and reads ⌈x/k⌉ as x/k + 1, so it bounds the exact value", () => {
  const m = S.v("members");
  const text = S.v("text");
  const s = S.add(S.num(50), S.at(S.mul(S.num(10), m), span, "send(...)"), S.cdiv(S.add(S.num(3), S.mul(S.num(1632), m)), 16), S.cdiv(text, 16), S.cdiv(S.mul(S.num(1632), m), 64));
  const env = new Map([["members", 1000], ["text", 40000]]);
  const short = shortFormula(s, env);
  // 10 + 102 + 25.5 = 137.5 per member, rounded up; 50 + 3/16 + 3 ones = 53.2, rounded up.
  assert.equal(short, "54 + 138 × members + 0.1 × text (in short)");
  const value = 54 + 138 * 1000 + 0.1 * 40000;
  assert.ok(value >= S.evaluate(s, env), `${value} ≥ ${S.evaluate(s, env)}`);
});

test("a part under 1% is left out, and said to be", () => {
  const s = S.add(S.mul(S.num(100), S.v("members")), S.v("subject"));
  assert.equal(shortFormula(s, new Map([["members", 1000], ["subject", 10]])), "100 × members (in short; 1 part under 1% left out)");
});

test("a term without a place gets the trigger's line", () => {
  const t = { product: "members", coeff: 5, value: 500, span: undefined, label: undefined };
  assert.equal(describeTerm(t, 1000, span), "5 × members = 500 (50%) at line 7, the trigger's own work");
  assert.equal(describeTerm({ ...t, span, label: "send(...)" }, 1000), "5 × members = 500 (50%) at line 7, send(...), charged for each member it goes to");
  assert.equal(describeTerm({ ...t, span, label: "lower(...)", product: "subject" }, 1000), "5 × subject = 500 (50%) at line 7, lower(...), whose cost grows with subject");
});

function tw3001(src: string, ceilings?: Record<string, number>): string {
  const r = checkSources([{ fileName: "r.thwonk", text: src }], ceilings ? { verifyOptions: { ceilings } } : {});
  const d = r.diagnostics.find((x) => x.code === "TW3001");
  assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.message)));
  return d.message;
}

test("over budget: the smallest reasonable cut first, a state max included; never a limit cut below a tenth", () => {
  const msg = tw3001(`rule r
limits { members: 100 }
state { subjects: List<string max 200> max 5000 = [] }
on message(m: Message) {
  for s in state.subjects {
    if s == m.subject {
      reject("used")
    }
  }
  if state.subjects.size < 5000 {
    state.subjects.push(m.subject.truncate(200))
  }
}
`, { budget: 300000 });
  assert.match(msg, /It fits if you lower `max [\d,]+` on `state\.subjects`, down from 5,000 \(line 3\)/);
  for (const [, value, from] of msg.matchAll(/(?:max |: )([\d,]+)[`}].*?down from ([\d,]+)/g)) {
    assert.ok(Number(value!.replace(/,/g, "")) * 10 >= Number(from!.replace(/,/g, "")), msg);
  }
});

test("over budget with no reasonable cut: the loop to restructure, not `text ≤ 2 characters`", () => {
  const msg = tw3001(`rule r
limits { members: 1000, text: 100000, budget: 200000 }
on message(m: Message) {
  for member in members {
    send(to: member, subject: m.subject, text: "Dear {member.name},\\n{m.text}")
  }
}
`);
  assert.doesNotMatch(msg, /≤ \d+ characters/);
  assert.match(msg, /restructure the loop at line 4, where the largest part \(line 5, building a string\) runs for every element/);
});

test("every example's dominant term, and every term of a tenth or more, has a line", () => {
  const dir = join(process.cwd(), "examples");
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, `${name}.thwonk`);
    const r = checkSources([{ fileName: file, text: readFileSync(file, "utf8") }]);
    for (const t of r.units[0]!.verify!.triggers) {
      for (const term of t.gas.terms.filter((x) => x.product !== "" && x.value * 10 >= t.gas.bound)) {
        assert.ok(term.span, `${name} ${t.name}: ${term.coeff} × ${term.product} has no line`);
      }
    }
  }
});
