/**
 * The static part of the gas and what each expression node charges: how
 * many operations a statement's own expressions perform (nested blocks are
 * charged on their own), and which cost of the one table (stdlib/index.ts,
 * stdlib/constructs.ts) each node adds (`nodeCharge`). The emitter charges
 * exactly these in the generated code and the verifier counts them in its
 * bound — one function, so the two cannot disagree
 * (test/verify/charges.test.ts runs every construct against its bound).
 */
import type { CostExpr } from "../../stdlib/decl.js";
import { costSizes, evalCost, numberDomain } from "../../stdlib/cost-eval.js";
import type { CallTarget, SemanticModel } from "../semantic/model.js";
import type { StdlibTypes } from "../semantic/stdlib-types.js";
import type { Type } from "../semantic/types.js";
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

// ------------------------------------------------------------------ what each expression charges

/**
 * The gas one expression node charges besides its `operation`, read from the
 * one cost table (stdlib/index.ts, stdlib/constructs.ts). The emitter and
 * the verifier both ask this function which cost applies to a node, and
 * each evaluates it in its own domain: the emitter on the actual values
 * (compiled JavaScript), the verifier on their bounds. A cost that reads no
 * size is charged when the statement's block is entered (`fixedCharge`);
 * the others just before the node's value is computed.
 */
export type NodeCharge =
  /** Reading a field of a stdlib type: `size(self)` is the object's size. */
  | { kind: "field"; cost: CostExpr; object: A.Expr }
  /** A stdlib function or method (an index `xs[i]` is a call of `get`): sizes of `self` and the parameters. */
  | { kind: "call"; cost: CostExpr; target: Exclude<CallTarget, { kind: "fn" }> }
  /** A call of the rule's own `fn`: its body is charged by its own blocks. */
  | { kind: "fnCall"; cost: number }
  /** A declared operator (`-x` is `0 - x`, charged as `x - x`): `size(left)`, `size(right)` by the operands' types. */
  | { kind: "operator"; cost: CostExpr; left: A.Expr; right: A.Expr }
  /** `==`/`!=` between two strings (either may be `string?`): `size(left)`, `size(right)` are lengths, 0 for none. */
  | { kind: "stringEquality"; cost: CostExpr; left: A.Expr; right: A.Expr }
  /** A string with `{...}` parts: `size(result)` is the built string's length. */
  | { kind: "interpolation"; cost: CostExpr }
  /** A list, map or record literal: `size(result)` is its element count, known statically. */
  | { kind: "literal"; cost: CostExpr; count: number };

export interface ChargeContext {
  model: SemanticModel;
  std: StdlibTypes;
}

/** Whether `==`/`!=` with these operand types compares strings (and is charged `stringEquality`). */
export function comparesStrings(left: Type | undefined, right: Type | undefined): boolean {
  return isStringLike(left) && isStringLike(right);
}

function isStringLike(t: Type | undefined): boolean {
  const base = t?.kind === "optional" ? t.inner : t;
  return base?.kind === "named" && base.name === "string";
}

/** What the node itself charges (not its operands), or undefined when only its `operation` is. */
export function nodeCharge(e: A.Expr, cx: ChargeContext): NodeCharge | undefined {
  const model = cx.model;
  switch (e.kind) {
    case "MemberExpr": {
      const t = model.members.get(e);
      if (t?.kind !== "field" || t.decl.cost === undefined || t.decl.cost === 0) return undefined;
      return { kind: "field", cost: t.decl.cost, object: e.object };
    }
    case "CallExpr": {
      const t = model.calls.get(e);
      if (!t) return undefined;
      if (t.kind === "fn") return { kind: "fnCall", cost: cx.std.decl.constructs.fnCall };
      return { kind: "call", cost: t.decl.cost, target: t };
    }
    case "IndexExpr": {
      const t = model.indexes.get(e);
      if (!t || t.kind === "fn") return undefined;
      return { kind: "call", cost: t.decl.cost, target: t };
    }
    case "BinaryExpr": {
      if (e.op === "==" || e.op === "!=") {
        if (!comparesStrings(model.types.get(e.left), model.types.get(e.right))) return undefined;
        return { kind: "stringEquality", cost: cx.std.decl.constructs.stringEquality, left: e.left, right: e.right };
      }
      const op = model.operators.get(e);
      return op ? { kind: "operator", cost: op.cost, left: e.left, right: e.right } : undefined;
    }
    case "UnaryExpr": {
      const op = model.operators.get(e);
      return op ? { kind: "operator", cost: op.cost, left: e.operand, right: e.operand } : undefined;
    }
    case "StringLit":
      return e.parts.some((p) => p.kind !== "StringText") ? { kind: "interpolation", cost: cx.std.decl.constructs.interpolation } : undefined;
    case "ListLit":
      return { kind: "literal", cost: cx.std.decl.constructs.literal, count: e.elements.length };
    case "BraceLit":
      return { kind: "literal", cost: cx.std.decl.constructs.literal, count: e.entries.length };
    default:
      return undefined;
  }
}

/** A cost that reads no size and no limit: its value; otherwise undefined. */
export function constantOf(c: CostExpr): number | undefined {
  if (typeof c === "number") return c;
  if (costSizes(c).size > 0 || mentionsLimit(c)) return undefined;
  return evalCost(c, { size: () => 0, total: () => 0, limit: () => 0 }, numberDomain);
}

function mentionsLimit(c: CostExpr): boolean {
  if (typeof c === "number") return false;
  if ("limit" in c) return true;
  if ("size" in c || "total" in c) return false;
  if ("ceilDiv" in c) return mentionsLimit(c.ceilDiv);
  return (Object.values(c)[0] as CostExpr[]).some(mentionsLimit);
}

/**
 * The part of a node's charge known before the run (charged on entry to the
 * statement's block), or undefined when it depends on sizes (charged where
 * the node runs, on its actual values). A literal's count is static.
 */
export function fixedCharge(c: NodeCharge): number | undefined {
  switch (c.kind) {
    case "fnCall":
      return c.cost;
    case "literal":
      return evalCost(c.cost, { size: () => c.count, total: () => c.count, limit: () => 0 }, numberDomain);
    default:
      return constantOf(c.cost);
  }
}

/** The expressions a node evaluates itself (its operands), in the order the emitted code evaluates them. */
export function children(e: A.Expr): A.Expr[] {
  switch (e.kind) {
    case "MemberExpr":
      return [e.object];
    case "CallExpr": {
      const out: A.Expr[] = e.callee.kind === "MemberExpr" ? [e.callee.object] : [];
      for (const a of e.args) out.push(a.value);
      return out;
    }
    case "IndexExpr":
      return [e.object, e.index];
    case "UnaryExpr":
      return [e.operand];
    case "BinaryExpr":
      return [e.left, e.right];
    case "ListLit":
      return e.elements;
    case "BraceLit": {
      const out: A.Expr[] = [];
      for (const en of e.entries) {
        if (en.key.kind !== "Ident") out.push(en.key);
        out.push(en.value);
      }
      return out;
    }
    case "StringLit":
      return e.parts.filter((p): p is A.Expr => p.kind !== "StringText");
    default:
      return [];
  }
}

/** The fixed charges of every node of an expression (charged with its statement). */
export function fixedCharges(e: A.Expr | undefined, cx: ChargeContext): number {
  if (!e) return 0;
  let n = 0;
  const visit = (x: A.Expr): void => {
    const c = nodeCharge(x, cx);
    if (c) n += fixedCharge(c) ?? 0;
    for (const k of children(x)) visit(k);
  };
  visit(e);
  return n;
}

/** The static gas of a statement (charged when its block is entered): `statement`, its operations and its fixed charges. */
export function statementCharge(s: A.Stmt, cx: ChargeContext): number {
  let n = cx.std.decl.constructs.statement;
  for (const e of statementExprs(s)) n += operations(e) * cx.std.decl.constructs.operation + fixedCharges(e, cx);
  if (s.kind === "AssignStmt") {
    const c = compoundCharge(s, cx);
    if (c) n += fixedCharge(c) ?? 0;
  }
  return n;
}

/** The static gas of a loop's iteration: `iteration`, and its filter's operations and fixed charges. */
export function iterationCharge(s: A.ForStmt, cx: ChargeContext): number {
  return cx.std.decl.constructs.iteration + (s.where ? operations(s.where) * cx.std.decl.constructs.operation + fixedCharges(s.where, cx) : 0);
}

/**
 * What `target += value` charges besides its statement: on strings, the
 * string `+` (its cost over both lengths, as `target + value` would be);
 * other compound assignments (ints, durations, times) only their statement.
 */
export function compoundCharge(s: A.AssignStmt, cx: ChargeContext): NodeCharge | undefined {
  if (s.op === "=") return undefined;
  const t = cx.model.types.get(s.target);
  if (!(t?.kind === "named" && t.name === "string")) return undefined;
  const op = cx.model.operators.get(s);
  return op ? { kind: "operator", cost: op.cost, left: s.target, right: s.value } : undefined;
}
