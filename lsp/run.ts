/**
 * The server's custom requests that run a rule: `thwonk/dryRun` (one
 * trigger on an .eml, as `thwonkc run` runs it: the bundle's code in a
 * fresh QuickJS sandbox under the verifier's gas bound, nothing sent or
 * stored) and `thwonk/runTests` (the rule's NAME.test.thwonk, as `thwonkc
 * test`). This module loads the runtime (QuickJS, mailparser): the server
 * imports it only when one of these is asked for.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { compileSource, initialState, type CheckedUnit, type Diagnostic } from "../compiler/index.js";
import { InputRefused, parseEml } from "../runtime/input/index.js";
import { bundleInput, bundleLimits } from "../runtime/run/input.js";
import { runBundle, type RunAction, type RunResult } from "../runtime/run/run-rule.js";
import { NodeHost } from "../runtime/host/node-host.js";
import { runRuleTests } from "../runtime/testing/run-tests.js";

export interface DryRunParams {
  /** The rule's document. */
  uri: string;
  /** The .eml file to run the message trigger on. */
  eml?: string;
  /** A trigger to run instead (a schedule, `every day at 18:00`); default `message`. */
  trigger?: string;
  /** The list's members' addresses; default none. */
  members?: string[];
  /** The run's time (ms since the epoch); default now. */
  now?: number;
}

export interface StateChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface DryRunResult {
  /** False when the rule was not run (it has errors, the input was refused, no such trigger). */
  ran: boolean;
  rule: string | undefined;
  trigger: string | undefined;
  actions: RunAction[];
  stateChanges: StateChange[];
  gas: { used: number; bound: number } | undefined;
  error: { code: string; message: string; line: number | null } | undefined;
  /** Why it was not run, when it was not. */
  problems: string[];
  /** The result as lines of text, for an output window. */
  lines: string[];
}

function notRun(problems: string[], rule?: string, trigger?: string): DryRunResult {
  return { ran: false, rule, trigger, actions: [], stateChanges: [], gas: undefined, error: undefined, problems, lines: [`Not run: ${problems.join("; ")}`] };
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? "(unknown)" : s.length > 200 ? `${s.slice(0, 197)}...` : s;
};

function describeAction(a: RunAction): string {
  const { kind, ...rest } = a as RunAction & Record<string, unknown>;
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${show(v)}`);
  return `${kind}(${parts.join(", ")})`;
}

/** Run one trigger of the rule `fileName` (its text as the editor has it). */
export async function dryRun(fileName: string, text: string, unit: CheckedUnit | undefined, p: DryRunParams): Promise<DryRunResult> {
  const compiled = compileSource(fileName, text);
  const bundle = compiled.bundle;
  if (!bundle) {
    const errors = compiled.diagnostics.filter((d: Diagnostic) => d.severity === "error");
    return notRun([`the rule has ${errors.length} error${errors.length === 1 ? "" : "s"}${errors[0] ? ` (first: ${errors[0].code} ${errors[0].message})` : ""}`]);
  }
  const manifest = bundle.manifest;
  const names = manifest.triggers.map((t) => t.name);
  const wanted = (p.trigger ?? "message").trim().replace(/\s+/g, " ");
  const trigger = names.find((n) => n === wanted) ?? names.find((n) => n === `every ${wanted}`);
  if (!trigger) return notRun([`rule ${manifest.rule} has no trigger \`${wanted}\` (its triggers: ${names.join(", ") || "none"})`], manifest.rule);
  if (trigger === "message" && !p.eml) return notRun(["the message trigger needs an .eml file"], manifest.rule, trigger);
  const address = `${manifest.rule.replace(/_/g, "-")}@example.org`;
  let input;
  try {
    let message;
    let messageSize;
    if (trigger === "message") {
      const parsed = await parseEml(readFileSync(p.eml!), { listAddress: address, envelope: {}, limits: bundleLimits(bundle) });
      if (parsed.refused.length) return notRun(parsed.refused.map((x) => `${x.code} ${x.message}`), manifest.rule, trigger);
      message = parsed.message;
      messageSize = parsed.size;
    }
    const members = (p.members ?? []).map((a) => ({ address: a, name: "", role: "member" as const, joined: 0 }));
    input = bundleInput(bundle, { now: p.now ?? Date.now(), address, listName: manifest.rule, members, state: null, ...(message ? { message, messageSize } : {}) });
  } catch (e) {
    if (e instanceof InputRefused) return notRun(e.problems.map((x) => `${x.code} ${x.message}`), manifest.rule, trigger);
    throw e;
  }
  const host = new NodeHost({ cwd: dirname(fileName), listAddress: address });
  const result: RunResult = await runBundle(bundle, { trigger, input }, host);

  const before = unit ? initialState(unit.check.model).values : new Map<string, unknown>();
  const stateChanges: StateChange[] = [];
  if (result.state) {
    for (const [field, after] of Object.entries(result.state)) {
      const was = before.get(field);
      if (JSON.stringify(was) !== JSON.stringify(after)) stateChanges.push({ field, before: was, after });
    }
  }
  const error = result.error ? { code: result.error.code, message: result.error.message, line: result.error.line } : undefined;
  const lines = [
    `Rule ${manifest.rule}, trigger \`${trigger}\`${p.eml ? ` on ${p.eml}` : ""} (dry run: nothing was sent or stored)`,
    `Actions (${result.actions.length}):`,
    ...(result.actions.length ? result.actions.map((a) => `  ${describeAction(a)}`) : ["  (none)"]),
    `State changes (${stateChanges.length}):`,
    ...(stateChanges.length ? stateChanges.map((c) => `  ${c.field}: ${show(c.before)} -> ${show(c.after)}`) : ["  (none)"]),
    `Gas: ${result.gas.used.toLocaleString("en-US")} used of a bound of ${result.gas.bound.toLocaleString("en-US")}`,
    ...(error ? [`Error: ${error.code} ${error.message}${error.line ? ` (line ${error.line})` : ""}`] : []),
  ];
  return { ran: true, rule: manifest.rule, trigger, actions: result.actions, stateChanges, gas: result.gas, error, problems: [], lines };
}

export interface TestsResult {
  passed: number;
  failed: number;
  /** Errors in the rule or its tests that stopped them from running. */
  problems: string[];
  lines: string[];
}

/** Run the rule's tests (the texts as the editor has them). */
export async function runTests(rule: { fileName: string; text: string }, tests: { fileName: string; text: string }[]): Promise<TestsResult> {
  if (tests.length === 0) return { passed: 0, failed: 0, problems: ["the rule has no test file"], lines: [`No tests: ${rule.fileName} has no .test.thwonk file next to it`] };
  const host = new NodeHost({ cwd: dirname(rule.fileName) });
  const r = await runRuleTests(rule, tests, host);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    const problems = errors.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code} ${d.message}`);
    return { passed: 0, failed: 0, problems, lines: ["Tests not run: the rule or its tests have errors", ...problems.map((x) => `  ${x}`)] };
  }
  const lines: string[] = [];
  for (const o of r.outcomes) {
    lines.push(`${o.ok ? "PASS" : "FAIL"} ${o.name}  (${o.gas.used.toLocaleString("en-US")} gas)`);
    for (const f of o.failures) lines.push(`    line ${f.line}: ${f.message}`);
    if (o.error) lines.push(`    ${o.error.code} ${o.error.message}`);
  }
  const passed = r.outcomes.filter((o) => o.ok).length;
  const failed = r.outcomes.length - passed;
  lines.push(`${passed} passed, ${failed} failed`);
  return { passed, failed, problems: [], lines };
}
