/**
 * The emitter: a checked, verified rule → strict JavaScript for QuickJS,
 * instrumented with gas from the one cost table.
 *
 * Gas: each block charges, on entry, the static cost of its statements
 * (`statement` + operations, and every constant cost: int operators, field
 * reads, literals, calls whose cost does not depend on sizes); each loop
 * iteration charges `iteration` + its filter + its body's static cost; a
 * call whose cost depends on sizes is charged just before it runs, on its
 * actual arguments (the cost expression is compiled to JS from the same
 * table the verifier evaluated symbolically). The counter lives in the
 * sandbox; running out calls the host, which interrupts the run in a way
 * rule code cannot catch.
 *
 * Each statement goes on its own line, so the line-level source map in the
 * bundle points a runtime error at its .thwonk line and column.
 *
 * This file writes the bundle's frame (prelude with the driver, the rule's
 * entry point, state, fns and triggers, tests); the rest is beside it: what the parts share
 * (context.ts), statements (statements.ts), expressions (expressions.ts),
 * calls and charges (calls.ts), state and its bounds (state.ts) and tests
 * (tests.ts).
 */
import type { SemanticModel, TriggerInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { EmitContext, FunctionScope, triggerKey } from "./context.js";
import { expr } from "./expressions.js";
import { PRELUDE, RULE_ENTRY } from "./prelude.js";
import { emitState } from "./state.js";
import { blockBody } from "./statements.js";
import { emitTests } from "./tests.js";

export { triggerKey } from "./context.js";
export { boundsOf, descriptor, stateType, type Bounds } from "./state.js";

export interface EmitOptions {
  /**
   * Charge gas (default). `false` builds the same code without any gas
   * accounting, only to measure what the accounting costs (bench/run).
   */
  meter?: boolean;
  /** Record each statement's value and gas (thwonkc run --trace, test --coverage). */
  trace?: boolean;
  /**
   * Include the rule's tests (thwonkc test): each runs as trigger `test:N`.
   * `sourceOf` gives the text of a file, for quoting expectations in failures.
   */
  tests?: { sourceOf: (fileName: string) => string | undefined };
}

/** What `thwonkc test` needs to know about each emitted test, in order. */
export interface EmittedTest {
  name: string;
  file: string;
  line: number;
  /** The trigger it runs (`message`, `every day at 00:00`). */
  trigger: string | undefined;
  /** `message = "post.eml"`: the file the host must parse and pass in `emls` (the first run's). */
  eml: string | undefined;
  /** Every message file the test's runs read, in order. */
  emls: string[];
  /** The triggers of the runs after the first, whose gas bounds the host passes in `stepGas`. */
  stepTriggers: string[];
}

/** [generated line (1-based), .thwonk line, .thwonk column] */
export type SourceMapping = [number, number, number];

export interface EmitResult {
  code: string;
  sourceMap: SourceMapping[];
  /** The trigger names `__thwonk_run` accepts: `message`, `every day at 00:00`. */
  triggers: string[];
  /** With `tests`: the tests, run as `__thwonk_run("test:N", input)`. */
  tests: EmittedTest[];
}

export class Emitter extends EmitContext {
  emit(): EmitResult {
    // The prelude (with the driver), then the rule: a sandbox that knows the prelude runs it once per context, and
    // loads only the rule's part per bundle (runtime/sandbox/bundle.ts). The rule's entry point hands the driver its
    // definitions (contract/prelude.ts RULE_ENTRY).
    this.out.push(...PRELUDE.slice(0, -1).split("\n"));
    this.line(`// rule ${this.model.ruleName ?? "?"}`);
    this.out.push(RULE_ENTRY);
    emitState(this);
    for (const fn of this.model.fns.values()) this.emitFn(fn.decl, fn.params);
    const triggers: string[] = [];
    this.model.triggers.forEach((t, i) => {
      triggers.push(triggerKey(t));
      this.emitTrigger(t, i);
    });
    this.line(`var __triggers = { ${this.model.triggers.map((t, i) => `${JSON.stringify(triggerKey(t))}: __trigger_${i}`).join(", ")} };`);
    if (this.options.tests) this.emitTestFns();
    const tests = this.options.tests ? emitTests(this, this.options.tests.sourceOf) : [];
    if (!this.options.tests) this.line("var __tests = [];");
    // The bounds each state write checks against (boundsOf), once each: the writes above refer to them by index.
    this.line(`var __SB = [${this.boundsTable.join(", ")}];`);
    return { code: this.out.join("\n") + "\n", sourceMap: this.map, triggers, tests };
  }

  // ------------------------------------------------------------------ functions and triggers

  private emitFn(decl: A.FnDecl, params: Symbol[]): void {
    this.emitFunction(`$${decl.name.name}`, params.map((p) => `$${p.name}`), decl.body, decl.span);
  }

  /** The test files' helpers, only in a build with the tests; never traced (coverage counts the rule's lines). */
  private emitTestFns(): void {
    const trace = this.options.trace;
    (this.options as { trace?: boolean }).trace = false;
    try {
      for (const fn of this.model.testFns.values()) this.emitFn(fn.decl, fn.params);
    } finally {
      (this.options as { trace?: boolean }).trace = trace;
    }
  }

  private emitTrigger(t: TriggerInfo, i: number): void {
    const param = t.kind === "on" && t.param ? [`$${t.param.name}`] : [];
    this.emitFunction(`__trigger_${i}`, param, t.decl.body, t.decl.span);
  }

  private emitFunction(name: string, params: string[], body: A.Block, span: A.Block["span"]): void {
    this.line(`function ${name}(${params.join(", ")}) {`, span);
    this.indent++;
    this.fn = new FunctionScope();
    const start = this.out.length;
    blockBody(this, body);
    // Temporaries are known only once the body is emitted: declare them at the top.
    const decl = this.fn.temps > 0 ? ["  ".repeat(this.indent) + `var ${Array.from({ length: this.fn.temps }, (_, k) => `__t${k}`).join(", ")};`] : [];
    if (decl.length) {
      this.out.splice(start, 0, ...decl);
      for (const m of this.map) if (m[0] > start) m[0] += decl.length;
    }
    this.indent--;
    this.line("}");
  }

  override expr(e: A.Expr, expected: Type | undefined): string {
    return expr(this, e, expected);
  }
}

export function emitRule(file: A.SourceFile, model: SemanticModel, options: EmitOptions = {}): EmitResult {
  return new Emitter(file, model, options).emit();
}
