/**
 * When a value of one type may stand where another is expected, and the
 * string literals that convert to a declared type (`"ann@example.org"` where
 * an Address is expected, `"sender"` where a SendFrom is). The rules come
 * from the stdlib declaration: `acceptsFrom`, `fromStringLiteral`, `literals`.
 */
import type { Expr, StringLit } from "../syntax/ast.js";
import type { Ctx } from "./context.js";
import { plainString } from "./expr-text.js";
import type { StdlibTypes } from "./stdlib-types.js";
import { nonOptional, typeEquals, type Type } from "./types.js";

/** The checker's type equality: an error type matches anything, so one mistake is reported once. */
export function sameType(a: Type, b: Type): boolean {
  return typeEquals(a, b, true);
}

/** May a value of type `src` be used where `dst` is expected? */
export function assignable(std: StdlibTypes, src: Type, dst: Type): boolean {
  if (src.kind === "error" || dst.kind === "error") return true;
  if (src.kind === "void" || dst.kind === "void") return false;
  if (dst.kind === "optional") {
    if (src.kind === "none") return true;
    return assignable(std, nonOptional(src), dst.inner);
  }
  if (src.kind === "optional" || src.kind === "none") return false;
  if (sameType(src, dst)) return true;
  if (dst.kind === "record" && src.kind === "record") {
    // A record fits when it has every field (optional ones may be missing) and no others.
    for (const [name, f] of dst.fields) {
      const g = src.fields.get(name);
      if (g ? !assignable(std, g.type, f.type) : f.type.kind !== "optional") return false;
    }
    for (const name of src.fields.keys()) if (!dst.fields.has(name)) return false;
    return true;
  }
  if (dst.kind === "named") {
    for (const t of std.acceptsFrom(dst.name)) if (sameType(src, t)) return true;
  }
  return false;
}

/** What a string literal converts to where `expected` is expected: the type, and how to validate the text. */
export interface LiteralTarget {
  type: Type;
  /** `address`, `time`, `timezone`, or `literals` (one of an enumeration). */
  kind: "address" | "time" | "timezone" | "literals";
  literals: readonly string[];
}

export function literalTarget(ctx: Ctx, expected: Type | undefined, depth = 0): LiteralTarget | undefined {
  if (!expected || depth > 3) return undefined;
  const t = nonOptional(expected);
  if (t.kind !== "named") return undefined;
  const d = ctx.std.typeDecl(t.name);
  if (!d) return undefined;
  if (d.fromStringLiteral) return { type: t, kind: d.fromStringLiteral, literals: [] };
  if (d.literals) return { type: t, kind: "literals", literals: d.literals };
  for (const a of ctx.std.acceptsFrom(t.name)) {
    const r = literalTarget(ctx, a, depth + 1);
    if (r) return r;
  }
  return undefined;
}

/**
 * The text a name always holds, when it is bound once to a string literal
 * and written with no type: `let f = "sender"` (a `.ts` rule's
 * `const f = "sender";`), a rule's `const F = "sender"`, or such a `let`
 * bound to another (`let g = f`). TypeScript gives such a name the literal
 * type `"sender"`, which fits where a union that has the text is expected;
 * the checker does the same for both front ends, where one of the stdlib's
 * enumerations is expected (`literalName`). A `var` (a `.ts` rule's `let`)
 * may change, so it is a `string`, as TypeScript widens it; so is a name
 * declared with a type (`let f: string = "sender"`).
 */
export function boundLiteral(ctx: Ctx, e: Expr): string | undefined {
  const lit = boundLiteralNode(ctx, e);
  return lit && plainString(lit);
}

/** The string literal a name is bound to (`boundLiteral`): where its text is written. */
export function boundLiteralNode(ctx: Ctx, e: Expr): StringLit | undefined {
  for (;;) {
    if (e.kind !== "Ident") return undefined;
    const sym = ctx.model.symbols.get(e);
    const node = sym?.node;
    if (sym?.kind === "const" && node?.kind === "ConstDecl" && !node.type) return plainString(node.value) !== undefined ? (node.value as StringLit) : undefined;
    if (sym?.kind !== "let" || node?.kind !== "LetStmt" || node.mutable || node.type) return undefined;
    if (plainString(node.init) !== undefined) return node.init as StringLit;
    // `let g = f`: the init was checked before `g` was declared, so the chain only goes back.
    e = node.init;
  }
}

/**
 * A name of a string literal (`boundLiteral`) where an enumeration that has
 * its text is expected: that type, as the literal written there would have
 * (`from: f` with `let f = "sender"` is a `SendFrom`); undefined otherwise.
 */
export function literalName(ctx: Ctx, e: Expr, found: Type, expected: Type): Type | undefined {
  if (found.kind !== "named" || found.name !== "string" || e.kind !== "Ident" || assignable(ctx.std, found, expected)) return undefined;
  const target = literalTarget(ctx, expected);
  if (target?.kind !== "literals") return undefined;
  const text = boundLiteral(ctx, e);
  return text !== undefined && target.literals.includes(text) ? target.type : undefined;
}
