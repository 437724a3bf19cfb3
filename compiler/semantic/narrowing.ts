/**
 * Flow narrowing of optional values. A fact says "on this path, the value at
 * this place has this (narrower) type": after `if x != none`, `x` is `T`,
 * not `T?`. Places are variables and field chains over them (`m.date`,
 * `state.last`), named by a path key (`#12.date`, where 12 is a symbol id).
 *
 * Facts are immutable maps; a branch makes a new one. Where two paths meet,
 * only the facts both agree on survive. Assigning to a place drops the facts
 * about it and everything under it; a call to a `fn` (which may write state)
 * drops the facts about `state`.
 */
import type { Expr, Stmt, Block } from "../syntax/ast.js";
import type { Ctx } from "./context.js";
import { typeEquals, type Type } from "./types.js";

export type Facts = ReadonlyMap<string, Type>;

/** The path key of a place expression, or undefined when it is not a place. */
export function pathKey(ctx: Ctx, e: Expr): string | undefined {
  if (e.kind === "Ident") {
    const sym = ctx.model.symbols.get(e) ?? ctx.scope.lookup(e.name);
    if (!sym || sym.kind === "fn" || sym.kind === "function" || sym.kind === "type") return undefined;
    return `#${sym.id}`;
  }
  if (e.kind === "MemberExpr") {
    const base = pathKey(ctx, e.object);
    return base === undefined ? undefined : `${base}.${e.name.name}`;
  }
  return undefined;
}

export function withFact(facts: Facts, key: string, t: Type): Facts {
  const m = new Map(facts);
  m.set(key, t);
  return m;
}

/** The facts without those about `key` and the places under it. */
export function without(facts: Facts, key: string): Facts {
  let m: Map<string, Type> | undefined;
  for (const k of facts.keys()) {
    if (k === key || k.startsWith(key + ".")) {
      m ??= new Map(facts);
      m.delete(k);
    }
  }
  return m ?? facts;
}

/** The facts true on both paths. */
export function join(a: Facts, b: Facts): Facts {
  if (a === b) return a;
  const m = new Map<string, Type>();
  for (const [k, t] of a) {
    const u = b.get(k);
    if (u && typeEquals(t, u)) m.set(k, t);
  }
  return m;
}

/**
 * The places a loop body may assign to (by their keys, resolved from the
 * loop's scope) and whether it calls anything that may write state. Facts
 * about them cannot be trusted inside the loop, since a later iteration
 * follows an earlier one.
 */
export function assignedInBlock(ctx: Ctx, block: Block): { keys: string[]; callsFn: boolean } {
  const keys: string[] = [];
  let callsFn = false;
  const visitExpr = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case "CallExpr":
        if (e.callee.kind === "Ident") {
          const sym = ctx.scope.lookup(e.callee.name);
          if (sym?.kind === "fn") callsFn = true;
        }
        visitExpr(e.callee);
        e.args.forEach((a) => visitExpr(a.value));
        return;
      case "MemberExpr":
        return visitExpr(e.object);
      case "IndexExpr":
        visitExpr(e.object);
        return visitExpr(e.index);
      case "UnaryExpr":
        return visitExpr(e.operand);
      case "BinaryExpr":
        visitExpr(e.left);
        return visitExpr(e.right);
      case "ListLit":
        return e.elements.forEach(visitExpr);
      case "BraceLit":
        return e.entries.forEach((en) => (visitExpr(en.key), visitExpr(en.value)));
      case "StringLit":
        return e.parts.forEach((p) => (p.kind === "StringText" ? undefined : visitExpr(p)));
      default:
        return;
    }
  };
  const visitStmt = (s: Stmt): void => {
    switch (s.kind) {
      case "AssignStmt": {
        const k = pathKey(ctx, s.target);
        if (k) keys.push(k);
        visitExpr(s.target);
        return visitExpr(s.value);
      }
      case "LetStmt":
        return visitExpr(s.init);
      case "IfStmt":
        visitExpr(s.cond);
        visitBlock(s.then);
        if (s.else) s.else.kind === "Block" ? visitBlock(s.else) : visitStmt(s.else);
        return;
      case "ForStmt":
        visitExpr(s.iterable);
        visitExpr(s.where);
        return visitBlock(s.body);
      case "ReturnStmt":
        return visitExpr(s.value);
      case "ExprStmt":
        return visitExpr(s.expr);
      default:
        return;
    }
  };
  const visitBlock = (b: Block): void => b.stmts.forEach(visitStmt);
  visitBlock(block);
  return { keys, callsFn };
}

/** Drops the facts about `state` (after a call to a `fn`, which may write it). */
export function forgetState(ctx: Ctx): void {
  if (ctx.stateSymbol) ctx.facts = without(ctx.facts, `#${ctx.stateSymbol.id}`);
}
