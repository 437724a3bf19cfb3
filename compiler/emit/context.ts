/**
 * What the emitter's parts share (emitter.ts and the files beside it): the
 * lines written so far with their source map, the function being written
 * (its temporaries, its indentation), the table of state bounds, and the
 * way back into expressions — which emitter.ts's Emitter provides.
 */
import type { SemanticModel, TriggerInfo } from "../semantic/model.js";
import { loadStdlib, type StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import type { ChargeContext } from "../verify/units.js";
import type { EmitOptions, SourceMapping } from "./emitter.js";

export function triggerKey(t: TriggerInfo): string {
  return t.kind === "on" ? t.event : `every ${t.schedule.text}`;
}

export class FunctionScope {
  temps = 0;
  newTemp(): string {
    return `__t${this.temps++}`;
  }
}

export abstract class EmitContext {
  readonly out: string[] = [];
  readonly map: SourceMapping[] = [];
  readonly std: StdlibTypes = loadStdlib();
  fn = new FunctionScope();
  indent = 0;
  /** Bounds descriptors (JSON) the state writes check against: `__SB[i]` in the code. */
  readonly boundsTable: string[] = [];

  constructor(
    readonly file: A.SourceFile,
    readonly model: SemanticModel,
    readonly options: EmitOptions = {},
  ) {}

  /** An expression's JavaScript. `expected` is the type the context wants (for string literals that are Addresses). */
  abstract expr(e: A.Expr, expected: Type | undefined): string;

  get c() {
    return this.std.decl.constructs;
  }

  /** What decides each node's charge (compiler/verify/units.ts), shared with the verifier. */
  get cx(): ChargeContext {
    return { model: this.model, std: this.std };
  }

  line(text: string, at?: { line: number; col: number }): void {
    this.out.push("  ".repeat(this.indent) + text);
    if (at) this.map.push([this.out.length, at.line, at.col]);
  }

  declareTemps(): void {
    if (this.fn.temps > 0) {
      this.line(`var ${Array.from({ length: this.fn.temps }, (_, i) => `__t${i}`).join(", ")};`);
    }
  }

  typeOf(e: A.Expr): Type | undefined {
    return this.model.types.get(e);
  }
}

export function isNamed(t: Type | undefined, name: string): boolean {
  return t?.kind === "named" && t.name === name;
}

export function listElement(t: Type | undefined): Type | undefined {
  return t?.kind === "named" && t.name === "List" ? t.args[0] : undefined;
}
