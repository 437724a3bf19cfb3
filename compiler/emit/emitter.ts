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
 */
import type { FunctionDecl } from "../../stdlib/decl.js";
import { evalCost, type CostDomain, type CostSizes } from "../../stdlib/cost-eval.js";
import type { CallTarget, SemanticModel, TriggerInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import { loadStdlib, type StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { compoundCharge, constantOf, fixedCharge, iterationCharge, nodeCharge, statementCharge, type ChargeContext, type NodeCharge } from "../verify/units.js";
import { DRIVER, PRELUDE, PRELUDE_GETTERS } from "./prelude.js";
import { canonicalAddress } from "./values.js";

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
  /** `message = "post.eml"`: the file the host must parse and pass in `emls`. */
  eml: string | undefined;
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

const GETTERS = new Set(PRELUDE_GETTERS);

const jsDomain: CostDomain<string> = {
  num: (n) => String(n),
  add: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(" + ")})`),
  mul: (xs) => (xs.length === 1 ? xs[0]! : `(${xs.join(" * ")})`),
  max: (xs) => `Math.max(${xs.join(", ")})`,
  min: (xs) => `Math.min(${xs.join(", ")})`,
  ceilDiv: (x, by) => `Math.ceil(${x} / ${by})`,
};

export function triggerKey(t: TriggerInfo): string {
  return t.kind === "on" ? t.event : `every ${t.schedule.text}`;
}

class FunctionScope {
  temps = 0;
  newTemp(): string {
    return `__t${this.temps++}`;
  }
}

export class Emitter {
  private readonly out: string[] = [];
  private readonly map: SourceMapping[] = [];
  private readonly std: StdlibTypes = loadStdlib();
  private fn = new FunctionScope();
  private indent = 0;
  /** Bounds descriptors (JSON) the state writes check against: `__SB[i]` in the code. */
  private readonly boundsTable: string[] = [];

  constructor(
    private readonly file: A.SourceFile,
    private readonly model: SemanticModel,
    private readonly options: EmitOptions = {},
  ) {}

  private get c() {
    return this.std.decl.constructs;
  }

  /** What decides each node's charge (compiler/verify/units.ts), shared with the verifier. */
  private get cx(): ChargeContext {
    return { model: this.model, std: this.std };
  }

  private line(text: string, at?: { line: number; col: number }): void {
    this.out.push("  ".repeat(this.indent) + text);
    if (at) this.map.push([this.out.length, at.line, at.col]);
  }

  emit(): EmitResult {
    // The prelude, then the rule: a sandbox that knows the prelude runs it once per context (runtime/sandbox/bundle.ts).
    this.out.push(...PRELUDE.slice(0, -1).split("\n"));
    this.line(`// rule ${this.model.ruleName ?? "?"}`);
    this.emitState();
    for (const fn of this.model.fns.values()) this.emitFn(fn.decl, fn.params);
    const triggers: string[] = [];
    this.model.triggers.forEach((t, i) => {
      triggers.push(triggerKey(t));
      this.emitTrigger(t, i);
    });
    this.line(`var __triggers = { ${this.model.triggers.map((t, i) => `${JSON.stringify(triggerKey(t))}: __trigger_${i}`).join(", ")} };`);
    const tests = this.options.tests ? this.emitTests(this.options.tests.sourceOf) : [];
    if (!this.options.tests) this.line("var __tests = [];");
    // The bounds each state write checks against (boundsOf), once each: the writes above refer to them by index.
    this.line(`var __SB = [${this.boundsTable.join(", ")}];`);
    this.emitDriver();
    return { code: this.out.join("\n") + "\n", sourceMap: this.map, triggers, tests };
  }

  // ------------------------------------------------------------------ state

  private emitState(): void {
    const schema = this.model.state.map((f) => `${JSON.stringify(f.name)}: ${JSON.stringify(descriptor(f.type))}`);
    this.line(`var __stateSchema = { ${schema.join(", ")} };`);
    const bounds = this.model.state.flatMap((f) => {
      const d = boundsOf(f.type);
      return d === 0 ? [] : [`${JSON.stringify(f.name)}: ${JSON.stringify(d)}`];
    });
    this.line(`var __stateBounds = ${bounds.length ? `{ ${bounds.join(", ")} }` : "{}"};`);
    this.line("function __stateInit(name) {");
    this.indent++;
    this.fn = new FunctionScope();
    const body: string[] = [];
    for (const f of this.model.state) {
      const init = f.init ? this.expr(f.init, f.type) : defaultValue(f.type);
      body.push(`if (name === ${JSON.stringify(f.name)}) return ${init};`);
    }
    this.declareTemps();
    for (const b of body) this.line(b);
    this.line("return null;");
    this.indent--;
    this.line("}");
  }

  private declareTemps(): void {
    if (this.fn.temps > 0) {
      this.line(`var ${Array.from({ length: this.fn.temps }, (_, i) => `__t${i}`).join(", ")};`);
    }
  }

  // ------------------------------------------------------------------ functions and triggers

  private emitFn(decl: A.FnDecl, params: Symbol[]): void {
    this.emitFunction(`$${decl.name.name}`, params.map((p) => `$${p.name}`), decl.body, decl.span);
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
    this.blockBody(body);
    // Temporaries are known only once the body is emitted: declare them at the top.
    const decl = this.fn.temps > 0 ? ["  ".repeat(this.indent) + `var ${Array.from({ length: this.fn.temps }, (_, k) => `__t${k}`).join(", ")};`] : [];
    if (decl.length) {
      this.out.splice(start, 0, ...decl);
      for (const m of this.map) if (m[0] > start) m[0] += decl.length;
    }
    this.indent--;
    this.line("}");
  }

  // ------------------------------------------------------------------ statements

  /** The static gas of a statement: charged when its block is entered. */
  private staticCost(s: A.Stmt): number {
    return statementCharge(s, this.cx);
  }

  private charge(n: number): void {
    if (n > 0 && this.options.meter !== false) this.line(`if ((__gas -= ${n}) < 0) __oog();`);
  }

  /** A size-dependent charge inside an expression (`0` in an unmetered build, kept for the comma expression). */
  private gas(cost: string): string {
    return this.options.meter === false ? "0" : `__g(${cost})`;
  }

  private blockBody(b: A.Block, extra = 0): void {
    this.charge(extra + b.stmts.reduce((n, s) => n + this.staticCost(s), 0));
    for (const s of b.stmts) this.stmt(s);
  }

  private stmt(s: A.Stmt): void {
    const at = { line: s.span.line, col: s.span.col };
    if (this.options.trace) this.line(`__tr(${at.line}, ${at.col}, ${JSON.stringify(s.kind)}, null);`);
    switch (s.kind) {
      case "LetStmt":
        this.line(`${s.mutable ? "let" : "const"} $${s.name.name} = ${this.expr(s.init, this.typeOf(s.init))};`, at);
        if (this.options.trace) this.line(`__tr(${at.line}, ${at.col}, ${JSON.stringify(s.name.name)}, $${s.name.name});`);
        return;
      case "AssignStmt":
        this.line(this.assign(s) + ";", at);
        return;
      case "ExprStmt":
        this.line(this.expr(s.expr, undefined) + ";", at);
        return;
      case "ReturnStmt":
        this.line(s.value ? `return ${this.expr(s.value, this.typeOf(s.value))};` : "return;", at);
        return;
      case "BreakStmt":
        this.line("break;", at);
        return;
      case "ContinueStmt":
        this.line("continue;", at);
        return;
      case "IfStmt":
        this.ifStmt(s, "if");
        return;
      case "ForStmt":
        this.forStmt(s);
        return;
    }
  }

  private ifStmt(s: A.IfStmt, keyword: "if" | "else if"): void {
    this.line(`${keyword === "if" ? "if" : "} else if"} (${this.expr(s.cond, undefined)}) {`, { line: s.span.line, col: s.span.col });
    this.indent++;
    this.blockBody(s.then);
    this.indent--;
    if (!s.else) {
      this.line("}");
      return;
    }
    if (s.else.kind === "IfStmt") {
      // The nested `if` is a statement of its own: charge it when it is reached.
      this.line("} else {");
      this.indent++;
      this.charge(this.staticCost(s.else));
      if (this.options.trace) this.line(`__tr(${s.else.span.line}, ${s.else.span.col}, "IfStmt", null);`);
      this.ifStmt(s.else, "if");
      this.indent--;
      this.line("}");
      return;
    }
    this.line("} else {");
    this.indent++;
    this.blockBody(s.else);
    this.indent--;
    this.line("}");
  }

  private forStmt(s: A.ForStmt): void {
    const iterType = this.typeOf(s.iterable);
    const iter = this.expr(s.iterable, iterType);
    const base = iterType?.kind === "optional" ? iterType.inner : iterType;
    const kind = base?.kind === "named" ? base.name : "List";
    let head: string;
    if (kind === "Map") {
      head = s.key ? `const [$${s.key.name}, $${s.name.name}] of Array.from(${iter})` : `const $${s.name.name} of Array.from(${iter}.keys())`;
    } else if (kind === "Members") {
      head = `const $${s.name.name} of __mlist(${iter}).slice()`;
    } else {
      head = `const $${s.name.name} of ${iter}.slice()`;
    }
    this.line(`for (${head}) {`, { line: s.span.line, col: s.span.col });
    this.indent++;
    const perIteration = iterationCharge(s, this.cx);
    if (s.where) {
      this.charge(perIteration);
      this.line(`if (!(${this.expr(s.where, undefined)})) continue;`, { line: s.where.span.line, col: s.where.span.col });
      this.blockBody(s.body);
    } else {
      this.blockBody(s.body, perIteration);
    }
    this.indent--;
    this.line("}");
  }

  private assign(s: A.AssignStmt): string {
    const at = `${s.span.line}, ${s.span.col}`;
    const targetType = this.typeOf(s.target);
    let value = this.expr(s.value, targetType);
    if (s.op !== "=") {
      const cur = this.lvalue(s.target);
      const isString = isNamed(targetType, "string");
      if (isString) {
        value = this.operands(compoundCharge(s, this.cx), cur, value, targetType, this.typeOf(s.value), (a, b) => `(${a} + ${b})`);
      } else if (isNamed(targetType, "int") || isNamed(targetType, "Duration")) {
        value = `__ia(${cur} ${s.op === "+=" ? "+" : "-"} ${value}, ${at})`;
      } else {
        value = `(${cur} ${s.op === "+=" ? "+" : "-"} ${value})`;
      }
    }
    // A value written into state is checked whole, against every bound inside the place's declared type, before it is stored.
    const place = this.statePlace(s.target);
    if (place) value = `__stput(${place.ref}, ${value}, ${JSON.stringify(place.name)}, ${at})`;
    return `${this.lvalue(s.target)} = ${value}`;
  }

  private lvalue(e: A.Expr): string {
    if (e.kind === "Ident") return this.ident(e);
    if (e.kind === "MemberExpr") {
      const t = this.model.members.get(e);
      if (t?.kind === "state") return `__st[${JSON.stringify(t.field.name)}]`;
      return `${this.expr(e.object, undefined)}.${e.name.name}`;
    }
    return this.expr(e, undefined);
  }

  /**
   * A place in state (`state.x`, or a record field inside it, `state.x.f.g`) whose declared type bounds
   * something: its name (`x.f.g`) and the `__SB` entry of its bounds. Undefined for any other place, or
   * when nothing in the type has a `max`.
   */
  private statePlace(e: A.Expr): { name: string; ref: string } | undefined {
    const names: string[] = [];
    let type: Type | undefined;
    for (let x: A.Expr = e; ; ) {
      if (x.kind !== "MemberExpr") return undefined;
      const t = this.model.members.get(x);
      if (t?.kind === "state") {
        names.unshift(t.field.name);
        type ??= t.field.type;
        break;
      }
      if (t?.kind !== "record") return undefined;
      names.unshift(t.field.name);
      type ??= t.field.type;
      x = x.object;
    }
    const d = boundsOf(type);
    if (d === 0) return undefined;
    const json = JSON.stringify(d);
    let i = this.boundsTable.indexOf(json);
    if (i < 0) i = this.boundsTable.push(json) - 1;
    return { name: names.join("."), ref: `__SB[${i}]` };
  }

  // ------------------------------------------------------------------ expressions

  private typeOf(e: A.Expr): Type | undefined {
    return this.model.types.get(e);
  }

  private ident(e: A.Ident): string {
    const sym = this.model.symbols.get(e);
    if (!sym) return `$${e.name}`;
    if (sym.kind === "global") return sym.name === "state" ? "__st" : `__G_${sym.name}`;
    return `$${sym.name}`;
  }

  /** `expected` is the type the context wants (for string literals that are Addresses). */
  private expr(e: A.Expr, expected: Type | undefined): string {
    switch (e.kind) {
      case "Ident":
        return this.ident(e);
      case "IntLit":
        return String(e.value);
      case "BoolLit":
        return String(e.value);
      case "NoneLit":
        return "null";
      case "DurationLit":
      case "TimeLit":
        return String(e.ms);
      case "ErrorExpr":
        return "null";
      case "StringLit":
        return this.stringLit(e, expected);
      case "ListLit": {
        const elemType = listElement(this.typeOf(e) ?? expected);
        return `[${e.elements.map((x) => this.expr(x, elemType)).join(", ")}]`;
      }
      case "BraceLit":
        return this.braceLit(e, expected);
      case "MemberExpr":
        return this.member(e);
      case "CallExpr":
        return this.call(e);
      case "IndexExpr": {
        const target = this.model.indexes.get(e);
        if (target && target.kind === "method") return this.stdCall(target, e.object, [e.index], e);
        return `${this.expr(e.object, undefined)}[${this.expr(e.index, undefined)}]`;
      }
      case "UnaryExpr":
        return this.unary(e);
      case "BinaryExpr":
        return this.binary(e);
    }
  }

  private stringLit(e: A.StringLit, expected: Type | undefined): string {
    const own = this.typeOf(e) ?? expected;
    const hasInterp = e.parts.some((p) => p.kind !== "StringText");
    if (!hasInterp) {
      const text = e.parts.map((p) => (p as A.StringText).value).join("");
      if (isNamed(own, "Address") || (isNamed(expected, "Address") && !isNamed(own, "string"))) return JSON.stringify(canonicalAddress(text) ?? text);
      return JSON.stringify(text);
    }
    const pieces = e.parts.map((p) => (p.kind === "StringText" ? JSON.stringify(p.value) : this.show(p)));
    const run = this.atRun(nodeCharge(e, this.cx));
    if (!run) return `(${pieces.join(" + ")})`;
    const t = this.fn.newTemp();
    return `(${t} = ${pieces.join(" + ")}, ${run.charge({ size: () => `${t}.length`, total: () => `${t}.length` })}, ${t})`;
  }

  /** A value as text inside a string. */
  private show(e: A.Expr): string {
    const t = this.typeOf(e);
    const inner = t?.kind === "optional" ? t.inner : t;
    const v = this.expr(e, undefined);
    const wrapOpt = (x: string): string => (t?.kind === "optional" ? `__showAny(${v})` : x);
    if (isNamed(inner, "Time")) return wrapOpt(`__showTime(${v})`);
    if (isNamed(inner, "Duration")) return wrapOpt(`__showDuration(${v})`);
    if (isNamed(inner, "string") || isNamed(inner, "Address")) return t?.kind === "optional" ? `__showAny(${v})` : v;
    return `String(${v})`;
  }

  private braceLit(e: A.BraceLit, expected: Type | undefined): string {
    const t = this.typeOf(e) ?? expected;
    if (t?.kind === "named" && t.name === "Map") {
      const [kt, vt] = t.args;
      return `new Map([${e.entries.map((en) => `[${this.expr(en.key, kt)}, ${this.expr(en.value, vt)}]`).join(", ")}])`;
    }
    const fields = t?.kind === "record" ? t.fields : undefined;
    return `{ ${e.entries.map((en) => `${JSON.stringify(en.key.kind === "Ident" ? en.key.name : "")}: ${this.expr(en.value, fields?.get(en.key.kind === "Ident" ? en.key.name : "")?.type)}`).join(", ")} }`;
  }

  private member(e: A.MemberExpr): string {
    const target = this.model.members.get(e);
    if (target?.kind === "state") return `__st[${JSON.stringify(target.field.name)}]`;
    let obj = this.expr(e.object, undefined);
    const charge = this.atRun(nodeCharge(e, this.cx));
    let pre = "";
    if (charge) {
      const t = this.fn.newTemp();
      pre = `${t} = ${obj}, ${charge.charge({ size: (n) => (n === "self" ? sizeExpr(t, this.typeOf(e.object)) : "0"), total: (n) => (n === "self" ? `__total(${t})` : "0") })}, `;
      obj = t;
    }
    const read = target?.kind === "field" && GETTERS.has(`${target.owner}$${target.name}`) ? `G$${target.owner}$${target.name}(${obj})` : `${obj}.${e.name.name}`;
    return pre ? `(${pre}${read})` : read;
  }

  /**
   * A node's charge where it runs, when it depends on sizes (fixed charges go
   * with the statement): `charge(sizes)` is the JS that charges it, reading
   * the sizes the caller gives (of temporaries holding the evaluated operands).
   */
  private atRun(c: NodeCharge | undefined): { charge: (sizes: Omit<CostSizes<string>, "limit">) => string } | undefined {
    if (!c || fixedCharge(c) !== undefined) return undefined;
    return { charge: (sizes) => this.gas(evalCost(c.cost, { ...sizes, limit: (n) => this.limitUnits(n) }, jsDomain)) };
  }

  /** Operands of an operator (or a string comparison) in temporaries, charged on their sizes, then `op(l, r)`. */
  private operands(c: NodeCharge | undefined, l: string, r: string, lt: Type | undefined, rt: Type | undefined, op: (l: string, r: string) => string): string {
    const run = this.atRun(c);
    if (!run) return op(l, r);
    const a = this.fn.newTemp();
    const b = this.fn.newTemp();
    const size = (n: string): string => (n === "left" ? sizeExpr(a, lt) : n === "right" ? sizeExpr(b, rt) : "0");
    const total = (n: string): string => (n === "left" ? `__total(${a})` : n === "right" ? `__total(${b})` : "0");
    return `(${a} = ${l}, ${b} = ${r}, ${run.charge({ size, total })}, ${op(a, b)})`;
  }

  private unary(e: A.UnaryExpr): string {
    const v = this.expr(e.operand, undefined);
    if (e.op === "not") return `!(${v})`;
    const c = nodeCharge(e, this.cx);
    if (!this.atRun(c)) return `(-${v})`;
    // `-x` is charged as `x - x`: the operand is evaluated once.
    const t = this.fn.newTemp();
    const ot = this.typeOf(e.operand);
    return `(${t} = ${v}, ${this.operands(c, t, t, ot, ot, (a) => `(-${a})`)})`;
  }

  private binary(e: A.BinaryExpr): string {
    const at = `${e.span.line}, ${e.span.col}`;
    switch (e.op) {
      case "and":
        return `(${this.expr(e.left, undefined)} && ${this.expr(e.right, undefined)})`;
      case "or":
        return `(${this.expr(e.left, undefined)} || ${this.expr(e.right, undefined)})`;
      case "??": {
        const t = this.fn.newTemp();
        return `((${t} = ${this.expr(e.left, undefined)}) !== null ? ${t} : ${this.expr(e.right, this.typeOf(e))})`;
      }
      case "==":
      case "!=": {
        const lt = this.typeOf(e.left);
        const rt = this.typeOf(e.right);
        const op = e.op === "==" ? "===" : "!==";
        return this.operands(nodeCharge(e, this.cx), this.expr(e.left, rt), this.expr(e.right, lt), lt, rt, (a, b) => `(${a} ${op} ${b})`);
      }
      default: {
        const isInt = isNamed(this.typeOf(e), "int") || isNamed(this.typeOf(e), "Duration") && (e.op === "*" || e.op === "/");
        const l = this.expr(e.left, undefined);
        const r = this.expr(e.right, undefined);
        return this.operands(nodeCharge(e, this.cx), l, r, this.typeOf(e.left), this.typeOf(e.right), (a, b) => this.arith(e.op, a, b, isInt, at));
      }
    }
  }

  private arith(op: A.BinaryOp, l: string, r: string, isInt: boolean, at: string): string {
    if (isInt && op === "/") return `__idiv(${l}, ${r}, ${at})`;
    if (isInt && op === "%") return `__imod(${l}, ${r}, ${at})`;
    if (isInt && (op === "+" || op === "-" || op === "*")) return `__ia(${l} ${op} ${r}, ${at})`;
    return `(${l} ${op} ${r})`;
  }

  private call(e: A.CallExpr): string {
    const target = this.model.calls.get(e);
    if (!target) return "null";
    if (target.kind === "fn") {
      const args = target.fn.params.map((p, i) => {
        const a = e.args.find((x) => x.name?.name === p.name) ?? e.args.filter((x) => !x.name)[i];
        return a ? this.expr(a.value, p.type) : "null";
      });
      // `fnCall` is charged with the statement (a constant cost).
      return `$${target.fn.name}(${args.join(", ")})`;
    }
    if (target.kind === "method" && e.callee.kind === "MemberExpr") return this.stdCall(target, e.callee.object, e, e);
    return this.stdCall(target, undefined, e, e);
  }

  /**
   * A stdlib call: arguments bound to parameters (in declaration order,
   * missing optionals as null), the size-dependent cost charged before the
   * call on the actual arguments, then the implementation. Actions also
   * get the call's line and column.
   */
  private stdCall(
    target: Exclude<CallTarget, { kind: "fn" }>,
    receiver: A.Expr | undefined,
    argsOf: A.CallExpr | A.Expr[],
    site: A.Expr,
  ): string {
    const decl: FunctionDecl = target.decl;
    const params = target.sig.params;
    const given = Array.isArray(argsOf) ? argsOf.map((value) => ({ name: undefined as A.Ident | undefined, value })) : argsOf.args;
    const bound = params.map((p, i) => {
      const a = given.find((x) => x.name?.name === p.name) ?? (given[i] && !given[i]!.name ? given[i] : undefined);
      return a ? this.expr(a.value, p.type) : "null";
    });
    const recv = receiver ? this.expr(receiver, undefined) : undefined;
    const at = `${site.span.line}, ${site.span.col}`;
    const needsAt = decl.capability !== undefined || decl.terminates === true;
    const impl = target.kind === "method" ? `${target.owner}$${target.name}` : `F$${target.name}`;
    const fixed = constantOf(decl.cost);
    const place = receiver && decl.mutates ? this.statePlace(receiver) : undefined;
    const finish = (recvExpr: string | undefined, args: string[]): string => {
      const all = [...(recvExpr !== undefined ? [recvExpr] : []), ...args, ...(needsAt ? [at] : [])];
      const callText = `${impl}(${all.join(", ")})`;
      if (place && recvExpr !== undefined) {
        const write = STATE_WRITES[impl];
        const where = `${JSON.stringify(place.name)}, ${at}`;
        if (write === "push") return `(__stpush(${place.ref}, ${recvExpr}, ${args[0]}, ${where}), ${callText})`;
        if (write === "set") return `(__stset(${place.ref}, ${recvExpr}, ${args[0]}, ${args[1]}, ${where}), ${callText})`;
        if (write === "shrinks") return callText;
        // A change this table does not know: the whole collection is checked after it.
        return `(${callText}, __stput(${place.ref}, ${recvExpr}, ${where}), undefined)`;
      }
      return callText;
    };
    if (fixed !== undefined && place === undefined) return finish(recv, bound);
    // Evaluate into temporaries, charge on their sizes, then call.
    const temps: string[] = [];
    const assigns: string[] = [];
    let recvTemp: string | undefined;
    if (recv !== undefined) {
      recvTemp = this.fn.newTemp();
      assigns.push(`${recvTemp} = ${recv}`);
    }
    const argTemps = bound.map((b) => {
      const t = this.fn.newTemp();
      temps.push(t);
      assigns.push(`${t} = ${b}`);
      return t;
    });
    const sizeOf = (name: string): string => {
      if (name === "self") return recvTemp ? sizeExpr(recvTemp, target.kind === "method" ? target.receiverType : undefined) : "0";
      const i = params.findIndex((p) => p.name === name);
      return i < 0 ? "0" : sizeExpr(argTemps[i]!, params[i]!.type);
    };
    const totalOf = (name: string): string => {
      if (name === "self") return recvTemp ? `__total(${recvTemp})` : "0";
      const i = params.findIndex((p) => p.name === name);
      return i < 0 ? "0" : `__total(${argTemps[i]!})`;
    };
    const parts = [...assigns];
    if (fixed === undefined) {
      const cost = evalCost(decl.cost, { size: sizeOf, total: totalOf, limit: (n) => this.limitUnits(n) }, jsDomain);
      parts.push(`${this.gas(cost)}`);
    }
    parts.push(finish(recvTemp, argTemps));
    return `(${parts.join(", ")})`;
  }

  /** A limit as the cost table reads it: in the unit the runtime measures (a character is up to two UTF-16 units). */
  private limitUnits(name: string): string {
    const decl = this.std.decl.limits[name];
    const k = decl?.unit === "characters" ? 2 : 1;
    return k === 1 ? `__in.limits[${JSON.stringify(name)}]` : `(__in.limits[${JSON.stringify(name)}] * ${k})`;
  }

  // ------------------------------------------------------------------ tests and driver

  /**
   * Each test becomes `{ setup, expects }`: `setup` sets the givens (members,
   * state, now) and returns the trigger's message; `expects` checks the
   * actions and the state after the run and returns the failures. Neither
   * costs gas: only the trigger run does.
   */
  private emitTests(sourceOf: (fileName: string) => string | undefined): EmittedTest[] {
    const out: EmittedTest[] = [];
    this.line("var __tests = [];");
    this.model.tests.forEach((t, i) => {
      const trigger = t.trigger ? triggerKey(t.trigger) : undefined;
      let eml: string | undefined;
      this.line(`__tests[${i}] = {`, { line: t.decl.span.line, col: t.decl.span.col });
      this.indent++;
      this.line("setup: function () {");
      this.indent++;
      this.fn = new FunctionScope();
      const body: string[] = ["var __msg = null;"];
      for (const c of t.decl.clauses) {
        if (c.kind !== "GivenClause") continue;
        const target = c.target;
        if (target.kind === "Ident") {
          const sym = this.model.symbols.get(target);
          if (sym?.kind === "trigger") {
            const file = c.value.kind === "StringLit" && c.value.parts.every((p) => p.kind === "StringText")
              ? c.value.parts.map((p) => (p as A.StringText).value).join("")
              : undefined;
            if (file !== undefined) {
              eml = file;
              body.push(`__msg = __message(__in.emls[${JSON.stringify(file)}]);`);
            } else {
              body.push(`__msg = __testMessage(${this.expr(c.value, sym.type)});`);
            }
          } else if (target.name === "members") {
            body.push(`__G_members = __members((${this.expr(c.value, undefined)}).map(function (m) { return typeof m === "string" ? { address: m } : m; }));`);
          } else if (target.name === "now") {
            body.push(`__G_now = ${this.expr(c.value, sym?.type)};`);
          } else if (target.name === "list") {
            body.push(`__G_list = ${this.expr(c.value, sym?.type)};`);
          }
        } else {
          body.push(`${this.lvalue(target)} = ${this.expr(c.value, this.typeOf(target))};`);
        }
      }
      body.push("return __msg;");
      this.declareTemps();
      for (const b of body) this.line(b);
      this.indent--;
      this.line("},");
      this.line("expects: function () {");
      this.indent++;
      this.fn = new FunctionScope();
      const checks: string[] = ["var __f = [];"];
      const text = sourceOf(t.file);
      const quote = (e: { span: { start: number; end: number } }): string =>
        text !== undefined ? text.slice(e.span.start, e.span.end).replace(/\s+/g, " ") : "the expectation";
      for (const c of t.decl.clauses) {
        if (c.kind !== "ExpectClause") continue;
        const at = `${c.span.line}, ${c.span.col}`;
        const pattern = this.model.expectations.get(c);
        if (pattern) {
          const callee = c.expr.kind === "CallExpr" ? c.expr.callee : c.expr;
          const kind = callee.kind === "MemberExpr" ? `${callee.object.kind === "Ident" ? callee.object.name : "?"}.${callee.name.name}` : callee.kind === "Ident" ? callee.name : "?";
          const params = pattern.target.kind === "fn" ? [] : pattern.target.sig.params;
          const args = c.expr.kind === "CallExpr" ? c.expr.args : [];
          const fields = args.map((a, k) => {
            const p = a.name ? params.find((x) => x.name === a.name!.name) : params[k];
            return p ? `${JSON.stringify(p.name)}: ${this.expr(a.value, p.type)}` : undefined;
          }).filter((x): x is string => x !== undefined);
          checks.push(`__expectAction(__f, ${JSON.stringify(kind)}, { ${fields.join(", ")} }, ${c.negated}, ${JSON.stringify(quote(c.expr))}, ${at});`);
        } else {
          const e = c.expr;
          if (e.kind === "BinaryExpr" && ["==", "!=", "<", "<=", ">", ">="].includes(e.op)) {
            const l = this.fn.newTemp();
            const r = this.fn.newTemp();
            checks.push(`${l} = ${this.expr(e.left, this.typeOf(e.right))}; ${r} = ${this.expr(e.right, this.typeOf(e.left))};`);
            checks.push(`if (!(${this.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "`, but `" + quote(e.left) + "` is ")} + __showAny(${l}) + ${JSON.stringify(" and `" + quote(e.right) + "` is ")} + __showAny(${r}) });`);
          } else {
            checks.push(`if (!(${this.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "` to be true")} });`);
          }
        }
      }
      checks.push("return __f;");
      this.declareTemps();
      for (const ch of checks) this.line(ch);
      this.indent--;
      this.line("},");
      this.line(`trigger: ${JSON.stringify(trigger ?? null)}`);
      this.indent--;
      this.line("};");
      out.push({ name: t.name, file: t.file, line: t.decl.span.line, trigger, eml });
    });
    return out;
  }

  /** The driver is the same for every rule (see prelude.ts): it reads the rule's `__triggers`, `__tests` and state schema. */
  private emitDriver(): void {
    for (const l of DRIVER.split("\n")) this.out.push(l);
  }
}

/**
 * How each mutating stdlib method changes a collection in state, so that a write is checked before it
 * happens and only for what it adds: `push` one element, `set` one entry (a new key adds one to the count),
 * `shrinks` nothing to check. A mutating method not listed here is checked after it runs, whole.
 */
const STATE_WRITES: Readonly<Record<string, "push" | "set" | "shrinks">> = {
  List$push: "push",
  Map$set: "set",
  Map$remove: "shrinks",
};

/** A bounds descriptor (the prelude's `__stbad` reads it): 0 when nothing in `t` has a `max`. */
export type Bounds = 0 | ["s", number] | ["l", number | null, Bounds] | ["m", number | null, Bounds, Bounds] | ["r", Record<string, Bounds>];

/** The bounds a value of type `t` must keep: every `max` in it, at any depth (an optional is its inner type). */
export function boundsOf(t: Type | undefined): Bounds {
  if (t === undefined) return 0;
  if (t.kind === "optional") return boundsOf(t.inner);
  if (t.kind === "record") {
    const fields: Record<string, Bounds> = {};
    let any = false;
    for (const [name, f] of t.fields) {
      const d = boundsOf(f.type);
      if (d !== 0) {
        fields[name] = d;
        any = true;
      }
    }
    return any ? ["r", fields] : 0;
  }
  if (t.kind !== "named") return 0;
  const max = t.max ?? null;
  switch (t.name) {
    case "string":
      return max === null ? 0 : ["s", max];
    case "List": {
      const e = boundsOf(t.args[0]);
      return max === null && e === 0 ? 0 : ["l", max, e];
    }
    case "Map": {
      const k = boundsOf(t.args[0]);
      const v = boundsOf(t.args[1]);
      return max === null && k === 0 && v === 0 ? 0 : ["m", max, k, v];
    }
    default:
      return 0;
  }
}

function isNamed(t: Type | undefined, name: string): boolean {
  return t?.kind === "named" && t.name === name;
}

function listElement(t: Type | undefined): Type | undefined {
  return t?.kind === "named" && t.name === "List" ? t.args[0] : undefined;
}

/** What `size(...)` reads at run time: the same rule as the verifier's `sizeFor` (stdlib/decl.ts). */
function sizeExpr(v: string, t: Type | undefined): string {
  const base = t?.kind === "optional" ? t.inner : t;
  if (isNamed(base, "string")) return `(${v} === null ? 0 : ${v}.length)`;
  if (isNamed(base, "List")) return `${v}.length`;
  if (isNamed(base, "Map")) return `${v}.size`;
  if (isNamed(base, "Members")) return `G$Members$size(${v})`;
  if (isNamed(base, "Recipients")) return `__rcount(${v})`;
  return "1";
}

/** The state type descriptor the prelude loads and saves by. */
export function descriptor(t: Type): unknown {
  switch (t.kind) {
    case "optional":
      return ["opt", descriptor(t.inner)];
    case "record":
      return ["rec", Object.fromEntries([...t.fields].map(([k, f]) => [k, descriptor(f.type)]))];
    case "named":
      switch (t.name) {
        case "List":
          return ["list", descriptor(t.args[0]!)];
        case "Map":
          return ["map", descriptor(t.args[0]!), descriptor(t.args[1]!)];
        case "Address":
          return "address";
        case "Time":
          return "time";
        case "Duration":
          return "duration";
        case "int":
        case "bool":
          return t.name;
        default:
          return "string";
      }
    default:
      return "string";
  }
}

function defaultValue(t: Type): string {
  if (t.kind === "optional") return "null";
  if (t.kind === "named") {
    switch (t.name) {
      case "int":
      case "Time":
      case "Duration":
        return "0";
      case "bool":
        return "false";
      case "string":
        return '""';
      case "List":
        return "[]";
      case "Map":
        return "new Map()";
    }
  }
  return "null";
}

export function emitRule(file: A.SourceFile, model: SemanticModel, options: EmitOptions = {}): EmitResult {
  return new Emitter(file, model, options).emit();
}
