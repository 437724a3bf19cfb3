/**
 * What an expression says without its types: a short rendering for
 * messages, the text of a plain string literal, whether it is made only of
 * literals (what a state field may start as).
 */
import type { Expr } from "../syntax/ast.js";

/** Past this many characters an operator's expression is `this value`: a message quotes it whole. */
const MAX_TEXT = 60;

/** A short rendering of an expression for messages: `m.date`, `members.get(...)`, `a + b`, or `this value`. */
export function exprText(e: Expr): string {
  const text = render(e);
  return (e.kind === "BinaryExpr" || e.kind === "UnaryExpr") && text.length > MAX_TEXT ? "this value" : text;
}

/** An operand as written inside a longer expression: an operator's own expression in parentheses, so the reading is the code's. */
function operand(e: Expr): string {
  const text = render(e);
  return e.kind === "BinaryExpr" || e.kind === "UnaryExpr" ? `(${text})` : text;
}

function render(e: Expr): string {
  switch (e.kind) {
    case "Ident":
      return e.name;
    case "MemberExpr":
      return `${operand(e.object)}.${e.name.name}`;
    case "CallExpr":
      return `${operand(e.callee)}(${e.args.length ? "..." : ""})`;
    case "IndexExpr":
      return `${operand(e.object)}[...]`;
    case "UnaryExpr":
      return e.op === "not" ? `not ${operand(e.operand)}` : `-${operand(e.operand)}`;
    case "BinaryExpr":
      return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
    case "ListLit":
      return e.elements.length ? "[...]" : "[]";
    case "BraceLit":
      return e.entries.length ? "{...}" : "{}";
    case "IntLit":
      return String(e.value);
    case "BoolLit":
      return String(e.value);
    case "NoneLit":
      return "none";
    case "DurationLit":
    case "TimeLit":
      return e.text;
    case "StringLit":
      return e.parts.every((p) => p.kind === "StringText")
        ? JSON.stringify(e.parts.map((p) => (p.kind === "StringText" ? p.value : "")).join(""))
        : '"..."';
    default:
      return "this value";
  }
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
