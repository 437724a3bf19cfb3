/**
 * The verifier's walk: one pass over a trigger's body (and the fns it calls)
 * computing, as symbolic formulas over the limits, the worst-case gas, the
 * worst-case fan-out (messages sent), the capabilities used and to whom it
 * can send. Rules (docs/cost-model.md):
 *  - a statement costs `statement` plus its operations, plus each call's
 *    declared cost evaluated on its arguments' bounds;
 *  - `if` takes the larger branch; a path that ends the trigger early is
 *    kept apart, and the bound is the larger of the two;
 *  - `for x in xs where p` costs count × (iteration + p + body), every
 *    element assumed to pass; an early exit is charged as the full loop;
 *  - a variable that grows in a loop grows by count × its growth per
 *    iteration; growth that feeds on itself is refused.
 */
import type { Capability, CostExpr, FunctionDecl } from "../../stdlib/decl.js";
import { evalCost, type CostDomain, type CostSizes } from "../../stdlib/cost-eval.js";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, verifyMessages } from "../diagnostics/catalog/index.js";
import { sameType } from "../semantic/assign.js";
import type { CallTarget, SemanticModel, TriggerInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import type { StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { inputShape, join, originOf, SCALAR, sizeFor, str, totalOf, withOrigin, type Origin, type Shape } from "./shapes.js";
import { canonicalAddress } from "../emit/values.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import { nodeCharge, operations, statementOperations, type ChargeContext, type NodeCharge } from "./units.js";

/** Gas and fan-out together: every rule of the walk applies to both. */
export interface Cost {
  g: Sym;
  f: Sym;
}

const NONE: Cost = { g: S.ZERO, f: S.ZERO };

// Most fan-outs are zero: `0 + 0` and `max(0, 0)` (both 0, as S.add and S.max give) are not worked out.
function plus(a: Cost, b: Cost): Cost {
  return { g: S.add2(a.g, b.g), f: a.f === S.ZERO && b.f === S.ZERO ? S.ZERO : S.add2(a.f, b.f) };
}

function maxCost(a: Cost, b: Cost): Cost {
  return { g: S.max2(a.g, b.g), f: a.f === S.ZERO && b.f === S.ZERO ? S.ZERO : S.max2(a.f, b.f) };
}

function times(n: Sym, c: Cost, span: Span, label: string): Cost {
  return { g: S.at(S.mul(n, c.g), span, label), f: S.at(S.mul(n, c.f), span, label) };
}

/** The result of a statement list: the cost of the paths that go on, and of those that end the trigger. */
interface Flow {
  cont: Cost;
  exit: Cost | undefined;
  /** Every path ends the trigger (`return`, `reject`, `hold`). */
  ends: boolean;
}

/** Nothing happens and control goes on (an `if` without `else`). Flows are never mutated. */
const GOES_ON: Flow = { cont: NONE, exit: undefined, ends: false };

/** A copy of a frame's locals (`new Map(m)` makes an entry array per entry; this does not). */
function copyLocals(m: ReadonlyMap<Symbol, Shape>): Map<Symbol, Shape> {
  const out = new Map<Symbol, Shape>();
  m.forEach((v, k) => out.set(k, v));
  return out;
}

/** The joined `return` shapes of two paths (either may have none). */
function joinReturns(x: Shape | undefined, y: Shape | undefined): Shape | undefined {
  return x && y ? join(x, y) : x ?? y;
}

const symDomain: CostDomain<Sym> = {
  num: S.num,
  add: S.addAll,
  mul: S.mulAll,
  max: S.maxAll,
  min: S.minAll,
  ceilDiv: S.cdiv,
};

export type RecipientClass = Exclude<Origin, "list"> | "list";

export interface TriggerAnalysis {
  trigger: TriggerInfo;
  name: string;
  gas: Sym;
  fanout: Sym;
  capabilities: Set<Capability>;
  recipients: Set<RecipientClass>;
  /** `where` filters assumed to pass for every element. */
  filters: Span[];
}

interface Frame {
  locals: Map<Symbol, Shape>;
  /** Joined shapes of `return` values, in a fn. */
  returns: Shape | undefined;
  /** Replies here are guarded by an `isAutomated()` check. */
  guarded: boolean;
}

export interface AnalyzeHost {
  model: SemanticModel;
  std: StdlibTypes;
  /** The symbolic variable of a limit. */
  limit(name: string): Sym;
  report(d: Diagnostic): void;
}

export class TriggerAnalyzer {
  private readonly capabilities = new Set<Capability>();
  private readonly recipients = new Set<RecipientClass>();
  private readonly filters = new Map<number, Span>();
  /** State fields the trigger reads or writes. */
  readonly stateUsed = new Set<string>();
  private readonly stateShapes = new Map<string, Shape>();
  private accCounter = 0;
  private readonly warnedAt = new Set<number>();
  /**
   * Inside a trial pass (loop growth): effects and warnings are not
   * recorded, and nothing is charged (the pass is run for the shapes it
   * leaves; its cost is not used).
   */
  private quiet = 0;

  private warn(at: Span, d: Diagnostic): void {
    if (this.quiet > 0 || this.warnedAt.has(at.start)) return;
    this.warnedAt.add(at.start);
    this.host.report(d);
  }

  constructor(private readonly host: AnalyzeHost) {}

  run(trigger: TriggerInfo): TriggerAnalysis {
    const frame: Frame = { locals: new Map(), returns: undefined, guarded: false };
    let name: string;
    if (trigger.kind === "on") {
      name = `on ${trigger.event}`;
      if (trigger.param && trigger.paramType) {
        frame.locals.set(trigger.param, this.messageShape(trigger.paramType));
      }
    } else {
      name = `every ${trigger.schedule.text}`;
    }
    const flow = this.block(trigger.decl.body, frame);
    const total = flow.exit ? maxCost(flow.cont, flow.exit) : flow.cont;
    return {
      trigger,
      name,
      gas: total.g,
      fanout: total.f,
      capabilities: this.capabilities,
      recipients: this.recipients,
      filters: [...this.filters.values()],
    };
  }

  // ------------------------------------------------------------------ inputs

  private bounds = {
    limit: (name: string): Sym => this.host.limit(name),
    unbounded: (): Sym => S.ZERO,
  };

  private messageShape(t: Type): Shape {
    const m = inputShape(t, this.host.std, this.bounds, "the message");
    if (m.t !== "rec") return m;
    const fields = new Map(m.fields);
    const from = fields.get("from");
    if (from) fields.set("from", withOrigin(from, new Set(["sender"])));
    const env = fields.get("envelope");
    if (env?.t === "rec") {
      const ef = new Map(env.fields);
      const sender = ef.get("sender");
      if (sender) ef.set("sender", withOrigin(sender, new Set(["sender"])));
      const recipient = ef.get("recipient");
      if (recipient) ef.set("recipient", withOrigin(recipient, new Set(["list"])));
      fields.set("envelope", { t: "rec", fields: ef });
    }
    return { t: "rec", fields };
  }

  private globalShape(sym: Symbol): Shape {
    const t = sym.type;
    if (sym.name === "members") {
      const shape = inputShape(t, this.host.std, { ...this.bounds, unbounded: () => this.host.limit("members") }, "members");
      return this.tagMembers(shape, "members");
    }
    if (sym.name === "list") {
      const shape = inputShape(t, this.host.std, { ...this.bounds, unbounded: () => this.host.limit("members") }, "list");
      if (shape.t !== "rec") return shape;
      const fields = new Map(shape.fields);
      const addr = fields.get("address");
      if (addr) fields.set("address", withOrigin(addr, new Set(["list"])));
      const owners = fields.get("owners");
      if (owners?.t === "list") fields.set("owners", { ...owners, elem: withOrigin(owners.elem, new Set(["owners"])), origin: new Set(["owners"]) });
      return { t: "rec", fields };
    }
    return inputShape(t, this.host.std, this.bounds, sym.name);
  }

  /** Members and what is read from them are addresses of members. */
  private tagMembers(s: Shape, origin: Origin): Shape {
    const o = new Set<Origin>([origin]);
    if (s.t === "list") return { ...s, elem: this.tagMembers(s.elem, origin), origin: o };
    if (s.t === "rec") {
      const fields = new Map(s.fields);
      const addr = fields.get("address");
      if (addr) fields.set("address", withOrigin(addr, o));
      return { t: "rec", fields, origin: o };
    }
    return withOrigin(s, o);
  }

  private stateField(field: { name: string; type: Type }): Shape {
    let s = this.stateShapes.get(field.name);
    if (!s) {
      s = inputShape(field.type, this.host.std, this.bounds, `state.${field.name}`);
      // Bounds of state fields are variables named after them, so formulas say `state.lastPost`.
      if ((s.t === "list" || s.t === "map") && field.type.kind === "named" && field.type.max !== undefined) {
        s = { ...s, count: S.v(`state.${field.name}`) };
      } else if (s.t === "str" && field.type.kind === "named" && field.type.max !== undefined) {
        s = { ...s, len: S.v(`state.${field.name}`) };
      }
      this.stateShapes.set(field.name, s);
    }
    return s;
  }

  // ------------------------------------------------------------------ statements

  private block(b: A.Block, frame: Frame): Flow {
    let cont = NONE;
    let exit: Cost | undefined;
    for (const s of b.stmts) {
      const r = this.stmt(s, frame);
      if (r.exit) exit = exit ? maxCost(exit, plus(cont, r.exit)) : plus(cont, r.exit);
      cont = plus(cont, r.cont);
      if (r.ends) return { cont: NONE, exit: exit ? maxCost(exit, cont) : cont, ends: true };
    }
    return { cont, exit, ends: false };
  }

  private stmtBase(s: A.Stmt): Cost {
    if (this.quiet > 0) return NONE;
    return { g: S.num(this.constructs.statement + statementOperations(s) * this.constructs.operation), f: S.ZERO };
  }

  private get constructs() {
    return this.host.std.decl.constructs;
  }

  private stmt(s: A.Stmt, frame: Frame): Flow {
    const base = this.stmtBase(s);
    const acc = { cost: base };
    switch (s.kind) {
      case "LetStmt": {
        const v = this.expr(s.init, frame, acc);
        const sym = this.host.model.symbols.get(s.name);
        if (sym) frame.locals.set(sym, v);
        return { cont: acc.cost, exit: undefined, ends: false };
      }
      case "AssignStmt":
        this.assign(s, frame, acc);
        return { cont: acc.cost, exit: undefined, ends: false };
      case "ExprStmt": {
        this.expr(s.expr, frame, acc);
        const ends = this.terminates(s.expr);
        return ends ? { cont: NONE, exit: acc.cost, ends: true } : { cont: acc.cost, exit: undefined, ends: false };
      }
      case "ReturnStmt": {
        if (s.value) {
          const v = this.expr(s.value, frame, acc);
          frame.returns = frame.returns ? join(frame.returns, v) : v;
        }
        return { cont: NONE, exit: acc.cost, ends: true };
      }
      case "BreakStmt":
      case "ContinueStmt":
        // Charged as if the loop ran fully: nothing to subtract.
        return { cont: acc.cost, exit: undefined, ends: false };
      case "IfStmt":
        return this.ifStmt(s, frame, acc.cost);
      case "ForStmt":
        return this.forStmt(s, frame, acc.cost);
    }
  }

  private terminates(e: A.Expr): boolean {
    if (e.kind !== "CallExpr") return false;
    const t = this.host.model.calls.get(e);
    return !!t && t.kind === "function" && t.decl.terminates === true;
  }

  private ifStmt(s: A.IfStmt, frame: Frame, base: Cost): Flow {
    const acc = { cost: base };
    this.expr(s.cond, frame, acc);
    const guard = this.guardOf(s.cond);
    const thenFrame: Frame = { locals: copyLocals(frame.locals), returns: frame.returns, guarded: frame.guarded || guard === "then" };
    // Without `else`, the else path changes nothing: it reads the frame's own locals (joinInto reads each before it writes it).
    const elseFrame: Frame = { locals: s.else ? copyLocals(frame.locals) : frame.locals, returns: frame.returns, guarded: frame.guarded || guard === "else" };
    const a = this.block(s.then, thenFrame);
    const b: Flow = s.else
      ? s.else.kind === "IfStmt"
        ? this.stmt(s.else, elseFrame)
        : this.block(s.else, elseFrame)
      : GOES_ON;
    this.joinInto(frame, a.ends ? undefined : thenFrame, b.ends ? undefined : elseFrame);
    frame.returns = joinReturns(joinReturns(thenFrame.returns, elseFrame.returns), frame.returns);
    // `if m.isAutomated() { return }`: what follows is guarded.
    if (guard === "then" || guard === "else") {
      const exiting = guard === "then" ? b : a;
      if (exiting.ends) frame.guarded = true;
    }
    // The larger of the branches' exits (and of the ones that go on), after the condition.
    const branchExit = a.exit && b.exit ? maxCost(a.exit, b.exit) : a.exit ?? b.exit;
    const exit = branchExit ? plus(acc.cost, branchExit) : undefined;
    if (a.ends && b.ends) return { cont: NONE, exit: exit ?? acc.cost, ends: true };
    const cont = a.ends ? b.cont : b.ends ? a.cont : maxCost(a.cont, b.cont);
    return { cont: plus(acc.cost, cont), exit, ends: false };
  }

  /** Which branch of an `if` is free of automatic mail: `not m.isAutomated()` → then; `m.isAutomated()` → else. */
  private isGuardCall(e: A.Expr): boolean {
    if (e.kind !== "CallExpr") return false;
    const t = this.host.model.calls.get(e);
    return !!t && t.kind !== "fn" && t.decl.autoReplyGuard === true;
  }

  private guardOf(cond: A.Expr): "then" | "else" | undefined {
    if (this.isGuardCall(cond)) return "else";
    if (cond.kind === "UnaryExpr" && cond.op === "not" && this.isGuardCall(cond.operand)) return "then";
    if (cond.kind === "BinaryExpr" && cond.op === "and") {
      // `not m.isAutomated() and x`: the then-branch is guarded.
      if (this.guardOf(cond.left) === "then" || this.guardOf(cond.right) === "then") return "then";
    }
    if (cond.kind === "BinaryExpr" && cond.op === "or") {
      // `m.isAutomated() or x`: the else-branch is guarded.
      if (this.guardOf(cond.left) === "else" || this.guardOf(cond.right) === "else") return "else";
    }
    return undefined;
  }

  private joinInto(frame: Frame, a: Frame | undefined, b: Frame | undefined): void {
    frame.locals.forEach((shape, sym, locals) => {
      const x = a?.locals.get(sym);
      const y = b?.locals.get(sym);
      let j = shape;
      if (x) j = join(j, x);
      if (y) j = join(j, y);
      locals.set(sym, j);
    });
  }

  private forStmt(s: A.ForStmt, frame: Frame, base: Cost): Flow {
    const acc = { cost: base };
    const iter = this.expr(s.iterable, frame, acc);
    let count: Sym = S.ZERO;
    let elem: Shape = SCALAR;
    let value: Shape | undefined;
    if (iter.t === "list") {
      count = iter.count;
      elem = iter.elem;
    } else if (iter.t === "map") {
      count = iter.count;
      elem = iter.key;
      value = iter.value;
    } else if (iter.t === "str") {
      count = iter.len;
      elem = str(S.num(2));
    }
    const bindVars = (f: Frame): void => {
      const nameSym = this.host.model.symbols.get(s.name);
      if (s.key) {
        const keySym = this.host.model.symbols.get(s.key);
        if (keySym) f.locals.set(keySym, elem);
        if (nameSym) f.locals.set(nameSym, value ?? SCALAR);
      } else if (nameSym) {
        f.locals.set(nameSym, elem);
      }
    };
    // When the elements' sizes have a known sum (the parts of a split
    // string), an element's size is a variable and what depends on it is
    // summed over the elements instead of multiplied by their count.
    const aggregate = iter.t === "list" && iter.total !== undefined && elem.t === "str" ? `$elem${this.accCounter++}` : undefined;
    const elemMax = elem.t === "str" ? elem.len : S.ZERO;
    if (aggregate && elem.t === "str") elem = { ...elem, len: S.v(aggregate) };
    const sumOver = (perIteration: Sym): Sym =>
      aggregate && iter.t === "list" && iter.total
        ? S.sumOverElements(perIteration, aggregate, count, iter.total, elemMax)
        : S.mul(count, perIteration);
    // Pass 1: how does each variable assigned in the body grow per iteration?
    const grown = this.accumulate(s, frame, sumOver, bindVars);
    for (const [sym, shape] of grown) frame.locals.set(sym, shape);
    // Pass 2: the body's cost with every variable at its largest.
    const bodyFrame: Frame = { ...frame, locals: copyLocals(frame.locals) };
    bindVars(bodyFrame);
    const iteration = { cost: { g: S.num(this.constructs.iteration + operations(s.where) * this.constructs.operation), f: S.ZERO } };
    if (s.where) {
      this.expr(s.where, bodyFrame, iteration);
      if (this.quiet === 0) this.filters.set(s.where.span.start, s.where.span);
    }
    const body = this.block(s.body, bodyFrame);
    const perIteration = plus(iteration.cost, body.exit ? maxCost(body.cont, body.exit) : body.cont);
    frame.returns = bodyFrame.returns ?? frame.returns;
    const label = `the loop at line ${s.span.line}`;
    const loop = plus(acc.cost, { g: S.at(sumOver(perIteration.g), s.span, label), f: S.at(sumOver(perIteration.f), s.span, label) });
    if (aggregate) {
      // Shapes that escaped the loop body carry the element variable: bound them by the largest element.
      for (const [sym, shape] of frame.locals) frame.locals.set(sym, replaceVar(shape, aggregate, elemMax));
    }
    if (body.exit) return { cont: loop, exit: loop, ends: false };
    return { cont: loop, exit: undefined, ends: false };
  }

  /**
   * Runs the loop body once with each variable it assigns replaced by a
   * symbolic size `$acc`, and reads the growth per iteration off the result:
   * `$acc + d` grows to `init + count × d`; a value not built from itself
   * is at most the larger of `init` and it; anything else is refused.
   */
  private accumulate(s: A.ForStmt, frame: Frame, sumOver: (perIteration: Sym) => Sym, bindVars: (f: Frame) => void): Map<Symbol, Shape> {
    const assigned = this.assignedIn(s.body);
    const out = new Map<Symbol, Shape>();
    if (assigned.size === 0) return out;
    const trial: Frame = { ...frame, locals: copyLocals(frame.locals) };
    const placeholders = new Map<Symbol, Shape>();
    for (const sym of assigned) {
      const init = frame.locals.get(sym);
      if (!init) continue;
      const p = this.placeholder(init);
      placeholders.set(sym, p.shape);
      trial.locals.set(sym, p.shape);
    }
    bindVars(trial);
    // Analyze for shapes only: effects and warnings of this trial pass are not recorded.
    this.quiet++;
    try {
      this.block(s.body, trial);
    } finally {
      this.quiet--;
    }
    for (const [sym, p] of placeholders) {
      const init = frame.locals.get(sym)!;
      const after = trial.locals.get(sym) ?? p;
      const grown = this.grow(init, p, after, sumOver, sym);
      out.set(sym, grown);
    }
    return out;
  }

  private placeholder(init: Shape): { shape: Shape } {
    const name = `$acc${this.accCounter++}`;
    if (init.t === "str") return { shape: { ...init, len: S.v(name) } };
    if (init.t === "list") return { shape: { ...init, count: S.v(name), total: S.v(name + "t") } };
    if (init.t === "map") return { shape: { ...init, count: S.v(name) } };
    return { shape: init };
  }

  /** The size after the loop of one measure (length, count or total) of a variable; undefined when it feeds on itself. */
  private grown(init: Sym, placeholder: Sym | undefined, after: Sym, sumOver: (d: Sym) => Sym): Sym | undefined {
    if (!placeholder || placeholder.k !== "var") return S.max(init, after);
    if (!S.mentions(after, placeholder.name)) return S.max(init, after);
    const delta = linearGrowth(after, placeholder.name);
    return delta === undefined ? undefined : S.add(init, sumOver(delta));
  }

  private grow(init: Shape, placeholder: Shape, after: Shape, sumOver: (d: Sym) => Sym, sym: Symbol): Shape {
    if (after.t !== init.t || placeholder.t !== init.t) return init;
    const refuse = (): Shape => {
      if (sym.span) this.warn(sym.span, makeDiagnostic(verifyMessages.unboundedGrowth, sym.span, [sym.name]));
      return init;
    };
    if (init.t === "str" && after.t === "str" && placeholder.t === "str") {
      const len = this.grown(init.len, placeholder.len, after.len, sumOver);
      return len === undefined ? refuse() : str(len, originOf(join(init, after)));
    }
    if (init.t === "list" && after.t === "list" && placeholder.t === "list") {
      const count = this.grown(init.count, placeholder.count, after.count, sumOver);
      const total = this.grown(totalOf(init), placeholder.total, after.total ?? totalOf(after), sumOver);
      if (count === undefined || total === undefined) return refuse();
      const j = join({ ...init, total: S.ZERO }, { ...after, total: S.ZERO });
      return j.t === "list" ? { ...j, count, total } : j;
    }
    if (init.t === "map" && after.t === "map" && placeholder.t === "map") {
      const count = this.grown(init.count, placeholder.count, after.count, sumOver);
      if (count === undefined) return refuse();
      const j = join(init, after);
      return j.t === "map" ? { ...j, count } : j;
    }
    return join(init, after);
  }

  /** Local variables a block assigns or grows (`x = ...`, `x += ...`, `x.push(...)`). */
  private assignedIn(b: A.Block): Set<Symbol> {
    const out = new Set<Symbol>();
    const visitStmt = (s: A.Stmt): void => {
      switch (s.kind) {
        case "AssignStmt": {
          const root = rootIdent(s.target);
          const sym = root && this.host.model.symbols.get(root);
          if (sym && sym.kind === "var") out.add(sym);
          break;
        }
        case "ExprStmt":
          if (s.expr.kind === "CallExpr" && s.expr.callee.kind === "MemberExpr") {
            const t = this.host.model.calls.get(s.expr);
            const root = rootIdent(s.expr.callee.object);
            const sym = root && this.host.model.symbols.get(root);
            if (t && t.kind === "method" && t.decl.mutates && sym && sym.kind === "var") out.add(sym);
          }
          break;
        case "IfStmt":
          s.then.stmts.forEach(visitStmt);
          if (s.else) (s.else.kind === "IfStmt" ? [s.else] : s.else.stmts).forEach(visitStmt);
          break;
        case "ForStmt":
          s.body.stmts.forEach(visitStmt);
          break;
        default:
          break;
      }
    };
    b.stmts.forEach(visitStmt);
    return out;
  }

  private assign(s: A.AssignStmt, frame: Frame, acc: { cost: Cost }): void {
    const value = this.expr(s.value, frame, acc);
    if (s.target.kind === "Ident") {
      const sym = this.host.model.symbols.get(s.target);
      if (!sym) return;
      const old = frame.locals.get(sym) ?? value;
      if (s.op === "=") frame.locals.set(sym, value);
      else if (old.t === "str" && value.t === "str") {
        frame.locals.set(sym, str(S.add(old.len, value.len), originOf(old)));
        if (this.quiet === 0) this.charge(acc, this.operatorCost(s.target, s.value, "+", old, value), s.span, "+=");
      } else frame.locals.set(sym, old);
      return;
    }
    // `state.x = v`, `state.x += v`, `r.f = v`: a write through a path.
    const target = this.expr(s.target, frame, acc);
    const root = rootIdent(s.target);
    const rootSym = root && this.host.model.symbols.get(root);
    if (rootSym && rootSym.kind === "global" && rootSym.name === "state" && this.quiet === 0) this.capabilities.add("state.write");
    if (s.op !== "=" && target.t === "str" && value.t === "str") {
      if (this.quiet === 0) this.charge(acc, this.operatorCost(s.target, s.value, "+", target, value), s.span, "+=");
    }
  }

  // ------------------------------------------------------------------ expressions

  private charge(acc: { cost: Cost }, c: Cost, span: Span, label: string): void {
    if (this.quiet > 0 || (S.isZero(c.g) && S.isZero(c.f))) return;
    // A constant's provenance is lost when it is added to the constant of a sum: no `at` needed.
    const g = c.g.k === "num" ? c.g : S.at(c.g, span, label);
    const f = c.f.k === "num" ? c.f : S.at(c.f, span, label);
    acc.cost = plus(acc.cost, { g, f });
  }

  private expr(e: A.Expr, frame: Frame, acc: { cost: Cost }): Shape {
    const model = this.host.model;
    switch (e.kind) {
      case "Ident": {
        const sym = model.symbols.get(e);
        if (!sym) return SCALAR;
        const local = frame.locals.get(sym);
        if (local) return local;
        if (sym.kind === "global") return this.globalShape(sym);
        return inputShape(sym.type, this.host.std, this.bounds, sym.name);
      }
      // The most frequent kinds first (a switch on strings compares in order).
      case "MemberExpr":
        return this.member(e, frame, acc);
      case "CallExpr":
        return this.call(e, frame, acc);
      case "BinaryExpr":
        return this.binary(e, frame, acc);
      case "IntLit":
      case "BoolLit":
      case "NoneLit":
      case "DurationLit":
      case "TimeLit":
      case "ErrorExpr":
        return SCALAR;
      case "StringLit":
        return this.stringLit(e, frame, acc);
      case "ListLit": {
        let elem: Shape | undefined;
        const sizes: Sym[] = [];
        for (const x of e.elements) {
          const s = this.expr(x, frame, acc);
          elem = elem ? join(elem, s) : s;
          sizes.push(s.t === "str" ? s.len : S.ONE);
        }
        this.chargeNode(acc, nodeCharge(e, this.cx), NO_SIZES, e.span, "a list literal");
        // The elements are known one by one: their summed size is exact, not count × the largest.
        return { t: "list", count: S.num(e.elements.length), elem: elem ?? SCALAR, total: S.add(...sizes) };
      }
      case "BraceLit": {
        const t = model.types.get(e);
        this.chargeNode(acc, nodeCharge(e, this.cx), NO_SIZES, e.span, "a literal");
        if (t?.kind === "named" && t.name === "Map") {
          let key: Shape | undefined;
          let value: Shape | undefined;
          for (const en of e.entries) {
            const k = this.expr(en.key, frame, acc);
            const v = this.expr(en.value, frame, acc);
            key = key ? join(key, k) : k;
            value = value ? join(value, v) : v;
          }
          return { t: "map", count: S.num(e.entries.length), key: key ?? SCALAR, value: value ?? SCALAR };
        }
        const fields = new Map<string, Shape>();
        for (const en of e.entries) {
          const v = this.expr(en.value, frame, acc);
          if (en.key.kind === "Ident") fields.set(en.key.name, v);
        }
        return { t: "rec", fields };
      }
      case "IndexExpr": {
        const obj = this.expr(e.object, frame, acc);
        const idx = this.expr(e.index, frame, acc);
        const target = model.indexes.get(e);
        // An index is a call of the type's `get` (nodeCharge): its receiver and its one argument.
        if (target && target.kind !== "fn") {
          const p = target.sig.params[0];
          this.chargeDecl(acc, target.decl, new CallSizes(this.host, target, obj, new Map(p ? [[p.name, idx]] : [])), e.span, "an index");
        }
        return elementOf(obj, target);
      }
      case "UnaryExpr": {
        const v = this.expr(e.operand, frame, acc);
        // `-x` is charged as the declared `x - x` (nodeCharge).
        this.chargeNode(acc, nodeCharge(e, this.cx), new OperandSizes(this.host, e.operand, e.operand, v, v), e.span, opLabel(e.op));
        return SCALAR;
      }
    }
  }

  private stringLit(e: A.StringLit, frame: Frame, acc: { cost: Cost }): Shape {
    const lens: Sym[] = [];
    for (const p of e.parts) {
      if (p.kind === "StringText") {
        lens.push(S.num(p.value.length));
        continue;
      }
      lens.push(this.displayLength(this.expr(p, frame, acc), this.host.model.types.get(p)));
    }
    if (lens.length === 1 && e.parts[0]?.kind === "StringText") {
      // An Address literal is stored in canonical form (its domain in lower case), which can be longer.
      const t = this.host.model.types.get(e);
      if (t?.kind === "named" && t.name === "Address") {
        const text = (e.parts[0] as A.StringText).value;
        return str(S.num(Math.max(text.length, (canonicalAddress(text) ?? text).length)));
      }
    }
    const len = S.add(...lens);
    this.chargeNode(acc, nodeCharge(e, this.cx), new NamedSizes(this.host, { result: len }), e.span, "building a string");
    return str(len);
  }

  /**
   * How long a value is when shown in a string (compiler/emit `show`): a
   * string its length; any other type at most its declared `maxLength`
   * (and at most its own length when its shape has one: an Address
   * literal). A string-typed value without a string shape is none.
   */
  private displayLength(s: Shape, t: Type | undefined): Sym {
    const base = t?.kind === "optional" ? t.inner : t;
    const isString = base?.kind === "named" && base.name === "string";
    let max: number | undefined;
    if (base?.kind === "named") {
      const spec = this.host.std.typeDecl(base.name);
      if (spec?.maxLength !== undefined) max = spec.maxLength;
      else if (spec?.literals) max = Math.max(...spec.literals.map((l) => l.length));
    }
    if (s.t === "str") return isString || max === undefined ? s.len : S.min(s.len, S.num(max));
    return S.num(max ?? 32);
  }

  private member(e: A.MemberExpr, frame: Frame, acc: { cost: Cost }): Shape {
    const target = this.host.model.members.get(e);
    if (target?.kind === "state") {
      this.stateUsed.add(target.field.name);
      return this.stateField({ name: target.field.name, type: target.field.type });
    }
    const obj = this.expr(e.object, frame, acc);
    const c = nodeCharge(e, this.cx);
    if (c) this.chargeNode(acc, c, new FieldSizes(this.host, obj, this.host.model.types.get(e.object)), e.span, `.${e.name.name}`);
    if (obj.t === "rec") {
      const f = obj.fields.get(e.name.name);
      if (f) return f;
    }
    const t = this.host.model.types.get(e);
    if (!t) return SCALAR;
    const decl = target?.kind === "field" ? target.decl : undefined;
    return inputShape(t, this.host.std, this.bounds, e.name.name, decl);
  }

  private binary(e: A.BinaryExpr, frame: Frame, acc: { cost: Cost }): Shape {
    const l = this.expr(e.left, frame, acc);
    const r = this.expr(e.right, frame, acc);
    // What is charged (nodeCharge, shared with the emitter): a declared operator over its operands' sizes, `==` between strings over their lengths.
    const c = nodeCharge(e, this.cx);
    if (c?.kind === "stringEquality") {
      this.chargeNode(acc, c, new NamedSizes(this.host, { left: stringLength(l), right: stringLength(r) }), e.span, "comparing strings");
    } else if (c) {
      this.chargeNode(acc, c, new OperandSizes(this.host, e.left, e.right, l, r), e.span, opLabel(e.op));
    }
    switch (e.op) {
      case "and":
      case "or":
      case "==":
      case "!=":
        return SCALAR;
      case "??":
        return join(l, r);
      default:
        if (l.t === "str" && r.t === "str") return str(S.add(l.len, r.len));
        return SCALAR;
    }
  }

  private operatorCost(left: A.Expr, right: A.Expr, op: string, l: Shape, r: Shape, node?: A.BinaryExpr): Cost {
    const decl = node ? this.host.model.operators.get(node) : this.findOperator(op, left, right);
    if (!decl) return NONE;
    // Most operators cost a constant: no sizes to read.
    if (typeof decl.cost === "number") return { g: S.num(decl.cost), f: S.ZERO };
    const g = evalCost(decl.cost, new OperandSizes(this.host, left, right, l, r), symDomain);
    return { g, f: S.ZERO };
  }

  private findOperator(op: string, left: A.Expr, right: A.Expr) {
    const lt = this.host.model.types.get(left);
    const rt = this.host.model.types.get(right);
    // By type, not by bound: `state.s += x` with `s: string max 5` is the string `+`.
    if (!lt || !rt) return undefined;
    return this.host.std.operators(op).find((o) => sameType(o.left, lt) && sameType(o.right, rt))?.decl;
  }

  private chargeConstruct(acc: { cost: Cost }, c: CostExpr, sizes: Record<string, Sym>, span: Span, label: string): void {
    if (this.quiet > 0) return;
    const g = evalCost(c, new NamedSizes(this.host, sizes), symDomain);
    this.charge(acc, { g, f: S.ZERO }, span, label);
  }

  /** A node's charge (nodeCharge) on its operands' bounds. */
  private chargeNode(acc: { cost: Cost }, c: NodeCharge | undefined, sizes: CostSizes<Sym>, span: Span, label: string): void {
    if (!c || this.quiet > 0) return;
    if (c.kind === "literal") sizes = new NamedSizes(this.host, { result: S.num(c.count) });
    this.charge(acc, { g: evalCost(c.cost, sizes, symDomain), f: S.ZERO }, span, label);
  }

  private get cx(): ChargeContext {
    return { model: this.host.model, std: this.host.std };
  }

  private chargeDecl(acc: { cost: Cost }, decl: FunctionDecl, sizes: CostSizes<Sym>, span: Span, label: string): Cost {
    if (this.quiet > 0) return NONE;
    const g = evalCost(decl.cost, sizes, symDomain);
    const f = decl.fanout !== undefined ? evalCost(decl.fanout, sizes, symDomain) : S.ZERO;
    const c = { g, f };
    this.charge(acc, c, span, label);
    return c;
  }

  private call(e: A.CallExpr, frame: Frame, acc: { cost: Cost }): Shape {
    const target = this.host.model.calls.get(e);
    if (!target) {
      for (const a of e.args) this.expr(a.value, frame, acc);
      return SCALAR;
    }
    if (target.kind === "fn") return this.fnCall(e, target, frame, acc);
    let receiver: Shape | undefined;
    if (target.kind === "method" && e.callee.kind === "MemberExpr") receiver = this.expr(e.callee.object, frame, acc);
    const args = this.bindArgs(e, target, frame, acc);
    const sizes = new CallSizes(this.host, target, receiver, args);
    this.chargeDecl(acc, target.decl, sizes, e.span, callLabel(target.name));
    this.effects(e, target, args, receiver, frame);
    return this.result(e, target, receiver, sizes);
  }

  private bindArgs(e: A.CallExpr, target: Exclude<CallTarget, { kind: "fn" }>, frame: Frame, acc: { cost: Cost }): Map<string, Shape> {
    const out = new Map<string, Shape>();
    const params = target.sig.params;
    const args = e.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const s = this.expr(a.value, frame, acc);
      const name = a.name ? a.name.name : params[i]?.name;
      if (name) out.set(name, s);
    }
    return out;
  }

  /** What a call does besides costing gas: capabilities, recipients, the reply guard, growth of locals. */
  private effects(e: A.CallExpr, target: Exclude<CallTarget, { kind: "fn" }>, args: Map<string, Shape>, receiver: Shape | undefined, frame: Frame): void {
    const decl = target.decl;
    const record = this.quiet === 0;
    if (decl.capability && record) this.capabilities.add(decl.capability);
    if (target.kind === "method" && decl.mutates && e.callee.kind === "MemberExpr") {
      const root = rootIdent(e.callee.object);
      const sym = root && this.host.model.symbols.get(root);
      if (sym?.kind === "global" && sym.name === "state" && record) this.capabilities.add("state.write");
      // `xs.push(x)` on a local list: one more element, of x's shape.
      if (sym && sym.kind === "var" && receiver?.t === "list" && e.callee.object.kind === "Ident") {
        const pushed = args.values().next().value as Shape | undefined;
        const elem = pushed ? join(receiver.elem, pushed) : receiver.elem;
        const total = S.add(totalOf(receiver), pushed ? totalOf(pushed) : S.ONE);
        frame.locals.set(sym, { ...receiver, count: S.add(receiver.count, S.ONE), elem, total });
      }
    }
    if (decl.fanout !== undefined) {
      const to = args.get("to");
      if (to) {
        const origin = deepOrigin(to);
        if (record) for (const o of origin ?? new Set<Origin>(["any"])) this.recipients.add(o);
        if (origin?.has("list")) this.warn(e.span, makeDiagnostic(verifyMessages.mailLoop, e.span, [target.name]));
      } else if (record) {
        this.recipients.add("sender");
      }
    }
    if (decl.capability === "reply" && !frame.guarded) {
      this.warn(e.span, makeDiagnostic(verifyMessages.unguardedReply, e.span, []));
    }
  }

  private result(
    e: A.CallExpr,
    target: Exclude<CallTarget, { kind: "fn" }>,
    receiver: Shape | undefined,
    sizes: CostSizes<Sym>,
  ): Shape {
    const t = this.host.model.types.get(e);
    if (!t || t.kind === "void") return SCALAR;
    const base = t.kind === "optional" ? t.inner : t;
    const decl = target.decl;
    const resultSize =
      decl.resultSize !== undefined
        ? evalCost(decl.resultSize, sizes, symDomain)
        : undefined;
    // Results typed by the receiver's type parameters take the receiver's inner shapes.
    if (receiver) {
      const elemOf = receiver.t === "list" ? receiver.elem : receiver.t === "map" ? receiver.key : undefined;
      const valueOf = receiver.t === "map" ? receiver.value : undefined;
      const ret = decl.returns.endsWith("?") ? decl.returns.slice(0, -1) : decl.returns;
      if ((ret === "T" || ret === "K" || ret === "Member") && elemOf) return elemOf;
      if (ret === "V" && valueOf) return valueOf;
      if (base.kind === "named" && base.name === "List") {
        const inner = ret === "List<V>" ? valueOf : receiver.t === "str" ? str(receiver.len) : elemOf;
        const list: Shape = { t: "list", count: resultSize ?? sizeFor(receiver, undefined), elem: inner ?? SCALAR };
        // The parts of a string add up to at most the string: loops over them cost O(length), not O(length²).
        if (receiver.t === "str") list.total = receiver.len;
        return withOrigin(list, originOf(receiver));
      }
    }
    if (base.kind === "named" && base.name === "string") {
      if (resultSize === undefined) {
        this.warn(e.span, makeDiagnostic(verifyMessages.unboundedValue, e.span, [`the string ${target.name}(...) returns`]));
        return str(S.ZERO);
      }
      return str(resultSize);
    }
    if (resultSize !== undefined && base.kind === "named" && base.name === "List") {
      return { t: "list", count: resultSize, elem: inputShape(base.args[0] ?? { kind: "error" }, this.host.std, this.bounds, "element") };
    }
    return inputShape(t, this.host.std, this.bounds, `the result of ${e.callee.kind === "MemberExpr" ? e.callee.name.name : "a call"}`);
  }

  private fnCall(e: A.CallExpr, target: Extract<CallTarget, { kind: "fn" }>, frame: Frame, acc: { cost: Cost }): Shape {
    const fn = target.fn;
    const inner: Frame = { locals: new Map(), returns: undefined, guarded: frame.guarded };
    const args = e.args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const s = this.expr(a.value, frame, acc);
      const p = a.name ? fn.params.find((x) => x.name === a.name!.name) : fn.params[i];
      if (p) inner.locals.set(p, s);
    }
    const body = this.block(fn.decl.body, inner);
    if (this.quiet === 0) {
      const c = plus({ g: S.num(this.constructs.fnCall), f: S.ZERO }, body.exit ? maxCost(body.cont, body.exit) : body.cont);
      this.charge(acc, c, e.span, callLabel(fn.name));
    }
    return inner.returns ?? SCALAR;
  }
}

/** `send(...)`: the label of a call's part of a bound, made once per name. */
function callLabel(name: string): string {
  let label = callLabels.get(name);
  if (label === undefined) callLabels.set(name, (label = `${name}(...)`));
  return label;
}
const callLabels = new Map<string, string>();

/** `` `+` ``: the label of an operator's part of a bound, made once per operator. */
function opLabel(op: string): string {
  let label = opLabels.get(op);
  if (label === undefined) opLabels.set(op, (label = `\`${op}\``));
  return label;
}
const opLabels = new Map<string, string>();

// What the cost expressions read (see stdlib/cost-eval.ts), one object per use.

/** The sizes of a call's receiver (`self`) and arguments, by parameter name. */
class CallSizes implements CostSizes<Sym> {
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
class OperandSizes implements CostSizes<Sym> {
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
class FieldSizes implements CostSizes<Sym> {
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
const NO_SIZES: CostSizes<Sym> = { size: () => S.ZERO, total: () => S.ZERO, limit: () => S.ZERO };

/** The length `==` reads of a string operand: a string-typed value without a string shape is none (length 0, as the run measures it). */
function stringLength(s: Shape): Sym {
  return s.t === "str" ? s.len : S.ZERO;
}

/** Sizes given by name (a construct's `result`, `left`, `right`); both `size` and `total` read them. */
class NamedSizes implements CostSizes<Sym> {
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

function elementOf(obj: Shape, _target: CallTarget | undefined): Shape {
  if (obj.t === "list") return obj.elem;
  if (obj.t === "map") return obj.value;
  return SCALAR;
}

function deepOrigin(s: Shape): ReadonlySet<Origin> | undefined {
  const own = originOf(s);
  if (own) return own;
  if (s.t === "list") return deepOrigin(s.elem);
  if (s.t === "rec") return s.fields.get("address") ? deepOrigin(s.fields.get("address")!) : undefined;
  return undefined;
}

function replaceVar(s: Shape, name: string, by: Sym): Shape {
  switch (s.t) {
    case "scalar":
      return s;
    case "str":
      return { ...s, len: S.substitute(s.len, name, by) };
    case "list": {
      const l: Shape = { ...s, count: S.substitute(s.count, name, by), elem: replaceVar(s.elem, name, by) };
      if (s.total) l.total = S.substitute(s.total, name, by);
      return l;
    }
    case "map":
      return { ...s, count: S.substitute(s.count, name, by), key: replaceVar(s.key, name, by), value: replaceVar(s.value, name, by) };
    case "rec":
      return { ...s, fields: new Map([...s.fields].map(([k, v]) => [k, replaceVar(v, name, by)])) };
  }
}

function rootIdent(e: A.Expr): A.Ident | undefined {
  if (e.kind === "Ident") return e;
  if (e.kind === "MemberExpr") return rootIdent(e.object);
  if (e.kind === "IndexExpr") return rootIdent(e.object);
  return undefined;
}

/**
 * `after ≤ acc + d` for a `d` free of `acc`, or undefined when `after`
 * feeds on itself (`2 × acc`, `acc × n`).
 */
export function linearGrowth(after: Sym, acc: string): Sym | undefined {
  if (!S.mentions(after, acc)) return after;
  switch (after.k) {
    case "var":
      return S.ZERO;
    case "at":
      return linearGrowth(after.x, acc);
    case "add": {
      const withAcc = after.xs.filter((x) => S.mentions(x, acc));
      if (withAcc.length !== 1) return undefined;
      const d = linearGrowth(withAcc[0]!, acc);
      if (d === undefined) return undefined;
      return S.add(d, ...after.xs.filter((x) => !S.mentions(x, acc)));
    }
    case "max": {
      const ds = after.xs.map((x) => linearGrowth(x, acc));
      if (ds.some((d) => d === undefined)) return undefined;
      return S.max(...(ds as Sym[]));
    }
    case "cdiv":
      return linearGrowth(after.x, acc);
    case "min": {
      const first = after.xs.find((x) => S.mentions(x, acc))!;
      return linearGrowth(first, acc);
    }
    default:
      return undefined;
  }
}
