/**
 * A rule's tests live in `test` blocks of NAME.thwonk and in a sibling
 * NAME.test.thwonk, which is checked in the context of NAME.thwonk. Every
 * host (the CLI's check, compile and test, the language server, the daemon)
 * pairs the two files by this one function, and finds the declared tests
 * with `declaredTests`. No I/O: the host says which files exist.
 */
import type { SourceFile } from "./syntax/ast.js";
import { parseFile } from "./syntax/parser.js";

export const RULE_EXT = ".thwonk";
export const TEST_EXT = ".test.thwonk";

export interface RulePair {
  /** The rule file: `dir/once.thwonk` (for a file that is not a test file, the file itself). */
  rule: string;
  /** Its test file `dir/once.test.thwonk`; undefined when `fileName` is neither a rule nor a test file (no `.thwonk`). */
  test: string | undefined;
  /** `fileName` is the test file of the pair. */
  isTest: boolean;
}

/**
 * The rule and test file `fileName` belongs to: `dir/once.test.thwonk` and
 * `dir/once.thwonk` pair with each other, whichever is given. The names are
 * compared as written (paths with either separator work: only the end of the
 * name counts).
 */
export function rulePair(fileName: string): RulePair {
  if (fileName.endsWith(TEST_EXT)) {
    return { rule: fileName.slice(0, -TEST_EXT.length) + RULE_EXT, test: fileName, isTest: true };
  }
  if (fileName.endsWith(RULE_EXT)) {
    return { rule: fileName, test: fileName.slice(0, -RULE_EXT.length) + TEST_EXT, isTest: false };
  }
  if (isTsRuleName(fileName)) {
    return { rule: fileName, test: fileName.slice(0, -TS_RULE_EXT.length) + TEST_EXT, isTest: false };
  }
  return { rule: fileName, test: undefined, isTest: false };
}

/** A TypeScript rule (docs/typescript.md) is tested by the same NAME.test.thwonk. */
export const TS_RULE_EXT = ".ts";

/** NAME.ts names a TypeScript rule when the file imports from "thwonk"; NAME.d.ts never does. */
export function isTsRuleName(fileName: string): boolean {
  return fileName.endsWith(TS_RULE_EXT) && !fileName.endsWith(".d.ts");
}

const IMPORTS_THWONK = /\bfrom\s*["']thwonk["']/;

/** Whether a `.ts` file's text imports from "thwonk": what makes it a rule rather than other TypeScript. */
export function importsThwonk(text: string): boolean {
  return IMPORTS_THWONK.test(text);
}

/**
 * The rule a test file tests, given which files exist: NAME.thwonk, or
 * NAME.ts when only that exists (`exists` is the host's question).
 */
export function ruleOfTest(testFile: string, exists: (fileName: string) => boolean): string {
  const rule = rulePair(testFile).rule;
  const ts = rule.slice(0, -RULE_EXT.length) + TS_RULE_EXT;
  return !exists(rule) && exists(ts) ? ts : rule;
}

/** `dir/once.test.thwonk` is a test file, checked with its rule rather than as a rule. */
export function isTestFile(fileName: string): boolean {
  return rulePair(fileName).isTest;
}

export interface DeclaredTest {
  /** The file the `test` block is in. */
  file: string;
  /** Its first line. */
  line: number;
  /** `message = "post.eml"`: the message file it reads, when it names one as a plain string. */
  eml: string | undefined;
}

/**
 * Every `test` block of the files, in order: found by parsing alone, so a
 * host can say how many tests did not run when the rule has errors.
 */
export function declaredTests(files: readonly (SourceFile | { fileName: string; text: string })[]): DeclaredTest[] {
  const out: DeclaredTest[] = [];
  for (const given of files) {
    // A .ts rule declares no tests: they are in its NAME.test.thwonk.
    if (given.fileName.endsWith(TS_RULE_EXT)) continue;
    const f = "kind" in given ? given : parseFile(given.fileName, given.text).file;
    for (const d of f.decls) {
      if (d.kind !== "TestDecl") continue;
      let eml: string | undefined;
      for (const cl of d.clauses) {
        if (cl.kind !== "GivenClause" || cl.target.kind !== "Ident" || cl.target.name !== "message" || cl.value.kind !== "StringLit") continue;
        if (cl.value.parts.every((p) => p.kind === "StringText")) eml = cl.value.parts.map((p) => (p as { value: string }).value).join("");
      }
      out.push({ file: f.fileName, line: d.span.line, eml });
    }
  }
  return out;
}
