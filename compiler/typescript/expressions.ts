/**
 * TypeScript expressions lowered into the core's expressions, or refused
 * with the reason (a refused expression becomes an `ErrorExpr`, which the
 * core never reports again). docs/typescript.md has the mapping.
 */
import type * as TsMorph from "ts-morph";
import type { Arg, BinaryOp, Expr, Ident, StringText } from "../syntax/ast.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanAt, spanOf, textOf, type Lowering } from "./context.js";
import { lowerIdentifier } from "./names.js";
import { lowerCall, lowerNew } from "./calls.js";
import { stdlibName } from "./namesakes.js";

type ts = typeof TsMorph.ts;
type Node = TsMorph.ts.Node;

const BINARY: Record<string, BinaryOp> = {
  "&&": "and",
  "||": "or",
  "===": "==",
  "!==": "!=",
  "==": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "%": "%",
  "??": "??",
};

const BUILT_IN_REACH = new Set(["prototype", "__proto__", "constructor", "__defineGetter__", "__defineSetter__", "__lookupGetter__"]);

export function error(cx: Lowering, node: Node): Expr {
  return { kind: "ErrorExpr", span: spanOf(cx, node) };
}

export function lowerExpr(cx: Lowering, node: Node): Expr {
  const ts: ts = cx.ts;
  const span = spanOf(cx, node);
  if (ts.isParenthesizedExpression(node)) return { ...lowerExpr(cx, node.expression), span } as Expr;
  if (ts.isIdentifier(node)) return lowerIdentifier(cx, node);
  if (ts.isNumericLiteral(node)) {
    const value = Number(node.text);
    if (!Number.isSafeInteger(value)) {
      report(cx, M.notAnInt, node, [node.getText(cx.sf)]);
      return error(cx, node);
    }
    return { kind: "IntLit", span, value };
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return { kind: "StringLit", span, parts: [{ kind: "StringText", span, value: node.text }] };
  }
  if (ts.isTemplateExpression(node)) return lowerTemplate(cx, node);
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
    return { kind: "BoolLit", span, value: node.kind === ts.SyntaxKind.TrueKeyword };
  }
  if (node.kind === ts.SyntaxKind.NullKeyword) {
    report(cx, M.nullValue, node, []);
    return error(cx, node);
  }
  if (ts.isPropertyAccessExpression(node)) {
    if (node.questionDotToken) return refuse(cx, node, "Optional chaining (`a?.b`)", "Test first: `if (a !== undefined) { ... a.b ... }`.");
    if (ts.isPrivateIdentifier(node.name)) return refuse(cx, node, "A private name", "A rule has no classes.");
    if (BUILT_IN_REACH.has(node.name.text)) {
      report(cx, M.builtInMutation, node, [textOf(cx, node)]);
      return error(cx, node);
    }
    const stdlib = stdlibName(cx, node);
    const name: Ident = stdlib === undefined ? { kind: "Ident", span: spanOf(cx, node.name), name: node.name.text } : { kind: "Ident", span: spanOf(cx, node.name), name: stdlib, written: node.name.text };
    return { kind: "MemberExpr", span, object: lowerExpr(cx, node.expression), name };
  }
  if (ts.isElementAccessExpression(node)) {
    if (node.questionDotToken) return refuse(cx, node, "Optional chaining (`a?.[i]`)", "Test first, or use `xs.get(i)`, which gives `undefined` past the end.");
    if (ts.isStringLiteral(node.argumentExpression) && BUILT_IN_REACH.has(node.argumentExpression.text)) {
      report(cx, M.builtInMutation, node, [textOf(cx, node)]);
      return error(cx, node);
    }
    return { kind: "IndexExpr", span, object: lowerExpr(cx, node.expression), index: lowerExpr(cx, node.argumentExpression) };
  }
  if (ts.isCallExpression(node)) return lowerCall(cx, node);
  if (ts.isNewExpression(node)) return lowerNew(cx, node);
  if (ts.isArrayLiteralExpression(node)) {
    const elements: Expr[] = [];
    for (const e of node.elements) {
      if (ts.isSpreadElement(e) || ts.isOmittedExpression(e)) return refuse(cx, e, "A spread or a hole in a list", "Build the list with `push` in a `for … of` loop.");
      elements.push(lowerExpr(cx, e));
    }
    return { kind: "ListLit", span, elements };
  }
  if (ts.isObjectLiteralExpression(node)) return lowerObject(cx, node);
  if (ts.isPrefixUnaryExpression(node)) {
    if (node.operator === ts.SyntaxKind.ExclamationToken) return { kind: "UnaryExpr", span, op: "not", operand: lowerExpr(cx, node.operand) };
    if (node.operator === ts.SyntaxKind.MinusToken) return { kind: "UnaryExpr", span, op: "-", operand: lowerExpr(cx, node.operand) };
    if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
      return refuse(cx, node, "`++` or `--` inside an expression", "Write it as a statement of its own: `n += 1;`.");
    }
    return refuse(cx, node, `The operator \`${ts.tokenToString(node.operator)}\``, "Numbers are ints: use `+`, `-`, `*`, `/`, `%` and comparisons.");
  }
  if (ts.isPostfixUnaryExpression(node)) return refuse(cx, node, "`++` or `--` inside an expression", "Write it as a statement of its own: `n += 1;`.");
  if (ts.isBinaryExpression(node)) {
    const tok = node.operatorToken;
    const op = BINARY[tok.getText(cx.sf)];
    if (op === undefined) {
      if (tok.kind >= ts.SyntaxKind.FirstAssignment && tok.kind <= ts.SyntaxKind.LastAssignment) {
        return refuse(cx, node, "An assignment inside an expression", "Assign in a statement of its own: `x = e;`.");
      }
      return refuse(cx, node, `The operator \`${tok.getText(cx.sf)}\``, "The subset has `&&`, `||`, `!`, `===`, `!==`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`, `%` and `??`.");
    }
    return { kind: "BinaryExpr", span, op, opSpan: spanOf(cx, tok), left: lowerExpr(cx, node.left), right: lowerExpr(cx, node.right) };
  }
  if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) || ts.isSatisfiesExpression(node)) {
    report(cx, M.hiddenType, node, [textOf(cx, node)]);
    return error(cx, node);
  }
  if (ts.isNonNullExpression(node)) {
    report(cx, M.hiddenType, node, [textOf(cx, node)]);
    return error(cx, node);
  }
  if (ts.isAwaitExpression(node) || ts.isYieldExpression(node)) {
    report(cx, M.asyncCode, node, [textOf(cx, node)]);
    return error(cx, node);
  }
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    report(cx, M.nestedFunction, node, [textOf(cx, node)]);
    return error(cx, node);
  }
  if (node.kind === ts.SyntaxKind.ThisKeyword || node.kind === ts.SyntaxKind.SuperKeyword || ts.isClassExpression(node)) {
    report(cx, M.classOrThis, node, [textOf(cx, node)]);
    return error(cx, node);
  }
  if (ts.isConditionalExpression(node)) return refuse(cx, node, "The conditional operator `c ? a : b`", "Use `if (c) { ... } else { ... }`, or `x ?? fallback` for a missing value.");
  if (ts.isRegularExpressionLiteral(node)) return refuse(cx, node, "A regular expression", "Use `contains`, `startsWith`, `endsWith`, `split` and `replace`.");
  if (ts.isTaggedTemplateExpression(node)) return refuse(cx, node, "A tagged template", "Use a plain, untagged template string.");
  if (ts.isTypeOfExpression(node) || ts.isVoidExpression(node) || ts.isDeleteExpression(node)) {
    return refuse(cx, node, `\`${node.getFirstToken(cx.sf)?.getText(cx.sf)}\``, "Types are known at compile time; a map entry goes with `m.remove(k)`.");
  }
  if (node.kind === ts.SyntaxKind.BigIntLiteral) return refuse(cx, node, "A bigint", "Numbers are ints.");
  return refuse(cx, node, `\`${textOf(cx, node)}\``, "The subset has literals, names, `a.b`, `a[i]`, calls, `!`, arithmetic, comparisons, `&&`, `||` and `??`.");
}

function refuse(cx: Lowering, node: Node, what: string, instead: string): Expr {
  report(cx, M.notInSubset, node, [what, instead]);
  return error(cx, node);
}

/** `` `Hello ${name}` `` is the .thwonk string `"Hello {name}"`: text parts and expressions. */
function lowerTemplate(cx: Lowering, node: TsMorph.ts.TemplateExpression): Expr {
  const parts: (StringText | Expr)[] = [];
  const text = (value: string, start: number, end: number): void => {
    if (value !== "") parts.push({ kind: "StringText", span: spanAt(cx, start, end), value });
  };
  const head = node.head;
  text(head.text, head.getStart(cx.sf) + 1, head.getEnd() - 2);
  for (const s of node.templateSpans) {
    parts.push(lowerExpr(cx, s.expression));
    const lit = s.literal;
    text(lit.text, lit.getStart(cx.sf) + 1, lit.getEnd() - (cx.ts.isTemplateTail(lit) ? 1 : 2));
  }
  return { kind: "StringLit", span: spanOf(cx, node), parts };
}

/** `{ a: 1, b }` is a record literal (a map is `new Map([[k, v]])`). */
function lowerObject(cx: Lowering, node: TsMorph.ts.ObjectLiteralExpression): Expr {
  const ts: ts = cx.ts;
  const entries = [];
  for (const p of node.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
      const key = { kind: "Ident" as const, span: spanOf(cx, p.name), name: p.name.text };
      entries.push({ kind: "BraceEntry" as const, span: spanOf(cx, p), key, value: lowerExpr(cx, p.initializer) });
    } else if (ts.isShorthandPropertyAssignment(p)) {
      const key = { kind: "Ident" as const, span: spanOf(cx, p.name), name: p.name.text };
      // `{ from }`: the name is the field's too, so an edit that replaces the value keeps the field (`from: "sender"`).
      const value = lowerIdentifier(cx, p.name);
      entries.push({ kind: "BraceEntry" as const, span: spanOf(cx, p), key, value: value.kind === "Ident" ? { ...value, shorthand: true as const } : value });
    } else {
      return refuse(cx, p, "A computed key, spread, getter or method in an object literal", "A record literal names its fields: `{ from: m.from, at: now }`.");
    }
  }
  return { kind: "BraceLit", span: spanOf(cx, node), entries };
}

/** Arguments, with a trailing object literal in the place of a stdlib `named` parameter read as `name: value` arguments. */
export function lowerArgs(cx: Lowering, args: readonly Node[], namedAt: number | undefined): Arg[] {
  const out: Arg[] = [];
  args.forEach((a, i) => {
    if (cx.ts.isSpreadElement(a)) {
      out.push({ kind: "Arg", span: spanOf(cx, a), name: undefined, value: refuse(cx, a, "A spread argument", "Pass each argument.") });
      return;
    }
    if (i === namedAt && cx.ts.isObjectLiteralExpression(a)) {
      const lit = lowerObject(cx, a);
      if (lit.kind === "BraceLit") {
        for (const e of lit.entries) out.push({ kind: "Arg", span: e.span, name: e.key.kind === "Ident" ? e.key : undefined, value: e.value });
        return;
      }
    }
    const value = lowerExpr(cx, a);
    out.push({ kind: "Arg", span: value.span, name: undefined, value });
  });
  return out;
}
