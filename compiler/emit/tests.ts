/**
 * A rule's tests in the emitted code (thwonkc test): each becomes a function
 * making `{ setup, expects }`, run as trigger `test:N`.
 */
import type * as A from "../syntax/ast.js";
import type { TestInfo } from "../semantic/model.js";
import { FunctionScope, triggerKey, type EmitContext } from "./context.js";
import type { EmittedTest } from "./emitter.js";
import { lvalue, stmt } from "./statements.js";
import { assignOf } from "../semantic/tests.js";

/** The file a `message = "post.eml"` given reads, or undefined for a record. */
function emlOf(c: A.GivenClause): string | undefined {
  return c.value.kind === "StringLit" && c.value.parts.every((p) => p.kind === "StringText")
    ? c.value.parts.map((p) => (p as A.StringText).value).join("")
    : undefined;
}

/**
 * The statements that set a run's givens; `__msg` is the message it handles,
 * `__env` the envelope the test gives it. A `let` among the givens is a
 * variable of the whole test (`lets`), seen by the later clauses.
 */
function givens(em: EmitContext, all: readonly A.TestClause[], emls: string[], first: boolean, lets: Set<string>): string[] {
  const body: string[] = [];
  // The givens are the clauses before the first expectation (statements after it run among the expectations).
  const firstExpect = all.findIndex((c) => c.kind === "ExpectClause");
  const clauses = firstExpect < 0 ? all : all.slice(0, firstExpect);
  const given = new Set(clauses.flatMap((c) => (c.kind === "GivenClause" && c.target.kind === "Ident" ? [c.target.name] : [])));
  if (given.has("envelope")) body.push("__env = null;");
  for (const c of clauses) {
    if (c.kind === "StmtClause") {
      body.push(...testStatement(em, c.stmt, lets));
      continue;
    }
    if (c.kind !== "GivenClause") continue;
    const target = c.target;
    if (target.kind === "Ident") {
      const sym = em.model.symbols.get(target);
      if (sym?.kind === "var" || sym?.kind === "let") {
        body.push(...testStatement(em, assignOf(c), lets));
        continue;
      }
      if (sym?.kind === "trigger") {
        const file = emlOf(c);
        if (file !== undefined) {
          if (!emls.includes(file)) emls.push(file);
          body.push(`__msg = __in.emls[${JSON.stringify(file)}];`);
        } else {
          body.push(`__msg = ${em.expr(c.value, sym.type)};`);
        }
      } else if (target.name === "envelope" && !sym) {
        body.push(`__env = ${em.expr(c.value, em.typeOf(c.value))};`);
      } else if (target.name === "members") {
        body.push(`__G_members = __members((${em.expr(c.value, undefined)}).map(function (m) { return typeof m === "string" ? { address: m } : m; }));`);
      } else if (target.name === "now") {
        // The prelude reads the run's time from the input (list.verify's expiry, members.add's `joined`): the test's too.
        body.push(`__G_now = ${em.expr(c.value, sym?.type)}; __in.now = __G_now;`);
      } else if (target.name === "list") {
        body.push(`__G_list = ${em.expr(c.value, sym?.type)};`);
      }
    } else {
      body.push(`${lvalue(em, target)} = ${em.expr(c.value, em.typeOf(target))};`);
    }
  }
  // The list's owners are the roster's, as in a run (runtime/input listOf), unless the test gives the list.
  if (given.has("members") && !given.has("list")) body.push("__G_list.owners = Members$owners(__G_members).map(function (m) { return m.address; });");
  // A later run without a message of its own handles a default one, as the first does.
  if (!first && !given.has("message")) body.push("__msg = null;");
  // The message as the run reads it (a record's defaults, the envelope given); a schedule's run has none.
  if (first || given.has("message") || given.has("envelope")) body.push("__msg = __msg === null && __env === null ? null : __testMessage(__msg || {}, __env);");
  return body;
}

/** A statement among the givens, as JavaScript lines: a `let` at the top is the test's variable. */
function testStatement(em: EmitContext, s: A.Stmt, lets: Set<string>): string[] {
  const start = em.out.length;
  const saved = em.options.trace;
  // The test's own statements are not the rule's: no trace (coverage counts the rule's lines only).
  (em.options as { trace?: boolean }).trace = false;
  try {
    if (s.kind === "LetStmt") {
      lets.add(`$${s.name.name}`);
      em.line(`$${s.name.name} = ${em.expr(s.init, em.typeOf(s.init))};`);
    } else {
      stmt(em, s);
    }
  } finally {
    (em.options as { trace?: boolean }).trace = saved;
  }
  // Taken back out of the output, to be placed where the run's givens go.
  const lines = em.out.splice(start).map((l) => l.trimStart());
  while (em.map.length && em.map[em.map.length - 1]![0] > start) em.map.pop();
  return lines;
}

/** A value written out (`2`, `"x"`, `none`): a failure need not say what it is. */
function isLiteral(e: A.Expr): boolean {
  if (e.kind === "StringLit") return e.parts.every((p) => p.kind === "StringText");
  if (e.kind === "UnaryExpr") return isLiteral(e.operand);
  return ["IntLit", "BoolLit", "NoneLit", "DurationLit", "TimeLit"].includes(e.kind);
}

/** The checks of a run's expectations, pushing failures to `__f`. */
function expectations(em: EmitContext, clauses: readonly A.TestClause[], quote: (e: { span: { start: number; end: number } }) => string, lets: Set<string>): string[] {
  const checks: string[] = [];
  let seen = false;
  for (const c of clauses) {
    if (c.kind === "StmtClause" && seen) checks.push(...testStatement(em, c.stmt, lets));
    if (c.kind !== "ExpectClause") continue;
    seen = true;
    const at = `${c.span.line}, ${c.span.col}`;
    const pattern = em.model.expectations.get(c);
    if (pattern) {
      const callee = c.expr.kind === "CallExpr" ? c.expr.callee : c.expr;
      const kind = callee.kind === "MemberExpr" ? `${callee.object.kind === "Ident" ? callee.object.name : "?"}.${callee.name.name}` : callee.kind === "Ident" ? callee.name : "?";
      const params = pattern.target.kind === "fn" ? [] : pattern.target.sig.params;
      const byParam = c.expr.kind === "CallExpr" ? (em.model.argumentsOf.get(c.expr) ?? []) : [];
      const fields = params.flatMap((p, k) => {
        const a = byParam[k];
        return a ? [`${JSON.stringify(p.name)}: ${em.expr(a.value, p.type)}`] : [];
      });
      checks.push(`__expectAction(__f, ${JSON.stringify(kind)}, { ${fields.join(", ")} }, ${c.negated}, ${JSON.stringify(quote(c.expr))}, ${at});`);
    } else {
      const e = c.expr;
      if (e.kind === "BinaryExpr" && ["==", "!=", "<", "<=", ">", ">="].includes(e.op)) {
        const l = em.fn.newTemp();
        const r = em.fn.newTemp();
        checks.push(`${l} = ${em.expr(e.left, em.typeOf(e.right))}; ${r} = ${em.expr(e.right, em.typeOf(e.left))};`);
        // A side written as a literal needs no "is": its value is what it says.
        const side = (x: A.Expr, t: string): string => (isLiteral(x) ? "" : `${JSON.stringify(` and \`${quote(x)}\` is `)} + __showTest(${t})`);
        const is = (x: A.Expr, t: string): string => `${JSON.stringify(`\`${quote(x)}\` is `)} + __showTest(${t})`;
        const left = isLiteral(e.left) ? is(e.right, r) : `${is(e.left, l)}${side(e.right, r) ? " + " + side(e.right, r) : ""}`;
        checks.push(`if (!(${em.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "`, but ")} + ${left} });`);
      } else {
        checks.push(`if (!(${em.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "` to be true")} });`);
      }
    }
  }
  return checks;
}

/**
 * Each test becomes a function making `{ setup, expects }`: `setup` sets the first run's
 * givens (members, state, now) and returns its message; `expects` checks
 * the actions and the state after it and returns the failures. A test of
 * several runs continues in `expects`: each later run sets its givens on
 * the state, members and time the last one left, runs its trigger as a run
 * does (fresh actions, gas limited to its trigger's bound, `stepGas` from
 * the host) and checks its own expectations; a run that fails ends the
 * test with the error as a failure (`error`, described by the host).
 * Checking costs no gas: only the trigger runs do.
 */
export function emitTests(em: EmitContext, sourceOf: (fileName: string) => string | undefined): EmittedTest[] {
  const out: EmittedTest[] = [];
  em.line("var __tests = [];");
  em.model.tests.forEach((t: TestInfo, i) => {
    const trigger = t.trigger ? triggerKey(t.trigger) : undefined;
    const steps = t.steps.length ? t.steps : [{ clauses: t.decl.clauses, trigger: t.trigger }];
    const emls: string[] = [];
    // The test's `let`s live in a closure around its setup and expectations.
    const lets = new Set<string>();
    const head = em.out.length;
    // Made when its run asks for it (the driver calls it): a test run builds its own test's functions, not every test's.
    em.line(`__tests[${i}] = function () { return {`, { line: t.decl.span.line, col: t.decl.span.col });
    em.indent++;
    em.line("setup: function () {");
    em.indent++;
    em.fn = new FunctionScope();
    const body: string[] = ["var __msg = null, __env = null;", ...givens(em, steps[0]!.clauses, emls, true, lets), "return __msg;"];
    em.declareTemps();
    for (const b of body) em.line(b);
    em.indent--;
    em.line("},");
    em.line("expects: function () {");
    em.indent++;
    em.fn = new FunctionScope();
    const text = sourceOf(t.file);
    const quote = (e: { span: { start: number; end: number } }): string =>
      text !== undefined ? text.slice(e.span.start, e.span.end).replace(/\s+/g, " ") : "the expectation";
    const checks: string[] = ["var __f = [], __msg = null, __env = null, __e = null;", ...expectations(em, steps[0]!.clauses, quote, lets)];
    const stepTriggers: string[] = [];
    for (const step of steps.slice(1)) {
      const key = step.trigger ? triggerKey(step.trigger) : "message";
      stepTriggers.push(key);
      const first = step.clauses[0]!;
      checks.push(`if (__f.length) return __f;`);
      checks.push(...givens(em, step.clauses, emls, false, lets));
      checks.push(`if (__msg === null && ${JSON.stringify(key)} === "message") __msg = __testMessage({}, null);`);
      // A run of its own: fresh actions and counters, the trigger's gas bound (as __begin sets them).
      checks.push(`__givensEnd(); __actions = []; __snapshots = new Map(); __logs = 0; __sent = 0; __gas = __gasLimit = (__in.stepGas || {})[${JSON.stringify(key)}] || 0;`);
      checks.push(`__e = __runTrigger(${JSON.stringify(key)}, __msg) || __stateOver(__st); __givensStart();`);
      checks.push(`if (__e) { __f.push({ line: ${first.span.line}, column: ${first.span.col}, message: "the run from here failed", error: __e }); return __f; }`);
      checks.push(...expectations(em, step.clauses, quote, lets));
    }
    checks.push("return __f;");
    em.declareTemps();
    for (const ch of checks) em.line(ch);
    em.indent--;
    em.line("},");
    em.line(`trigger: ${JSON.stringify(trigger ?? null)}`);
    em.indent--;
    em.line("}; };");
    if (lets.size) em.out[head] = em.out[head]!.replace("function () { return {", `function () { var ${[...lets].join(", ")}; return {`);
    out.push({ name: t.name, file: t.file, line: t.decl.span.line, trigger, eml: emls[0], emls, stepTriggers });
  });
  return out;
}
