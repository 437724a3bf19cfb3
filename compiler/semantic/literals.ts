/**
 * Literals whose type depends on where they stand: strings (which convert to
 * an Address, a time zone or an enumeration like SendFrom where one is
 * expected, and may interpolate `{expr}`), lists (`[]` takes its element type
 * from the context) and braces (a record when every key is a name, a map
 * when the keys are values, `{}` from the context).
 */
import type { BraceEntry, BraceLit, Expr, ListLit, StringLit } from "../syntax/ast.js";
import { q } from "../diagnostics/catalog/define.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import { isValidAddress } from "../../contract/values.js";
import { isKnownTimeZone, knownTimeZones } from "../../contract/zones.js";
import { assignable, literalTarget, sameType } from "./assign.js";
import type { Ctx } from "./context.js";
import { checkAgainst, checkExpr, fieldHint, interpolates, reportMismatch } from "./expressions.js";
import { closest, renameFix } from "./suggest.js";
import {
  errorType,
  isOptional,
  named,
  nonOptional,
  typeToString,
  type NamedType,
  type RecordField,
  type RecordType,
  type Type,
} from "./types.js";
import { exprText, plainString } from "./expr-text.js";
import { listWords } from "../diagnostics/catalog/define.js";

// ---------------------------------------------------------------- strings

export function checkString(ctx: Ctx, e: StringLit, expected: Type | undefined): Type {
  for (const p of e.parts) {
    if (p.kind === "StringText") continue;
    const t = checkExpr(ctx, p);
    if (t.kind === "error") continue;
    if (isOptional(t)) {
      ctx.report(M.maybeNone, p.span, [exprText(p), typeToString(t), "inside a string"]);
      continue;
    }
    if (!interpolates(ctx, t)) {
      let hint = fieldHint(ctx, p, t, (f) => interpolates(ctx, f));
      if (!hint && t.kind === "named") {
        const m = Object.entries(ctx.std.typeDecl(t.name)?.methods ?? {}).find(
          ([, d]) => d.returns === "string" && (!d.receiver || sameType(ctx.std.type(d.receiver), t)),
        );
        if (m) hint = `Call a method that makes text of it, such as ${q(`${exprText(p)}.${m[0]}(...)`)}.`;
      }
      ctx.report(M.notInterpolable, p.span, [typeToString(t), hint]);
    }
  }
  const text = plainString(e);
  if (e.address && text !== undefined) {
    if (!isValidAddress(text)) ctx.report(M.invalidAddress, e.span, [text]);
    return named("Address");
  }
  const string = STRING;
  if (text === undefined || !expected || assignable(ctx.std, string, expected)) return string;
  const target = literalTarget(ctx, expected);
  if (!target) return string;
  switch (target.kind) {
    case "address":
      if (!isValidAddress(text)) ctx.report(M.invalidAddress, e.span, [text]);
      break;
    case "timezone":
      if (!isKnownTimeZone(text)) {
        const best = closest(text, knownTimeZones());
        ctx.report(M.invalidTimeZone, e.span, [text, didYouMean(best) || undefined], renameFix(e.span, best, JSON.stringify(best)));
      }
      break;
    case "time":
      if (Number.isNaN(Date.parse(text))) ctx.report(M.typeMismatch, e.span, [typeToString(target.type), "string", undefined]);
      break;
    case "literals":
      if (!target.literals.includes(text)) {
        const best = closest(text, target.literals);
        ctx.report(
          M.invalidLiteral,
          e.span,
          [text, typeToString(target.type), listWords(target.literals.map((l) => JSON.stringify(l)), "or"), didYouMean(best) || undefined],
          renameFix(e.span, best, JSON.stringify(best)),
        );
      }
      break;
  }
  return target.type;
}

// ---------------------------------------------------------------- lists

/** The element type of a `List<T>` (or `List<T>?`), if `t` is one. */
function listElement(t: Type | undefined): Type | undefined {
  const b = t && nonOptional(t);
  return b?.kind === "named" && b.name === "List" ? b.args[0] : undefined;
}

export function checkList(ctx: Ctx, e: ListLit, expected: Type | undefined): Type {
  let elem = listElement(expected);
  if (!elem && expected && expected.kind !== "error") {
    // A type that accepts lists (`Recipients` accepts `List<Address>`, `List<Member>`): pick the one the elements fit.
    const candidates = (() => {
      const b = nonOptional(expected);
      return b.kind === "named" ? ctx.std.acceptsFrom(b.name).map(listElement).filter((x): x is Type => !!x) : [];
    })();
    if (candidates.length && e.elements.length) {
      const first = e.elements[0]!;
      if (plainString(first) !== undefined) elem = candidates.find((c) => literalTarget(ctx, c));
      if (!elem) {
        const t = checkExpr(ctx, first);
        elem = candidates.find((c) => assignable(ctx.std, t, c)) ?? t;
        for (const x of e.elements.slice(1)) checkAgainst(ctx, x, elem);
        return listOf(elem);
      }
    }
  }
  if (elem) {
    for (const x of e.elements) checkAgainst(ctx, x, elem);
    return listOf(elem);
  }
  if (e.elements.length === 0) {
    if (!expected) ctx.report(M.emptyNeedsType, e.span, ["[]"]);
    return expected ? listOf(errorType) : errorType;
  }
  const first = checkExpr(ctx, e.elements[0]!);
  if (first.kind === "none") {
    ctx.report(M.emptyNeedsType, e.span, ["[none, ...]"]);
    return errorType;
  }
  for (const x of e.elements.slice(1)) checkAgainst(ctx, x, first);
  return listOf(first);
}

function listOf(t: Type): NamedType {
  return named("List", [t]);
}

// ---------------------------------------------------------------- braces: records and maps

function mapTypes(t: Type | undefined): [Type, Type] | undefined {
  const b = t && nonOptional(t);
  return b?.kind === "named" && b.name === "Map" && b.args.length === 2 ? [b.args[0]!, b.args[1]!] : undefined;
}

export function checkBrace(ctx: Ctx, e: BraceLit, expected: Type | undefined): Type {
  const exp = expected && nonOptional(expected);
  const names = e.entries.filter((en) => en.key.kind === "Ident").length;
  const recordish = e.entries.length > 0 && names === e.entries.length;
  const mapish = names === 0;

  // A map where one is expected: the keys are values (a name is a variable).
  const asMap = mapTypes(exp) ?? (exp?.kind === "named" ? acceptedMap(ctx, exp, mapish) : undefined);
  if (asMap) {
    checkMapEntries(ctx, e.entries, asMap[0], asMap[1]);
    return mapTypes(exp) ? exp! : named("Map", asMap);
  }
  if (exp?.kind === "record" && (recordish || e.entries.length === 0)) {
    checkRecordEntries(ctx, e, exp.fields, typeToString(exp), true);
    return exp;
  }
  const spec = exp?.kind === "named" ? ctx.std.typeDecl(exp.name) : undefined;
  if (exp?.kind === "named" && ctx.inTest && (recordish || e.entries.length === 0) && spec?.fields && !spec.typeParams && !spec.iterates) {
    // In a test, a stdlib record (a Message, a Member) may be given in part; the rest takes defaults.
    const fields = new Map<string, RecordField>();
    for (const n of Object.keys(ctx.std.typeDecl(exp.name)!.fields!)) fields.set(n, { name: n, type: ctx.std.field(exp, n)!.type });
    checkRecordEntries(ctx, e, fields, typeToString(exp), false);
    return exp;
  }
  if (!recordish && !mapish) {
    ctx.report(M.mixedBrace, e.span, []);
    for (const en of e.entries) checkExpr(ctx, en.value);
    return errorType;
  }
  if (e.entries.length === 0) {
    if (!expected) ctx.report(M.emptyNeedsType, e.span, ["{}"]);
    return expected ? { kind: "record", fields: new Map() } : errorType;
  }
  if (recordish) {
    const fields = new Map<string, RecordField>();
    for (const en of e.entries) {
      const key = en.key as Extract<Expr, { kind: "Ident" }>;
      const t = checkExpr(ctx, en.value);
      if (fields.has(key.name)) {
        ctx.report(M.duplicateKey, key.span, [key.name]);
        continue;
      }
      fields.set(key.name, { name: key.name, type: t.kind === "void" ? errorType : t, span: key.span });
    }
    return { kind: "record", fields } satisfies RecordType;
  }
  const first = e.entries[0]!;
  const k = checkExpr(ctx, first.key);
  const v = checkExpr(ctx, first.value);
  checkMapEntries(ctx, e.entries.slice(1), k, v, [first]);
  return named("Map", [k, v]);
}

/** A Map type that `t` accepts (Headers accepts `Map<string, string>`), for a brace literal of values. */
function acceptedMap(ctx: Ctx, t: NamedType, mapish: boolean): [Type, Type] | undefined {
  if (!mapish) return undefined;
  for (const a of ctx.std.acceptsFrom(t.name)) {
    const m = mapTypes(a);
    if (m) return m;
  }
  return undefined;
}

function checkMapEntries(ctx: Ctx, entries: readonly BraceEntry[], k: Type, v: Type, seenEntries: BraceEntry[] = []): void {
  const seen = new Set<string>();
  const literalKey = (x: Expr): string | undefined =>
    x.kind === "IntLit" ? `i${x.value}` : plainString(x) !== undefined ? `s${plainString(x)}` : undefined;
  for (const en of seenEntries) {
    const lk = literalKey(en.key);
    if (lk) seen.add(lk);
  }
  for (const en of entries) {
    checkAgainst(ctx, en.key, k);
    checkAgainst(ctx, en.value, v);
    const lk = literalKey(en.key);
    if (lk !== undefined) {
      if (seen.has(lk)) ctx.report(M.duplicateKey, en.key.span, [exprText(en.key)]);
      seen.add(lk);
    }
  }
}

function checkRecordEntries(
  ctx: Ctx,
  e: BraceLit,
  fields: ReadonlyMap<string, RecordField>,
  typeName: string,
  complete: boolean,
): void {
  const given = new Set<string>();
  // A misspelt key is most likely one of the fields not written: those are suggested, and not reported missing too.
  const written = new Set(e.entries.flatMap((en) => (en.key.kind === "Ident" && fields.has(en.key.name) ? [en.key.name] : [])));
  for (const en of e.entries) {
    if (en.key.kind !== "Ident") {
      reportMismatch(ctx, en.key, checkExpr(ctx, en.key), named("string"));
      checkExpr(ctx, en.value);
      continue;
    }
    const key = en.key;
    const f = fields.get(key.name);
    if (!f) {
      const best = closest(key.name, [...fields.keys()].filter((k) => !written.has(k)));
      ctx.report(M.unknownMember, key.span, [typeName, key.name, didYouMean(best) || undefined], renameFix(key.span, best));
      if (best !== undefined) given.add(best);
      checkExpr(ctx, en.value);
      continue;
    }
    if (given.has(key.name)) {
      ctx.report(M.duplicateKey, key.span, [key.name]);
      checkExpr(ctx, en.value);
      continue;
    }
    given.add(key.name);
    const sym = ctx.fieldSymbols.get(f);
    if (sym) ctx.model.symbols.set(key, sym);
    checkAgainst(ctx, en.value, f.type);
  }
  if (!complete) return;
  const missing = [...fields.values()].filter((f) => !given.has(f.name) && f.type.kind !== "optional" && f.type.kind !== "error");
  if (missing.length) ctx.report(M.missingField, e.span, [typeName, listWords(missing.map((f) => f.name))]);
}

/** The type of strings (types are never mutated: one object serves). */
const STRING = named("string");
