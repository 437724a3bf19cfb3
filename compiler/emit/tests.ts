/**
 * A rule's tests in the emitted code (thwonkc test): each becomes
 * `{ setup, expects }` run as trigger `test:N`.
 */
import type * as A from "../syntax/ast.js";
import { FunctionScope, triggerKey, type EmitContext } from "./context.js";
import type { EmittedTest } from "./emitter.js";
import { lvalue } from "./statements.js";

/**
 * Each test becomes `{ setup, expects }`: `setup` sets the givens (members,
 * state, now) and returns the trigger's message; `expects` checks the
 * actions and the state after the run and returns the failures. Neither
 * costs gas: only the trigger run does.
 */
export function emitTests(em: EmitContext, sourceOf: (fileName: string) => string | undefined): EmittedTest[] {
  const out: EmittedTest[] = [];
  em.line("var __tests = [];");
  em.model.tests.forEach((t, i) => {
    const trigger = t.trigger ? triggerKey(t.trigger) : undefined;
    let eml: string | undefined;
    em.line(`__tests[${i}] = {`, { line: t.decl.span.line, col: t.decl.span.col });
    em.indent++;
    em.line("setup: function () {");
    em.indent++;
    em.fn = new FunctionScope();
    const body: string[] = ["var __msg = null;"];
    const givens = new Set(t.decl.clauses.flatMap((c) => (c.kind === "GivenClause" && c.target.kind === "Ident" ? [c.target.name] : [])));
    for (const c of t.decl.clauses) {
      if (c.kind !== "GivenClause") continue;
      const target = c.target;
      if (target.kind === "Ident") {
        const sym = em.model.symbols.get(target);
        if (sym?.kind === "trigger") {
          const file = c.value.kind === "StringLit" && c.value.parts.every((p) => p.kind === "StringText")
            ? c.value.parts.map((p) => (p as A.StringText).value).join("")
            : undefined;
          if (file !== undefined) {
            eml = file;
            body.push(`__msg = __message(__in.emls[${JSON.stringify(file)}]);`);
          } else {
            body.push(`__msg = __testMessage(${em.expr(c.value, sym.type)});`);
          }
        } else if (target.name === "members") {
          body.push(`__G_members = __members((${em.expr(c.value, undefined)}).map(function (m) { return typeof m === "string" ? { address: m } : m; }));`);
        } else if (target.name === "now") {
          body.push(`__G_now = ${em.expr(c.value, sym?.type)};`);
        } else if (target.name === "list") {
          body.push(`__G_list = ${em.expr(c.value, sym?.type)};`);
        }
      } else {
        body.push(`${lvalue(em, target)} = ${em.expr(c.value, em.typeOf(target))};`);
      }
    }
    // The list's owners are the roster's, as in a run (runtime/input listOf), unless the test gives the list.
    if (givens.has("members") && !givens.has("list")) body.push("__G_list.owners = Members$owners(__G_members).map(function (m) { return m.address; });");
    body.push("return __msg;");
    em.declareTemps();
    for (const b of body) em.line(b);
    em.indent--;
    em.line("},");
    em.line("expects: function () {");
    em.indent++;
    em.fn = new FunctionScope();
    const checks: string[] = ["var __f = [];"];
    const text = sourceOf(t.file);
    const quote = (e: { span: { start: number; end: number } }): string =>
      text !== undefined ? text.slice(e.span.start, e.span.end).replace(/\s+/g, " ") : "the expectation";
    for (const c of t.decl.clauses) {
      if (c.kind !== "ExpectClause") continue;
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
          checks.push(`if (!(${em.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "`, but `" + quote(e.left) + "` is ")} + __showAny(${l}) + ${JSON.stringify(" and `" + quote(e.right) + "` is ")} + __showAny(${r}) });`);
        } else {
          checks.push(`if (!(${em.expr(e, undefined)})) __f.push({ line: ${c.span.line}, column: ${c.span.col}, message: ${JSON.stringify("expected `" + quote(e) + "` to be true")} });`);
        }
      }
    }
    checks.push("return __f;");
    em.declareTemps();
    for (const ch of checks) em.line(ch);
    em.indent--;
    em.line("},");
    em.line(`trigger: ${JSON.stringify(trigger ?? null)}`);
    em.indent--;
    em.line("};");
    out.push({ name: t.name, file: t.file, line: t.decl.span.line, trigger, eml });
  });
  return out;
}
