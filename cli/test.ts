/**
 * `thwonkc test [FILE|DIR...]`: runs the rules' tests — `test` blocks in
 * NAME.thwonk and in its NAME.test.thwonk — each in a fresh sandbox, as the
 * daemon would run the trigger (runtime/testing/run-tests.ts).
 *
 * Prints every test (✓ or ✗ and its name; for a failure, each unmet
 * expectation as file:line:col and why, or the runtime error and its code)
 * and ends with the line `N passed, N failed`, alone, which CI reads. Exit 1
 * when any test failed or could not run (a rule or test with errors, an .eml
 * that cannot be read). `--coverage` adds, per rule, the statement lines no
 * test reached.
 *
 * This module loads the runtime (QuickJS, mailparser): main.ts imports it
 * only when `test` is the command.
 */
import { existsSync } from "node:fs";
import { createColors } from "picocolors";
import { declaredTests, rulePair, ruleOfTest } from "../compiler/index.js";
import { runRuleTests, type TestOutcome, type TestRunResult } from "../runtime/testing/run-tests.js";
import type { HostServices } from "../runtime/testing/host.js";
import { EmlNotFound, NodeHost } from "../runtime/host/node-host.js";
import { ExitCode } from "./exit-codes.js";
import { displayName, expandPaths, InputError, ruleFileExists } from "./files.js";
import { wantColor, type CliIo } from "./io.js";
import { renderPretty } from "./render/pretty.js";
import { readUserFile } from "./rule-files.js";
import { withoutComment } from "./render/source-line.js";

export interface TestOptions {
  coverage: boolean;
  color?: boolean | undefined;
  /** The key of list.sign and list.verify (default: the public test key). */
  signKey?: string;
}

interface RuleGroup {
  /** Absolute path of NAME.thwonk or NAME.ts (may not exist when only a test file was found). */
  rule: string;
  tests: string[];
}

/** Each rule with its test file, from the files the arguments stand for, in order. */
export function groupRules(files: readonly string[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  const get = (rule: string): RuleGroup => {
    let g = groups.get(rule);
    if (!g) {
      g = { rule, tests: [] };
      groups.set(rule, g);
    }
    return g;
  };
  for (const f of files) {
    const pair = rulePair(f);
    const g = get(pair.isTest ? ruleOfTest(f, ruleFileExists) : pair.rule);
    if (pair.isTest) {
      if (!g.tests.includes(f)) g.tests.push(f);
    } else if (pair.test !== undefined && !g.tests.includes(pair.test) && existsSync(pair.test)) {
      g.tests.push(pair.test);
    }
  }
  return [...groups.values()];
}

export async function runTest(paths: readonly string[], opts: TestOptions, io: CliIo): Promise<ExitCode> {
  let groups: RuleGroup[];
  try {
    groups = groupRules(expandPaths(io.cwd, paths.length ? paths : ["."]));
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`thwonkc: ${err.message}\n`);
      return ExitCode.Usage;
    }
    throw err;
  }
  const color = wantColor(io, io.stdout, opts.color);
  const c = createColors(color);
  let passed = 0;
  let failed = 0;
  let ruleProblems = 0;
  let rulesWithTests = 0;

  for (const g of groups) {
    const ruleName = displayName(io.cwd, g.rule);
    if (!existsSync(g.rule)) {
      const t = g.tests.map((f) => displayName(io.cwd, f)).join(", ");
      io.stdout.write(`${c.bold(t)}\n  ${c.red("✗")} no rule ${ruleName} to test\n\n`);
      ruleProblems++;
      continue;
    }
    let rule, tests;
    try {
      rule = readUserFile(io.cwd, g.rule);
      tests = g.tests.map((f) => readUserFile(io.cwd, f));
    } catch (err) {
      if (err instanceof InputError) {
        io.stderr.write(`thwonkc: ${err.message}\n`);
        return ExitCode.Usage;
      }
      throw err;
    }
    const sources = [{ fileName: rule.name, text: rule.text }, ...tests.map((t) => ({ fileName: t.name, text: t.text }))];
    const testDecls = declaredTests(sources);
    const declared = testDecls.length;
    if (declared === 0) continue; // a rule without tests: nothing to run, nothing to say
    rulesWithTests++;
    io.stdout.write(`${c.bold(rule.name)}\n`);

    const host = new NodeHost({ cwd: io.cwd });
    // An .eml that cannot be read fails its own test, not the rule's other tests.
    const missing = new Map<string, EmlNotFound>();
    const services: HostServices = {
      tzFor: (zone, from, to) => host.tzFor(zone, from, to),
      describeRuleError: (e) => host.describeRuleError(e),
      loadEml: async (path, relativeTo) => {
        try {
          return await host.loadEml(path, relativeTo);
        } catch (err) {
          if (!(err instanceof EmlNotFound)) throw err;
          missing.set(`${relativeTo}\u0000${path}`, err);
          return null;
        }
      },
    };
    const emlOf = new Map(testDecls.flatMap((t) => (t.eml === undefined ? [] : [[`${t.file}:${t.line}`, t.eml] as const])));
    const r: TestRunResult = await runRuleTests(sources[0]!, sources.slice(1), services, { coverage: opts.coverage, ...(opts.signKey !== undefined ? { tokenKey: opts.signKey } : {}) });
    for (const o of r.outcomes) {
      const eml = emlOf.get(`${o.file}:${o.line}`);
      const err = eml === undefined ? undefined : missing.get(`${o.file}\u0000${eml}`);
      if (err) {
        o.ok = false;
        o.failures = [];
        o.error = null;
        (o as TestOutcome & { cannotRun?: string }).cannotRun = err.message;
      }
    }
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || r.outcomes.length === 0) {
      const texts = new Map(sources.map((s) => [s.fileName, s.text] as const));
      io.stdout.write(`  ${c.red("✗")} ${plural(declared, "test")} not run: the rule or its tests have errors\n\n`);
      io.stdout.write(indent(renderPretty(errors, texts, sources.length, { color })) + "\n");
      failed += declared;
      continue;
    }
    for (const o of r.outcomes as (TestOutcome & { cannotRun?: string })[]) {
      if (o.ok) passed++;
      else failed++;
      io.stdout.write(renderOutcome(o, rule.name, c));
    }
    for (const [file, problems] of host.emlProblems) {
      for (const p of problems) io.stdout.write(`  ${c.yellow("warning")}: ${displayName(io.cwd, file)}: ${p}\n`);
    }
    if (opts.coverage && r.statementLines && r.uncovered) {
      io.stdout.write(renderCoverage(rule.name, rule.text, r.statementLines, r.uncovered, c));
    }
    io.stdout.write("\n");
  }

  if (rulesWithTests === 0 && ruleProblems === 0) io.stdout.write("no tests found\n");
  io.stdout.write(`${passed} passed, ${failed + ruleProblems} failed\n`);
  return failed + ruleProblems > 0 ? ExitCode.Findings : ExitCode.Success;
}

function plural(k: number, word: string): string {
  return `${k} ${word}${k === 1 ? "" : "s"}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : "    " + l))
    .join("\n");
}

function renderOutcome(o: TestOutcome & { cannotRun?: string }, ruleFile: string, c: ReturnType<typeof createColors>): string {
  if (o.ok) return `  ${c.green("✓")} ${o.name}\n`;
  const out = [`  ${c.red("✗")} ${o.name}  ${c.dim(`(${o.file}:${o.line})`)}`];
  if (o.cannotRun) out.push(`      ${c.red("could not run")}: ${o.cannotRun}`);
  // A failure's later lines (the actions the run took) go under its first.
  for (const f of o.failures) out.push(`      ${c.bold(`${o.file}:${f.line}:${f.column}`)}: ${f.message.replace(/\n/g, "\n        ")}`);
  // What the rule logged in the run that failed: often what its author needs to see.
  const logs = o.logs ?? [];
  if (logs.length && (o.failures.length || o.error)) {
    out.push(`      ${c.dim("the run logged:")}`);
    for (const l of logs.slice(0, 20)) out.push(`        ${ruleFile}:${l.line}: ${JSON.stringify(l.text)}`);
    if (logs.length > 20) out.push(`        … ${logs.length - 20} more`);
  }
  if (o.error) {
    const e = o.error;
    const at = e.line !== null ? `${ruleFile}:${e.line}:${e.column ?? 1}: ` : "";
    out.push(`      ${c.bold(at)}${c.red("error")} ${c.dim(e.code)}: ${e.message}`);
  }
  if (o.failures.length === 0 && !o.error && !o.cannotRun) out.push("      failed without a reason (please report this)");
  return out.join("\n") + "\n";
}


function renderCoverage(ruleFile: string, text: string, all: readonly number[], uncovered: readonly number[], c: ReturnType<typeof createColors>): string {
  const reached = all.length - uncovered.length;
  const pct = all.length ? Math.floor((1000 * reached) / all.length) / 10 : 100;
  const head = `  coverage: ${pct}% (${reached} of ${all.length} statement lines reached)`;
  if (uncovered.length === 0) return `${uncovered.length === 0 ? c.green(head) : head}\n`;
  const lines = text.split(/\r\n|\r|\n/);
  const out = [`${c.yellow(head)}; not reached:`];
  for (const l of uncovered) out.push(`    ${c.bold(`${ruleFile}:${l}`)}  ${clipLine(withoutComment(lines[l - 1] ?? "").trim(), 100)}`);
  return out.join("\n") + "\n";
}

function clipLine(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : cps.slice(0, max - 1).join("") + "…";
}
