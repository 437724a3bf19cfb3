/**
 * `thwonkc fmt`: in place, --check, --stdout, a directory, stdin (`-`), and
 * the refusal of a file that does not parse; in-process through `main`, and
 * `fmt -` as a real process (stdin).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { binPath, runCli, tempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

const UGLY = "rule a\nstate{n:int=0}\non message(m: Message){\n      state.n+=1\n}\n";
const PRETTY = "rule a\nstate { n: int = 0 }\non message(m: Message) {\n  state.n += 1\n}\n";
const BROKEN = "rule b\non message(m: Message) {\n  if {\n}\n";

test("fmt rewrites files in place, only those that change", async () => {
  const t = tempDir({ "a.thwonk": UGLY, "ok.thwonk": PRETTY });
  try {
    const r = await runCli(["fmt", "a.thwonk", "ok.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), PRETTY);
    assert.equal(readFileSync(t.path("ok.thwonk"), "utf8"), PRETTY);
  } finally {
    t.remove();
  }
});

test("fmt --check lists the files that would change and exits 1, changing nothing", async () => {
  const t = tempDir({ "rules/a.thwonk": UGLY, "rules/ok.thwonk": PRETTY });
  try {
    const r = await runCli(["fmt", "--check", "rules"], { cwd: t.dir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "rules/a.thwonk\n");
    assert.equal(readFileSync(t.path("rules/a.thwonk"), "utf8"), UGLY);
    const clean = await runCli(["fmt", "--check", "rules/ok.thwonk"], { cwd: t.dir });
    assert.equal(clean.code, 0);
    assert.equal(clean.stdout, "");
  } finally {
    t.remove();
  }
});

test("fmt --check of the examples passes (the CI check)", async () => {
  const r = await runCli(["fmt", "--check", "examples"], { cwd: repoRoot });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("fmt --stdout prints the formatted text and leaves the file", async () => {
  const t = tempDir({ "a.thwonk": UGLY });
  try {
    const r = await runCli(["fmt", "--stdout", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, PRETTY);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), UGLY);
  } finally {
    t.remove();
  }
});

test("fmt refuses a file that does not parse: its errors, exit 1, the file untouched; the others are formatted", async () => {
  const t = tempDir({ "b.thwonk": BROKEN, "a.thwonk": UGLY });
  try {
    const r = await runCli(["fmt", "b.thwonk", "a.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /b\.thwonk:4:2: error TW1003/);
    assert.match(r.stderr, /b\.thwonk was not formatted/);
    assert.equal(readFileSync(t.path("b.thwonk"), "utf8"), BROKEN);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), PRETTY);
  } finally {
    t.remove();
  }
});

test("fmt of a missing path is a usage error", async () => {
  const t = tempDir();
  try {
    const r = await runCli(["fmt", "nope.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read nope\.thwonk/);
  } finally {
    t.remove();
  }
});

test("fmt - reads stdin and writes stdout (a real process)", () => {
  const ok = spawnSync(process.execPath, [binPath, "fmt", "-"], { input: UGLY, encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, PRETTY);
  const bad = spawnSync(process.execPath, [binPath, "fmt", "-"], { input: BROKEN, encoding: "utf8" });
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /<stdin>:4:2: error TW1003/);
});

test("a file with a UTF-8 byte order mark keeps it: formatted, it is left alone by --check; rewritten, the mark stays first", async () => {
  const BOM = "\ufeff";
  const t = tempDir({ "ok.thwonk": BOM + PRETTY, "a.thwonk": BOM + UGLY });
  try {
    const check = await runCli(["fmt", "--check", "ok.thwonk"], { cwd: t.dir });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const r = await runCli(["fmt", "a.thwonk", "ok.thwonk"], { cwd: t.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(t.path("a.thwonk"), "utf8"), BOM + PRETTY);
    assert.equal(readFileSync(t.path("ok.thwonk"), "utf8"), BOM + PRETTY);
  } finally {
    t.remove();
  }
});
