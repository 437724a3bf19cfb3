/**
 * The abstract values of the verifier: for each value, an upper bound of its
 * size (a string's length in UTF-16 code units, a collection's count, and
 * the shapes inside), and for addresses where they come from (members, the
 * sender, the owners, the list itself, anywhere) — the recipients policy.
 */
import type { FieldDecl, FunctionDecl, StdlibDecl } from "../../stdlib/decl.js";
import type { Expr } from "../syntax/ast.js";
import type { StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
import type { ConstValue } from "../semantic/model.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";

export type Origin = "members" | "owners" | "sender" | "list" | "any";

export type Shape =
  | { t: "scalar" }
  /** `chars`, when known, bounds the code points (a `truncate(n)`, a state `string max n`); otherwise `len` does. */
  | { t: "str"; len: Sym; origin?: ReadonlySet<Origin>; chars?: Sym }
  /** `total`, when known, bounds the summed sizes of the elements (the parts of a split string). */
  | { t: "list"; count: Sym; elem: Shape; origin?: ReadonlySet<Origin>; total?: Sym }
  | { t: "map"; count: Sym; key: Shape; value: Shape }
  | { t: "rec"; fields: ReadonlyMap<string, Shape>; origin?: ReadonlySet<Origin> };

export const SCALAR: Shape = { t: "scalar" };

export function str(len: Sym, origin?: ReadonlySet<Origin>): Shape {
  return origin ? { t: "str", len, origin } : { t: "str", len };
}

/** A bound of a string's characters (code points): each is at least one UTF-16 unit. */
export function charsOf(s: Extract<Shape, { t: "str" }>): Sym {
  return s.chars ? S.min(s.chars, s.len) : s.len;
}

export function originOf(s: Shape): ReadonlySet<Origin> | undefined {
  return s.t === "str" || s.t === "list" || s.t === "rec" ? s.origin : undefined;
}

export function withOrigin(s: Shape, origin: ReadonlySet<Origin> | undefined): Shape {
  if (!origin) return s;
  if (s.t === "str" || s.t === "list" || s.t === "rec") return { ...s, origin };
  return s;
}

function unionOrigin(a: ReadonlySet<Origin> | undefined, b: ReadonlySet<Origin> | undefined): ReadonlySet<Origin> | undefined {
  if (!a) return b;
  if (!b) return a;
  return new Set([...a, ...b]);
}

/** The least shape above both (branches meeting, elements of one list). */
export function join(a: Shape, b: Shape): Shape {
  if (a === b) return a;
  if (a.t === "str" && b.t === "str") {
    const j = str(S.max(a.len, b.len), unionOrigin(a.origin, b.origin));
    // Each side's own character bound (not min(chars, len): that would tie the two measures together in a loop).
    return a.chars || b.chars ? { ...j, chars: S.max(a.chars ?? a.len, b.chars ?? b.len) } as Shape : j;
  }
  if (a.t === "list" && b.t === "list") {
    const o = unionOrigin(a.origin, b.origin);
    const l: Shape = { t: "list", count: S.max(a.count, b.count), elem: join(a.elem, b.elem) };
    if (a.total && b.total) l.total = S.max(a.total, b.total);
    return o ? { ...l, origin: o } : l;
  }
  if (a.t === "map" && b.t === "map") {
    return { t: "map", count: S.max(a.count, b.count), key: join(a.key, b.key), value: join(a.value, b.value) };
  }
  if (a.t === "rec" && b.t === "rec") {
    const fields = new Map<string, Shape>();
    for (const [k, v] of a.fields) fields.set(k, b.fields.has(k) ? join(v, b.fields.get(k)!) : v);
    for (const [k, v] of b.fields) if (!fields.has(k)) fields.set(k, v);
    const o = unionOrigin(a.origin, b.origin);
    return o ? { t: "rec", fields, origin: o } : { t: "rec", fields };
  }
  // Different kinds only meet through `none` or an error already reported: keep the larger-looking one.
  return a.t === "scalar" ? b : a;
}

/** The size a cost expression's `size(...)` reads, by the parameter's declared type (see stdlib/decl.ts). */
export function sizeFor(s: Shape, paramType: Type | undefined): Sym {
  const isString = paramType?.kind === "named" && paramType.name === "string";
  if (s.t === "str") return isString ? s.len : S.ONE;
  if (s.t === "list" || s.t === "map") return s.count;
  return S.ONE;
}

/**
 * `total(...)` (stdlib/decl.ts): each element's (each map value's) weight
 * summed — a string's length, a collection's count plus its own total, a
 * record's fields' weights, 1 for anything else — as the prelude's `__total`
 * measures it at run time.
 */
export function totalOf(s: Shape): Sym {
  if (s.t === "list") {
    // A known sum of the elements (the parts of a split string, a literal's) is tighter than count × the largest;
    // it is kept only for elements without insides (a pushed list would add its own count too).
    if (s.total && (s.elem.t === "str" || s.elem.t === "scalar")) return s.total;
    return S.mul(s.count, weightOf(s.elem));
  }
  if (s.t === "map") return S.mul(s.count, weightOf(s.value));
  if (s.t === "rec") return weightOf(s);
  if (s.t === "str") return s.len;
  return S.ONE;
}

/** One value's part of a `total`: see totalOf. */
export function weightOf(s: Shape): Sym {
  switch (s.t) {
    case "str":
      return s.len;
    case "list":
    case "map":
      return S.add(s.count, totalOf(s));
    case "rec":
      return S.add(...[...s.fields.values()].map(weightOf));
    case "scalar":
      return S.ONE;
  }
}

/** The part of a receiver a result carries (stdlib/decl.ts `carries`); undefined when the receiver has none. */
export function carriedPart(receiver: Shape, carries: "self" | "elements" | "keys" | "values"): Shape | undefined {
  if (carries === "self") return receiver;
  if (receiver.t === "list") return carries === "elements" ? receiver.elem : undefined;
  if (receiver.t === "map") return carries === "values" ? receiver.value : receiver.key;
  return undefined;
}

/**
 * Whether a shape says how big a value of type `t` is. A scalar shape where
 * `t` has a size (a string, a collection, a record) says nothing: it is
 * what an empty literal's elements are, or a value the walk did not follow
 * (`[]` grown through another name), and is not taken as size 0.
 */
export function sized(s: Shape, t: Type): boolean {
  if (s.t !== "scalar") return true;
  const base = t.kind === "optional" ? t.inner : t;
  if (base.kind === "record") return base.fields.size === 0;
  if (base.kind !== "named") return true;
  return base.name !== "string" && base.name !== "List" && base.name !== "Map";
}

/** Where a value's bound comes from when it enters the rule (inputs, state). */
export interface InputBounds {
  /** The symbolic variable of a limit (its value is in env). */
  limit(name: string): Sym;
  /** Reports a value no declaration bounds; returns a placeholder. */
  unbounded(what: string): Sym;
}

/**
 * The shape of an incoming value of type `t` (a message field, a member,
 * a state field): sizes come from the field's declared bound, a `max` on the
 * type, or the type's intrinsic length.
 */
export function inputShape(
  t: Type,
  std: StdlibTypes,
  bounds: InputBounds,
  what: string,
  field?: FieldDecl,
  depth = 0,
): Shape {
  const declaredBound = (): Sym | undefined => {
    if (field?.bound !== undefined) return typeof field.bound === "number" ? S.num(field.bound) : bounds.limit(field.bound);
    // `string max N` counts characters; the runtime measures UTF-16 code units, at most two per character.
    if (t.kind === "named" && t.max !== undefined) return S.num(t.name === "string" ? 2 * t.max : t.max);
    return undefined;
  };
  if (t.kind === "optional") return inputShape(t.inner, std, bounds, what, field, depth);
  if (t.kind === "record") {
    const fields = new Map<string, Shape>();
    for (const [name, f] of t.fields) fields.set(name, inputShape(f.type, std, bounds, `${what}.${name}`, undefined, depth + 1));
    return { t: "rec", fields };
  }
  if (t.kind !== "named") return SCALAR;
  const spec = std.typeDecl(t.name);
  if (t.name === "List" || t.name === "Map") {
    const count = declaredBound() ?? bounds.unbounded(what);
    const first = inputShape(t.args[0] ?? { kind: "error" }, std, bounds, `${what}[]`, undefined, depth + 1);
    if (t.name === "List") return { t: "list", count, elem: first };
    const value = inputShape(t.args[1] ?? { kind: "error" }, std, bounds, `${what}[]`, undefined, depth + 1);
    return { t: "map", count, key: first, value };
  }
  if (t.name === "string") {
    const s = str(declaredBound() ?? bounds.unbounded(what));
    // `string max N`: N characters, whatever the units; what the runtime checks a state write against.
    return t.max !== undefined && s.t === "str" ? { ...s, chars: S.num(t.max) } : s;
  }
  if (spec?.maxLength !== undefined) return str(declaredBound() ?? S.num(spec.maxLength));
  if (spec?.iterates && depth < 4) {
    // A collection type of the stdlib (Members): its count is bounded by its declared bound.
    const elem = std.iteration({ kind: "named", name: t.name, args: t.args });
    const count = declaredBound() ?? bounds.unbounded(what);
    return { t: "list", count, elem: elem ? inputShape(elem.element, std, bounds, `${what}[]`, undefined, depth + 1) : SCALAR };
  }
  if (spec?.fields && depth < 4) {
    const fields = new Map<string, Shape>();
    for (const [name, f] of Object.entries(spec.fields)) {
      const ft = std.field({ kind: "named", name: t.name, args: t.args }, name)?.type;
      fields.set(name, inputShape(ft ?? { kind: "error" }, std, bounds, `${what}.${name}`, f, depth + 1));
    }
    return { t: "rec", fields };
  }
  return SCALAR;
}

/**
 * Methods and functions whose result is a string or a collection and whose
 * declaration does not bound it (its size, and its elements' when the call
 * makes them): the verifier would have to refuse every rule that calls them.
 * Used by a test, so a new declaration cannot forget its bounds.
 */
export function resultsWithoutBounds(decl: StdlibDecl): string[] {
  const out: string[] = [];
  const check = (where: string, f: FunctionDecl): void => {
    const ret = f.returns.replace(/\?$/, "");
    const isString = ret === "string";
    const isCollection = /^(List|Map)</.test(ret);
    if (!isString && !isCollection) return;
    if (f.carries === "self") return;
    if (f.resultSize === undefined) out.push(`${where}: no resultSize`);
    if (!isCollection || f.carries !== undefined) return;
    // Elements the call makes: strings need a length bound; other element types must be fixed-size.
    const elem = ret.slice(ret.indexOf("<") + 1, -1);
    if (elem === "string" && f.elementSize === undefined) out.push(`${where}: no elementSize`);
    else if (elem !== "string" && !(decl.types[elem]?.maxLength !== undefined || elem === "int" || elem === "bool")) out.push(`${where}: elements of ${elem} without a bound`);
  };
  for (const [t, spec] of Object.entries(decl.types)) for (const [m, f] of Object.entries(spec.methods ?? {})) check(`${t}.${m}`, f);
  for (const [name, f] of Object.entries(decl.functions)) check(name, f);
  return out;
}

/** The value of an int argument when the program writes it as a literal or a constant (`-3` is negative: 0); otherwise undefined. */
export function literalInt(e: Expr | undefined, constants?: ReadonlyMap<Expr, ConstValue>): number | undefined {
  if (!e) return undefined;
  if (e.kind === "IntLit") return e.value;
  const c = constants?.get(e);
  if (typeof c?.value === "number" && c.type.kind === "named" && c.type.name === "int") return Math.max(0, c.value);
  if (e.kind === "UnaryExpr" && e.op === "-" && e.operand.kind === "IntLit") return 0;
  return undefined;
}

/** Whether a stdlib declaration is complete enough for the verifier: used by a test. */
export function fieldsWithoutBounds(decl: StdlibDecl): string[] {
  const out: string[] = [];
  for (const [typeName, spec] of Object.entries(decl.types)) {
    for (const [name, f] of Object.entries(spec.fields ?? {})) {
      const base = f.type.replace(/\?$/, "");
      const needs = base === "string" || base.startsWith("List<") || base.startsWith("Map<");
      if (needs && f.bound === undefined) out.push(`${typeName}.${name}`);
    }
  }
  return out;
}

/** `a + b` on strings: the lengths add, and so do the characters. */
export function concat(a: Extract<Shape, { t: "str" }>, b: Extract<Shape, { t: "str" }>): Shape {
  const out = str(S.add(a.len, b.len));
  return a.chars || b.chars ? { ...out, chars: S.add(a.chars ?? a.len, b.chars ?? b.len) } as Shape : out;
}
