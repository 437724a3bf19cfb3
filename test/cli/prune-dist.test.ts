/**
 * `npm run build` removes from dist/ the outputs of sources that are gone (scripts/prune-dist.js): tsc never deletes
 * an output, and scripts/run-tests.js runs every dist/test/**\/*.test.js, so a deleted test would otherwise still run.
 * Outputs whose source is there stay, and the bundler's files (dist/thwonkc.mjs, dist/chunks/) are left to it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../helpers/repo.js";

const { pruneDist } = (await import(pathToFileURL(join(repoRoot, "scripts", "prune-dist.js")).href)) as { pruneDist: (root: string) => string[] };

test("the outputs of a deleted source go; the rest, and the bundles, stay", () => {
  const root = mkdtempSync(join(tmpdir(), "thwonk-prune-"));
  try {
    const put = (p: string): void => {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), "");
    };
    for (const p of ["runtime/kept.ts", "test/daemon/kept.test.ts"]) put(p);
    const outputs = [
      "dist/runtime/kept.js",
      "dist/runtime/kept.js.map",
      "dist/runtime/gone.js",
      "dist/runtime/gone.js.map",
      "dist/test/daemon/kept.test.js",
      "dist/test/daemon/gone.test.js",
      "dist/test/daemon/gone.test.js.map",
      "dist/thwonkc.mjs",
      "dist/chunks/run-ABC123.js",
      "dist/.tsbuildinfo",
    ];
    for (const p of outputs) put(p);
    assert.deepEqual(pruneDist(root).sort(), ["runtime/gone.js", "runtime/gone.js.map", "test/daemon/gone.test.js", "test/daemon/gone.test.js.map"]);
    assert.deepEqual(
      outputs.filter((p) => existsSync(join(root, p))),
      ["dist/runtime/kept.js", "dist/runtime/kept.js.map", "dist/test/daemon/kept.test.js", "dist/thwonkc.mjs", "dist/chunks/run-ABC123.js", "dist/.tsbuildinfo"],
    );
    // Again: nothing more to remove; and a project not built yet has nothing to prune.
    assert.deepEqual(pruneDist(root), []);
    rmSync(join(root, "dist"), { recursive: true });
    assert.deepEqual(pruneDist(root), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("when it removed something, the script drops tsc's record of the last build, so a source that comes back is compiled again", () => {
  const root = mkdtempSync(join(tmpdir(), "thwonk-prune-"));
  try {
    const put = (p: string): void => {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), "");
    };
    mkdirSync(join(root, "scripts"));
    cpSync(join(repoRoot, "scripts", "prune-dist.js"), join(root, "scripts", "prune-dist.js"));
    const run = () => spawnSync(process.execPath, [join(root, "scripts", "prune-dist.js")], { encoding: "utf8" });
    put("runtime/kept.ts");
    put("dist/runtime/kept.js");
    put("dist/.tsbuildinfo");
    let r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(existsSync(join(root, "dist", ".tsbuildinfo")), true, "nothing removed: the record stays, and the build stays incremental");
    put("dist/runtime/gone.js");
    r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /removed from dist\/ the outputs of sources that are gone: runtime\/gone\.js/);
    assert.equal(existsSync(join(root, "dist", ".tsbuildinfo")), false);
    assert.equal(existsSync(join(root, "dist", "runtime", "kept.js")), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
