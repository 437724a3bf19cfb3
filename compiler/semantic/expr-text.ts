/**
 * What an expression says without its types: a short rendering for
 * messages, the text of a plain string literal, whether it is made only of
 * literals (what a state field may start as).
 */
import type { Expr } from "../syntax/ast.js";

/** A short rendering of an expression for messages: `m.date`, `members.get(...)`, or `this value`. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case "Ident":
      return e.name;
    case "MemberExpr":
      return `${exprText(e.object)}.${e.name.name}`;
    case "CallExpr":
      return `${exprText(e.callee)}(${e.args.length ? "..." : ""})`;
    case "IndexExpr":
      return `${exprText(e.object)}[...]`;
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
