/**
 * The verifier's work grows polynomially with the program (issue 8, hole
 * 6): it walks each loop body once (growth.ts solves the loop-carried
 * sizes instead of a second pass per loop), analyses a fn once per
 * distinct call (a memo), and keeps a bound that counts a fn twice as
 * `2 × ...` instead of a copy. Counted in steps (statements and
 * expressions visited) and in the size of the bound's formula, not in
 * time, so the test holds on a loaded machine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import type { Sym } from "../../compiler/verify/sym.js";

function verify(text: string): { steps: number; nodes: number; codes: string[] } {
  // (rules here may be refused by the budget, TW3001: the verifier still ran and counted)
  const r = checkSources([{ fileName: "t.thwonk", text }]);
  const v = r.units[0]?.verify;
  assert.ok(v, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const codes = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
  assert.ok(!codes.some((c) => c.endsWith("999")), codes.join(" "));
  return { steps: v.steps, nodes: v.triggers.reduce((n, t) => n + size(t.gasSym), 0), codes };
}

/** The nodes of a formula, each occurrence counted (what a walk over it visits). */
function size(s: Sym): number {
  switch (s.k) {
    case "num":
    case "var":
      return 1;
    case "add":
    case "mul":
    case "max":
    case "min":
    case "log":
      return 1 + s.xs.reduce((n, x) => n + size(x), 0);
    case "cdiv":
    case "at":
      return 1 + size(s.x);
  }
}

function nested(depth: number): string {
  let src = "rule n\nlimits { members: 2 }\non message(m: Message) {\n  var s = \"\"\n  var n = 0\n";
  for (let i = 0; i < depth; i++) src += `${"  ".repeat(i + 1)}for x${i} in members {\n`;
  src += `${"  ".repeat(depth + 1)}s += "a"\n${"  ".repeat(depth + 1)}n += s.length + x${depth - 1}.name.length\n`;
  for (let i = depth - 1; i >= 0; i--) src += `${"  ".repeat(i + 1)}}\n`;
  return src + "  log(\"{s} {n} {m.subject}\")\n}\n";
}

/** `f{i}` loops and calls `f{i-1}` twice: a call tree of 2^depth calls. */
function chain(depth: number, f0 = "  if s.isEmpty() {\n    return 0\n  }\n  return 1\n"): string {
  let src = `rule f\nlimits { members: 2 }\nfn f0(s: string): int {\n${f0}}\n`;
  for (let i = 1; i <= depth; i++) {
    src += `fn f${i}(s: string): int {\n  var t = 0\n  for x in members {\n    t += f${i - 1}(s) + f${i - 1}(s + x.name)\n  }\n  return t\n}\n`;
  }
  return src + `on message(m: Message) {\n  log("{f${depth}(m.subject)}")\n}\n`;
}

/**
 * The same with costs over the strings' sizes at every level (`length` scans its string): each call passes a
 * longer string, so no two callee costs differ only by their constants (`⌈s/4⌉`, `⌈(s + 256)/4⌉`).
 */
function sizedChain(depth: number): string {
  let src = "rule f\nlimits { members: 2 }\nfn f0(s: string): int {\n  return s.length\n}\n";
  for (let i = 1; i <= depth; i++) {
    src += `fn f${i}(s: string): int {\n  var t = s.length\n  for x in members {\n    t += f${i - 1}(s + x.name) + (s + x.name).length + f${i - 1}(s.slice(1))\n  }\n  return t\n}\n`;
  }
  return src + `on message(m: Message) {\n  log("{f${depth}(m.subject)}")\n}\n`;
}

function assertPolynomial(name: string, measure: (n: number) => number, ns: number[], degree: number): void {
  const ms = ns.map(measure);
  for (let i = 1; i < ns.length; i++) {
    const ratio = ms[i]! / ms[i - 1]!;
    const allowed = (ns[i]! / ns[i - 1]!) ** degree * 1.2;
    assert.ok(ratio <= allowed, `${name}: ${ns[i - 1]} → ${ns[i]} grew ${ratio.toFixed(2)}× (allowed ${allowed.toFixed(2)}×); measures ${ms.join(", ")}`);
  }
}

test("60 nested loops: steps grow linearly, the bound's formula at most quadratically", () => {
  assertPolynomial("steps", (n) => verify(nested(n)).steps, [15, 30, 60], 1);
  assertPolynomial("formula", (n) => verify(nested(n)).nodes, [15, 30, 60], 2);
});

test("chains of looping functions, each calling the previous twice: polynomial work up to the longest chain allowed", () => {
  assertPolynomial("steps", (n) => verify(chain(n)).steps, [3, 7, 15], 2);
  // Up to a few thousand nodes a sum is kept exact (here the bound doubles with the depth); past that it is
  // widened, and a fn called with ever new shapes is instantiated from its summary: the formula stays bounded.
  assert.ok(verify(chain(15)).nodes < 100_000, `${verify(chain(15)).nodes} nodes`);
  // The bound is exponential in the depth (as the runs are), and refused as such.
  assert.deepEqual(verify(chain(15)).codes, ["TW3001"]);
  // A chain of 40 is refused before the verifier runs (TW2130): at most 16 fns deep.
  const r = checkSources([{ fileName: "t.thwonk", text: chain(40) }]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["TW2130"]);
});

test("chains whose costs depend on the strings' sizes: the formula stays small (a fn's cost past 1,000 nodes is its bounding polynomial)", () => {
  for (const make of [(n: number) => chain(n, "  return s.length\n"), sizedChain]) {
    assertPolynomial("steps", (n) => verify(make(n)).steps, [3, 7, 15], 2);
    const nodes = [3, 7, 11, 15].map((n) => verify(make(n)).nodes);
    // Exact while small (it was 198,840 and 308,307 nodes at 15 before the compaction).
    assert.ok(Math.max(...nodes) < 5_000, `nodes ${nodes.join(", ")}`);
    assert.ok(verify(make(15)).codes.includes("TW3001"));
  }
  // A chain small enough to keep exact: the bound is the same as before (no compaction below the threshold).
  assert.equal(verify(chain(3, "  return s.length\n")).nodes, 185);
});
