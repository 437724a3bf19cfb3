/**
 * The stdlib's names that JavaScript defines otherwise on a string or an
 * array. A `.ts` rule must mean what its JavaScript means, so such a name
 * is refused with the spelling that works (TW7025): `s.length` counts
 * UTF-16 units in JavaScript and characters in a rule, `xs.sort()` sorts
 * in place and as strings in JavaScript and gives a new list sorted by
 * value in a rule. The stdlib's member is declared in thwonk.d.ts under a
 * name JavaScript does not define (stdlib/dts.ts, TS_RENAMES), lowered
 * here to the stdlib's own; `s.split(sep)` needs a separator that cannot be
 * empty (TW7026), and `s.codePoints()` is the rule's `s.split("")`.
 */
import type * as TsMorph from "ts-morph";
import type { Expr } from "../syntax/ast.js";
import { TS_RENAMES } from "../../stdlib/dts.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanOf, textOf, type Lowering } from "./context.js";
import { isStringValued } from "./hazards.js";
import { inThwonk } from "./load.js";
import { lowerExpr } from "./expressions.js";

type Node = TsMorph.ts.Node;
type Receiver = "string" | "List";

const SORTED = "Write `xs.sorted()` (a new list: `xs = xs.sorted()` keeps it), or `xs.sortedBy(\"field\")` for records.";

/** Per receiver, the JavaScript name a rule might write: why it is not the rule's, and what to write. */
const REFUSED: Record<Receiver, Record<string, [string, string]>> = {
  string: {
    length: ["JavaScript's `length` counts UTF-16 units (`\"😀\".length` is 2), where a rule counts characters (code points).", "Write `s.codePointLength`, which counts characters as the rule does."],
    slice: ["JavaScript's `slice` counts positions in UTF-16 units (it can cut an emoji in half), where a rule counts characters.", "Write `s.codePointSlice(start, end)`, or `s.truncate(n)` for the first n characters."],
    indexOf: ["JavaScript's `indexOf` counts UTF-16 units and gives -1 when the text is absent, where a rule counts characters and gives `undefined`.", "Write `s.codePointIndexOf(x)` and test it with `!== undefined`, or `s.contains(x)`."],
    at: ["JavaScript's `at` counts UTF-16 units, and a rule's strings have no `at`.", "Write `s.codePointSlice(i, i + 1)`."],
    includes: ["a rule's strings have no `includes`.", "Write `s.contains(x)`, the same test."],
  },
  List: {
    sort: ["JavaScript's `sort()` sorts the array in place and compares elements as strings (`[10, 9].sort()` stays `[10, 9]`), where a rule's gives a new list sorted by value.", SORTED],
    toSorted: ["JavaScript's `toSorted()` compares elements as strings (`[10, 9].toSorted()` is `[10, 9]`), where a rule sorts by value.", SORTED],
    sortBy: ["in a `.ts` rule the stdlib's `sortBy` is spelled `sortedBy`, beside `sorted()` (JavaScript's `sort` sorts in place).", "Write `xs.sortedBy(\"field\")`."],
    includes: ["JavaScript's `includes` compares records and lists by identity, where a rule's `contains` compares them by value.", "Write `xs.contains(x)`."],
    indexOf: ["JavaScript's `indexOf` compares records and lists by identity, and a rule's lists have no `indexOf`.", "Write `xs.contains(x)`, or walk the list with `for (const x of xs)`."],
    at: ["a rule's lists have no `at`.", "Write `xs.get(i)` (`undefined` past the end), or `xs.last()` for the last element."],
    length: ["a rule's lists have no `length`.", "Write `xs.size`."],
  },
};

/** Whether `node` is a string or a list (an array in TypeScript), from TypeScript's checker. */
function receiverOf(cx: Lowering, node: Node): Receiver | undefined {
  if (isStringValued(cx, node)) return "string";
  const t = cx.checker.getTypeAtLocation(node);
  const parts = t.isIntersection() || t.isUnion() ? t.types : [t];
  return parts.some((p) => p.getSymbol()?.getName() === "Array") ? "List" : undefined;
}

/** `map.keys()` and `map.values()` are lists in a rule and iterators in JavaScript: the same only when walked by `for … of`. */
function mapListCall(cx: Lowering, node: TsMorph.ts.PropertyAccessExpression): boolean {
  const ts = cx.ts;
  const name = node.name.text;
  if (name !== "keys" && name !== "values") return false;
  const call = node.parent;
  if (!ts.isCallExpression(call) || call.expression !== node) return false;
  const sym = cx.checker.getTypeAtLocation(node.expression).getSymbol();
  if (sym?.getName() !== "Map" || !inThwonk(sym.declarations?.[0])) return false;
  if (ts.isForOfStatement(call.parent) && call.parent.expression === call) return false;
  const walk = name === "keys" ? "for (const k of map)" : "for (const v of map.values())";
  report(cx, M.jsNamesake, node.name, [
    textOf(cx, node),
    `JavaScript's \`${name}()\` gives an iterator (with no \`size\`, \`join\` or \`get\`), where a rule's gives a list; the two agree only when it is walked.`,
    `Walk it, \`${walk} { ... }\`, or collect a list that way with \`push\`.`,
  ]);
  return true;
}

/** TW7025 for `x.name` when `name` is JavaScript's and means something else there; true when refused. */
export function checkNamesake(cx: Lowering, node: TsMorph.ts.PropertyAccessExpression): boolean {
  if (mapListCall(cx, node)) return true;
  const name = node.name.text;
  if (!Object.hasOwn(REFUSED.string, name) && !Object.hasOwn(REFUSED.List, name)) return false;
  const on = receiverOf(cx, node.expression);
  if (on === undefined || !Object.hasOwn(REFUSED[on], name)) return false;
  const why = REFUSED[on][name]!;
  report(cx, M.jsNamesake, node.name, [textOf(cx, node), why[0], why[1]]);
  return true;
}

/** TW7026 for `s.split(sep)` unless `sep` is a non-empty string literal, or of such a literal's type. */
export function checkSplit(cx: Lowering, call: TsMorph.ts.CallExpression): void {
  const callee = call.expression;
  if (!cx.ts.isPropertyAccessExpression(callee) || callee.name.text !== "split" || !isStringValued(cx, callee.expression)) return;
  const sep = call.arguments[0];
  if (sep === undefined) return;
  const t = cx.checker.getTypeAtLocation(sep);
  const value = t.isStringLiteral() ? t.value : undefined;
  if (value === undefined) report(cx, M.jsSplit, sep, [`The separator \`${textOf(cx, sep)}\` is not a string literal`]);
  else if (value === "") report(cx, M.jsSplit, sep, ["The separator is empty"]);
}

/** The stdlib's name for `x.name` when `name` is the TypeScript spelling of a stdlib member (`codePointLength` is `length`). */
export function stdlibName(cx: Lowering, node: TsMorph.ts.PropertyAccessExpression): string | undefined {
  const name = node.name.text;
  if (!Object.hasOwn(TS_RENAMES.string, name) && !Object.hasOwn(TS_RENAMES.List, name)) return undefined;
  const on = receiverOf(cx, node.expression);
  if (on === undefined || !Object.hasOwn(TS_RENAMES[on], name)) return undefined;
  return TS_RENAMES[on][name]!.stdlib;
}

/** `s.codePoints()` is the rule's `s.split("")`. */
export function lowerCodePoints(cx: Lowering, call: TsMorph.ts.CallExpression): Expr | undefined {
  const callee = call.expression;
  if (!cx.ts.isPropertyAccessExpression(callee) || callee.name.text !== "codePoints" || call.arguments.length !== 0) return undefined;
  if (!isStringValued(cx, callee.expression)) return undefined;
  const at = spanOf(cx, callee.name);
  const empty: Expr = { kind: "StringLit", span: at, parts: [{ kind: "StringText", span: at, value: "" }] };
  const member: Expr = { kind: "MemberExpr", span: spanOf(cx, callee), object: lowerExpr(cx, callee.expression), name: { kind: "Ident", span: at, name: "split", written: "codePoints" } };
  return { kind: "CallExpr", span: spanOf(cx, call), callee: member, args: [{ kind: "Arg", span: at, name: undefined, value: empty }] };
}
