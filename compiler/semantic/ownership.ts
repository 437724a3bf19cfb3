/**
 * One name per collection (docs/language.md, "Collections have one name").
 * Lists and maps change in place, so a list reachable under two names could
 * grow through one while the verifier watches the other. A collection — or
 * a record holding one — may only flow into a new home (a `let`/`var`, a
 * state field, a record field, an element, a `fn`'s result) when it is
 * *owned* there:
 *  - a fresh value: a literal of owned parts, the result of a stdlib call
 *    that builds a new value (`split`, `keys`, `copy`, ...), a `fn`'s result;
 *  - or a local `let`/`var` moved: not used again afterwards, and not
 *    declared outside the loop the move is in.
 * Anything else (a state field, a parameter, a loop variable, an element)
 * must be copied with `.copy()`. The same rule serves TypeScript rules,
 * where arrays are references and copying on assignment is not an option.
 */
import { carriedAs, type FunctionDecl } from "../../stdlib/decl.js";
import { spanEnd, type Span } from "../diagnostics/diagnostic.js";
import { q } from "../diagnostics/catalog/define.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import { surfaceOf } from "../diagnostics/catalog/spelling.js";
import type { Expr } from "../syntax/ast.js";
import type { Ctx } from "./context.js";
import type { Symbol } from "./scope.js";
import { nonOptional, type Type } from "./types.js";
import { afterValue, exprText } from "./expr-text.js";

/** Whether values of `t` contain something that changes in place (a List or a Map, at any depth). */
export function holdsCollection(t: Type, depth = 0): boolean {
  if (depth > 16) return true;
  const base = nonOptional(t);
  if (base.kind === "named") {
    if (base.name === "List" || base.name === "Map") return true;
    return base.args.some((a) => holdsCollection(a, depth + 1));
  }
  if (base.kind === "record") {
    for (const f of base.fields.values()) if (holdsCollection(f.type, depth + 1)) return true;
  }
  return false;
}

/** Why `e` is not owned, or undefined when it is. */
type NotOwned = { e: Expr; why: "shared" } | { e: Expr; why: "inLoop"; sym: Symbol };

function notOwned(ctx: Ctx, e: Expr): NotOwned | undefined {
  const t = ctx.model.types.get(e);
  if (!t || t.kind === "error" || !holdsCollection(t)) return undefined;
  switch (e.kind) {
    case "ListLit":
      for (const x of e.elements) {
        const r = notOwned(ctx, x);
        if (r) return r;
      }
      return undefined;
    case "BraceLit":
      for (const en of e.entries) {
        const r = notOwned(ctx, en.key) ?? notOwned(ctx, en.value);
        if (r) return r;
      }
      return undefined;
    case "BinaryExpr":
      return e.op === "??" ? notOwned(ctx, e.left) ?? notOwned(ctx, e.right) : undefined;
    case "CallExpr": {
      const target = ctx.model.calls.get(e);
      if (!target || target.kind === "fn") return undefined; // a fn's result is owned (its `return`s are checked)
      return freshResult(target.decl, t) ? undefined : { e, why: "shared" };
    }
    case "Ident": {
      const sym = ctx.model.symbols.get(e);
      if (!sym || (sym.kind !== "let" && sym.kind !== "var")) return { e, why: "shared" };
      const declaredAt = ctx.loopDepthOf.get(sym.id) ?? 0;
      if (ctx.loopDepth > declaredAt) return { e, why: "inLoop", sym };
      return undefined; // a move: recorded by the caller
    }
    case "ErrorExpr":
      return undefined;
    default:
      // A state field, a record field, an element (`xs[i]`): shared with where it came from.
      return { e, why: "shared" };
  }
}

/**
 * Whether a stdlib call's result shares nothing mutable with its receiver:
 * one of its values (`first`, `get`) is that value itself; a new list of
 * them (`keys()`, `values()`, `take(n)`) holds the same elements; `copy()`
 * copies all the way down; anything else the call builds.
 */
function freshResult(decl: FunctionDecl, actual: Type): boolean {
  if (decl.deepCopy) return true;
  switch (carriedAs(decl)) {
    case "none":
      return true;
    case "parts": {
      const base = nonOptional(actual);
      return !(base.kind === "named" && base.args[0] !== undefined && holdsCollection(base.args[0]));
    }
    default:
      return false;
  }
}

/**
 * Checks that `value` may be stored into `into` (described for the message:
 * "`state.recent`", "the list"), and records a move of a local.
 */
export function checkOwnedFlow(ctx: Ctx, value: Expr, into: string): void {
  if (ctx.inTest) return;
  const r = notOwned(ctx, value);
  if (!r) {
    recordMoves(ctx, value, into);
    return;
  }
  const what = exprText(r.e);
  const t = ctx.model.types.get(r.e);
  const kind = describe(t);
  const base = t ? nonOptional(t) : undefined;
  const canCopy = t !== undefined && t.kind === "named";
  let copy = canCopy ? `${what}.copy()` : undefined;
  // An empty map is `{}` in .thwonk, `new Map()` in a `.ts` rule.
  if (t?.kind === "optional" && base?.kind === "named") copy = `(${what} ?? ${base.name === "Map" ? (surfaceOf(r.e.span.file) === "ts" ? "new Map()" : "{}") : "[]"}).copy()`;
  const fix = canCopy
    ? { fix: { description: `Store a copy: \`${what}.copy()\``, edits: [{ span: spanEnd(r.e.span), newText: afterValue(r.e, ".copy()") }] } }
    : {};
  const hint = r.why === "inLoop"
    ? `${q(what)} is declared outside this loop, so every iteration would store the same ${kind}.`
    : undefined;
  ctx.report(M.secondName, r.e.span, [what, kind, into, copy, hint], fix);
}

/** The locals moved by storing `value`: used again, they are refused (TW2111). */
function recordMoves(ctx: Ctx, value: Expr, into: string): void {
  const t = ctx.model.types.get(value);
  if (!t || !holdsCollection(t)) return;
  switch (value.kind) {
    case "Ident": {
      const sym = ctx.model.symbols.get(value);
      if (!sym || (sym.kind !== "let" && sym.kind !== "var")) return;
      // `[a, a]`: one list under two element names.
      if (ctx.moves.get(sym.id)?.span.start === value.span.start) return;
      if (ctx.moves.has(sym.id) && ctx.moves.get(sym.id)!.into === into && ctx.moves.get(sym.id)!.scope === ctx.scope) {
        ctx.report(M.usedAfterMove, value.span, [sym.name, into, ctx.moves.get(sym.id)!.span.line]);
        return;
      }
      ctx.moves.set(sym.id, { span: value.span, into, scope: ctx.scope });
      return;
    }
    case "ListLit":
      for (const x of value.elements) recordMoves(ctx, x, into);
      return;
    case "BraceLit":
      for (const en of value.entries) recordMoves(ctx, en.value, into);
      return;
    case "BinaryExpr":
      if (value.op === "??") {
        recordMoves(ctx, value.left, into);
        recordMoves(ctx, value.right, into);
      }
      return;
    default:
      return;
  }
}

/** A use of `sym` after it was moved is refused. */
export function checkNotMoved(ctx: Ctx, sym: Symbol, at: Span): void {
  const moved = ctx.moves.get(sym.id);
  if (!moved) return;
  ctx.report(M.usedAfterMove, at, [sym.name, moved.into, moved.span.line]);
}

/**
 * Assigning a new value to a moved variable makes it usable again — when
 * the assignment is in the block of the move, so it runs on every path the
 * move did. Moves are not tracked per path: one in a branch, or undone in
 * a branch, stands for the rest of the body.
 */
export function forgetMove(ctx: Ctx, sym: Symbol): void {
  if (ctx.moves.get(sym.id)?.scope === ctx.scope) ctx.moves.delete(sym.id);
}

function describe(t: Type | undefined): string {
  const base = t ? nonOptional(t) : undefined;
  if (base?.kind === "named" && base.name === "List") return "list";
  if (base?.kind === "named" && base.name === "Map") return "map";
  if (base?.kind === "record") return "record holding a collection";
  return "collection";
}
