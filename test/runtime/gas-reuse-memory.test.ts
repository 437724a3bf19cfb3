/**
 * Issue 11: a reused sandbox context must not make one run's memory depend
 * on the runs before it. A memory-hungry rule (it keeps every character of
 * the text as a string of its own) at the largest text that fits a fresh
 * context, and just past it, gives the same outcome in a context that first
 * ran a different, heavy input of the same bundle (its leftovers: the
 * prelude's run state, uncollected garbage, a heap in pieces) as in a fresh
 * one. The engine resets the run state after each run, and runs again on a
 * new instance a run that ran out of memory where earlier runs had been.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { handInput } from "../helpers/run-input.js";

// The rule is compiled at limits whose worst-case memory fits the ceiling (the verifier refuses more, TW3030);
// the runs below hand the engine larger inputs directly, to find where a 12 MiB context runs out.
const SOURCE = `rule hungry
limits { text: 300000, subject: 2000, budget: 100000000, memory: 512 * 1024 * 1024 }
state { kept: int = 0 }
on message(m: Message) {
  if m.subject == "heavy" {
    let upper = m.text.upper()
    let words = m.text.split(" ")
    state.kept = upper.length + words.size
  } else {
    let chars = m.text.split("")
    let again = m.text.split("")
    state.kept = chars.size + again.size
  }
}
`;

const MEMORY = 12 * 2 ** 20;
const { bundle, diagnostics } = compileSource("hungry.thwonk", SOURCE);

function input(subject: string, chars: number): string {
  return JSON.stringify(handInput({ gas: 100_000_000, fanout: 0, limits: { text: 1_000_000, logs: 10, page: 10, members: 10 } }, { subject, text: "ab cd".repeat(Math.ceil(chars / 5)).slice(0, chars) }));
}

async function outcome(engine: Engine, subject: string, chars: number): Promise<string> {
  const r = await engine.run(bundle!.code.text, "hungry", "message", input(subject, chars), undefined, 60_000);
  if (!r.result.ok) return r.result.error.code;
  const out = JSON.parse(r.result.output) as { error: { code: string } | null };
  return out.error?.code ?? "ok";
}

const fresh = async (chars: number): Promise<string> => outcome(new Engine({ limits: resolveLimits({ memoryLimitBytes: MEMORY }), strategy: "fresh" }), "split", chars);

test("a run's memory outcome in a reused context is the one it has in a fresh context", async () => {
  assert.ok(bundle, diagnostics.map((d) => d.message).join("; "));
  // The largest text (to 1/32 of the range) whose run fits a fresh context.
  let lo = 1000, hi = 1_000_000;
  assert.equal(await fresh(lo), "ok");
  assert.equal(await fresh(hi), "TW5002", "the rule must be able to run out of memory here");
  while (hi - lo > 1_000_000 / 32) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await fresh(mid)) === "ok") lo = mid;
    else hi = mid;
  }
  for (const chars of [lo, hi]) {
    const want = await fresh(chars);
    const reused = new Engine({ limits: resolveLimits({ memoryLimitBytes: MEMORY }), strategy: "reuse" });
    // A different heavy run first, in the context the next run reuses.
    await outcome(reused, "heavy", 400_000);
    await outcome(reused, "heavy", 400_000);
    assert.equal(await outcome(reused, "split", chars), want, `${chars} characters after other runs`);
  }
});
