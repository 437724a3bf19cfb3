/**
 * Statements: each on its own line (so the source map points a runtime
 * error at its .thwonk line), each block charging on entry the static cost
 * of its statements, each loop iteration `iteration` + its filter + its
 * body's static cost; assignments, with a value written into state checked
 * whole against the place's bounds before it is stored.
 */
import type * as A from "../syntax/ast.js";
import { stdlib } from "../../stdlib/index.js";
import { compoundCharge, iterationCharge, statementCharge } from "../verify/units.js";
import { operands } from "./calls.js";
import { isNamed, type EmitContext } from "./context.js";
import { ident } from "./expressions.js";
import { statePlace } from "./state.js";

/** The static gas of a statement: charged when its block is entered. */
export function staticCost(em: EmitContext, s: A.Stmt): number {
  return statementCharge(s, em.cx);
}

export function charge(em: EmitContext, n: number): void {
  if (n > 0 && em.options.meter !== false) em.line(`if ((__gas -= ${n}) < 0) __oog();`);
}

export function blockBody(em: EmitContext, b: A.Block, extra = 0): void {
  charge(em, extra + b.stmts.reduce((n, s) => n + staticCost(em, s), 0));
  for (const s of b.stmts) stmt(em, s);
}

export function stmt(em: EmitContext, s: A.Stmt): void {
  const at = { line: s.span.line, col: s.span.col };
  if (em.options.trace) em.line(`__tr(${at.line}, ${at.col}, ${JSON.stringify(s.kind)}, null);`);
  switch (s.kind) {
    case "LetStmt":
      em.line(`${s.mutable ? "let" : "const"} $${s.name.name} = ${em.expr(s.init, em.typeOf(s.init))};`, at);
      if (em.options.trace) em.line(`__tr(${at.line}, ${at.col}, ${JSON.stringify(s.name.name)}, $${s.name.name});`);
      return;
    case "AssignStmt":
      em.line(assign(em, s) + ";", at);
      return;
    case "ExprStmt":
      em.line(em.expr(s.expr, undefined) + ";", at);
      return;
    case "ReturnStmt":
      em.line(s.value ? `return ${em.expr(s.value, em.typeOf(s.value))};` : "return;", at);
      return;
    case "BreakStmt":
      em.line("break;", at);
      return;
    case "ContinueStmt":
      em.line("continue;", at);
      return;
    case "IfStmt":
      ifStmt(em, s, "if");
      return;
    case "ForStmt":
      forStmt(em, s);
      return;
  }
}

export function ifStmt(em: EmitContext, s: A.IfStmt, keyword: "if" | "else if"): void {
  const cond = em.expr(s.cond, undefined);
  // Traced, the condition's value says which way the `if` went.
  const traced = em.options.trace ? `__tr(${s.span.line}, ${s.span.col}, "if", ${cond})` : cond;
  em.line(`${keyword === "if" ? "if" : "} else if"} (${traced}) {`, { line: s.span.line, col: s.span.col });
  em.indent++;
  blockBody(em, s.then);
  em.indent--;
  if (!s.else) {
    em.line("}");
    return;
  }
  if (s.else.kind === "IfStmt") {
    // The nested `if` is a statement of its own: charge it when it is reached.
    em.line("} else {");
    em.indent++;
    charge(em, staticCost(em, s.else));
    if (em.options.trace) em.line(`__tr(${s.else.span.line}, ${s.else.span.col}, "IfStmt", null);`);
    ifStmt(em, s.else, "if");
    em.indent--;
    em.line("}");
    return;
  }
  em.line("} else {");
  em.indent++;
  blockBody(em, s.else);
  em.indent--;
  em.line("}");
}

export function forStmt(em: EmitContext, s: A.ForStmt): void {
  const iterType = em.typeOf(s.iterable);
  const iter = em.expr(s.iterable, iterType);
  const base = iterType?.kind === "optional" ? iterType.inner : iterType;
  const kind = base?.kind === "named" ? base.name : "List";
  const elements = stdlib.types[kind]?.atRun?.elements;
  let head: string;
  if (kind === "Map") {
    head = s.key ? `const [$${s.key.name}, $${s.name.name}] of Array.from(${iter})` : `const $${s.name.name} of Array.from(${iter}.keys())`;
  } else if (elements) {
    head = `const $${s.name.name} of ${elements}(${iter}).slice()`;
  } else {
    head = `const $${s.name.name} of ${iter}.slice()`;
  }
  em.line(`for (${head}) {`, { line: s.span.line, col: s.span.col });
  em.indent++;
  // Traced, each iteration's loop variables.
  if (em.options.trace) {
    const vars = s.key ? `[$${s.key.name}, $${s.name.name}]` : `$${s.name.name}`;
    em.line(`__tr(${s.span.line}, ${s.span.col}, ${JSON.stringify(`for ${s.key ? `${s.key.name}, ` : ""}${s.name.name}`)}, ${vars});`);
  }
  const perIteration = iterationCharge(s, em.cx);
  if (s.where) {
    charge(em, perIteration);
    em.line(`if (!(${em.expr(s.where, undefined)})) continue;`, { line: s.where.span.line, col: s.where.span.col });
    blockBody(em, s.body);
  } else {
    blockBody(em, s.body, perIteration);
  }
  em.indent--;
  em.line("}");
}

export function assign(em: EmitContext, s: A.AssignStmt): string {
  const at = `${s.span.line}, ${s.span.col}`;
  const targetType = em.typeOf(s.target);
  let value = em.expr(s.value, targetType);
  if (s.op !== "=") {
    const cur = lvalue(em, s.target);
    const isString = isNamed(targetType, "string");
    if (isString) {
      value = operands(em, compoundCharge(s, em.cx), cur, value, targetType, em.typeOf(s.value), (a, b) => `(${a} + ${b})`);
    } else if (isNamed(targetType, "int") || isNamed(targetType, "Duration")) {
      value = `__ia(${cur} ${s.op === "+=" ? "+" : "-"} ${value}, ${at})`;
    } else if (isNamed(targetType, "Time")) {
      value = `__ta(${cur} ${s.op === "+=" ? "+" : "-"} ${value}, ${at})`;
    } else {
      value = `(${cur} ${s.op === "+=" ? "+" : "-"} ${value})`;
    }
  }
  // A value written into state is checked whole, against every bound inside the place's declared type, before it is stored.
  const place = statePlace(em, s.target);
  if (place) value = `__stput(${place.ref}, ${value}, ${JSON.stringify(place.name)}, ${at})`;
  return `${lvalue(em, s.target)} = ${value}`;
}

export function lvalue(em: EmitContext, e: A.Expr): string {
  if (e.kind === "Ident") return ident(em, e);
  if (e.kind === "MemberExpr") {
    const t = em.model.members.get(e);
    if (t?.kind === "state") return `__st[${JSON.stringify(t.field.name)}]`;
    return `${em.expr(e.object, undefined)}.${e.name.name}`;
  }
  return em.expr(e, undefined);
}
