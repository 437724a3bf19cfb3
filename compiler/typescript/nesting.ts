/**
 * How deep a `.ts` rule nests, held to the .thwonk parser's limits
 * (compiler/syntax/parser/expressions.ts: MAX_NESTING in units of the
 * stack a level costs, MAX_CHAIN operators in a row) before TypeScript
 * binds or checks it: TypeScript's binder and checker, the core's phases
 * and the QuickJS that runs the emitted code all recurse on the tree, and
 * each runs out of stack on a rule the .thwonk parser would have refused
 * (TW1018, TW1020). Each TypeScript node weighs at least what the node it
 * is lowered to weighs in .thwonk, so a rule within these limits lowers
 * to a tree within the core's. The walk keeps its own stack.
 */
import type * as TsMorph from "ts-morph";
import { syntaxMessages } from "../diagnostics/catalog/syntax.js";
import { MAX_CHAIN, MAX_NESTING, NEST_BLOCK, NEST_BRACKET, NEST_TYPE } from "../syntax/parser/expressions.js";
import { report, type Lowering } from "./context.js";
import type { Ts } from "./load.js";

type Node = TsMorph.ts.Node;

/**
 * The units a node adds to the depth of what is inside it (the .thwonk
 * parser's weights): a suffix (`.name`, `(…)`, `[…]`) nests what it follows
 * by 2, and what is inside its brackets by 4 more.
 */
function weight(ts: Ts, n: Node, parent: Node | undefined): number {
  const inBrackets = parent !== undefined && (((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== n) || (ts.isElementAccessExpression(parent) && parent.argumentExpression === n));
  return (inBrackets ? NEST_BRACKET : 0) + ownWeight(ts, n, parent);
}

function ownWeight(ts: Ts, n: Node, parent: Node | undefined): number {
  if (ts.isBlock(n)) return NEST_BLOCK;
  // A statement as the body of an `if` or a loop (an `else if` too) is a block of its own once lowered.
  if (parent !== undefined && (ts.isIfStatement(parent) || ts.isIterationStatement(parent, false) || ts.isLabeledStatement(parent)) && ts.isStatement(n)) return NEST_BLOCK;
  if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) return NEST_BLOCK;
  if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isTaggedTemplateExpression(n) || ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) return 2;
  if (ts.isParenthesizedExpression(n) || ts.isArrayLiteralExpression(n) || ts.isObjectLiteralExpression(n)) return NEST_BRACKET;
  if (ts.isTemplateSpan(n) || ts.isComputedPropertyName(n) || ts.isSpreadElement(n)) return NEST_BRACKET;
  if (ts.isBinaryExpression(n)) {
    const op = n.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return 0;
    return op === ts.SyntaxKind.QuestionQuestionToken ? 6 : 3;
  }
  if (ts.isConditionalExpression(n)) return 6;
  if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n) || ts.isTypeOfExpression(n) || ts.isVoidExpression(n) || ts.isDeleteExpression(n)) return 3;
  if (ts.isAwaitExpression(n) || ts.isNonNullExpression(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) return 3;
  if (n.kind >= ts.SyntaxKind.FirstTypeNode && n.kind <= ts.SyntaxKind.LastTypeNode) return NEST_TYPE;
  return 0;
}

/** An operator that the chain limit counts: a binary one, not an assignment. */
function chainOperator(ts: Ts, n: Node): n is TsMorph.ts.BinaryExpression {
  if (!ts.isBinaryExpression(n)) return false;
  const op = n.operatorToken.kind;
  return !(op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment);
}

/** The operators of the chain that `root` heads (binary operators in a row, outside brackets), in source order. */
function chainOperators(ts: Ts, root: TsMorph.ts.BinaryExpression): Node[] {
  const ops: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!chainOperator(ts, n)) continue;
    ops.push(n.operatorToken);
    stack.push(n.left, n.right);
  }
  return ops.sort((a, b) => a.pos - b.pos);
}

/**
 * TW1018 where the rule nests deeper than MAX_NESTING, TW1020 where an
 * expression chains more than MAX_CHAIN operators; true when either was
 * reported (then nothing more may walk the tree).
 */
export function checkNesting(cx: Lowering, sf: TsMorph.ts.SourceFile): boolean {
  const ts = cx.ts;
  const stack: [Node, number][] = [[sf, 0]];
  let refused = false;
  while (stack.length > 0) {
    const [n, depth] = stack.pop()!;
    if (chainOperator(ts, n) && !chainOperator(ts, n.parent)) {
      const ops = chainOperators(ts, n);
      if (ops.length > MAX_CHAIN) {
        report(cx, syntaxMessages.chainTooLong, ops[MAX_CHAIN]!, [MAX_CHAIN]);
        refused = true;
        continue;
      }
    }
    const inside = depth + weight(ts, n, n.parent);
    if (inside > MAX_NESTING) {
      report(cx, syntaxMessages.tooDeep, n, []);
      return true;
    }
    ts.forEachChild(n, (c) => {
      stack.push([c, inside]);
    });
  }
  return refused;
}

/**
 * The most brackets (`(`, `[`, `{`, a template's `${`) a `.ts` rule may have open at once before TypeScript parses it:
 * more than any rule the core takes (each weighs at least NEST_BRACKET, so MAX_NESTING allows 350), and fewer than
 * TypeScript's parser takes on the smallest stack a host gives it (Node 20's main thread: 651 levels of `{a:` —
 * a thread's stack is larger). Past it, TW1018 is reported where the depth passed it, the same on every host; only
 * a rule nesting otherwise (thousands of `!` or `=>` in a row) still reaches the parser's own overflow.
 */
export const MAX_TS_BRACKETS = Math.ceil((1.5 * MAX_NESTING) / NEST_BRACKET);

/**
 * The offset of the bracket that opens one more than MAX_TS_BRACKETS, or undefined. Strings, comments and template
 * text are skipped; a regular expression's brackets count (telling one from a division takes a parser; its
 * brackets, unbalanced, only ever make the count higher, and a rule needs hundreds of them to reach the limit).
 */
export function bracketsTooDeepAt(text: string): number | undefined {
  /** For each open bracket: whether it is a template's `${`, whose `}` goes back into the template's text. */
  const open: boolean[] = [];
  let i = 0;
  const n = text.length;
  /** Skips a template's text from `i` (after its backquote or a `}`) to its end or its next `${`; true at `${`. */
  const templateText = (): boolean => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x5c /* \ */) i += 2;
      else if (c === 0x60 /* ` */) {
        i++;
        return false;
      } else if (c === 0x24 /* $ */ && text.charCodeAt(i + 1) === 0x7b /* { */) {
        i += 2;
        return true;
      } else i++;
    }
    return false;
  };
  /** Opens a bracket; true when that is one too many. */
  const push = (template: boolean): boolean => {
    open.push(template);
    return open.length > MAX_TS_BRACKETS;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    const at = i;
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      i++;
      while (i < n && text.charCodeAt(i) !== c && text.charCodeAt(i) !== 0x0a) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
    } else if (c === 0x60 /* ` */) {
      i++;
      if (templateText() && push(true)) return i - 2;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b /* ( [ { */) {
      i++;
      if (push(false)) return at;
    } else if (c === 0x29 || c === 0x5d /* ) ] */) {
      i++;
      open.pop();
    } else if (c === 0x7d /* } */) {
      i++;
      if (open.pop() === true && templateText() && push(true)) return i - 2;
    } else i++;
  }
  return undefined;
}
