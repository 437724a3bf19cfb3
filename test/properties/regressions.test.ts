/**
 * The regression corpus of the verifier's promise (issue 8): each rule in
 * regressions/*.thwonk is a hole that was found (by review or by the fuzzer,
 * fuzz-bounds.test.ts), as a minimal rule. The promise each must keep:
 *
 * - either `check` refuses it with an error diagnostic (not an internal error
 *   TWn999, and no exception), the static fix;
 * - or it is accepted, and every run of it — its own inputs first (the
 *   `// input: {...}` lines of its header, a plan and message plan as in
 *   inputs.ts), then the fuzzer's sequence at every declared limit, with the
 *   state of each run the input of the next — stays within its gas and
 *   fan-out bounds, stores no over-bound state, never fails with TW5012 and
 *   gives the same result when run again.
 *
 * And `check` finishes. The pathological sizes (thousands of functions,
 * terms, `and`s, dozens of nested loops) are built here rather than stored;
 * `check` runs them in a child process with a watchdog, so an exponential
 * verifier fails its case instead of hanging the suite, and the time it took
 * is printed, not asserted (machines differ).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../helpers/repo.js";
import { maxPlan, type MessagePlan, type Plan, type Style } from "./inputs.js";
import { adversarialSteps, compileRule, describeFailure, runSequence, type Step } from "./rulegen.js";

const DIR = join(repoRoot, "test", "properties", "regressions");

interface InputSpec {
  trigger?: string;
  style?: Style;
  plan?: Partial<Plan>;
  message?: Partial<MessagePlan>;
}

/** The `// input: {...}` lines of a case's header, as steps (from the initial state, then carried). */
function ownSteps(source: string, ex: Parameters<typeof maxPlan>[0]): Step[] {
  const steps: Step[] = [];
  for (const m of source.matchAll(/^\/\/ input: (.*)$/gm)) {
    const spec = JSON.parse(m[1]!) as InputSpec;
    const trigger = spec.trigger ?? "message";
    steps.push({ trigger, plan: maxPlan(ex, trigger, spec.style ?? "ascii", { state: "null", ...spec.plan }, spec.message ?? {}), fresh: steps.length === 0 });
  }
  return steps;
}

/** The promise on one rule's text; `name` is the rule file's base name. */
async function keepsPromise(name: string, source: string): Promise<string> {
  const c = compileRule(name, source);
  if (c.kind === "crashed") assert.fail(`${name}: ${c.problem}`);
  if (c.kind === "refused") {
    const errors = c.diagnostics.filter((d) => d.severity === "error");
    assert.ok(errors.length > 0, `${name}: refused without an error diagnostic`);
    return `refused by check: ${errors.map((d) => d.code).join(", ")} (${errors[0]!.message.split("\n")[0]!.slice(0, 160)})`;
  }
  const ex = c.ex;
  const steps = [...ownSteps(source, ex), ...adversarialSteps(ex)];
  const r = await runSequence(ex, steps, 3);
  if (r.failures.length) {
    const kinds = [...new Set(r.failures.flatMap((f) => f.problems.map((p) => p.property)))].join(", ");
    assert.fail(`${name}: accepted by check (bounds ${ex.triggers.map((t) => `${t.name}: gas ${t.gasBound}, fan-out ${t.fanoutBound}`).join("; ")}), but ${r.failures.length} of ${r.runs} runs broke the promise (${kinds}). The first:\n${describeFailure(source, r.failures[0]!)}`);
  }
  return `accepted; ${r.runs} runs within the bounds (largest gas used/bound ${r.maxRatio.toFixed(2)})`;
}

describe("regression corpus: the holes of issue 8 and failing fuzzer seeds", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".thwonk")).sort();
  test("the corpus is there", () => assert.ok(files.length >= 20, `only ${files.length} cases in ${DIR}`));
  for (const file of files) {
    const source = readFileSync(join(DIR, file), "utf8");
    const what = /^\/\/ (.*)$/m.exec(source)?.[1] ?? file;
    test(`${file}: ${what}`, async (ctx) => {
      ctx.diagnostic(await keepsPromise(file.replace(/\.thwonk$/, ""), source));
    });
  }
});

// ------------------------------------------------------------------ pathological sizes

/** Every `fn` calls the one before it. */
function fnChain(n: number): string {
  const out = ["rule fn_chain", "limits { members: 10 }", "", "fn f0(x: int): int {", "  return x + 1", "}"];
  for (let i = 1; i < n; i++) out.push(`fn f${i}(x: int): int {`, `  return f${i - 1}(x) + 1`, "}");
  out.push("on message(m: Message) {", `  log("{f${n - 1}(m.subject.length)}")`, "}", "");
  return out.join("\n");
}

/** One expression of `n` terms. */
function longSum(n: number): string {
  const terms = Array.from({ length: n }, (_, i) => (i % 2 ? "m.subject.length" : "1"));
  return ["rule long_sum", "limits { members: 10 }", "", "on message(m: Message) {", `  let total = ${terms.join(" + ")}`, '  log("{total}")', "}", ""].join("\n");
}

/** One condition of `n` operands joined by `and`. */
function longAnd(n: number): string {
  const ops = Array.from({ length: n }, (_, i) => (i % 2 ? "m.subject != \"x\"" : "true"));
  return ["rule long_and", "limits { members: 10 }", "", "on message(m: Message) {", `  if ${ops.join(" and ")} {`, '    log("yes")', "  }", "}", ""].join("\n");
}

/** `depth` loops over the members, nested (10^depth iterations: refused for its gas, but check must get there). */
function nestedLoops(depth: number): string {
  const out = ["rule nested_loops", "limits { members: 10 }", "", "on message(m: Message) {", "  var n = 0"];
  for (let i = 0; i < depth; i++) out.push(`${"  ".repeat(i + 1)}for x${i} in members {`);
  out.push(`${"  ".repeat(depth + 1)}n += x${depth - 1}.name.length`);
  for (let i = depth - 1; i >= 0; i--) out.push(`${"  ".repeat(i + 1)}}`);
  out.push('  log("{n} {m.subject.length}")', "}", "");
  return out.join("\n");
}

interface Pathological {
  name: string;
  source: () => string;
  /** What was measured before the fix (issue 8), printed with the time it takes now. */
  note: string;
}

const PATHOLOGICAL: Pathological[] = [
  { name: "3,000 functions, each calling the previous", source: () => fnChain(3000), note: "before the fix: the verifier's stack overflowed" },
  { name: "a sum of 50,000 terms", source: () => longSum(50_000), note: "before the fix: TW2999" },
  { name: "20,000 `and`s", source: () => longAnd(20_000), note: "before the fix: TW2999" },
  { name: "16 nested `for` loops", source: () => nestedLoops(16), note: "before the fix: 0.6 s" },
  { name: "20 nested `for` loops", source: () => nestedLoops(20), note: "before the fix: 2.6 s" },
  { name: "24 nested `for` loops", source: () => nestedLoops(24), note: "before the fix: 37 s" },
  { name: "60 nested `for` loops", source: () => nestedLoops(60), note: "before the fix: over two minutes" },
];

/** Far above what a polynomial verifier needs on these, far below what an exponential one takes: a hang guard, not a timing test. */
const WATCHDOG_MS = 20_000;

/** `check` (compileSource) in a child process: what it said, or that it did not finish. */
function checkInChild(source: string): { status: "done"; result: { kind: string; problem?: string; codes: string[]; message?: string }; ms: number } | { status: "timeout" | "died"; detail: string; ms: number } {
  const bundleUrl = pathToFileURL(join(repoRoot, "dist", "test", "properties", "rulegen.js")).href;
  const script = `
    import { compileRule } from ${JSON.stringify(bundleUrl)};
    let text = "";
    process.stdin.setEncoding("utf8");
    for await (const chunk of process.stdin) text += chunk;
    const c = compileRule("pathological", text);
    const diags = c.kind === "crashed" ? [] : c.diagnostics;
    const errors = diags.filter((d) => d.severity === "error");
    process.stdout.write(JSON.stringify({ kind: c.kind, problem: c.kind === "crashed" ? c.problem : undefined, codes: errors.map((d) => d.code), message: errors[0]?.message }));
  `;
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { input: source, timeout: WATCHDOG_MS, encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  const ms = performance.now() - start;
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return { status: "timeout", detail: `did not finish within ${WATCHDOG_MS / 1000} s`, ms };
  if (r.status !== 0) return { status: "died", detail: `exit ${r.status ?? r.signal}: ${(r.stderr || "").split("\n").filter(Boolean).slice(0, 4).join(" | ")}`, ms };
  return { status: "done", result: JSON.parse(r.stdout), ms };
}

describe("regression corpus: pathological sizes — check finishes, with no crash or internal error", () => {
  for (const p of PATHOLOGICAL) {
    test(p.name, async (ctx) => {
      const source = p.source();
      const r = checkInChild(source);
      ctx.diagnostic(`check took ${(r.ms / 1000).toFixed(1)} s here (${p.note})`);
      assert.equal(r.status, "done", `${p.name}: check ${r.status === "done" ? "" : r.detail} (${p.note})`);
      if (r.status !== "done") return;
      assert.notEqual(r.result.kind, "crashed", `${p.name}: ${r.result.problem}`);
      // Accepted: it must also keep its bounds when run (in this process now that check is known to finish).
      if (r.result.kind === "accepted") ctx.diagnostic(await keepsPromise("pathological", source));
      else ctx.diagnostic(`refused: ${r.result.codes.join(", ")} (${(r.result.message ?? "").slice(0, 160)})`);
    });
  }
});
