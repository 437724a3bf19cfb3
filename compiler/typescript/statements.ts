/**
 * TypeScript statements lowered into the core's statements: `const` (`let`
 * in .thwonk) and `let` (`var`), assignments, `if`, `for … of`, `return`,
 * `break`, `continue` and expression statements. Loops without a bound,
 * exceptions, nested functions and classes are refused with the reason.
 */
import type * as TsMorph from "ts-morph";
import type { Block, Expr, Ident, Stmt } from "../syntax/ast.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanOf, textOf, type Lowering } from "./context.js";
import { lowerExpr } from "./expressions.js";
import { lowerType } from "./types.js";
import { madeType } from "./declarations.js";
import { inThwonk } from "./load.js";
import { stdlib } from "../../stdlib/index.js";

type Node = TsMorph.ts.Node;

export function lowerBlock(cx: Lowering, node: Node): Block {
  const ts = cx.ts;
  const stmts: Stmt[] = [];
  const list = ts.isBlock(node) ? node.statements : [node as TsMorph.ts.Statement];
  for (const s of list) {
    const lowered = lowerStmt(cx, s);
    if (lowered) stmts.push(lowered);
  }
  return { kind: "Block", span: spanOf(cx, node), stmts };
}

function lowerStmt(cx: Lowering, node: TsMorph.ts.Statement): Stmt | undefined {
  const ts = cx.ts;
  const span = spanOf(cx, node);
  if (ts.isVariableStatement(node)) return lowerVariable(cx, node);
  if (ts.isExpressionStatement(node)) return lowerExprStmt(cx, node.expression, span);
  if (ts.isIfStatement(node)) {
    const elseBranch = node.elseStatement === undefined ? undefined : ts.isIfStatement(node.elseStatement) ? (lowerStmt(cx, node.elseStatement) as Stmt & { kind: "IfStmt" }) : lowerBlock(cx, node.elseStatement);
    // biome-ignore lint/suspicious/noThenProperty: the core's IfStmt names its branch `then`
    return { kind: "IfStmt", span, cond: lowerExpr(cx, node.expression), then: lowerBlock(cx, node.thenStatement), else: elseBranch };
  }
  if (ts.isForOfStatement(node)) return lowerForOf(cx, node);
  if (ts.isReturnStatement(node)) return { kind: "ReturnStmt", span, value: node.expression ? lowerExpr(cx, node.expression) : undefined };
  if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
    if (node.label) return refuse(cx, node, "A labelled `break` or `continue`", "Leave one loop at a time, or move the inner loop into a function and `return`.");
    return { kind: ts.isBreakStatement(node) ? "BreakStmt" : "ContinueStmt", span };
  }
  if (ts.isEmptyStatement(node)) return undefined;
  if (ts.isWhileStatement(node)) return unbounded(cx, node, "while");
  if (ts.isDoStatement(node)) return unbounded(cx, node, "do … while");
  if (ts.isForStatement(node)) return unbounded(cx, node, "for (;;)");
  if (ts.isForInStatement(node)) return unbounded(cx, node, "for … in");
  if (ts.isTryStatement(node)) return refuseWith(cx, node, M.tryCatch, "try");
  if (ts.isThrowStatement(node)) return refuseWith(cx, node, M.tryCatch, "throw");
  if (ts.isClassDeclaration(node)) return refuseWith(cx, node, M.classOrThis, "class");
  if (ts.isFunctionDeclaration(node)) return refuseWith(cx, node, M.nestedFunction, textOf(cx, node));
  if (ts.isSwitchStatement(node)) return refuse(cx, node, "`switch`", "Use `if (…) { … } else if (…) { … } else { … }`.");
  if (ts.isLabeledStatement(node)) return refuse(cx, node, "A labelled statement", "Leave one loop at a time with `break`.");
  if (ts.isBlock(node)) return refuse(cx, node, "A block of its own", "Write its statements in the enclosing block, or move them into a function.");
  return refuse(cx, node, `\`${textOf(cx, node)}\``, "A function's body has `const`, `let`, assignments, `if`, `for … of`, `return`, `break`, `continue` and calls.");
}

function refuse(cx: Lowering, node: Node, what: string, instead: string): undefined {
  report(cx, M.notInSubset, node, [what, instead]);
  return undefined;
}

function refuseWith(cx: Lowering, node: Node, m: typeof M.tryCatch, what: string): undefined {
  report(cx, m, node, [what]);
  return undefined;
}

function unbounded(cx: Lowering, node: Node, what: string): undefined {
  const first = node.getFirstToken(cx.sf) ?? node;
  report(cx, M.unboundedLoop, first, [what]);
  return undefined;
}

/** `const x = e` is `let x = e`; `let x: T = e` is `var x: T = e`. One name, with a value. */
function lowerVariable(cx: Lowering, node: TsMorph.ts.VariableStatement): Stmt | undefined {
  const ts = cx.ts;
  const list = node.declarationList;
  const mutable = (list.flags & ts.NodeFlags.Let) !== 0;
  if (!mutable && (list.flags & ts.NodeFlags.Const) === 0) {
    return refuse(cx, node, "`var`", "Use `const` for a value that does not change and `let` for one that does.");
  }
  if (list.declarations.length !== 1) return refuse(cx, node, "Several names in one declaration", "Declare one name per statement.");
  const d = list.declarations[0]!;
  if (!ts.isIdentifier(d.name)) return refuse(cx, d.name, "Destructuring", "Name the value and read its fields: `const p = f(); p.a`.");
  if (!d.initializer) return refuse(cx, d, "A variable without a value", "Give it its first value: `let n = 0;`, `let last: Time | undefined = undefined;`.");
  return {
    kind: "LetStmt",
    span: spanOf(cx, node),
    // A `const` list or map keeps its name but may still change inside (`push`, `set`): then it is a .thwonk `var`.
    // So is a `const` record whose fields are assigned (`r.n = 2`, `r.n++`): TypeScript's `const` fixes the name only.
    mutable: mutable || ((isCollection(cx, d.name) || isRecord(cx, d.name)) && changedInside(cx, d.name, node.parent)),
    name: { kind: "Ident", span: spanOf(cx, d.name), name: d.name.text },
    // `const seen = new Map<Address, int>()` says its type as `let seen: Map<Address, int> = {}` does.
    type: d.type ? lowerType(cx, d.type) : madeType(cx, d.initializer, false),
    init: lowerExpr(cx, d.initializer),
  };
}

function isCollection(cx: Lowering, name: Node): boolean {
  const t = cx.checker.getTypeAtLocation(name);
  const parts = t.isIntersection() ? t.types : [t];
  return parts.some((p) => {
    const sym = p.getSymbol();
    return sym !== undefined && (sym.getName() === "Array" || sym.getName() === "Map") && inThwonk(sym.declarations?.[0]);
  });
}

/** The stdlib's methods that change a list or map (`push`, `set`, `remove`), read from the declaration. */
const CHANGING = new Set(
  ["List", "Map"].flatMap((t) => Object.entries(stdlib.types[t]?.methods ?? {}).filter(([, m]) => m.mutates).map(([name]) => name)),
);

/** A record: an object type of the rule's own (not one of the stdlib's), or such a type `| undefined` (`xs.first()`). */
function isRecord(cx: Lowering, name: Node): boolean {
  const t = cx.checker.getTypeAtLocation(name);
  const parts = t.isUnion() ? t.types.filter((p) => (p.flags & cx.ts.TypeFlags.Undefined) === 0) : [t];
  return parts.some((p) => {
    const decl = p.getSymbol()?.declarations?.[0];
    return (p.flags & cx.ts.TypeFlags.Object) !== 0 && decl !== undefined && decl.getSourceFile() === cx.sf;
  });
}

/** The variable a target such as `r.a.b` or `r[i].n` starts from. */
function rootOf(cx: Lowering, n: Node): Node {
  const ts = cx.ts;
  while (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isParenthesizedExpression(n)) n = n.expression;
  return n;
}

/** Whether a changing method is called on the variable `name` (or a collection under it) anywhere in `scope`, or a field under it assigned. */
function changedInside(cx: Lowering, name: TsMorph.ts.Identifier, scope: Node): boolean {
  const ts = cx.ts;
  const target = cx.checker.getSymbolAtLocation(name);
  let found = false;
  const visit = (n: Node): void => {
    if (found) return;
    // `xs.push(x)`, and `r.tags.push(x)` on a list inside a record: the record's field changes.
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && CHANGING.has(n.expression.name.text)) {
      const root = rootOf(cx, n.expression.expression);
      if (ts.isIdentifier(root) && cx.checker.getSymbolAtLocation(root) === target) found = true;
    }
    const assigned = ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment ? n.left
      : (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) ? n.operand
      : undefined;
    if (assigned !== undefined && assigned !== rootOf(cx, assigned)) {
      const root = rootOf(cx, assigned);
      if (ts.isIdentifier(root) && cx.checker.getSymbolAtLocation(root) === target) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}

function lowerExprStmt(cx: Lowering, e: TsMorph.ts.Expression, span: ReturnType<typeof spanOf>): Stmt | undefined {
  const ts = cx.ts;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const assign = op === ts.SyntaxKind.EqualsToken ? "=" : op === ts.SyntaxKind.PlusEqualsToken ? "+=" : op === ts.SyntaxKind.MinusEqualsToken ? "-=" : undefined;
    if (assign !== undefined) return { kind: "AssignStmt", span, target: lowerExpr(cx, e.left), op: assign, value: lowerExpr(cx, e.right) };
    if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
      return refuse(cx, e, `The assignment \`${e.operatorToken.getText(cx.sf)}\``, "The subset assigns with `=`, `+=` and `-=`.");
    }
  }
  if ((ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) {
    const one: Expr = { kind: "IntLit", span, value: 1 };
    return { kind: "AssignStmt", span, target: lowerExpr(cx, e.operand), op: e.operator === ts.SyntaxKind.PlusPlusToken ? "+=" : "-=", value: one };
  }
  return { kind: "ExprStmt", span, expr: lowerExpr(cx, e) };
}

/**
 * `for (const x of xs) { … }` is `for x in xs { … }`, and
 * `for (const x of xs) if (cond) { … }` (the `if` with no braces around it
 * and no `else`) is `for x in xs where cond { … }`: the same meaning, the
 * same line, and the same charges as the .thwonk twin's.
 */
function lowerForOf(cx: Lowering, node: TsMorph.ts.ForOfStatement): Stmt | undefined {
  const ts = cx.ts;
  if (node.awaitModifier) return refuseWith(cx, node, M.asyncCode, "for await");
  const init = node.initializer;
  if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || (init.flags & ts.NodeFlags.Const) === 0) {
    return refuse(cx, init, "This loop variable", "Write `for (const x of xs)`.");
  }
  const d = init.declarations[0]!;
  let key: Ident | undefined;
  let name: Ident;
  let iterable: Expr;
  const over = node.expression;
  if (ts.isArrayBindingPattern(d.name)) {
    // `for (const [k, v] of map.entries())` is `for k, v in map`.
    const [k, v] = d.name.elements;
    const isEntries = ts.isCallExpression(over) && ts.isPropertyAccessExpression(over.expression) && over.expression.name.text === "entries" && over.arguments.length === 0;
    if (d.name.elements.length !== 2 || !k || !v || !ts.isBindingElement(k) || !ts.isBindingElement(v) || !ts.isIdentifier(k.name) || !ts.isIdentifier(v.name) || !isEntries) {
      return refuse(cx, d.name, "This destructuring", "A map's keys and values are walked with `for (const [k, v] of map.entries())`.");
    }
    key = { kind: "Ident", span: spanOf(cx, k.name), name: k.name.text };
    name = { kind: "Ident", span: spanOf(cx, v.name), name: v.name.text };
    iterable = lowerExpr(cx, (over.expression as TsMorph.ts.PropertyAccessExpression).expression);
  } else if (ts.isIdentifier(d.name)) {
    name = { kind: "Ident", span: spanOf(cx, d.name), name: d.name.text };
    iterable = lowerExpr(cx, over);
  } else {
    return refuse(cx, d.name, "Destructuring a loop variable", "Walk a map's keys and values with `for (const [k, v] of map.entries())`.");
  }
  const body = node.statement;
  if (ts.isIfStatement(body) && body.elseStatement === undefined) {
    return { kind: "ForStmt", span: spanOf(cx, node), key, name, iterable, where: lowerExpr(cx, body.expression), body: lowerBlock(cx, body.thenStatement) };
  }
  return { kind: "ForStmt", span: spanOf(cx, node), key, name, iterable, where: undefined, body: lowerBlock(cx, node.statement) };
}
