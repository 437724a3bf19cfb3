/**
 * Decisions the checker makes once and the later phases read: which
 * argument binds which parameter (named arguments in any order), which
 * operator a compound assignment uses. Differential: a call written with
 * named arguments out of order is verified, bounded and run exactly as the
 * same call written positionally, on real QuickJS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources, compileSource, type Bundle } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

function verified(src: string): { codes: string[]; gas: number } {
  const r = checkSources([{ fileName: "t.thwonk", text: src }]);
  return { codes: r.diagnostics.map((d) => d.code), gas: r.units[0]?.verify?.triggers[0]?.gas.bound ?? NaN };
}

function bundle(src: string): Bundle {
  const r = compileSource("t.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.bundle;
}

const rule = (call: string): string => `rule t
limits { subject: 300 }
state {
  seen: Map<string max 20, string max 200> max 10 = {}
}
on message(m: Message) {
  if state.seen.size < 10 {
    ${call}
  }
  log(state.seen.get("k") ?? "none")
}
`;

test("a stdlib call's named arguments bind by name in the checker, the verifier and the emitter alike", async () => {
  const positional = rule(`state.seen.set("k", m.subject.truncate(200))`);
  const named = rule(`state.seen.set(v: m.subject.truncate(200), k: "k")`);
  const a = verified(positional);
  const b = verified(named);
  assert.deepEqual(a.codes, []);
  assert.deepEqual(b.codes, [], "the long value is checked against the value's bound, not the key's");
  assert.equal(a.gas, b.gas);
  for (const src of [positional, named]) {
    const r = await runBundle(bundle(src), { trigger: "message", input: handInput({ limits: { subject: 200 } }, { subject: "hello there" }) }, ruleErrorWords);
    assert.equal(r.error, null, JSON.stringify(r.error));
    assert.deepEqual(r.actions.filter((x) => x.kind === "log").map((x) => x.text), ["hello there"]);
    assert.deepEqual(r.state, { seen: { k: "hello there" } });
  }
});

test("a key written by name is checked against the key's bound: an unbounded key is refused however the call is written", () => {
  for (const call of [`state.seen.set(m.subject, "v")`, `state.seen.set(v: "v", k: m.subject)`]) {
    assert.deepEqual(verified(rule(call)).codes.filter((c) => c !== "TW3104"), ["TW3005"], call);
  }
});

test("a fn's named arguments bind by name: the same bound and the same run as positional", async () => {
  const src = (call: string): string => `rule t
fn pad(s: string, n: int): string {
  return "{s}:{n}"
}
on message(m: Message) {
  log(${call})
}
`;
  const a = verified(src(`pad(m.subject.truncate(5), 3)`));
  const b = verified(src(`pad(n: 3, s: m.subject.truncate(5))`));
  assert.deepEqual([a.codes, b.codes], [[], []]);
  assert.equal(a.gas, b.gas);
  const r = await runBundle(bundle(src(`pad(n: 3, s: m.subject.truncate(5))`)), { trigger: "message", input: handInput({}, { subject: "abcdefgh" }) }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.deepEqual(r.actions.filter((x) => x.kind === "log").map((x) => x.text), ["abcde:3"]);
});
