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

const LONG = process.env["THWONK_LIFETIME_LONG"] === "1";
const STEPS = LONG ? 300 : 30;
const SEED = 20261206;
// Every example: the stateless ones live the same life (their redeploy changes nothing they keep).
const NAMES = examples().map((e) => e.name);

/** The example with every `max N` raised to N + 1 (more would break some examples' memory bound): a redeploy the stored state must survive. */
function redeployed(ex: Example): Example {
  const source = ex.source.replace(/\bmax (\d+)/g, (_, n: string) => `max ${Number(n) + 1}`);
  const { bundle, diagnostics } = compileSource(`${ex.name}.thwonk`, source);
  assert.ok(bundle, `${ex.name} raised: ${diagnostics.map((d) => d.code + " " + d.message).join("; ")}`);
  return { ...ex, source, bundle, triggers: bundle.manifest.triggers };
}

for (const name of NAMES) {
  test(`a life of ${name}: ${STEPS} runs, state carried, a redeploy, every run within its bounds`, { timeout: LONG ? 3_600_000 : 120_000 }, async () => {
    let ex = examples().find((e) => e.name === name);
    assert.ok(ex, `no example ${name}`);
    const triggers = ex.triggers.map((t) => t.name);
    const plans = triggers.map((t) => fc.sample(planArb(ex!, t), { seed: SEED, numRuns: STEPS }));
    let saved: unknown = undefined;
    let repeated = false;
    let ran = 0;
    for (let i = 0; i < STEPS; i++) {
      if (i === Math.floor(STEPS / 2)) {
        const next = redeployed(ex);
        const problems = compareVersions(versionSchema(ex.bundle.manifest), versionSchema(next.bundle.manifest), saved ? { state: saved as Record<string, unknown> } : {});
        const errors = problems.filter((p) => (p.message as { severity?: string }).severity === "error");
        assert.deepEqual(errors.map((p) => p.args), [], `${name}: the raised maxima are refused`);
        if (saved) saved = migrateState(ex.bundle.manifest.state, next.bundle.manifest.state, saved as Record<string, unknown>);
        ex = next;
      }
      const k = i % triggers.length;
      const trigger = triggers[k]!;
      // The first run starts from state at its maxima; later ones from what the run before saved.
      const plan = { ...plans[k]![i]!, ...(i === 0 ? { state: "full" as const } : {}) };
      const input = buildInput(ex, plan);
      if (saved !== undefined) input["state"] = saved;
      const { result: r } = await runTrigger(ex, trigger, input);
      ran++;
      const where = `${name} run ${i} (${trigger})`;
      assert.equal(soundnessProblem(r), undefined, `${where}: ${soundnessProblem(r)}`);
      assert.ok(r.gas.used <= r.gas.bound, `${where}: gas ${r.gas.used} > ${r.gas.bound}`);
      const fanoutBound = ex.triggers.find((t) => t.name === trigger)!.fanoutBound;
      const sent = r.actions.reduce((n, a) => n + (Array.isArray(a["to"]) ? (a["to"] as unknown[]).length : a.kind === "send" || a.kind === "reply" ? 1 : 0), 0);
      assert.ok(sent <= fanoutBound, `${where}: ${sent} recipients > fan-out bound ${fanoutBound}`);
      if (r.state !== null) {
        assert.deepEqual(stateRefusals(ex.bundle.manifest.state, r.state), [], `${where}: saved state out of its types or bounds`);
        if (!repeated && r.actions.length > 0) {
          const again = await runTrigger(ex, trigger, input);
          assert.deepEqual(observable(again.result), observable(r), `${where}: the same input gave another run`);
          repeated = true;
        }
        saved = r.state;
      }
    }
    assert.equal(ran, STEPS);
  });
}
