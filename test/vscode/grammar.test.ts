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

const ext = join(repoRoot, "vscode-extension");
const tool = join(repoRoot, "node_modules", "vscode-tmgrammar-test", "dist", "unit.js");
const grammar = (cases: string) =>
  spawnSync(process.execPath, [tool, "-c", "-g", join(ext, "syntaxes", "thwonk.tmLanguage.json"), "--config", join(ext, "package.json"), cases], { cwd: ext, encoding: "utf8" });

test("every construct of the language gets its scopes", () => {
  const r = grammar("test/grammar/*.thwonk");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const f of ["declarations", "statements", "tests", "interpolations", "times"]) assert.match(r.stdout, new RegExp(`test/grammar/${f}\\.thwonk run successfuly`));
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
