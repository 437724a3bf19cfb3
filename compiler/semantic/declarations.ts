/**
 * The rule's top-level declarations after binding: `type`s, `fn` signatures
 * and bodies, the `state` block, `limits`, `settings` and the triggers
 * (`on message(m)`, `every day at 00:00`) with their bodies. Everything
 * about limits, settings and triggers is read from the stdlib declaration.
 */
import type { Entry, Expr, FnDecl, StateField } from "../syntax/ast.js";
import { q } from "../diagnostics/catalog/define.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import { sameType } from "./assign.js";
import type { Ctx } from "./context.js";
import { checkAgainst, checkExpr } from "./expressions.js";
import type { FnInfo, TriggerInfo } from "./model.js";
import type { TopLevel } from "./binder.js";
import { checkSchedule } from "./schedule.js";
import { newSymbol } from "./scope.js";
import { checkBody, reportUnused } from "./statements.js";
import type { SigParam } from "./stdlib-types.js";
import { closest, renameFix } from "./suggest.js";
import { resolveTypeNode, resolveUserType } from "./typenodes.js";
import { errorType, voidType, typeToString, type Type } from "./types.js";
import { isConstant, plainString } from "./expr-text.js";
import { listWords } from "../diagnostics/catalog/define.js";
import { spellingOf, surfaceOf } from "../diagnostics/catalog/spelling.js";

// ---------------------------------------------------------------- types and signatures

export function resolveTypes(ctx: Ctx): void {
  for (const name of ctx.userTypes.keys()) resolveUserType(ctx, name);
}

export function resolveSignatures(ctx: Ctx, fns: readonly FnDecl[], table: ReadonlyMap<string, FnInfo> = ctx.model.fns): void {
  for (const d of fns) {
    const info = table.get(d.name.name);
    if (!info || info.decl !== d) continue;
    const params: SigParam[] = [];
    const seen = new Set<string>();
    for (const p of d.params) {
      let t: Type = errorType;
      if (p.type) t = resolveTypeNode(ctx, p.type);
      else ctx.report(M.paramNeedsType, p.name.span, [p.name.name]);
      if (seen.has(p.name.name)) ctx.report(M.duplicateDeclaration, p.name.span, ["The parameter", p.name.name]);
      seen.add(p.name.name);
      const sym = newSymbol("param", p.name.name, p.name.span, t, p);
      ctx.model.symbols.set(p.name, sym);
      ctx.model.declarations.push(sym);
      info.params.push(sym);
      params.push({ name: p.name.name, type: t, optional: false });
    }
    const returns = d.returnType ? resolveTypeNode(ctx, d.returnType) : voidType;
    info.sig = { name: info.name, params, returns };
    info.symbol.type = returns;
  }
}

// ---------------------------------------------------------------- state

/** A stdlib type may be stored when it is a plain value (equatable) or a collection of storable values. */
function unstorable(ctx: Ctx, t: Type): Type | undefined {
  switch (t.kind) {
    case "optional":
      return unstorable(ctx, t.inner);
    case "record":
      for (const f of t.fields.values()) {
        const u = unstorable(ctx, f.type);
        if (u) return u;
      }
      return undefined;
    case "named": {
      const d = ctx.std.typeDecl(t.name);
      if (d?.typeParams?.length) {
        for (const a of t.args) {
          const u = unstorable(ctx, a);
          if (u) return u;
        }
        return undefined;
      }
      return d?.equatable ? undefined : t;
    }
    default:
      return undefined;
  }
}

/** Types whose fields start empty without an initial value: optionals, bool, int, string, Duration, lists, maps, and records of them. */
export function hasZeroValue(t: Type): boolean {
  switch (t.kind) {
    case "optional":
    case "error":
      return true;
    case "named":
      return ["bool", "int", "string", "Duration", "List", "Map"].includes(t.name);
    case "record":
      return [...t.fields.values()].every((f) => hasZeroValue(f.type));
    default:
      return false;
  }
}

/**
 * A constant initial value must fit every `max` in its field's type, at any depth: the state a rule
 * starts with is stored as it is, and the verifier counts on every stored value being within bounds.
 * Strings count characters (code points), lists elements, maps entries.
 */
function checkInitBounds(ctx: Ctx, e: Expr, t: Type): void {
  const base = t.kind === "optional" ? t.inner : t;
  if (base.kind === "record") {
    if (e.kind !== "BraceLit") return;
    for (const en of e.entries) {
      const f = en.key.kind === "Ident" ? base.fields.get(en.key.name) : undefined;
      if (f) checkInitBounds(ctx, en.value, f.type);
    }
    return;
  }
  if (base.kind !== "named") return;
  const over = (count: number, unit: string, span: Expr["span"]): void => {
    if (base.max !== undefined && count > base.max) ctx.report(M.initOverMax, span, [count, unit, typeToString(base), base.max]);
  };
  if (base.name === "string") {
    const text = plainString(e);
    if (text !== undefined) over(codePoints(text), "character", e.span);
  } else if (base.name === "List" && e.kind === "ListLit") {
    over(e.elements.length, "element", e.span);
    for (const x of e.elements) checkInitBounds(ctx, x, base.args[0]!);
  } else if (base.name === "Map" && e.kind === "BraceLit") {
    over(e.entries.length, "entry", e.span); // a key given twice is an error of its own (TW2034)
    for (const en of e.entries) {
      checkInitBounds(ctx, en.key, base.args[0]!);
      checkInitBounds(ctx, en.value, base.args[1]!);
    }
  }
}

/** Characters as `string max N` counts them: code points (a surrogate pair is one). */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function checkState(ctx: Ctx, fields: readonly StateField[]): void {
  const stateType = ctx.model.stateType;
  for (const f of fields) {
    const name = f.name.name;
    const t = resolveTypeNode(ctx, f.type);
    const bad = unstorable(ctx, t);
    if (bad) ctx.report(M.stateNotStorable, f.type.span, [typeToString(bad)]);
    if (f.init) {
      if (!isConstant(f.init)) {
        ctx.report(M.stateInitNotConstant, f.init.span, []);
        checkExpr(ctx, f.init, t);
      } else {
        const before = ctx.diagnostics.length;
        checkAgainst(ctx, f.init, t);
        if (ctx.diagnostics.length === before) checkInitBounds(ctx, f.init, t);
      }
    } else if (!hasZeroValue(t)) {
      ctx.report(M.stateNeedsInit, f.name.span, [name, typeToString(t)]);
    }
    if (stateType.fields.has(name)) {
      ctx.report(M.duplicateDeclaration, f.name.span, ["The state field", name]);
      continue;
    }
    const symbol = newSymbol("state", name, f.name.span, t, f);
    ctx.model.symbols.set(f.name, symbol);
    ctx.model.declarations.push(symbol);
    stateType.fields.set(name, { name, type: t, span: f.name.span });
    ctx.model.state.push({ name, symbol, type: t, max: t.kind === "named" ? t.max : undefined, init: f.init, decl: f });
  }
}

// ---------------------------------------------------------------- limits and settings

export function checkLimits(ctx: Ctx, entries: readonly Entry[]): void {
  const limits = ctx.std.decl.limits;
  const known = Object.keys(limits);
  for (const [name, decl] of Object.entries(limits)) {
    ctx.model.limits.set(name, { name, value: decl.default, declared: undefined, decl });
  }
  const seen = new Set<string>();
  for (const e of entries) {
    const name = e.name.name;
    const decl = Object.hasOwn(limits, name) ? limits[name] : undefined;
    checkExpr(ctx, e.value);
    if (!decl) {
      const best = closest(name, known);
      ctx.report(M.unknownLimit, e.name.span, [name, listWords(known), didYouMean(best) || undefined], renameFix(e.name.span, best));
      continue;
    }
    if (seen.has(name)) {
      ctx.report(M.duplicateDeclaration, e.name.span, ["The limit", name]);
      continue;
    }
    seen.add(name);
    const v = e.value;
    const value = limitValue(ctx, v);
    if (value === undefined || !Number.isSafeInteger(value) || value <= 0) {
      if (v.kind !== "ErrorExpr") ctx.report(M.invalidLimit, v.span, [name]);
      continue;
    }
    if (value > decl.ceiling) {
      ctx.report(M.limitTooHigh, v.span, [name, value, decl.ceiling, decl.unit]);
      continue;
    }
    ctx.model.limits.set(name, { name, value, declared: e.span, decl });
  }
}

/** A limit's value: a whole number, an int constant, or a product of them (`32 * 1024 * 1024` bytes). */
function limitValue(ctx: Ctx, e: Entry["value"]): number | undefined {
  if (e.kind === "IntLit") return e.value;
  if (e.kind === "Ident") {
    const c = ctx.model.constants.get(e);
    return typeof c?.value === "number" && c.type.kind === "named" && c.type.name === "int" ? c.value : undefined;
  }
  if (e.kind === "BinaryExpr" && e.op === "*") {
    const a = limitValue(ctx, e.left);
    const b = limitValue(ctx, e.right);
    return a !== undefined && b !== undefined ? a * b : undefined;
  }
  return undefined;
}

export function checkSettings(ctx: Ctx, entries: readonly Entry[]): void {
  const settings = ctx.std.decl.settings;
  const known = Object.keys(settings);
  for (const [name, decl] of Object.entries(settings)) {
    ctx.model.settings.set(name, { name, value: decl.default, declared: undefined, decl });
  }
  const seen = new Set<string>();
  for (const e of entries) {
    const name = e.name.name;
    const decl = Object.hasOwn(settings, name) ? settings[name] : undefined;
    if (!decl) {
      const best = closest(name, known);
      ctx.report(M.unknownSetting, e.name.span, [name, listWords(known), didYouMean(best) || undefined], renameFix(e.name.span, best));
      checkExpr(ctx, e.value);
      continue;
    }
    if (seen.has(name)) {
      ctx.report(M.duplicateDeclaration, e.name.span, ["The setting", name]);
      continue;
    }
    seen.add(name);
    const text = plainString(e.value);
    if (text === undefined) {
      if (e.value.kind !== "ErrorExpr") ctx.report(M.settingNotLiteral, e.value.span, [name]);
      continue;
    }
    const before = ctx.diagnostics.length;
    checkAgainst(ctx, e.value, ctx.std.type(decl.type));
    if (ctx.diagnostics.length === before) ctx.model.settings.set(name, { name, value: text, declared: e.span, decl });
  }
}

// ---------------------------------------------------------------- triggers

export function checkTriggers(ctx: Ctx, top: TopLevel): void {
  const triggers = ctx.std.decl.triggers;
  const known = Object.keys(triggers);
  const seenEvents = new Set<string>();
  for (const d of top.ons) {
    const event = d.event.name;
    const decl = Object.hasOwn(triggers, event) ? triggers[event] : undefined;
    let paramType: Type | undefined;
    if (!decl) {
      const best = closest(event, known);
      // Named as the rule names triggers: `on message` (the fix renames the event), a `.ts` rule's `onMessage` (the fix renames the function).
      const ts = surfaceOf(d.event.span.file) === "ts";
      ctx.report(
        M.unknownTrigger,
        d.event.span,
        [event, (s) => listWords(known.map((k) => s.trigger("on " + k))), best === undefined ? undefined : (s) => didYouMean(ts ? s.trigger("on " + best) : best)],
        renameFix(d.event.span, best, best !== undefined && ts ? spellingOf("ts").trigger("on " + best) : best),
      );
    } else {
      paramType = decl.param !== undefined ? ctx.std.type(decl.param) : undefined;
      if (seenEvents.has(event)) ctx.report(M.duplicateTrigger, d.event.span, ["on " + event]);
      seenEvents.add(event);
    }
    let param ;
    if (d.param) {
      let t: Type = paramType ?? errorType;
      if (decl && !paramType) ctx.report(M.triggerParam, d.param.span, [event, undefined]);
      if (d.param.type) {
        const written = resolveTypeNode(ctx, d.param.type);
        if (paramType && !sameType(written, paramType)) {
          ctx.report(M.triggerParam, d.param.type.span, [event, typeToString(paramType)]);
          t = errorType; // what the body does with it follows the written type: no second diagnostic
        } else if (!decl) t = written;
      }
      param = newSymbol("param", d.param.name.name, d.param.name.span, t, d.param);
      ctx.model.symbols.set(d.param.name, param);
      ctx.model.declarations.push(param);
    }
    ctx.model.triggers.push({ kind: "on", event, decl: d, param, paramType });
  }
  const seenSchedules = new Set<string>();
  for (const d of top.everys) {
    const schedule = checkSchedule(ctx, d.schedule);
    if (!schedule) continue;
    if (seenSchedules.has(schedule.text)) ctx.report(M.duplicateTrigger, d.schedule.span, ["every " + schedule.text]);
    seenSchedules.add(schedule.text);
    ctx.model.triggers.push({ kind: "every", decl: d, schedule });
  }
}

function freshFlow(ctx: Ctx): void {
  ctx.facts = new Map();
  ctx.loopDepth = 0;
  ctx.iterating = [];
}

export function checkTriggerBodies(ctx: Ctx, top: TopLevel): void {
  const byDecl = new Map<unknown, TriggerInfo>(ctx.model.triggers.map((t) => [t.decl, t]));
  for (const d of [...top.ons, ...top.everys].sort((a, b) => a.span.start - b.span.start)) {
    const info = byDecl.get(d);
    const what = d.kind === "OnDecl" ? `on ${d.event.name}` : info?.kind === "every" ? `every ${info.schedule.text}` : "every";
    ctx.body = { kind: "trigger", what };
    freshFlow(ctx);
    ctx.inScope("trigger", (scope) => {
      if (info?.kind === "on" && info.param) scope.declare(info.param);
      checkBody(ctx, d.body);
      reportUnused(ctx, scope);
    });
  }
  ctx.body = { kind: "top" };
}

export function checkFnBodies(ctx: Ctx, fns: readonly FnDecl[], table: ReadonlyMap<string, FnInfo> = ctx.model.fns): void {
  for (const d of fns) {
    const info = table.get(d.name.name);
    if (!info || info.decl !== d) continue;
    ctx.body = { kind: "fn", fn: info };
    freshFlow(ctx);
    ctx.inScope("fn", (scope) => {
      for (const p of info.params) if (!scope.own(p.name)) scope.declare(p);
      const ends = checkBody(ctx, d.body);
      const ret = info.sig.returns;
      if (!ends && ret.kind !== "void" && ret.kind !== "error") ctx.report(M.missingReturn, d.name.span, [info.name, typeToString(ret)]);
      reportUnused(ctx, scope);
    });
  }
  ctx.body = { kind: "top" };
}

// ---------------------------------------------------------------- after the bodies

/**
 * The longest chain of `fn` calls allowed (TW2130). Each call is a QuickJS
 * frame, sized by the deepest expression in its function, and the sandbox
 * has a 64 KiB stack: 16 functions, each holding an expression at the
 * nesting limit, run (test/runtime/deep-programs.test.ts); the checker and
 * the verifier follow calls one level at a time too.
 */
export const MAX_CALL_DEPTH = 16;

/**
 * Refuses recursion (every cycle in the call graph between `fn`s, reported
 * at the call that closes it) and call chains longer than MAX_CALL_DEPTH
 * (reported at the first function of the chain). A depth-first walk with
 * its own stack: the graph may be thousands of functions deep.
 */
export function checkRecursion(ctx: Ctx): void {
  const state = new Map<FnInfo, "active" | "done">();
  /** Functions on the longest chain starting at each function, and the callee that continues it. */
  const depth = new Map<FnInfo, number>();
  const next = new Map<FnInfo, FnInfo>();
  const called = new Set<FnInfo>();
  const stack: { fn: FnInfo; i: number }[] = [];
  const enter = (fn: FnInfo): void => {
    state.set(fn, "active");
    depth.set(fn, 1);
    stack.push({ fn, i: 0 });
  };
  for (const root of [...ctx.model.fns.values(), ...ctx.model.testFns.values()]) {
    if (state.has(root)) continue;
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const fn = top.fn;
      if (top.i < fn.calls.length) {
        const { fn: callee, call } = fn.calls[top.i++]!;
        called.add(callee);
        const s = state.get(callee);
        if (s === "active") {
          const from = stack.findIndex((e) => e.fn === callee);
          const cycle = stack.slice(from).map((e) => e.fn.name);
          const path = cycle.length > 1 ? [...cycle.slice(1), callee.name].map((n) => q(n)).join(" → ") : "";
          ctx.report(M.recursion, call.callee.span, [callee.name, path]);
        } else if (!s) {
          enter(callee);
        } else if (depth.get(callee)! + 1 > depth.get(fn)!) {
          depth.set(fn, depth.get(callee)! + 1);
          next.set(fn, callee);
        }
        continue;
      }
      stack.pop();
      state.set(fn, "done");
      const caller = stack[stack.length - 1]?.fn;
      if (caller && depth.get(fn)! + 1 > depth.get(caller)!) {
        depth.set(caller, depth.get(fn)! + 1);
        next.set(caller, fn);
      }
    }
  }
  for (const fn of ctx.model.fns.values()) {
    const d = depth.get(fn)!;
    if (d <= MAX_CALL_DEPTH || called.has(fn)) continue;
    ctx.report(M.callChainTooDeep, fn.decl.name.span, [describeChain(fn, next, d), d, MAX_CALL_DEPTH]);
  }
}

/** `a` → `b` → `c`, or `a` → `b` → … → `z` for a long chain. */
function describeChain(first: FnInfo, next: Map<FnInfo, FnInfo>, length: number): string {
  const names: string[] = [];
  let last = first;
  for (let f: FnInfo | undefined = first; f; f = next.get(f)) {
    if (names.length < 3) names.push(q(f.name));
    last = f;
  }
  if (length > 4) names.push("…");
  if (length > 3) names.push(q(last.name));
  return names.join(" → ");
}

export function checkUnusedFns(ctx: Ctx): void {
  for (const fn of ctx.model.fns.values()) {
    if (!fn.symbol.used && !fn.name.startsWith("_")) ctx.report(M.unusedFunction, fn.decl.name.span, [fn.name]);
  }
}
