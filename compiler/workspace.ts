/**
 * The documents a long-lived host holds (the language server's open files,
 * later the daemon's deployed sources), checked one rule at a time and only
 * as much as changed: a document is parsed again only when its text
 * changed, and a rule (with its test files) checked and verified again only
 * when one of its files was parsed again. Checking a rule the editor is not
 * looking at costs nothing.
 *
 * A check can be cancelled (`isCancelled`): the language server cancels a
 * check whose document changed again before it finished.
 */
import { throwIfCancelled, type IsCancelled } from "./cancel.js";
import { compareDiagnostics, type Diagnostic } from "./diagnostics/diagnostic.js";
import { makeDiagnostic, typeMessages } from "./diagnostics/catalog/index.js";
import { checkUnit, type ProgramOptions, type RuleUnit } from "./program.js";
import type { SourceFile } from "./syntax/ast.js";
import { parseFile, type SyntaxTree } from "./syntax/parser.js";
import { rulePair, ruleOfTest } from "./test-files.js";
import { coreExplanations, isTypeScriptRule, parseTypeScriptRule } from "./typescript/index.js";

export interface WorkspaceCheckOptions {
  /** Run the verifier (bounds, budgets). Default true. */
  verify?: boolean;
  verifyOptions?: ProgramOptions["verifyOptions"];
  /** Polled between phases and as the verifier walks; a cancelled check throws CheckCancelled. */
  isCancelled?: IsCancelled;
}

export interface CheckedDocument {
  /** The rule the document belongs to, checked; undefined for a test file whose rule is not in the workspace. */
  unit: RuleUnit | undefined;
  /** The files of that rule: the rule file and its test files in the workspace. */
  files: string[];
  /** The diagnostics of those files (syntax, checker, verifier), sorted. */
  diagnostics: Diagnostic[];
}

interface Document {
  text: string;
  file: SourceFile;
  /** The lossless tree of a .thwonk text (none for a .ts rule): the editor's folding reads it, so a version is parsed once. */
  syntax: SyntaxTree | undefined;
  diagnostics: Diagnostic[];
  /** A .ts rule TypeScript or the subset refused: the core's diagnostics would repeat its errors. */
  refused?: boolean;
}

interface CachedUnit {
  /** The parsed files it was checked from, and how: the same objects and options mean the same result. */
  inputs: SourceFile[];
  verify: boolean;
  result: CheckedDocument;
}

/** How much work the workspace has done: what "cheap" means, in numbers a test can check. */
export interface WorkspaceStats {
  parses: number;
  checks: number;
}

export class Workspace {
  private readonly docs = new Map<string, Document>();
  private readonly units = new Map<string, CachedUnit>();
  readonly stats: WorkspaceStats = { parses: 0, checks: 0 };

  /** Adds a document or changes its text (a file name ending in .thwonk; tests end in .test.thwonk). */
  set(fileName: string, text: string): void {
    if (this.docs.get(fileName)?.text === text) return;
    // The front end by extension, as checkSources chooses it.
    const ts = isTypeScriptRule(fileName);
    const parsed = ts ? undefined : parseFile(fileName, text);
    const r = parsed ?? parseTypeScriptRule(fileName, text);
    this.stats.parses++;
    this.docs.set(fileName, { text, file: r.file, syntax: parsed?.syntax, diagnostics: r.diagnostics, refused: ts && r.diagnostics.some((d) => d.severity === "error") });
  }

  delete(fileName: string): void {
    this.docs.delete(fileName);
    this.units.delete(fileName);
  }

  has(fileName: string): boolean {
    return this.docs.has(fileName);
  }

  /** The syntax tree of a document, as last parsed. */
  fileOf(fileName: string): SourceFile | undefined {
    return this.docs.get(fileName)?.file;
  }

  /** The lossless tree of a .thwonk document, as last parsed (built on first read); undefined for a .ts rule. */
  syntaxOf(fileName: string): SyntaxTree | undefined {
    return this.docs.get(fileName)?.syntax;
  }

  /** The text a document was last set to. */
  textOf(fileName: string): string | undefined {
    return this.docs.get(fileName)?.text;
  }

  /** Checks the rule `fileName` belongs to (itself, or the rule of a test file), unless nothing it reads changed. */
  check(fileName: string, options: WorkspaceCheckOptions = {}): CheckedDocument {
    const doc = this.docs.get(fileName);
    if (!doc) throw new Error(`${fileName} is not in the workspace`);
    const ruleName = rulePair(fileName).isTest ? ruleOfTest(fileName, (f) => this.docs.has(f)) : fileName;
    const rule = this.docs.get(ruleName);
    if (!rule) {
      // A test file without its rule: its syntax, and the reason it is not checked.
      const diagnostics = [...doc.diagnostics, makeDiagnostic(typeMessages.testWithoutRule, doc.file.span, [fileName, ruleName])];
      return { unit: undefined, files: [fileName], diagnostics: diagnostics.sort(compareDiagnostics) };
    }
    const tests = this.testsOf(ruleName);
    const inputs = [rule.file, ...tests.map((t) => t.file)];
    const verify = options.verify !== false;
    const cached = this.units.get(ruleName);
    if (cached && cached.verify === verify && sameFiles(cached.inputs, inputs)) return cached.result;

    throwIfCancelled(options.isCancelled);
    const parseDiagnostics = [rule, ...tests].flatMap((d) => d.diagnostics);
    const parseErrors = parseDiagnostics.some((d) => d.severity === "error");
    const unit = checkUnit(rule.file, tests.map((t) => t.file), parseErrors, {
      verify,
      verifyOptions: { ...options.verifyOptions, isCancelled: options.isCancelled },
    });
    this.stats.checks++;
    const core = rule.refused ? [] : [...unit.check.diagnostics, ...(unit.verify?.diagnostics ?? []), ...unit.internal];
    // A refused .ts rule: TypeScript's errors, but for those the core explains at their place with a fix (checkSources does the same).
    const explained = rule.refused ? coreExplanations(rule.diagnostics, unit.check.diagnostics) : undefined;
    const front = explained?.size ? parseDiagnostics.map((d) => explained.get(d) ?? d) : parseDiagnostics;
    const diagnostics = [...front, ...core].sort(compareDiagnostics);
    const result: CheckedDocument = {
      unit: { rule: unit.rule, tests: unit.tests, check: unit.check, verify: unit.verify },
      files: inputs.map((f) => f.fileName),
      diagnostics,
    };
    this.units.set(ruleName, { inputs, verify, result });
    return result;
  }

  /** The rule's test file NAME.test.thwonk, when it is in the workspace. */
  private testsOf(ruleName: string): Document[] {
    const testName = rulePair(ruleName).test;
    const test = testName === undefined ? undefined : this.docs.get(testName);
    return test ? [test] : [];
  }
}

function sameFiles(a: readonly SourceFile[], b: readonly SourceFile[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}
