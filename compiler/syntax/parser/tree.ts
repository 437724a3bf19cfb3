/**
 * The concrete syntax tree: lossless, for the formatter and the language
 * server. Nodes have a kind (kinds.ts) and children, nodes or tokens in
 * source order; a token carries the trivia before it (whitespace, comments,
 * characters no token starts with). Tokens that recovery skipped sit in
 * `Error` nodes; the last token is EOF, carrying the file's trailing trivia.
 * So printing the tree gives back the text byte for byte, broken or not.
 *
 * The parser records the tree as events (cursor.ts); the nodes are built
 * the first time `root` is read, so a check that does not need them does
 * not pay for them. A node's [start, end) runs from its first token to its
 * last, trivia excluded, as the typed tree's spans do: the typed node with
 * span s is the concrete node of the same construct covering s (or, for a
 * parenthesized expression, whose typed node takes the parentheses' span,
 * the ParenExpr covering s). A string is one token: its interpolations are
 * in the typed tree only.
 */
import { TRIVIA_NAMES, type Token } from "../lexer.js";
import * as T from "../tokens.js";
import { CLOSE } from "./cursor.js";
import { NODE_NAMES, type NodeName } from "./kinds.js";

export type TriviaKind = (typeof TRIVIA_NAMES)[number];

export interface Trivia {
  kind: TriviaKind;
  text: string;
  start: number;
  end: number;
}

export interface SyntaxToken {
  /** A token kind of tokens.ts (`Identifier`, `LCurly`, `EOF`, ...). */
  kind: string;
  text: string;
  start: number;
  end: number;
  /** Whitespace and comments between the previous token and this one. */
  leading: Trivia[];
}

export interface SyntaxNode {
  kind: NodeName;
  start: number;
  end: number;
  children: SyntaxElement[];
}

export type SyntaxElement = SyntaxNode | SyntaxToken;

export function isSyntaxNode(e: SyntaxElement): e is SyntaxNode {
  return "children" in e;
}

export class SyntaxTree {
  private built: SyntaxNode | undefined;

  constructor(
    readonly text: string,
    private readonly tokens: readonly Token[],
    private readonly trivia: readonly number[],
    private readonly events: readonly number[],
  ) {}

  /** The SourceFile node. */
  get root(): SyntaxNode {
    this.built ??= this.build();
    return this.built;
  }

  private build(): SyntaxNode {
    const { text, tokens, trivia, events } = this;
    let ti = 0; // next token to place
    let tv = 0; // next trivia triple
    const token = (i: number): SyntaxToken => {
      const t = tokens[i]!;
      const leading: Trivia[] = [];
      while (tv < trivia.length && trivia[tv + 1]! < t.start) {
        const s = trivia[tv + 1]!;
        const e = trivia[tv + 2]!;
        leading.push({ kind: TRIVIA_NAMES[trivia[tv]!]!, text: text.slice(s, e), start: s, end: e });
        tv += 3;
      }
      return { kind: T.TOKEN_NAMES[t.kind]!, text: t.text, start: t.start, end: t.end, leading };
    };
    const stack: SyntaxNode[] = [];
    const opened: number[] = [];
    let root: SyntaxNode | undefined;
    const placeUpTo = (pos: number): void => {
      const top = stack[stack.length - 1]!;
      for (; ti < pos; ti++) top.children.push(token(ti));
    };
    for (let k = 0; k < events.length; k += 2) {
      const kind = events[k]!;
      const pos = events[k + 1]!;
      if (kind !== CLOSE) {
        if (stack.length > 0) placeUpTo(pos);
        stack.push({ kind: NODE_NAMES[kind]!, start: 0, end: 0, children: [] });
        opened.push(Math.max(pos, ti));
        continue;
      }
      placeUpTo(pos);
      const node = stack.pop()!;
      const from = opened.pop()!;
      const at = tokens[Math.min(from, tokens.length - 1)]!.start;
      node.start = at;
      node.end = ti > from ? tokens[ti - 1]!.end : at;
      if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
      else root = node;
    }
    return root ?? { kind: "SourceFile", start: 0, end: 0, children: [] };
  }
}

/** The text of a tree or a piece of it: its tokens with their trivia, in order. */
export function printSyntax(e: SyntaxElement): string {
  const out: string[] = [];
  // A stack, not recursion: a chain of thousands of operators is as deep.
  const todo: SyntaxElement[] = [e];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (isSyntaxNode(x)) {
      for (let i = x.children.length - 1; i >= 0; i--) todo.push(x.children[i]!);
      continue;
    }
    for (const t of x.leading) out.push(t.text);
    out.push(x.text);
  }
  return out.join("");
}
