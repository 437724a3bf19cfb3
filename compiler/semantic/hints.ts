/**
 * Hints for the mistakes newcomers make, added to a type mismatch: a
 * `string` where an `Address` is wanted says how to convert it (and, for a
 * `let` of a literal, offers to declare it as an Address); a `string` where
 * an enumeration such as `SendFrom` is wanted lists its values.
 */
import type { Fix } from "../diagnostics/diagnostic.js";
import { spanEnd } from "../diagnostics/diagnostic.js";
import { q } from "../diagnostics/catalog/define.js";
import type { Expr, LetStmt } from "../syntax/ast.js";
import { assignable } from "./assign.js";
import type { Ctx } from "./context.js";
import { exprText } from "./expr-text.js";
import { named, nonOptional, type Type } from "./types.js";

/** For a `string` where an Address (or Recipients) is wanted: how to convert it, with a fix when one edit does it. */
export function addressHint(ctx: Ctx, e: Expr, found: Type, expected: Type): { hint: string; fix?: Fix } | undefined {
  const f = nonOptional(found);
  if (f.kind !== "named" || f.name !== "string" || !assignable(ctx.std, named("Address"), nonOptional(expected))) return undefined;
  if (e.kind === "Ident") {
    const sym = ctx.model.symbols.get(e);
    const decl = sym?.node as LetStmt | undefined;
    if (decl?.kind === "LetStmt" && !decl.type && decl.init.kind === "StringLit") {
      // A literal becomes an Address where one is expected: give the variable that type.
      const kw = decl.mutable ? "var" : "let";
      return {
        hint: `${q(e.name)} is a \`string\` because ${q(`${kw} ${e.name} = ...`)} says no type; a string literal is read as an address where one is expected, so declare it as one: ${q(`${kw} ${e.name}: Address = ${exprText(decl.init)}`)}.`,
        fix: { description: `Declare \`${e.name}\` as an \`Address\``, edits: [{ span: spanEnd(decl.name.span), newText: ": Address" }] },
      };
    }
  }
  const text = exprText(e);
  return {
    hint: `A string becomes an address by ${q(`address(${text})`)}, which is \`Address?\`: none when the text is not an address. Check it before use (\`let a = address(${text})\`, then \`if a != none { ... }\`) or give a default with \`??\`.`,
  };
}

/** For a `string` where a type of a few literal values is wanted (`SendFrom`): its values, and a fix for a `let` of one. */
export function literalsHint(ctx: Ctx, e: Expr, found: Type, expected: Type): { hint: string; fix?: Fix } | undefined {
  const f = nonOptional(found);
  const x = nonOptional(expected);
  if (f.kind !== "named" || f.name !== "string" || x.kind !== "named") return undefined;
  const literals = ctx.std.typeDecl(x.name)?.literals;
  if (!literals?.length) return undefined;
  const values = literals.map((l) => JSON.stringify(l));
  const list = values.length === 1 ? values[0]! : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
  const optional = expected.kind === "optional" ? " (or none, to leave it out)" : "";
  const head = `A ${q(x.name)} is one of ${list}${optional}, written as a literal where it is used, so that the checker knows which.`;
  if (e.kind === "Ident") {
    const decl = ctx.model.symbols.get(e)?.node as LetStmt | undefined;
    if (decl?.kind === "LetStmt" && !decl.type && decl.init.kind === "StringLit") {
      const kw = decl.mutable ? "var" : "let";
      return {
        hint: `${head} Declare ${q(e.name)} as one: ${q(`${kw} ${e.name}: ${x.name} = ${exprText(decl.init)}`)}.`,
        fix: { description: `Declare \`${e.name}\` as a \`${x.name}\``, edits: [{ span: spanEnd(decl.name.span), newText: `: ${x.name}` }] },
      };
    }
  }
  return { hint: `${head} To choose by a condition, write the call in an \`if\` with a literal in each branch.` };
}
