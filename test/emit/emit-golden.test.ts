/**
 * Golden files of the emitted code of every example (the rule's part, after
 * the shared prelude, with the driver, the code starts with): a change to
 * code generation shows as a diff.
 * `THWONK_BLESS=1` rewrites them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compileSource } from "../../compiler/emit/bundle.js";
import { DRIVER, PRELUDE, RULE_ENTRY } from "../../compiler/emit/prelude.js";
import { repoRoot } from "../helpers/repo.js";

const bless = process.env["THWONK_BLESS"] === "1";

for (const name of readdirSync(join(repoRoot, "examples")).sort()) {
  const file = join(repoRoot, "examples", name, `${name}.thwonk`);
  if (!existsSync(file)) continue;
  test(`emitted code: ${name}`, () => {
    const r = compileSource(relative(repoRoot, file), readFileSync(file, "utf8"));
    assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    const code = r.bundle.code.text;
    // The sandbox recognises the prelude at the very start (runtime/sandbox/bundle.ts).
    assert.ok(code.startsWith(PRELUDE), "the code starts with the prelude");
    const rulePart = code.slice(PRELUDE.length);
    // The driver is compiled once per context with the prelude: the rule's part only calls it, from its entry point.
    assert.ok(PRELUDE.includes(DRIVER), "the driver is in the prelude");
    assert.equal(rulePart.split("\n")[1], RULE_ENTRY, "the rule's part starts with its entry point");
    assert.ok(!rulePart.includes("const __drive"), "the rule's part has no driver of its own");
    const golden = join(repoRoot, "test", "golden", "emit", `${name}.js`);
    if (bless || !existsSync(golden)) {
      writeFileSync(golden, rulePart);
      if (!bless) assert.fail(`${relative(repoRoot, golden)} was written; review it and run again`);
      return;
    }
    assert.equal(rulePart, readFileSync(golden, "utf8"), `${relative(repoRoot, golden)} differs (THWONK_BLESS=1 re-blesses)`);
  });
}
