/**
 * The extension's language configuration against the lexer, the language's
 * one truth: the word VS Code selects on a double-click, and replaces when a
 * completion is accepted, is the token the lexer reads; its comment and
 * bracket characters are the lexer's; every snippet parses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFile, type SyntaxElement } from "../../compiler/index.js";
import { repoRoot } from "../helpers/repo.js";

const config = JSON.parse(readFileSync(join(repoRoot, "vscode-extension", "language-configuration.json"), "utf8")) as {
  wordPattern: string;
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: [string, string][];
};

/** The tokens of a text, as the lexer reads them: kind and text. */
function tokens(text: string): { kind: string; text: string; start: number }[] {
  const out: { kind: string; text: string; start: number }[] = [];
  const walk = (e: SyntaxElement): void => {
    if ("children" in e) for (const c of e.children) walk(c);
    else out.push({ kind: e.kind, text: e.text, start: e.start });
  };
  walk(parseFile("words.thwonk", text).syntax.root);
  return out;
}

test("the word pattern takes a name, an integer or a duration whole, as the lexer reads it (`1_000_000`, `1_500ms`; `2hours` is `2` and `hours`)", () => {
  const text = [
    "rule words",
    "limits { members: 1_000, text: 20_000 }",
    "on message(m: Message) {",
    "  let big = 1_000_000 + 42",
    "  let wait = 1_500ms + 90m + 2h + 1_0d + 3w + 30s",
    "  let _x2 = big",
    "  let odd = 2hours + 1days", // (not durations: an integer, then a name)
    '  log("{big} {wait} {_x2}")',
    "}",
    "",
  ].join("\n");
  const words = tokens(text).filter((t) => ["Identifier", "IntLiteral", "DurationLiteral"].includes(t.kind));
  assert.ok(words.some((w) => w.text === "1_000_000") && words.some((w) => w.text === "1_500ms"));
  for (const w of words) {
    // VS Code finds the words of a line with the pattern, global, from the line's start.
    const re = new RegExp(config.wordPattern, "g");
    const lineStart = text.lastIndexOf("\n", w.start - 1) + 1;
    const line = text.slice(lineStart, text.indexOf("\n", w.start));
    let found: string | undefined;
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (lineStart + m.index <= w.start && w.start < lineStart + m.index + m[0].length) {
        found = m[0];
        break;
      }
    }
    // Before: `1_000_000` was the words `1` and `_000_000`.
    assert.equal(found, w.text, `${w.kind} ${w.text}`);
  }
});

test("the comment and bracket characters are the lexer's", () => {
  const t = tokens(`rule c ${config.comments.lineComment} a line\n${config.comments.blockComment[0]} a block ${config.comments.blockComment[1]}\n`);
  assert.deepEqual(
    t.map((x) => x.kind),
    ["Rule", "Identifier", "EOF"],
  );
  for (const [open, close] of config.brackets) {
    const kinds = tokens(`${open}${close}`).map((x) => x.kind);
    assert.deepEqual(kinds.slice(0, 2), [{ "{": "LCurly", "[": "LBracket", "(": "LParen" }[open], { "}": "RCurly", "]": "RBracket", ")": "RParen" }[close]]);
  }
});

/**
 * A snippet's body as VS Code inserts it with its defaults: a placeholder's
 * default text, `$0` empty, TM_FILENAME_BASE through the snippet's own
 * transform (a JavaScript regular expression, as VS Code applies it).
 */
function expand(body: string, fileBase: string): string {
  let out = body.replace(/\$\{TM_FILENAME_BASE\/((?:[^/\\]|\\.)*)\/((?:[^/\\]|\\.)*)\/([gim]*)\}/g, (_m, re: string, fmt: string, flags: string) => fileBase.replace(new RegExp(re, flags), fmt));
  for (let again = true; again; ) {
    const next = out.replace(/\$\{\d+:([^${}]*)\}/g, "$1");
    again = next !== out;
    out = next;
  }
  return out.replace(/\$\d+/g, "");
}

test("every snippet, inserted with its defaults, parses: a rule named after any file (`2024-digest.thwonk` too)", () => {
  const snippets = JSON.parse(readFileSync(join(repoRoot, "vscode-extension", "snippets", "thwonk.json"), "utf8")) as Record<string, { body: string[] }>;
  const inRule = (code: string): string => `rule r\non message(m: Message) {\n${code}\n  log(m.subject)\n}\n`;
  for (const base of ["digest", "2024-digest", "my list.v2", "once_a_day"]) {
    for (const [name, s] of Object.entries(snippets)) {
      const code = expand(s.body.join("\n"), base);
      const [fileName, text] = name === "Test" ? ["r.test.thwonk", code] : name === "New rule" ? [`${base}.thwonk`, code] : /^(On message|Every)/.test(name) ? ["r.thwonk", `rule r\n${code}\n`] : ["r.thwonk", inRule(code)];
      const errors = parseFile(fileName, text).diagnostics.filter((d) => d.severity === "error");
      // Before: `rule 2024_digest` for 2024-digest.thwonk, a name starting with a digit.
      assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], `${name} in ${base}.thwonk:\n${text}`);
    }
  }
});
