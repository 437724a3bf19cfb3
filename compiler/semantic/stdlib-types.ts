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

  constructor(readonly decl: StdlibDecl) {}

  typeDecl(name: string): TypeDeclSpec | undefined {
    return Object.hasOwn(this.decl.types, name) ? this.decl.types[name] : undefined;
  }

  /** The number of type arguments a stdlib type takes. */
  arity(name: string): number {
    return this.typeDecl(name)?.typeParams?.length ?? 0;
  }

  /** A type string of the declaration; `typeParams` are the enclosing type's parameters. */
  type(text: string, typeParams: readonly string[] = []): Type {
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
          if (node.max) n.max = node.max.value;
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
    const fields = this.typeDecl(t.name)?.fields;
    if (!fields || !Object.hasOwn(fields, name)) return undefined;
    const decl = fields[name]!;
    return { owner: t.name, name, decl, type: this.inType(t, decl.type) };
  }

  method(t: NamedType, name: string): ResolvedMethod | undefined {
    const methods = this.typeDecl(t.name)?.methods;
    if (!methods || !Object.hasOwn(methods, name)) return undefined;
    const decl = methods[name]!;
    const params = this.typeDecl(t.name)?.typeParams ?? [];
    const subst = this.substitution(t);
    const sig = this.signature(name, decl, params, subst);
    const receiver = decl.receiver !== undefined ? this.type(decl.receiver) : undefined;
    return { owner: t.name, name, decl, sig, receiver };
  }

  /** Names of the fields and methods of a type (for suggestions). */
  memberNames(name: string): string[] {
    const d = this.typeDecl(name);
    return [...Object.keys(d?.fields ?? {}), ...Object.keys(d?.methods ?? {})];
  }

  function(name: string): { decl: FunctionDecl; sig: Signature } | undefined {
    if (!Object.hasOwn(this.decl.functions, name)) return undefined;
    const decl = this.decl.functions[name]!;
    return { decl, sig: this.signature(name, decl, [], new Map()) };
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
    return (this.typeDecl(name)?.acceptsFrom ?? []).map((s) => this.type(s));
  }

  operators(op: string): ResolvedOperator[] {
    return this.decl.operators
      .filter((o) => o.op === op)
      .map((o) => ({ decl: o, left: this.type(o.left), right: this.type(o.right), result: this.type(o.result) }));
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
