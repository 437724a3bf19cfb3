/**
 * The formatter: golden cases (test/format/cases/NAME.thwonk → NAME.expected;
 * THWONK_BLESS=1 rewrites them), idempotence over the examples and every
 * golden input that parses, the examples formatted (how CI holds them to the
 * style), refusal of files that do not parse, and the property that
 * formatting never changes what a program means: the typed tree without
 * positions is the same before and after, over the examples, the golden
 * inputs, token mutations of the examples and random changes of their
 * whitespace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { formatText, isFormatted, parseFile } from "../../compiler/index.js";
import { repoRoot } from "../helpers/repo.js";
import { thwonkFiles } from "../helpers/thwonk-files.js";
import { meaning } from "./meaning.js";

const casesDir = join(repoRoot, "test", "format", "cases");
const bless = process.env["THWONK_BLESS"] === "1";

const exampleFiles = thwonkFiles(join(repoRoot, "examples"));
const goldenInputs = thwonkFiles(join(repoRoot, "test", "golden", "cases"));
const caseFiles = thwonkFiles(casesDir);


function mustFormat(fileName: string, text: string): string {
  const r = formatText(fileName, text);
  assert.ok(r.ok, `${fileName} should format: ${r.ok ? "" : r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.text;
}

test("golden formatter cases: each input formats to its .expected, and that is formatted", () => {
  assert.ok(caseFiles.length >= 4);
  for (const input of caseFiles) {
    const expectedPath = input.replace(/\.thwonk$/, ".expected");
    const out = mustFormat(input, readFileSync(input, "utf8"));
    if (bless || !existsSync(expectedPath)) writeFileSync(expectedPath, out);
    assert.equal(out, readFileSync(expectedPath, "utf8"), relative(repoRoot, input));
    assert.ok(isFormatted(input, out), `${relative(repoRoot, input)}: the expected output is itself formatted`);
  }
});

test("the examples are formatted (CI: thwonkc fmt --check examples)", () => {
  assert.ok(exampleFiles.length >= 10);
  const unformatted = exampleFiles.filter((f) => !isFormatted(f, readFileSync(f, "utf8")));
  assert.deepEqual(unformatted.map((f) => relative(repoRoot, f)), []);
});

test("formatting is idempotent and keeps the meaning, over the examples, the golden inputs and the cases", () => {
  let formatted = 0;
  for (const f of [...exampleFiles, ...goldenInputs, ...caseFiles]) {
    const text = readFileSync(f, "utf8");
    const r = formatText(f, text);
    if (!r.ok) {
      assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.severity === "error"), `${f}: a refusal says why`);
      continue;
    }
    formatted++;
    assert.equal(mustFormat(f, r.text), r.text, `${relative(repoRoot, f)}: formatting twice changes nothing`);
    assert.equal(meaning(f, r.text), meaning(f, text), `${relative(repoRoot, f)}: same typed tree`);
  }
  assert.ok(formatted > 100, `only ${formatted} files formatted`);
});

test("a file that does not parse is refused with its errors, not changed", () => {
  const text = "rule broken\non message(m: Message) {\n  if {\n}\n";
  const r = formatText("broken.thwonk", text);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.diagnostics[0]!.code, /^TW1\d\d\d$/);
});

test("comments and blank-line paragraphs survive; at most one blank line; one newline at the end", () => {
  const text = "rule a\n\n\n\n// one\n\n// two\nstate {\n\n  n: int = 0 // trailing\n\n\n  m: int = 0\n\n}\n\n\n";
  const out = mustFormat("a.thwonk", text);
  assert.equal(out, "rule a\n\n// one\n\n// two\nstate {\n  n: int = 0 // trailing\n\n  m: int = 0\n}\n");
});

/** A small deterministic generator (the same inputs on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Token mutations, as the fuzz test makes them: delete, duplicate or swap whole tokens. */
function mutateTokens(text: string, rnd: () => number): string {
  const tokens = [...text.matchAll(/"(?:[^"\\\n]|\\.)*"|[A-Za-z_0-9:.-]+|\S/g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length }));
  if (tokens.length < 2) return text;
  const i = Math.floor(rnd() * tokens.length);
  const t = tokens[i]!;
  const op = rnd();
  if (op < 0.5) return text.slice(0, t.start) + text.slice(t.end);
  return text.slice(0, t.end) + " " + text.slice(t.start, t.end) + text.slice(t.end);
}

/** The same program with its whitespace scrambled: runs within a line become 1–3 spaces, runs across lines get random blank lines and indentation. */
function scrambleWhitespace(text: string, rnd: () => number): string {
  const parsed = parseFile("s.thwonk", text);
  const out: string[] = [];
  const walk = (e: import("../../compiler/index.js").SyntaxElement): void => {
    if ("children" in e) {
      for (const c of e.children) walk(c);
      return;
    }
    e.leading.forEach((tr, i) => {
      const nl = (tr.text.match(/\n/g) ?? []).length;
      // The gap before a comment that ends a line is kept as written (hand alignment): left alone here.
      if (tr.kind !== "Whitespace" || (nl === 0 && e.leading[i + 1]?.kind === "LineComment")) out.push(tr.text);
      else if (nl === 0) out.push(" ".repeat(1 + Math.floor(rnd() * 3)));
      else out.push("\n".repeat(nl === 1 ? 1 : 2 + Math.floor(rnd() * 3)) + " ".repeat(Math.floor(rnd() * 9)));
    });
    out.push(e.text);
  };
  walk(parsed.syntax.root);
  return out.join("");
}

test("property: formatting never changes the typed tree (mutated and re-spaced examples)", () => {
  const rnd = rng(16);
  let checked = 0;
  for (const f of exampleFiles) {
    const text = readFileSync(f, "utf8");
    for (let k = 0; k < 40; k++) {
      const input = k % 2 === 0 ? scrambleWhitespace(text, rnd) : mutateTokens(text, rnd);
      const r = formatText(f, input);
      if (!r.ok) continue;
      checked++;
      assert.equal(meaning(f, r.text), meaning(f, input), `${relative(repoRoot, f)} variant ${k}: same typed tree`);
      assert.equal(mustFormat(f, r.text), r.text, `${relative(repoRoot, f)} variant ${k}: idempotent`);
      if (k % 2 === 0) assert.equal(r.text, text, `${relative(repoRoot, f)}: re-spacing a formatted file formats back to it`);
    }
  }
  assert.ok(checked > 300, `only ${checked} variants parsed`);
});
