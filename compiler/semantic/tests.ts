/**
 * `test` blocks, in the rule file and in its test files. A test sets its
 * inputs (`members = [...]`, `now = ...`, `state.NAME = ...`, and a
 * trigger's input such as `message = {...}` or `message = "post.eml"`),
 * runs `on message` or a schedule (`run every day at 00:00`), and expects
 * actions (`expect send(to: "a@example.org")`, `expect no reply`) or
 * conditions (`expect state.count == 1`).
 */
import type { AssignStmt, Block, Expr, ExpectClause, FnDecl, GivenClause, TestDecl } from "../syntax/ast.js";
import { typeMessages as M } from "../diagnostics/catalog/types.js";
import type { Ctx } from "./context.js";
import { checkArgs, resolveCallee, type Callee } from "./calls.js";
import { checkAgainst, checkExpr } from "./expressions.js";
import type { TopLevel } from "./binder.js";
import type { TestInfo, TestStep, TriggerInfo } from "./model.js";
import { checkSchedule, sameSchedule } from "./schedule.js";
import { newSymbol } from "./scope.js";
import { errorType, named, nonOptional, typeToString, voidType, type Type } from "./types.js";
import { checkFnBodies, resolveSignatures } from "./declarations.js";
import { exprText, plainString } from "./expr-text.js";
import { checkStmt, reportUnused } from "./statements.js";
import { sameType } from "./assign.js";
import { listWords } from "../diagnostics/catalog/define.js";

export function checkTests(ctx: Ctx, top: TopLevel): void {
  // The test files' helpers live in a scope of their own, around the tests: the rule's code never sees them.
  ctx.inScope("test", () => {
    ctx.inTest = true;
    try {
      declareTestFns(ctx, top.testFns);
      checkFnBodies(ctx, top.testFns, ctx.model.testFns);
    } finally {
      ctx.inTest = false;
    }
    checkEachTest(ctx, top);
    for (const f of ctx.model.testFns.values()) {
      if (!f.symbol.used && !f.name.startsWith("_")) ctx.report(M.unusedFunction, f.decl.name.span, [f.name]);
    }
  });
}

/** Declares the test files' `fn`s in the helpers' scope, with their signatures. */
function declareTestFns(ctx: Ctx, fns: readonly FnDecl[]): void {
  for (const d of fns) {
    const name = d.name.name;
    const prior = ctx.scope.lookup(name);
    if (prior && (prior.span || prior.kind === "function")) {
      ctx.report(M.duplicateDeclaration, d.name.span, [prior.span ? "The function" : "The built-in name", name]);
      continue;
    }
    const symbol = ctx.declare("fn", d.name, voidType, d);
    ctx.model.testFns.set(name, { name, decl: d, symbol, sig: { name, params: [], returns: voidType }, params: [], calls: [] });
  }
  resolveSignatures(ctx, fns, ctx.model.testFns);
}

function checkEachTest(ctx: Ctx, top: TopLevel): void {
  const names = new Set<string>();
  for (const { decl, file } of top.tests) {
    const name = plainString(decl.name) ?? "";
    if (names.has(name)) ctx.report(M.duplicateTest, decl.name.span, [name]);
    names.add(name);
    ctx.inTest = true;
    ctx.body = { kind: "test" };
    ctx.facts = new Map();
    ctx.loopDepth = 0;
    ctx.iterating = [];
    try {
      const steps = ctx.inScope("test", (scope) => {
        const r = checkTest(ctx, decl);
        reportUnused(ctx, scope);
        return r;
      });
      const info: TestInfo = { name, decl, file, trigger: steps[0]?.trigger, steps };
      ctx.model.tests.push(info);
    } finally {
      ctx.inTest = false;
      ctx.body = { kind: "top" };
    }
  }
}

/**
 * A test's runs: a given or `run` after an expectation starts the next run,
 * which starts from where the last one left state, members and time. A
 * statement after an expectation belongs to the next run's givens when a
 * given or `run` follows it; otherwise it runs among the expectations, in
 * order (`let n = state.count` then `expect n == 1`).
 */
export function splitSteps(test: TestDecl): TestDecl["clauses"][] {
  const steps: TestDecl["clauses"][] = [[]];
  let expected = false;
  const clauses = test.clauses;
  for (let i = 0; i < clauses.length; i++) {
    const c = clauses[i]!;
    if (c.kind === "StmtClause" && expected) {
      let k = i;
      while (clauses[k]?.kind === "StmtClause") k++;
      const next = clauses[k];
      if (!next || next.kind === "ExpectClause") {
        steps[steps.length - 1]!.push(c);
        continue;
      }
    }
    if (c.kind !== "ExpectClause" && expected) {
      steps.push([]);
      expected = false;
    }
    if (c.kind === "ExpectClause") expected = true;
    steps[steps.length - 1]!.push(c);
  }
  return steps;
}

function checkTest(ctx: Ctx, test: TestDecl): TestStep[] {
  // A trigger's input is named after its event: `message = {...}`.
  for (const [event, t] of Object.entries(ctx.std.decl.triggers)) {
    if (t.param !== undefined && !ctx.scope.lookup(event)?.span) {
      ctx.scope.declare(newSymbol("trigger", event, undefined, ctx.std.type(t.param), undefined, t.doc));
    }
  }
  return splitSteps(test).map((clauses, i) => ({ clauses, trigger: checkStep(ctx, test, clauses, i === 0) }));
}

function checkStep(ctx: Ctx, test: TestDecl, clauses: TestDecl["clauses"], first: boolean): TriggerInfo | undefined {
  const given = new Set<string>();
  let event: { name: string; clause: GivenClause } | undefined;
  let run: { trigger: TriggerInfo | undefined; clause: Extract<TestDecl["clauses"][number], { kind: "RunClause" }> } | undefined;
  for (const c of clauses) {
    switch (c.kind) {
      case "GivenClause": {
        const what = checkGiven(ctx, c);
        if (!what) break;
        if (given.has(what.key)) ctx.report(M.duplicateGiven, c.target.span, [what.key]);
        given.add(what.key);
        if (what.event) {
          if (run) ctx.report(M.runAndMessage, c.span, []);
          event = { name: what.event, clause: c };
        }
        break;
      }
      case "RunClause": {
        const schedule = checkSchedule(ctx, c.schedule);
        if (run) ctx.report(M.duplicateGiven, c.span, ["run every ..."]);
        else if (event) ctx.report(M.runAndMessage, c.span, []);
        let trigger: TriggerInfo | undefined;
        if (schedule) {
          const everys = ctx.model.triggers.filter((t): t is Extract<TriggerInfo, { kind: "every" }> => t.kind === "every");
          trigger = everys.find((t) => sameSchedule(t.schedule, schedule));
          if (!trigger) ctx.report(M.unknownSchedule, c.schedule.span, [schedule.text, listWords(everys.map((t) => "every " + t.schedule.text))]);
        }
        run ??= { trigger, clause: c };
        break;
      }
      case "ExpectClause":
        checkExpect(ctx, c);
        break;
      case "StmtClause":
        // An `if` among the test's statements stands in the test as in a block (its statements are the test's): the
        // fix that binds a value before it (hints.ts bindCallFix) looks there for where the `if` is and what is declared.
        if (c.stmt.kind === "IfStmt") ctx.ifBlocks.set(c.stmt, testBlock(test));
        checkStmt(ctx, c.stmt);
        break;
    }
  }
  if (run) return run.trigger;
  const eventName = event?.name ?? Object.keys(ctx.std.decl.triggers)[0];
  if (eventName === undefined) return undefined;
  const trigger = ctx.model.triggers.find((t) => t.kind === "on" && t.event === eventName);
  if (!trigger) ctx.report(M.noTriggerToRun, first ? test.name.span : (clauses[0]?.span ?? test.name.span), [eventName]);
  return trigger;
}

/** A test's statements as the block they are in (each `let` of the test among them, in every step). */
function testBlock(test: TestDecl): Block {
  return { kind: "Block", span: test.span, stmts: test.clauses.flatMap((c) => (c.kind === "StmtClause" ? [c.stmt] : [])) };
}

/** `x = value` among the givens, for a variable of the test: the assignment statement it is. */
export function assignOf(c: GivenClause): AssignStmt {
  return { kind: "AssignStmt", span: c.span, target: c.target, op: "=", value: c.value };
}

/** Checks `target = value`; returns the input it sets (and the event, for a trigger's input). */
function checkGiven(ctx: Ctx, c: GivenClause): { key: string; event?: string } | undefined {
  const target = c.target;
  if (target.kind === "Ident") {
    const sym = ctx.scope.lookup(target.name);
    if (sym && (sym.kind === "var" || sym.kind === "let")) {
      // `n = 3` for the test's own variable: an assignment, checked as one (a `let` cannot change).
      checkStmt(ctx, assignOf(c));
      return undefined;
    }
    if (sym && (sym.kind === "global" || sym.kind === "trigger") && sym !== ctx.stateSymbol) {
      ctx.model.symbols.set(target, sym);
      ctx.model.types.set(target, sym.type);
      if (sym.kind === "trigger") {
        const file = plainString(c.value);
        if (file !== undefined) {
          checkExpr(ctx, c.value);
          if (!file.toLowerCase().endsWith(".eml")) ctx.report(M.emlFileName, c.value.span, [file]);
        } else {
          checkAgainst(ctx, c.value, sym.type);
        }
        return { key: target.name, event: target.name };
      }
      checkGivenValue(ctx, c.value, sym.type);
      return { key: target.name };
    }
    if (!sym && target.name === "envelope") {
      // The SMTP envelope of the run's message, record or .eml: `envelope = { sender: none }` for a bounce.
      checkAgainst(ctx, c.value, ctx.std.type("Envelope"));
      return { key: "envelope" };
    }
  } else if (target.kind === "MemberExpr" && target.object.kind === "Ident" && ctx.scope.lookup(target.object.name) === ctx.stateSymbol) {
    const t = checkExpr(ctx, target);
    const m = ctx.model.members.get(target);
    checkAgainst(ctx, c.value, m?.kind === "state" ? m.field.type : t);
    return { key: exprText(target) };
  }
  ctx.report(M.unknownGiven, target.span, [exprText(target)]);
  checkExpr(ctx, c.value);
  return undefined;
}

/**
 * The value of a global in a test. For a collection global (`members`, which
 * iterates Member), a list whose items are records of the element type, or
 * just the value of its first field (`"ann@example.org"` for a Member).
 */
function checkGivenValue(ctx: Ctx, value: Expr, t: Type): void {
  const it = t.kind === "named" ? ctx.std.iteration(t) : undefined;
  if (it && value.kind !== "ListLit") {
    // A list built by the test (`members = roster`): of the element's records, or of its first field.
    const got = checkExpr(ctx, value);
    const element = got.kind === "named" && got.name === "List" ? got.args[0] : undefined;
    const firstField = it.element.kind === "named" ? Object.keys(ctx.std.typeDecl(it.element.name)?.fields ?? {})[0] : undefined;
    const short = firstField !== undefined && it.element.kind === "named" ? ctx.std.field(it.element, firstField)?.type : undefined;
    // Strings too (`"m{i}@example.org"`): a test's roster is read as a run's input is, address by address.
    const text = short?.kind === "named" && short.name === "Address" ? named("string") : undefined;
    if (got.kind !== "error" && !(element && (sameType(element, it.element) || (short && sameType(element, short)) || (text && sameType(element, text))))) {
      ctx.report(M.typeMismatch, value.span, [typeToString(named("List", [it.element])), typeToString(got)]);
    }
    return;
  }
  if (!it || value.kind !== "ListLit") {
    checkAgainst(ctx, value, t);
    return;
  }
  ctx.model.types.set(value, named("List", [it.element]));
  const element = it.element;
  const firstField = element.kind === "named" ? Object.keys(ctx.std.typeDecl(element.name)?.fields ?? {})[0] : undefined;
  const short = firstField !== undefined && element.kind === "named" ? ctx.std.field(element, firstField)?.type : undefined;
  for (const x of value.elements) {
    if (x.kind === "BraceLit" || !short) checkAgainst(ctx, x, element);
    else checkAgainst(ctx, x, short);
  }
}

function checkExpect(ctx: Ctx, c: ExpectClause): void {
  const action = actionPattern(ctx, c.expr);
  if (action) {
    ctx.model.expectations.set(c, { target: action.target, negated: c.negated });
    return;
  }
  if (c.negated) {
    ctx.report(M.expectNoWithCondition, c.span, []);
    checkExpr(ctx, c.expr);
    return;
  }
  const before = ctx.diagnostics.length;
  const here = ctx.facts;
  const t = checkExpr(ctx, c.expr);
  ctx.facts = here;
  if (ctx.diagnostics.length === before && t.kind !== "error" && !(t.kind === "named" && t.name === "bool")) {
    ctx.report(M.expectNotBool, c.expr.span, [typeToString(t)]);
  }
}

/** `send`, `send(to: ...)`, `members.add("a@example.org")`: an action with its arguments as a pattern. */
function actionPattern(ctx: Ctx, e: Expr): Callee | undefined {
  const callee = e.kind === "CallExpr" ? e.callee : e;
  if (!isActionName(ctx, callee)) return undefined;
  const resolved = resolveCallee(ctx, callee);
  if (!resolved) return undefined;
  if (e.kind === "CallExpr") {
    // `contains(part)` stands for a whole argument's value, never inside one (`contains(contains(x))`, `"{contains(x)}"`
    // would compare with no text at all: an expectation that could never fail when negated).
    const whole = e.args.map((a) => a.value).filter((v) => v.kind === "CallExpr" && v.callee.kind === "Ident" && v.callee.name === "contains");
    for (const v of whole) if (v.kind === "CallExpr") ctx.patternContains.add(v.callee);
    try {
      checkArgs(ctx, e, resolved, true);
    } finally {
      ctx.patternContains.clear();
    }
    ctx.model.types.set(e, errorType);
  }
  ctx.model.types.set(callee, errorType);
  return resolved;
}

/** Whether `e` names an action (a stdlib function or method that needs a capability), without reporting anything. */
function isActionName(ctx: Ctx, e: Expr): boolean {
  if (e.kind === "Ident") {
    const sym = ctx.scope.lookup(e.name);
    return sym?.kind === "function" && ctx.std.function(e.name)?.decl.capability !== undefined;
  }
  if (e.kind === "MemberExpr" && e.object.kind === "Ident") {
    const sym = ctx.scope.lookup(e.object.name);
    if (sym?.kind !== "global") return false;
    const t = nonOptional(sym.type);
    return t.kind === "named" && ctx.std.method(t, e.name.name)?.decl.capability !== undefined;
  }
  return false;
}
