/**
 * Conditions: `and`, `or`, `not`, `==` and `!=`, and what each proves on its
 * true and false branches about optional places (narrowing). `if`, `where`
 * and `and`/`or` chains use the facts; see narrowing.ts for how they are kept.
 */
import type { BinaryExpr, Expr } from "../syntax/ast.js";
import { q } from "../diagnostics/catalog/define.js";
import type { Spelling } from "../diagnostics/catalog/spelling.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import { sameType } from "./assign.js";
import type { Ctx } from "./context.js";
import { checkExpr, fieldHint } from "./expressions.js";
import { join, pathKey, withFact, type Facts } from "./narrowing.js";
import { isOptional, named, nonOptional, typeToString, type Type } from "./types.js";
import { exprText } from "./expr-text.js";

const BOOL = named("bool");

export interface Branches {
  /** The facts when the condition is true. */
  t: Facts;
  /** The facts when it is false. */
  f: Facts;
}

/** Checks a `bool` expression and returns what it proves on each branch. Leaves `ctx.facts` as it found it. */
export function condition(ctx: Ctx, e: Expr, notBool = M.conditionNotBool): Branches {
  const here = ctx.facts;
  if (e.kind === "BinaryExpr" && (e.op === "and" || e.op === "or")) {
    const l = condition(ctx, e.left, notBool);
    ctx.facts = e.op === "and" ? l.t : l.f;
    const r = condition(ctx, e.right, notBool);
    ctx.facts = here;
    ctx.model.types.set(e, BOOL);
    return e.op === "and" ? { t: r.t, f: join(l.f, r.f) } : { t: join(l.t, r.t), f: r.f };
  }
  if (e.kind === "UnaryExpr" && e.op === "not") {
    const c = condition(ctx, e.operand, notBool);
    ctx.model.types.set(e, BOOL);
    return { t: c.f, f: c.t };
  }
  if (e.kind === "BinaryExpr" && (e.op === "==" || e.op === "!=")) {
    const n = checkEquality(ctx, e);
    ctx.model.types.set(e, BOOL);
    if (!n) return { t: here, f: here };
    const narrowedFacts = withFact(here, n.key, n.type);
    // `x == none` proves x is set when false; `x == value` proves it when true.
    const provesWhenEqual = !n.byNone;
    const whenEqual = provesWhenEqual ? narrowedFacts : here;
    const whenDifferent = provesWhenEqual ? here : narrowedFacts;
    return e.op === "==" ? { t: whenEqual, f: whenDifferent } : { t: whenDifferent, f: whenEqual };
  }
  const t = checkExpr(ctx, e);
  if (t.kind !== "error" && !(t.kind === "named" && t.name === "bool")) {
    const hint = isOptional(t) ? (s: Spelling) => `To test whether it is set, write ${q(`${exprText(e)} ${s.ne} ${s.none}`)}.` : undefined;
    ctx.report(notBool, e.span, [typeToString(t), hint]);
  }
  return { t: here, f: here };
}

/** Checks a condition used as a value (`let b = x and y`): its facts do not outlive it. */
export function conditionAsValue(ctx: Ctx, e: Expr): void {
  const here = ctx.facts;
  condition(ctx, e);
  ctx.facts = here;
}

/** What an equality proves about an optional place: its key and its type without `?`. */
interface Narrowing {
  key: string;
  type: Type;
  /** Compared with `none` (proves "set" when unequal) rather than with a value (proves "set" when equal). */
  byNone: boolean;
}

/** Literals whose type comes from the other side of `==`. */
function contextual(e: Expr): boolean {
  return e.kind === "StringLit" || e.kind === "NoneLit" || e.kind === "ListLit" || e.kind === "BraceLit";
}

function checkEquality(ctx: Ctx, e: BinaryExpr): Narrowing | undefined {
  let l: Type;
  let r: Type;
  if (contextual(e.left) && !contextual(e.right)) {
    r = checkExpr(ctx, e.right);
    l = checkExpr(ctx, e.left, r);
  } else {
    l = checkExpr(ctx, e.left);
    r = checkExpr(ctx, e.right, l);
  }
  if (l.kind === "error" || r.kind === "error") return undefined;
  if (l.kind === "none" || r.kind === "none") {
    const [side, t] = l.kind === "none" ? [e.right, r] : [e.left, l];
    if (t.kind === "none") return undefined;
    if (t.kind !== "optional") {
      ctx.report(M.noneNeverEqual, e.span, [exprText(side), typeToString(t), e.op === "==" ? "false" : "true"]);
      return undefined;
    }
    const key = pathKey(ctx, side);
    return key === undefined ? undefined : { key, type: t.inner, byNone: true };
  }
  const L = nonOptional(l);
  const R = nonOptional(r);
  if (!sameType(L, R)) {
    const hint =
      fieldHint(ctx, e.left, L, (f) => sameType(nonOptional(f), R)) ??
      fieldHint(ctx, e.right, R, (f) => sameType(nonOptional(f), L));
    ctx.report(M.notComparable, e.span, [typeToString(l), typeToString(r), hint]);
    return undefined;
  }
  if (!equatable(ctx, L)) {
    const hint = L.kind === "record" || (L.kind === "named" && ctx.std.typeDecl(L.name)?.fields) ? "Compare their fields instead." : undefined;
    ctx.report(M.notComparable, e.span, [typeToString(l), typeToString(r), hint]);
    return undefined;
  }
  // `x == v` with x optional and v a value: when equal, x is set.
  for (const [side, t, other] of [[e.left, l, r], [e.right, r, l]] as const) {
    if (t.kind === "optional" && !isOptional(other)) {
      const key = pathKey(ctx, side);
      if (key !== undefined) return { key, type: t.inner, byNone: false };
    }
  }
  return undefined;
}

function equatable(ctx: Ctx, t: Type): boolean {
  return t.kind === "named" && ctx.std.typeDecl(t.name)?.equatable === true;
}
