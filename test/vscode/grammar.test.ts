/**
 * The TextMate grammar, tested with vscode-tmgrammar-test on every
 * construct of the language (vscode-extension/test/grammar/*.thwonk, with
 * `^^^` scope assertions); a wrong assertion is shown to fail.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/repo.js";
import { tempDir } from "../helpers/cli.js";
import { parseFile } from "../../compiler/index.js";

const ext = join(repoRoot, "vscode-extension");
const tool = join(repoRoot, "node_modules", "vscode-tmgrammar-test", "dist", "unit.js");
const grammar = (cases: string) =>
  spawnSync(process.execPath, [tool, "-c", "-g", join(ext, "syntaxes", "thwonk.tmLanguage.json"), "--config", join(ext, "package.json"), cases], { cwd: ext, encoding: "utf8" });

test("every construct of the language gets its scopes", () => {
  const r = grammar("test/grammar/*.thwonk");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const f of ["declarations", "statements", "tests", "interpolations", "times", "errors"]) assert.match(r.stdout, new RegExp(`test/grammar/${f}\\.thwonk run successfuly`));
});

test("a wrong scope assertion fails the grammar test", () => {
  const dir = tempDir({ "wrong.thwonk": '// SYNTAX TEST "source.thwonk" "wrong"\nrule digest\n// <---- string.quoted.double.thwonk\n' });
  try {
    const r = grammar(dir.path("wrong.thwonk"));
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /Missing required scopes: \[ string\.quoted\.double\.thwonk \]/);
  } finally {
    dir.remove();
  }
});

test("a \\u{hex} escape is coloured valid exactly when the lexer takes it: surrogate halves and code points past U+10FFFF are invalid, leading zeros counted", () => {
  const hexes = ["0", "41", "FFF", "1000", "CFFF", "D000", "D7FF", "D800", "d9ab", "DBFF", "DC00", "DFFF", "E000", "FFFF", "10000", "FFFFF", "100000", "10FFFF", "110000", "1FFFFF", "FFFFFF"];
  const cases = [...hexes, ...hexes.filter((h) => h.length < 6).map((h) => `0${h}`), ...hexes.filter((h) => h.length < 5).map((h) => `00${h}`)];
  const lines = ['// SYNTAX TEST "source.thwonk" "escapes"', "on message(m: Message) {"];
  let invalid = 0;
  for (const h of cases) {
    const line = `  log("\\u{${h}}")`;
    // The lexer's verdict: the escape of no character is TW1025, the whole escape.
    const bad = parseFile("e.thwonk", `rule e\non message(m: Message) {\n${line}\n}\n`).diagnostics.some((d) => d.code === "TW1025");
    if (bad) invalid++;
    lines.push(line, `//${" ".repeat(5)}${"^".repeat(h.length + 4)} ${bad ? "invalid.illegal.escape.thwonk" : "constant.character.escape.thwonk"}`);
  }
  lines.push("}");
  // Both verdicts are exercised.
  assert.ok(invalid >= 10 && invalid < cases.length - 10, String(invalid));
  const dir = tempDir({ "escapes.thwonk": `${lines.join("\n")}\n` });
  try {
    const r = grammar(dir.path("escapes.thwonk"));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    dir.remove();
  }
});
