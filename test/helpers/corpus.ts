/**
 * A recorded corpus: cases drawn once from fast-check generators with a
 * fixed seed, each case's outputs written to test/golden/corpus/NAME.json
 * and compared on every run, as the golden suites are. `THWONK_BLESS=1`
 * records them again (review the diff). An output over SHORT characters is
 * kept as its sha256 and its first characters, so the file stays small; a
 * mismatch shows the first differing case's input and its whole output now.
 * Each case also keeps a hash of its input: a generator that draws other
 * cases (a fast-check upgrade) fails as such, not as changed outputs.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { repoRoot } from "./repo.js";

const SHORT = 120;
const bless = process.env["THWONK_BLESS"] === "1";

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex").slice(0, 20);

/** An output as recorded: itself when short, else its hash and its beginning. */
export const recorded = (out: string): string => (out.length <= SHORT ? out : `sha256:${sha(out)} ${out.slice(0, 40)}…`);

/** `count` values of `arb`, the same on every run (a fixed seed). */
export function draw<T>(arb: fc.Arbitrary<T>, count: number, seed: number): T[] {
  return fc.sample(arb, { seed, numRuns: count });
}

/** One case: its input (JSON-able, shown on a mismatch) and its outputs, each a string. */
export interface Case {
  input: unknown;
  outputs: string[];
}

interface Entry {
  in: string;
  out: string[];
}

/** Compares the cases' outputs with test/golden/corpus/NAME.json (or writes it under THWONK_BLESS=1). */
export function checkCorpus(name: string, cases: readonly Case[]): void {
  const file = join(repoRoot, "test", "golden", "corpus", `${name}.json`);
  const entries: Entry[] = cases.map((c) => ({ in: sha(JSON.stringify(c.input)), out: c.outputs.map(recorded) }));
  if (bless) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `[\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`);
    return;
  }
  assert.ok(existsSync(file), `test/golden/corpus/${name}.json is missing; run with THWONK_BLESS=1 to record it`);
  const expected = JSON.parse(readFileSync(file, "utf8")) as Entry[];
  assert.equal(entries.length, expected.length, `${name}: ${entries.length} cases drawn, ${expected.length} recorded`);
  for (let i = 0; i < entries.length; i++) {
    const now = entries[i]!;
    const then = expected[i]!;
    const input = JSON.stringify(cases[i]!.input);
    assert.equal(now.in, then.in, `${name}, case ${i}: the generators drew another input (${input}); re-record with THWONK_BLESS=1 once the outputs are known right`);
    for (let j = 0; j < Math.max(now.out.length, then.out.length); j++) {
      if (now.out[j] === then.out[j]) continue;
      const full = cases[i]!.outputs[j];
      assert.fail(
        `${name}, case ${i}, output ${j} differs from test/golden/corpus/${name}.json (THWONK_BLESS=1 re-records)\n` +
          `input: ${input}\nrecorded: ${then.out[j] ?? "(none)"}\nnow: ${full === undefined ? "(none)" : JSON.stringify(full).slice(0, 4000)}`,
      );
    }
  }
}
