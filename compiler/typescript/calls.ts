/**
 * Calls and `new` in a `.ts` rule: the stdlib's functions and methods (a
 * trailing object literal for a `named` parameter is `name: value`
 * arguments), the TypeScript-only spellings of the language's literals and
 * operators (`days(1)` is `1d`, `time("…")` a time literal, `t.plus(d)` is
 * `t + d`), `new Map(…)` and `new List()` (`{}` and `[]`), and what is refused.
 */
import type * as TsMorph from "ts-morph";
import type { BinaryOp, Expr } from "../syntax/ast.js";
import { parseTimeLiteral } from "../syntax/parser.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanOf, textOf, type Lowering } from "./context.js";
import { error, lowerArgs, lowerExpr } from "./expressions.js";
import { refuseName } from "./names.js";
import { isStringValued } from "./hazards.js";
import { lowerCodePoints } from "./namesakes.js";
import { inThwonk } from "./load.js";

type Node = TsMorph.ts.Node;

/** `days(n)` and its kin: the unit of the .thwonk duration literal and its milliseconds. */
const DURATION_UNITS: Record<string, [string, number]> = {
  weeks: ["w", 604_800_000],
  days: ["d", 86_400_000],
  hours: ["h", 3_600_000],
  minutes: ["m", 60_000],
  seconds: ["s", 1_000],
  milliseconds: ["ms", 1],
};

/** Methods of Time and Duration that stand for the language's operators. */
const OPERATOR_METHODS: Record<string, BinaryOp> = { plus: "+", minus: "-", times: "*", div: "/" };

/** The name imported from "thwonk" that `node` (an identifier) stands for, if it is one. */
export function thwonkName(cx: Lowering, node: Node): string | undefined {
  if (!cx.ts.isIdentifier(node) || !cx.imported.has(node.text)) return undefined;
  const decl = cx.checker.getSymbolAtLocation(node)?.declarations?.[0];
  return decl !== undefined && cx.ts.isImportSpecifier(decl) ? node.text : undefined;
}

/** The stdlib type (from the declaration) of an expression: "Time", "Duration", ... */
function stdlibTypeOf(cx: Lowering, node: Node): string | undefined {
  const sym = cx.checker.getTypeAtLocation(node).getSymbol();
  const decl = sym?.declarations?.[0];
  return inThwonk(decl) ? sym!.getName() : undefined;
}

export function lowerCall(cx: Lowering, node: TsMorph.ts.CallExpression): Expr {
  const ts = cx.ts;
  const span = spanOf(cx, node);
  const callee = node.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) {
    report(cx, M.moduleOutsideThwonk, node, ["A dynamic `import()`"]);
    return error(cx, node);
  }
  if (ts.isIdentifier(callee) && callee.text === "require" && thwonkName(cx, callee) === undefined) {
    report(cx, M.moduleOutsideThwonk, node, ["`require`"]);
    return error(cx, node);
  }
  if (ts.isIdentifier(callee) && (callee.text === "eval" || callee.text === "Function")) {
    refuseName(cx, callee, callee.text);
    return error(cx, node);
  }
  const fn = thwonkName(cx, callee);
  if (fn !== undefined && Object.hasOwn(DURATION_UNITS, fn)) return duration(cx, node, fn);
  if (fn === "time") return timeLiteral(cx, node);
  if (fn === "email") return emailLiteral(cx, node);
  if (fn === "every") {
    report(cx, M.moduleShape, node, ["`every(…)` declares a scheduled trigger", "Write it at the top level of the file, not inside a function"]);
    return error(cx, node);
  }
  if (ts.isPropertyAccessExpression(callee) && Object.hasOwn(OPERATOR_METHODS, callee.name.text) && node.arguments.length === 1) {
    const on = stdlibTypeOf(cx, callee.expression);
    if (on === "Time" || on === "Duration") {
      return {
        kind: "BinaryExpr",
        span,
        op: OPERATOR_METHODS[callee.name.text]!,
        opSpan: spanOf(cx, callee.name),
        left: lowerExpr(cx, callee.expression),
        right: lowerExpr(cx, node.arguments[0]!),
      };
    }
  }
  // `s.replaceAll(a, b)` is the rule's `replace` (every occurrence), spelled as JavaScript spells that; hazards.ts refuses `s.replace`.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "replaceAll" && isStringValued(cx, callee.expression)) {
    const name = { kind: "Ident" as const, span: spanOf(cx, callee.name), name: "replace", written: "replaceAll" };
    const member: Expr = { kind: "MemberExpr", span: spanOf(cx, callee), object: lowerExpr(cx, callee.expression), name };
    return { kind: "CallExpr", span, callee: member, args: lowerArgs(cx, node.arguments, undefined) };
  }
  const codePoints = lowerCodePoints(cx, node);
  if (codePoints !== undefined) return codePoints;
  const sig = cx.checker.getResolvedSignature(node);
  const params = sig?.getDeclaration()?.parameters;
  const last = params?.[params.length - 1];
  const fromStdlib = inThwonk(last);
  const namedAt = fromStdlib && ts.isIdentifier(last.name) && last.name.text === "named" ? params!.length - 1 : undefined;
  return { kind: "CallExpr", span, callee: lowerExpr(cx, callee), args: lowerArgs(cx, node.arguments, namedAt) };
}

/** `days(1)` is the literal `1d`; `days(n)` is `n * 1d`. */
function duration(cx: Lowering, node: TsMorph.ts.CallExpression, fn: string): Expr {
  const [unit, ms] = DURATION_UNITS[fn]!;
  const span = spanOf(cx, node);
  const arg = node.arguments[0];
  if (arg === undefined) return error(cx, node);
  if (cx.ts.isNumericLiteral(arg) && Number.isSafeInteger(Number(arg.text)) && Number.isSafeInteger(Number(arg.text) * ms)) {
    return { kind: "DurationLit", span, text: `${arg.text}${unit}`, ms: Number(arg.text) * ms };
  }
  const one = { kind: "DurationLit" as const, span, text: `1${unit}`, ms };
  return { kind: "BinaryExpr", span, op: "*", opSpan: spanOf(cx, node.expression), left: lowerExpr(cx, arg), right: one };
}

/** `time("2026-11-25T09:00:00Z")` is the time literal `2026-11-25T09:00:00Z`; the text must be a literal. */
function timeLiteral(cx: Lowering, node: TsMorph.ts.CallExpression): Expr {
  const arg = node.arguments[0];
  const span = spanOf(cx, node);
  if (arg === undefined || !(cx.ts.isStringLiteral(arg) || cx.ts.isNoSubstitutionTemplateLiteral(arg))) {
    report(cx, M.badLiteral, node, ["`time(…)`", "its argument must be a string literal, such as `time(\"2026-11-25T09:00:00Z\")`."]);
    return error(cx, node);
  }
  const ms = parseTimeLiteral(arg.text);
  if (ms === undefined) {
    report(cx, M.badLiteral, arg, [`\`${textOf(cx, arg)}\``, "a time is written `2026-11-25` or `2026-11-25T09:00:00Z` (UTC unless an offset such as `+01:00` is given)."]);
    return error(cx, node);
  }
  return { kind: "TimeLit", span, text: arg.text, ms };
}

/** `email("ann@example.org")` is the string literal marked as an address: the checker reads it as an Address wherever it stands (and checks it). */
function emailLiteral(cx: Lowering, node: TsMorph.ts.CallExpression): Expr {
  const arg = node.arguments[0];
  if (arg === undefined || !(cx.ts.isStringLiteral(arg) || cx.ts.isNoSubstitutionTemplateLiteral(arg))) {
    report(cx, M.badLiteral, node, ["`email(…)`", "its argument must be a string literal, such as `email(\"ann@example.org\")`; to read an address from text at run time, use `address(text)`."]);
    return error(cx, node);
  }
  return { kind: "StringLit", span: spanOf(cx, node), parts: [{ kind: "StringText", span: spanOf(cx, arg), value: arg.text }], address: true };
}

/** `new Map<K, V, N>(entries?)` is a map literal, `new List<T, N>()` the empty list; nothing else is made with `new`. */
export function lowerNew(cx: Lowering, node: TsMorph.ts.NewExpression): Expr {
  const ts = cx.ts;
  const span = spanOf(cx, node);
  const what = thwonkName(cx, node.expression);
  const args = node.arguments ?? [];
  if (what === "List" && args.length === 0) return { kind: "ListLit", span, elements: [] };
  if (what === "Map") {
    const entries = [];
    const list = args[0];
    if (list !== undefined) {
      if (!ts.isArrayLiteralExpression(list)) {
        report(cx, M.notInSubset, list, ["A map made from a value", "Write its entries out, `new Map([[k, v], ...])`, or start from `new Map()` and `set` them."]);
        return error(cx, node);
      }
      for (const e of list.elements) {
        if (!ts.isArrayLiteralExpression(e) || e.elements.length !== 2) {
          report(cx, M.notInSubset, e, ["A map entry that is not `[key, value]`", "Write each entry as `[key, value]`."]);
          return error(cx, node);
        }
        entries.push({ kind: "BraceEntry" as const, span: spanOf(cx, e), key: lowerExpr(cx, e.elements[0]!), value: lowerExpr(cx, e.elements[1]!) });
      }
    }
    return { kind: "BraceLit", span, entries };
  }
  if (ts.isIdentifier(node.expression) && what === undefined && cx.checker.getSymbolAtLocation(node.expression)?.declarations?.[0]?.getSourceFile() !== cx.sf) {
    refuseName(cx, node.expression, node.expression.text);
    return error(cx, node);
  }
  report(cx, M.classOrThis, node, [textOf(cx, node)]);
  return error(cx, node);
}
