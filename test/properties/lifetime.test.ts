/**
 * Issue 12, the Proof: a list's life, many runs in a row. For each example, runs of its triggers
 * with adversarial inputs (inputs.ts, at the limits), the state each run saves carried into the next (checked
 * against the manifest's types and bounds first), starting from state at its maxima, with a compatible redeploy
 * in the middle (every `max` raised: compareVersions finds nothing wrong, migrateState carries the data). Every
 * run stays within its gas and fan-out bounds, and one run of each life is repeated: the same gas and actions.
 * Short by default; THWONK_LIFETIME_LONG=1 for hundreds of runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileSource } from "../../compiler/emit/bundle.js";
import { compareVersions, migrateState, versionSchema } from "../../compiler/index.js";
import { stateRefusals } from "../../contract/index.js";
import { examples, observable, runTrigger, soundnessProblem, type Example } from "./examples.js";
import { buildInput, planArb } from "./inputs.js";
import { compileRule, ruleArb, runRule } from "./rulegen.js";
import type { RunResult } from "../../runtime/run/run-rule.js";
import { scaled } from "../helpers/scale.js";

const LONG = process.env["THWONK_LIFETIME_LONG"] === "1";
// 20 runs a life in npm test, the redeploy after the 10th (30 with THWONK_TEST_SCALE=full).
const STEPS = LONG ? 300 : scaled(20, 30);
const SEED = 20261206;
// Every example: the stateless ones live the same life (their redeploy changes nothing they keep).
const NAMES = examples().map((e) => e.name);

/** The rule with every `max N` raised to N + 1 (more would break some examples' memory bound): a redeploy the stored state must survive. Undefined when the raised rule does not compile. */
function redeployed(ex: Example): Example | undefined {
  const source = ex.source.replace(/\bmax (\d+)/g, (_, n: string) => `max ${Number(n) + 1}`);
  const { bundle } = compileSource(`${ex.name}.thwonk`, source);
  return bundle ? { ...ex, source, bundle, triggers: bundle.manifest.triggers } : undefined;
}

type Run = (ex: Example, trigger: string, input: Record<string, unknown>) => Promise<RunResult>;

/**
 * One life: `steps` runs of the rule's triggers in turn, state carried, a redeploy half way (when
 * `mustRedeploy`, the raised rule has to compile), every run within its bounds, one run repeated.
 */
async function live(label: string, start: Example, steps: number, run: Run, mustRedeploy: boolean): Promise<void> {
  let ex = start;
  const triggers = ex.triggers.map((t) => t.name);
  const plans = triggers.map((t) => fc.sample(planArb(ex, t), { seed: SEED, numRuns: steps }));
  let saved: unknown;
  let repeated = false;
  let ran = 0;
  for (let i = 0; i < steps; i++) {
    if (i === Math.floor(steps / 2)) {
      const next = redeployed(ex);
      if (mustRedeploy) assert.ok(next, `${label}: the rule with its maxima raised does not compile`);
      if (next) {
        const problems = compareVersions(versionSchema(ex.bundle.manifest), versionSchema(next.bundle.manifest), saved ? { state: saved as Record<string, unknown> } : {});
        const errors = problems.filter((p) => (p.message as { severity?: string }).severity === "error");
        assert.deepEqual(errors.map((p) => p.args), [], `${label}: the raised maxima are refused`);
        if (saved) saved = migrateState(ex.bundle.manifest.state, next.bundle.manifest.state, saved as Record<string, unknown>);
        ex = next;
      }
    }
    const k = i % triggers.length;
    const trigger = triggers[k]!;
    // The first run starts from state at its maxima; later ones from what the run before saved.
    const plan = { ...plans[k]![i]!, ...(i === 0 ? { state: "full" as const } : {}) };
    const input = buildInput(ex, plan);
    if (saved !== undefined) input["state"] = saved;
    const r = await run(ex, trigger, input);
    ran++;
    const where = `${label} run ${i} (${trigger})`;
    assert.equal(soundnessProblem(r), undefined, `${where}: ${soundnessProblem(r)}`);
    assert.ok(r.gas.used <= r.gas.bound, `${where}: gas ${r.gas.used} > ${r.gas.bound}`);
    const fanoutBound = ex.triggers.find((t) => t.name === trigger)!.fanoutBound;
    const sent = r.actions.reduce((n, a) => n + (Array.isArray(a["to"]) ? (a["to"] as unknown[]).length : a.kind === "send" || a.kind === "reply" ? 1 : 0), 0);
    assert.ok(sent <= fanoutBound, `${where}: ${sent} recipients > fan-out bound ${fanoutBound}`);
    if (r.state !== null) {
      assert.deepEqual(stateRefusals(ex.bundle.manifest.state, r.state), [], `${where}: saved state out of its types or bounds`);
      if (!repeated && r.actions.length > 0) {
        const again = await run(ex, trigger, input);
        assert.deepEqual(observable(again), observable(r), `${where}: the same input gave another run`);
        repeated = true;
      }
      saved = r.state;
    }
  }
  assert.equal(ran, steps);
}

for (const name of NAMES) {
  test(`a life of ${name}: ${STEPS} runs, state carried, a redeploy, every run within its bounds`, { timeout: LONG ? 3_600_000 : 120_000 }, async () => {
    const ex = examples().find((e) => e.name === name);
    assert.ok(ex, `no example ${name}`);
    await live(name, ex, STEPS, async (e, t, i) => (await runTrigger(e, t, i)).result, true);
  });
}

const GENERATED = LONG ? 40 : 6;
const GENERATED_STEPS = LONG ? 100 : 12;

test(`lives of ${GENERATED} generated rules that keep state: ${GENERATED_STEPS} runs each, the same checks`, { timeout: LONG ? 3_600_000 : 180_000 }, async () => {
  let lived = 0;
  let seen = 0;
  for (const rule of fc.sample(ruleArb(), { seed: SEED, numRuns: GENERATED * 20 })) {
    if (lived >= GENERATED) break;
    if (!/\nstate \{/.test(rule.source)) continue;
    const c = compileRule(`lifetime${seen++}`, rule.source);
    if (c.kind !== "accepted") continue;
    await live(`generated rule:\n${rule.source}\n`, c.ex, GENERATED_STEPS, runRule, false);
    lived++;
  }
  assert.equal(lived, GENERATED, `only ${lived} generated rules with state were accepted`);
});
