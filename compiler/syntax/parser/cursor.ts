/**
 * The parser's state and the moves every rule makes: look at the next
 * tokens, take one, make spans, report errors, and record the concrete
 * syntax tree as events (see tree.ts). The grammar itself is in the files
 * beside this one, one per construct, as functions of a `Parser`.
 *
 * A rule that cannot go on reports what it expected and throws `Failed`;
 * the list the rule was an item of catches it and re-syncs (recovery.ts).
 */
import type { Diagnostic, Span } from "../../diagnostics/diagnostic.js";
import { spanEnd } from "../../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages, type MessageDef } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import type { Token } from "../lexer.js";
import { LineMap } from "../lines.js";
import type { StringScan } from "../strings.js";
import * as T from "../tokens.js";
import * as N from "./kinds.js";

/** Syntax errors after which the parser stops (TW1013). */
export const MAX_SYNTAX_ERRORS = 200;
/** Spans made at a time (see newSpan). */
const SPAN_BATCH = 2048;

/** Thrown by a rule that reported why it cannot go on; the enclosing list re-syncs. */
export class Failed extends Error {}
const FAILED = new Failed("syntax error");

/** Event that closes the last open node (see open). */
export const CLOSE = -1;

export interface PendingString {
  node: A.StringLit;
  scan: StringScan;
  tok: Token;
  depth: number;
}

export function describeToken(t: Token): string {
  if (t.kind === T.EOF) return "the end of the file";
  if (t.kind === T.StringLiteral) return "a string";
  if (t.kind === T.IntLiteral) return `the number \`${t.text}\``;
  if (t.kind === T.Identifier) return `the name \`${t.text}\``;
  return "`" + t.text + "`";
}

const DECL_START = T.kindTable([T.Rule, T.Limits, T.Settings, T.State, T.Type, T.Fn, T.On, T.Every, T.Test, T.Const]);
/** Tokens after a name that use it (a member, an assignment, an index, a call): never after a declaration's keyword. */
const NAME_USE = T.kindTable([T.Dot, T.Eq, T.PlusEq, T.MinusEq, T.LBracket, T.LParen]);

export class Parser {
  file = "";
  lines = new LineMap("");
  tokens: Token[] = [];
  /** Index of the next token. */
  pos = 0;
  diags: Diagnostic[] = [];
  gaveUp = false;
  /** Offsets already carrying a syntax error: one error per position. */
  errorAt = new Set<number>();
  /** Consecutive failed items (see recovery.ts). */
  failures = 0;

  /** Nesting so far, in the units of MAX_NESTING (expressions.ts). */
  depth = 0;
  /** The deepest `depth` reached inside the expression being parsed. */
  deepest = 0;
  /** Units of the binary operators and suffixes of the expression being parsed, and how many operators. */
  chainUnits = 0;
  chainOps = 0;
  pendingStrings: PendingString[] = [];
  /** The nesting where the interpolation being parsed sits. */
  interpolationDepth = 0;

  /**
   * The concrete tree as events: `kind, token index` opens a node, `CLOSE,
   * token index` closes the last open one; the tokens between belong to the
   * innermost open node. Interpolations record into a scratch list (their
   * string is one token of the tree).
   */
  events: number[] = [];
  /** Nodes open now (closed on a failure, see recovery.ts). */
  openNodes = 0;

  reset(file: string, text: string, tokens: Token[]): void {
    this.file = file;
    this.lines = new LineMap(text);
    this.diags = [];
    this.gaveUp = false;
    this.errorAt = new Set();
    this.failures = 0;
    this.depth = 0;
    this.deepest = 0;
    this.chainUnits = 0;
    this.chainOps = 0;
    this.pendingStrings = [];
    this.interpolationDepth = 0;
    this.events = [];
    this.openNodes = 0;
    this.setTokens(tokens);
  }

  setTokens(tokens: Token[]): void {
    this.tokens = tokens;
    this.pos = 0;
  }

  // ------------------------------------------------------------ tokens

  /** The next token (EOF at the end, forever). */
  peek(): Token {
    return this.tokens[this.pos]!;
  }

  /** The token after the next one. */
  peek2(): Token {
    const t = this.tokens;
    return t[Math.min(this.pos + 1, t.length - 1)]!;
  }

  /** The token `n` ahead (peek() is 0). */
  peekAt(n: number): Token {
    const t = this.tokens;
    return t[Math.min(this.pos + n, t.length - 1)]!;
  }

  /** The last token taken, if any. */
  prev(): Token | undefined {
    return this.pos === 0 ? undefined : this.tokens[this.pos - 1];
  }

  at(kind: number): boolean {
    return this.tokens[this.pos]!.kind === kind;
  }

  /** Takes the next token (never moves past EOF). */
  bump(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== T.EOF) this.pos++;
    return t;
  }

  /** Takes the next token if it is of `kind`. */
  eat(kind: number): boolean {
    if (this.tokens[this.pos]!.kind !== kind) return false;
    this.pos++;
    return true;
  }

  /** Takes a token of `kind`, or reports what was expected and fails. */
  expect(kind: number): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind === kind) {
      this.pos++;
      return t;
    }
    this.error(syntaxMessages.expectedToken, this.spanOrEof(t), [T.TOKEN_DESCRIPTIONS[kind] ?? "`" + T.TOKEN_NAMES[kind] + "`", describeToken(t)]);
    throw FAILED;
  }

  /** Reports `expected` (a description) at the next token and fails. */
  fail(expected: string): never {
    const t = this.peek();
    this.error(syntaxMessages.expectedToken, this.spanOrEof(t), [expected, describeToken(t)]);
    throw FAILED;
  }

  /** Tokens are single-line: same line when they start on the same line. */
  sameLine(a: Token | undefined, b: Token): boolean {
    return a !== undefined && this.lines.line(a.start) === this.lines.line(b.start);
  }

  /**
   * Is `t` a declaration keyword at the start of a line (ends a block whose `}` is missing)? Not when the token after
   * it, on its line, makes it a name in a statement (`state.x = 1`, `type = 2`, `max[0]`): a soft keyword is a name
   * there, and an unindented statement is valid code, not a new declaration. No declaration has one of those after
   * its keyword.
   */
  isDeclAtLineStart(t: Token): boolean {
    if (DECL_START[t.kind] !== 1 || this.lines.col(t.start) !== 1) return false;
    if (t.kind === T.Fn) return true; // reserved: never a name
    const at = this.tokens[this.pos] === t ? this.pos : this.tokens.indexOf(t);
    const next = this.tokens[at + 1];
    return next === undefined || NAME_USE[next.kind] !== 1 || !this.sameLine(t, next);
  }

  // ------------------------------------------------------------ the concrete tree

  /** Opens a node of `kind` (kinds.ts) at the next token; returns its event's index. */
  open(kind: number): number {
    const m = this.events.length;
    this.events.push(kind, this.pos);
    this.openNodes++;
    return m;
  }

  /** Closes the last open node, after the last token taken. */
  close(): void {
    this.events.push(CLOSE, this.pos);
    this.openNodes--;
  }

  /**
   * Wraps what was recorded since `mark` (an events index), which started
   * at token `startPos`, in a node of `kind`, closed now: for left-recursive
   * constructs (`a + b`, `m.from`), known only after their first part.
   */
  wrap(mark: number, startPos: number, kind: number): void {
    this.events.splice(mark, 0, kind, startPos);
    this.events.push(CLOSE, this.pos);
  }

  /**
   * Opens at `mark` the nodes of `kinds` (the last outermost), which
   * started at token `startPos` and were closed (`events.push(CLOSE, pos)`)
   * as each ended: `wrap` for many at once, one splice for a chain.
   */
  wrapMany(mark: number, startPos: number, kinds: number[]): void {
    const opens: number[] = [];
    for (let i = kinds.length - 1; i >= 0; i--) opens.push(kinds[i]!, startPos);
    const ev = this.events;
    if (opens.length < 1000) ev.splice(mark, 0, ...opens);
    else this.events = ev.slice(0, mark).concat(opens, ev.slice(mark));
  }

  /** Skips the next token as an error node of the tree. */
  skipOne(): void {
    this.open(N.Error);
    this.bump();
    this.close();
  }

  // ------------------------------------------------------------ diagnostics

  report(d: Diagnostic): void {
    if (this.gaveUp || this.errorAt.has(d.span.start)) return;
    this.errorAt.add(d.span.start);
    this.diags.push(d);
    // Past this many errors the file is not a rule with mistakes but something else: stop.
    if (this.diags.length >= MAX_SYNTAX_ERRORS) {
      this.diags.push(makeDiagnostic(syntaxMessages.tooManyErrors, d.span, []));
      this.gaveUp = true;
    }
  }

  error<Args extends unknown[]>(m: MessageDef<Args>, span: Span, args: Args, related?: Diagnostic["related"]): void {
    this.report(makeDiagnostic(m, span, args, related ? { related } : {}));
  }

  // ------------------------------------------------------------ spans

  span(t: Token): Span {
    const start = t.start;
    const len = t.end - start;
    const i = this.lines.index(start);
    const col = this.lines.colAt(start, i);
    return this.newSpan(this.file, start, start + len, i + 1, col, i + 1, col + len);
  }

  /** The span of `t`, or just past the last token when `t` is the end of the file. */
  spanOrEof(t: Token): Span {
    return t.kind === T.EOF ? this.eofSpan() : this.span(t);
  }

  eofSpan(): Span {
    const toks = this.tokens;
    const last = toks.length >= 2 ? toks[toks.length - 2] : undefined;
    if (!last) return { file: this.file, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
    return spanEnd(this.span(last));
  }

  /** spanCover(a, b), from the pool. */
  cover(a: Span, b: Span): Span {
    return this.newSpan(a.file, a.start, b.end, a.line, a.col, b.endLine, b.endCol);
  }

  /** From `start` through the last token taken. */
  from(start: Token): Span {
    const last = this.prev();
    if (!last || last.start < start.start) return this.span(start);
    const lines = this.lines;
    const i = lines.index(start.start);
    const j = lines.index(last.start);
    const len = last.end - last.start;
    return this.newSpan(this.file, start.start, last.end, i + 1, lines.colAt(start.start, i), j + 1, lines.colAt(last.start, j) + len);
  }

  fromSpan(start: Span): Span {
    const last = this.prev();
    if (!last || last.start < start.start) return start;
    return this.coverTo(start, last);
  }

  /** spanCover(s, this.span(last)) in one object. */
  coverTo(s: Span, last: Token): Span {
    const len = last.end - last.start;
    const j = this.lines.index(last.start);
    return this.newSpan(s.file, s.start, last.end, s.line, s.col, j + 1, this.lines.colAt(last.start, j) + len);
  }

  // The tree's spans come from a pool filled a batch at a time, so that they
  // lie apart from the nodes in memory: the later phases walk the nodes and
  // seldom read a span, and nodes packed together walk several times faster.
  private spanPool: Span[] = [];
  private spanNext = 0;

  newSpan(file: string, start: number, end: number, line: number, col: number, endLine: number, endCol: number): Span {
    if (this.spanNext === this.spanPool.length) {
      const pool = (this.spanPool = new Array<Span>(SPAN_BATCH));
      for (let i = 0; i < SPAN_BATCH; i++) pool[i] = { file: "", start: 0, end: 0, line: 0, col: 0, endLine: 0, endCol: 0 };
      this.spanNext = 0;
    }
    const s = this.spanPool[this.spanNext++]!;
    s.file = file;
    s.start = start;
    s.end = end;
    s.line = line;
    s.col = col;
    s.endLine = endLine;
    s.endCol = endCol;
    return s;
  }
}
