/**
 * What a host needs to show a traced run (`thwonkc run --trace`, coverage in
 * `thwonkc test`, the language server's run view) without knowing the
 * language: which lines hold statements, and how to show the value each
 * `let` recorded (the trace carries times and durations as numbers).
 */
import type { RuleUnit } from "./program.js";
import { forEachRuleStatement } from "./syntax/walk.js";

/** How to show a traced value: an instant, a duration (both as milliseconds), a string, or as it is. */
export type TraceValueKind = "time" | "duration" | "string" | "other";

export interface TraceDescription {
  /** The lines of the rule file that hold a statement of a trigger or fn (what coverage counts), ascending. */
  statementLines: number[];
  /** The kind of value each `let` records, by `"line:col"` of the `let` statement. */
  letValues: Map<string, TraceValueKind>;
}

export function describeTrace(unit: Pick<RuleUnit, "rule" | "check">): TraceDescription {
  const lines = new Set<number>();
  const letValues = new Map<string, TraceValueKind>();
  const types = unit.check.model.types;
  forEachRuleStatement(unit.rule, (s) => {
    lines.add(s.span.line);
    if (s.kind !== "LetStmt") return;
    const t = types.get(s.init);
    if (!t) return;
    const base = t.kind === "optional" ? t.inner : t;
    let kind: TraceValueKind = "other";
    if (base.kind === "named") {
      if (base.name === "Time") kind = "time";
      else if (base.name === "Duration") kind = "duration";
      else if (base.name === "string") kind = "string";
    }
    letValues.set(`${s.span.line}:${s.span.col}`, kind);
  });
  return { statementLines: [...lines].sort((a, b) => a - b), letValues };
}
