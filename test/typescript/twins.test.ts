/**
 * The TypeScript twins of the examples (examples/NAME/NAME.ts): each one's
 * bundle has the same gas and fan-out bound formulas as its .thwonk
 * original, and, run in the real sandbox on the same generated inputs
 * (fast-check plans at the limits, the state each run saves carried into
 * the next), gives the same actions, state, gas and errors, run after run.
 * The twins also keep within their bounds on those runs (the soundness
 * property, on the TypeScript front end's code).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { compileSource, readBundle, serializeBundle } from "../../compiler/index.js";
import { examples, observable, runTrigger, soundnessProblem, type Example } from "../properties/examples.js";
import { buildInput, planArb } from "../properties/inputs.js";
import { repoRoot } from "../helpers/repo.js";
import { scaled } from "../helpers/scale.js";

const TWINS = ["trim140", "once_a_day", "daily_or_out", "bumplist"];
// Runs of each twin and its original on the same inputs: 16 in npm test, 24 with THWONK_TEST_SCALE=full.
const STEPS = scaled(16, 24);
const SEED = 20261206;

function twinOf(ex: Example): Example {
  const fileName = `${ex.name}.ts`;
  const source = readFileSync(join(repoRoot, "examples", ex.name, fileName), "utf8");
  const { bundle, diagnostics } = compileSource(fileName, source);
  assert.ok(bundle, `${fileName} does not compile: ${diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("; ")}`);
  return { ...ex, source, bundle, triggers: bundle.manifest.triggers };
}

/** A run without its actions' source positions, which are lines of each one's own file. */
function sameness(r: Parameters<typeof observable>[0]): unknown {
  const o = observable(r) as { actions: Record<string, unknown>[] };
  return { ...o, actions: o.actions.map(({ at: _at, ...rest }) => rest) };
}

/** Each action of the twin's run points at the line of the .ts file that did it. */
function atTsLines(ex: Example, r: Parameters<typeof observable>[0]): string[] {
  const lines = ex.source.split("\n");
  const wrong: string[] = [];
  for (const a of r.actions) {
    const at = a["at"] as { line: number } | undefined;
    const line = at ? (lines[at.line - 1] ?? "") : "";
    if (!line.includes(`${String(a.kind)}(`)) wrong.push(`${String(a.kind)} at line ${at?.line}: ${line.trim()}`);
  }
  return wrong;
}

function formulas(ex: Example): unknown {
  return ex.triggers.map((t) => {
    const cost = t.cost as { gas: { formula: string }; fanout?: { formula?: string } };
    return { name: t.name, gas: cost.gas.formula, gasBound: t.gasBound, fanout: t.fanoutBound, capabilities: t.capabilities, recipients: t.recipients };
  });
}

for (const name of TWINS) {
  const original = (): Example => {
    const ex = examples().find((e) => e.name === name);
    assert.ok(ex, `examples/${name}/${name}.thwonk`);
    return ex;
  };

  test(`${name}.ts: the same bounds, formula for formula, as ${name}.thwonk`, () => {
    const ex = original();
    const twin = twinOf(ex);
    assert.deepEqual(formulas(twin), formulas(ex));
    assert.deepEqual(twin.bundle.manifest.state, ex.bundle.manifest.state, "the same state schema");
    assert.deepEqual(twin.bundle.manifest.limits, ex.bundle.manifest.limits, "the same limits");
    assert.equal(twin.bundle.manifest.rule, ex.bundle.manifest.rule);
    assert.equal(twin.bundle.source.fileName, `${name}.ts`, "the bundle keeps the .ts source");
    assert.equal(twin.bundle.source.text, twin.source);
    // The same emitted code, statement for statement (so the same gas overhead); only source positions differ.
    const shape = (code: string): string => code.replace(/\d+/g, "N");
    assert.equal(shape(twin.bundle.code.text), shape(ex.bundle.code.text), "the same emitted code but for positions");
    // What the daemon does with an uploaded bundle: its hash checked and its .ts source recompiled through the one entry.
    const again = readBundle(`${name}.thwb`, serializeBundle(twin.bundle));
    assert.deepEqual(again.diagnostics.filter((d) => d.severity === "error"), []);
    assert.equal(again.bundle?.sha256, twin.bundle.sha256);
  });

  test(`${name}.ts: the same actions and state as ${name}.thwonk, run after run`, async () => {
    const ex = original();
    const twin = twinOf(ex);
    const triggers = ex.triggers.map((t) => t.name);
    const plans = triggers.map((t) => fc.sample(planArb(ex, t), { seed: SEED, numRuns: STEPS }));
    let savedThwonk: unknown;
    let savedTs: unknown;
    let changed = 0;
    for (let i = 0; i < STEPS; i++) {
      const k = i % triggers.length;
      const trigger = triggers[k]!;
      const plan = { ...plans[k]![i]!, ...(i === 0 ? { state: "full" as const } : {}) };
      const a = buildInput(ex, plan);
      const b = buildInput(twin, plan);
      if (savedThwonk !== undefined) a["state"] = savedThwonk;
      if (savedTs !== undefined) b["state"] = savedTs;
      assert.deepEqual(b, a, `run ${i}: the same input for both`);
      const ra = (await runTrigger(ex, trigger, a)).result;
      const rb = (await runTrigger(twin, trigger, b)).result;
      const where = `${name} run ${i} (${trigger})`;
      assert.equal(soundnessProblem(rb), undefined, `${where}: ${soundnessProblem(rb)}`);
      assert.deepEqual(sameness(rb), sameness(ra), `${where}: the twin did something else`);
      assert.deepEqual(atTsLines(twin, rb), [], `${where}: actions point at .ts lines`);
      if (rb.actions.length > 0) changed++;
      if (ra.state !== null) savedThwonk = ra.state;
      if (rb.state !== null) savedTs = rb.state;
    }
    assert.ok(changed > 0, `${name}: no run did anything, so the comparison proves little`);
  });
}
