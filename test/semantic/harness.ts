/**
 * Helpers for the checker's unit tests: check real source texts through the
 * compiler's entry point (checkSources, without the verifier: these tests
 * are about parsing and checking) and compare diagnostics as `line:col CODE`
 * strings.
 *
 * In `marked`, the character `⟪` marks where a diagnostic is expected; the
 * markers are removed before checking.
 */
import assert from "node:assert/strict";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { checkSources, type ProgramResult } from "../../compiler/program.js";

export const RULE_FILE = "rule.thwonk";
export const TEST_FILE = "rule.test.thwonk";

/** Checks a rule file (and optionally its test file). */
export function check(rule: string, testFile?: string): ProgramResult {
  const sources = [{ fileName: RULE_FILE, text: rule }];
  if (testFile !== undefined) sources.push({ fileName: TEST_FILE, text: testFile });
  return checkSources(sources, { verify: false });
}

export function where(d: Diagnostic): string {
  return `${d.span.line}:${d.span.col} ${d.code}`;
}

/** The diagnostics of a rule as `line:col CODE`, in order. */
export function found(rule: string, testFile?: string): string[] {
  return check(rule, testFile).diagnostics.map(where);
}

/** Asserts that a program has no diagnostics at all (errors or warnings). */
export function assertClean(rule: string, testFile?: string): ProgramResult {
  const r = check(rule, testFile);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.span.file}:${where(d)} ${d.message}`),
    [],
    "expected no diagnostics",
  );
  return r;
}

const MARK = "⟪";

/** Removes the markers; returns the text and the `line:col` of each marker. */
export function unmark(text: string): { text: string; marks: string[] } {
  const marks: string[] = [];
  let out = "";
  let line = 1;
  let col = 1;
  for (const ch of text) {
    if (ch === MARK) {
      marks.push(`${line}:${col}`);
      continue;
    }
    out += ch;
    if (ch === "\n") {
      line++;
      col = 1;
    } else {
      col += ch.length; // UTF-16 units
    }
  }
  return { text: out, marks };
}

/**
 * Asserts that the marked rule gives exactly one `code` diagnostic at each
 * marker and nothing else (apart from the codes in `also`).
 */
export function assertMarked(code: string, marked: string, also: string[] = []): Diagnostic[] {
  const { text, marks } = unmark(marked);
  const diags = check(text).diagnostics;
  const got = diags.filter((d) => !also.includes(d.code)).map(where);
  assert.deepEqual(got, marks.map((m) => `${m} ${code}`), diags.map((d) => `${where(d)} ${d.message}`).join("\n"));
  return diags.filter((d) => d.code === code);
}

/** A rule with one `on message(m: Message)` trigger around `body`; the body starts on line 4. */
export function onMessage(body: string, before = ""): string {
  return `rule r\n${before}\non message(m: Message) {\n${body}\n}\n`;
}
