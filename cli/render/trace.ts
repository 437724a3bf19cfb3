/**
 * `thwonkc run --trace`: each step of the run, where (line:col), what (the
 * statement as written; the value a `let` got; which way an `if` went; a
 * loop's variables at each iteration, values in full), the gas used so far
 * and what the step cost (the gas since the step before).
 */
import type { createColors } from "picocolors";
import { groupDigits } from "../../contract/numbers.js";
import type { TraceValueKind } from "../../compiler/index.js";
import type { TraceStep } from "../../runtime/run/run-rule.js";
import { withoutComment } from "./source-line.js";

export interface TraceSource {
  /** The rule's source lines, to show each statement as written. */
  lines: string[];
  /** The kind of value of each `let` ("line:col" of the statement), to show times and durations as such. */
  letValues: Map<string, TraceValueKind>;
}

/** At most `max` code points, on one line. */
function clip(s: string, max: number): string {
  const one = s.replace(/\r\n|\r|\n/g, "⏎");
  const cps = Array.from(one);
  return cps.length <= max ? one : cps.slice(0, max - 1).join("") + "…";
}

/** The longest value shown: values are shown in full up to this (a member's record, a short list). */
const VALUE_MAX = 240;

/** One step's words. `show` puts a `let`'s value as the author would write it (times, durations, quoted strings). */
function stepText(s: TraceStep, info: TraceSource | undefined, show: (value: string, kind: TraceValueKind | undefined) => string): string {
  const key = `${s.line}:${s.column}`;
  if (/Stmt$/.test(s.what)) {
    const text = withoutComment(info?.lines[s.line - 1]?.slice(Math.max(0, s.column - 1)) ?? "").trim();
    return text ? clip(text, 60) : s.what.replace(/Stmt$/, "").toLowerCase();
  }
  if (s.what === "if") {
    return s.value === "true" ? "  → true: its block runs" : "  → false: its block is skipped";
  }
  if (s.what.startsWith("for ")) return `  → ${s.what.slice(4)} = ${clip(s.value, VALUE_MAX)}`;
  return `  → ${s.what} = ${clip(show(s.value, info?.letValues.get(key)), VALUE_MAX)}`;
}

export function renderTraceSteps(
  steps: readonly TraceStep[],
  info: TraceSource | undefined,
  show: (value: string, kind: TraceValueKind | undefined) => string,
  c: ReturnType<typeof createColors>,
): string[] {
  const out = [c.bold(`trace (${groupDigits(steps.length)} step${steps.length === 1 ? "" : "s"}; gas used so far, and since the step before)`)];
  const pos = steps.map((s) => `${s.line}:${s.column}`);
  const w = Math.max(0, ...pos.map((p) => p.length));
  const whats = steps.map((s) => stepText(s, info, show));
  // Long values (a member in full) are not padded to: the gas column stays where the short ones put it.
  const ww = Math.min(64, Math.max(0, ...whats.map((x) => Array.from(x).length)));
  steps.forEach((s, i) => {
    const pad = " ".repeat(Math.max(0, ww - Array.from(whats[i]!).length));
    const since = i === 0 ? s.gas : s.gas - steps[i - 1]!.gas;
    out.push(`  ${pos[i]!.padEnd(w)}  ${whats[i]!}${pad}  ${c.dim(`gas ${groupDigits(s.gas)}${since > 0 ? ` +${groupDigits(since)}` : ""}`)}`);
  });
  return out;
}
