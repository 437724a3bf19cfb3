/**
 * The golden suite: small wrong programs in test/golden/cases, each beside
 * the diagnostics it must produce (NAME.diagnostics), in the style of
 * TypeScript's baselines:
 *
 *     4:3-4:6 error TW1006 Expected a statement but found `let`. ...
 *         let = 3
 *         ~~~
 *
 * A case is `NAME.thwonk`, checked together with `NAME.test.thwonk` when that
 * exists; a `NAME.test.thwonk` alone is a case of its own (a test file
 * without its rule). Diagnostics in a file other than the case's main file
 * are prefixed with that file's name.
 *
 * A case whose first line is `// options: {...}` is checked with those
 * program options (JSON), e.g. the daemon's lower ceilings:
 * `// options: {"verifyOptions": {"ceilings": {"members": 100}}}`.
 *
 * A `ts_NAME.ts` case is a TypeScript rule (the second front end,
 * compiler/typescript/), checked alone.
 *
 * `THWONK_BLESS=1` rewrites the expected files from what the compiler says
 * today; review the diff before committing it.
 *
 * The suite also guards the catalog: every code must be exercised by some
 * case, and no two entries may share a code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSources, type ProgramOptions, type SourceText } from "../compiler/program.js";
import { allMessages, runtimeMessages } from "../compiler/diagnostics/catalog/index.js";
import type { Diagnostic, Span } from "../compiler/diagnostics/diagnostic.js";

/** The repository root: dist/test/golden.test.js → ../../, or the nearest folder above with package.json and compiler/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "compiler")) && existsSync(join(dir, "test", "golden"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("repository root not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

const casesDir = join(findRoot(), "test", "golden", "cases");
const bless = process.env["THWONK_BLESS"] === "1";

/**
 * Codes no program can produce, by design: the internal-error code of each
 * band (TWn999) exists for bugs in thwonkc, not for mistakes in rules.
 */
function isInternalError(code: string): boolean {
  return /^TW\d999$/.test(code);
}

/**
 * Known wrong: catalog codes that no case can produce today, each with the
 * reason. The coverage test asserts exactly this set is uncovered, so the
 * change that makes one reachable (or removes it) must also update this list
 * and add its case.
 */
const KNOWN_UNCOVERED: Record<string, string> = {
  TW4001: "bundles are not source files: test/emit/bundle.test.ts covers TW4001–TW4006",
  TW4002: "covered by test/emit/bundle.test.ts",
  TW4003: "covered by test/emit/bundle.test.ts",
  TW4004: "covered by test/emit/bundle.test.ts",
  TW4005: "covered by test/emit/bundle.test.ts",
  TW4006: "covered by test/emit/bundle.test.ts",
  // A new version against a deployed bundle: test/cli/schema-compat.test.ts covers TW4020–TW4027, test/api/zone-data.test.ts TW4029.
  ...Object.fromEntries(["TW4020", "TW4021", "TW4022", "TW4023", "TW4024", "TW4025", "TW4026", "TW4027", "TW4029"].map((c) => [c, "a check against a deployed bundle, not of sources alone"])),
  TW1024: "made from a host's bytes before there is a text to check (compiler/syntax/utf8.ts): test/syntax/utf8.test.ts, test/lsp/not-utf8.test.ts",
  TW7001: "reported under TypeScript's own code (TS2322 and the like): ts_type_error covers it",
  TW2038: "no stdlib method is left that only some receivers have: `join`, the last, reaches lists of non-strings through its variant (stdlib/decl.ts `alias`); TW2195 is the mistake a rule can make",
  TW3020: "a safety net: every stdlib result declares its bounds (test/verify/result-sizes.test.ts fails on one that does not) and every local has a shape, so no rule reaches it",
  // Runtime errors come from running code, not from checking it; test/runtime-input/catalog.test.ts
  // covers every TW5xxx entry (it fails on an entry without a sample).
  ...Object.fromEntries(Object.values(runtimeMessages).map((m) => [m.code, "a runtime error: covered by test/runtime-input/catalog.test.ts"])),
};

interface GoldenCase {
  name: string;
  main: string;
  files: string[];
}

function listCases(): GoldenCase[] {
  const all = readdirSync(casesDir).filter((f) => f.endsWith(".thwonk")).sort();
  const cases: GoldenCase[] = [];
  for (const f of all) {
    if (f.endsWith(".test.thwonk")) {
      const rule = f.slice(0, -".test.thwonk".length) + ".thwonk";
      if (all.includes(rule)) continue; // checked with its rule
      cases.push({ name: f.slice(0, -".thwonk".length), main: f, files: [f] });
    } else {
      const name = f.slice(0, -".thwonk".length);
      const testFile = name + ".test.thwonk";
      cases.push({ name, main: f, files: all.includes(testFile) ? [f, testFile] : [f] });
    }
  }
  for (const f of readdirSync(casesDir).filter((f) => f.startsWith("ts_") && f.endsWith(".ts")).sort()) {
    cases.push({ name: f.slice(0, -".ts".length), main: f, files: [f] });
  }
  return cases;
}

function range(s: Span): string {
  return `${s.line}:${s.col}-${s.endLine}:${s.endCol}`;
}

/** Longer source lines are shown as a window around the span. */
const WINDOW = 100;

/** The source line of `s` with `~` under the span (to the end of the line when it runs on), `^` for an empty span. */
function underline(text: string, s: Span): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  let line = lines[s.line - 1];
  if (line === undefined) return [];
  let start = s.col - 1;
  let end = s.endLine === s.line ? Math.max(s.endCol - 1, start) : line.length;
  if (line.length > WINDOW) {
    const from = Math.max(0, Math.min(start - 20, line.length - WINDOW));
    const to = Math.min(line.length, from + WINDOW);
    const head = from > 0 ? "…" : "";
    line = head + line.slice(from, to) + (to < line.length ? "…" : "");
    start = start - from + head.length;
    end = Math.min(end, to) - from + head.length;
  }
  const marks = end > start ? "~".repeat(end - start) : "^";
  return ["    " + line, "    " + " ".repeat(start) + marks];
}

function renderDiagnostics(c: GoldenCase, texts: Map<string, string>, diags: readonly Diagnostic[]): string {
  const out: string[] = [];
  for (const d of diags) {
    const file = basename(d.span.file);
    const prefix = file === c.main ? "" : file + ":";
    out.push(`${prefix}${range(d.span)} ${d.severity} ${d.code} ${d.message}`);
    out.push(...underline(texts.get(file) ?? "", d.span));
    for (const r of d.related) {
      const rf = basename(r.span.file);
      out.push(`  related ${rf === c.main ? "" : rf + ":"}${range(r.span)} ${r.message}`);
    }
    if (d.fix) {
      const edits = d.fix.edits.map((e) => `${range(e.span)} ${JSON.stringify(e.newText)}`).join(", ");
      out.push(`  fix: ${d.fix.description} (${edits})`);
    }
  }
  if (out.length === 0) out.push("(no diagnostics)");
  return out.join("\n") + "\n";
}

const OPTIONS_LINE = /^\/\/ options: (.*)$/m;

function optionsOf(text: string): ProgramOptions {
  const first = text.split("\n", 1)[0] ?? "";
  const m = OPTIONS_LINE.exec(first);
  return m ? (JSON.parse(m[1]!) as ProgramOptions) : {};
}

function runCase(c: GoldenCase): { text: string; codes: string[] } {
  const texts = new Map<string, string>();
  const sources: SourceText[] = c.files.map((f) => {
    const text = readFileSync(join(casesDir, f), "utf8");
    texts.set(f, text);
    return { fileName: f, text };
  });
  const result = checkSources(sources, optionsOf(sources[0]!.text));
  return { text: renderDiagnostics(c, texts, result.diagnostics), codes: result.diagnostics.map((d) => d.code) };
}

const cases = listCases();

for (const c of cases) {
  test(`golden: ${c.name}`, () => {
    const expectedFile = join(casesDir, c.name + ".diagnostics");
    const actual = runCase(c);
    if (bless) {
      writeFileSync(expectedFile, actual.text);
      return;
    }
    assert.ok(existsSync(expectedFile), `${c.name}.diagnostics is missing; run with THWONK_BLESS=1 to create it`);
    const expected = readFileSync(expectedFile, "utf8");
    assert.equal(actual.text, expected, `diagnostics of ${c.name} differ from ${c.name}.diagnostics (THWONK_BLESS=1 re-blesses)`);
    assert.notEqual(actual.text, "(no diagnostics)\n", `${c.name} is a golden case but produces no diagnostics`);
  });
}

test("golden: no expected file without its case", () => {
  const names = new Set(cases.map((c) => c.name));
  const orphans = readdirSync(casesDir)
    .filter((f) => f.endsWith(".diagnostics"))
    .map((f) => f.slice(0, -".diagnostics".length))
    .filter((n) => !names.has(n));
  assert.deepEqual(orphans, [], "expected files whose case is gone");
});

test("catalog: no two entries share a code", () => {
  const seen = new Map<string, string>();
  const dups: string[] = [];
  for (const m of allMessages) {
    const prior = seen.get(m.code);
    if (prior !== undefined) dups.push(`${m.code} (${prior} / ${m.title})`);
    seen.set(m.code, m.title);
  }
  assert.deepEqual(dups, []);
});

test("catalog: every code is well formed and in its band", () => {
  const bad = allMessages.filter((m) => !/^TW[1-57]\d{3}$/.test(m.code)).map((m) => m.code);
  assert.deepEqual(bad, []);
});

test("catalog: every code is exercised by a golden case", () => {
  const covered = new Set(cases.flatMap((c) => runCase(c).codes));
  const catalog = new Set(allMessages.map((m) => m.code));
  const missing = [...catalog].filter((code) => !covered.has(code) && !isInternalError(code)).sort();
  assert.deepEqual(missing, Object.keys(KNOWN_UNCOVERED).sort(), "catalog codes no golden case produces: add a case in test/golden/cases (or update KNOWN_UNCOVERED)");
});
