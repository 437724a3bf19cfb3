/**
 * Reads the stdlib declaration (stdlib/index.ts) into checker types. The
 * declaration's type strings are parsed once with the compiler's own type
 * parser and cached; everything the checker knows about the stdlib — fields,
 * methods, functions, operators, iteration, conversions — comes from here.
 */
import type {
  FieldDecl,
  FunctionDecl,
  OperatorDecl,
  ParamDecl,
  StdlibDecl,
  TypeDeclSpec,
} from "../../stdlib/decl.js";
import { stdlib as defaultStdlib } from "../../stdlib/index.js";
import type { TypeNode } from "../syntax/ast.js";
import { parseTypeText } from "../syntax/parser.js";
import {
  errorType,
  optional,
  substitute,
  typeEquals,
  voidType,
  type NamedType,
  type RecordField,
  type Type,
} from "./types.js";

export interface SigParam {
  name: string;
  type: Type;
  optional: boolean;
  doc?: string;
}

/** A callable's parameters and result, with the type parameters of its receiver replaced. */
export interface Signature {
  name: string;
  params: SigParam[];
  returns: Type;
}

export interface ResolvedField {
  owner: string;
  name: string;
  decl: FieldDecl;
  type: Type;
}

export interface ResolvedMethod {
  owner: string;
  name: string;
  decl: FunctionDecl;
  sig: Signature;
  /** The exact receiver type the method requires (`join` on `List<string>`), if any. */
  receiver: Type | undefined;
}

export interface ResolvedOperator {
  decl: OperatorDecl;
  left: Type;
  right: Type;
  result: Type;
}

/** What `for x in value` (and `for k, v in value`) binds. */
export interface Iteration {
  element: Type;
  /** The value bound by the second variable of `for k, v in ...`, when the type has one. */
  value: Type | undefined;
}

export class StdlibTypes {
  /** Type strings of the declaration that did not parse or name unknown types (a bug in the stdlib). */
  readonly problems: string[] = [];
  private readonly cache = new Map<string, Type>();
  /** `type(text)` without type parameters, by text. */
  private readonly plainCache = new Map<string, Type>();
  // Resolved members, functions and operators. Types are never mutated, so a
  // result can be shared: it is the same, field for field, as a fresh one.
  // Keyed by the type's name for non-generic types (their arguments play no
  // part), by typeKey for generic ones (not cached when there is none).
  private readonly fieldCache = new Map<string, Map<string, ResolvedField | undefined>>();
  private readonly methodCache = new Map<string, Map<string, ResolvedMethod | undefined>>();
  private readonly functionCache = new Map<string, { decl: FunctionDecl; sig: Signature } | undefined>();
  private readonly operatorCache = new Map<string, ResolvedOperator[]>();
  private readonly acceptsCache = new Map<string, Type[]>();
  private readonly iterationCache = new Map<string, Iteration | undefined>();

  /** The declared types by name (a Map: looked up for nearly every type the checker meets). */
  private readonly types: Map<string, TypeDeclSpec>;

  constructor(readonly decl: StdlibDecl) {
    this.types = new Map(Object.entries(decl.types));
  }

  /** The key under which results for `t` are cached, or undefined when they are not. */
  private memberKey(t: NamedType): string | undefined {
    const params = this.typeDecl(t.name)?.typeParams;
    if (!params || params.length === 0) return t.name;
    return typeKey(t);
  }

  typeDecl(name: string): TypeDeclSpec | undefined {
    return this.types.get(name);
  }

  /** The number of type arguments a stdlib type takes. */
  arity(name: string): number {
    return this.typeDecl(name)?.typeParams?.length ?? 0;
  }

  /** A type string of the declaration; `typeParams` are the enclosing type's parameters. */
  type(text: string, typeParams: readonly string[] = []): Type {
    if (typeParams.length === 0) {
      const t = this.plainCache.get(text);
      if (t) return t;
    }
    const key = typeParams.join(",") + "|" + text;
    let t = this.cache.get(key);
    if (!t) {
      const node = parseTypeText(text);
      if (!node) {
        this.problems.push(`cannot parse type ${JSON.stringify(text)}`);
        t = errorType;
      } else {
        t = this.fromNode(node, typeParams, text);
      }
      this.cache.set(key, t);
    }
    if (typeParams.length === 0) this.plainCache.set(text, t);
    return t;
  }

  private fromNode(node: TypeNode, typeParams: readonly string[], text: string): Type {
    switch (node.kind) {
      case "ErrorType":
        this.problems.push(`cannot parse type ${JSON.stringify(text)}`);
        return errorType;
      case "RecordType": {
        const fields = new Map<string, RecordField>();
        for (const f of node.fields) fields.set(f.name.name, { name: f.name.name, type: this.fromNode(f.type, typeParams, text) });
        const r: Type = { kind: "record", fields };
        return node.optional ? optional(r) : r;
      }
      case "TypeRef": {
        const name = node.name.name;
        let t: Type;
        if (typeParams.includes(name) && node.args.length === 0) {
          t = { kind: "param", name };
        } else if (name === "void" && node.args.length === 0) {
          t = voidType;
        } else if (this.typeDecl(name) && this.arity(name) === node.args.length) {
          const n: NamedType = { kind: "named", name, args: node.args.map((a) => this.fromNode(a, typeParams, text)) };
          if (node.max?.kind === "IntLit") n.max = node.max.value;
          else if (node.max) this.problems.push(`a named max in ${JSON.stringify(text)}`);
          t = n;
        } else {
          this.problems.push(`unknown type ${JSON.stringify(name)} in ${JSON.stringify(text)}`);
          t = errorType;
        }
        return node.optional ? optional(t) : t;
      }
    }
  }

  /** The type parameters of `t`'s declaration bound to its arguments. */
  substitution(t: NamedType): Map<string, Type> {
    const m = new Map<string, Type>();
    const params = this.typeDecl(t.name)?.typeParams ?? [];
    params.forEach((p, i) => m.set(p, t.args[i] ?? errorType));
    return m;
  }

  private inType(t: NamedType, text: string): Type {
    const params = this.typeDecl(t.name)?.typeParams ?? [];
    return substitute(this.type(text, params), this.substitution(t));
  }

  field(t: NamedType, name: string): ResolvedField | undefined {
    return this.memo(this.fieldCache, t, name, this.resolveField);
  }

  /** A member of a stdlib type, resolved once per type (when it has a key) and name: types are never mutated. */
  private memo<R>(cache: Map<string, Map<string, R | undefined>>, t: NamedType, name: string, resolve: (t: NamedType, name: string) => R | undefined): R | undefined {
    const key = this.memberKey(t);
    if (key === undefined) return resolve.call(this, t, name);
    let byName = cache.get(key);
    if (!byName) cache.set(key, (byName = new Map()));
    if (byName.has(name)) return byName.get(name);
    const r = resolve.call(this, t, name);
    byName.set(name, r);
    return r;
  }

  private resolveField(t: NamedType, name: string): ResolvedField | undefined {
    const fields = this.typeDecl(t.name)?.fields;
    if (!fields || !Object.hasOwn(fields, name)) return undefined;
    const decl = fields[name]!;
    return { owner: t.name, name, decl, type: this.inType(t, decl.type) };
  }

  method(t: NamedType, name: string): ResolvedMethod | undefined {
    return this.memo(this.methodCache, t, name, this.resolveMethod);
  }

  private resolveMethod(t: NamedType, name: string): ResolvedMethod | undefined {
    const methods = this.typeDecl(t.name)?.methods;
    if (!methods || !Object.hasOwn(methods, name)) return undefined;
    let decl = methods[name]!;
    // A variant is reached by its alias only, for the receivers the method's own `receiver` leaves out.
    if (decl.alias !== undefined) return undefined;
    if (decl.receiver !== undefined && !typeEquals(this.type(decl.receiver), t, true)) {
      const variant = Object.entries(methods).find(([, d]) => d.alias === name);
      if (variant) {
        name = variant[0];
        decl = variant[1];
      }
    }
    const params = this.typeDecl(t.name)?.typeParams ?? [];
    const subst = this.substitution(t);
    const sig = this.signature(name, decl, params, subst);
    const receiver = decl.receiver !== undefined ? this.type(decl.receiver) : undefined;
    return { owner: t.name, name, decl, sig, receiver };
  }

  /** Names of the fields and methods of a type (for suggestions). */
  memberNames(name: string): string[] {
    const d = this.typeDecl(name);
    return [...Object.keys(d?.fields ?? {}), ...Object.entries(d?.methods ?? {}).filter(([, m]) => m.alias === undefined).map(([n]) => n)];
  }

  function(name: string): { decl: FunctionDecl; sig: Signature } | undefined {
    if (this.functionCache.has(name)) return this.functionCache.get(name);
    let r: { decl: FunctionDecl; sig: Signature } | undefined;
    if (Object.hasOwn(this.decl.functions, name)) {
      const decl = this.decl.functions[name]!;
      r = { decl, sig: this.signature(name, decl, [], new Map()) };
    }
    this.functionCache.set(name, r);
    return r;
  }

  signature(name: string, decl: FunctionDecl, typeParams: readonly string[], subst: ReadonlyMap<string, Type>): Signature {
    return {
      name,
      params: decl.params.map((p: ParamDecl) => {
        const sp: SigParam = { name: p.name, type: substitute(this.type(p.type, typeParams), subst), optional: p.optional === true };
        if (p.doc !== undefined) sp.doc = p.doc;
        return sp;
      }),
      returns: substitute(this.type(decl.returns, typeParams), subst),
    };
  }

  global(name: string): Type | undefined {
    return Object.hasOwn(this.decl.globals, name) ? this.type(this.decl.globals[name]!.type) : undefined;
  }

  /** What iterating a value of type `t` binds, or undefined when it cannot be iterated. */
  iteration(t: NamedType): Iteration | undefined {
    const key = this.memberKey(t);
    if (key === undefined) return this.resolveIteration(t);
    if (this.iterationCache.has(key)) return this.iterationCache.get(key);
    const r = this.resolveIteration(t);
    this.iterationCache.set(key, r);
    return r;
  }

  private resolveIteration(t: NamedType): Iteration | undefined {
    const d = this.typeDecl(t.name);
    if (!d?.iterates) return undefined;
    const element = this.inType(t, d.iterates);
    // `for k, v in x`: the second variable is what `x.get(k)` finds, when
    // `get` is declared to take exactly what iteration yields.
    const get = d.methods?.["get"];
    let value: Type | undefined;
    if (get && get.params.length === 1 && get.params[0]!.type === d.iterates) {
      const r = this.inType(t, get.returns);
      value = r.kind === "optional" ? r.inner : r;
    }
    return { element, value };
  }

  /** The types a value of `name` may be given as (`Recipients` accepts `Address`, ...). */
  acceptsFrom(name: string): Type[] {
    let r = this.acceptsCache.get(name);
    if (!r) {
      r = (this.typeDecl(name)?.acceptsFrom ?? []).map((s) => this.type(s));
      this.acceptsCache.set(name, r);
    }
    return r;
  }

  operators(op: string): ResolvedOperator[] {
    let r = this.operatorCache.get(op);
    if (!r) {
      r = this.decl.operators
        .filter((o) => o.op === op)
        .map((o) => ({ decl: o, left: this.type(o.left), right: this.type(o.right), result: this.type(o.result) }));
      this.operatorCache.set(op, r);
    }
    return r;
  }
}

/**
 * A string that is the same for two types exactly when they are equal field
 * for field (bounds included), or undefined for types holding records (not
 * cached: their fields carry declaration spans).
 */
function typeKey(t: Type): string | undefined {
  if (t.kind !== "named") return typeKeyOf(t);
  // A type's key never changes (types are never mutated): made once per type object.
  if (typeKeys.has(t)) return typeKeys.get(t);
  const k = typeKeyOf(t);
  typeKeys.set(t, k);
  return k;
}

const typeKeys = new WeakMap<NamedType, string | undefined>();

function typeKeyOf(t: Type): string | undefined {
  switch (t.kind) {
    case "named": {
      let k = t.name;
      if (t.max !== undefined) k += "#" + t.max;
      if (t.args.length) {
        const args: string[] = [];
        for (const a of t.args) {
          const ak = typeKey(a);
          if (ak === undefined) return undefined;
          args.push(ak);
        }
        k += "<" + args.join(",") + ">";
      }
      return k;
    }
    case "optional": {
      const k = typeKey(t.inner);
      return k === undefined ? undefined : k + "?";
    }
    case "param":
      return "$" + t.name;
    case "record":
      return undefined;
    default:
      return "!" + t.kind;
  }
}

const loaded = new WeakMap<StdlibDecl, StdlibTypes>();

/** The loaded declaration (parsed once per declaration object). */
export function loadStdlib(decl: StdlibDecl = defaultStdlib): StdlibTypes {
  let s = loaded.get(decl);
  if (!s) {
    s = new StdlibTypes(decl);
    loaded.set(decl, s);
  }
  return s;
}
