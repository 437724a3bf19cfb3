/**
 * `thwonkc check --cost`: each trigger's worst-case gas and fan-out, the
 * formula over the rule's limits, the largest part of it and the
 * assumptions, as the verifier explains them (explainTrigger), per rule.
 *
 *     examples/trim140/trim140.thwonk: rule trim140
 *       message (line 9)
 *         gas     ≤ ...
 *
 * A rule with errors has no cost: the verifier runs only on rules without.
 */
import { createColors } from "picocolors";
import { explainTrigger, triggerCostJson, type RuleUnit } from "../../compiler/index.js";

function ruleName(u: RuleUnit): string {
  return u.check.model.ruleName ?? u.rule.fileName.replace(/^.*[\\/]/, "").replace(/\.thwonk$/, "");
}

export function renderCost(units: readonly RuleUnit[], opts: { color: boolean }): string {
  const c = createColors(opts.color);
  const out: string[] = [];
  for (const u of units) {
    out.push("");
    out.push(`${c.bold(u.rule.fileName)}: rule ${c.bold(ruleName(u))}`);
    if (!u.verify) {
      out.push("  no cost: the rule has errors (fix them first)");
      continue;
    }
    if (u.verify.triggers.length === 0) out.push("  no triggers");
    for (const t of u.verify.triggers) {
      const lines = explainTrigger(t);
      out.push(`  ${c.bold(lines[0] ?? t.name)}`);
      for (const l of lines.slice(1)) out.push(`  ${l}`);
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}

export interface RuleCostJson {
  file: string;
  rule: string;
  triggers: object[];
}

/** The `cost` array of `check --format json --cost`: one entry per rule without errors. */
export function costJson(units: readonly RuleUnit[]): RuleCostJson[] {
  return units.filter((u) => u.verify).map((u) => ({ file: u.rule.fileName, rule: ruleName(u), triggers: u.verify!.triggers.map(triggerCostJson) }));
}
