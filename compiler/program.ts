/**
 * The entry point of the compiler core: a set of source texts in, parsed and
 * checked files and their diagnostics out. No I/O: hosts (the CLI, the
 * language server, the daemon) hand in the texts.
 *
 * A rule is one `.thwonk` file. Its tests live in `test` blocks in the same
 * file or in a sibling `NAME.test.thwonk` file, which is checked in the
 * context of `NAME.thwonk` (it sees the rule's state, triggers and types).
 */
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { compareDiagnostics } from "./diagnostics/diagnostic.js";
import type { SourceFile } from "./syntax/ast.js";
import { parseFile } from "./syntax/parser.js";
import { checkRule, type CheckResult } from "./semantic/checker.js";
import { makeDiagnostic, typeMessages, verifyMessages } from "./diagnostics/catalog/index.js";
import { hasErrors } from "./diagnostics/diagnostic.js";
import { verifyRule, type VerifyOptions, type VerifyResult } from "./verify/index.js";
import { rulePair, ruleOfTest } from "./test-files.js";
import { CheckCancelled, throwIfCancelled } from "./cancel.js";
import { coreExplanations, isTypeScriptRule, parseTypeScriptRule } from "./typescript/index.js";

export interface SourceText {
  fileName: string;
  text: string;
}

export interface RuleUnit {
  /** The rule file (NAME.thwonk). */
  rule: SourceFile;
  /** Its test files (NAME.test.thwonk), if any. */
  tests: SourceFile[];
  check: CheckResult;
  /** The verifier's result; undefined when the rule has errors before verification (or verify is off). */
  verify: VerifyResult | undefined;
}

export interface ProgramOptions {
  /** Run the verifier (bounds, budgets, capabilities) on rules without errors. Default true. */
  verify?: boolean;
  verifyOptions?: VerifyOptions;
}

export interface ProgramResult {
  units: RuleUnit[];
  /** All diagnostics of all files, sorted by file and position. */
  diagnostics: Diagnostic[];
}

export function checkSources(sources: readonly SourceText[], options: ProgramOptions = {}): ProgramResult {
  const diagnostics: Diagnostic[] = [];
  const parsed = new Map<string, SourceFile>();
  // The front end by extension: a `.ts` rule is read by TypeScript and lowered into the same tree.
  const failedTs = new Set<string>();
  for (const src of sources) {
    const r = isTypeScriptRule(src.fileName) ? parseTypeScriptRule(src.fileName, src.text) : parseFile(src.fileName, src.text);
    parsed.set(src.fileName, r.file);
    diagnostics.push(...r.diagnostics);
    if (isTypeScriptRule(src.fileName) && hasErrors(r.diagnostics)) failedTs.add(src.fileName);
  }
  const testsByRule = new Map<string, SourceFile[]>();
  for (const [name, file] of parsed) {
    const pair = rulePair(name);
    if (!pair.isTest) continue;
    // NAME.test.thwonk tests NAME.thwonk, or NAME.ts when that is the rule given.
    const ruleName = ruleOfTest(name, (f) => parsed.has(f));
    if (!parsed.has(ruleName)) {
      diagnostics.push(
        makeDiagnostic(typeMessages.testWithoutRule, file.span, [name, ruleName]),
      );
      continue;
    }
    const list = testsByRule.get(ruleName) ?? [];
    list.push(file);
    testsByRule.set(ruleName, list);
  }
  const units: RuleUnit[] = [];
  const explained = new Map<Diagnostic, Diagnostic>();
  for (const [name, file] of parsed) {
    if (rulePair(name).isTest) continue;
    const tests = testsByRule.get(name) ?? [];
    const files = new Set([name, ...tests.map((t) => t.fileName)]);
    const parseErrors = diagnostics.some((d) => d.severity === "error" && files.has(d.span.file));
    const unit = checkUnit(file, tests, parseErrors, options);
    // A .ts rule TypeScript or the subset refused has its errors already; the core's would repeat them.
    // But where the core explains one of TypeScript's errors at its place with a fix, it stands in for it (coreExplanations).
    if (!failedTs.has(name)) diagnostics.push(...unit.check.diagnostics, ...(unit.verify?.diagnostics ?? []), ...unit.internal);
    else for (const [theirs, ours] of coreExplanations(diagnostics.filter((d) => d.span.file === name), unit.check.diagnostics)) explained.set(theirs, ours);
    units.push({ rule: unit.rule, tests: unit.tests, check: unit.check, verify: unit.verify });
  }
  const shown = explained.size ? diagnostics.map((d) => explained.get(d) ?? d) : diagnostics;
  shown.sort(compareDiagnostics);
  return { units, diagnostics: shown };
}

/**
 * An exception from a phase (the verifier, the emitter) on a rule, as the
 * internal-error diagnostic at the start of the rule's file: the command
 * reports it and exits 1 like for any error, instead of crashing.
 */
export function internalErrorDiagnostic(fileName: string, phase: string, err: unknown): Diagnostic {
  const where = err instanceof Error && err.stack ? ` (${err.stack.split("\n")[1]?.trim() ?? ""})` : "";
  const what = err instanceof Error ? err.message : String(err);
  const span = { file: fileName, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  return makeDiagnostic(verifyMessages.internalError, span, [phase, `${what}${where}`]);
}

/**
 * Checks one rule with its test files, and verifies it when nothing so far
 * (its files' syntax errors, `parseErrors`, or the checker) found an error.
 * The one sequence of phases after parsing, for checkSources and for the
 * language server's Workspace.
 */
export function checkUnit(rule: SourceFile, tests: SourceFile[], parseErrors: boolean, options: ProgramOptions = {}): RuleUnit & { internal: Diagnostic[] } {
  throwIfCancelled(options.verifyOptions?.isCancelled);
  const check = checkRule(rule, tests);
  const internal: Diagnostic[] = [];
  let verify: VerifyResult | undefined;
  if (options.verify !== false && !parseErrors && !hasErrors(check.diagnostics)) {
    throwIfCancelled(options.verifyOptions?.isCancelled);
    try {
      verify = verifyRule(rule, check.model, options.verifyOptions);
    } catch (err) {
      if (err instanceof CheckCancelled) throw err;
      // A bug in the verifier must not take the host down: the rule gets an error, and no bounds.
      internal.push(internalErrorDiagnostic(rule.fileName, "the verifier", err));
    }
  }
  return { rule, tests, check, verify, internal };
}
