/**
 * Loading and saving state is metered (docs/cost-model.md, "State"): the
 * verifier's bound of every trigger holds the state's units at its declared
 * maxima, the driver charges the units it walks, so the clock (which follows
 * the bound) never stops a run for its state. No reachable state makes every
 * run fail: a map filled to its max still runs, and can shrink.
 *
 * Real compiled bundles through runBundle (the real sandbox, a one-off
 * QuickJS per run, as `thwonkc run` does).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { timeLimitFor } from "../../runtime/sandbox/index.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const FULL = 100_000;
const now = Date.UTC(2026, 10, 25, 12);

function compile(src: string) {
  const c = compileSource("t.thwonk", src);
  assert.ok(c.bundle, c.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return c.bundle;
}

test("a map at its max of 100,000 entries: a trivial trigger runs within its bound, and the map shrinks", async () => {
  const bundle = compile(`rule big
limits { memory: 512 * 1024 * 1024, budget: 2000000 }
state {
  seen: Map<string max 40, Time> max 100000 = {}
}
on message(m: Message) {
  state.seen.remove(m.subject)
}
`);
  const bound = bundle.manifest.triggers[0]!.gasBound;
  // 100,000 entries of two units, loaded and saved at 2 gas a unit: the bound holds them.
  assert.ok(bound >= 2 * 2 * 2 * FULL, `bound ${bound}`);
  assert.ok(timeLimitFor(bound) >= 10_000, "the clock follows the bound: seconds for a full map");
  const seen: Record<string, string> = {};
  for (let i = 0; i < FULL; i++) seen[`k${i}`] = new Date(now - i * 1000).toISOString();
  const r = await runBundle(bundle, { trigger: "message", input: handInput({ state: { seen }, limits: { members: 1000, logs: 3, page: 20 } }, { subject: "k7" }) as never }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.gas.used <= bound, `${r.gas.used} ≤ ${bound}`);
  // The gas used shows the state's cost: 100,000 entries in (2 units each), 99,999 out, 2 gas a unit.
  assert.ok(r.gas.used >= 2 * 2 * (2 * FULL - 2), `gas used ${r.gas.used}`);
  const kept = (r.state as { seen: Record<string, string> }).seen;
  assert.equal(Object.keys(kept).length, FULL - 1, "the entry is gone: the state shrank");
  assert.equal(kept["k7"], undefined);
  assert.equal(kept["k8"], seen["k8"], "times round-trip as they were saved");
});

test("the gas of loading and saving follows the state's actual size", async () => {
  const bundle = compile(`rule small
state {
  n: Map<string max 100, int> max 1000 = {}
  names: List<string max 200> max 10 = []
}
on message(m: Message) {
  if state.n.size < 1000 { state.n.set(m.subject.truncate(100), 1) }
  state.names = []
}
`);
  const run = async (state: unknown) => (await runBundle(bundle, { trigger: "message", input: handInput({ state }, { subject: "a" }) as never }, ruleErrorWords));
  const empty = await run({ n: {}, names: [] });
  const some = await run({ n: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])), names: [] });
  assert.equal(empty.error, null);
  assert.equal(some.error, null);
  // 100 more entries, two units each, loaded and saved: 800 gas more.
  assert.equal(some.gas.used - empty.gas.used, 100 * 2 * 2 * 2);
  // A long key costs one unit more per 64 UTF-16 units, each way.
  const long = await run({ n: { ["x".repeat(100)]: 1 }, names: [] });
  const short = await run({ n: { x: 1 }, names: [] });
  assert.equal(long.gas.used - short.gas.used, 2 * 2 * 1);
  assert.ok(some.gas.used <= bundle.manifest.triggers[0]!.gasBound);
});
