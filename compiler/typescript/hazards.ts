/**
 * TypeScript that the subset's shape would accept but that means something
 * else in JavaScript than in the compiled rule, refused before anything is
 * lowered: a rule's own `undefined` (TW7019), comments that switch
 * TypeScript's checks off (TW7020), JavaScript's first-only `replace` on a
 * string (TW7021, `replaceAll` is the spelling that means the same in
 * both when its arguments are literals, TW7023) and `__proto__` as a field
 * name (TW7022), and the names JavaScript defines otherwise on strings and
 * arrays (TW7025, TW7026: namesakes.ts), and a loop over a collection that
 * a function it calls changes (TW7027: walks.ts).
 */
import type * as TsMorph from "ts-morph";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import { report, spanAt, textOf, type Lowering } from "./context.js";
import { checkNamesake, checkSplit } from "./namesakes.js";
import { checkWalks } from "./walks.js";

type Node = TsMorph.ts.Node;

const SUPPRESS = /@ts-(ignore|expect-error|nocheck)\b/;

/** Whether `node`'s type is a string (or a `Text<N>`), from TypeScript's checker. */
export function isStringValued(cx: Lowering, node: Node): boolean {
  const t = cx.checker.getTypeAtLocation(node);
  const parts = t.isIntersection() || t.isUnion() ? t.types : [t];
  return parts.some((p) => (p.flags & cx.ts.TypeFlags.StringLike) !== 0);
}

export function checkHazards(cx: Lowering, sf: TsMorph.ts.SourceFile): void {
  const ts = cx.ts;
  suppressions(cx, sf);
  const visit = (n: Node): void => {
    const named = n as Node & { name?: Node };
    const declares = ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n) || ts.isBindingElement(n) || ts.isTypeAliasDeclaration(n);
    if (declares && named.name !== undefined && ts.isIdentifier(named.name) && named.name.text === "undefined") report(cx, M.shadowsUndefined, named.name, []);
    if (ts.isImportSpecifier(n) && n.name.text === "undefined") report(cx, M.shadowsUndefined, n.name, []);
    if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n) || ts.isPropertySignature(n)) && propName(cx, n.name) === "__proto__") {
      report(cx, M.protoKey, n, [textOf(cx, n)]);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "replace" && isStringValued(cx, n.expression.expression)) {
      report(cx, M.jsReplace, n.expression.name, []);
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "replaceAll" && isStringValued(cx, n.expression.expression)) {
      replaceAllArgs(cx, n);
    }
    if (ts.isPropertyAccessExpression(n)) checkNamesake(cx, n);
    if (ts.isCallExpression(n)) checkSplit(cx, n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  checkWalks(cx, sf);
}

/** `s.replaceAll("x", "y")` means in JavaScript what the rule's `replace` means when "x" is not empty and "y" has no `$` pattern: both literals. */
function replaceAllArgs(cx: Lowering, call: TsMorph.ts.CallExpression): void {
  const ts = cx.ts;
  const [find, put] = call.arguments;
  const literal = (a: Node | undefined): a is TsMorph.ts.StringLiteral => a !== undefined && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a));
  if (!literal(find) || find.text === "") report(cx, M.jsReplaceAll, find ?? call, ["The text to find is not a non-empty string literal"]);
  else if (!literal(put)) report(cx, M.jsReplaceAll, put ?? call, ["The replacement is not a string literal"]);
  else if (put.text.includes("$")) report(cx, M.jsReplaceAll, put, ["The replacement has a `$`"]);
}

function propName(cx: Lowering, name: Node): string | undefined {
  const ts = cx.ts;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteral(name.expression) || ts.isNoSubstitutionTemplateLiteral(name.expression))) return name.expression.text;
  return undefined;
}

/** `// @ts-ignore`, `// @ts-expect-error`, `// @ts-nocheck`, in the comments around the rule's nodes (so never inside a string). */
function suppressions(cx: Lowering, sf: TsMorph.ts.SourceFile): void {
  const ts = cx.ts;
  const text = sf.text;
  if (!SUPPRESS.test(text)) return;
  const seen = new Set<number>();
  const look = (ranges: TsMorph.ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      const found = SUPPRESS.exec(text.slice(r.pos, r.end));
      if (found) report(cx, M.suppressedCheck, spanAt(cx, r.pos + found.index, r.pos + found.index + found[0].length), [found[0]]);
    }
  };
  const visit = (n: Node): void => {
    look(ts.getLeadingCommentRanges(text, n.pos));
    look(ts.getTrailingCommentRanges(text, n.end));
    ts.forEachChild(n, visit);
  };
  look(ts.getLeadingCommentRanges(text, 0));
  visit(sf);
  look(ts.getLeadingCommentRanges(text, sf.endOfFileToken.pos));
}
