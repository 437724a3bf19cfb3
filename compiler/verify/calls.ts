/**
 * Calls: a stdlib call is charged its declared cost (and fan-out) on its
 * arguments' bounds, has its effects (capabilities, recipients, the
 * mail-loop and reply-guard checks, writes through a mutating method) and
 * a result whose shape is its declared bound; a call of a fn is its body's
 * walk, memoised by the shapes it is called with.
 */
import { carriedAs, type CostExpr } from "../../stdlib/decl.js";
import { evalBound, evalCost, type BoundSizes, type CostSizes } from "../../stdlib/cost-eval.js";
import { makeDiagnostic, verifyMessages } from "../diagnostics/catalog/index.js";
import type { CallTarget } from "../semantic/model.js";
import type * as A from "../syntax/ast.js";
import { mutation } from "./mutation.js";
import { carriedPart, inputShape, literalInt, originOf, SCALAR, sized, sizeFor, str, withOrigin, type Origin, type Shape } from "./shapes.js";
import { CallSizes } from "./sizes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import { callLabel, writtenName, mapCost, maxCost, plus, rootIdent, symDomain, type Cost, type FnSummary, type Frame, type LiveValue, type Walk } from "./walk.js";
import { NO_ROOM } from "./writes.js";
import { collectAfter, Slots, substituteAll, substituteShape } from "./growth.js";
import { coerce } from "./mutation.js";
import { actionBytesOf } from "./memory.js";
import { COMPACT_AT, compact } from "./sym-compact.js";
import type { Symbol } from "../semantic/scope.js";

export function call(w: Walk, e: A.CallExpr, frame: Frame, acc: { cost: Cost }): Shape {
  const target = w.host.model.calls.get(e);
  if (!target) {
    for (const a of e.args) w.expr(a.value, frame, acc);
    return SCALAR;
  }
  if (target.kind === "fn") return fnCall(w, e, target, frame, acc);
  let receiver: Shape | undefined;
  if (target.kind === "method" && e.callee.kind === "MemberExpr") receiver = w.expr(e.callee.object, frame, acc);
  const args = bindArgs(w, e, target, frame, acc);
  const sizes = new CallSizes(w.host, target, receiver, args);
  w.chargeDecl(acc, target.decl, sizes, e.span, callLabel(writtenName(e, target.name)));
  // What the call holds while it runs (a compiled pattern) may be alive with everything else (memory.ts).
  if (target.decl.scratch !== undefined && w.quiet === 0) {
    w.live.push({ key: e, bytes: evalCost(target.decl.scratch, sizes, symDomain), span: e.span, what: `the working memory of ${callLabel(writtenName(e, target.name))}` });
  }
  // An action is recorded with its arguments and kept until the run ends (memory.ts).
  if (target.decl.capability !== undefined && w.quiet === 0) {
    // `to: members` is recorded as a mark, not a copy of the roster (the host expands it).
    const byParam = w.host.model.argumentsOf.get(e) ?? [];
    const kept = target.sig.params.flatMap((p, i) => {
      const a = byParam[i];
      const shape = a && !isMembersGlobal(w, a.value) ? args.get(p.name) : undefined;
      // An argument of which the action keeps one field (`thread: m` its Message-ID) counts as that field.
      const field = target.decl.params?.find((d) => d.name === p.name)?.records;
      const recorded = field !== undefined && shape?.t === "rec" ? (shape.fields.get(field) ?? shape) : shape;
      return recorded ? [recorded] : [];
    });
    // A message action (one with a fan-out) also carries the list headers.
    w.charge(acc, { g: S.ZERO, f: S.ZERO, m: actionBytesOf(kept, target.decl.fanout !== undefined) }, e.span, callLabel(writtenName(e, target.name)));
  }
  effects(w, e, target, args, frame);
  return result(w, e, target, receiver, sizes);
}

function isMembersGlobal(w: Walk, e: A.Expr): boolean {
  if (e.kind !== "Ident") return false;
  const sym = w.host.model.symbols.get(e);
  return sym?.kind === "global" && sym.name === "members";
}

export function bindArgs(w: Walk, e: A.CallExpr, target: Exclude<CallTarget, { kind: "fn" }>, frame: Frame, acc: { cost: Cost }): Map<string, Shape> {
  const out = new Map<string, Shape>();
  const params = target.sig.params;
  const byParam = w.host.model.argumentsOf.get(e) ?? [];
  // In the order written (the order they run), each under the parameter the checker bound it to.
  for (const a of e.args) {
    const s = w.expr(a.value, frame, acc);
    const name = params[byParam.indexOf(a)]?.name;
    if (name) out.set(name, s);
  }
  return out;
}

/** What a call does besides costing gas: capabilities, recipients, the reply guard, growth of locals. */
export function effects(w: Walk, e: A.CallExpr, target: Exclude<CallTarget, { kind: "fn" }>, args: Map<string, Shape>, frame: Frame): void {
  const decl = target.decl;
  const record = w.quiet === 0;
  if (decl.capability && record) w.capabilities.add(decl.capability);
  if (target.kind === "method" && decl.mutates && e.callee.kind === "MemberExpr") {
    const root = rootIdent(e.callee.object);
    const sym = root && w.host.model.symbols.get(root);
    if (sym?.kind === "global" && sym.name === "state" && record) w.capabilities.add("state.write");
    mutation(w, e, target.name, decl.grows, target.sig.params.map((p) => args.get(p.name)), frame);
  }
  if (decl.fanout !== undefined) {
    const to = args.get("to");
    if (to) {
      const origin = deepOrigin(to);
      if (record) for (const o of origin ?? new Set<Origin>(["any"])) w.recipients.add(o);
      if (origin?.has("list")) w.warn(e.span, makeDiagnostic(verifyMessages.mailLoop, e.span, [target.name]));
    } else if (record) {
      w.recipients.add("sender");
    }
  }
  if (decl.capability === "reply" && !frame.guarded) {
    w.warn(e.span, makeDiagnostic(verifyMessages.unguardedReply, e.span, []));
  }
}

export function result(
  w: Walk,
  e: A.CallExpr,
  target: Exclude<CallTarget, { kind: "fn" }>,
  receiver: Shape | undefined,
  sizes: CostSizes<Sym>,
): Shape {
  const t = w.host.model.types.get(e);
  if (!t || t.kind === "void") return SCALAR;
  const base = t.kind === "optional" ? t.inner : t;
  const decl = target.decl;
  const what = `the result of ${callLabel(writtenName(e, target.name))}`;
  const bounds = w.boundsAt(e.span);
  // Every bound is a declared formula over the call's sizes (and its literal int arguments); one that cannot be evaluated is refused.
  const withValues: BoundSizes<Sym> = {
    size: (n) => sizes.size(n),
    total: (n) => sizes.total(n),
    limit: (n) => sizes.limit(n),
    value: (n) => {
      const i = target.sig.params.findIndex((p) => p.name === n);
      const v = literalInt(w.host.model.argumentsOf.get(e)?.[i]?.value, w.host.model.constants);
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
    if (decl.carries === "self") return part && sized(part, t) ? part : inputShape(t, w.host.std, bounds, what);
    // `get(k): V?` is one of them (a list itself, when V is); `values(): List<V>` a list of them.
    const listOfParts = carriedAs(decl) === "parts";
    const partType = listOfParts ? elemType ?? t : t;
    const elem = part && sized(part, partType) ? part : inputShape(partType, w.host.std, bounds, listOfParts ? `an element of ${what}` : what);
    if (!listOfParts) return elem;
    const count = bound(decl.resultSize, "the size of") ?? (receiver ? sizeFor(receiver, undefined) : bounds.unbounded(`the size of ${what}`));
    const list: Shape = { t: "list", count, elem };
    // Some of the receiver's elements add up to at most all of them.
    if (receiver?.t === "list" && receiver.total && (elem.t === "str" || elem.t === "scalar")) list.total = receiver.total;
    return withOrigin(list, origin);
  }
  if (base.kind === "named" && base.name === "string") {
    const r = str(bound(decl.resultSize, "the length of") ?? bounds.unbounded(`the length of ${what}`));
    // At most so many characters (`truncate(200)` fits `string max 200`), when the declaration says and the arguments tell.
    const chars = decl.resultChars === undefined ? undefined : evalBound(decl.resultChars, withValues, symDomain);
    return chars === undefined || r.t !== "str" ? r : { ...r, chars: r.chars ? S.min(r.chars, chars) : chars };
  }
  if (isList && elemType) {
    const count = bound(decl.resultSize, "the size of") ?? bounds.unbounded(`the size of ${what}`);
    const elemLen = bound(decl.elementSize, "an element of");
    const elem = elemLen !== undefined ? str(elemLen) : inputShape(elemType, w.host.std, bounds, `an element of ${what}`);
    const list: Shape = { t: "list", count, elem };
    const total = bound(decl.resultTotal, "the elements of");
    if (total !== undefined) list.total = total;
    return withOrigin(list, origin);
  }
  return inputShape(t, w.host.std, bounds, what);
}

/**
 * Precise analyses of one fn (for distinct argument shapes) before calls
 * of it use its summary: enough for real rules, and a call tree whose calls
 * all pass new shapes costs polynomial work, not one analysis per path.
 */
const PRECISE_PER_FN = 2;

export function fnCall(w: Walk, e: A.CallExpr, target: Extract<CallTarget, { kind: "fn" }>, frame: Frame, acc: { cost: Cost }): Shape {
  const fn = target.fn;
  const inner: Frame = { locals: new Map(), returns: undefined, guarded: frame.guarded, room: NO_ROOM };
  const byParam = w.host.model.argumentsOf.get(e) ?? [];
  let key = `${fn.symbol.id}|${frame.guarded ? 1 : 0}`;
  for (const a of e.args) {
    const s = w.expr(a.value, frame, acc);
    const p = fn.params[byParam.indexOf(a)];
    if (p) {
      inner.locals.set(p, s);
      key += `|${p.id}:${shapeKey(s)}`;
    }
  }
  // The same fn called with the same shapes costs the same: a call tree is analysed once per distinct call.
  let done = w.fnMemo.get(key);
  if (!done) {
    const analyses = w.fnAnalyses.get(fn.symbol.id) ?? 0;
    done = analyses >= PRECISE_PER_FN ? instantiate(w, summaryOf(w, fn, frame.guarded), inner.locals) : undefined;
    if (!done) {
      w.fnAnalyses.set(fn.symbol.id, analyses + 1);
      const body = w.block(fn.decl.body, inner);
      const cost = plus({ g: S.num(w.constructs.fnCall), f: S.ZERO }, body.exit ? maxCost(body.cont, body.exit) : body.cont);
      done = { cost: compactCost(cost), returns: inner.returns };
    }
    w.fnMemo.set(key, done);
  }
  if (w.quiet === 0) w.charge(acc, done.cost, e.span, callLabel(fn.name));
  // The fn may have written state: what was known about room no longer holds.
  frame.room = NO_ROOM;
  return done.returns ?? SCALAR;
}

function summaryOf(w: Walk, fn: Extract<CallTarget, { kind: "fn" }>["fn"], guarded: boolean): FnSummary {
  let s = w.fnSummaries.get(fn.symbol.id);
  if (s) return s;
  const slots = new Slots(() => `$p${w.accCounter++}`);
  const params = new Map<Symbol, Shape>();
  const inner: Frame = { locals: new Map(), returns: undefined, guarded, room: NO_ROOM };
  for (const p of fn.params) {
    const shape = anyOrigin(slots.abstract(coerce(SCALAR, p.type, w.host)));
    params.set(p, shape);
    inner.locals.set(p, shape);
  }
  const fitsFrom = w.pendingFits.length;
  const liveFrom = w.live.length;
  const body = w.block(fn.decl.body, inner);
  // Their shapes hold the parameters' slots: checked per call, with the arguments in them.
  const fits = w.pendingFits.splice(fitsFrom);
  const live = oneOfEach(w.live.splice(liveFrom));
  const cost = plus({ g: S.num(w.constructs.fnCall), f: S.ZERO }, body.exit ? maxCost(body.cont, body.exit) : body.cont);
  s = { params, cost: compactCost(cost), returns: inner.returns, fits, live };
  w.fnSummaries.set(fn.symbol.id, s);
  return s;
}

/** A summary with the arguments' measures in its slots; undefined when an argument's shape does not match its parameter's. */
function instantiate(w: Walk, s: FnSummary, args: ReadonlyMap<Symbol, Shape>): { cost: Cost; returns: Shape | undefined } | undefined {
  const measures = new Map<string, Sym>();
  for (const [p, shape] of s.params) {
    const arg = args.get(p);
    if (!arg) return undefined;
    collectAfter(shape, arg, measures);
  }
  for (const [_p, shape] of s.params) for (const v of slotsOf(shape)) if (!measures.has(v)) return undefined;
  const sub = (x: Sym): Sym => substituteAll(x, measures);
  for (const f of s.fits) w.pendingFits.push({ shape: substituteShape(f.shape, sub), check: f.check });
  if (w.quiet === 0) for (const v of s.live) w.live.push({ ...v, bytes: sub(v.bytes) });
  return { cost: compactCost(mapCost(s.cost, sub)), returns: s.returns && substituteShape(s.returns, sub) };
}

/**
 * The values alive in a summary, one per value (each call of a callee adds
 * its own): those of one value over the same variables are merged into
 * their maximum, so a summary's list does not grow with the call tree. (A
 * value whose bound holds a slot of an abandoned loop pass cannot be
 * evaluated, and is left out then; merged only with values over the same
 * variables, it is left out exactly when it would have been.)
 */
function oneOfEach(live: LiveValue[]): LiveValue[] {
  if (live.length < 2) return live;
  const by = new Map<string, LiveValue>();
  const ids = new Map<object, number>();
  for (const v of live) {
    let id = ids.get(v.key);
    if (id === undefined) ids.set(v.key, (id = ids.size));
    const k = `${id}|${[...S.variables(v.bytes)].sort().join(",")}`;
    const prev = by.get(k);
    by.set(k, prev ? { ...prev, bytes: S.max2(prev.bytes, v.bytes) } : v);
  }
  const out: LiveValue[] = [];
  for (const v of by.values()) out.push(v.bytes.k !== "num" && S.sizeOf(v.bytes) > COMPACT_AT ? { ...v, bytes: compact(v.bytes) } : v);
  return out;
}

/**
 * A fn's cost is kept and reused by every call with the same shapes: past
 * COMPACT_AT nodes it is replaced by the polynomial that bounds it
 * (sym-compact.ts), so a deep chain of calls cannot grow it without end.
 */
function compactCost(c: Cost): Cost {
  const big = (x: Sym): boolean => x.k !== "num" && S.sizeOf(x) > COMPACT_AT;
  if (!big(c.g) && !big(c.f) && !(c.m && big(c.m))) return c;
  const out: Cost = { g: big(c.g) ? compact(c.g) : c.g, f: big(c.f) ? compact(c.f) : c.f };
  if (c.m) out.m = big(c.m) ? compact(c.m) : c.m;
  return out;
}

/** The slot variables of a parameter's abstract shape. */
function slotsOf(s: Shape, out: string[] = []): string[] {
  const add = (x: Sym | undefined): void => {
    if (x?.k === "var") out.push(x.name);
  };
  switch (s.t) {
    case "str":
      add(s.len);
      add(s.chars);
      break;
    case "list":
      add(s.count);
      add(s.total);
      slotsOf(s.elem, out);
      break;
    case "map":
      add(s.count);
      slotsOf(s.key, out);
      slotsOf(s.value, out);
      break;
    case "rec":
      for (const f of s.fields.values()) slotsOf(f, out);
      break;
    default:
      break;
  }
  return out;
}

/** Origins unknown: an address from a parameter of a summary may be anyone's. */
function anyOrigin(s: Shape): Shape {
  const any = new Set<Origin>(["any"]);
  switch (s.t) {
    case "str":
      return withOrigin(s, any);
    case "list":
      return withOrigin({ ...s, elem: anyOrigin(s.elem) }, any);
    case "map":
      return { ...s, key: anyOrigin(s.key), value: anyOrigin(s.value) };
    case "rec": {
      const fields = new Map<string, Shape>();
      for (const [k, v] of s.fields) fields.set(k, anyOrigin(v));
      return withOrigin({ ...s, fields }, any);
    }
    default:
      return s;
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

function deepOrigin(s: Shape): ReadonlySet<Origin> | undefined {
  const own = originOf(s);
  if (own) return own;
  if (s.t === "list") return deepOrigin(s.elem);
  if (s.t === "rec") return s.fields.get("address") ? deepOrigin(s.fields.get("address")!) : undefined;
  return undefined;
}
