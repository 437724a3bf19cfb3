/**
 * Attacks on scripts/prune-dist.js, which `npm run build` runs to remove from dist/ the outputs of sources that are
 * gone. It must never remove an output whose source is there when tsc runs (tsc -b is incremental: an output removed
 * while its source is unchanged is not written again, so the build would stay broken), and never anything outside
 * dist/.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../helpers/repo.js";

const { pruneDist } = (await import(pathToFileURL(join(repoRoot, "scripts", "prune-dist.js")).href)) as { pruneDist: (root: string) => string[] };

function put(root: string, p: string, text = ""): void {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), text);
}

/** The steps of `npm run build` up to and including `tsc -b`, as package.json has them. */
function buildSteps(): string[] {
  const script = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: { build: string } }).scripts.build;
  const steps = script.split(" && ");
  const tsc = steps.indexOf("tsc -b");
  assert.ok(tsc >= 0, `no "tsc -b" step in the build script: ${script}`);
  return steps.slice(0, tsc + 1);
}

test("a generated source whose file was removed (git clean) keeps its output: the build after still has it", () => {
  // A small copy of the project with the real build scripts and the real generated module (contract/prelude.generated.ts).
  const root = mkdtempSync(join(tmpdir(), "thwonk-prune-gen-"));
  try {
    for (const p of ["scripts/prune-dist.js", "scripts/prelude.js", "contract/prelude/library.js", "contract/prelude/driver.js"]) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      copyFileSync(join(repoRoot, p), join(root, p));
    }
    put(root, "package.json", JSON.stringify({ type: "module", private: true }));
    const tsconfig = JSON.parse(readFileSync(join(repoRoot, "tsconfig.json"), "utf8")) as {
      compilerOptions: { types: string[] };
      include: string[];
      exclude: string[];
    };
    // No node_modules here, so no @types/node; the module needs none.
    tsconfig.compilerOptions.types = [];
    tsconfig.include = ["contract/*.ts"];
    tsconfig.exclude = [];
    put(root, "tsconfig.json", JSON.stringify(tsconfig));
    put(root, "contract/prelude.ts", 'import { LIBRARY_TEXT } from "./prelude.generated.js";\nexport const size: number = LIBRARY_TEXT.length;\n');
    const env = { ...process.env, PATH: `${join(repoRoot, "node_modules", ".bin")}:${process.env.PATH}` };
    const build = (): void => {
      for (const step of buildSteps()) {
        try {
          execFileSync("sh", ["-c", step], { cwd: root, env, stdio: "pipe", encoding: "utf8" });
        } catch (err) {
          const e = err as { stdout?: string; stderr?: string };
          assert.fail(`${step} failed: ${e.stdout ?? ""}${e.stderr ?? ""}`);
        }
      }
    };
    build();
    assert.ok(existsSync(join(root, "dist/contract/prelude.generated.js")));
    // The generated source is not committed: `git clean -fX` removes it, and the next build makes it again.
    rmSync(join(root, "contract/prelude.generated.ts"));
    build();
    assert.ok(existsSync(join(root, "contract/prelude.generated.ts")));
    assert.ok(existsSync(join(root, "dist/contract/prelude.generated.js")), "the generated module's output was pruned and tsc -b did not write it again");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("links in dist/ are removed as links, never followed; nothing outside dist/ goes", () => {
  const root = mkdtempSync(join(tmpdir(), "thwonk-prune-links-"));
  const outside = mkdtempSync(join(tmpdir(), "thwonk-prune-outside-"));
  try {
    // Outside dist/: outputs of no source, which a walk through a link would take for stale outputs.
    put(outside, "gone.js");
    put(outside, "runtime/gone.js");
    put(root, "runtime/kept.ts");
    put(root, "dist/runtime/kept.js");
    // A link to a folder outside (not walked), a link named like an output of a gone source (the link goes, not its
    // target), and a link named like the output of a source that is there (stays).
    symlinkSync(outside, join(root, "dist/linked"));
    symlinkSync(join(outside, "gone.js"), join(root, "dist/runtime/gone.js"));
    symlinkSync(join(outside, "gone.js"), join(root, "dist/runtime/kept.js.map"));
    assert.deepEqual(pruneDist(root), ["runtime/gone.js"]);
    assert.ok(existsSync(join(outside, "gone.js")));
    assert.ok(existsSync(join(outside, "runtime/gone.js")));
    assert.ok(existsSync(join(root, "dist/linked/gone.js")));
    assert.ok(existsSync(join(root, "dist/runtime/kept.js.map")));
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("only the top-level dist/chunks is the bundler's; files that are not outputs stay", () => {
  const root = mkdtempSync(join(tmpdir(), "thwonk-prune-deep-"));
  try {
    put(root, "test/chunks/kept.ts");
    put(root, "runtime/__proto__.ts");
    put(root, "runtime/x.js.ts");
    const outputs = [
      "dist/chunks/chunk-ABC.js",
      "dist/test/chunks/kept.js",
      "dist/test/chunks/gone.js",
      "dist/runtime/__proto__.js",
      "dist/runtime/x.js.js",
      "dist/runtime/x.js.js.map",
      "dist/runtime/x.js",
      "dist/runtime/data.json",
      "dist/runtime/README",
      "dist/runtime/types.d.ts",
      "dist/runtime/gone.mjs",
    ];
    for (const p of outputs) put(root, p);
    assert.deepEqual(pruneDist(root).sort(), ["runtime/x.js", "test/chunks/gone.js"]);
    assert.deepEqual(
      outputs.filter((p) => !existsSync(join(root, p))),
      ["dist/test/chunks/gone.js", "dist/runtime/x.js"],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
