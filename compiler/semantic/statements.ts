/**
 * Statements and blocks: declarations of variables, assignments, `if` with
 * narrowing on each branch, `for` over what a type declares it iterates,
 * `return`/`break`/`continue`, and calls as statements. Tracks whether a
 * statement always ends the block (`return`, `break`, `continue`, and calls
 * of stdlib functions declared `terminates`, such as `reject` and `hold`),
 * to warn about unreachable code and to narrow after guards:
 * `if x == none { return }` leaves `x` set below.
 */
import type { AssignStmt, Block, ForStmt, IfStmt, LetStmt, ReturnStmt, Stmt } from "../syntax/ast.js";
import { spanCover, spanEnd } from "../diagnostics/diagnostic.js";
import { q } from "../diagnostics/catalog/define.js";
import { spellingOf, surfaceOf, type Spelling } from "../diagnostics/catalog/spelling.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import { assignable } from "./assign.js";
import { checkCall } from "./calls.js";
import type { Ctx } from "./context.js";
import { condition } from "./conditions.js";
import { checkAgainst, checkExpr, reportMismatch } from "./expressions.js";
import { assignedInBlock, forgetState, join, pathKey, without, withFact } from "./narrowing.js";
import { analyzePlace, letToVarFix } from "./places.js";
import { checkOwnedFlow, forgetMove } from "./ownership.js";
import type { Scope, ScopeKind } from "./scope.js";
import { resolveTypeNode } from "./typenodes.js";
import { errorType, isOptional, nonOptional, typeToString, type Type } from "./types.js";
import { exprText } from "./expr-text.js";

/** How a statement ends: `ends` when control never reaches the next statement; `what` names the cause. */
interface Flow {
  ends: boolean;
  what?: string;
}

// Flows are never mutated: the common ones are made once.
const GOES_ON: Flow = { ends: false };
const RETURNS: Flow = { ends: true, what: "`return`" };
const BREAKS: Flow = { ends: true, what: q("break") };
const CONTINUES: Flow = { ends: true, what: q("continue") };
const IF_ENDS: Flow = { ends: true, what: "an `if` whose branches all end" };

/** Checks a block in a new scope; returns whether it always ends (never falls through). */
export function checkBlock(ctx: Ctx, block: Block, kind: ScopeKind = "block"): boolean {
  return ctx.inScope(kind, (scope) => {
    const flow = checkStmts(ctx, block);
    reportUnused(ctx, scope);
    return flow.ends;
  });
}

/**
 * Checks the body of a `fn`, a trigger or a loop in the current scope, the one
 * that holds its parameters or loop variables: a `let` in the body cannot
 * redeclare them. The caller reports unused variables.
 */
export function checkBody(ctx: Ctx, block: Block): boolean {
  return checkStmts(ctx, block).ends;
}

function checkStmts(ctx: Ctx, block: Block): Flow {
  const stmts = block.stmts;
  let flow: Flow = GOES_ON;
  for (const s of stmts) {
    if (s.kind === "IfStmt") ctx.ifBlocks.set(s, block);
    if (flow.ends) {
      ctx.report(M.unreachable, spanCover(s.span, stmts[stmts.length - 1]!.span), [flow.what ?? "the end of the block"]);
      // The rest is still checked, but reported unreachable only once.
      for (const rest of stmts.slice(stmts.indexOf(s))) checkStmt(ctx, rest);
      return flow;
    }
    flow = checkStmt(ctx, s);
  }
  return flow;
}

/** Warns about the variables of `scope` that were never read. */
export function reportUnused(ctx: Ctx, scope: Scope): void {
  for (const sym of scope.symbols()) {
    if (sym.used || sym.name.startsWith("_") || !sym.span) continue;
    const what = sym.kind === "let" || sym.kind === "var" ? "variable" : sym.kind === "param" ? "parameter" : sym.kind === "for" ? "loop variable" : undefined;
    if (what) ctx.report(M.unusedVariable, sym.span, [what, sym.name]);
  }
}

export function checkStmt(ctx: Ctx, s: Stmt): Flow {
  switch (s.kind) {
    case "LetStmt":
      checkLet(ctx, s);
      return GOES_ON;
    case "AssignStmt":
      checkAssign(ctx, s);
      return GOES_ON;
    case "IfStmt":
      return checkIf(ctx, s);
    case "ForStmt":
      checkFor(ctx, s);
      return GOES_ON;
    case "ReturnStmt":
      checkReturn(ctx, s);
      return RETURNS;
    case "BreakStmt":
    case "ContinueStmt": {
      const kw = s.kind === "BreakStmt" ? "break" : "continue";
      if (ctx.loopDepth === 0) {
        ctx.report(M.outsideLoop, s.span, [kw]);
        return GOES_ON;
      }
      return s.kind === "BreakStmt" ? BREAKS : CONTINUES;
    }
    case "ExprStmt": {
      const e = s.expr;
      if (e.kind !== "CallExpr") {
        const t = checkExpr(ctx, e);
        // A bare number or time is most often what is left of a line the parser recovered from: not worth a warning.
        const leftover = e.kind === "IntLit" || e.kind === "BoolLit" || e.kind === "NoneLit" || e.kind === "DurationLit" || e.kind === "TimeLit";
        if (t.kind !== "error" && !leftover) ctx.report(M.noEffect, e.span, []);
        return GOES_ON;
      }
      const t = checkCall(ctx, e);
      ctx.model.types.set(e, t);
      const target = ctx.model.calls.get(e);
      if (!target) return GOES_ON;
      if (target.kind !== "fn") {
        if (target.decl.terminates) return { ends: true, what: q(`${target.name}(...)`) };
        const pure = !target.decl.capability && !target.decl.mutates;
        if (pure && t.kind !== "void" && t.kind !== "error") ctx.report(M.unusedResult, e.span, [target.name]);
      }
      return GOES_ON;
    }
  }
}

function checkLet(ctx: Ctx, s: LetStmt): void {
  let t: Type;
  let untypedNone: LetStmt | undefined;
  if (s.type) {
    const declared = resolveTypeNode(ctx, s.type);
    checkAgainst(ctx, s.init, declared);
    t = declared;
  } else {
    t = checkExpr(ctx, s.init);
    if (t.kind === "none") {
      // Reported at the end, with the type of the first value assigned to it when there is one.
      untypedNone = s;
      t = errorType;
    }
  }
  if (ctx.scope.own(s.name.name)) {
    // The first declaration stays in scope.
    ctx.report(M.duplicateDeclaration, s.name.span, ["The variable", s.name.name]);
    return;
  }
  checkOwnedFlow(ctx, s.init, q(s.name.name));
  const sym = ctx.declare(s.mutable ? "var" : "let", s.name, t, s);
  ctx.loopDepthOf.set(sym.id, ctx.loopDepth);
  if (untypedNone) ctx.untypedNone.set(sym.id, { decl: untypedNone, later: undefined });
  // `var x: T? = value` starts out set.
  const init = ctx.model.types.get(s.init);
  if (isOptional(t) && init && !isOptional(init) && init.kind !== "error") ctx.facts = withFact(ctx.facts, `#${sym.id}`, nonOptional(t));
}

function checkAssign(ctx: Ctx, s: AssignStmt): void {
  // The first value assigned to a `var x = none` says what its type should have been.
  const sym = s.target.kind === "Ident" && s.op === "=" ? ctx.scope.lookup(s.target.name) : undefined;
  const pending = sym ? ctx.untypedNone.get(sym.id) : undefined;
  checkAssignTo(ctx, s);
  const v = pending && !pending.later ? ctx.model.types.get(s.value) : undefined;
  if (pending && v && v.kind !== "none" && v.kind !== "error") pending.later = { type: typeToString(nonOptional(v)), line: s.span.line };
}

/** `var x = none` with no type: says which, from the first value assigned to `x` when there is one (with a fix). */
export function reportUntypedNone(ctx: Ctx): void {
  for (const { decl, later } of ctx.untypedNone.values()) {
    const kw = decl.mutable ? "var" : "let";
    // The edit goes into the rule's own file, so it is written in that file's spelling (`: Time?` or `: Time | undefined`).
    const s = spellingOf(surfaceOf(decl.span.file));
    const typed = later ? s.optional(s.type(later.type)) : "";
    const fix = later ? { fix: { description: `Declare \`${decl.name.name}\` as \`${typed}\``, edits: [{ span: spanEnd(decl.name.span), newText: `: ${typed}` }] } } : {};
    ctx.report(M.noneNeedsType, decl.init.span, [kw, decl.name.name, later], fix);
  }
}

function checkAssignTo(ctx: Ctx, s: AssignStmt): void {
  const target = s.target;
  let declared: Type;
  if (target.kind === "Ident") {
    // Resolved here rather than with checkExpr: writing is not reading.
    const sym = ctx.scope.lookup(target.name);
    if (!sym) {
      checkExpr(ctx, target); // reports the unknown name
      checkExpr(ctx, s.value);
      return;
    }
    ctx.model.symbols.set(target, sym);
    declared = sym.type;
    ctx.model.types.set(target, declared);
  } else if (target.kind === "MemberExpr") {
    checkExpr(ctx, target);
    const m = ctx.model.members.get(target);
    declared = m ? (m.kind === "state" ? m.field.type : m.kind === "record" ? m.field.type : ctx.model.types.get(target) ?? errorType) : errorType;
  } else {
    const t = checkExpr(ctx, target);
    const base = nonOptional(t);
    const hasSet = target.kind === "IndexExpr" && base.kind === "named" && ctx.std.method(base, "set");
    ctx.report(M.invalidAssignTarget, target.span, [hasSet ? `To change an entry, call ${q(`${exprText(target.object)}.set(key, value)`)}.` : undefined]);
    checkExpr(ctx, s.value);
    return;
  }

  const place = analyzePlace(ctx, target);
  let ok = true;
  if (!place.ok) {
    ok = false;
    if (place.reason === "let") {
      const fix = letToVarFix(place.symbol);
      ctx.report(M.assignToLet, target.span, [place.symbol.name], fix ? { fix } : {});
    } else if (place.reason === "readonly") {
      ctx.report(M.assignToReadonly, target.span, [place.what]);
    } else {
      ctx.report(M.invalidAssignTarget, target.span, [undefined]);
    }
  } else if (place.state) {
    ctx.useCapability("state.write", s.span);
  }

  let assigned: Type;
  if (s.op === "=") {
    assigned = checkAgainst(ctx, s.value, declared);
    checkOwnedFlow(ctx, s.value, q(exprText(target)));
    if (target.kind === "Ident") {
      const sym = ctx.model.symbols.get(target);
      if (sym) forgetMove(ctx, sym);
    }
  } else {
    const op = s.op === "+=" ? "+" : "-";
    const v = checkExpr(ctx, s.value, nonOptional(declared));
    assigned = declared;
    if (declared.kind !== "error" && v.kind !== "error") {
      if (isOptional(declared) || isOptional(v)) {
        const [e, t] = isOptional(declared) ? [target, declared] : [s.value, v];
        ctx.report(M.maybeNone, e.span, [exprText(e), typeToString(t), `with ${q(s.op)}`]);
      } else {
        const found = ctx.std.operators(op).find((o) => assignable(ctx.std, declared, o.left) && assignable(ctx.std, v, o.right));
        if (!found) {
          ctx.report(M.operatorTypes, s.span, [s.op, typeToString(declared), typeToString(v), undefined]);
        } else if (!assignable(ctx.std, found.result, declared)) {
          reportMismatch(ctx, s.value, found.result, declared);
        } else {
          ctx.model.operators.set(s, found.decl);
        }
      }
    }
  }

  // Narrowing: what was known about the place no longer holds; a non-optional value makes it set.
  const key = ok ? pathKey(ctx, target) : undefined;
  if (key !== undefined) {
    ctx.facts = without(ctx.facts, key);
    if (isOptional(declared) && !isOptional(assigned) && assigned.kind !== "error") {
      ctx.facts = withFact(ctx.facts, key, nonOptional(declared));
    }
  }
}

function checkIf(ctx: Ctx, s: IfStmt): Flow {
  const c = condition(ctx, s.cond);
  ctx.facts = c.t;
  ctx.enclosingIfs.push(s);
  let thenEnds: boolean;
  try {
    thenEnds = checkBlock(ctx, s.then);
  } finally {
    ctx.enclosingIfs.pop();
  }
  const thenFacts = ctx.facts;
  ctx.facts = c.f;
  let elseFlow: Flow = GOES_ON;
  if (s.else?.kind === "Block") elseFlow = { ends: checkBlock(ctx, s.else) };
  else if (s.else) {
    ctx.elseIfs.add(s.else);
    elseFlow = checkStmt(ctx, s.else);
  }
  const elseFacts = ctx.facts;
  if (thenEnds && elseFlow.ends) return IF_ENDS;
  ctx.facts = thenEnds ? elseFacts : elseFlow.ends ? thenFacts : join(thenFacts, elseFacts);
  return GOES_ON;
}

function checkFor(ctx: Ctx, s: ForStmt): void {
  let t = checkExpr(ctx, s.iterable);
  if (t.kind === "optional") {
    ctx.report(M.maybeNone, s.iterable.span, [exprText(s.iterable), typeToString(t), "in `for`"]);
    t = t.inner;
  }
  let element: Type = errorType;
  let value: Type | undefined;
  if (t.kind === "named") {
    const it = ctx.std.iteration(t);
    if (!it) {
      const hint = ctx.std.typeDecl(t.name)?.methods?.["lines"] ? `Walk its lines with ${q(`${exprText(s.iterable)}.lines()`)}.` : undefined;
      ctx.report(M.notIterable, s.iterable.span, [typeToString(t), hint]);
    } else {
      element = it.element;
      value = it.value;
      if (s.key && !value) {
        ctx.report(M.noKeyValue, s.key.span, [typeToString(t)]);
        value = errorType;
      }
    }
  } else if (t.kind !== "error") {
    ctx.report(M.notIterable, s.iterable.span, [typeToString(t), undefined]);
  }
  if (s.key && !value) value = errorType;
  ctx.model.loops.set(s, { iterable: t, element, value: s.key ? value : undefined });

  // Facts about places the body assigns do not hold on the next iteration.
  const changed = assignedInBlock(ctx, s.body);
  for (const k of changed.keys) ctx.facts = without(ctx.facts, k);
  if (changed.callsFn) forgetState(ctx);
  const entry = ctx.facts;

  const walked = pathKey(ctx, s.iterable);
  ctx.inScope("loop", (scope) => {
    if (s.key) {
      ctx.declare("for", s.key, element, s);
      if (s.name.name === s.key.name) ctx.report(M.duplicateDeclaration, s.name.span, ["The loop variable", s.name.name]);
      else ctx.declare("for", s.name, value ?? errorType, s);
    } else {
      ctx.declare("for", s.name, element, s);
    }
    if (s.where) ctx.facts = condition(ctx, s.where).t;
    if (walked !== undefined) ctx.iterating.push({ key: walked, name: exprText(s.iterable) });
    ctx.loopDepth++;
    try {
      checkBody(ctx, s.body);
    } finally {
      ctx.loopDepth--;
      if (walked !== undefined) ctx.iterating.pop();
    }
    reportUnused(ctx, scope);
  });
  ctx.facts = entry;
}

function checkReturn(ctx: Ctx, s: ReturnStmt): void {
  const body = ctx.body;
  if (body.kind === "fn") {
    const ret = body.fn.sig.returns;
    if (ret.kind === "void") {
      if (s.value) {
        ctx.report(M.returnValueNotExpected, s.value.span, [`The function ${q(body.fn.name)}`]);
        checkExpr(ctx, s.value);
      }
    } else if (!s.value) {
      ctx.report(M.returnValueMissing, s.span, [body.fn.name, typeToString(ret)]);
    } else {
      checkAgainst(ctx, s.value, ret);
      checkOwnedFlow(ctx, s.value, `the result of ${q(body.fn.name)}`);
    }
    return;
  }
  if (body.kind === "trigger") {
    if (s.value) {
      const what = body.what;
      ctx.report(M.returnValueNotExpected, s.value.span, [(sp: Spelling) => `A trigger (${q(sp.trigger(what))})`]);
      checkExpr(ctx, s.value);
    }
    return;
  }
  // Statements only occur in `fn` and trigger bodies, so there is no other case.
  if (s.value) checkExpr(ctx, s.value);
}
