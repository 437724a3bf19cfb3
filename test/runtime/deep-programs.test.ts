/**
 * The deepest programs the language allows run on real QuickJS within the
 * sandbox's 64 KiB stack: a chain of MAX_CALL_DEPTH functions (TW2130),
 * each holding an expression at the nesting limit (TW1018, TW1020).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { MAX_CALL_DEPTH } from "../../compiler/semantic/declarations.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const words = ruleErrorWords;

export const runInput = (): Record<string, unknown> => handInput();

/** The deepest expressions of each kind the parser accepts, around the int `v`. */
const DEEP: Record<string, (v: string) => string> = {
  "200 `+`s": (v) => Array(201).fill(v).join(" + "),
  "230 nested calls": (v) => `${"_h(".repeat(230)}${v}${")".repeat(230)}`,
  "340 nested records": (v) => `${"{a: 1, b: ".repeat(340)}${v}${"}".repeat(340)}.a`,
  "340 nested lists": (v) => `${"[".repeat(340)}${v}${"]".repeat(340)}.size`,
  "130 `??`s of optional calls": (v) => `[${v}].get(0)${" ?? [1].get(0)".repeat(129)} ?? 0`,
};

function chain(deep: (v: string) => string, depth: number): string {
  let s = "rule deep\nlimits { budget: 10000000 }\nfn _h(x: int): int { return x }\nfn f0(x: int): int { return x + 1 }\n";
  for (let i = 1; i < depth; i++) s += `fn f${i}(x: int): int {\n  let y = ${deep("x")}\n  return f${i - 1}(y % 1000)\n}\n`;
  return s + `on message(m: Message) { log("{f${depth - 1}(m.subject.length)}") }\n`;
}

for (const [what, deep] of Object.entries(DEEP)) {
  test(`a chain of ${MAX_CALL_DEPTH} functions, each with ${what}, checks and runs on QuickJS`, async () => {
    const r = compileSource("deep.thwonk", chain(deep, MAX_CALL_DEPTH));
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => `${d.code} ${d.message.slice(0, 120)}`), []);
    const run = await runBundle(r.bundle!, { trigger: "message", input: runInput(), limits: { timeLimitMs: 20_000 } }, words);
    assert.equal(run.error, null, JSON.stringify(run.error));
    assert.equal(run.actions.length, 1);
  });
}

test(`one function more than ${MAX_CALL_DEPTH} is TW2130`, () => {
  const r = compileSource("deep.thwonk", chain((v) => v, MAX_CALL_DEPTH + 1));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["TW2130"]);
});
