/**
 * The size bounds of values shown in strings, and the costs over them: an
 * expression mixing interpolations of every showable type, orderings, `+`
 * and the size-dependent string and list methods (exprgen.ts) is checked,
 * and when accepted run on real QuickJS at every declared limit in the
 * worst-case characters (rulegen.ts adversarialSteps). Every run must stay
 * within its gas bound (the value shown 16 times in one template: a length
 * bound one unit short is a gas short), and the value's text must have at
 * most the characters check bounds it by (read from the TW3005 check of a
 * `string max 1` write of the same value).
 *
 * `THWONK_FUZZ_RUNS=N` for a longer hunt, `THWONK_FUZZ_SEED=S` replays one.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildInput } from "./inputs.js";
import { exprArb, exprRule, type Kind } from "./exprgen.js";
import { adversarialSteps, compileRule, describeFailure, runProblems, runRule } from "./rulegen.js";

const RULES = Number(process.env["THWONK_FUZZ_RUNS"] ?? 40);
const SEED = process.env["THWONK_FUZZ_SEED"] !== undefined ? Number(process.env["THWONK_FUZZ_SEED"]) : 20261206;

/** check's bound of `v` in characters, from the TW3005 of writing it into a `string max 1`; undefined when it fits or is refused otherwise. */
function charBound(e: string): number | undefined {
  const c = compileRule("probe", exprRule(e, true));
  if (c.kind === "crashed") throw new Error(`check crashed on the probe: ${c.problem}\n${e}`);
  const d = c.kind === "refused" ? c.diagnostics.find((x) => x.code === "TW3005") : undefined;
  const m = d && /may have up to ([\d,]+) /.exec(d.message);
  return m ? Number(m[1]!.replace(/,/g, "")) : c.kind === "accepted" ? 1 : undefined;
}

/** The problems of one expression: runs over their gas bound, values longer than their bound. */
async function problems(e: string): Promise<{ accepted: boolean; problems: string[] }> {
  const source = exprRule(e, false);
  const c = compileRule("exprs", source);
  if (c.kind === "crashed") return { accepted: false, problems: [`check crashed: ${c.problem}`] };
  if (c.kind === "refused") return { accepted: false, problems: [] };
  const chars = charBound(e);
  const out: string[] = [];
  for (const [i, step] of adversarialSteps(c.ex).entries()) {
    const input = buildInput(c.ex, step.plan);
    const r = await runRule(c.ex, step.trigger, input);
    for (const p of runProblems(c.ex, step.trigger, r)) out.push(`step ${i}: ${p.property}: ${p.what}\n${describeFailure(source, { step: i, trigger: step.trigger, plan: step.plan, stateBefore: null, problems: [p] })}`);
    const shown = r.actions.find((a) => a.kind === "log") as { text?: string; message?: string } | undefined;
    const text = shown?.text ?? shown?.message;
    if (!r.error && typeof text !== "string") out.push(`step ${i}: no log line read back: ${JSON.stringify(r.actions[0])}`);
    else if (!r.error && chars !== undefined && [...text!].length > chars) {
      out.push(`step ${i}: the value has ${[...text!].length} characters, over check's bound ${chars}: ${JSON.stringify(text!.slice(0, 80))}`);
    }
  }
  return { accepted: true, problems: out };
}

describe(`size bounds of shown values and the costs over them (seed ${SEED}, ${RULES} expressions)`, () => {
  const kinds: Kind[] = ["S", "B", "I", "T", "D", "A"];
  const arb = fc.constantFrom(...kinds).chain((k) => exprArb(k, 3));

  test("the harness reads the value back and check's character bound", async () => {
    const r = await problems('"{"a" < "b"} {"a" < "b"} {"a" < "b"} {"a" < "b"}"');
    assert.deepEqual(r, { accepted: true, problems: [] });
    assert.equal(charBound('"{"a" < "b"}{1 - 2}"'), 5 + 20);
  });

  test("every accepted expression: gas used ≤ bound, and its text within its bound, at the worst inputs", async (ctx) => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (e) => {
        const r = await problems(e);
        if (r.accepted) accepted++;
        if (r.problems.length) throw new Error(`${e}\n${r.problems.slice(0, 2).join("\n")}`);
      }),
      { seed: SEED, numRuns: RULES, endOnFailure: true },
    );
    ctx.diagnostic(`${accepted} of ${RULES} expressions accepted and run`);
    assert.ok(accepted * 2 >= RULES, `only ${accepted} of ${RULES} generated expressions pass check`);
  });
});
