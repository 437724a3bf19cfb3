/**
 * Calls: of stdlib functions (`send(...)`), stdlib methods
 * (`m.text.truncate(140)`) and the rule's own `fn`s. Arguments are matched to
 * parameters by position, then by name; each is checked against its
 * parameter's type. Records which declaration each call resolved to, the
 * capability it needs, the call graph between `fn`s, and refuses changes to
 * values that cannot change.
 */
import type { Arg, CallExpr, Expr } from "../syntax/ast.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { didYouMean, typeMessages as M } from "../diagnostics/catalog/types.js";
import { q } from "../diagnostics/catalog/define.js";
import { checkActionLiterals } from "./action-literals.js";
import { checkListMethod } from "./list-methods.js";
import { sameType } from "./assign.js";
import type { Ctx } from "./context.js";
import { checkAgainst, checkExpr, resolveMember } from "./expressions.js";
import type { CallTarget } from "./model.js";
import { forgetState, pathKey } from "./narrowing.js";
import { analyzePlace, letToVarFix } from "./places.js";
import { checkOwnedFlow } from "./ownership.js";
import type { Symbol } from "./scope.js";
import type { ResolvedMethod, Signature } from "./stdlib-types.js";
import { closest, renameFix } from "./suggest.js";
import { TEST_CONTAINS, testFunction } from "./test-functions.js";
import { errorType, optional, typeToString, type Type } from "./types.js";
import { exprText } from "./expr-text.js";
import { listWords } from "../diagnostics/catalog/define.js";

/** The declaration a callee names, or undefined (after a diagnostic). */
export interface Callee {
  target: CallTarget;
  sig: Signature;
  /** The name used in messages. */
  name: string;
  /** Where to report a missing argument. */
  nameSpan: Span;
  paramSymbols?: Symbol[];
  /** The receiver of a method call. */
  receiver?: Expr;
  method?: ResolvedMethod;
}

/** Checks a call; returns its result type, `void` for actions (the caller decides whether a value was needed). */
export function checkCall(ctx: Ctx, e: CallExpr): Type {
  const callee = resolveCallee(ctx, e.callee);
  if (!callee) {
    for (const a of e.args) checkExpr(ctx, a.value);
    return errorType;
  }
  checkArgs(ctx, e, callee, false);
  checkListMethod(ctx, e, callee);
  const onlyIn = callee.target.kind === "fn" ? undefined : callee.target.decl.onlyIn;
  if (onlyIn !== undefined && ctx.body.kind === "trigger" && ctx.body.what !== `on ${onlyIn}`) {
    ctx.report(M.onlyInTrigger, callee.nameSpan, [callee.name, `on ${onlyIn}`, ctx.body.what]);
  }
  ctx.model.calls.set(e, callee.target);
  checkActionLiterals(ctx, e, callee.target);
  afterCall(ctx, e, callee);
  return callee.sig.returns;
}

/** Resolves what `callee` names; reports and returns undefined when it is not a function or method. */
export function resolveCallee(ctx: Ctx, callee: Expr): Callee | undefined {
  if (callee.kind === "Ident") {
    const sym = ctx.scope.lookup(callee.name);
    const testFn = !sym && ctx.inTest ? testFunction(callee.name) : undefined;
    if (testFn) {
      if (testFn === TEST_CONTAINS && !ctx.patternContains.has(callee)) ctx.report(M.containsOutsidePattern, callee.span, []);
      return { target: { kind: "function", name: callee.name, decl: testFn.decl, sig: testFn.sig }, sig: testFn.sig, name: callee.name, nameSpan: callee.span };
    }
    if (!sym) {
      const best = closest(callee.name, ctx.scope.visibleNames());
      ctx.report(M.unknownName, callee.span, [callee.name, didYouMean(best) || undefined], renameFix(callee.span, best));
      return undefined;
    }
    ctx.model.symbols.set(callee, sym);
    sym.used = true;
    if (sym.kind === "function") {
      const f = ctx.std.function(sym.name);
      if (!f) return undefined;
      return { target: { kind: "function", name: sym.name, decl: f.decl, sig: f.sig }, sig: f.sig, name: sym.name, nameSpan: callee.span };
    }
    if (sym.kind === "fn") {
      const fn = ctx.model.fns.get(sym.name) ?? ctx.model.testFns.get(sym.name);
      if (!fn) return undefined;
      return { target: { kind: "fn", fn }, sig: fn.sig, name: sym.name, nameSpan: callee.span, paramSymbols: fn.params };
    }
    ctx.report(M.notCallable, callee.span, [q(callee.name), undefined]);
    return undefined;
  }
  if (callee.kind === "MemberExpr") {
    const r = resolveMember(ctx, callee);
    if (r.kind === "error") return undefined;
    if (r.kind === "field") {
      ctx.report(M.notCallable, callee.name.span, [
        q(exprText(callee)),
        `It is a field: write ${q(exprText(callee))} without \`()\`.`,
      ]);
      return undefined;
    }
    const m = r.method;
    if (m.receiver && !sameType(m.receiver, r.receiverType)) {
      ctx.report(M.receiverMismatch, callee.name.span, [m.name, typeToString(m.receiver), typeToString(r.receiverType)]);
      return undefined;
    }
    return {
      target: { kind: "method", owner: m.owner, name: m.name, decl: m.decl, sig: m.sig, receiverType: r.receiverType },
      sig: m.sig,
      name: m.decl.alias ?? m.name,
      nameSpan: callee.name.span,
      receiver: callee.object,
      method: m,
    };
  }
  const t = checkExpr(ctx, callee);
  if (t.kind !== "error") ctx.report(M.notCallable, callee.span, ["This value", undefined]);
  return undefined;
}

/**
 * Matches arguments to parameters. In a `pattern` (`expect send(to: ...)`)
 * every parameter is optional.
 */
export function checkArgs(ctx: Ctx, call: CallExpr, callee: Callee, pattern: boolean): void {
  const { sig, name } = callee;
  const args = call.args;
  // The parameters given so far (a few: a list is cheaper than a set).
  const bound: string[] = [];
  const byParam: (Arg | undefined)[] = sig.params.map(() => undefined);
  ctx.model.argumentsOf.set(call, byParam);
  let position = 0;
  let sawNamed = false;
  let misplaced = false; // an argument that matched no parameter: missing ones are likely a consequence
  for (const arg of args) {
    let index: number;
    if (arg.name) {
      sawNamed = true;
      index = paramIndex(sig.params, arg.name.name);
      if (index < 0) {
        const best = closest(arg.name.name, sig.params.filter((p) => !bound.includes(p.name)).map((p) => p.name));
        const params = sig.params.length ? listWords(sig.params.map((p) => p.name)) : "none";
        ctx.report(M.unknownArgument, arg.name.span, [name, arg.name.name, params, didYouMean(best) || undefined], renameFix(arg.name.span, best));
        checkExpr(ctx, arg.value);
        misplaced = true;
        continue;
      }
      if (bound.includes(arg.name.name)) {
        ctx.report(M.duplicateArgument, arg.name.span, [arg.name.name]);
        checkExpr(ctx, arg.value);
        continue;
      }
      const ps = callee.paramSymbols?.[index];
      if (ps) ctx.model.symbols.set(arg.name, ps);
    } else {
      if (sawNamed) {
        ctx.report(M.positionalAfterNamed, arg.span, []);
        checkExpr(ctx, arg.value);
        misplaced = true;
        continue;
      }
      index = position++;
      if (index >= sig.params.length) {
        ctx.report(M.tooManyArguments, arg.span, [name, sig.params.length]);
        checkExpr(ctx, arg.value);
        continue;
      }
    }
    const p = sig.params[index]!;
    bound.push(p.name);
    byParam[index] = arg;
    checkAgainst(ctx, arg.value, p.optional ? optional(p.type) : p.type, { arg: { param: p.name, fn: name } });
  }
  if (pattern || misplaced) return;
  const missing = sig.params.filter((p) => !p.optional && !bound.includes(p.name));
  if (missing.length) {
    ctx.report(M.missingArgument, callee.nameSpan, [name, (s) => listWords(missing.map((p) => `${p.name}: ${s.type(typeToString(p.type))}`))]);
  }
}

function paramIndex(params: readonly { name: string }[], name: string): number {
  for (let i = 0; i < params.length; i++) if (params[i]!.name === name) return i;
  return -1;
}

/** Capabilities, the call graph, mutation rules and narrowing after a call. */
function afterCall(ctx: Ctx, e: CallExpr, callee: Callee): void {
  const t = callee.target;
  if (t.kind === "fn") {
    if (ctx.body.kind === "fn") ctx.body.fn.calls.push({ fn: t.fn, call: e });
    forgetState(ctx); // the function may write state
    return;
  }
  if (t.decl.capability) ctx.useCapability(t.decl.capability, e.span);
  if (t.decl.mutates && callee.receiver) {
    checkMutation(ctx, callee.receiver, callee.name, callee.nameSpan, t.decl.capability !== undefined);
    // What a growing method stores (`push(x)`, `set(k, v)`) gets a new home inside the receiver; `remove(x)` stores nothing.
    if (t.decl.grows !== undefined) for (const a of e.args) checkOwnedFlow(ctx, a.value, q(exprText(callee.receiver)));
  }
}

/** `xs.push(x)`, `state.seen.set(k, v)`, `members.add(a)`: may the receiver change here? */
function checkMutation(ctx: Ctx, receiver: Expr, method: string, span: Span, hasCapability: boolean): void {
  const key = pathKey(ctx, receiver);
  if (key !== undefined) {
    const walked = ctx.iterating.find((it) => it.key === key || it.key.startsWith(key + ".") || key.startsWith(it.key + "."));
    if (walked) {
      ctx.report(M.mutateWhileIterating, span, [walked.name]);
      return;
    }
  }
  if (hasCapability) return; // e.g. `members.add`: the capability is what allows it
  const place = analyzePlace(ctx, receiver);
  if (place.ok) {
    if (place.state) ctx.useCapability("state.write", span);
    return;
  }
  if (place.reason === "notPlace") {
    // An element or a call's result: the change would be lost, or land in a collection held elsewhere.
    ctx.report(M.mutateTemporary, span, [method, exprText(receiver)]);
    return;
  }
  if (place.reason === "let") {
    const fix = letToVarFix(place.symbol);
    ctx.report(
      M.mutateImmutable,
      span,
      // In the file's words: a `.ts` rule's `const` is the `.thwonk` `let`, its `let` the `var`.
      [method, (s) => `${q(place.symbol.name)} (declared with ${q(s.constWord)})`, (s) => `Declare it with ${q(s.varWord)} to change it.`],
      fix ? { fix } : {},
    );
    return;
  }
  ctx.report(M.mutateImmutable, span, [method, place.what.charAt(0).toLowerCase() + place.what.slice(1), undefined]);
}
