/**
 * The memory bound is sound on real QuickJS: every example trigger and the
 * adversarial rules of memory-worst.ts, at their worst inputs (the largest
 * message, members at limits.members with the longest addresses, state at
 * its maxima; wide text, and control characters JSON escapes as six), run
 * with the engine's heap limit set to the trigger's `memoryBound` from the
 * manifest, exactly as the daemon runs a rule whose `limits.memory` equals
 * its bound. A bound below what the run needs fails here with TW5002.
 * bench/memory/peaks.js measures how much each bound is above the need.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { exampleOf, failed, peakCases, runWithin, ADVERSARIAL } from "./memory-worst.js";

describe("memory bound ≥ the real run's need, at the worst inputs", () => {
  for (const c of peakCases()) {
    test(`${c.name} (bound ${(c.bound / 2 ** 20).toFixed(1)} MiB)`, async () => {
      for (const { style, input } of c.inputs) {
        const r = await runWithin(c.ex.bundle, c.trigger, input, c.bound);
        assert.ok(!failed(r), `${style}: ${r.error?.code} ${r.error?.message} with the heap limit at the bound (${c.bound} bytes)`);
      }
    });
  }
});

test("the heap limit bites: split(\"\") kept, at a tenth of its bound, runs out of memory", async () => {
  const a = ADVERSARIAL.find((x) => x.name.startsWith("split"))!;
  const ex = exampleOf(a.name, a.source);
  const c = peakCases().find((x) => x.name === `${a.name}: message`)!;
  const r = await runWithin(ex.bundle, "message", c.inputs[0]!.input, Math.floor(c.bound / 10));
  assert.equal(r.error?.code, "TW5002", JSON.stringify(r.error));
});
