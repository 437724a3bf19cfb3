/**
 * The bundled CLI keeps the runtime out of `check`: dist/thwonkc.mjs and
 * what `check` loads hold the compiler only; QuickJS and mailparser live in
 * chunks that only `run` and `test` import (scripts/bundle.js splits them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { repoRoot } from "../helpers/repo.js";

const entry = join(repoRoot, "dist", "thwonkc.mjs");

/** The files a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+)"/g)) staticClosure(resolve(dirname(file), m[1]!), seen);
  return seen;
}

function commandChunk(name: string): string {
  const m = new RegExp(`import\\("(\\./chunks/${name}-[^"]+\\.mjs)"\\)`).exec(readFileSync(entry, "utf8"));
  assert.ok(m, `dist/thwonkc.mjs imports the ${name} command lazily`);
  return resolve(dirname(entry), m[1]!);
}

/** QuickJS's FFI (`QTS_...` functions) or mailparser's charset decoding (libmime, iconv). */
const holdsRuntime = (files: Set<string>): boolean => [...files].some((f) => /\bQTS_\w+|libmime|iconv-lite/.test(readFileSync(f, "utf8")));

test("check loads no QuickJS and no mailparser; run and test do", () => {
  const check = staticClosure(commandChunk("check"), staticClosure(entry));
  assert.equal(holdsRuntime(check), false, [...check].join("\n"));
  const bytes = [...check].reduce((n, f) => n + readFileSync(f).length, 0);
  assert.ok(bytes < 800_000, `check loads ${bytes} bytes`);
  for (const cmd of ["run", "test"]) assert.equal(holdsRuntime(staticClosure(commandChunk(cmd))), true, cmd);
  for (const cmd of ["compile", "inspect"]) assert.equal(holdsRuntime(staticClosure(commandChunk(cmd))), false, cmd);
});
