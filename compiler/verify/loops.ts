/**
 * A `for` loop, walked once (growth.ts solves it): each measure of each
 * local the body changes becomes a slot, the body's effect on the slots
 * at the end of an iteration is solved for the whole loop, and the cost is
 * the iteration's cost with every slot at its largest, times the count —
 * or summed over the elements when their sizes have a known sum. Growth
 * that feeds on itself is refused (TW3004).
 */
import { makeDiagnostic, surfaceOf, verifyMessages } from "../diagnostics/catalog/index.js";
import { exprText } from "../semantic/expr-text.js";
import type { Symbol } from "../semantic/scope.js";
import type * as A from "../syntax/ast.js";
import { collectAfter, rebuild, Slots, solve, substituteAll, substituteShape } from "./growth.js";
import { join, SCALAR, str, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import { operations } from "./units.js";
import { copyLocals, maxCost, pick, plus, rootIdent, type Cost, type Flow, type Frame, type LoopFrame, type Walk } from "./walk.js";
import { NO_ROOM, roomOf } from "./writes.js";

export function forStmt(w: Walk, s: A.ForStmt, frame: Frame, base: Cost): Flow {
  const acc = { cost: base };
  const iter = w.expr(s.iterable, frame, acc);
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
  const aggregate = iter.t === "list" && iter.total !== undefined && elem.t === "str" ? `$elem${w.accCounter++}` : undefined;
  const elemMax = elem.t === "str" ? elem.len : S.ZERO;
  if (aggregate && elem.t === "str") elem = { ...elem, len: S.v(aggregate) };
  const sumOver = (perIteration: Sym): Sym =>
    aggregate && iter.t === "list" && iter.total
      ? S.sumOverElements(perIteration, aggregate, count, iter.total, elemMax)
      : S.mul(count, perIteration);
  const elemVar = aggregate ? { name: aggregate, max: elemMax } : undefined;

  // One pass over the body, each measure of each variable it changes a slot (growth.ts).
  const slots = new Slots(() => `$acc${w.accCounter++}`);
  const placeholders = new Map<Symbol, Shape>();
  const bodyFrame: Frame = { locals: copyLocals(frame.locals), returns: frame.returns, guarded: frame.guarded, room: NO_ROOM };
  for (const sym of assignedIn(w, s.body)) {
    const init = frame.locals.get(sym);
    if (!init) continue;
    const p = slots.abstract(init);
    placeholders.set(sym, p);
    bodyFrame.locals.set(sym, p);
  }
  const nameSym = w.host.model.symbols.get(s.name);
  if (s.key) {
    const keySym = w.host.model.symbols.get(s.key);
    if (keySym) bodyFrame.locals.set(keySym, elem);
    if (nameSym) bodyFrame.locals.set(nameSym, value ?? SCALAR);
  } else if (nameSym) {
    bodyFrame.locals.set(nameSym, elem);
  }
  const iteration = { cost: { g: S.num(w.constructs.iteration + operations(s.where) * w.constructs.operation), f: S.ZERO } };
  if (s.where) {
    w.expr(s.where, bodyFrame, iteration);
    if (w.quiet === 0) w.filters.set(s.where.span.start, s.where.span);
    // The filter runs before every iteration: what it proves holds in the body.
    bodyFrame.room = roomOf(w.host.model, s.where).t;
  }
  const loop: LoopFrame = { carried: [], broken: [], watched: new Set(placeholders.keys()) };
  const fitsFrom = w.pendingFits.length;
  const liveFrom = w.live.length;
  w.loops.push(loop);
  let body: Flow;
  try {
    body = w.block(s.body, bodyFrame);
  } finally {
    w.loops.pop();
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
      w.warn(sym.span, makeDiagnostic(verifyMessages.unboundedGrowth, sym.span, [sym.name]));
    }
  }
  const sub = (x: Sym): Sym => substituteAll(x, solution.finals, elemVar);
  for (let i = fitsFrom; i < w.pendingFits.length; i++) w.pendingFits[i]!.shape = substituteShape(w.pendingFits[i]!.shape, sub);
  // A value built in the body is alive once at a time (the next iteration's replaces it): at its largest, not summed.
  for (let i = liveFrom; i < w.live.length; i++) w.live[i]!.bytes = sub(w.live[i]!.bytes);

  const perIteration = plus(iteration.cost, body.exit ? maxCost(body.cont, body.exit) : body.cont);
  const label = loopLabel(s);
  // The iteration's cost with every slot at its largest; the current element's size stays, to be summed.
  const g = substituteAll(perIteration.g, solution.finals);
  const f = substituteAll(perIteration.f, solution.finals);
  const loopCost: Cost = { g: S.at(sumOver(g), s.span, label), f: S.at(sumOver(f), s.span, label) };
  // Actions are kept until the run ends: their bytes add up over the iterations, like gas.
  if (perIteration.m) loopCost.m = S.at(sumOver(substituteAll(perIteration.m, solution.finals)), s.span, label);
  const cost = plus(acc.cost, loopCost);

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
export function assignedIn(w: Walk, b: A.Block): Set<Symbol> {
  const out = new Set<Symbol>();
  const visitStmt = (s: A.Stmt): void => {
    switch (s.kind) {
      case "AssignStmt": {
        const root = rootIdent(s.target);
        const sym = root && w.host.model.symbols.get(root);
        if (sym && sym.kind === "var") out.add(sym);
        break;
      }
      case "ExprStmt":
        if (s.expr.kind === "CallExpr" && s.expr.callee.kind === "MemberExpr") {
          const t = w.host.model.calls.get(s.expr);
          const root = rootIdent(s.expr.callee.object);
          const sym = root && w.host.model.symbols.get(root);
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
 * A loop's part of a bound, as the rule writes the loop: `the loop at line 12`
 * in a `.thwonk` rule; in a `.ts` rule its `for … of` head (the position is
 * printed beside it, file:line:col, by the cost explanation).
 */
function loopLabel(s: A.ForStmt): string {
  if (surfaceOf(s.span.file) !== "ts") return `the loop at line ${s.span.line}`;
  const over = exprText(s.iterable);
  return s.key ? `the loop \`for (const [${s.key.name}, ${s.name.name}] of ${over}.entries())\`` : `the loop \`for (const ${s.name.name} of ${over})\``;
}
