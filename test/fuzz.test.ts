/**
 * A bounded fuzz test: thousands of token-level mutations of the examples
 * (tokens deleted, duplicated, swapped) run through the whole pipeline —
 * parse, check, verify and, when no error is left, emit. Nothing may throw;
 * every diagnostic has a code from the catalog and a span inside its file;
 * no internal error (TWn999) appears.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSources } from "../compiler/program.js";
import { allMessages } from "../compiler/diagnostics/catalog/index.js";
import { emitRule } from "../compiler/emit/emitter.js";
import { lex } from "../compiler/syntax/lexer.js";
import { LineMap } from "../compiler/syntax/lines.js";
import { parseFile, printSyntax } from "../compiler/syntax/parser.js";
import { repoRoot } from "./helpers/repo.js";

const MUTATIONS_PER_EXAMPLE = Number(process.env["THWONK_FUZZ_RUNS"] ?? 350);
const codes = new Set(allMessages.map((m) => m.code));

function examples(): { name: string; rule: string; tests: string | undefined }[] {
  const dir = join(repoRoot, "examples");
  return readdirSync(dir)
    .sort()
    .filter((d) => existsSync(join(dir, d, `${d}.thwonk`)))
    .map((d) => ({
      name: d,
      rule: readFileSync(join(dir, d, `${d}.thwonk`), "utf8"),
      tests: existsSync(join(dir, d, `${d}.test.thwonk`)) ? readFileSync(join(dir, d, `${d}.test.thwonk`), "utf8") : undefined,
    }));
}

/** A small deterministic generator (the same mutations on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The tokens of `text`, EOF left out. */
function tokensOf(text: string): { start: number; end: number }[] {
  return lex("m.thwonk", text, new LineMap(text)).tokens.slice(0, -1);
}

/** Deletes, duplicates or swaps whole tokens, keeping the rest of the text as it was. */
function mutate(text: string, rnd: () => number): string {
  const tokens = tokensOf(text);
  if (tokens.length < 2) return text;
  let out = text;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let e = 0; e < edits; e++) {
    const toks = tokensOf(out);
    if (toks.length < 2) break;
    const i = Math.floor(rnd() * toks.length);
    const t = toks[i]!;
    const start = t.start;
    const end = t.end;
    const op = rnd();
    if (op < 0.4) {
      out = out.slice(0, start) + out.slice(end);
    } else if (op < 0.7) {
      out = out.slice(0, end) + " " + out.slice(start, end) + out.slice(end);
    } else {
      const j = Math.floor(rnd() * toks.length);
      const u = toks[j]!;
      if (u === t) continue;
      const [a, b] = t.start < u.start ? [t, u] : [u, t];
      const aText = out.slice(a.start, a.end);
      const bText = out.slice(b.start, b.end);
      out = out.slice(0, a.start) + bText + out.slice(a.end, b.start) + aText + out.slice(b.end);
    }
  }
  return out;
}

/** The whole pipeline on one input: nothing throws, every diagnostic is from the catalog with a span inside its file, no internal error, and the concrete tree prints back each source byte for byte. Returns whether the rule came out clean (and was emitted). */
function assertPipelineHolds(sources: { fileName: string; text: string }[]): boolean {
  const shown = sources.map((s) => s.text).join("\n---\n");
  for (const s of sources) {
    assert.equal(printSyntax(parseFile(s.fileName, s.text).syntax.root), s.text, `the concrete tree does not print back ${s.fileName}:\n${s.text}`);
  }
  let result;
  try {
    result = checkSources(sources);
  } catch (e) {
    assert.fail(`checkSources threw on this input:\n${shown}\n${e instanceof Error ? e.stack : e}`);
  }
  for (const d of result.diagnostics) {
    assert.ok(codes.has(d.code), `unknown code ${d.code}`);
    assert.ok(!/^TW\d999$/.test(d.code), `internal error ${d.code}: ${d.message}\n${shown}`);
    const text = sources.find((s) => s.fileName === d.span.file)?.text ?? "";
    assert.ok(d.span.line >= 1 && d.span.col >= 1 && d.span.start >= 0 && d.span.end <= text.length && d.span.start <= d.span.end, `bad span ${JSON.stringify(d.span)}`);
  }
  const unit = result.units[0];
  if (unit?.verify && !result.diagnostics.some((d) => d.severity === "error")) {
    assert.doesNotThrow(() => emitRule(unit.rule, unit.check.model));
    return true;
  }
  return false;
}

for (const ex of examples()) {
  test(`fuzz: ${MUTATIONS_PER_EXAMPLE} mutations of ${ex.name} never break the pipeline`, () => {
    const rnd = rng(ex.name.length * 7919 + ex.rule.length);
    for (let k = 0; k < MUTATIONS_PER_EXAMPLE; k++) {
      const mutateTests = ex.tests !== undefined && rnd() < 0.3;
      const rule = mutateTests ? ex.rule : mutate(ex.rule, rnd);
      const tests = ex.tests === undefined ? undefined : mutateTests ? mutate(ex.tests, rnd) : ex.tests;
      const sources = [{ fileName: `${ex.name}.thwonk`, text: rule }];
      if (tests !== undefined) sources.push({ fileName: `${ex.name}.test.thwonk`, text: tests });
      // Some mutations (a swapped comment, a duplicated newline-separated token) leave a valid rule: the emitter runs on those.
      assertPipelineHolds(sources);
    }
  });
}

/** Inputs that once broke the pipeline (found by this fuzz test or by hand), kept so they stay fixed. */
const REGRESSIONS: { why: string; text: string }[] = [
  { why: "an interpolation whose expression fails at the parser's top rule left undefined in the tree (TW2999)", text: 'rule r\nevery y at 8:00{"{{n' },
  { why: "the same, in a message trigger", text: 'rule r\non message(m: Message) {\n  log("{{m.subject")\n}\n' },
  { why: "chevrotain's recovery threw a RangeError on thousands of consecutive bad lines", text: "rule r\n" + ") ] } ,\n".repeat(10_000) },
  { why: "nesting deeper than the parser's stack", text: "rule r\non message(m: Message) {\n  let x = " + "(".repeat(5_000) + "1" + ")".repeat(5_000) + "\n}\n" },
  { why: "an unterminated string at the end of the file", text: 'rule r\non message(m: Message) {\n  log("abc' },
  { why: "strings nested in interpolations deeper than the later phases' stack (TW2999)", text: `rule r\non message(m: Message) {\n  log(${'"{'.repeat(3000)}1${'}"'.repeat(3000)})\n}\n` },
  { why: "an interpolation whose brackets, with its string's, nest too deeply", text: `rule r\non message(m: Message) {\n  log(${"(".repeat(300)}"{${"(".repeat(300)}1${")".repeat(300)}}"${")".repeat(300)})\n}\n` },
];

for (const r of REGRESSIONS) {
  test(`fuzz regression: ${r.why}`, () => {
    assertPipelineHolds([{ fileName: "r.thwonk", text: r.text }]);
  });
}

test("nesting through string interpolations is limited like brackets: one TW1018, no internal error", () => {
  const text = `rule r\non message(m: Message) {\n  log(${'"{'.repeat(3000)}1${'}"'.repeat(3000)})\n}\n`;
  const codes = checkSources([{ fileName: "r.thwonk", text }]).diagnostics.map((d) => d.code);
  assert.deepEqual(codes.filter((c) => c.startsWith("TW1") || c.endsWith("999")), ["TW1018"]);
});
