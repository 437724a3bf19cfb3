/**
 * Symbols and lexical scopes. A scope maps names to symbols and knows its
 * parent; lookups walk outward. Type names live in their own namespace
 * (`Binder.types`), so a value and a type may share a name.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { Node } from "../syntax/ast.js";
import type { Type } from "./types.js";

export type SymbolKind =
  /** `let x = ...` */
  | "let"
  /** `var x = ...` */
  | "var"
  /** a parameter of a `fn` or a trigger (`on message(m)`) */
  | "param"
  /** a variable of a `for` loop */
  | "for"
  /** a `fn` declaration */
  | "fn"
  /** a `type` declaration */
  | "type"
  /** a field of the rule's `state { }` block */
  | "state"
  /** a field of a declared record type */
  | "field"
  /** a stdlib global value (`members`, `now`, ...) */
  | "global"
  /** a stdlib function (`send`, `reject`, ...) */
  | "function"
  /** a trigger's event, in tests (`message = {...}`) */
  | "trigger"
  /** a `const` declaration */
  | "const"
  /** `limits`, read in code as `limits.members` */
  | "limits";

export interface Symbol {
  id: number;
  kind: SymbolKind;
  name: string;
  /** The declaring identifier's span; undefined for stdlib symbols. */
  span: Span | undefined;
  type: Type;
  /** The declaring node, if any. */
  node?: Node;
  /** Read at least once. */
  used: boolean;
  /** Documentation, for stdlib symbols (hover). */
  doc?: string;
}

let nextId = 1;

export function newSymbol(kind: SymbolKind, name: string, span: Span | undefined, type: Type, node?: Node, doc?: string): Symbol {
  // Made whole (no properties added later): the same fields, in the same order, one shape each.
  const id = nextId++;
  if (node) {
    return doc !== undefined
      ? { id, kind, name, span, type, used: false, node, doc }
      : { id, kind, name, span, type, used: false, node };
  }
  return doc !== undefined ? { id, kind, name, span, type, used: false, doc } : { id, kind, name, span, type, used: false };
}

export type ScopeKind = "global" | "file" | "fn" | "trigger" | "test" | "block" | "loop";

export class Scope {
  /** Made on the first declaration: most block scopes declare nothing. */
  private names: Map<string, Symbol> | undefined = undefined;

  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | undefined,
  ) {}

  lookup(name: string): Symbol | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const sym = s.names?.get(name);
      if (sym) return sym;
    }
    return undefined;
  }

  /** The symbol declared with this name in this very scope. */
  own(name: string): Symbol | undefined {
    return this.names?.get(name);
  }

  declare(sym: Symbol): void {
    (this.names ??= new Map()).set(sym.name, sym);
  }

  /** Every name visible from here (for suggestions). */
  visibleNames(): string[] {
    const out = new Set<string>();
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.names) for (const n of s.names.keys()) out.add(n);
    return [...out];
  }

  /** The symbols declared in this scope. */
  symbols(): Symbol[] {
    return this.names ? [...this.names.values()] : [];
  }

  /** The nearest enclosing scope of one of these kinds. */
  enclosing(...kinds: ScopeKind[]): Scope | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) if (kinds.includes(s.kind)) return s;
    return undefined;
  }
}
