/**
 * Golden files of the verifier's explanations: for every example and for a
 * small program per construct (test/golden/cost/*.thwonk), the printed
 * formulas (`NAME.cost.txt`) and the cost JSON (`NAME.cost.json`) must stay
 * as they are. `THWONK_BLESS=1` rewrites them after a deliberate change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { checkSources } from "../../compiler/program.js";
import { explainTrigger, triggerCostJson } from "../../compiler/verify/index.js";
import { repoRoot } from "../helpers/repo.js";

const bless = process.env["THWONK_BLESS"] === "1";

interface Case {
  name: string;
  rule: string;
  goldenBase: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  const ex = join(repoRoot, "examples");
  for (const d of readdirSync(ex).sort()) {
    const rule = join(ex, d, `${d}.thwonk`);
    if (existsSync(rule)) out.push({ name: `example ${d}`, rule, goldenBase: join(repoRoot, "test", "golden", "cost", `example-${d}`) });
  }
  const dir = join(repoRoot, "test", "golden", "cost");
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith(".thwonk")) out.push({ name: f, rule: join(dir, f), goldenBase: join(dir, f.replace(/\.thwonk$/, "")) });
  }
  return out;
}

function compare(path: string, actual: string): void {
  if (bless || !existsSync(path)) {
    writeFileSync(path, actual);
    if (!bless) assert.fail(`${relative(repoRoot, path)} did not exist; it was written — review it and run again`);
    return;
  }
  assert.equal(actual, readFileSync(path, "utf8"), `${relative(repoRoot, path)} differs (THWONK_BLESS=1 re-blesses)`);
}

for (const c of cases()) {
  test(`cost: ${c.name}`, () => {
    const fileName = relative(repoRoot, c.rule);
    const r = checkSources([{ fileName, text: readFileSync(c.rule, "utf8") }]);
    const unit = r.units[0]!;
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    assert.ok(unit.verify, `not verified: ${errors.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n")}`);
    const text = unit.verify.triggers.map((t) => explainTrigger(t).join("\n")).join("\n\n") + "\n";
    compare(c.goldenBase + ".cost.txt", text);
    const json = JSON.stringify({
      diagnostics: r.diagnostics.map((d) => ({ line: d.span.line, column: d.span.col, code: d.code, severity: d.severity })),
      cost: unit.verify.triggers.map(triggerCostJson),
    }, null, 2) + "\n";
    compare(c.goldenBase + ".cost.json", json);
  });
}
