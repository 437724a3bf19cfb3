/**
 * `thwonkc fmt` attacked as a list owner's editor would: line ends of every
 * kind (`\r` alone, as old Mac editors and some pastes leave them), comments
 * at every token boundary, whitespace of every kind, generated rules, and
 * files that are not UTF-8. The properties: formatting never throws on a file
 * that parses, is idempotent, keeps the typed tree and the compiled code, and
 * never loses a byte of a file it cannot read.
 */
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { compileSource, formatText, parseFile, type SyntaxElement } from "../../compiler/index.js";
import { binPath, runCliProcess, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";
import { thwonkFiles } from "../helpers/thwonk-files.js";
import { exprArb, exprRule } from "../properties/exprgen.js";
import { ruleArb } from "../properties/rulegen.js";
import { meaning as meaningOf } from "./meaning.js";

const examples = thwonkFiles(join(repoRoot, "examples")).map((f) => ({ name: relative(repoRoot, f), text: readFileSync(f, "utf8") }));

/** The typed tree without positions or comments (meaning.ts), of a text as a file a.thwonk. */
const meaning = (text: string): string => meaningOf("a.thwonk", text);

function parses(text: string): boolean {
  return !parseFile("a.thwonk", text).diagnostics.some((d) => d.severity === "error");
}

/** The offsets where tokens start (the places a comment may go between two tokens). */
function tokenStarts(text: string): number[] {
  const out: number[] = [];
  let pos = 0;
  const walk = (e: SyntaxElement): void => {
    if ("children" in e) {
      for (const c of e.children) walk(c);
      return;
    }
    for (const tr of e.leading) pos += tr.text.length;
    out.push(pos);
    pos += e.text.length;
  };
  walk(parseFile("a.thwonk", text).syntax.root);
  return out;
}

/** Formats `text`, which must parse: the result is formatted, idempotent and means the same. */
function formatsSoundly(label: string, text: string): string {
  const r = formatText("a.thwonk", text);
  assert.ok(r.ok, `${label}: a file that parses is formatted`);
  const again = formatText("a.thwonk", r.text);
  assert.ok(again.ok && again.text === r.text, `${label}: formatting twice changes nothing`);
  assert.equal(meaning(r.text), meaning(text), `${label}: same typed tree`);
  return r.text;
}

test("line ends of every kind, mixed in one file (\\n, \\r\\n and \\r alone): the file formats to the LF original", () => {
  // Before the fix a `\r` alone was not a line break to the formatter (the parser's LineMap counts it):
  // lines were joined, a line comment swallowed the next line's code, and fmt died on its self-check.
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(fc.constantFrom("\n", "\r\n", "\r"), { minLength: 1, maxLength: 8 }), (ex, ends) => {
      const lines = ex.text.split("\n");
      let mixed = lines[0]!;
      for (let i = 1; i < lines.length; i++) {
        let end = ends[(i - 1) % ends.length]!;
        // A `\r` then a `\n` is one line break (`\r\n`): the input itself would lose a blank line.
        if (end === "\n" && mixed.endsWith("\r")) end = "\r";
        mixed += end + lines[i];
      }
      assert.ok(parses(mixed), `${ex.name}: mixed line ends still parse`);
      assert.equal(formatsSoundly(ex.name, mixed), ex.text, `${ex.name}: formatted back to the original`);
    }),
    { numRuns: 60, seed: 7 },
  );
});

test("a file with `\\r` line ends through the real CLI: formatted (LF), not an internal error", () => {
  const cr = "rule a\rstate { n: int = 0 }\r// why\ron message(m: Message) {\r      state.n += 1\r}\r";
  const t = tempDir({ "a.thwonk": cr });
  try {
    const r = runCliProcess(["fmt", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), "rule a\nstate { n: int = 0 }\n// why\non message(m: Message) {\n  state.n += 1\n}\n");
  } finally {
    t.remove();
  }
});

test("a block comment over several lines in a CRLF (or `\\r`) file: fmt writes its line breaks `\\n` too, not a file of mixed line ends", () => {
  const crlf = "rule a\r\n/* what\r\n   it does */\r\non message(_m: Message) {\r\n  log(\"x\") /* and\r   why */\r\n}\r\n";
  const lf = "rule a\n/* what\n   it does */\non message(_m: Message) {\n  log(\"x\") /* and\n   why */\n}\n";
  const t = tempDir({ "a.thwonk": crlf });
  try {
    // Before: `rule a\n/* what\r\n   it does */\non message...`: LF outside the comments, CRLF and CR inside.
    const r = runCliProcess(["fmt", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), lf);
  } finally {
    t.remove();
  }
  // An LF file with one CRLF left in a comment (a paste) is not formatted: --check says so.
  const stray = lf.replace("what\n", "what\r\n");
  assert.equal(formatsSoundly("a stray CRLF in a comment", stray), lf);
  assert.equal(formatsSoundly("CRLF", crlf), lf);
});

test("property: a comment at any token boundary of an example is kept, and the file formats soundly", () => {
  const comments = ["/*c*/", "/* two\nlines */", "/**/", "// end of line\n", "\n// own line\n", "/* before a break */\n", "\t/*tab*/ "];
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.nat(), fc.constantFrom(...comments), (ex, n, comment) => {
      const starts = tokenStarts(ex.text);
      const at = starts[n % starts.length]!;
      const input = ex.text.slice(0, at) + comment + ex.text.slice(at);
      // A line break can end a statement: where the comment's own break makes the file not parse, fmt refuses it (tested elsewhere).
      if (!parses(input)) return;
      const out = formatsSoundly(`${ex.name} + ${JSON.stringify(comment)} at ${at}`, input);
      assert.ok(out.includes(comment.trim()), `${ex.name}: the comment is kept`);
    }),
    { numRuns: 400, seed: 11 },
  );
});

test("property: generated expressions, re-spaced with tabs, form feeds, NBSP and trailing blanks, format soundly to the same code", () => {
  const blanks = fc.constantFrom(" ", "  ", "\t", "\f", "\u00a0", " \t ");
  fc.assert(
    fc.property(
      fc.constantFrom<"S" | "I" | "B">("S", "I", "B").chain((k) => exprArb(k, 2)),
      fc.array(blanks, { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (e, gaps, probe) => {
        const src = exprRule(e, probe);
        let k = 0;
        // Every space between tokens becomes one of the blanks, every line gets trailing blanks; no line moves (the code names lines).
        const spaced = src.replace(/ (?=(?:[^"]*"[^"]*")*[^"]*$)/gm, () => gaps[k++ % gaps.length]!).replace(/\n/g, () => `${gaps[k++ % gaps.length]}\n`);
        if (!parses(spaced)) return;
        const out = formatsSoundly(e, spaced);
        assert.equal(out, formatsSoundly(e, src), `${e}: re-spaced, it formats as the original does`);
        // The code names the line and column of some calls (log, tests): the same code but for those.
        const code = (text: string) => compileSource("exprs.thwonk", text).bundle?.code.text.replace(/\b\d+, \d+\)/g, "L, C)");
        assert.equal(code(out), code(spaced), `${e}: the same code`);
      },
    ),
    { numRuns: 40, seed: 3 },
  );
});

test("property: generated rules, with comments and line ends of every kind put between their tokens, format soundly", () => {
  const inserts = ["/*c*/", "/* a\nb */", "// c\n", "\n// c\n", "\r\n", "\r", "\n\n\n", " \t\f "];
  fc.assert(
    fc.property(ruleArb(120), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...inserts)), { minLength: 1, maxLength: 4 }), (rule, cuts) => {
      let text = rule.source;
      for (const [n, ins] of cuts) {
        const starts = tokenStarts(text);
        const at = starts[n % starts.length]!;
        text = text.slice(0, at) + ins + text.slice(at);
      }
      // A line break can end a statement or a declaration: a variant that no longer parses is fmt's to refuse.
      if (!parses(rule.source) || !parses(text)) return;
      formatsSoundly("generated rule", text);
    }),
    { numRuns: 60, seed: 5 },
  );
});

test("property: comments of any Unicode (astral, combining, zero-width, U+2028, NUL, every line end inside a block) and blanks of every kind at token boundaries: formatted soundly, all line ends `\\n`", () => {
  const unit = fc.oneof(
    fc.constantFrom("😀", "e\u0301", "\u200b", "\u2028", "\t", "\u00a0", "\ufeff", "*", "/", "{", "}", '"', "\\", "\r\n", "\r", "\n", " ", "\u0000"),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
  );
  const body = fc.string({ unit, maxLength: 12 });
  const trivia = fc.oneof(
    body.map((s) => `/*${s.replace(/\*\//g, "* /")}*/`),
    body.map((s) => `//${s.replace(/[\r\n]/g, "")}\n`),
    fc.constantFrom(" ", "\t", "\u00a0", "\ufeff", "\v", "\f", "\r\n", "\r", "\n\n", " \r\n\t"),
  );
  let formatted = 0;
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), trivia), { minLength: 1, maxLength: 6 }), (ex, cuts) => {
      let text = ex.text;
      for (const [n, ins] of cuts) {
        const starts = tokenStarts(text);
        const at = starts[n % starts.length]!;
        text = text.slice(0, at) + ins + text.slice(at);
      }
      // A line break can end a statement: a variant that no longer parses is fmt's to refuse.
      if (!parses(text)) return;
      formatted++;
      const out = formatsSoundly(`${ex.name} + ${JSON.stringify(cuts.map((c) => c[1]))}`, text);
      assert.ok(!out.includes("\r"), `${ex.name} + ${JSON.stringify(cuts.map((c) => c[1]))}: every line end is \\n`);
    }),
    { numRuns: 300, seed: 13 },
  );
  assert.ok(formatted > 200, `most variants parse (${formatted})`);
});

test("a BOM, a comment at the end of a file without a newline, an empty block with a comment, deep nesting: formatted soundly", () => {
  const deep = `rule d\non message(m: Message) {\n  let x = ${"(".repeat(300)}1${")".repeat(300)}\n  log("{x}")\n}\n`;
  const blocks = `rule b\non message(m: Message) {\n${"if true {\n".repeat(150)}log("x")\n${"}\n".repeat(150)}}\n`;
  const nots = `rule n\non message(m: Message) {\n  if ${"not ".repeat(400)}true {\n    log("x")\n  }\n}\n`;
  const cases = [
    "\ufeffrule a\non message(m: Message) {\n  log(\"x\")\n}\n",
    "rule a\non message(m: Message) {\n  log(\"x\")\n}\n// the end, no newline",
    "rule a\non message(m: Message) {\n  if true { /* nothing yet */ }\n  if true {\n  // nothing either\n  }\n}\n",
    'rule a\non message(m: Message) {\n  log("x {m.subject.truncate(3)} \\{ \\" \\\\ {"in{"n"}ner"} }")\n}\n',
    'rule a\non message(m: Message) {\n  log("{m.subject    +    "}"}")\n}\n',
    deep,
    blocks,
    nots,
  ];
  for (const c of cases) {
    assert.ok(parses(c), JSON.stringify(c.slice(0, 60)));
    formatsSoundly(JSON.stringify(c.slice(0, 40)), c);
  }
});

test("a file that is not UTF-8 is left byte for byte (a Latin-1 comment is not turned into U+FFFD)", () => {
  // "// café" saved as Latin-1, in a file fmt would otherwise change (its indentation).
  const bytes = Buffer.concat([Buffer.from("rule a\n// caf"), Buffer.from([0xe9]), Buffer.from("\non message(m: Message) {\n      log(\"x\")\n}\n")]);
  const t = tempDir();
  try {
    writeFileSync(t.path("a.thwonk"), bytes);
    writeFileSync(t.path("ok.thwonk"), "rule ok\non message(m: Message) {\n  log(\"x\")\n}\n");
    for (const args of [["fmt", "a.thwonk"], ["fmt", "--check", "a.thwonk"], ["fmt", "--stdout", "a.thwonk"]]) {
      const r = runCliProcess(args, { cwd: t.dir });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /a\.thwonk.*not UTF-8/);
      assert.ok(readFileSync(t.path("a.thwonk")).equals(bytes), `${args.join(" ")}: the file is unchanged`);
    }
    const stdin = spawnSync(process.execPath, [binPath, "fmt", "-"], { cwd: t.dir, input: bytes, encoding: "buffer" });
    assert.equal(stdin.status, 2, "fmt - refuses it");
    assert.equal(stdin.stdout.length, 0, "fmt - prints nothing of it");
    const ok = runCliProcess(["fmt", "--check", "ok.thwonk"], { cwd: t.dir });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    t.remove();
  }
});

test("a file fmt cannot write whole (a file size limit, as on a full disk) is left as it was, not emptied", () => {
  const text = 'rule a\non message(m: Message) {\n      log("x")\n}\n';
  const t = tempDir({ "a.thwonk": text });
  try {
    // `ulimit -f 0`: any write to a file fails (EFBIG, the signal ignored), as ENOSPC does on a full disk.
    const r = spawnSync("sh", ["-c", 'trap "" XFSZ; ulimit -f 0; exec "$0" "$@"', process.execPath, binPath, "fmt", "a.thwonk"], { cwd: t.dir, encoding: "utf8" });
    // Before: the file was truncated, then the write failed: an internal error (exit 70) and an empty rule.
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), text);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot write a\.thwonk: .*left as it was/);
    assert.deepEqual(readdirSync(t.dir), ["a.thwonk"], "no temporary file left behind");
  } finally {
    t.remove();
  }
});

test("fmt keeps a file's mode, and a link stays a link (its target formatted)", () => {
  const text = 'rule a\non message(m: Message) {\n      log("x")\n}\n';
  const t = tempDir({ "rules/a.thwonk": text });
  try {
    chmodSync(t.path("rules/a.thwonk"), 0o640);
    symlinkSync("rules/a.thwonk", t.path("link.thwonk"));
    const r = runCliProcess(["fmt", "link.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(t.path("link.thwonk")).isSymbolicLink());
    assert.equal(readFileSync(t.path("rules/a.thwonk"), "utf8"), 'rule a\non message(m: Message) {\n  log("x")\n}\n');
    assert.equal(statSync(t.path("rules/a.thwonk")).mode & 0o777, 0o640);
  } finally {
    t.remove();
  }
});
