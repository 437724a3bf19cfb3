/** `test "name" { ... }`: givens, `run every ...` and `expect` clauses. */
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import * as T from "../tokens.js";
import { describeToken, type Parser } from "./cursor.js";
import { schedule } from "./declarations.js";
import { expr, postfix } from "./expressions.js";
import { stringLit } from "./interpolation.js";
import * as N from "./kinds.js";
import { closing, inBraces, IS_EXPR_START, items, syncStatement, type ItemsSpec } from "./recovery.js";

const EXPECTED_CLAUSE = "`expect`, `run` or a given such as `members = [...]`";

const testClauseItems: ItemsSpec<A.TestClause> = {
  more: inBraces,
  starts: IS_EXPR_START,
  parse: testClause,
  sync: syncStatement,
  junk: (p, t) => p.error(syntaxMessages.expectedToken, p.span(t), [EXPECTED_CLAUSE, describeToken(t)]),
};

/** What may follow the name a given starts with: `members = ...`, `state.count = ...`, `m[0] = ...`. */
const IS_GIVEN_SECOND = T.kindTable([T.Eq, T.Dot, T.LParen, T.LBracket]);

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
 * A clause, told apart by its first two tokens (`expect` and `run` are
 * also names): `expect [no] expr`, `run every schedule`, `target = value`.
 */
function testClause(p: Parser): A.TestClause {
  const t = p.peek();
  const t2 = p.peek2();
  if (t.kind === T.Expect && (t2.kind === T.No || IS_EXPR_START[t2.kind] === 1)) {
    p.open(N.ExpectClause);
    p.bump();
    // `expect no send`, but `expect no == x` compares a name `no`.
    const negated = p.at(T.No) && IS_EXPR_START[p.peek2().kind] === 1;
    if (negated) p.bump();
    const e = expr(p);
    p.close();
    return { kind: "ExpectClause", span: p.from(t), negated, expr: e };
  }
  if (t.kind === T.Run && t2.kind === T.Every) {
    p.open(N.RunClause);
    p.bump();
    p.bump();
    const sched = schedule(p);
    p.close();
    return { kind: "RunClause", span: p.from(t), schedule: sched };
  }
  if (t.kind === T.Not || t.kind === T.Minus || (T.IS_IDENTIFIER[t.kind] === 1 && IS_GIVEN_SECOND[t2.kind] !== 1)) {
    p.fail(EXPECTED_CLAUSE);
  }
  p.open(N.GivenClause);
  const target = postfix(p);
  p.expect(T.Eq);
  const value = expr(p);
  p.close();
  return { kind: "GivenClause", span: p.cover(target.span, value.span), target, value };
}
