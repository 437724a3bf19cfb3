/**
 * The static part of the gas: how many operations a statement's own
 * expressions perform (nested blocks are charged on their own). The emitter
 * charges exactly these counts in the generated code and the verifier counts
 * them in its bound — one function, so the two cannot disagree.
 */
import type * as A from "../syntax/ast.js";

/** Member access, calls, indexing, operators and composite literals each count one; names and plain literals are free. */
export function operations(e: A.Expr | undefined): number {
  if (!e) return 0;
  // The most frequent kinds first (a switch on strings compares in order).
  const kind = e.kind;
  if (kind === "Ident" || kind === "IntLit") return 0;
  switch (kind) {
    case "MemberExpr":
      return 1 + operations(e.object);
    case "CallExpr": {
      let n = 1 + (e.callee.kind === "MemberExpr" ? operations(e.callee.object) : 0);
      for (const a of e.args) n += operations(a.value);
      return n;
    }
    case "IndexExpr":
      return 1 + operations(e.object) + operations(e.index);
    case "UnaryExpr":
      return 1 + operations(e.operand);
    case "BinaryExpr":
      return 1 + operations(e.left) + operations(e.right);
    case "ListLit": {
      let n = 1;
      for (const x of e.elements) n += operations(x);
      return n;
    }
    case "BraceLit": {
      let n = 1;
      for (const x of e.entries) n += operations(x.key) + operations(x.value);
      return n;
    }
    case "StringLit": {
      let exprs = 0;
      let n = 1;
      for (const p of e.parts) {
        if (p.kind === "StringText") continue;
        exprs++;
        n += operations(p);
      }
      return exprs === 0 ? 0 : n;
    }
    default:
      return 0;
  }
}

/** The operations of the expressions a statement evaluates itself: the sum of `operations` over statementExprs(s), without the array. */
export function statementOperations(s: A.Stmt): number {
  switch (s.kind) {
    case "LetStmt":
      return operations(s.init);
    case "AssignStmt":
      return (s.target.kind === "Ident" ? 0 : operations(s.target)) + operations(s.value);
    case "IfStmt":
      return operations(s.cond);
    case "ForStmt":
      return operations(s.iterable);
    case "ReturnStmt":
      return operations(s.value);
    case "ExprStmt":
      return operations(s.expr);
    default:
      return 0;
  }
}

/** The expressions a statement evaluates itself, before any block it holds. */
export function statementExprs(s: A.Stmt): (A.Expr | undefined)[] {
  switch (s.kind) {
    case "LetStmt":
      return [s.init];
    case "AssignStmt":
      return [s.target.kind === "Ident" ? undefined : s.target, s.value];
    case "IfStmt":
      return [s.cond];
    case "ForStmt":
      return [s.iterable];
    case "ReturnStmt":
      return [s.value];
    case "ExprStmt":
      return [s.expr];
    default:
      return [];
  }
}
