/**
 * The checker's types. Every type the stdlib declares (bool, int, string,
 * Address, List<T>, Message, ...) is a `NamedType`; its fields, methods and
 * traits are looked up in the declaration (stdlib-types.ts), never here.
 * Records come from `type` declarations, record literals and the rule's
 * `state { }` block.
 */
import type { Span } from "../diagnostics/diagnostic.js";

/** A stdlib type, possibly generic: `int`, `List<Address>`, `Map<Address, Time>`. */
export interface NamedType {
  kind: "named";
  name: string;
  args: Type[];
  /** The declared bound (`string max 200`, `List<T> max 50`), when written. */
  max?: number;
}

export interface RecordField {
  name: string;
  type: Type;
  /** Where the field is declared (absent for inferred records). */
  span?: Span;
}

/** `{ name: string, count: int }`; `name` is the declared type's name, if any. */
export interface RecordType {
  kind: "record";
  name?: string;
  fields: Map<string, RecordField>;
}

/** `T?`: a value of T, or none. Never nested. */
export interface OptionalType {
  kind: "optional";
  inner: Type;
}

/** The type of the literal `none`. */
export interface NoneType {
  kind: "none";
}

/** What an action returns: nothing. */
export interface VoidType {
  kind: "void";
}

/** A type parameter of a stdlib generic (`T`, `K`, `V`); replaced before use. */
export interface ParamType {
  kind: "param";
  name: string;
}

/** Something already reported; accepted everywhere so one mistake gives one diagnostic. */
export interface ErrorType {
  kind: "error";
}

export type Type = NamedType | RecordType | OptionalType | NoneType | VoidType | ParamType | ErrorType;

export const errorType: ErrorType = { kind: "error" };
export const noneType: NoneType = { kind: "none" };
export const voidType: VoidType = { kind: "void" };

export function named(name: string, args: Type[] = []): NamedType {
  return { kind: "named", name, args };
}

/** `T?`; an optional type stays as it is. */
export function optional(t: Type): Type {
  if (t.kind === "optional" || t.kind === "error" || t.kind === "none") return t;
  return { kind: "optional", inner: t };
}

/** The type without its `?`. */
export function nonOptional(t: Type): Type {
  return t.kind === "optional" ? t.inner : t;
}

export function isOptional(t: Type): boolean {
  return t.kind === "optional" || t.kind === "none";
}

export function isError(t: Type): boolean {
  return t.kind === "error";
}

export function isNamed(t: Type, name: string): boolean {
  return t.kind === "named" && t.name === name;
}

/**
 * Structural equality, ignoring `max` bounds: the one type equality of the
 * compiler. `lenient` lets an error type match anything, so that one mistake
 * is reported once (the checker's comparisons); strict, an error type equals
 * only itself.
 */
export function typeEquals(a: Type, b: Type, lenient = false): boolean {
  if (a === b) return true;
  if (lenient && (a.kind === "error" || b.kind === "error")) return true;
  switch (a.kind) {
    case "named":
      return (
        b.kind === "named" &&
        a.name === b.name &&
        a.args.length === b.args.length &&
        a.args.every((x, i) => typeEquals(x, b.args[i]!, lenient))
      );
    case "record": {
      if (b.kind !== "record" || a.fields.size !== b.fields.size) return false;
      for (const [name, f] of a.fields) {
        const g = b.fields.get(name);
        if (!g || !typeEquals(f.type, g.type, lenient)) return false;
      }
      return true;
    }
    case "optional":
      return b.kind === "optional" && typeEquals(a.inner, b.inner, lenient);
    case "param":
      return b.kind === "param" && a.name === b.name;
    default:
      return a.kind === b.kind;
  }
}

/** Replaces type parameters (`T`, `K`, `V`) by the given types. */
export function substitute(t: Type, subst: ReadonlyMap<string, Type>): Type {
  if (subst.size === 0) return t;
  switch (t.kind) {
    case "param":
      return subst.get(t.name) ?? t;
    case "named": {
      const r: NamedType = { kind: "named", name: t.name, args: t.args.map((a) => substitute(a, subst)) };
      if (t.max !== undefined) r.max = t.max;
      return r;
    }
    case "optional":
      return optional(substitute(t.inner, subst));
    case "record": {
      const fields = new Map<string, RecordField>();
      for (const [k, f] of t.fields) fields.set(k, { ...f, type: substitute(f.type, subst) });
      const r: RecordType = { kind: "record", fields };
      if (t.name !== undefined) r.name = t.name;
      return r;
    }
    default:
      return t;
  }
}

/** How a type is written in .thwonk: `Map<Address, Time>`, `string?`, `{ a: int }`. */
export function typeToString(t: Type): string {
  switch (t.kind) {
    case "named": {
      const base = t.args.length ? `${t.name}<${t.args.map(typeToString).join(", ")}>` : t.name;
      return t.max !== undefined ? `${base} max ${t.max}` : base;
    }
    case "record":
      if (t.name) return t.name;
      return t.fields.size === 0
        ? "{}"
        : `{ ${[...t.fields.values()].map((f) => `${f.name}: ${typeToString(f.type)}`).join(", ")} }`;
    case "optional":
      return `${typeToString(t.inner)}?`;
    case "none":
      return "none";
    case "void":
      return "nothing";
    case "param":
      return t.name;
    case "error":
      return "?";
  }
}
