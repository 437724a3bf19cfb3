/**
 * The element types `sort`, `sortBy` and `join` need, which a method's
 * signature cannot say (functions are not values, so there is no
 * comparator to pass): `sort()` on lists of values `<` orders, `sortBy`
 * with a literal naming a field of such a type, `join(sep)` on lists of
 * values that read as text in `{...}`; `contains` and `remove` on lists of
 * values `==` compares.
 */
import type { CallExpr } from "../syntax/ast.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import { listWords, q } from "../diagnostics/catalog/define.js";
import { surfaceOf, type Spelling } from "../diagnostics/catalog/spelling.js";
import type { Ctx } from "./context.js";
import type { Callee } from "./calls.js";
import { plainString } from "./expr-text.js";
import { closest } from "./suggest.js";
import { nonOptional, typeToString, type Type } from "./types.js";
import { TS_RENAMES } from "../../stdlib/dts.js";

/** A List method as the rule's file spells it: a `.ts` rule writes the stdlib's `sort` as `sorted` (stdlib/dts.ts). */
function spelled(file: string, name: string): string {
  if (surfaceOf(file) !== "ts") return name;
  return Object.entries(TS_RENAMES.List).find(([, r]) => r.stdlib === name)?.[0] ?? name;
}

/** What `sort()` and `sortBy` order by: `<` on numbers and on UTF-16 units (contract/prelude/library.js `__msort`). */
const SORTABLE = new Set(["int", "string", "Address", "Time", "Duration"]);
/** What `join` shows as `{x}` does (compiler/emit/expressions.ts `show`). */
const JOINABLE = new Set([...SORTABLE, "bool"]);

/** What `==` compares (conditions.ts), and so what `contains` and `remove` can find. */
const equatable = (ctx: Ctx, t: Type): boolean => t.kind === "named" && ctx.std.typeDecl(t.name)?.equatable === true;

const isNamedIn = (t: Type, names: ReadonlySet<string>): boolean => t.kind === "named" && t.args.length === 0 && names.has(t.name);

export function checkListMethod(ctx: Ctx, e: CallExpr, callee: Callee): void {
  const t = callee.target;
  if (t.kind !== "method" || t.owner !== "List") return;
  const list = t.receiverType.kind === "optional" ? t.receiverType.inner : t.receiverType;
  const elem = list.kind === "named" ? list.args[0] : undefined;
  if (!elem || elem.kind === "error" || elem.kind === "param") return;
  if (t.name === "sort" && !isNamedIn(elem, SORTABLE)) {
    const fields = fieldsOf(ctx, elem);
    const hint = fields
      ? `For a list of records, sort by one of their fields: \`${spelled(callee.nameSpan.file, "sortBy")}(${JSON.stringify(fields.find((f) => isNamedIn(f.type, SORTABLE))?.name ?? "field")})\`.`
      : elem.kind === "optional"
        ? (s: Spelling) =>
            `Its elements may be ${s.none}: keep only the values (${q(s.ifBlock(`x ${s.ne} ${s.none}`, s.surface === "ts" ? "xs.push(x);" : "xs.push(x)"))}) in a list of the plain type.`
        : "Build a list of one of those from the elements first.";
    ctx.report(M.notSortable, callee.nameSpan, [typeToString(elem), hint, spelled(callee.nameSpan.file, "sort")]);
  } else if (t.name === "sortBy") {
    checkSortBy(ctx, e, callee, elem);
  } else if (t.name === "joinValues" && !isNamedIn(elem, JOINABLE)) {
    ctx.report(M.notJoinable, callee.nameSpan, [typeToString(elem)]);
  } else if ((t.name === "contains" || t.name === "remove") && !equatable(ctx, nonOptional(elem))) {
    // The prelude compares with `===`: on lists, maps and records that is identity, which the language never shows.
    ctx.report(M.notFindable, callee.nameSpan, [t.name, typeToString(elem)]);
  }
}

function checkSortBy(ctx: Ctx, e: CallExpr, callee: Callee, elem: Type): void {
  const fields = fieldsOf(ctx, elem);
  if (!fields) {
    ctx.report(M.sortByNotRecords, callee.nameSpan, [typeToString(elem), spelled(callee.nameSpan.file, "sortBy"), spelled(callee.nameSpan.file, "sort")]);
    return;
  }
  const arg = e.args[0]?.value;
  if (!arg) return; // a missing argument is reported by checkArgs
  const names = listWords(fields.map((f) => f.name));
  const name = plainString(arg);
  if (name === undefined) {
    ctx.report(M.sortByFieldNotLiteral, arg.span, [listWords(fields.map((f) => f.name), "or")]);
    return;
  }
  const field = fields.find((f) => f.name === name);
  if (!field) {
    ctx.report(M.sortByUnknownField, arg.span, [name, typeToString(elem), names, didYouMean(closest(name, fields.map((f) => f.name))) || undefined]);
    return;
  }
  if (!isNamedIn(field.type, SORTABLE)) {
    const usable = fields.filter((f) => isNamedIn(f.type, SORTABLE)).map((f) => f.name);
    const hint = usable.length ? `Sort by ${listWords(usable, "or")} instead, or keep a sortable copy of this one in another field.` : "Add a field of one of those types to sort by.";
    ctx.report(M.sortByFieldNotOrdered, arg.span, [name, typeToString(field.type), hint]);
  }
}

/** The fields of a record type or of a stdlib type that has them (`Member`), or undefined for any other type. */
function fieldsOf(ctx: Ctx, t: Type): { name: string; type: Type }[] | undefined {
  if (t.kind === "record") return [...t.fields.values()].map((f) => ({ name: f.name, type: f.type }));
  if (t.kind !== "named") return undefined;
  const decl = ctx.std.typeDecl(t.name)?.fields;
  if (!decl || Object.keys(decl).length === 0 || ctx.std.typeDecl(t.name)?.methods) return undefined;
  return Object.keys(decl).flatMap((name) => {
    const f = ctx.std.field(t, name);
    return f ? [{ name, type: f.type }] : [];
  });
}
