/**
 * Expressions: names, literals, field access, operators and conditions (with
 * narrowing). Calls are in calls.ts, literals that take their meaning from
 * the expected type (`[...]`, `{...}`, strings) in literals.ts.
 *
 * Every function records the type of the expression it checks in the model
 * and returns it. An error type is returned after a diagnostic, and accepted
 * everywhere, so one mistake is reported once.
 */
import type { BinaryExpr, Expr, Ident, MemberExpr, UnaryExpr } from "../syntax/ast.js";
import { spanCover } from "../diagnostics/diagnostic.js";
import { q } from "../diagnostics/catalog/define.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import type { Spelling, Words } from "../diagnostics/catalog/spelling.js";
import { assignable, literalName, sameType } from "./assign.js";
import { checkCall } from "./calls.js";
import type { Ctx } from "./context.js";
import { checkBrace, checkList, checkString } from "./literals.js";
import { conditionAsValue } from "./conditions.js";
import { pathKey } from "./narrowing.js";
import type { ResolvedMethod } from "./stdlib-types.js";
import { closest, renameFix } from "./suggest.js";
import { addressHint, bindCallFix, literalsHint } from "./hints.js";
import {
  errorType,
  isOptional,
  named,
  noneType,
  nonOptional,
  optional,
  typeToString,
  type NamedType,
  type RecordType,
  type Type,
} from "./types.js";
import { exprText } from "./expr-text.js";
import { checkNotMoved } from "./ownership.js";
import { limitRead, limitsAlone, useConstant } from "./constants.js";

// Types are never mutated: literals share one object per type.
const BOOL = named("bool");
const INT = named("int");
const DURATION = named("Duration");
const TIME = named("Time");

/** Checks `e` and returns its type; `expected` lets literals take their meaning from the context. */
export function checkExpr(ctx: Ctx, e: Expr, expected?: Type): Type {
  let t = inner(ctx, e, expected);
  // A name bound once to a string literal has the literal's type where an enumeration is expected (assign.ts, boundLiteral).
  if (expected && e.kind === "Ident") t = literalName(ctx, e, t, expected) ?? t;
  ctx.model.types.set(e, t);
  return t;
}

function inner(ctx: Ctx, e: Expr, expected: Type | undefined): Type {
  // The most frequent kinds first (a switch on strings compares in order).
  switch (e.kind) {
    case "Ident":
      return checkIdent(ctx, e);
    case "MemberExpr":
      return checkMemberValue(ctx, e);
    case "BinaryExpr":
      return checkBinary(ctx, e, expected);
    case "IntLit":
      return INT;
    case "BoolLit":
      return BOOL;
    case "NoneLit":
      return noneType;
    case "DurationLit":
      return DURATION;
    case "TimeLit":
      return TIME;
    case "StringLit":
      return checkString(ctx, e, expected);
    case "ListLit":
      return checkList(ctx, e, expected);
    case "BraceLit":
      return checkBrace(ctx, e, expected);
    case "CallExpr": {
      const t = checkCall(ctx, e);
      if (t.kind === "void") {
        const target = ctx.model.calls.get(e);
        const name = target ? (target.kind === "fn" ? target.fn.name : target.name) : exprText(e.callee);
        ctx.report(M.noValue, e.span, [name]);
        return errorType;
      }
      return t;
    }
    case "IndexExpr":
      return checkIndex(ctx, e);
    case "UnaryExpr":
      return e.op === "not" ? (conditionAsValue(ctx, e), BOOL) : checkNegate(ctx, e);
    case "ErrorExpr":
      return errorType;
  }
}

// ---------------------------------------------------------------- checking against an expected type

/** Where a value goes, for the words of a mismatch. */
export interface Destination {
  /** `the argument \`to\` of \`send\``: reported with `argumentType`. */
  arg?: { param: string; fn: string };
}

/** Checks `e` where a value of type `expected` is needed, and reports a mismatch. */
export function checkAgainst(ctx: Ctx, e: Expr, expected: Type, dest: Destination = {}): Type {
  const t = checkExpr(ctx, e, expected);
  if (!assignable(ctx.std, t, expected)) reportMismatch(ctx, e, t, expected, dest);
  return t;
}

export function reportMismatch(ctx: Ctx, e: Expr, found: Type, expected: Type, dest: Destination = {}): void {
  if (found.kind !== "none" && isOptional(found) && assignable(ctx.std, nonOptional(found), expected)) {
    const use = dest.arg ? `as the argument ${q(dest.arg.param)} of ${q(dest.arg.fn)}` : (s: Spelling) => `as ${q(s.type(typeToString(expected)))}`;
    ctx.report(M.maybeNone, e.span, [exprText(e), typeToString(found), use]);
    return;
  }
  let hint: Words | undefined;
  if (found.kind === "none") hint = (s) => (s.surface === "ts" ? "Only a value of a `T | undefined` type can be undefined." : "Only a value of a `?` type can be none.");
  else hint = fieldHint(ctx, e, found, (f) => assignable(ctx.std, f, expected));
  if (!hint && expected.kind === "named" && expected.name === "string" && interpolates(ctx, found))
    hint = (s) => `Put it in a string: ${q(s.interpolate("", exprText(e), ""))}.`;
  const address = hint ? undefined : (addressHint(ctx, e, found, expected) ?? literalsHint(ctx, e, found, expected));
  if (address) hint = address.hint;
  const extras = address?.fix ? { fix: address.fix } : {};
  const exp = typeToString(expected);
  const fnd = typeToString(found);
  if (dest.arg) ctx.report(M.argumentType, e.span, [dest.arg.param, dest.arg.fn, exp, fnd, hint], extras);
  else ctx.report(M.typeMismatch, e.span, [exp, fnd, hint], extras);
}

/** "Did you mean `member.address`?" when a field of `t` would fit. */
export function fieldHint(ctx: Ctx, e: Expr, t: Type, fits: (field: Type) => boolean): string | undefined {
  const base = nonOptional(t);
  // Only for values made of parts (a Member, a Message, a record), not for text-like values.
  if (interpolates(ctx, base) || (e.kind !== "Ident" && e.kind !== "MemberExpr" && e.kind !== "CallExpr")) return undefined;
  let names: [string, Type][] = [];
  if (base.kind === "record") names = [...base.fields.values()].map((f) => [f.name, f.type]);
  else if (base.kind === "named") {
    const fields = ctx.std.typeDecl(base.name)?.fields ?? {};
    names = Object.keys(fields).map((n) => [n, ctx.std.field(base, n)!.type]);
  }
  const hit = names.find(([, ft]) => ft.kind !== "error" && fits(ft));
  return hit ? didYouMean(`${exprText(e)}.${hit[0]}`).trim() : undefined;
}

export function interpolates(ctx: Ctx, t: Type): boolean {
  return t.kind === "named" && ctx.std.typeDecl(t.name)?.interpolates === true;
}

// ---------------------------------------------------------------- names

/** What other languages call `none`. */
const NONE_ELSEWHERE = new Set(["null", "nil", "undefined", "None", "NULL", "Nothing"]);

function checkIdent(ctx: Ctx, e: Ident): Type {
  const sym = ctx.scope.lookup(e.name);
  if (!sym) {
    if (ctx.userTypes.has(e.name) || ctx.std.typeDecl(e.name)) {
      ctx.report(M.notAType, e.span, [e.name]);
      return errorType;
    }
    if (NONE_ELSEWHERE.has(e.name)) {
      ctx.report(M.noneWrittenOtherwise, e.span, [e.name], renameFix(e.span, "none"));
      return noneType;
    }
    const best = closest(e.name, ctx.scope.visibleNames());
    ctx.report(M.unknownName, e.span, [e.name, didYouMean(best) || undefined], renameFix(e.span, best));
    return errorType;
  }
  ctx.model.symbols.set(e, sym);
  sym.used = true;
  if (ctx.moves.size > 0) checkNotMoved(ctx, sym, e.span);
  if (sym.kind === "function" || sym.kind === "fn") {
    ctx.report(M.functionAsValue, e.span, [e.name]);
    return errorType;
  }
  if (sym.kind === "const") useConstant(ctx, e);
  else if (sym.kind === "limits") return limitsAlone(ctx, e);
  return narrowed(ctx, e, sym.type);
}

/** The type of a place after narrowing. */
function narrowed(ctx: Ctx, e: Expr, declared: Type): Type {
  if (!isOptional(declared)) return declared;
  const k = pathKey(ctx, e);
  return (k !== undefined && ctx.facts.get(k)) || declared;
}

// ---------------------------------------------------------------- fields and methods

export type MemberResolution =
  | { kind: "field"; type: Type }
  | { kind: "method"; method: ResolvedMethod; receiverType: NamedType }
  | { kind: "error" };

/** Resolves `obj.name`: a field (recorded in the model) or a method (for a call). */
export function resolveMember(ctx: Ctx, e: MemberExpr): MemberResolution {
  const limit = limitRead(ctx, e);
  if (limit) return limit.kind === "error" ? { kind: "error" } : { kind: "field", type: limit };
  let obj = checkExpr(ctx, e.object);
  const name = e.name.name;
  if (obj.kind === "error") return { kind: "error" };
  if (obj.kind === "none") {
    ctx.report(M.maybeNone, e.object.span, [exprText(e.object), "none", `to read ${q("." + name)}`]);
    return { kind: "error" };
  }
  if (obj.kind === "optional") {
    const fix = e.object.kind === "CallExpr" ? bindCallFix(ctx, e.object) : undefined;
    ctx.report(M.maybeNone, e.object.span, [exprText(e.object), typeToString(obj), `to read ${q("." + name)}`], fix ? { fix } : {});
    obj = obj.inner;
  }
  if (obj.kind === "record") return recordField(ctx, e, obj);
  if (obj.kind === "named") {
    const f = ctx.std.field(obj, name);
    if (f) {
      ctx.model.members.set(e, { kind: "field", owner: f.owner, name, decl: f.decl });
      if (f.decl.capability) ctx.useCapability(f.decl.capability, e.span);
      return { kind: "field", type: f.type };
    }
    const m = ctx.std.method(obj, name);
    if (m) return { kind: "method", method: m, receiverType: obj };
    const best = closest(name, ctx.std.memberNames(obj.name));
    ctx.report(M.unknownMember, e.name.span, [typeToString(obj), name, didYouMean(best) || undefined], renameFix(e.name.span, best));
    return { kind: "error" };
  }
  ctx.report(M.unknownMember, e.name.span, [typeToString(obj), name, undefined]);
  return { kind: "error" };
}

function recordField(ctx: Ctx, e: MemberExpr, rec: RecordType): MemberResolution {
  const name = e.name.name;
  const isState = rec === ctx.model.stateType;
  const f = rec.fields.get(name);
  if (!f) {
    const best = closest(name, rec.fields.keys());
    const hint = didYouMean(best);
    if (isState) {
      ctx.report(M.unknownMember, e.name.span, ["state", name, hint || ((s) => `Declare it in ${q(s.block("state", "..."))}.`)], renameFix(e.name.span, best));
    } else {
      ctx.report(M.unknownMember, e.name.span, [typeToString(rec), name, hint || undefined], renameFix(e.name.span, best));
    }
    return { kind: "error" };
  }
  if (isState) {
    const info = ctx.model.state.find((s) => s.name === name);
    if (info) {
      ctx.model.members.set(e, { kind: "state", field: info });
      ctx.model.symbols.set(e.name, info.symbol);
      info.symbol.used = true;
    }
  } else {
    ctx.model.members.set(e, { kind: "record", name, field: f });
    const sym = ctx.fieldSymbols.get(f);
    if (sym) {
      ctx.model.symbols.set(e.name, sym);
      sym.used = true;
    }
  }
  return { kind: "field", type: f.type };
}

function checkMemberValue(ctx: Ctx, e: MemberExpr): Type {
  const r = resolveMember(ctx, e);
  switch (r.kind) {
    case "error":
      return errorType;
    case "method": {
      const example = `${exprText(e)}(${r.method.sig.params.length ? "..." : ""})`;
      ctx.report(M.methodNotCalled, e.name.span, [e.name.name, typeToString(r.receiverType), example]);
      return errorType;
    }
    case "field":
      return narrowed(ctx, e, r.type);
  }
}

function checkIndex(ctx: Ctx, e: Extract<Expr, { kind: "IndexExpr" }>): Type {
  let obj = checkExpr(ctx, e.object);
  if (obj.kind === "error") {
    checkExpr(ctx, e.index);
    return errorType;
  }
  if (obj.kind === "optional") {
    ctx.report(M.maybeNone, e.object.span, [exprText(e.object), typeToString(obj), "with `[...]`"]);
    obj = obj.inner;
  }
  const get = obj.kind === "named" ? ctx.std.method(obj, "get") : undefined;
  if (get?.sig.params.length !== 1 || obj.kind !== "named") {
    ctx.report(M.notIndexable, e.object.span, [typeToString(obj)]);
    checkExpr(ctx, e.index);
    return errorType;
  }
  const p = get.sig.params[0]!;
  checkAgainst(ctx, e.index, p.type);
  ctx.model.indexes.set(e, { kind: "method", owner: get.owner, name: "get", decl: get.decl, sig: get.sig, receiverType: obj });
  return get.sig.returns;
}

// ---------------------------------------------------------------- operators

function checkNegate(ctx: Ctx, e: UnaryExpr): Type {
  const t = checkExpr(ctx, e.operand);
  if (t.kind === "error") return errorType;
  if (isOptional(t)) {
    ctx.report(M.maybeNone, e.operand.span, [exprText(e.operand), typeToString(t), "with `-`"]);
    return errorType;
  }
  // `-x` is `0 - x`: allowed where `T - T` is declared with result T.
  const op = ctx.std.operators("-").find((o) => sameType(o.left, t) && sameType(o.right, t) && sameType(o.result, t));
  if (!op) {
    ctx.report(M.unaryOperatorType, e.span, ["-", typeToString(t)]);
    return errorType;
  }
  ctx.model.operators.set(e, op.decl);
  return op.result;
}

function checkBinary(ctx: Ctx, e: BinaryExpr, expected: Type | undefined): Type {
  switch (e.op) {
    case "and":
    case "or":
    case "==":
    case "!=":
      conditionAsValue(ctx, e);
      return BOOL;
    case "??":
      return checkDefault(ctx, e, expected);
    default:
      return checkArithmetic(ctx, e);
  }
}

function checkArithmetic(ctx: Ctx, e: BinaryExpr): Type {
  const l = checkExpr(ctx, e.left);
  const r = checkExpr(ctx, e.right);
  if (l.kind === "error" || r.kind === "error") return errorType;
  // Left first: the first optional side is the one reported.
  if (isOptional(l)) {
    ctx.report(M.maybeNone, e.left.span, [exprText(e.left), typeToString(l), `with ${q(e.op)}`]);
    return errorType;
  }
  if (isOptional(r)) {
    ctx.report(M.maybeNone, e.right.span, [exprText(e.right), typeToString(r), `with ${q(e.op)}`]);
    return errorType;
  }
  for (const op of ctx.std.operators(e.op)) {
    if (sameType(op.left, l) && sameType(op.right, r)) {
      ctx.model.operators.set(e, op.decl);
      return op.result;
    }
  }
  let hint: Words | undefined;
  if (e.op === "+" && (isNamedAs(l, "string") || isNamedAs(r, "string")) && interpolates(ctx, l) && interpolates(ctx, r)) {
    const other = isNamedAs(l, "string") ? e.right : e.left;
    hint = (s) => `To put a value into text, use interpolation: ${q(s.interpolate("...", exprText(other), ""))}.`;
  } else {
    const accepted = ctx.std
      .operators(e.op)
      .map((o) => [typeToString(o.left), typeToString(o.right)] as const)
      .filter(([a, b], i, all) => all.findIndex(([x, y]) => x === a && y === b) === i);
    // In the file's words: `bool && bool`, `Text<80>` in a `.ts` rule.
    if (accepted.length) hint = (s) => `It is defined for ${accepted.map(([a, b]) => q(`${s.type(a)} ${s.op(e.op)} ${s.type(b)}`)).join(", ")}.`;
  }
  ctx.report(M.operatorTypes, e.opSpan, [e.op, typeToString(l), typeToString(r), hint]);
  return errorType;
}

function isNamedAs(t: Type, name: string): boolean {
  return t.kind === "named" && t.name === name;
}

function checkDefault(ctx: Ctx, e: BinaryExpr, expected: Type | undefined): Type {
  const l = checkExpr(ctx, e.left, expected && optional(expected));
  if (l.kind === "error") {
    checkExpr(ctx, e.right, expected);
    return errorType;
  }
  if (l.kind === "none") return checkExpr(ctx, e.right, expected);
  if (!isOptional(l)) {
    ctx.report(M.defaultNeverUsed, spanCover(e.opSpan, e.right.span), [typeToString(l)]);
  }
  const base = nonOptional(l);
  const r = checkExpr(ctx, e.right, base);
  if (assignable(ctx.std, r, base)) return base;
  if (assignable(ctx.std, r, optional(base))) return optional(base);
  reportMismatch(ctx, e.right, r, base);
  return base;
}
