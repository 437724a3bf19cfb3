/**
 * Expressions: their JavaScript, with a charge that depends on sizes
 * placed where the node runs (on temporaries holding its evaluated
 * operands); fixed charges go with the statement. Calls are calls.ts's.
 */
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { nodeCharge } from "../verify/units.js";
import { atRun, call, operands, sizeExpr, stdCall } from "./calls.js";
import { isNamed, listElement, type EmitContext } from "./context.js";
import { PRELUDE_GETTERS } from "./prelude.js";
import { canonicalAddress, jsKey } from "./values.js";

const GETTERS = new Set(PRELUDE_GETTERS);

/** A constant or a limit read in code, written as its literal (constants.ts). */
function constLiteral(em: EmitContext, e: A.Expr): string | undefined {
  const c = em.model.constants.get(e);
  if (!c) return undefined;
  if (typeof c.value === "string") return JSON.stringify(isNamed(c.type, "Address") ? canonicalAddress(c.value) ?? c.value : c.value);
  return typeof c.value === "number" && c.value < 0 ? `(${c.value})` : String(c.value);
}

export function ident(em: EmitContext, e: A.Ident): string {
  const lit = constLiteral(em, e);
  if (lit !== undefined) return lit;
  const sym = em.model.symbols.get(e);
  if (!sym) return `$${e.name}`;
  if (sym.kind === "global") return sym.name === "state" ? "__st" : `__G_${sym.name}`;
  return `$${sym.name}`;
}

/** `expected` is the type the context wants (for string literals that are Addresses). */
export function expr(em: EmitContext, e: A.Expr, expected: Type | undefined): string {
  switch (e.kind) {
    case "Ident":
      return ident(em, e);
    case "IntLit":
      return String(e.value);
    case "BoolLit":
      return String(e.value);
    case "NoneLit":
      return "null";
    case "DurationLit":
    case "TimeLit":
      return String(e.ms);
    case "ErrorExpr":
      return "null";
    case "StringLit":
      return stringLit(em, e, expected);
    case "ListLit": {
      const elemType = listElement(em.typeOf(e) ?? expected);
      return `[${e.elements.map((x) => expr(em, x, elemType)).join(", ")}]`;
    }
    case "BraceLit":
      return braceLit(em, e, expected);
    case "MemberExpr":
      return member(em, e);
    case "CallExpr":
      return call(em, e);
    case "IndexExpr": {
      const target = em.model.indexes.get(e);
      if (target && target.kind === "method") return stdCall(em, target, e.object, [e.index], e);
      return `${expr(em, e.object, undefined)}[${expr(em, e.index, undefined)}]`;
    }
    case "UnaryExpr":
      return unary(em, e);
    case "BinaryExpr":
      return binary(em, e);
  }
}

export function stringLit(em: EmitContext, e: A.StringLit, expected: Type | undefined): string {
  const own = em.typeOf(e) ?? expected;
  const hasInterp = e.parts.some((p) => p.kind !== "StringText");
  if (!hasInterp) {
    const text = e.parts.map((p) => (p as A.StringText).value).join("");
    if (isNamed(own, "Address") || (isNamed(expected, "Address") && !isNamed(own, "string"))) return JSON.stringify(canonicalAddress(text) ?? text);
    return JSON.stringify(text);
  }
  const pieces = e.parts.map((p) => (p.kind === "StringText" ? JSON.stringify(p.value) : show(em, p)));
  const run = atRun(em, nodeCharge(e, em.cx));
  if (!run) return `(${pieces.join(" + ")})`;
  const t = em.fn.newTemp();
  return `(${t} = ${pieces.join(" + ")}, ${run.charge({ size: () => `${t}.length`, total: () => `${t}.length` })}, ${t})`;
}

/** A value as text inside a string. */
export function show(em: EmitContext, e: A.Expr): string {
  const t = em.typeOf(e);
  const inner = t?.kind === "optional" ? t.inner : t;
  const v = expr(em, e, undefined);
  const wrapOpt = (x: string): string => (t?.kind === "optional" ? `__showAny(${v})` : x);
  if (isNamed(inner, "Time")) return wrapOpt(`__showTime(${v})`);
  if (isNamed(inner, "Duration")) return wrapOpt(`__showDuration(${v})`);
  if (isNamed(inner, "string") || isNamed(inner, "Address")) return t?.kind === "optional" ? `__showAny(${v})` : v;
  return `String(${v})`;
}

export function braceLit(em: EmitContext, e: A.BraceLit, expected: Type | undefined): string {
  const t = em.typeOf(e) ?? expected;
  if (t?.kind === "named" && t.name === "Map") {
    const [kt, vt] = t.args;
    return `new Map([${e.entries.map((en) => `[${expr(em, en.key, kt)}, ${expr(em, en.value, vt)}]`).join(", ")}])`;
  }
  const fields = t?.kind === "record" ? t.fields : undefined;
  return `{ ${e.entries.map((en) => `${jsKey(en.key.kind === "Ident" ? en.key.name : "")}: ${expr(em, en.value, fields?.get(en.key.kind === "Ident" ? en.key.name : "")?.type)}`).join(", ")} }`;
}

export function member(em: EmitContext, e: A.MemberExpr): string {
  const lit = constLiteral(em, e);
  if (lit !== undefined) return lit;
  const target = em.model.members.get(e);
  if (target?.kind === "state") return `__st[${JSON.stringify(target.field.name)}]`;
  let obj = expr(em, e.object, undefined);
  const charge = atRun(em, nodeCharge(e, em.cx));
  let pre = "";
  if (charge) {
    const t = em.fn.newTemp();
    pre = `${t} = ${obj}, ${charge.charge({ size: (n) => (n === "self" ? sizeExpr(t, em.typeOf(e.object)) : "0"), total: (n) => (n === "self" ? `__total(${t})` : "0") })}, `;
    obj = t;
  }
  const read = target?.kind === "field" && GETTERS.has(`${target.owner}$${target.name}`) ? `G$${target.owner}$${target.name}(${obj})` : `${obj}.${e.name.name}`;
  return pre ? `(${pre}${read})` : read;
}

export function unary(em: EmitContext, e: A.UnaryExpr): string {
  const v = expr(em, e.operand, undefined);
  if (e.op === "not") return `!(${v})`;
  const c = nodeCharge(e, em.cx);
  if (!atRun(em, c)) return `(-${v})`;
  // `-x` is charged as `x - x`: the operand is evaluated once.
  const t = em.fn.newTemp();
  const ot = em.typeOf(e.operand);
  return `(${t} = ${v}, ${operands(em, c, t, t, ot, ot, (a) => `(-${a})`)})`;
}

export function binary(em: EmitContext, e: A.BinaryExpr): string {
  const at = `${e.span.line}, ${e.span.col}`;
  switch (e.op) {
    case "and":
      return `(${expr(em, e.left, undefined)} && ${expr(em, e.right, undefined)})`;
    case "or":
      return `(${expr(em, e.left, undefined)} || ${expr(em, e.right, undefined)})`;
    case "??": {
      const t = em.fn.newTemp();
      return `((${t} = ${expr(em, e.left, undefined)}) !== null ? ${t} : ${expr(em, e.right, em.typeOf(e))})`;
    }
    case "==":
    case "!=": {
      const lt = em.typeOf(e.left);
      const rt = em.typeOf(e.right);
      const op = e.op === "==" ? "===" : "!==";
      return operands(em, nodeCharge(e, em.cx), expr(em, e.left, rt), expr(em, e.right, lt), lt, rt, (a, b) => `(${a} ${op} ${b})`);
    }
    default: {
      // A Duration is whole milliseconds: its sums overflow past 2^53 like an int's (TW5011), never silently.
      const isInt = isNamed(em.typeOf(e), "int") || isNamed(em.typeOf(e), "Duration");
      const l = expr(em, e.left, undefined);
      const r = expr(em, e.right, undefined);
      // Time ± Duration stays within the calendar's years 0000–9999 (TW5011 beyond): a time past them cannot be saved.
      if (isNamed(em.typeOf(e), "Time")) return operands(em, nodeCharge(e, em.cx), l, r, em.typeOf(e.left), em.typeOf(e.right), (a, b) => `__ta(${a} ${e.op} ${b}, ${at})`);
      return operands(em, nodeCharge(e, em.cx), l, r, em.typeOf(e.left), em.typeOf(e.right), (a, b) => arith(em, e.op, a, b, isInt, at));
    }
  }
}

export function arith(_em: EmitContext, op: A.BinaryOp, l: string, r: string, isInt: boolean, at: string): string {
  if (isInt && op === "/") return `__idiv(${l}, ${r}, ${at})`;
  if (isInt && op === "%") return `__imod(${l}, ${r}, ${at})`;
  if (isInt && (op === "+" || op === "-" || op === "*")) return `__ia(${l} ${op} ${r}, ${at})`;
  return `(${l} ${op} ${r})`;
}
