/**
 * What a declared cost or bound reads (stdlib/cost-eval.ts) at a node of
 * the walk: the sizes of a call's receiver and arguments, of an
 * operator's operands, of a field's object, or sizes given by name — each
 * measured as the parameter's declared type has it (strings by length,
 * collections by count).
 */
import type { CostSizes } from "../../stdlib/cost-eval.js";
import type { CallTarget } from "../semantic/model.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { sizeFor, totalOf, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import type { AnalyzeHost } from "./walk.js";

/** The sizes of a call's receiver (`self`) and arguments, by parameter name. */
export class CallSizes implements CostSizes<Sym> {
  constructor(
    private readonly host: AnalyzeHost,
    private readonly target: Exclude<CallTarget, { kind: "fn" }>,
    private readonly receiver: Shape | undefined,
    private readonly args: Map<string, Shape>,
  ) {}

  size(name: string): Sym {
    const target = this.target;
    if (name === "self") return this.receiver ? sizeFor(this.receiver, target.kind === "method" ? receiverSizeType(target.receiverType) : undefined) : S.ZERO;
    const a = this.args.get(name);
    if (!a) return S.ZERO;
    for (const p of target.sig.params) if (p.name === name) return sizeFor(a, p.type);
    return sizeFor(a, undefined);
  }

  total(name: string): Sym {
    const a = name === "self" ? this.receiver : this.args.get(name);
    return a ? totalOf(a) : S.ZERO;
  }

  limit(name: string): Sym {
    return this.host.limit(name);
  }
}

/** The sizes of an operator's operands, `left` and `right` (their types read only when a size is). */
export class OperandSizes implements CostSizes<Sym> {
  constructor(
    private readonly host: AnalyzeHost,
    private readonly left: A.Expr,
    private readonly right: A.Expr,
    private readonly l: Shape,
    private readonly r: Shape,
  ) {}

  size(name: string): Sym {
    const types = this.host.model.types;
    return name === "left" ? sizeFor(this.l, types.get(this.left)) : sizeFor(this.r, types.get(this.right));
  }

  total(name: string): Sym {
    return name === "left" ? totalOf(this.l) : totalOf(this.r);
  }

  limit(name: string): Sym {
    return this.host.limit(name);
  }
}

/** A field's object (`self`): its size by its type, as a method's receiver. */
export class FieldSizes implements CostSizes<Sym> {
  constructor(
    private readonly host: AnalyzeHost,
    private readonly object: Shape,
    private readonly type: Type | undefined,
  ) {}

  size(name: string): Sym {
    return name === "self" ? sizeFor(this.object, this.type && receiverSizeType(this.type)) : S.ZERO;
  }

  total(name: string): Sym {
    return name === "self" ? totalOf(this.object) : S.ZERO;
  }

  limit(name: string): Sym {
    return this.host.limit(name);
  }
}

/** A literal's sizes are its count (nodeCharge carries it). */
export const NO_SIZES: CostSizes<Sym> = { size: () => S.ZERO, total: () => S.ZERO, limit: () => S.ZERO };

/** The length `==` reads of a string operand: a string-typed value without a string shape is none (length 0, as the run measures it). */
export function stringLength(s: Shape): Sym {
  return s.t === "str" ? s.len : S.ZERO;
}

/** Sizes given by name (a construct's `result`, `left`, `right`); both `size` and `total` read them. */
export class NamedSizes implements CostSizes<Sym> {
  constructor(
    private readonly host: AnalyzeHost,
    private readonly sizes: Record<string, Sym>,
  ) {}

  size(name: string): Sym {
    return this.sizes[name] ?? S.ZERO;
  }

  total(name: string): Sym {
    return this.sizes[name] ?? S.ZERO;
  }

  limit(name: string): Sym {
    return this.host.limit(name);
  }
}

/** The receiver type that decides what `size(self)` means: strings by length, collections by count. */
function receiverSizeType(t: Type): Type | undefined {
  return t.kind === "optional" ? t.inner : t;
}
