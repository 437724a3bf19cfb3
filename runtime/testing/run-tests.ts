/**
 * Runs a rule's tests (`test "..." { }` blocks in NAME.thwonk and
 * NAME.test.thwonk), each in a fresh sandbox, exactly as the daemon would
 * run the trigger: the compiled code, the QuickJS sandbox, the gas limit set
 * to the verifier's bound for that trigger and the fan-out limit to its
 * fan-out bound (so a test also proves both bounds held for its input).
 */
import { checkSources, describeTrace, emitRule, givenState, stateSchema, type Diagnostic, type EmittedTest, type SourceText } from "../../compiler/index.js";
import { stateRefusals } from "../../contract/index.js";
import { inputChars, runOnce, timeLimitFor } from "../sandbox/index.js";
import { withListHeaders } from "../run/list-headers.js";
import type { RunAction } from "../../contract/index.js";

/** The gas of a test's own statements (its givens, helpers and expectations, all its runs together): contract/prelude/driver.js __GIVENS_GAS. */
export const GIVENS_GAS = 10_000_000;
import { runtimeInputBase, type HostServices } from "./host.js";
import { describeSandboxError, type RunError } from "./errors.js";

export interface TestFailure {
  line: number;
  column: number;
  message: string;
}

export interface TestOutcome {
  name: string;
  file: string;
  line: number;
  ok: boolean;
  failures: TestFailure[];
  error: RunError | null;
  gas: { used: number; bound: number };
  actions: unknown[];
  /** The log lines of the test's last run (also when it failed), with the rule's line of each `log`. */
  logs: { line: number; text: string }[];
}

export interface TestRunResult {
  /** Diagnostics that stopped the tests from running (errors in the rule or its tests). */
  diagnostics: Diagnostic[];
  outcomes: TestOutcome[];
  /** With `coverage`: the rule's statement lines no test reached. */
  uncovered: number[] | undefined;
  /** All statement lines of the rule (for a coverage percentage). */
  statementLines: number[] | undefined;
}

export interface TestRunOptions {
  coverage?: boolean;
  /** The key of list.sign and list.verify (default: runOnce's public test key). */
  tokenKey?: string;
}

export async function runRuleTests(rule: SourceText, tests: SourceText[], host: HostServices, options: TestRunOptions = {}): Promise<TestRunResult> {
  const sources = [rule, ...tests];
  const checked = checkSources(sources);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  const unit = checked.units.find((u) => u.rule.fileName === rule.fileName);
  if (!unit || errors.length > 0 || !unit.verify) {
    return { diagnostics: checked.diagnostics, outcomes: [], uncovered: undefined, statementLines: undefined };
  }
  const texts = new Map(sources.map((s) => [s.fileName, s.text]));
  const emitted = emitRule(unit.rule, unit.check.model, {
    trace: options.coverage === true,
    tests: { sourceOf: (f) => texts.get(f) },
  });
  const bounds = new Map(unit.verify.triggers.map((t) => [t.name.replace(/^on /, ""), { gas: t.gas.bound, fanout: t.fanout.bound }]));
  const outcomes: TestOutcome[] = [];
  const reached = new Set<number>();
  for (let i = 0; i < emitted.tests.length; i++) {
    const t: EmittedTest = emitted.tests[i]!;
    const tb = t.trigger ? bounds.get(t.trigger) : undefined;
    const bound = tb?.gas ?? 0;
    // A message file that cannot be read fails its own test, not the others.
    const emls: Record<string, unknown> = {};
    let unreadable: string | undefined;
    for (const file of t.emls) {
      try {
        emls[file] = await host.loadEml(file, t.file);
      } catch (e) {
        unreadable = `the message file ${file} could not be read: ${e instanceof Error ? e.message : String(e)}`;
        break;
      }
    }
    if (unreadable !== undefined) {
      outcomes.push({ name: t.name, file: t.file, line: t.line, ok: false, failures: [{ line: t.line, column: 1, message: unreadable }], error: null, gas: { used: 0, bound }, actions: [], logs: [] });
      continue;
    }
    // A test's given state is stored state like any other: checked by the one validator before the run.
    const refused = stateRefusals(stateSchema(unit.check.model), givenState(unit.check.model, i));
    if (refused.length) {
      outcomes.push({ name: t.name, file: t.file, line: t.line, ok: false, failures: refused.map((message) => ({ line: t.line, column: 1, message })), error: null, gas: { used: 0, bound }, actions: [], logs: [] });
      continue;
    }
    const input = await runtimeInputBase(unit, host, { gas: bound, fanout: tb?.fanout ?? 0, emls, trace: options.coverage === true });
    // The later runs of a test each get their own trigger's gas bound (compiler/emit/tests.ts).
    const stepGas = t.stepTriggers.map((k) => bounds.get(k)?.gas ?? 0);
    if (t.stepTriggers.length) Object.assign(input, { stepGas: Object.fromEntries(t.stepTriggers.map((k, n) => [k, stepGas[n]])) });
    const inputJson = JSON.stringify(input);
    // The clock follows the gas of every run the test makes (time-limit.ts), and of the test's own statements.
    const allGas = stepGas.reduce((a, b) => a + b, bound + GIVENS_GAS);
    const r = await runOnce(emitted.code, `test:${i}`, inputJson, { timeLimitMs: timeLimitFor(allGas, inputChars(inputJson)) }, undefined, options.tokenKey);
    if (!r.ok) {
      outcomes.push({ name: t.name, file: t.file, line: t.line, ok: false, failures: [], error: describeSandboxError(r.error, emitted.sourceMap), gas: { used: 0, bound }, actions: [], logs: [] });
      continue;
    }
    const out = JSON.parse(r.output) as {
      actions: unknown[];
      gas: { used: number };
      error: { code: string; args: unknown[]; line: number; column: number } | null;
      failures: (TestFailure & { error?: { code: string; args: unknown[]; line: number; column: number } })[];
      trace: { line: number }[] | null;
      logs?: { line: number; text: string }[];
    };
    // A later run that failed: the failure says where the run started, and what went wrong.
    const failures = out.failures.map((f) => {
      // A failure of the test's own statements may have no place of its own: the test's.
      if (!f.line) f = { ...f, line: t.line, column: 1 };
      if (!f.error) return f;
      const e = host.describeRuleError(f.error);
      const what = f.message === "the run from here failed" ? `the run from line ${f.line} failed` : f.message;
      return { line: f.line, column: f.column, message: `${what}: ${describeFailure(e)}` };
    });
    for (const step of out.trace ?? []) reached.add(step.line);
    const error = out.error ? host.describeRuleError(out.error) : null;
    outcomes.push({
      name: t.name,
      file: t.file,
      line: t.line,
      ok: !error && failures.length === 0,
      failures,
      error,
      gas: { used: out.gas.used, bound },
      // A send's and a forward's list headers, as runBundle adds them (runtime/run/list-headers.ts).
      actions: withListHeaders(out.actions as RunAction[], (input as { list?: unknown }).list),
      logs: out.logs ?? [],
    });
  }
  let uncovered: number[] | undefined;
  let statementLines: number[] | undefined;
  if (options.coverage) {
    statementLines = describeTrace(unit).statementLines;
    uncovered = statementLines.filter((l) => !reached.has(l));
  }
  return { diagnostics: checked.diagnostics, outcomes, uncovered, statementLines };
}


function describeFailure(e: RunError): string {
  return `${e.code}${e.line !== null ? ` at line ${e.line}` : ""}: ${e.message}`;
}
