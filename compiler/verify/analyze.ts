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
 * This file decides the flow of statements and blocks; the rest of the
 * walk is beside it: what it carries (walk.ts), inputs (inputs.ts), loops
 * (loops.ts), expressions (expressions.ts), calls (calls.ts), the sizes
 * costs read (sizes.ts) and writes (mutation.ts).
 */
import type { TriggerInfo } from "../semantic/model.js";
import { throwIfCancelled } from "../cancel.js";
import type * as A from "../syntax/ast.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { expr } from "./expressions.js";
import { messageShape } from "./inputs.js";
import { forStmt } from "./loops.js";
import { assign, coerce } from "./mutation.js";
import { join, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import { statementCharge, statementOperations } from "./units.js";
import { bytesOf } from "./memory.js";
import { GOES_ON, maxCost, NONE, pick, plus, copyLocals, joinReturns, rootIdent, Walk, type Cost, type Flow, type Frame, type TriggerAnalysis } from "./walk.js";
import { both, either, NO_ROOM, roomOf } from "./writes.js";

export type { AnalyzeHost, Cost, RecipientClass, TriggerAnalysis } from "./walk.js";

export class TriggerAnalyzer extends Walk {
  run(trigger: TriggerInfo): TriggerAnalysis {
    const frame: Frame = { locals: new Map(), returns: undefined, guarded: false, room: NO_ROOM };
    let name: string;
    if (trigger.kind === "on") {
      name = `on ${trigger.event}`;
      if (trigger.param && trigger.paramType) {
        frame.locals.set(trigger.param, messageShape(this, trigger.paramType));
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
      actions: total.m ?? S.ZERO,
      live: this.live,
      capabilities: this.capabilities,
      recipients: this.recipients,
      filters: [...this.filters.values()],
      steps: this.steps,
    };
  }

  // ------------------------------------------------------------------ statements

  /**
   * A block is charged, on entry, the static cost of all its statements (as
   * the emitted code does), so a path that leaves it early has paid for the
   * statements after its exit too.
   */
  override block(b: A.Block, frame: Frame): Flow {
    throwIfCancelled(this.host.isCancelled);
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

  /** `charged`: its static cost was charged with its block's. */
  private stmt(s: A.Stmt, frame: Frame, charged = false): Flow {
    this.steps++;
    const base = charged ? NONE : this.stmtBase(s);
    const acc = { cost: base };
    switch (s.kind) {
      case "LetStmt": {
        const v = this.expr(s.init, frame, acc);
        const sym = this.host.model.symbols.get(s.name);
        if (sym) {
          frame.locals.set(sym, coerce(v, sym.type, this.host));
          this.keep(sym, frame, s.span);
        }
        return { cont: acc.cost, exit: undefined, ends: false };
      }
      case "AssignStmt":
        assign(this, s, frame, acc);
        this.keepRoot(s.target, frame, s.span);
        return { cont: acc.cost, exit: undefined, ends: false };
      case "ExprStmt": {
        this.expr(s.expr, frame, acc);
        // A method that grows its receiver (`xs.push(x)`): the local at its new size.
        if (s.expr.kind === "CallExpr" && s.expr.callee.kind === "MemberExpr") this.keepRoot(s.expr.callee.object, frame, s.span);
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
        return forStmt(this, s, frame, acc.cost);
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

  override expr(e: A.Expr, frame: Frame, acc: { cost: Cost }): Shape {
    const shape = expr(this, e, frame, acc);
    // What an expression builds may be alive with everything else (memory.ts); a name or a field read builds nothing.
    if (this.quiet === 0 && shape.t !== "scalar" && e.kind !== "Ident" && e.kind !== "MemberExpr") {
      this.live.push({ key: e, bytes: bytesOf(shape), span: e.span, what: "a value built" });
    }
    return shape;
  }

  /** A local at its current shape, as one of the values alive while the trigger runs. */
  private keep(sym: import("../semantic/scope.js").Symbol, frame: Frame, at: Span): void {
    const shape = frame.locals.get(sym);
    if (this.quiet > 0 || !shape || shape.t === "scalar") return;
    this.live.push({ key: sym, bytes: bytesOf(shape), span: sym.span ?? at, what: `\`${sym.name}\`` });
  }

  private keepRoot(target: A.Expr, frame: Frame, at: Span): void {
    const root = rootIdent(target);
    const sym = root && this.host.model.symbols.get(root);
    if (sym && frame.locals.has(sym)) this.keep(sym, frame, at);
  }
}
