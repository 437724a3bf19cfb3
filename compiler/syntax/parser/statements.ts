/** Blocks and statements. */
import { makeDiagnostic, syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import * as T from "../tokens.js";
import { describeToken, type Parser } from "./cursor.js";
import { expr, nest, NEST_BLOCK, postfix } from "./expressions.js";
import type { Token } from "../lexer.js";
import * as N from "./kinds.js";
import { closing, ident, inBraces, IS_EXPR_START, IS_STMT_START, items, syncStatement, type ItemsSpec } from "./recovery.js";
import { type } from "./types.js";

const IS_ASSIGN_OP = T.kindTable([T.Eq, T.PlusEq, T.MinusEq]);

const statementItems: ItemsSpec<A.Stmt> = {
  more: inBraces,
  starts: IS_STMT_START,
  parse: statement,
  sync: syncStatement,
  junk: (p, t) => p.error(syntaxMessages.expectedStatement, p.span(t), [describeToken(t)]),
};

/** `{ statements }` */
export function block(p: Parser): A.Block {
  p.open(N.Block);
  const open = p.expect(T.LCurly);
  nest(p, NEST_BLOCK);
  const stmts = items(p, statementItems);
  p.depth -= NEST_BLOCK;
  closing(p, T.RCurly, open, "}");
  p.close();
  return { kind: "Block", span: p.from(open), stmts };
}

/** A statement; `items` calls this only when the next token can start one. */
export function statement(p: Parser): A.Stmt {
  const t = p.peek();
  switch (t.kind) {
    case T.Let:
    case T.Var:
      return letStmt(p);
    case T.If:
      return ifStmt(p);
    case T.For:
      return forStmt(p);
    case T.Return:
      return returnStmt(p);
    case T.Break:
      p.open(N.BreakStmt);
      p.bump();
      p.close();
      return { kind: "BreakStmt", span: p.span(t) };
    case T.Continue:
      p.open(N.ContinueStmt);
      p.bump();
      p.close();
      return { kind: "ContinueStmt", span: p.span(t) };
    default:
      if (t.kind === T.Identifier && t.text === "while" && IS_EXPR_START[p.peek2().kind] === 1 && p.peek2().kind !== T.Dot) return whileLoop(p);
      return exprStmt(p);
  }
}

/**
 * `while cond { ... }`, which Thwonk does not have: reported (TW1051), and
 * read as an `if` so that the condition and the body are still checked and
 * nothing after it is reported twice. In the concrete tree it is an `Error`
 * node holding the tokens as written.
 */
function whileLoop(p: Parser): A.IfStmt {
  p.open(N.Error);
  const start = p.bump();
  p.error(syntaxMessages.whileLoop, p.span(start), []);
  const cond = condition(p);
  const then = block(p);
  p.close();
  return { kind: "IfStmt", span: p.from(start), cond, then, else: undefined };
}

/** `let x = e`, `var x: T = e` */
function letStmt(p: Parser): A.LetStmt {
  p.open(N.LetStmt);
  const start = p.bump();
  const name = ident(p);
  let ty: A.TypeNode | undefined;
  if (p.eat(T.Colon)) ty = type(p);
  p.expect(T.Eq);
  const init = expr(p);
  p.close();
  return { kind: "LetStmt", span: p.from(start), mutable: start.kind === T.Var, name, type: ty, init };
}

/** A condition; `if x = 1` gets a hint to write `==`. */
function condition(p: Parser): A.Expr {
  const mark = p.events.length;
  const startPos = p.pos;
  const cond = expr(p);
  const eq = p.peek();
  if (eq.kind !== T.Eq) return cond;
  // `if a = b {`: report it, then read it as `a == b` so the rest of the `if` survives.
  p.error(syntaxMessages.assignInCondition, p.span(eq), []);
  p.bump();
  const right = expr(p);
  p.wrap(mark, startPos, N.BinaryExpr);
  return { kind: "BinaryExpr", span: p.cover(cond.span, right.span), op: "==", opSpan: p.span(eq), left: cond, right };
}

function ifStmt(p: Parser): A.IfStmt {
  p.open(N.IfStmt);
  const start = p.bump();
  const cond = condition(p);
  const then = block(p);
  let otherwise: A.Block | A.IfStmt | undefined;
  if (p.at(T.Else)) {
    p.open(N.ElseBranch);
    p.bump();
    if (p.at(T.If)) {
      // An `else if` is an `if` inside the `else`, to every later phase too.
      nest(p, NEST_BLOCK);
      otherwise = ifStmt(p);
      p.depth -= NEST_BLOCK;
    } else if (p.at(T.LCurly)) otherwise = block(p);
    else p.fail("`if` or `{`");
    p.close();
  }
  p.close();
  return { kind: "IfStmt", span: p.from(start), cond, then, else: otherwise };
}

/** `for x in xs where cond { }`, `for k, v in map { }` */
function forStmt(p: Parser): A.ForStmt {
  p.open(N.ForStmt);
  const start = p.bump();
  let key: A.Ident | undefined;
  let name = ident(p);
  if (p.eat(T.Comma)) {
    key = name;
    name = ident(p);
  }
  p.expect(T.In);
  const iterable = expr(p);
  let where: A.Expr | undefined;
  if (p.eat(T.Where)) where = expr(p);
  const body = block(p);
  p.close();
  return { kind: "ForStmt", span: p.from(start), key, name, iterable, where, body };
}

function returnStmt(p: Parser): A.ReturnStmt {
  p.open(N.ReturnStmt);
  const start = p.bump();
  // The value must start on the `return` line.
  const next = p.peek();
  const value = p.sameLine(start, next) && IS_EXPR_START[next.kind] === 1 ? expr(p) : undefined;
  p.close();
  return { kind: "ReturnStmt", span: p.from(start), value };
}

/** The first of two adjacent `+`s (or `-`s) that end the statement on this line (`count++`), if any. */
function incrementAhead(p: Parser): Token | undefined {
  const first = p.peek();
  for (let k = 0; k < 64; k++) {
    const t = p.peekAt(k);
    if (t.kind === T.EOF || !p.sameLine(first, t)) return undefined;
    if (t.kind !== T.Plus && t.kind !== T.Minus) continue;
    const u = p.peekAt(k + 1);
    if (u.kind !== t.kind || u.start !== t.end) continue;
    const after = p.peekAt(k + 2);
    if (after.kind === T.EOF || after.kind === T.RCurly || !p.sameLine(first, after)) return t;
  }
  return undefined;
}

/** A call, or an assignment `target = value` (`+=`, `-=`). */
export function exprStmt(p: Parser): A.Stmt {
  const m = p.open(N.ExprStmt);
  const bump = incrementAhead(p);
  if (bump) {
    // `count++` as other languages write it: reported (TW1022) and read as `count += 1`.
    const from = p.pos;
    const events = p.events.length;
    const diags = p.diags.length;
    const target = postfix(p);
    const written = p.tokens.slice(from, p.pos).map((t) => t.text).join("");
    const op = p.peek();
    if ((op.kind === T.Plus || op.kind === T.Minus) && op.start === bump.start) {
      p.bump();
      const second = p.bump();
      const opSpan = p.cover(p.span(op), p.span(second));
      const meant = `${op.kind === T.Plus ? "+=" : "-="} 1`;
      const fix = { description: `Write \`${meant}\``, edits: [{ span: opSpan, newText: ` ${meant}` }] };
      p.report(makeDiagnostic(syntaxMessages.incrementOperator, opSpan, [op.text + second.text, `${written} ${meant}`], { fix }));
      p.events[m] = N.AssignStmt;
      p.close();
      const one: A.IntLit = { kind: "IntLit", span: opSpan, value: 1 };
      return { kind: "AssignStmt", span: p.cover(target.span, opSpan), target, op: op.kind === T.Plus ? "+=" : "-=", value: one };
    }
    // Not `target++` after all (`x = a--`): read again as an ordinary statement.
    p.pos = from;
    p.events.length = events;
    p.diags.length = diags;
  }
  const e = expr(p);
  const op = p.peek();
  if (IS_ASSIGN_OP[op.kind] !== 1) {
    p.close();
    return { kind: "ExprStmt", span: e.span, expr: e };
  }
  p.events[m] = N.AssignStmt;
  p.bump();
  const value = expr(p);
  p.close();
  return { kind: "AssignStmt", span: p.cover(e.span, value.span), target: e, op: op.text as A.AssignOp, value };
}
