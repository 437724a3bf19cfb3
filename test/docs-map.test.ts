/**
 * docs/architecture.md's code map keeps up with the code: every folder that
 * holds source is named there (as `path/` or, under its parent's heading, as
 * `name/`), and every file at the top of the compiler core is named. A new
 * folder or core file without a line in the map fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { repoRoot, sourceFiles } from "./helpers/repo.js";

const doc = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
const ROOTS = ["compiler", "contract", "cli", "runtime", "stdlib", "lsp"];

test("every folder of source is in the architecture's code map", () => {
  const dirs = new Set<string>();
  for (const root of ROOTS) {
    for (const f of sourceFiles(join(repoRoot, root))) dirs.add(relative(repoRoot, dirname(f)).split("\\").join("/"));
  }
  assert.ok(dirs.size > 10);
  const missing = [...dirs].filter((d) => !doc.includes(`${d}/`) && !doc.includes(`\`${basename(d)}/\``)).sort();
  assert.deepEqual(missing, [], "add these folders to docs/architecture.md's code map");
});

test("every file at the top of the compiler core is in the code map", () => {
  const files = readdirSync(join(repoRoot, "compiler")).filter((f) => f.endsWith(".ts"));
  assert.ok(files.includes("index.ts"));
  const missing = files.filter((f) => !doc.includes(f));
  assert.deepEqual(missing, [], "add these files to docs/architecture.md's code map");
});
