/**
 * What an expression says without its types: a short rendering for
 * messages, the text of a plain string literal, whether it is made only of
 * literals (what a state field may start as).
 */
import type { Expr } from "../syntax/ast.js";
import { spellingOf, surfaceOf, type DurationUnit, type Spelling } from "../diagnostics/catalog/spelling.js";

/** Past this many characters an operator's expression is `this value`: a message quotes it whole. */
const MAX_TEXT = 60;

/**
 * A short rendering of an expression for messages: `m.date`, `members.get(...)`, `a + b`, or `this value`,
 * with operators as its file writes them (`x != none` in a `.thwonk` file, `x !== undefined` in a `.ts` rule).
 */
export function exprText(e: Expr): string {
  const text = render(e, spellingOf(surfaceOf(e.span.file)));
  return (e.kind === "BinaryExpr" || e.kind === "UnaryExpr") && text.length > MAX_TEXT ? "this value" : text;
}

/** An operand as written inside a longer expression: an operator's own expression in parentheses, so the reading is the code's. */
function operand(e: Expr, s: Spelling): string {
  const text = render(e, s);
  return e.kind === "BinaryExpr" || e.kind === "UnaryExpr" ? `(${text})` : text;
}

function render(e: Expr, s: Spelling): string {
  switch (e.kind) {
    case "Ident":
      return e.written ?? e.name;
    case "MemberExpr":
      return `${operand(e.object, s)}.${e.name.written ?? e.name.name}`;
    case "CallExpr":
      // Arguments the source writes (a `.ts` rule's `s.codePoints()` is lowered with one it does not: `s.split("")`, at the callee).
      return `${operand(e.callee, s)}(${e.args.some((a) => a.span.start >= e.callee.span.end) ? "..." : ""})`;
    case "IndexExpr":
      return `${operand(e.object, s)}[...]`;
    case "UnaryExpr":
      return e.op === "not" ? s.not(operand(e.operand, s)) : `-${operand(e.operand, s)}`;
    case "BinaryExpr":
      return `${operand(e.left, s)} ${s.op(e.op)} ${operand(e.right, s)}`;
    case "ListLit":
      return e.elements.length ? "[...]" : "[]";
    case "BraceLit":
      return e.entries.length ? "{...}" : "{}";
    case "IntLit":
      return String(e.value);
    case "BoolLit":
      return String(e.value);
    case "NoneLit":
      return s.none;
    case "DurationLit": {
      const d = /^(\d+)(w|d|h|ms|m|s)$/.exec(e.text);
      return d ? s.duration(Number(d[1]), d[2] as DurationUnit) : e.text;
    }
    case "TimeLit":
      return s.time(e.text);
    case "StringLit":
      return e.parts.every((p) => p.kind === "StringText")
        ? JSON.stringify(e.parts.map((p) => (p.kind === "StringText" ? p.value : "")).join(""))
        : '"..."';
    default:
      return "this value";
  }
}

/**
 * What an edit inserted at the end of `e` writes to append `suffix` to its value (`.copy()`, `.truncate(20)`): a `.ts`
 * rule's shorthand property (`{ tags }`) is its field's name too, so the value is written out (`{ tags: tags.copy() }`).
 */
export function afterValue(e: Expr, suffix: string): string {
  return e.kind === "Ident" && e.shorthand ? `: ${e.written ?? e.name}${suffix}` : suffix;
}

/** The text of a string literal without interpolations, or undefined. */
export function plainString(e: Expr): string | undefined {
  if (e.kind !== "StringLit") return undefined;
  let s = "";
  for (const p of e.parts) {
    if (p.kind !== "StringText") return undefined;
    s += p.value;
  }
  return s;
}

/** A literal made only of literals (what a state field may start as). */
export function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case "IntLit":
    case "BoolLit":
    case "NoneLit":
    case "DurationLit":
    case "TimeLit":
      return true;
    case "StringLit":
      return plainString(e) !== undefined;
    case "UnaryExpr":
      return e.op === "-" && isConstant(e.operand);
    case "ListLit":
      return e.elements.every(isConstant);
    case "BraceLit":
      return e.entries.every((en) => (en.key.kind === "Ident" || isConstant(en.key)) && isConstant(en.value));
    case "ErrorExpr":
      return true;
    default:
      return false;
  }
}
