/**
 * TypeScript type annotations lowered into the core's type nodes, read off
 * the syntax: `number`/`int` is `int`, `boolean` is `bool`, `T | undefined`
 * is `T?`, `Text<N>` is `string max N`, `List<T, N>` (or `T[]`) and
 * `Map<K, V, N>` carry `max N` (a literal or `typeof CONST`), `{ a: T }` is
 * a record type. `any`, `unknown` and the rest are refused.
 */
import type * as TsMorph from "ts-morph";
import type { Ident, IntLit, TypeNode } from "../syntax/ast.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanOf, textOf, type Lowering } from "./context.js";

type Node = TsMorph.ts.Node;

const RENAMED: Record<string, string> = { number: "int", boolean: "bool", Text: "string" };

export function lowerType(cx: Lowering, node: Node): TypeNode {
  const ts = cx.ts;
  const span = spanOf(cx, node);
  const ref = (name: string, args: TypeNode[] = [], max: IntLit | Ident | undefined = undefined): TypeNode => ({
    kind: "TypeRef",
    span,
    name: { kind: "Ident", span, name },
    args,
    max,
    optional: false,
  });
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return ref("string");
    case ts.SyntaxKind.NumberKeyword:
      return ref("int");
    case ts.SyntaxKind.BooleanKeyword:
      return ref("bool");
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
    case ts.SyntaxKind.NeverKeyword:
      report(cx, M.hiddenType, node, [textOf(cx, node)]);
      return { kind: "ErrorType", span };
  }
  if (ts.isParenthesizedTypeNode(node)) return lowerType(cx, node.type);
  if (ts.isUnionTypeNode(node)) {
    const rest = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
    if (rest.length === 1 && rest.length < node.types.length) {
      const inner = lowerType(cx, rest[0]!);
      return inner.kind === "ErrorType" ? inner : { ...inner, span, optional: true };
    }
    report(cx, M.notInSubset, node, [`The union type \`${textOf(cx, node)}\``, "A value has one type; `T | undefined` is the optional `T?`. For a choice of strings, use a stdlib type such as `SendFrom` or `Role`."]);
    return { kind: "ErrorType", span };
  }
  if (ts.isArrayTypeNode(node)) return ref("List", [lowerType(cx, node.elementType)]);
  if (ts.isTypeLiteralNode(node)) {
    const fields = [];
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.type || !(ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) || m.questionToken) {
        report(cx, M.notInSubset, m, ["This member of a record type", "A record type lists its fields, each with a type: `{ from: Address; text: Text<4000> }` (an optional field is `f: T | undefined`)."]);
        continue;
      }
      fields.push({ kind: "RecordFieldType" as const, span: spanOf(cx, m), name: { kind: "Ident" as const, span: spanOf(cx, m.name), name: m.name.text }, type: lowerType(cx, m.type) });
    }
    return { kind: "RecordType", span, fields, optional: false };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const name = node.typeName.text;
    const args = [...(node.typeArguments ?? [])];
    const bounded = name === "Text" ? 1 : name === "List" ? 2 : name === "Map" ? 3 : 0;
    if (bounded > 0 && args.length === bounded) {
      const max = lowerMax(cx, args.pop()!);
      return ref(RENAMED[name] ?? name, args.map((a) => lowerType(cx, a)), max);
    }
    return ref(RENAMED[name] ?? name, args.map((a) => lowerType(cx, a)));
  }
  report(cx, M.notInSubset, node, [`The type \`${textOf(cx, node)}\``, "The subset's types are `string`, `int` (`number`), `boolean`, the stdlib's types, `Text<N>`, `List<T, N>`, `Map<K, V, N>`, `T | undefined`, record types and the rule's own `type`s."]);
  return { kind: "ErrorType", span };
}

/** The `max` of a bounded type: a number literal type, or `typeof NAME` of an int constant. */
export function lowerMax(cx: Lowering, node: Node): IntLit | Ident | undefined {
  const ts = cx.ts;
  const span = spanOf(cx, node);
  if (ts.isLiteralTypeNode(node) && ts.isNumericLiteral(node.literal)) return { kind: "IntLit", span, value: Number(node.literal.text) };
  if (ts.isTypeQueryNode(node) && ts.isIdentifier(node.exprName)) return { kind: "Ident", span, name: node.exprName.text };
  if (node.kind === ts.SyntaxKind.NumberKeyword) return undefined;
  report(cx, M.notInSubset, node, [`\`${textOf(cx, node)}\` as a bound`, "A bound is a whole number (`List<Post, 100>`) or an int constant (`Map<Address, int, typeof CAPACITY>`)."]);
  return undefined;
}
