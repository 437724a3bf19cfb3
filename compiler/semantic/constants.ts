/**
 * Constants (`const CAPACITY = 10`) and the limits read in code
 * (`limits.members`): names for values known when the rule is checked.
 * Each use is recorded in `model.constants` with its value, so the verifier
 * reads a known number (its bounds use the value, as for a literal) and the
 * emitter writes the literal. A limit read in code is the value the rule
 * declares (or the default): the number the bundle's manifest carries and
 * the runtime enforces, fixed at compile time.
 */
import type { ConstDecl, Expr, Ident, MemberExpr } from "../syntax/ast.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import { listWords } from "../diagnostics/catalog/define.js";
import type { Ctx } from "./context.js";
import { checkAgainst, checkExpr } from "./expressions.js";
import type { ConstValue } from "./model.js";
import { closest, renameFix } from "./suggest.js";
import { resolveTypeNode } from "./typenodes.js";
import { errorType, typeToString, type Type } from "./types.js";

const CONST_TYPES = ["int", "string", "Address", "bool", "Duration", "Time"];

/** The literal value of a constant's expression, or undefined when it is not a literal. */
function literalOf(e: Expr): number | string | boolean | undefined {
  switch (e.kind) {
    case "IntLit":
    case "BoolLit":
      return e.value;
    case "DurationLit":
    case "TimeLit":
      return e.ms;
    case "StringLit":
      return e.parts.every((p) => p.kind === "StringText") ? e.parts.map((p) => (p.kind === "StringText" ? p.value : "")).join("") : undefined;
    case "UnaryExpr":
      return e.op === "-" && e.operand.kind === "IntLit" ? -e.operand.value : undefined;
    case "BinaryExpr": {
      if (e.op !== "*") return undefined;
      const a = literalOf(e.left);
      const b = literalOf(e.right);
      return typeof a === "number" && typeof b === "number" && e.left.kind !== "DurationLit" && e.right.kind !== "DurationLit" ? a * b : undefined;
    }
    default:
      return undefined;
  }
}

/** Checks the rule's `const` declarations (bound by the binder), before types: a `max` may name one. */
export function checkConstants(ctx: Ctx, decls: readonly ConstDecl[]): void {
  for (const d of decls) {
    const sym = ctx.model.symbols.get(d.name);
    let t: Type = errorType;
    const value = literalOf(d.value);
    const written = d.type ? resolveTypeNode(ctx, d.type) : undefined;
    if (written && written.kind !== "error" && (written.kind !== "named" || !CONST_TYPES.includes(written.name) || written.max !== undefined)) {
      ctx.report(M.constType, d.type!.span, [typeToString(written)]);
      checkAgainst(ctx, d.value, written);
    } else if (value === undefined || (typeof value === "number" && !Number.isSafeInteger(value))) {
      if (d.value.kind !== "ErrorExpr") ctx.report(M.constNotLiteral, d.value.span, [d.name.name]);
      checkExpr(ctx, d.value);
    } else if (written) {
      const before = ctx.diagnostics.length;
      checkAgainst(ctx, d.value, written);
      if (ctx.diagnostics.length === before) t = written;
    } else {
      t = checkExpr(ctx, d.value);
    }
    if (!sym) continue; // a duplicate, reported by the binder
    sym.type = t;
    if (t.kind !== "error" && value !== undefined) ctx.model.consts.set(d.name.name, { name: d.name.name, decl: d, type: t, value });
  }
}

/** A use of a constant by name: its value, recorded for the verifier and the emitter. */
export function useConstant(ctx: Ctx, e: Ident): void {
  const c = ctx.model.consts.get(e.name);
  if (c) ctx.model.constants.set(e, { type: c.type, value: c.value });
}

/** The int constant a `max NAME` names, or undefined after reporting why not. */
export function maxConstant(ctx: Ctx, e: Ident): number | undefined {
  const sym = ctx.fileScope.own(e.name);
  const c = ctx.model.consts.get(e.name);
  if (sym?.kind === "const") {
    sym.used = true;
    ctx.model.symbols.set(e, sym);
  }
  if (!c) {
    if (sym?.kind !== "const" || sym.type.kind !== "error") {
      const hint = closest(e.name, [...ctx.model.consts.keys()]);
      ctx.report(M.maxNotConstant, e.span, [e.name, sym ? "is not a constant" : `is not declared${didYouMean(hint)}`.replace(/\?$/, "")]);
    }
    return undefined;
  }
  if (c.type.kind !== "named" || c.type.name !== "int") {
    ctx.report(M.maxNotConstant, e.span, [e.name, (s) => `is a ${s.type(typeToString(c.type))}`]);
    return undefined;
  }
  return c.value as number;
}

/** `limits.members` read in code: the limit's value, as an int; undefined when `e` is not a read of `limits`. */
export function limitRead(ctx: Ctx, e: MemberExpr): Type | undefined {
  if (e.object.kind !== "Ident") return undefined;
  const sym = ctx.scope.lookup(e.object.name);
  if (sym?.kind !== "limits") return undefined;
  sym.used = true;
  ctx.model.symbols.set(e.object, sym);
  const name = e.name.name;
  const info = ctx.model.limits.get(name);
  if (!info) {
    const known = [...ctx.model.limits.keys()];
    const best = closest(name, known);
    ctx.report(M.unknownLimit, e.name.span, [name, listWords(known), didYouMean(best) || undefined], renameFix(e.name.span, best));
    return errorType;
  }
  const t = sym.type.kind === "record" ? sym.type.fields.get(name)?.type ?? errorType : errorType;
  ctx.model.constants.set(e, { type: t, value: info.value });
  return t;
}

/** A `limits` named alone, not as `limits.members`. */
export function limitsAlone(ctx: Ctx, e: Ident): Type {
  ctx.report(M.limitsNotValue, e.span, ["limits.members"]);
  return errorType;
}

/** Constants declared and never used. */
export function checkUnusedConstants(ctx: Ctx, decls: readonly ConstDecl[]): void {
  for (const d of decls) {
    const sym = ctx.model.symbols.get(d.name);
    if (sym?.kind === "const" && !sym.used && !d.name.name.startsWith("_")) ctx.report(M.unusedConst, d.name.span, [d.name.name]);
  }
}

export type { ConstValue };
