/**
 * Error recovery, and the small moves that recover in place:
 *  - a missing closing token is reported and assumed (single-token
 *    insertion), or a stray token before it is skipped (single-token
 *    deletion): `closing`;
 *  - a missing name is reported and replaced by an empty one, so `m.` still
 *    has a tree for completion: `ident`;
 *  - a statement, entry or test clause that fails is dropped and the parser
 *    skips to the next line that can start one, keeping brackets balanced;
 *  - a declaration that fails is dropped up to the next declaration keyword
 *    at the start of a line;
 *  - stray tokens where an item should start are reported once per run and
 *    skipped. Every skipped token stays in the concrete tree, in an Error node.
 */
import { spanEnd } from "../../diagnostics/diagnostic.js";
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import type { Token } from "../lexer.js";
import * as T from "../tokens.js";
import { describeToken, Failed, type Parser } from "./cursor.js";
import * as N from "./kinds.js";

/** Consecutive failed recoveries after which the parser gives up on the file. */
const MAX_CONSECUTIVE_FAILURES = 5000;

export const STMT_KEYWORDS = [T.Let, T.Var, T.If, T.For, T.Return, T.Break, T.Continue];
export const EXPR_START = [
  T.IntLiteral, T.StringLiteral, T.DurationLiteral, T.TimeLiteral, T.True, T.False, T.None,
  T.LParen, T.LBracket, T.LCurly, T.Not, T.Minus,
  ...[...T.IS_IDENTIFIER.keys()].filter((k) => T.IS_IDENTIFIER[k] === 1),
];
export const IS_EXPR_START = T.kindTable(EXPR_START);
export const IS_STMT_KEYWORD = T.kindTable(STMT_KEYWORDS);
export const IS_STMT_START = T.kindTable([...STMT_KEYWORDS, ...EXPR_START]);
export const IS_DECL_START = T.kindTable([T.Rule, T.Limits, T.Settings, T.State, T.Type, T.Fn, T.On, T.Every, T.Test, T.Const]);
const IS_OPENER = T.kindTable([T.LParen, T.LBracket, T.LCurly]);
const IS_CLOSER = T.kindTable([T.RParen, T.RBracket, T.RCurly]);

function nextDepth(depth: number, kind: number): number {
  if (IS_OPENER[kind] === 1) return depth + 1;
  if (IS_CLOSER[kind] === 1) return Math.max(0, depth - 1);
  return depth;
}

/**
 * Takes the closing token of kind `kind` (written `text`) of `open`; when it
 * is missing, reports it and carries on as if it were there, or skips one
 * stray token right before it.
 */
export function closing(p: Parser, kind: number, open: Token, text: string): void {
  const next = p.peek();
  if (next.kind === kind) {
    p.bump();
    return;
  }
  // An unterminated string swallowed the rest of its line, closers included: one error is enough.
  const prev = p.prev();
  if (prev?.scan && !prev.scan.terminated) return;
  const after = p.peek2();
  if (next.kind !== T.EOF && after.kind === kind && p.sameLine(next, after) && IS_CLOSER[next.kind] !== 1) {
    p.error(syntaxMessages.expectedToken, p.span(next), ["`" + text + "`", describeToken(next)]);
    p.skipOne();
    p.bump();
    return;
  }
  // A closer missing at the end of a line is reported there, not at the next line's first token.
  const at = next.kind === T.EOF
    ? p.eofSpan()
    : prev && p.lines.line(next.start) > p.lines.line(prev.start) ? spanEnd(p.span(prev)) : p.span(next);
  p.error(syntaxMessages.unclosedBracket, at, [open.text, text, describeToken(next)], [
    { span: p.span(open), message: `\`${open.text}\` opened here` },
  ]);
}

/** An optional `,` between items; a missing one before another item is reported. */
export function separator(p: Parser, closer: number): void {
  const next = p.peek();
  if (next.kind === T.Comma) p.bump();
  else if (next.kind !== closer && IS_EXPR_START[next.kind] === 1) {
    p.error(syntaxMessages.expectedToken, p.span(next), ["`,`", describeToken(next)]);
  }
}

/** A name; a missing one is reported and replaced by an empty name (so `m.` still has a tree). */
export function ident(p: Parser): A.Ident {
  const next = p.peek();
  if (T.IS_IDENTIFIER[next.kind] !== 1 || p.isDeclAtLineStart(next)) {
    const prev = p.prev();
    if (next.kind >= T.Let && next.kind <= T.Test && p.sameLine(prev, next)) {
      p.error(syntaxMessages.reservedWord, p.span(next), [next.text]);
      p.bump();
      return { kind: "Ident", span: p.span(next), name: next.text };
    }
    p.error(syntaxMessages.expectedToken, p.spanOrEof(next), ["a name", describeToken(next)]);
    return { kind: "Ident", span: prev ? spanEnd(p.span(prev)) : p.spanOrEof(next), name: "" };
  }
  p.bump();
  return { kind: "Ident", span: p.span(next), name: next.text };
}

/** A zero-width placeholder just after the last token, where the missing expression belongs. */
export function errorExpr(p: Parser, at: Token): A.ErrorExpr {
  const prev = p.prev();
  if (prev) return { kind: "ErrorExpr", span: spanEnd(p.span(prev)) };
  return { kind: "ErrorExpr", span: p.spanOrEof(at) };
}

/** A list of items: when to go on, what starts one, how to parse one, recover, report junk. */
export interface ItemsSpec<R> {
  more: (p: Parser) => boolean;
  starts: Uint8Array;
  parse: (p: Parser) => R;
  sync: (p: Parser, start: Token, startPos: number) => void;
  junk: (p: Parser, t: Token) => void;
}

/**
 * A list of items (declarations, statements, entries, test clauses) with
 * stray tokens between them reported once per run and skipped.
 */
export function items<R>(p: Parser, spec: ItemsSpec<R>): R[] {
  const out: R[] = [];
  let inJunk = false;
  for (;;) {
    const next = p.peek();
    if (p.gaveUp || next.kind === T.EOF || !spec.more(p)) break;
    if (spec.starts[next.kind] === 1) {
      const r = guarded(p, spec);
      if (r !== undefined) out.push(r);
      p.eat(T.Semicolon);
      inJunk = false;
    } else {
      p.skipOne();
      if (!inJunk) spec.junk(p, next);
      inJunk = true;
    }
    if (p.peek() === next) break;
  }
  return out;
}

/** Runs one item; when it fails, skips to a place where the list can go on. */
function guarded<R>(p: Parser, spec: ItemsSpec<R>): R | undefined {
  const start = p.peek();
  const startPos = p.pos;
  const { depth, deepest, chainUnits, chainOps, openNodes } = p;
  try {
    const r = spec.parse(p);
    p.failures = 0;
    return r;
  } catch (e) {
    p.depth = depth;
    p.deepest = deepest;
    p.chainUnits = chainUnits;
    p.chainOps = chainOps;
    while (p.openNodes > openNodes) p.close();
    if (e instanceof RangeError) {
      // Nesting deep enough to exhaust the stack: say so, and skip the construct.
      p.error(syntaxMessages.tooDeep, p.span(start), []);
    } else if (!(e instanceof Failed)) {
      throw e;
    }
    p.failures++;
    if (p.failures > MAX_CONSECUTIVE_FAILURES) {
      giveUp(p);
      return undefined;
    }
    spec.sync(p, start, startPos);
    return undefined;
  }
}

/** Stops reading the file: the rest is one error node. */
export function giveUp(p: Parser): void {
  if (!p.gaveUp) {
    p.error(syntaxMessages.tooManyErrors, p.spanOrEof(p.peek()), []);
    p.gaveUp = true;
  }
  skipWhile(p, () => true);
}

/** Skips tokens (as one error node) while `go` holds for the next one, up to the end. */
function skipWhile(p: Parser, go: (t: Token) => boolean): void {
  let opened = false;
  for (;;) {
    const t = p.peek();
    if (t.kind === T.EOF || !go(t)) break;
    if (!opened) p.open(N.Error);
    opened = true;
    p.bump();
  }
  if (opened) p.close();
}

/**
 * After a failed statement (or entry, or clause): skip to the next line
 * that can start one, or to the `}` that closes the enclosing block,
 * keeping brackets balanced so a `}` inside the broken statement is not
 * mistaken for the block's end.
 */
export function syncStatement(p: Parser, start: Token, startPos: number): void {
  let depth = 0;
  for (let i = startPos; i < p.pos; i++) depth = nextDepth(depth, p.tokens[i]!.kind);
  skipWhile(p, (t) => {
    if (t.start > start.start) {
      if (t.kind === T.RCurly && depth === 0) return false;
      if (p.isDeclAtLineStart(t)) return false;
      const prev = p.prev();
      const lineStart = prev !== undefined && p.lines.line(t.start) > p.lines.line(prev.start);
      if (lineStart && (IS_STMT_KEYWORD[t.kind] === 1 || (depth === 0 && T.IS_IDENTIFIER[t.kind] === 1))) return false;
    }
    depth = nextDepth(depth, t.kind);
    return true;
  });
}

/** After a failed declaration: skip to the next declaration keyword at the start of a line. */
export function syncDecl(p: Parser, start: Token): void {
  skipWhile(p, (t) => !(t.start > start.start && p.isDeclAtLineStart(t)));
}

/** Inside `{ ... }`: until the `}`, or a declaration at the start of a line (its `}` is missing). */
export function inBraces(p: Parser): boolean {
  const t = p.peek();
  return t.kind !== T.RCurly && !p.isDeclAtLineStart(t);
}
