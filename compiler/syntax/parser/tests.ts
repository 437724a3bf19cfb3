/** `test "name" { ... }`: givens, `run every ...` and `expect` clauses. */
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import type { Token } from "../lexer.js";
import * as T from "../tokens.js";
import { describeToken, type Parser } from "./cursor.js";
import { schedule } from "./declarations.js";
import { expr, postfix } from "./expressions.js";
import { stringLit } from "./interpolation.js";
import * as N from "./kinds.js";
import { closing, inBraces, IS_EXPR_START, items, syncStatement, type ItemsSpec } from "./recovery.js";
import { statement } from "./statements.js";

const EXPECTED_CLAUSE = "`expect`, `run`, `let`, `for` or a given such as `members = [...]`";

/** The statements a test may hold among its givens (a call is told apart after its target). */
const IS_STMT_CLAUSE = T.kindTable([T.Let, T.Var, T.For, T.If]);

const IS_CLAUSE_START = IS_EXPR_START.map((v, k) => v | IS_STMT_CLAUSE[k]!);

const testClauseItems: ItemsSpec<A.TestClause> = {
  more: inBraces,
  starts: IS_CLAUSE_START,
  parse: testClause,
  sync: syncStatement,
  junk: (p, t) => p.error(syntaxMessages.expectedToken, p.span(t), [EXPECTED_CLAUSE, describeToken(t)]),
};

/** What may follow the name a given starts with: `members = ...`, `state.count = ...`, `m[0] = ...`. */
const IS_GIVEN_SECOND = T.kindTable([T.Eq, T.PlusEq, T.MinusEq, T.Dot, T.LParen, T.LBracket]);

/** Can `t2` (and the token after) follow the name a given starts with? `m(` and `m[` need what a call or an index holds. */
function givenAfterName(p: Parser, t2: Token): boolean {
  if (IS_GIVEN_SECOND[t2.kind] !== 1) return false;
  const t3 = p.peekAt(2).kind;
  if (t2.kind === T.LBracket) return IS_EXPR_START[t3] === 1;
  if (t2.kind === T.LParen) return IS_EXPR_START[t3] === 1 || t3 === T.RParen;
  return true;
}

export function testDecl(p: Parser): A.TestDecl {
  p.open(N.TestDecl);
  const start = p.bump();
  const name = stringLit(p, p.expect(T.StringLiteral));
  const open = p.expect(T.LCurly);
  const clauses = items(p, testClauseItems);
  closing(p, T.RCurly, open, "}");
  p.close();
  return { kind: "TestDecl", span: p.from(start), name, clauses };
}

/**
 * A clause: `expect [no] expr`, `run every schedule`, `target = value`.
 * told apart by their first two tokens (`expect` and `run` are names too):
 * `expect` then `no` or an expression, `run every`; a given that starts
 * with a name needs a second token that can follow a target (`=`, `.`,
 * `(`, `[`).
 */
function testClause(p: Parser): A.TestClause {
  const t = p.peek();
  const t2 = p.peek2();
  if (t.kind === T.Expect && (t2.kind === T.No || IS_EXPR_START[t2.kind] === 1)) {
    p.open(N.ExpectClause);
    p.bump();
    const negated = p.eat(T.No);
    const e = expr(p);
    p.close();
    return { kind: "ExpectClause", span: p.from(t), negated, expr: e };
  }
  if (t.kind === T.Run && t2.kind === T.Every) {
    p.open(N.RunClause);
    p.bump();
    p.expect(T.Every);
    const sched = schedule(p);
    p.close();
    return { kind: "RunClause", span: p.from(t), schedule: sched };
  }
  if (IS_STMT_CLAUSE[t.kind] === 1) {
    const stmt = statement(p);
    return { kind: "StmtClause", span: stmt.span, stmt };
  }
  if (t.kind === T.Not || t.kind === T.Minus || (T.IS_IDENTIFIER[t.kind] === 1 && !givenAfterName(p, t2))) {
    // `run` and `expect` start a clause of their own: what is wrong is the word after them ("found `run`" said nothing).
    if (t.kind === T.Run) {
      p.bump();
      p.fail("`every` after `run` (a test runs a schedule: `run every day at 00:00`; its message is a given: `message = { ... }`)");
    }
    if (t.kind === T.Expect) {
      p.bump();
      p.fail("`no` or an expression after `expect` (`expect send(to: members)`, `expect no reply`)");
    }
    p.fail(EXPECTED_CLAUSE);
  }
  const m = p.open(N.GivenClause);
  const target = postfix(p);
  // `state.posts.push(x)`, `helper()`: a call among the givens is a statement.
  if (target.kind === "CallExpr" && p.peek().kind !== T.Eq) {
    p.events[m] = N.ExprStmt;
    p.close();
    return { kind: "StmtClause", span: target.span, stmt: { kind: "ExprStmt", span: target.span, expr: target } };
  }
  // `n += 1`, `state.count -= 2`: a compound assignment is a statement (a plain `=` is a given).
  const op = p.peek();
  if (op.kind === T.PlusEq || op.kind === T.MinusEq) {
    p.events[m] = N.AssignStmt;
    p.bump();
    const value = expr(p);
    p.close();
    const span = p.cover(target.span, value.span);
    return { kind: "StmtClause", span, stmt: { kind: "AssignStmt", span, target, op: op.text as A.AssignOp, value } };
  }
  p.expect(T.Eq);
  const value = expr(p);
  p.close();
  return { kind: "GivenClause", span: p.cover(target.span, value.span), target, value };
}
