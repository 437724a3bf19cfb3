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
import { evalBound, evalCost, type BoundSizes, type CostDomain, type CostSizes } from "../../stdlib/cost-eval.js";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, verifyMessages } from "../diagnostics/catalog/index.js";
import { sameType } from "../semantic/assign.js";
import type { CallTarget, SemanticModel, TriggerInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import type { StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { carriedPart, inputShape, join, literalInt, originOf, SCALAR, sized, sizeFor, str, totalOf, withOrigin, type InputBounds, type Origin, type Shape } from "./shapes.js";
import { canonicalAddress } from "../emit/values.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import { nodeCharge, operations, statementCharge, statementOperations, type ChargeContext, type NodeCharge } from "./units.js";
import { collectAfter, rebuild, Slots, solve, substituteAll, substituteShape } from "./growth.js";
import { both, declaredAt, either, fitFix, immutableKeyText, NO_ROOM, overflowOf, placeOf, roomOf, shapeAt, stateKey, updateAt, without, type Place, type Room } from "./writes.js";
import { exprText } from "../semantic/util.js";

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
  /** Statements and expressions the analysis visited. */
  steps: number;
}

interface Frame {
  locals: Map<Symbol, Shape>;
  /** Joined shapes of `return` values, in a fn. */
  returns: Shape | undefined;
  /** Replies here are guarded by an `isAutomated()` check. */
  guarded: boolean;
  /** What the conditions in force prove about room in state collections (writes.ts). */
  room: Room;
}

/** The loop being analysed: the locals where an iteration goes on early (`continue`) or leaves (`break`). */
interface LoopFrame {
  carried: Map<Symbol, Shape>[];
  broken: Map<Symbol, Shape>[];
  watched: ReadonlySet<Symbol>;
}

export interface AnalyzeHost {
  model: SemanticModel;
  std: StdlibTypes;
  /** The symbolic variable of a limit. */
  limit(name: string): Sym;
  /** A bound's value at the rule's limits (and state maxima). */
  evaluate(s: Sym): number;
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
  /** Statements and expressions visited: the verifier's work, which a test holds polynomial. */
  steps = 0;
  private readonly loops: LoopFrame[] = [];
  /** Writes into state to check against their bounds, once the loops around them are solved. */
  private readonly pendingFits: { shape: Shape; check: (shape: Shape) => void }[] = [];
  /** Analyses of a fn for the shapes it was called with (a call tree must not be walked exponentially often). */
  private readonly fnMemo = new Map<string, { cost: Cost; returns: Shape | undefined }>();

  private warn(at: Span, d: Diagnostic): void {
    if (this.quiet > 0 || this.warnedAt.has(at.start)) return;
    this.warnedAt.add(at.start);
    this.host.report(d);
  }

  constructor(private readonly host: AnalyzeHost) {}

  run(trigger: TriggerInfo): TriggerAnalysis {
    const frame: Frame = { locals: new Map(), returns: undefined, guarded: false, room: NO_ROOM };
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
    for (const p of this.pendingFits) p.check(p.shape);
    const total = flow.exit ? maxCost(flow.cont, flow.exit) : flow.cont;
    return {
      trigger,
      name,
      gas: total.g,
      fanout: total.f,
      capabilities: this.capabilities,
      recipients: this.recipients,
      filters: [...this.filters.values()],
      steps: this.steps,
    };
  }

  // ------------------------------------------------------------------ inputs

  /** Where values enter: a value no declaration bounds refuses the rule (TW3020), reported at the trigger. */
  private bounds: InputBounds = {
    limit: (name: string): Sym => this.host.limit(name),
    unbounded: (what: string): Sym => this.cannotBound(what, undefined),
  };

  /** The same, reported at a call. */
  private boundsAt(at: Span): InputBounds {
    return { limit: this.bounds.limit, unbounded: (what: string): Sym => this.cannotBound(what, at) };
  }

  /**
   * A size no declaration bounds: the rule is refused (an error; never the
   * size 0 it would otherwise be assumed). The placeholder returned keeps
   * the walk going for the other diagnostics.
   */
  private cannotBound(what: string, at: Span | undefined): Sym {
    const span = at ?? this.host.model.triggers[0]?.decl.span;
    if (span) this.warn(span, makeDiagnostic(verifyMessages.unboundedSize, span, [what]));
    return S.ZERO;
  }

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
      // The members' count is `limits.members` (the Members type declares no field for it); everything inside has its own bound.
      const count = { ...this.bounds, unbounded: (what: string) => (what === "members" ? this.host.limit("members") : this.bounds.unbounded(what)) };
      const shape = inputShape(t, this.host.std, count, "members");
      return this.tagMembers(shape, "members");
    }
    if (sym.name === "list") {
      const shape = inputShape(t, this.host.std, this.bounds, "list");
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
      // A state field without a bound is refused already (TW3003, verify/index.ts): no second error for it.
      s = inputShape(field.type, this.host.std, { ...this.bounds, unbounded: () => S.ZERO }, `state.${field.name}`);
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

  /**
   * A block is charged, on entry, the static cost of all its statements (as
   * the emitted code does), so a path that leaves it early has paid for the
   * statements after its exit too.
   */
  private block(b: A.Block, frame: Frame): Flow {
    let cont = NONE;
    for (const s of b.stmts) cont = plus(cont, this.stmtBase(s));
    let exit: Cost | undefined;
    // The fixed charges of the statements after an exit (paid on entry, counted here where they run).
    let after: number[] | undefined;
    const unpaid = (i: number): Cost => {
      after ??= this.fixedAfter(b);
      return { g: S.num(after[i]!), f: S.ZERO };
    };
    for (let i = 0; i < b.stmts.length; i++) {
      const r = this.stmt(b.stmts[i]!, frame, true);
      if (r.exit) {
        const here = plus(plus(cont, r.exit), unpaid(i));
        exit = exit ? maxCost(exit, here) : here;
      }
      cont = plus(cont, r.cont);
      if (r.ends) {
        const here = plus(cont, unpaid(i));
        return { cont: NONE, exit: exit ? maxCost(exit, here) : here, ends: true };
      }
    }
    return { cont, exit, ends: false };
  }

  /** For each statement, the fixed charges (statementCharge less statement and operations) of those after it. */
  private fixedAfter(b: A.Block): number[] {
    const out = new Array<number>(b.stmts.length).fill(0);
    let sum = 0;
    for (let i = b.stmts.length - 1; i >= 0; i--) {
      out[i] = sum;
      const s = b.stmts[i]!;
      sum += statementCharge(s, this.cx) - (this.constructs.statement + statementOperations(s) * this.constructs.operation);
    }
    return out;
  }

  private stmtBase(s: A.Stmt): Cost {
    if (this.quiet > 0) return NONE;
    return { g: S.num(this.constructs.statement + statementOperations(s) * this.constructs.operation), f: S.ZERO };
  }

  private get constructs() {
    return this.host.std.decl.constructs;
  }

  /** `charged`: its static cost was charged with its block's. */
  private stmt(s: A.Stmt, frame: Frame, charged = false): Flow {
    this.steps++;
    const base = charged ? NONE : this.stmtBase(s);
    const acc = { cost: base };
    switch (s.kind) {
      case "LetStmt": {
        const v = this.expr(s.init, frame, acc);
        const sym = this.host.model.symbols.get(s.name);
        if (sym) frame.locals.set(sym, coerce(v, sym.type, this.host));
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
      case "ContinueStmt": {
        // Charged as if the loop ran fully: nothing to subtract. The locals here go on to the next iteration, or out of the loop.
        const loop = this.loops[this.loops.length - 1];
        if (loop) (s.kind === "BreakStmt" ? loop.broken : loop.carried).push(pick(frame.locals, loop.watched));
        return { cont: acc.cost, exit: undefined, ends: false };
      }
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
    const room = roomOf(this.host.model, s.cond);
    const thenFrame: Frame = { locals: copyLocals(frame.locals), returns: frame.returns, guarded: frame.guarded || guard === "then", room: either(frame.room, room.t) };
    // Without `else`, the else path changes nothing: it reads the frame's own locals (joinInto reads each before it writes it).
    const elseFrame: Frame = { locals: s.else ? copyLocals(frame.locals) : frame.locals, returns: frame.returns, guarded: frame.guarded || guard === "else", room: either(frame.room, room.f) };
    const a = this.block(s.then, thenFrame);
    const b: Flow = s.else
      ? s.else.kind === "IfStmt"
        ? this.stmt(s.else, elseFrame)
        : this.block(s.else, elseFrame)
      : GOES_ON;
    this.joinInto(frame, a.ends ? undefined : thenFrame, b.ends ? undefined : elseFrame);
    // What is known after the `if`: what both paths that go on know.
    frame.room = a.ends && b.ends ? NO_ROOM : a.ends ? elseFrame.room : b.ends ? thenFrame.room : both(thenFrame.room, elseFrame.room);
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
    const elemVar = aggregate ? { name: aggregate, max: elemMax } : undefined;

    // One pass over the body, each measure of each variable it changes a slot (growth.ts).
    const slots = new Slots(() => `$acc${this.accCounter++}`);
    const placeholders = new Map<Symbol, Shape>();
    const bodyFrame: Frame = { locals: copyLocals(frame.locals), returns: frame.returns, guarded: frame.guarded, room: NO_ROOM };
    for (const sym of this.assignedIn(s.body)) {
      const init = frame.locals.get(sym);
      if (!init) continue;
      const p = slots.abstract(init);
      placeholders.set(sym, p);
      bodyFrame.locals.set(sym, p);
    }
    const nameSym = this.host.model.symbols.get(s.name);
    if (s.key) {
      const keySym = this.host.model.symbols.get(s.key);
      if (keySym) bodyFrame.locals.set(keySym, elem);
      if (nameSym) bodyFrame.locals.set(nameSym, value ?? SCALAR);
    } else if (nameSym) {
      bodyFrame.locals.set(nameSym, elem);
    }
    const iteration = { cost: { g: S.num(this.constructs.iteration + operations(s.where) * this.constructs.operation), f: S.ZERO } };
    if (s.where) {
      this.expr(s.where, bodyFrame, iteration);
      if (this.quiet === 0) this.filters.set(s.where.span.start, s.where.span);
      // The filter runs before every iteration: what it proves holds in the body.
      bodyFrame.room = roomOf(this.host.model, s.where).t;
    }
    const loop: LoopFrame = { carried: [], broken: [], watched: new Set(placeholders.keys()) };
    const fitsFrom = this.pendingFits.length;
    this.loops.push(loop);
    let body: Flow;
    try {
      body = this.block(s.body, bodyFrame);
    } finally {
      this.loops.pop();
    }

    // Each slot's value where an iteration ends and the next begins.
    const ends = body.ends ? loop.carried : [pick(bodyFrame.locals, loop.watched), ...loop.carried];
    const after = new Map<string, Sym>();
    const afterShapes = new Map<Symbol, Shape>();
    for (const [sym, p] of placeholders) {
      let a: Shape | undefined;
      for (const e of ends) {
        const x = e.get(sym);
        if (x) a = a ? join(a, x) : x;
      }
      const shape = a ?? p;
      afterShapes.set(sym, shape);
      collectAfter(p, shape, after);
    }
    const solution = solve(slots, after, sumOver, elemVar);
    for (const sym of placeholders.keys()) {
      const p = placeholders.get(sym)!;
      if (hasSlotIn(p, solution.unbounded) && sym.span) {
        this.warn(sym.span, makeDiagnostic(verifyMessages.unboundedGrowth, sym.span, [sym.name]));
      }
    }
    const sub = (x: Sym): Sym => substituteAll(x, solution.finals, elemVar);
    for (let i = fitsFrom; i < this.pendingFits.length; i++) this.pendingFits[i]!.shape = substituteShape(this.pendingFits[i]!.shape, sub);

    const perIteration = plus(iteration.cost, body.exit ? maxCost(body.cont, body.exit) : body.cont);
    const label = `the loop at line ${s.span.line}`;
    // The iteration's cost with every slot at its largest; the current element's size stays, to be summed.
    const g = substituteAll(perIteration.g, solution.finals);
    const f = substituteAll(perIteration.f, solution.finals);
    const cost = plus(acc.cost, { g: S.at(sumOver(g), s.span, label), f: S.at(sumOver(f), s.span, label) });

    // What leaves the loop: the variables at their largest, joined with where `break` left them.
    for (const [sym, p] of placeholders) {
      let out = rebuild(p, afterShapes.get(sym)!, sub);
      for (const b of loop.broken) {
        const x = b.get(sym);
        if (x) out = join(out, substituteShape(x, sub));
      }
      frame.locals.set(sym, join(frame.locals.get(sym)!, out));
    }
    if (bodyFrame.returns && bodyFrame.returns !== frame.returns) frame.returns = substituteShape(bodyFrame.returns, sub);
    // Facts about room do not survive a loop that may write state.
    frame.room = NO_ROOM;
    if (body.exit) return { cont: cost, exit: cost, ends: false };
    return { cont: cost, exit: undefined, ends: false };
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
    const place = placeOf(this.host.model, s.target);
    // `x += v` on a string: the new value is the old one and v.
    let target: Shape | undefined;
    if (s.target.kind !== "Ident") target = this.expr(s.target, frame, acc);
    else if (place?.root === "local") target = frame.locals.get(place.sym);
    let written = value;
    if (s.op !== "=" && target) {
      if (target.t === "str" && value.t === "str") {
        written = withOrigin(concat(target, value), originOf(target));
        if (this.quiet === 0) this.charge(acc, this.operatorCost(s.target, s.value, "+", target, value), s.span, "+=");
      } else {
        written = target;
      }
    }
    if (!place) return;
    if (place.root === "local") {
      const old = frame.locals.get(place.sym);
      if (!old) return;
      frame.locals.set(place.sym, updateAt(old, place.fields, () => coerce(written, this.host.model.types.get(s.target) ?? place.sym.type, this.host)));
      return;
    }
    if (this.quiet === 0) this.capabilities.add("state.write");
    this.checkFits(place, written, s.value, s.span, undefined, s.op === "=" ? undefined : { target: exprText(s.target), text: `${exprText(s.target)} + ${exprText(s.value)}` });
    frame.room = without(frame.room, stateKey(place)!);
  }

  /** A value written into state must fit the place's declared bounds (TW3005). */
  /**
   * A value written into state must fit the place's declared bounds
   * (TW3005). Inside a loop its shape may hold the loop's slots and element
   * size: it is checked once the loops around it are solved (`pendingFits`).
   */
  private checkFits(place: Extract<Place, { root: "state" }>, value: Shape, valueExpr: A.Expr, at: A.Expr["span"], declared = declaredAt(place), written?: { target: string; text: string }): void {
    if (!declared) return;
    this.pendingFits.push({ shape: value, check: (shape) => this.reportFit(place, shape, declared, valueExpr, at, written) });
  }

  private reportFit(place: Extract<Place, { root: "state" }>, value: Shape, declared: Type, valueExpr: A.Expr, at: A.Expr["span"], written?: { target: string; text: string }): void {
    const o = overflowOf(value, declared, (x) => this.host.evaluate(x));
    if (!o) return;
    // `{ subject: m.subject, ... }`: point at the field's own value.
    let field = /^the field `([^`]+)` of $/.exec(o.where);
    while (field && valueExpr.kind === "BraceLit") {
      const entry = valueExpr.entries.find((en) => en.key.kind === "Ident" && en.key.name === field![1]);
      if (!entry) break;
      valueExpr = entry.value;
      o.where = "";
      field = null;
    }
    // `state.s += x` writes `state.s + x`: the fix makes the whole of it fit.
    const fix = written === undefined ? fitFix(o) : undefined;
    const text = written?.text ?? exprText(valueExpr);
    if (written !== undefined && o.where === "" && o.unit === "characters") {
      this.warn(at, makeDiagnostic(verifyMessages.overBound, valueExpr.span, [text, "", o.value, o.unit, stateKey(place)!, o.max, `${written.target} = (${text}).truncate(${o.max})`]));
      return;
    }
    this.warn(at, makeDiagnostic(verifyMessages.overBound, valueExpr.span, [
      text, o.where, o.value, o.unit, stateKey(place)!, o.max, fix ? `${text}${fix}` : undefined,
    ], fix && valueExpr.kind !== "ErrorExpr" ? { fix: { description: `Write \`${text}${fix}\``, edits: [{ span: { ...valueExpr.span, start: valueExpr.span.end, line: valueExpr.span.endLine, col: valueExpr.span.endCol }, newText: fix }] } } : undefined));
  }

  /**
   * `xs.push(x)`, `m.set(k, v)`, `r.items.push(x)`: the changed collection
   * at its place — a local's shape grows; a state field's write must fit
   * its bounds and, when it grows, have room.
   */
  private mutation(e: A.CallExpr, name: string, args: Map<string, Shape>, receiver: Shape | undefined, frame: Frame): void {
    if (e.callee.kind !== "MemberExpr") return;
    const place = placeOf(this.host.model, e.callee.object);
    if (!place) return;
    const grows = name === "push" || name === "set";
    if (!grows) return; // `remove` and the like only shrink: the bound stands
    const argList = [...args.values()];
    if (place.root === "local") {
      const old = frame.locals.get(place.sym);
      if (!old) return;
      frame.locals.set(place.sym, updateAt(old, place.fields, (c) => grown(c, name, argList)));
      return;
    }
    const declared = declaredAt(place);
    const base = declared?.kind === "optional" ? declared.inner : declared;
    if (base?.kind !== "named") return;
    // What is stored must fit: the element (push), the key and the value (set).
    if (name === "push" && base.args[0] && argList[0]) {
      this.checkFits(place, argList[0], e.args[0]!.value, e.span, base.args[0]);
    } else if (name === "set" && base.args[0] && base.args[1]) {
      if (argList[0]) this.checkFits(place, argList[0], e.args[0]!.value, e.span, base.args[0]);
      if (argList[1]) this.checkFits(place, argList[1], e.args[1]!.value, e.span, base.args[1]);
    }
    const key = stateKey(place)!;
    if (base.max !== undefined) {
      const keyText = name === "set" && e.args[0] ? immutableKeyText(this.host.model, e.args[0].value) : undefined;
      const w = { key, kind: name as "push" | "set", max: base.max, ...(keyText !== undefined ? { keyText } : {}) };
      if (!frame.room.allows(w)) {
        this.warn(e.span, makeDiagnostic(verifyMessages.mayFillUp, e.span, [`${key}.${name}(...)`, key, base.max, name === "set" && e.args[0] ? exprText(e.args[0].value) : undefined]));
      }
    }
    frame.room = without(frame.room, key);
    void receiver;
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
    this.steps++;
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
        if (l.t === "str" && r.t === "str") return concat(l, r);
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
    return literalBound(e, target.name, this.result(e, target, receiver, sizes));
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
      this.mutation(e, target.name, args, receiver, frame);
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
    const what = `the result of ${callLabel(target.name)}`;
    const bounds = this.boundsAt(e.span);
    // Every bound is a declared formula over the call's sizes (and its literal int arguments); one that cannot be evaluated is refused.
    const withValues: BoundSizes<Sym> = {
      size: (n) => sizes.size(n),
      total: (n) => sizes.total(n),
      limit: (n) => sizes.limit(n),
      value: (n) => {
        const i = target.sig.params.findIndex((p) => p.name === n);
        const arg = e.args.find((a) => a.name?.name === n) ?? (e.args[i] && !e.args[i]!.name ? e.args[i] : undefined);
        const v = literalInt(arg?.value);
        return v === undefined ? undefined : S.num(Math.max(0, v));
      },
    };
    const bound = (x: CostExpr | undefined, part: string): Sym | undefined => {
      if (x === undefined) return undefined;
      return evalBound(x, withValues, symDomain) ?? bounds.unbounded(`${part} ${what}`);
    };
    const isList = base.kind === "named" && base.name === "List";
    const elemType = isList && base.kind === "named" ? base.args[0] ?? { kind: "error" as const } : undefined;
    const origin = receiver ? originOf(receiver) : undefined;
    if (decl.carries) {
      // The receiver's own values: their shapes carry over, when the receiver has them.
      const part = receiver ? carriedPart(receiver, decl.carries) : undefined;
      if (decl.carries === "self") return part && sized(part, t) ? part : inputShape(t, this.host.std, bounds, what);
      // `get(k): V?` is one of them (a list itself, when V is); `values(): List<V>` a list of them.
      const listOfParts = /^List</.test(decl.returns);
      const partType = listOfParts ? elemType ?? t : t;
      const elem = part && sized(part, partType) ? part : inputShape(partType, this.host.std, bounds, listOfParts ? `an element of ${what}` : what);
      if (!listOfParts) return elem;
      const count = bound(decl.resultSize, "the size of") ?? (receiver ? sizeFor(receiver, undefined) : bounds.unbounded(`the size of ${what}`));
      const list: Shape = { t: "list", count, elem };
      // Some of the receiver's elements add up to at most all of them.
      if (receiver?.t === "list" && receiver.total && (elem.t === "str" || elem.t === "scalar")) list.total = receiver.total;
      return withOrigin(list, origin);
    }
    if (base.kind === "named" && base.name === "string") {
      return str(bound(decl.resultSize, "the length of") ?? bounds.unbounded(`the length of ${what}`));
    }
    if (isList && elemType) {
      const count = bound(decl.resultSize, "the size of") ?? bounds.unbounded(`the size of ${what}`);
      const elemLen = bound(decl.elementSize, "an element of");
      const elem = elemLen !== undefined ? str(elemLen) : inputShape(elemType, this.host.std, bounds, `an element of ${what}`);
      const list: Shape = { t: "list", count, elem };
      const total = bound(decl.resultTotal, "the elements of");
      if (total !== undefined) list.total = total;
      return withOrigin(list, origin);
    }
    return inputShape(t, this.host.std, bounds, what);
  }

  private fnCall(e: A.CallExpr, target: Extract<CallTarget, { kind: "fn" }>, frame: Frame, acc: { cost: Cost }): Shape {
    const fn = target.fn;
    const inner: Frame = { locals: new Map(), returns: undefined, guarded: frame.guarded, room: NO_ROOM };
    const args = e.args;
    let key = `${fn.symbol.id}|${frame.guarded ? 1 : 0}`;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const s = this.expr(a.value, frame, acc);
      const p = a.name ? fn.params.find((x) => x.name === a.name!.name) : fn.params[i];
      if (p) {
        inner.locals.set(p, s);
        key += `|${p.id}:${shapeKey(s)}`;
      }
    }
    // The same fn called with the same shapes costs the same: a call tree is analysed once per distinct call.
    let done = this.fnMemo.get(key);
    if (!done) {
      const body = this.block(fn.decl.body, inner);
      const cost = plus({ g: S.num(this.constructs.fnCall), f: S.ZERO }, body.exit ? maxCost(body.cont, body.exit) : body.cont);
      done = { cost, returns: inner.returns };
      this.fnMemo.set(key, done);
    }
    if (this.quiet === 0) this.charge(acc, done.cost, e.span, callLabel(fn.name));
    // The fn may have written state: what was known about room no longer holds.
    frame.room = NO_ROOM;
    return done.returns ?? SCALAR;
  }
}

/** A text that identifies a shape (for the fn memo). */
function shapeKey(s: Shape): string {
  switch (s.t) {
    case "scalar":
      return "_";
    case "str":
      return `s(${S.structId(s.len)};${s.chars ? S.structId(s.chars) : ""};${[...(s.origin ?? [])].join(",")})`;
    case "list":
      return `l(${S.structId(s.count)};${s.total ? S.structId(s.total) : ""};${shapeKey(s.elem)};${[...(s.origin ?? [])].join(",")})`;
    case "map":
      return `m(${S.structId(s.count)};${shapeKey(s.key)};${shapeKey(s.value)})`;
    case "rec":
      return `r(${[...s.fields].map(([k, v]) => `${k}=${shapeKey(v)}`).join(",")};${[...(s.origin ?? [])].join(",")})`;
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

function rootIdent(e: A.Expr): A.Ident | undefined {
  if (e.kind === "Ident") return e;
  if (e.kind === "MemberExpr") return rootIdent(e.object);
  if (e.kind === "IndexExpr") return rootIdent(e.object);
  return undefined;
}

/** A collection after `push(x)` or `set(k, v)`: one more element, of the stored shapes. */
function grown(c: Shape, name: string, args: Shape[]): Shape {
  if (name === "push" && c.t === "list") {
    const pushed = args[0];
    const elem = pushed ? join(c.elem, pushed) : c.elem;
    return { ...c, count: S.add(c.count, S.ONE), elem, total: S.add(totalOf(c), pushed ? totalOf(pushed) : S.ONE) };
  }
  if (name === "set" && c.t === "map") {
    const [k, v] = args;
    return { ...c, count: S.add(c.count, S.ONE), key: k ? join(c.key, k) : c.key, value: v ? join(c.value, v) : c.value };
  }
  return c;
}

/** The locals of `watched` in `m`: what a loop carries from one iteration to the next. */
function pick(m: ReadonlyMap<Symbol, Shape>, watched: ReadonlySet<Symbol>): Map<Symbol, Shape> {
  const out = new Map<Symbol, Shape>();
  for (const sym of watched) {
    const x = m.get(sym);
    if (x) out.set(sym, x);
  }
  return out;
}

function hasSlotIn(s: Shape, names: ReadonlySet<string>): boolean {
  if (names.size === 0) return false;
  const has = (x: Sym | undefined): boolean => x !== undefined && [...S.variables(x)].some((v) => names.has(v));
  switch (s.t) {
    case "scalar":
      return false;
    case "str":
      return has(s.len) || has(s.chars);
    case "list":
      return has(s.count) || has(s.total) || hasSlotIn(s.elem, names);
    case "map":
      return has(s.count) || hasSlotIn(s.key, names) || hasSlotIn(s.value, names);
    case "rec":
      return [...s.fields.values()].some((f) => hasSlotIn(f, names));
  }
}

/**
 * A value's shape as the variable's type has it: `none` in a `string?`
 * is an empty string that may grow, `[]` a list of empty elements, so
 * every measure a loop may grow has a place in the shape.
 */
function coerce(s: Shape, t: Type, host: AnalyzeHost, depth = 0): Shape {
  if (depth > 8) return s;
  const base = t.kind === "optional" ? t.inner : t;
  if (base.kind === "record") {
    const fields = new Map<string, Shape>(s.t === "rec" ? s.fields : []);
    for (const [name, f] of base.fields) fields.set(name, coerce(fields.get(name) ?? SCALAR, f.type, host, depth + 1));
    return s.t === "rec" ? { ...s, fields } : { t: "rec", fields };
  }
  if (base.kind !== "named") return s;
  if (base.name === "string") return s.t === "str" ? s : str(S.ZERO);
  if (base.name === "List") {
    const elemT = base.args[0];
    if (s.t === "list") return elemT ? { ...s, elem: coerce(s.elem, elemT, host, depth + 1) } : s;
    return { t: "list", count: S.ZERO, elem: elemT ? coerce(SCALAR, elemT, host, depth + 1) : SCALAR, total: S.ZERO };
  }
  if (base.name === "Map") {
    const [kt, vt] = base.args;
    if (s.t === "map") return { ...s, key: kt ? coerce(s.key, kt, host, depth + 1) : s.key, value: vt ? coerce(s.value, vt, host, depth + 1) : s.value };
    return { t: "map", count: S.ZERO, key: kt ? coerce(SCALAR, kt, host, depth + 1) : SCALAR, value: vt ? coerce(SCALAR, vt, host, depth + 1) : SCALAR };
  }
  return s;
}

/**
 * `s.truncate(200)`, `xs.take(50)` with a literal: the result is bounded by
 * the literal too (200 characters, so at most 400 UTF-16 units; 50
 * elements), which is what lets it fit a state field's `max`.
 */
function literalBound(e: A.CallExpr, name: string, r: Shape): Shape {
  const arg = e.args[0]?.value;
  if (arg?.kind !== "IntLit" || e.args.length !== 1) return r;
  const k = S.num(Math.max(0, arg.value));
  if (name === "truncate" && r.t === "str") return { ...r, len: S.min(r.len, S.mul(S.num(2), k)), chars: r.chars ? S.min(r.chars, k) : k };
  if (name === "take" && r.t === "list") {
    const l: Shape = { ...r, count: S.min(r.count, k) };
    return l;
  }
  return r;
}

/** `a + b` on strings: the lengths add, and so do the characters. */
function concat(a: Extract<Shape, { t: "str" }>, b: Extract<Shape, { t: "str" }>): Shape {
  const out = str(S.add(a.len, b.len));
  return a.chars || b.chars ? { ...out, chars: S.add(a.chars ?? a.len, b.chars ?? b.len) } as Shape : out;
}
