/**
 * The parser: tokens → syntax tree, with chevrotain's embedded-actions
 * parser (one instance, reused). It never throws on user input and always
 * returns a tree.
 *
 * Recovery is our own rather than chevrotain's (whose re-sync recursion can
 * overflow the stack on long runs of bad lines):
 *  - a missing closing token is reported and assumed (single-token insertion),
 *    or a stray token before it is skipped (single-token deletion);
 *  - a statement, entry or test clause that fails is dropped and the parser
 *    skips to the next line that can start one, keeping brackets balanced;
 *  - a declaration that fails is dropped up to the next declaration keyword
 *    at the start of a line;
 *  - stray tokens where a statement or declaration should start are reported
 *    once per run and skipped.
 * Expressions are parsed by precedence climbing in one function: a rule per
 * precedence level costs 5× the speed.
 *
 * Speed (figures in bench/RESULTS.md), without changing what is parsed or
 * reported:
 *  - types, statements and expressions, the rules that run for nearly every
 *    token, are parsed by hand from the same grammar, which chevrotain still
 *    records (see "types, statements and expressions" below);
 *  - tokens carry offsets only (less lexing, less GC); lines and columns
 *    come from a LineMap of the text when a span is made;
 *  - the other rules allocate nothing per call but their nodes: OR
 *    alternatives are made once, ACTION closures are `if
 *    (this.RECORDING_PHASE)` tests, and an OPTION or MANY whose first token
 *    is not next is skipped without asking chevrotain;
 *  - spans come from a pool, apart from the nodes (see newSpan);
 *  - token-type sets are tables by tokenTypeIdx, not loops of tokenMatcher;
 *  - the interpolations of the strings are lexed in one call of the lexer;
 *  - chevrotain's lookahead functions are built when first needed (start-up).
 * Nesting has a fixed limit (MAX_NESTING) rather than the stack's.
 */
import {
  EmbeddedActionsParser,
  EOF,
  isRecognitionException,
  LLkLookaheadStrategy,
  tokenMatcher,
  type ILookaheadStrategy,
  type IOrAlt,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { compareDiagnostics, spanEnd } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages, type MessageDef } from "../diagnostics/catalog/index.js";
import type * as A from "./ast.js";
import { lexOffsets, lexPieces, LineMap, type LexResult } from "./lexer.js";
import type { StringScan } from "./strings.js";
import * as T from "./tokens.js";

type Tok = IToken & { payload?: StringScan };

const DECL_START: TokenType[] = [T.Rule, T.Limits, T.Settings, T.State, T.Type, T.Fn, T.On, T.Every, T.Test];
const STMT_KEYWORDS: TokenType[] = [T.Let, T.Var, T.If, T.For, T.Return, T.Break, T.Continue];
const EXPR_START: TokenType[] = [
  T.IntLiteral, T.StringLiteral, T.DurationLiteral, T.TimeLiteral, T.True, T.False, T.None,
  T.Identifier, T.LParen, T.LBracket, T.LCurly, T.Not, T.Minus,
];
const STMT_START: TokenType[] = [...STMT_KEYWORDS, ...EXPR_START];
const OPENERS = new Set<TokenType>([T.LParen, T.LBracket, T.LCurly]);
const CLOSERS = new Set<TokenType>([T.RParen, T.RBracket, T.RCurly]);

/** Binding power of binary operators: higher binds tighter. */
const PRECEDENCE: Record<A.BinaryOp, number> = {
  "??": 1,
  or: 2,
  and: 3,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "+": 5, "-": 5,
  "*": 6, "/": 6, "%": 6,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** Consecutive failed recoveries after which the parser gives up on the file. */
const MAX_CONSECUTIVE_FAILURES = 5000;
/** Syntax errors after which the parser stops (TW1013). */
const MAX_SYNTAX_ERRORS = 200;

/**
 * How deep the tree may grow, in units of the stack that the later phases
 * and the QuickJS that runs the emitted code spend on a level: a bracket in
 * an expression (`(`, `[`, `{`, a call's arguments, an index) or a suffix
 * (`.name`, `(...)`, `[...]` after a value) costs 4, a block (an `if`'s or
 * a loop's body, an `else if`) 8, a type inside a type 2, a prefix operator
 * and a binary operator 3, `??` 6 (its JavaScript is a conditional around an
 * assignment). Binary operators and suffixes make left-deep trees (the
 * first operand is the deepest), so they are counted when their expression
 * ends, on top of the deepest point inside it. Deeper is reported as nested
 * too deeply (TW1018), as when the stack runs out.
 *
 * The weights come from where each construct, nested alone, stops running
 * on QuickJS (64 KiB stack, in the calling thread): about 580 prefix
 * operators, 610 `and`s or `==`s, 680 `+`s, 300 `??`s, 220 nested `if`s;
 * the limit leaves a fifth of that spare. It is also below where the
 * chevrotain-only parser ran out of stack (about 315 brackets, 620 blocks,
 * 660 types), and test/semantic/program-size.test.ts runs every construct
 * at the limit through check and QuickJS.
 */
const MAX_NESTING = 1400;
/** Binary operators in one expression outside brackets (TW1020): a longer chain is a list or a `let` in disguise. */
const MAX_CHAIN = 200;
/** Spans made at a time (see newSpan). */
const SPAN_BATCH = 2048;
const NEST_BRACKET = 4;
const NEST_BLOCK = 8;
const NEST_TYPE = 2;
const NEST_PREFIX = 3;
const NEST_BINARY = 3;
const NEST_COALESCE = 6;
const NEST_SUFFIX = 2;

function nextDepth(depth: number, ty: TokenType): number {
  if (OPENERS.has(ty)) return depth + 1;
  if (CLOSERS.has(ty)) return Math.max(0, depth - 1);
  return depth;
}

/**
 * A table by tokenTypeIdx: 1 when a token of that type matches one of
 * `types` (categories included, as `tokenMatcher` does). One array lookup
 * instead of a loop of `tokenMatcher` calls.
 */
function matcherTable(types: readonly TokenType[]): Uint8Array {
  const kinds = [...T.allTokenTypes, EOF];
  const table = new Uint8Array(Math.max(...kinds.map((k) => k.tokenTypeIdx!)) + 1);
  for (const k of kinds) {
    const probe = { tokenTypeIdx: k.tokenTypeIdx, tokenType: k } as IToken;
    if (types.some((ty) => tokenMatcher(probe, ty))) table[k.tokenTypeIdx!] = 1;
  }
  return table;
}

const IS_DECL_START = matcherTable(DECL_START);
const IS_STMT_KEYWORD = matcherTable(STMT_KEYWORDS);
const IS_EXPR_START = matcherTable(EXPR_START);
const IS_STMT_START = matcherTable(STMT_START);
const IS_IDENTIFIER = matcherTable([T.Identifier]);
/** Tokens that can continue a postfix expression: `.name`, `(args)`, `[index]`. */
const IS_SUFFIX_START = matcherTable([T.Dot, T.LParen, T.LBracket]);
const IS_ASSIGN_OP = matcherTable([T.Eq, T.PlusEq, T.MinusEq]);
const IS_BIN_OP = matcherTable([T.BinOp]);
const IS_TYPE_START = matcherTable([T.Identifier, T.LCurly]);
/** What a primary expression starts with: an expression start but `not` and `-`. */
const IS_PRIMARY_START = matcherTable(EXPR_START.filter((t) => t !== T.Not && t !== T.Minus));
const RESERVED = new Set(T.RESERVED_WORDS);

/** Does `t` match one of the types of `table` (see matcherTable)? */
function is(t: IToken, table: Uint8Array): boolean {
  return table[t.tokenTypeIdx] === 1;
}

const NO_LINES = new LineMap("");

/** What a rule returns while chevrotain records the grammar (its value is never used). */
const RECORDING = undefined as never;

/** A list of items (see `items`): when to go on, what starts one, how to parse one, recover, report junk. */
interface ItemsSpec<R> {
  more: () => boolean;
  starts: Uint8Array;
  parse: () => R;
  sync: (start: IToken) => void;
  junk: (t: IToken) => void;
}

export function describeToken(t: IToken): string {
  if (t.tokenType === EOF) return "the end of the file";
  if (t.tokenType === T.StringLiteral) return "a string";
  if (t.tokenType === T.IntLiteral) return `the number \`${t.image}\``;
  if (t.tokenType === T.Identifier) return `the name \`${t.image}\``;
  return "`" + t.image + "`";
}

/** The most tokens of lookahead any choice of the grammar needs. */
const MAX_LOOKAHEAD = 3;

/**
 * Chevrotain's LL(k) lookahead, each function built the first time it is
 * needed rather than all of them when the parser is made: `thwonkc check`
 * on one small rule needs a part of them (start-up time), and once built a
 * function costs one more call. The functions are the same either way.
 */
class LazyLLkLookahead implements ILookaheadStrategy {
  private readonly llk = new LLkLookaheadStrategy({ maxLookahead: MAX_LOOKAHEAD });

  validate(options: Parameters<ILookaheadStrategy["validate"]>[0]): ReturnType<ILookaheadStrategy["validate"]> {
    return this.llk.validate(options);
  }

  buildLookaheadForAlternation(
    options: Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0],
  ): ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> {
    const llk = this.llk;
    let f: ReturnType<ILookaheadStrategy["buildLookaheadForAlternation"]> | undefined;
    return function (this: unknown, alts) {
      f ??= llk.buildLookaheadForAlternation(options);
      return f.call(this, alts);
    };
  }

  buildLookaheadForOptional(
    options: Parameters<ILookaheadStrategy["buildLookaheadForOptional"]>[0],
  ): ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]> {
    const llk = this.llk;
    let f: ReturnType<ILookaheadStrategy["buildLookaheadForOptional"]> | undefined;
    return function (this: unknown) {
      f ??= llk.buildLookaheadForOptional(options);
      return f.call(this);
    };
  }
}

class ThwonkParser extends EmbeddedActionsParser {
  private file = "";
  private diags: Diagnostic[] = [];
  private allTokens: Tok[] = [];
  /** Lines of the text being parsed (tokens carry only offsets). */
  private lines = new LineMap("");
  /** Real tokens in `allTokens` (chevrotain pads the array with EOF sentinels while parsing). */
  private tokenCount = 0;
  private pendingStrings: { node: A.StringLit; scan: StringScan; tok: Tok; depth: number }[] = [];
  /** The nesting (see MAX_NESTING) where the interpolation being parsed sits: its string's, and a bracket. */
  private interpolationDepth = 0;
  /** Interpolations lexed ahead (see lexInterpolations), by the offset where they start. */
  private prelexed = new Map<number, LexResult>();
  private failures = 0;
  /** Nesting so far, in the units of MAX_NESTING. */
  private depth = 0;
  /** The deepest `depth` reached inside the expression being parsed (see parseExpr). */
  private deepest = 0;
  /** Units of the binary operators and suffixes of the expression being parsed, and how many operators. */
  private chainUnits = 0;
  private chainOps = 0;
  private gaveUp = false;
  /** Offsets already carrying a syntax error: one error per position. */
  private errorAt = new Set<number>();

  constructor() {
    super(T.allTokenTypes, {
      recoveryEnabled: false,
      maxLookahead: MAX_LOOKAHEAD,
      skipValidations: true,
      lookaheadStrategy: new LazyLLkLookahead(),
    });
    this.performSelfAnalysis();
  }

  // ------------------------------------------------------------ entry points

  parseFile(file: string, text: string): { file: A.SourceFile; diagnostics: Diagnostic[] } {
    this.file = file;
    this.diags = [];
    this.pendingStrings = [];
    this.failures = 0;
    this.depth = 0;
    this.gaveUp = false;
    this.errorAt = new Set();
    const lines = new LineMap(text);
    this.lines = lines;
    let lexed: LexResult;
    try {
      lexed = lexOffsets(file, text, lines);
    } catch (e) {
      // Strings nested in interpolations thousands deep exhaust the string scanner's stack.
      if (!(e instanceof RangeError)) throw e;
      this.error(syntaxMessages.tooDeep, this.newSpan(file, 0, 0, 1, 1, 1, 1), []);
      lexed = { tokens: [], diagnostics: [], comments: [] };
    }
    for (const d of lexed.diagnostics) this.report(d);
    this.setTokens(lexed.tokens);
    let decls: A.Decl[] = [];
    try {
      decls = this.sourceFile();
    } catch (e) {
      this.internalError(e);
    }
    this.collectChevrotainErrors();
    this.parsePendingStrings();
    const fileSpan: Span = {
      file, start: 0, end: text.length, line: 1, col: 1,
      endLine: lines.lineCount, endCol: text.length - lines.lastLineStart + 1,
    };
    const diagnostics = this.diags.sort(compareDiagnostics);
    this.allTokens = [];
    this.lines = NO_LINES;
    this.prelexed.clear();
    return {
      file: { kind: "SourceFile", span: fileSpan, fileName: file, decls, comments: lexed.comments },
      diagnostics,
    };
  }

  parseTypeText(text: string): A.TypeNode | undefined {
    this.file = "<stdlib>";
    this.diags = [];
    this.pendingStrings = [];
    this.errorAt = new Set();
    this.lines = new LineMap(text);
    const lexed = lexOffsets(this.file, text, this.lines);
    this.setTokens(lexed.tokens);
    this.depth = 0;
    let t: A.TypeNode | undefined;
    try {
      t = this.type();
    } catch (e) {
      if (!isRecognitionException(e as Error)) throw e;
    }
    const ok = lexed.diagnostics.length === 0 && this.errors.length === 0 && this.diags.length === 0
      && tokenMatcher(this.LA(1), EOF);
    this.allTokens = [];
    return ok ? t : undefined;
  }

  private setTokens(tokens: IToken[]): void {
    this.allTokens = tokens as Tok[];
    this.tokenCount = tokens.length;
    this.input = tokens;
  }

  /** The index of a token of the current vector (offsets increase along it). */
  private indexOf(t: IToken): number {
    const toks = this.allTokens;
    let lo = 0;
    let hi = this.tokenCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = toks[mid]!.startOffset;
      if (o === t.startOffset) return mid;
      if (o < t.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  // ------------------------------------------------------------ diagnostics

  private report(d: Diagnostic): void {
    if (this.gaveUp || this.errorAt.has(d.span.start)) return;
    this.errorAt.add(d.span.start);
    this.diags.push(d);
    // Past this many errors the file is not a rule with mistakes but something else: stop.
    if (this.diags.length >= MAX_SYNTAX_ERRORS) {
      this.diags.push(makeDiagnostic(syntaxMessages.tooManyErrors, d.span, []));
      this.gaveUp = true;
    }
  }

  private error<Args extends unknown[]>(m: MessageDef<Args>, span: Span, args: Args, related?: Diagnostic["related"]): void {
    this.report(makeDiagnostic(m, span, args, related ? { related } : {}));
  }

  private span(t: IToken): Span {
    const start = t.startOffset;
    const len = t.image.length;
    const i = this.lines.index(start);
    const col = this.lines.colAt(start, i);
    return this.newSpan(this.file, start, start + len, i + 1, col, i + 1, col + len);
  }

  /** spanCover(a, b), from the pool. */
  private cover(a: Span, b: Span): Span {
    return this.newSpan(a.file, a.start, b.end, a.line, a.col, b.endLine, b.endCol);
  }

  // The tree's spans come from a pool filled a batch at a time, so that they
  // lie apart from the nodes in memory: the later phases walk the nodes and
  // seldom read a span, and nodes packed together walk several times faster.
  private spanPool: Span[] = [];
  private spanNext = 0;

  private newSpan(file: string, start: number, end: number, line: number, col: number, endLine: number, endCol: number): Span {
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

  private internalError(e: unknown): void {
    const t = this.LA(1);
    const span = tokenMatcher(t, EOF) ? this.eofSpan() : this.span(t);
    if (e instanceof RangeError) {
      this.error(syntaxMessages.tooDeep, span, []);
    } else {
      this.error(syntaxMessages.internalError, span, [e instanceof Error ? e.message : String(e)]);
    }
  }

  /** Chevrotain's own exceptions, worded by us. */
  private collectChevrotainErrors(): void {
    for (const e of this.errors) this.report(this.recognitionDiagnostic(e));
    this.errors = [];
  }

  private recognitionDiagnostic(e: IRecognitionException): Diagnostic {
    const t = e.token;
    const span = tokenMatcher(t, EOF) || Number.isNaN(t.startOffset) ? this.eofSpan() : this.span(t);
    const found = describeToken(t);
    const expected = expectedFromMessage(e);
    if (expected === "a name" && T.RESERVED_WORDS.includes(t.image)) {
      return makeDiagnostic(syntaxMessages.reservedWord, span, [t.image]);
    }
    const rules = e.context?.ruleStack ?? [];
    const rule = rules[rules.length - 1] ?? "";
    if (e.name === "MismatchedTokenException" && expected) {
      return makeDiagnostic(syntaxMessages.expectedToken, span, [expected, found]);
    }
    if (rule === "primary" || rule === "unary" || rule === "postfix" || rule === "expr") {
      return makeDiagnostic(syntaxMessages.expectedExpression, span, [found]);
    }
    if (rule === "decl") return makeDiagnostic(syntaxMessages.expectedDeclaration, span, [found]);
    if (rule === "statement") return makeDiagnostic(syntaxMessages.expectedStatement, span, [found]);
    return makeDiagnostic(syntaxMessages.expectedToken, span, [RULE_DESCRIPTIONS[rule] ?? expected ?? "something else", found]);
  }

  private eofSpan(): Span {
    // chevrotain pads its token vector (our array) with EOF sentinels: look past them.
    let i = this.allTokens.length - 1;
    while (i >= 0 && tokenMatcher(this.allTokens[i]!, EOF)) i--;
    const last = this.allTokens[i];
    if (!last) return { file: this.file, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
    return spanEnd(this.span(last));
  }

  // ------------------------------------------------------------ helpers

  /** From `start` through the last consumed token (as spanCover of their spans, in one object). */
  private from(start: IToken): Span {
    const last = this.LA(0);
    if (!last || last.startOffset < start.startOffset || Number.isNaN(last.startOffset)) return this.span(start);
    const lines = this.lines;
    const i = lines.index(start.startOffset);
    const j = lines.index(last.startOffset);
    const len = last.image.length;
    return this.newSpan(this.file, start.startOffset, last.startOffset + len, i + 1, lines.colAt(start.startOffset, i), j + 1, lines.colAt(last.startOffset, j) + len);
  }

  private fromSpan(start: Span): Span {
    const last = this.LA(0);
    if (!last || last.startOffset < start.start || Number.isNaN(last.startOffset)) return start;
    return this.coverTo(start, last);
  }

  /** spanCover(s, this.span(last)) in one object. */
  private coverTo(s: Span, last: IToken): Span {
    const len = last.image.length;
    const j = this.lines.index(last.startOffset);
    return this.newSpan(s.file, s.start, last.startOffset + len, s.line, s.col, j + 1, this.lines.colAt(last.startOffset, j) + len);
  }

  /** Tokens are single-line: `b` ends on the line it starts on. */
  private sameLine(a: IToken, b: IToken): boolean {
    return this.lines.line(a.startOffset) === this.lines.line(b.startOffset);
  }

  /**
   * Consumes a closing token; when it is missing, reports it and carries on
   * as if it were there (or skips one stray token right before it).
   */
  private close(idx: number, tokType: TokenType, open: IToken | undefined, closeText: string): void {
    if (this.RECORDING_PHASE) {
      this.consume(idx, tokType);
      return;
    }
    const next = this.LA(1);
    if (tokenMatcher(next, tokType)) {
      this.consume(idx, tokType);
      return;
    }
    // An unterminated string swallowed the rest of its line, closers included: one error is enough.
    const prevTok = this.LA(0) as Tok;
    if (prevTok?.payload && !prevTok.payload.terminated) return;
    const after = this.LA(2);
    if (!tokenMatcher(next, EOF) && tokenMatcher(after, tokType) && this.sameLine(next, after) && !CLOSERS.has(next.tokenType)) {
      this.error(syntaxMessages.expectedToken, this.span(next), ["`" + closeText + "`", describeToken(next)]);
      this.SKIP_TOKEN();
      this.consume(idx, tokType);
      return;
    }
    // A closer missing at the end of a line is reported there, not at the next line's first token.
    const prev = this.LA(0);
    const at = tokenMatcher(next, EOF)
      ? this.eofSpan()
      : prev && this.lines.line(next.startOffset) > this.lines.line(prev.startOffset) ? spanEnd(this.span(prev)) : this.span(next);
    if (open) {
      this.error(syntaxMessages.unclosedBracket, at, [open.image, closeText, describeToken(next)], [
        { span: this.span(open), message: `\`${open.image}\` opened here` },
      ]);
    } else {
      this.error(syntaxMessages.expectedToken, at, ["`" + closeText + "`", describeToken(next)]);
    }
  }

  private readonly consumeComma0 = (): IToken => this.consume(0, T.Comma);
  private readonly consumeComma1 = (): IToken => this.consume(1, T.Comma);

  /** An optional `,` between items; a missing one before another item is reported. */
  private separator(optionIdx: number, consumeIdx: 0 | 1, closer: TokenType): void {
    if (this.RECORDING_PHASE) {
      this.option(optionIdx, consumeIdx === 0 ? this.consumeComma0 : this.consumeComma1);
      return;
    }
    const next = this.LA(1);
    if (tokenMatcher(next, T.Comma)) {
      this.SKIP_TOKEN();
    } else if (!tokenMatcher(next, closer) && is(next, IS_EXPR_START)) {
      this.error(syntaxMessages.expectedToken, this.span(next), ["`,`", describeToken(next)]);
    }
  }

  /** A name; a missing one is reported and replaced by an empty name (so `m.` still has a tree). */
  private ident(idx: number): A.Ident {
    if (this.RECORDING_PHASE) {
      this.consume(idx, T.Identifier);
      return RECORDING;
    }
    const next = this.LA(1);
    if (!is(next, IS_IDENTIFIER) || this.isDeclAtLineStart(next)) {
      if (RESERVED.has(next.image) && this.sameLine(this.LA(0), next)) {
        this.error(syntaxMessages.reservedWord, this.span(next), [next.image]);
        this.SKIP_TOKEN();
        return { kind: "Ident", span: this.span(next), name: next.image };
      }
      this.error(syntaxMessages.expectedToken, tokenMatcher(next, EOF) ? this.eofSpan() : this.span(next), ["a name", describeToken(next)]);
      return { kind: "Ident", span: spanEnd(this.span(this.LA(0))), name: "" };
    }
    const t = this.consume(idx, T.Identifier);
    return { kind: "Ident", span: this.span(t), name: t.image };
  }

  /** A zero-width placeholder just after the last token, where the missing expression belongs. */
  private errorExpr(at: IToken): A.ErrorExpr {
    const prev = this.LA(0);
    if (prev && !Number.isNaN(prev.startOffset)) return { kind: "ErrorExpr", span: spanEnd(this.span(prev)) };
    return { kind: "ErrorExpr", span: tokenMatcher(at, EOF) ? this.eofSpan() : this.span(at) };
  }

  /** Runs a sub-parse; when it fails, skips to a place where the list can go on. */
  private guarded<R>(parse: () => R, sync: (start: IToken) => void): R | undefined {
    const start = this.LA(1);
    const depth = this.depth;
    try {
      const r = parse();
      this.failures = 0;
      return r;
    } catch (e) {
      if (this.RECORDING_PHASE) throw e;
      this.depth = depth;
      if (e instanceof RangeError) {
        // Nesting deep enough to exhaust the stack: say so, and skip the construct.
        this.error(syntaxMessages.tooDeep, this.span(start), []);
      } else if (!isRecognitionException(e as Error)) {
        throw e;
      }
      // Word chevrotain's error now, so errors stay in order with ours (and count toward giving up).
      this.collectChevrotainErrors();
      this.failures++;
      if (this.failures > MAX_CONSECUTIVE_FAILURES) {
        this.giveUp();
        return undefined;
      }
      sync(start);
      return undefined;
    }
  }

  private giveUp(): void {
    if (!this.gaveUp) {
      this.collectChevrotainErrors();
      const t = this.LA(1);
      this.error(syntaxMessages.tooManyErrors, tokenMatcher(t, EOF) ? this.eofSpan() : this.span(t), []);
      this.gaveUp = true;
    }
    while (!tokenMatcher(this.LA(1), EOF)) this.SKIP_TOKEN();
  }

  /**
   * After a failed statement (or entry, or clause): skip to the next line
   * that can start one, or to the `}` that closes the enclosing block,
   * keeping brackets balanced so a `}` inside the broken statement is not
   * mistaken for the block's end.
   */
  private syncStatement(start: IToken): void {
    const failedAt = this.LA(1);
    // At the end of the file there is nothing to skip.
    if (tokenMatcher(failedAt, EOF)) return;
    let depth = 0;
    for (let i = this.indexOf(start), end = this.indexOf(failedAt); i < end; i++) {
      depth = nextDepth(depth, this.allTokens[i]!.tokenType);
    }
    // Offsets increase along the token vector: "after start" is "at a larger offset".
    for (;;) {
      const t = this.LA(1);
      if (tokenMatcher(t, EOF)) return;
      if (t.startOffset > start.startOffset) {
        if (tokenMatcher(t, T.RCurly) && depth === 0) return;
        if (this.isDeclAtLineStart(t)) return;
        const lineStart = this.lines.line(t.startOffset) > this.lines.line(this.LA(0).startOffset);
        if (lineStart && (is(t, IS_STMT_KEYWORD) || (depth === 0 && tokenMatcher(t, T.Identifier)))) return;
      }
      depth = nextDepth(depth, t.tokenType);
      this.SKIP_TOKEN();
    }
  }

  /** After a failed declaration: skip to the next declaration keyword at the start of a line. */
  private syncDecl(start: IToken): void {
    for (;;) {
      const t = this.LA(1);
      if (tokenMatcher(t, EOF)) return;
      if (t.startOffset > start.startOffset && this.isDeclAtLineStart(t)) return;
      this.SKIP_TOKEN();
    }
  }

  /** Inside `{ ... }`: until the `}`, or a declaration at the start of a line (its `}` is missing). */
  private inBraces(): boolean {
    const t = this.LA(1);
    return !tokenMatcher(t, T.RCurly) && !this.isDeclAtLineStart(t);
  }

  /** Entries and fields may be separated by commas. */
  private withComma<R>(r: R): R {
    if (tokenMatcher(this.LA(1), T.Comma)) this.SKIP_TOKEN();
    return r;
  }

  /** Is `t` a declaration keyword at the start of a line (ends a block whose `}` is missing)? */
  private isDeclAtLineStart(t: IToken): boolean {
    return is(t, IS_DECL_START) && this.lines.col(t.startOffset) === 1;
  }

  /**
   * A list of items (declarations, statements, entries, test clauses) with
   * stray tokens between them reported once per run and skipped. The
   * grammar records the loop body as "any token", and the real parse is
   * dispatched here by hand: an OR between an item and "any token" would make
   * chevrotain look several tokens ahead to tell them apart, and a broken
   * item (`let = 5`) would then be taken for junk instead of being parsed
   * and reported precisely.
   */
  private items<R>(spec: ItemsSpec<R>): R[] {
    if (this.RECORDING_PHASE) {
      this.MANY({ GATE: () => !this.gaveUp && spec.more(), DEF: () => this.CONSUME(T.AnyToken) });
      return RECORDING;
    }
    const out: R[] = [];
    let inJunk = false;
    // As chevrotain's MANY runs it: while the gate holds and a token is next, as long as each round moves on.
    for (;;) {
      const next = this.LA(1);
      if (this.gaveUp || !spec.more() || !tokenMatcher(next, T.AnyToken)) break;
      if (is(next, spec.starts)) {
        const r = this.guarded(spec.parse, spec.sync);
        if (r !== undefined) out.push(r);
        if (tokenMatcher(this.LA(1), T.Semicolon)) this.SKIP_TOKEN();
        inJunk = false;
      } else {
        this.SKIP_TOKEN();
        if (!inJunk) spec.junk(next);
        inJunk = true;
      }
      if (this.LA(1) === next) break;
    }
    return out;
  }

  /** Goes `units` deeper (see MAX_NESTING); past the limit, as if the stack ran out. */
  private nest(units: number): void {
    this.depth += units;
    if (this.depth > MAX_NESTING) throw new RangeError("nested too deeply");
    if (this.depth > this.deepest) this.deepest = this.depth;
  }

  /** Runs a rule from hand-written dispatch (see `items`): like SUBRULE, without recording. */
  private invoke<R>(rule: (...args: any[]) => R): R {
    return (rule as unknown as { coreRule: () => R }).coreRule.call(this);
  }

  // The kinds of item lists, made once (no closures per list).
  private readonly inBracesGate = (): boolean => this.inBraces();
  private readonly syncStatementFn = (start: IToken): void => this.syncStatement(start);

  private readonly declItems: ItemsSpec<A.Decl> = {
    more: () => true,
    starts: IS_DECL_START,
    parse: () => this.invoke(this.decl),
    sync: (start) => this.syncDecl(start),
    junk: (t) => this.error(syntaxMessages.expectedDeclaration, this.span(t), [describeToken(t)]),
  };

  private readonly entryItems: ItemsSpec<A.Entry> = {
    more: this.inBracesGate,
    starts: IS_IDENTIFIER,
    parse: () => this.withComma(this.invoke(this.entry)),
    sync: this.syncStatementFn,
    junk: (t) => this.error(syntaxMessages.expectedToken, this.span(t), ["an entry such as `members: 500`", describeToken(t)]),
  };

  private readonly stateFieldItems: ItemsSpec<A.StateField> = {
    more: this.inBracesGate,
    starts: IS_IDENTIFIER,
    parse: () => this.withComma(this.invoke(this.stateField)),
    sync: this.syncStatementFn,
    junk: (t) => this.error(syntaxMessages.expectedToken, this.span(t), ["a state field such as `count: int = 0`", describeToken(t)]),
  };

  private readonly testClauseItems: ItemsSpec<A.TestClause> = {
    more: this.inBracesGate,
    starts: IS_EXPR_START,
    parse: () => this.invoke(this.testClause),
    sync: this.syncStatementFn,
    junk: (t) => this.error(syntaxMessages.expectedToken, this.span(t), ["`expect`, `run` or a given such as `members = [...]`", describeToken(t)]),
  };

  private readonly statementItems: ItemsSpec<A.Stmt> = {
    more: this.inBracesGate,
    starts: IS_STMT_START,
    parse: () => this.parseStatement(),
    sync: this.syncStatementFn,
    junk: (t) => this.error(syntaxMessages.expectedStatement, this.span(t), [describeToken(t)]),
  };

  // Rules below build their nodes only outside chevrotain's recording phase
  // (`if (this.RECORDING_PHASE) return RECORDING`), as ACTION would, without
  // a closure per call; OR alternatives are made once, not per call; and an
  // OPTION or MANY whose first token is not next is skipped without asking
  // chevrotain (its lookahead would say no). A hot rule runs per token.

  // ------------------------------------------------------------ file and declarations

  private sourceFile = this.RULE("sourceFile", (): A.Decl[] => this.items(this.declItems));

  private readonly declAlts: IOrAlt<A.Decl>[] = [
    { ALT: () => this.SUBRULE(this.ruleDecl) },
    { ALT: () => this.SUBRULE(this.limitsDecl) },
    { ALT: () => this.SUBRULE(this.settingsDecl) },
    { ALT: () => this.SUBRULE(this.stateDecl) },
    { ALT: () => this.SUBRULE(this.typeDecl) },
    { ALT: () => this.SUBRULE(this.fnDecl) },
    { ALT: () => this.SUBRULE(this.onDecl) },
    { ALT: () => this.SUBRULE(this.everyDecl) },
    { ALT: () => this.SUBRULE(this.testDecl) },
  ];

  private decl = this.RULE("decl", (): A.Decl => this.OR(this.declAlts));

  private ruleDecl = this.RULE("ruleDecl", (): A.RuleDecl => {
    const start = this.CONSUME(T.Rule);
    const name = this.ident(1);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "RuleDecl", span: this.from(start), name };
  });

  /** `{ name: expr, ... }` of `limits` and `settings`. */
  private entries = this.RULE("entries", (): A.Entry[] => {
    const open = this.CONSUME(T.LCurly);
    const entries = this.items(this.entryItems);
    this.close(1, T.RCurly, open, "}");
    return entries;
  });

  private entry = this.RULE("entry", (): A.Entry => {
    const name = this.ident(1);
    this.CONSUME(T.Colon);
    const value = this.SUBRULE(this.expr);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "Entry", span: this.cover(name.span, value.span), name, value };
  });

  private limitsDecl = this.RULE("limitsDecl", (): A.LimitsDecl => {
    const start = this.CONSUME(T.Limits);
    const entries = this.SUBRULE(this.entries);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "LimitsDecl", span: this.from(start), entries };
  });

  private settingsDecl = this.RULE("settingsDecl", (): A.SettingsDecl => {
    const start = this.CONSUME(T.Settings);
    const entries = this.SUBRULE(this.entries);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "SettingsDecl", span: this.from(start), entries };
  });

  private stateDecl = this.RULE("stateDecl", (): A.StateDecl => {
    const start = this.CONSUME(T.State);
    const open = this.CONSUME(T.LCurly);
    const fields = this.items(this.stateFieldItems);
    this.close(1, T.RCurly, open, "}");
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "StateDecl", span: this.from(start), fields };
  });

  /** `= expr` of a state field. */
  private readonly eqExpr = (): A.Expr => {
    this.CONSUME(T.Eq);
    return this.SUBRULE(this.expr);
  };

  private stateField = this.RULE("stateField", (): A.StateField => {
    const name = this.ident(1);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    const init: A.Expr | undefined = this.RECORDING_PHASE || tokenMatcher(this.LA(1), T.Eq) ? this.OPTION(this.eqExpr) : undefined;
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "StateField", span: this.fromSpan(name.span), name, type, init };
  });

  private typeDecl = this.RULE("typeDecl", (): A.TypeDecl => {
    const start = this.CONSUME(T.Type);
    const name = this.ident(1);
    this.CONSUME(T.Eq);
    const type = this.SUBRULE(this.type);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "TypeDecl", span: this.from(start), name, type };
  });

  /** `: type` of a parameter, a `let` or a function's result (in each rule, CONSUME(Colon) and SUBRULE(type) occur once). */
  private readonly colonType = (): A.TypeNode => {
    this.CONSUME(T.Colon);
    return this.SUBRULE(this.type);
  };

  private param = this.RULE("param", (): A.Param => {
    const name = this.ident(1);
    const type: A.TypeNode | undefined = this.RECORDING_PHASE || tokenMatcher(this.LA(1), T.Colon) ? this.OPTION(this.colonType) : undefined;
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "Param", span: type ? this.cover(name.span, type.span) : name.span, name, type };
  });

  private fnDecl = this.RULE("fnDecl", (): A.FnDecl => {
    const start = this.CONSUME(T.Fn);
    const name = this.ident(1);
    const open = this.CONSUME(T.LParen);
    const params: A.Param[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const p = this.SUBRULE(this.param);
        if (!this.RECORDING_PHASE) params.push(p);
      },
    });
    this.close(1, T.RParen, open, ")");
    const returnType: A.TypeNode | undefined = this.RECORDING_PHASE || tokenMatcher(this.LA(1), T.Colon) ? this.OPTION(this.colonType) : undefined;
    const body = this.SUBRULE(this.block);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "FnDecl", span: this.from(start), name, params, returnType, body };
  });

  private onDecl = this.RULE("onDecl", (): A.OnDecl => {
    const start = this.CONSUME(T.On);
    const event = this.ident(1);
    let param: A.Param | undefined;
    this.OPTION(() => {
      const open = this.CONSUME(T.LParen);
      param = this.SUBRULE(this.param);
      this.close(1, T.RParen, open, ")");
    });
    const body = this.SUBRULE(this.block);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "OnDecl", span: this.from(start), event, param, body };
  });

  private everyDecl = this.RULE("everyDecl", (): A.EveryDecl => {
    const start = this.CONSUME(T.Every);
    const schedule = this.SUBRULE(this.schedule);
    const body = this.SUBRULE(this.block);
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "EveryDecl", span: this.from(start), schedule, body };
  });

  private schedule = this.RULE("schedule", (): A.Schedule => {
    const first = this.LA(1);
    let unit: A.Ident | undefined;
    let interval: A.DurationLit | undefined;
    this.OR([
      { ALT: () => { unit = this.ident(1); } },
      {
        ALT: () => {
          const t = this.CONSUME(T.DurationLiteral);
          if (!this.RECORDING_PHASE) interval = this.durationLit(t);
        },
      },
    ]);
    let at: A.ClockLit | undefined;
    this.OPTION(() => {
      this.CONSUME(T.At);
      const t = this.CONSUME(T.ClockLiteral);
      if (!this.RECORDING_PHASE) at = this.clockLit(t);
    });
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "Schedule", span: this.from(first), unit, interval, at };
  });

  private testDecl = this.RULE("testDecl", (): A.TestDecl => {
    const start = this.CONSUME(T.Test);
    const nameTok = this.CONSUME(T.StringLiteral);
    const name = this.RECORDING_PHASE ? RECORDING : this.stringLit(nameTok);
    const open = this.CONSUME(T.LCurly);
    const clauses = this.items(this.testClauseItems);
    this.close(1, T.RCurly, open, "}");
    if (this.RECORDING_PHASE) return RECORDING;
    return { kind: "TestDecl", span: this.from(start), name, clauses };
  });

  private testClause = this.RULE("testClause", (): A.TestClause =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const start = this.CONSUME(T.Expect);
            let negated = false;
            this.OPTION(() => {
              this.CONSUME(T.No);
              negated = true;
            });
            const expr = this.SUBRULE(this.expr);
            if (this.RECORDING_PHASE) return RECORDING;
            return { kind: "ExpectClause", span: this.from(start), negated, expr } as A.ExpectClause;
          },
        },
        {
          ALT: () => {
            const start = this.CONSUME(T.Run);
            this.CONSUME(T.Every);
            const schedule = this.SUBRULE(this.schedule);
            if (this.RECORDING_PHASE) return RECORDING;
            return { kind: "RunClause", span: this.from(start), schedule } as A.RunClause;
          },
        },
        {
          ALT: () => {
            const target = this.SUBRULE(this.postfix);
            this.CONSUME(T.Eq);
            const value = this.SUBRULE1(this.expr);
            if (this.RECORDING_PHASE) return RECORDING;
            return { kind: "GivenClause", span: this.cover(target.span, value.span), target, value } as A.GivenClause;
          },
        },
      ],
    }),
  );

  // ------------------------------------------------------------ types, statements and expressions
  //
  // These rules run for nearly every token, so each is written twice:
  //  - the chevrotain grammar (`if (this.RECORDING_PHASE)`), recorded once
  //    when the parser is made. The declaration rules' lookahead and
  //    chevrotain's error messages are computed from it, so it stays the
  //    whole grammar, occurrence indices included;
  //  - a hand-written parse of the same grammar (parseType, parseBlock,
  //    parseExpr, ...), which decides by the next token as chevrotain's LL(1)
  //    lookahead would, and builds the nodes. It calls no rule wrapper and no
  //    lookahead function: 5× fewer calls per token. Where chevrotain would
  //    raise an error it still does (CONSUME of a missing token, or the OR
  //    with no alternative, inside the rule its message names), so errors and
  //    recovery are the same.

  // ------------------------------------------------------------ types

  private readonly typeAlts: IOrAlt<A.TypeNode>[] = [
    {
      ALT: () => {
        this.ident(1);
        this.OPTION(() => {
          this.CONSUME(T.Lt);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.type) });
          this.close(1, T.Gt, undefined, ">");
        });
        return RECORDING;
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LCurly);
        this.MANY(() => {
          this.ident(2);
          this.CONSUME(T.Colon);
          this.SUBRULE1(this.type);
          this.OPTION1(() => this.CONSUME(T.Comma));
        });
        this.close(2, T.RCurly, undefined, "}");
        return RECORDING;
      },
    },
  ];

  /** A type; its hand-written parse runs inside this rule, whose name chevrotain's errors carry. */
  private type = this.RULE("type", (): A.TypeNode => {
    if (!this.RECORDING_PHASE) return this.parseType();
    this.OR(this.typeAlts);
    this.OPTION2(() => {
      this.CONSUME(T.Max);
      this.CONSUME(T.IntLiteral);
    });
    this.OPTION3(() => this.CONSUME(T.Question));
    return RECORDING;
  });

  private parseType(): A.TypeNode {
    const start = this.LA(1);
    let name: A.Ident | undefined;
    let args: A.TypeNode[] | undefined;
    let fields: A.RecordFieldType[] | undefined;
    if (is(start, IS_IDENTIFIER)) {
      name = this.ident(1);
      args = [];
      if (tokenMatcher(this.LA(1), T.Lt)) {
        const open = this.LA(1);
        this.SKIP_TOKEN();
        // At least one argument: without one, AT_LEAST_ONE_SEP raises chevrotain's error.
        if (!is(this.LA(1), IS_TYPE_START)) this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.type) });
        this.nest(NEST_TYPE);
        args.push(this.invoke(this.type));
        while (tokenMatcher(this.LA(1), T.Comma)) {
          this.SKIP_TOKEN();
          args.push(this.invoke(this.type));
        }
        this.depth -= NEST_TYPE;
        this.close(1, T.Gt, open, ">");
      }
    } else if (tokenMatcher(start, T.LCurly)) {
      this.SKIP_TOKEN();
      fields = [];
      this.nest(NEST_TYPE);
      while (is(this.LA(1), IS_IDENTIFIER)) {
        const fname = this.ident(2);
        this.CONSUME(T.Colon);
        const ftype = this.invoke(this.type);
        fields.push({ kind: "RecordFieldType", span: this.cover(fname.span, ftype.span), name: fname, type: ftype });
        if (tokenMatcher(this.LA(1), T.Comma)) this.SKIP_TOKEN();
      }
      this.depth -= NEST_TYPE;
      this.close(2, T.RCurly, start, "}");
    } else {
      return this.OR(this.typeAlts); // no alternative: chevrotain's error
    }
    let max: A.IntLit | undefined;
    if (tokenMatcher(this.LA(1), T.Max)) {
      this.SKIP_TOKEN();
      const t = this.CONSUME(T.IntLiteral);
      // A record type takes no `max`: it is read past, unchecked.
      if (name) max = this.intLit(t);
    }
    let optional = false;
    if (tokenMatcher(this.LA(1), T.Question)) {
      this.SKIP_TOKEN();
      optional = true;
    }
    const span = this.from(start);
    if (name) return { kind: "TypeRef", span, name, args: args!, max, optional };
    return { kind: "RecordType", span, fields: fields!, optional };
  }

  // ------------------------------------------------------------ statements

  private block = this.RULE("block", (): A.Block => {
    if (!this.RECORDING_PHASE) return this.parseBlock();
    this.CONSUME(T.LCurly);
    this.items(this.statementItems);
    this.close(1, T.RCurly, undefined, "}");
    return RECORDING;
  });

  private parseBlock(): A.Block {
    const open = this.CONSUME(T.LCurly);
    this.nest(NEST_BLOCK);
    const stmts = this.items(this.statementItems);
    this.depth -= NEST_BLOCK;
    this.close(1, T.RCurly, open, "}");
    return { kind: "Block", span: this.from(open), stmts };
  }

  private readonly statementAlts: IOrAlt<A.Stmt>[] = [
    { ALT: () => this.SUBRULE(this.letStmt) },
    { ALT: () => this.SUBRULE(this.ifStmt) },
    { ALT: () => this.SUBRULE(this.forStmt) },
    { ALT: () => this.SUBRULE(this.returnStmt) },
    { ALT: () => (this.CONSUME(T.Break), RECORDING) },
    { ALT: () => (this.CONSUME(T.Continue), RECORDING) },
    { ALT: () => this.SUBRULE(this.exprStmt) },
  ];

  private statement = this.RULE("statement", (): A.Stmt => {
    if (!this.RECORDING_PHASE) return this.parseStatement();
    return this.OR(this.statementAlts);
  });

  /** A statement; `items` calls this only when the next token can start one. */
  private parseStatement(): A.Stmt {
    const t = this.LA(1);
    switch (t.tokenType) {
      case T.Let:
      case T.Var:
        return this.parseLet();
      case T.If:
        return this.invoke(this.ifStmt);
      case T.For:
        return this.parseFor();
      case T.Return:
        return this.parseReturn();
      case T.Break:
        this.SKIP_TOKEN();
        return { kind: "BreakStmt", span: this.span(t) };
      case T.Continue:
        this.SKIP_TOKEN();
        return { kind: "ContinueStmt", span: this.span(t) };
      default:
        return this.parseExprStmt();
    }
  }

  private readonly letOrVarAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(T.Let) },
    { ALT: () => this.CONSUME(T.Var) },
  ];

  private letStmt = this.RULE("letStmt", (): A.LetStmt => {
    if (!this.RECORDING_PHASE) return this.parseLet();
    this.OR(this.letOrVarAlts);
    this.ident(1);
    this.OPTION(this.colonType);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr);
    return RECORDING;
  });

  private parseLet(): A.LetStmt {
    const start = this.LA(1);
    this.SKIP_TOKEN(); // `let` or `var`
    const name = this.ident(1);
    let type: A.TypeNode | undefined;
    if (tokenMatcher(this.LA(1), T.Colon)) {
      this.SKIP_TOKEN();
      type = this.invoke(this.type);
    }
    this.CONSUME(T.Eq);
    const init = this.parseExpr();
    return { kind: "LetStmt", span: this.from(start), mutable: tokenMatcher(start, T.Var), name, type, init };
  }

  /** A condition; `if x = 1` gets a hint to write `==`. */
  private condition(): A.Expr {
    const cond = this.parseExpr();
    const eq = this.LA(1);
    if (!tokenMatcher(eq, T.Eq)) return cond;
    // `if a = b {`: report it, then read it as `a == b` so the rest of the `if` survives.
    this.error(syntaxMessages.assignInCondition, this.span(eq), []);
    this.SKIP_TOKEN();
    const right = this.parseExpr();
    return { kind: "BinaryExpr", span: this.cover(cond.span, right.span), op: "==", opSpan: this.span(eq), left: cond, right };
  }

  private readonly elseAlts: IOrAlt<A.Block | A.IfStmt>[] = [
    { ALT: () => this.SUBRULE(this.ifStmt) as A.Block | A.IfStmt },
    { ALT: () => this.SUBRULE1(this.block) },
  ];

  /** `else { ... }` or `else if ...`. */
  private readonly elseBranch = (): A.Block | A.IfStmt => {
    this.CONSUME(T.Else);
    return this.OR(this.elseAlts);
  };

  /** An `if`; its hand-written parse runs inside this rule, whose name chevrotain's error after `else` carries. */
  private ifStmt = this.RULE("ifStmt", (): A.IfStmt => {
    if (!this.RECORDING_PHASE) return this.parseIf();
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block);
    this.OPTION(this.elseBranch);
    return RECORDING;
  });

  private parseIf(): A.IfStmt {
    const start = this.LA(1);
    this.SKIP_TOKEN(); // `if`
    const cond = this.condition();
    const then = this.parseBlock();
    let otherwise: A.Block | A.IfStmt | undefined;
    if (tokenMatcher(this.LA(1), T.Else)) {
      this.SKIP_TOKEN();
      const next = this.LA(1);
      if (tokenMatcher(next, T.If)) {
        // An `else if` is an `if` inside the `else`, to every later phase too.
        this.nest(NEST_BLOCK);
        otherwise = this.invoke(this.ifStmt);
        this.depth -= NEST_BLOCK;
      }
      else if (tokenMatcher(next, T.LCurly)) otherwise = this.parseBlock();
      else otherwise = this.OR(this.elseAlts); // neither: chevrotain's error
    }
    return { kind: "IfStmt", span: this.from(start), cond, then, else: otherwise };
  }

  private forStmt = this.RULE("forStmt", (): A.ForStmt => {
    if (!this.RECORDING_PHASE) return this.parseFor();
    this.CONSUME(T.For);
    this.ident(1);
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.ident(2);
    });
    this.CONSUME(T.In);
    this.SUBRULE(this.expr);
    this.OPTION1(() => {
      this.CONSUME(T.Where);
      this.SUBRULE1(this.expr);
    });
    this.SUBRULE(this.block);
    return RECORDING;
  });

  private parseFor(): A.ForStmt {
    const start = this.LA(1);
    this.SKIP_TOKEN(); // `for`
    let key: A.Ident | undefined;
    let name = this.ident(1);
    if (tokenMatcher(this.LA(1), T.Comma)) {
      this.SKIP_TOKEN();
      key = name;
      name = this.ident(2);
    }
    this.CONSUME(T.In);
    const iterable = this.parseExpr();
    let where: A.Expr | undefined;
    if (tokenMatcher(this.LA(1), T.Where)) {
      this.SKIP_TOKEN();
      where = this.parseExpr();
    }
    const body = this.parseBlock();
    return { kind: "ForStmt", span: this.from(start), key, name, iterable, where, body };
  }

  private returnStmt = this.RULE("returnStmt", (): A.ReturnStmt => {
    if (!this.RECORDING_PHASE) return this.parseReturn();
    const start = this.CONSUME(T.Return);
    this.OPTION({ GATE: () => this.sameLine(start, this.LA(1)), DEF: () => this.SUBRULE(this.expr) });
    return RECORDING;
  });

  private parseReturn(): A.ReturnStmt {
    const start = this.LA(1);
    this.SKIP_TOKEN(); // `return`
    // The value must start on the `return` line.
    const next = this.LA(1);
    const value = this.sameLine(start, next) && is(next, IS_EXPR_START) ? this.parseExpr() : undefined;
    return { kind: "ReturnStmt", span: this.from(start), value };
  }

  private readonly assignOpAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(T.Eq) },
    { ALT: () => this.CONSUME(T.PlusEq) },
    { ALT: () => this.CONSUME(T.MinusEq) },
  ];

  private exprStmt = this.RULE("exprStmt", (): A.Stmt => {
    if (!this.RECORDING_PHASE) return this.parseExprStmt();
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.OR(this.assignOpAlts);
      this.SUBRULE1(this.expr);
    });
    return RECORDING;
  });

  /** A call, or an assignment `target = value` (`+=`, `-=`). */
  private parseExprStmt(): A.Stmt {
    const expr = this.parseExpr();
    const op = this.LA(1);
    if (!is(op, IS_ASSIGN_OP)) return { kind: "ExprStmt", span: expr.span, expr };
    this.SKIP_TOKEN();
    const value = this.parseExpr();
    return { kind: "AssignStmt", span: this.cover(expr.span, value.span), target: expr, op: op.image as A.AssignOp, value };
  }

  // ------------------------------------------------------------ expressions

  private expr = this.RULE("expr", (): A.Expr => {
    if (!this.RECORDING_PHASE) return this.parseExpr();
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(T.BinOp);
      this.SUBRULE1(this.unary);
    });
    return RECORDING;
  });

  /**
   * A whole expression. Its operators and suffixes nest its first operand
   * deepest, which is only known at its end: then the deepest point inside
   * it, plus their units, must be within MAX_NESTING (else TW1018, and the
   * expression is dropped so that no later phase walks it), and the strings
   * inside it start their interpolations that much deeper.
   */
  private parseExpr(): A.Expr {
    const outerDeepest = this.deepest;
    const outerUnits = this.chainUnits;
    const outerOps = this.chainOps;
    const firstString = this.pendingStrings.length;
    this.deepest = this.depth;
    this.chainUnits = 0;
    this.chainOps = 0;
    let e = this.parseChain(0);
    const units = this.chainUnits;
    let deepest = this.deepest + units;
    if (units > 0) {
      if (deepest > MAX_NESTING && this.chainOps <= MAX_CHAIN) {
        this.error(syntaxMessages.tooDeep, e.span, []);
        e = { kind: "ErrorExpr", span: e.span };
        deepest = this.depth;
      } else if (this.chainOps > MAX_CHAIN) {
        e = { kind: "ErrorExpr", span: e.span };
        deepest = this.depth;
      }
      for (let i = firstString; i < this.pendingStrings.length; i++) this.pendingStrings[i]!.depth += units;
    }
    this.deepest = Math.max(outerDeepest, deepest);
    this.chainUnits = outerUnits;
    this.chainOps = outerOps;
    return e;
  }

  /** `a op b op c ...`, by precedence climbing; all binary operators associate left. */
  private parseChain(minPrec: number): A.Expr {
    let left = this.parseUnary();
    for (;;) {
      const opTok = this.LA(1);
      if (!is(opTok, IS_BIN_OP)) return left;
      const op = opTok.image as A.BinaryOp;
      const prec = PRECEDENCE[op];
      if (prec < minPrec) return left;
      this.SKIP_TOKEN();
      this.chainUnits += op === "??" ? NEST_COALESCE : NEST_BINARY;
      if (++this.chainOps === MAX_CHAIN + 1) this.error(syntaxMessages.chainTooLong, this.span(opTok), [MAX_CHAIN]);
      const right = this.parseChain(prec + 1);
      left = { kind: "BinaryExpr", span: this.cover(left.span, right.span), op, opSpan: this.span(opTok), left, right };
    }
  }

  private readonly prefixOpAlts: IOrAlt<IToken>[] = [
    { ALT: () => this.CONSUME(T.Not) },
    { ALT: () => this.CONSUME(T.Minus) },
  ];

  private readonly unaryAlts: IOrAlt<A.Expr>[] = [
    {
      ALT: () => {
        this.OR1(this.prefixOpAlts);
        this.SUBRULE(this.unary);
        return RECORDING;
      },
    },
    { ALT: () => this.SUBRULE(this.postfix) },
  ];

  private unary = this.RULE("unary", (): A.Expr => {
    if (!this.RECORDING_PHASE) return this.parseUnary();
    return this.OR(this.unaryAlts);
  });

  private parseUnary(): A.Expr {
    const t = this.LA(1);
    if (!is(t, IS_EXPR_START)) {
      this.error(syntaxMessages.expectedExpression, tokenMatcher(t, EOF) ? this.eofSpan() : this.span(t), [describeToken(t)]);
      return this.errorExpr(t);
    }
    if (t.tokenType !== T.Not && t.tokenType !== T.Minus) return this.parsePostfix();
    this.SKIP_TOKEN();
    this.nest(NEST_PREFIX);
    const operand = this.parseUnary();
    this.depth -= NEST_PREFIX;
    return { kind: "UnaryExpr", span: this.cover(this.span(t), operand.span), op: t.image as A.UnaryOp, operand };
  }

  private readonly suffixAlts: IOrAlt<A.Expr>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Dot);
        this.ident(1);
        return RECORDING;
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        this.MANY1(() => {
          this.SUBRULE(this.arg);
          this.separator(0, 0, T.RParen);
        });
        this.close(1, T.RParen, undefined, ")");
        return RECORDING;
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LBracket);
        this.SUBRULE(this.expr);
        this.close(3, T.RBracket, undefined, "]");
        return RECORDING;
      },
    },
  ];

  /** A suffix goes on a `.` on a new line, but `(` and `[` only on the same line (else they start the next statement). */
  private readonly postfixGate = (): boolean => tokenMatcher(this.LA(1), T.Dot) || this.sameLine(this.LA(0), this.LA(1));

  private postfix = this.RULE("postfix", (): A.Expr => {
    if (!this.RECORDING_PHASE) return this.parsePostfix();
    this.SUBRULE(this.primary);
    this.MANY({ GATE: this.postfixGate, DEF: () => this.OR(this.suffixAlts) });
    return RECORDING;
  });

  /** A primary expression and its suffixes: `.name`, `(args)`, `[index]`. */
  private parsePostfix(): A.Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.LA(1);
      if (!is(t, IS_SUFFIX_START) || !this.postfixGate()) return e;
      this.SKIP_TOKEN();
      this.chainUnits += NEST_SUFFIX;
      if (t.tokenType === T.Dot) {
        const name = this.ident(1);
        e = { kind: "MemberExpr", span: this.cover(e.span, name.span), object: e, name };
      } else if (t.tokenType === T.LParen) {
        const args: A.Arg[] = [];
        this.nest(NEST_BRACKET);
        while (is(this.LA(1), IS_EXPR_START)) {
          args.push(this.parseArg());
          this.separator(0, 0, T.RParen);
        }
        this.depth -= NEST_BRACKET;
        this.close(1, T.RParen, t, ")");
        e = { kind: "CallExpr", span: this.coverTo(e.span, this.LA(0)), callee: e, args };
      } else {
        this.nest(NEST_BRACKET);
        const index = this.parseExpr();
        this.depth -= NEST_BRACKET;
        this.close(3, T.RBracket, t, "]");
        e = { kind: "IndexExpr", span: this.coverTo(e.span, this.LA(0)), object: e, index };
      }
    }
  }

  /** `name: value` of a named argument. */
  private readonly argName = (): A.Ident => {
    const name = this.ident(1);
    this.CONSUME(T.Colon);
    return name;
  };

  private arg = this.RULE("arg", (): A.Arg => {
    if (!this.RECORDING_PHASE) return this.parseArg();
    this.OPTION(this.argName);
    this.SUBRULE(this.expr);
    return RECORDING;
  });

  private parseArg(): A.Arg {
    // A name then `:` (two tokens of lookahead) makes a named argument.
    const name = is(this.LA(1), IS_IDENTIFIER) && tokenMatcher(this.LA(2), T.Colon) ? this.argName() : undefined;
    const value = this.parseExpr();
    return { kind: "Arg", span: name ? this.cover(name.span, value.span) : value.span, name, value };
  }

  private readonly primaryAlts: IOrAlt<A.Expr>[] = [
    { ALT: () => (this.CONSUME(T.IntLiteral), RECORDING) },
    { ALT: () => (this.CONSUME(T.StringLiteral), RECORDING) },
    { ALT: () => (this.CONSUME(T.DurationLiteral), RECORDING) },
    { ALT: () => (this.CONSUME(T.TimeLiteral), RECORDING) },
    { ALT: () => (this.CONSUME(T.True), RECORDING) },
    { ALT: () => (this.CONSUME(T.False), RECORDING) },
    { ALT: () => (this.CONSUME(T.None), RECORDING) },
    { ALT: () => (this.CONSUME(T.Identifier), RECORDING) },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        this.SUBRULE(this.expr);
        this.close(1, T.RParen, undefined, ")");
        return RECORDING;
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LBracket);
        this.MANY(() => {
          this.SUBRULE1(this.expr);
          this.separator(0, 0, T.RBracket);
        });
        this.close(3, T.RBracket, undefined, "]");
        return RECORDING;
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.LCurly);
        this.MANY1(() => {
          this.SUBRULE2(this.expr);
          this.CONSUME(T.Colon);
          this.SUBRULE3(this.expr);
          this.separator(1, 1, T.RCurly);
        });
        this.close(5, T.RCurly, undefined, "}");
        return RECORDING;
      },
    },
  ];

  private primary = this.RULE("primary", (): A.Expr => {
    if (this.RECORDING_PHASE) return this.OR(this.primaryAlts);
    // A token no primary starts with: the OR raises chevrotain's error, inside this rule.
    return is(this.LA(1), IS_PRIMARY_START) ? this.parsePrimary() : this.OR(this.primaryAlts);
  });

  private parsePrimary(): A.Expr {
    const t = this.LA(1);
    switch (t.tokenType) {
      case T.IntLiteral:
        this.SKIP_TOKEN();
        return this.intLit(t);
      case T.StringLiteral:
        this.SKIP_TOKEN();
        return this.stringLit(t);
      case T.DurationLiteral:
        this.SKIP_TOKEN();
        return this.durationLit(t);
      case T.TimeLiteral:
        this.SKIP_TOKEN();
        return this.timeLit(t);
      case T.True:
      case T.False:
        this.SKIP_TOKEN();
        return { kind: "BoolLit", span: this.span(t), value: t.tokenType === T.True };
      case T.None:
        this.SKIP_TOKEN();
        return { kind: "NoneLit", span: this.span(t) };
      case T.LParen: {
        this.SKIP_TOKEN();
        this.nest(NEST_BRACKET);
        const inner = this.parseExpr();
        this.depth -= NEST_BRACKET;
        this.close(1, T.RParen, t, ")");
        // Parentheses only group; the span widens to include them.
        return { ...inner, span: this.from(t) };
      }
      case T.LBracket: {
        this.SKIP_TOKEN();
        const elements: A.Expr[] = [];
        this.nest(NEST_BRACKET);
        while (is(this.LA(1), IS_EXPR_START)) {
          elements.push(this.parseExpr());
          this.separator(0, 0, T.RBracket);
        }
        this.depth -= NEST_BRACKET;
        this.close(3, T.RBracket, t, "]");
        return { kind: "ListLit", span: this.from(t), elements };
      }
      case T.LCurly: {
        this.SKIP_TOKEN();
        const entries: A.BraceEntry[] = [];
        this.nest(NEST_BRACKET);
        while (is(this.LA(1), IS_EXPR_START)) {
          const key = this.parseExpr();
          this.CONSUME(T.Colon);
          const value = this.parseExpr();
          entries.push({ kind: "BraceEntry", span: this.cover(key.span, value.span), key, value });
          this.separator(1, 1, T.RCurly);
        }
        this.depth -= NEST_BRACKET;
        this.close(5, T.RCurly, t, "}");
        return { kind: "BraceLit", span: this.from(t), entries };
      }
    }
    if (is(t, IS_IDENTIFIER)) {
      this.SKIP_TOKEN();
      return { kind: "Ident", span: this.span(t), name: t.image };
    }
    return this.invoke(this.primary);
  }

  // ------------------------------------------------------------ literals

  private intLit(t: IToken): A.IntLit {
    const image = t.image;
    const value = Number(image.includes("_") ? image.replace(/_/g, "") : image);
    if (!Number.isSafeInteger(value)) this.error(syntaxMessages.intTooLarge, this.span(t), [t.image]);
    return { kind: "IntLit", span: this.span(t), value: Number.isSafeInteger(value) ? value : 0 };
  }

  private durationLit(t: IToken): A.DurationLit {
    const m = /^([\d_]+)(ms|s|m|h|d|w)$/.exec(t.image)!;
    const n = Number(m[1]!.replace(/_/g, ""));
    const ms = n * DURATION_UNITS[m[2]!]!;
    if (!Number.isSafeInteger(ms)) this.error(syntaxMessages.intTooLarge, this.span(t), [t.image]);
    return { kind: "DurationLit", span: this.span(t), text: t.image, ms: Number.isSafeInteger(ms) ? ms : 0 };
  }

  private timeLit(t: IToken): A.TimeLit {
    const ms = parseTimeLiteral(t.image);
    if (ms === undefined) this.error(syntaxMessages.invalidTime, this.span(t), [t.image]);
    return { kind: "TimeLit", span: this.span(t), text: t.image, ms: ms ?? 0 };
  }

  private clockLit(t: IToken): A.ClockLit {
    // `H:MM` or `HH:MM` (the token's pattern): one colon.
    const colon = t.image.indexOf(":");
    const h = Number(t.image.slice(0, colon));
    const m = Number(t.image.slice(colon + 1));
    const ok = h >= 0 && h <= 23 && m >= 0 && m <= 59;
    if (!ok) this.error(syntaxMessages.invalidClock, this.span(t), [t.image]);
    return { kind: "ClockLit", span: this.span(t), text: t.image, minutes: ok ? h * 60 + m : 0 };
  }

  /** The string's parts; interpolations are parsed after the main pass (the parser is not re-entrant). */
  private stringLit(t: Tok): A.StringLit {
    const node: A.StringLit = { kind: "StringLit", span: this.span(t), parts: [] };
    const scan = t.payload!;
    this.pendingStrings.push({ node, scan, tok: t, depth: this.depth });
    return node;
  }

  /**
   * Lexes the interpolations of the queued strings `from`..`to` (those that
   * parsePendingStrings will parse) with one call of the lexer instead of one
   * each; see lexPieces. Returns the strings' scans, in file offsets.
   */
  private lexInterpolations(from: number, to: number): StringScan[] {
    const scans: StringScan[] = [];
    const pieces: string[] = [];
    const offsets: number[] = [];
    for (let i = from; i < to; i++) {
      const { scan: raw, tok } = this.pendingStrings[i]!;
      const scan = shiftScan(raw, tok.startOffset - raw.start);
      scans.push(scan);
      for (const part of scan.parts) {
        if (part.kind === "text") continue;
        const src = this.sourceSlice(tok, part.start, part.end);
        if (src.trim() === "" || src.includes("/*")) continue;
        pieces.push(src);
        offsets.push(part.start);
      }
    }
    const lexed = lexPieces(this.file, pieces, offsets, this.lines);
    for (let k = 0; k < lexed.length; k++) this.prelexed.set(offsets[k]!, lexed[k]!);
    return scans;
  }

  private parsePendingStrings(): void {
    // Interpolations may hold strings of their own: a queue, processed in
    // rounds (the strings queued so far, whose interpolations are lexed together).
    let scans: StringScan[] = [];
    let round = 0;
    for (let i = 0; i < this.pendingStrings.length; i++) {
      if (i === round) {
        scans = this.lexInterpolations(i, this.pendingStrings.length);
        round = this.pendingStrings.length;
      }
      const { node, tok, depth } = this.pendingStrings[i]!;
      const scan = scans[i - (round - scans.length)]!;
      this.interpolationDepth = depth + NEST_BRACKET;
      // A string is on one line: a column inside it is its offset moved by `shift`.
      const li = this.lines.index(tok.startOffset);
      const line = li + 1;
      const shift = this.lines.colAt(tok.startOffset, li) - tok.startOffset;
      const range = (start: number, end: number): Span => this.newSpan(this.file, start, end, line, start + shift, line, end + shift);
      if (!scan.terminated) this.error(syntaxMessages.unterminatedString, this.span(tok), []);
      for (const p of scan.problems) {
        const text = this.sourceSlice(tok, p.start, p.end);
        this.error(syntaxMessages.badEscape, range(p.start, p.end), [text]);
      }
      for (const part of scan.parts) {
        if (part.kind === "text") {
          node.parts.push({ kind: "StringText", span: range(part.start, part.end), value: part.value });
          continue;
        }
        const src = this.sourceSlice(tok, part.start, part.end);
        if (!part.closed) this.error(syntaxMessages.unclosedInterpolation, range(part.start - 1, part.start), []);
        if (src.trim() === "") {
          if (part.closed) this.error(syntaxMessages.emptyInterpolation, range(part.start - 1, part.end + 1), []);
          node.parts.push({ kind: "ErrorExpr", span: range(part.start, part.end) });
          continue;
        }
        node.parts.push(this.parseInterpolation(src, part.start, range(part.start, part.end)));
      }
    }
    this.interpolationDepth = 0;
  }

  private sourceSlice(tok: IToken, start: number, end: number): string {
    return tok.image.slice(start - tok.startOffset, end - tok.startOffset);
  }

  private parseInterpolation(src: string, start: number, whole: Span): A.Expr {
    const lexed = this.prelexed.get(start) ?? lexOffsets(this.file, src, this.lines, start);
    this.prelexed.delete(start);
    for (const d of lexed.diagnostics) this.report(d);
    this.setTokens(lexed.tokens);
    // Strings are parsed one after another, not nested, but the tree they make is nested: go on from the string's depth.
    this.depth = this.interpolationDepth;
    let e: A.Expr = { kind: "ErrorExpr", span: whole };
    try {
      if (this.depth > MAX_NESTING) throw new RangeError("nested too deeply");
      // Chevrotain returns undefined when it caught an error at this top rule: keep the ErrorExpr then.
      e = this.expr() ?? e;
      const rest = this.LA(1);
      if (!tokenMatcher(rest, EOF)) {
        this.error(syntaxMessages.expectedToken, this.span(rest), ["`}` to end the interpolation", describeToken(rest)]);
      }
    } catch (err) {
      if (err instanceof RangeError) {
        this.errors = []; // what chevrotain noted on the way out is not the user's error
        this.error(syntaxMessages.tooDeep, whole, []);
      } else if (!isRecognitionException(err as Error)) throw err;
    }
    this.collectChevrotainErrors();
    return e;
  }
}

/** Parses an ISO 8601 date or date-time literal to epoch milliseconds (UTC unless an offset is given). */
export function parseTimeLiteral(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.padEnd(3, "0")));
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  let offsetMin = 0;
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 23 || zm > 59) return undefined;
    offsetMin = sign * (zh * 60 + zm);
  }
  return ms - offsetMin * 60_000;
}

/** The scan of a string lexed inside an interpolation has offsets relative to that piece: move them. */
function shiftScan(scan: StringScan, delta: number): StringScan {
  if (delta === 0) return scan;
  return {
    ...scan,
    start: scan.start + delta,
    end: scan.end + delta,
    parts: scan.parts.map((p) => ({ ...p, start: p.start + delta, end: p.end + delta })),
    problems: scan.problems.map((p) => ({ ...p, start: p.start + delta, end: p.end + delta })),
  };
}

function expectedFromMessage(e: IRecognitionException): string | undefined {
  // Chevrotain's default message: "Expecting token of type --> X <-- but found --> 'y' <--".
  const m = /-->\s*(\w+)\s*<--/.exec(e.message);
  if (!m) return undefined;
  return TOKEN_DESCRIPTIONS[m[1]!] ?? "`" + m[1]! + "`";
}

/** What a rule that could not start wanted, for "Expected X but found Y". */
const RULE_DESCRIPTIONS: Record<string, string> = {
  type: "a type such as `string`, `List<Address>` or `{ name: string }`",
  schedule: "a schedule such as `day at 00:00`, `monday at 09:30` or `2h`",
  testClause: "`expect`, `run` or a given such as `members = [...]`",
  letStmt: "`let` or `var`",
  exprStmt: "`=`, `+=` or `-=`",
};

const TOKEN_DESCRIPTIONS: Record<string, string> = {
  Identifier: "a name",
  IntLiteral: "a number",
  StringLiteral: "a string",
  DurationLiteral: "a duration such as `1d` or `90m`",
  TimeLiteral: "a date or time such as `2026-11-25T09:00:00Z`",
  ClockLiteral: "a time of day such as `09:30`",
  LCurly: "`{`", RCurly: "`}`", LParen: "`(`", RParen: "`)`", LBracket: "`[`", RBracket: "`]`",
  Colon: "`:`", Comma: "`,`", Eq: "`=`", Dot: "`.`", Lt: "`<`", Gt: "`>`", In: "`in`", At: "`at`",
  Every: "`every`", Max: "`max`",
};

let parser: ThwonkParser | undefined;

function getParser(): ThwonkParser {
  parser ??= new ThwonkParser();
  return parser;
}

export interface ParseResult {
  file: A.SourceFile;
  diagnostics: Diagnostic[];
}

/** Parses one .thwonk file. Never throws; always returns a tree. */
export function parseFile(fileName: string, text: string): ParseResult {
  return getParser().parseFile(fileName, text);
}

const typeCache = new Map<string, A.TypeNode | undefined>();

/** Parses one type in .thwonk syntax ("Map<Address, Time>", "string?"); undefined when it is not one. */
export function parseTypeText(text: string): A.TypeNode | undefined {
  if (!typeCache.has(text)) typeCache.set(text, getParser().parseTypeText(text));
  return typeCache.get(text);
}
