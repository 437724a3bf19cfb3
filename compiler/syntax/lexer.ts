/**
 * Turns source text into tokens (chevrotain's lexer over the token types in
 * tokens.ts). Never fails: characters no token starts with become a
 * diagnostic and are skipped. Comments are kept, in order, for the formatter.
 */
import { Lexer, type ILexingError, type IToken, type TokenType } from "chevrotain";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages } from "../diagnostics/catalog/index.js";
import type { Comment } from "./ast.js";
import { Identifier, KEYWORDS, lexerDefinition, parserLexerDefinition, UnterminatedComment } from "./tokens.js";

let lexer: Lexer | undefined;

function getLexer(): Lexer {
  lexer ??= new Lexer(lexerDefinition, {
    positionTracking: "full",
    ensureOptimizations: false,
    skipValidations: true,
  });
  return lexer;
}

let offsetLexer: Lexer | undefined;

/**
 * The parser's lexer: offsets only, so chevrotain skips line counting and
 * tokens are smaller (less GC). Lines and columns come from a LineMap of
 * the text, computed only where a position is needed. (`lex` keeps full
 * positions for other users of tokens.)
 */
function getOffsetLexer(): Lexer {
  offsetLexer ??= new Lexer(parserLexerDefinition, {
    positionTracking: "onlyOffset",
    ensureOptimizations: false,
    skipValidations: true,
  });
  return offsetLexer;
}

/**
 * Lines and columns of offsets in a text, as chevrotain's position tracking
 * counts them: lines break at `\n`, `\r\n` and `\r`; columns count UTF-16
 * units from 1. (Chevrotain counts line breaks inside whitespace and
 * comments; no other token or unexpected character can hold one, so that is
 * every line break of the text.)
 */
export class LineMap {
  /** Offsets at which lines start; starts[0] === 0. */
  private readonly starts: number[] = [0];
  /** The line of the last lookup (lookups mostly move forward a little). */
  private last = 0;

  constructor(readonly text: string) {
    const starts = this.starts;
    if (text.indexOf("\r") < 0) {
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
  }

  /** The 0-based index of the line holding `offset` (NaN for NaN, chevrotain's EOF token). */
  index(offset: number): number {
    const s = this.starts;
    const n = s.length;
    const i = this.last;
    if (offset >= s[i]!) {
      if (i + 1 === n || offset < s[i + 1]!) return i;
      if (i + 2 === n || offset < s[i + 2]!) return (this.last = i + 1);
    }
    if (Number.isNaN(offset)) return NaN;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }

  /** The 1-based line of `offset`. */
  line(offset: number): number {
    return this.index(offset) + 1;
  }

  /** The 1-based column of `offset`. */
  col(offset: number): number {
    return this.colAt(offset, this.index(offset));
  }

  /** The 1-based column of `offset`, on the line of 0-based index `i` (see index). */
  colAt(offset: number, i: number): number {
    return Number.isNaN(i) ? NaN : offset - this.starts[i]! + 1;
  }

  /** How many lines the text has. */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The offset where the last line starts. */
  get lastLineStart(): number {
    return this.starts[this.starts.length - 1]!;
  }
}

export interface LexResult {
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

/** The span of a token (ends exclusive). */
export function tokenSpan(file: string, t: IToken): Span {
  return {
    file,
    start: t.startOffset,
    end: (t.endOffset ?? t.startOffset) + 1,
    line: t.startLine ?? 1,
    col: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1,
    endCol: (t.endColumn ?? t.startColumn ?? 0) + 1,
  };
}

/**
 * Lexes `text`. `base` shifts positions, for lexing a piece of a line (an
 * interpolation) as if it stood at that place in the file.
 */
export function lex(
  file: string,
  text: string,
  base?: { offset: number; line: number; col: number },
): LexResult {
  const result = getLexer().tokenize(text);
  const diagnostics: Diagnostic[] = [];
  if (base) {
    for (const t of result.tokens) shiftToken(t, base);
    for (const t of result.groups["comments"] ?? []) shiftToken(t, base);
  }
  for (const e of result.errors) {
    diagnostics.push(lexErrorDiagnostic(file, text, e, base));
  }
  const comments: Comment[] = [];
  for (const t of result.groups["comments"] ?? []) {
    comments.push({ span: tokenSpan(file, t), text: t.image });
    if (t.tokenType === UnterminatedComment) {
      diagnostics.push(makeDiagnostic(syntaxMessages.unterminatedComment, tokenSpan(file, t), []));
    }
  }
  return { tokens: result.tokens, comments, diagnostics };
}

function shiftToken(t: IToken, base: { offset: number; line: number; col: number }): void {
  // Interpolations are single-line, so only the first line's columns shift.
  t.startOffset += base.offset;
  if (t.endOffset !== undefined) t.endOffset += base.offset;
  if (t.startLine === 1 && t.startColumn !== undefined) t.startColumn += base.col - 1;
  if (t.endLine === 1 && t.endColumn !== undefined) t.endColumn += base.col - 1;
  if (t.startLine !== undefined) t.startLine += base.line - 1;
  if (t.endLine !== undefined) t.endLine += base.line - 1;
}

function lexErrorDiagnostic(
  file: string,
  text: string,
  e: ILexingError,
  base: { offset: number; line: number; col: number } | undefined,
): Diagnostic {
  const chars = text.slice(e.offset, e.offset + e.length);
  const line = (e.line ?? 1) + (base ? base.line - 1 : 0);
  const col = (e.column ?? 1) + (base && (e.line ?? 1) === 1 ? base.col - 1 : 0);
  const start = e.offset + (base?.offset ?? 0);
  // Unexpected runs never contain a line break (whitespace is a token), so the run is on one line.
  const span: Span = { file, start, end: start + e.length, line, col, endLine: line, endCol: col + e.length };
  return makeDiagnostic(syntaxMessages.unexpectedCharacter, span, [chars]);
}

// ---------------------------------------------------------------- the parser's lexing

/**
 * The span of a comment token, which may cover several lines: its end line
 * and column as chevrotain's full position tracking computes them (line
 * breaks are `\n`, `\r\n` and `\r`; a comment that ends with its only line
 * break ends on its first line).
 */
function commentSpan(file: string, t: IToken, lines: LineMap): Span {
  const img = t.image;
  const len = img.length;
  const startLine = lines.line(t.startOffset);
  const startColumn = lines.col(t.startOffset);
  let endLine = startLine;
  let endColumn = startColumn + len - 1;
  let breaks = 0;
  let lastBreakEnd = -1;
  for (let i = 0; i < len; i++) {
    const c = img.charCodeAt(i);
    if (c === 10) {
      breaks++;
      lastBreakEnd = i;
    } else if (c === 13) {
      if (img.charCodeAt(i + 1) === 10) i++;
      breaks++;
      lastBreakEnd = i;
    }
  }
  if (breaks !== 0) {
    const endsWithBreak = lastBreakEnd === len - 1;
    if (!(breaks === 1 && endsWithBreak)) {
      endLine = startLine + breaks - (endsWithBreak ? 1 : 0);
      endColumn = len - lastBreakEnd - 1 + (endsWithBreak ? 1 : 0);
    }
  }
  return { file, start: t.startOffset, end: t.startOffset + len, line: startLine, col: startColumn, endLine, endCol: endColumn + 1 };
}

/**
 * The parser's lexing: tokens with offsets only (see LineMap). `text` stands
 * at `offset` in the text of `lines` (an interpolation is lexed as the piece
 * of its line it is): token offsets are shifted by `offset`, and positions
 * read from `lines`. Diagnostics and comments are the same as `lex`'s.
 */
export function lexOffsets(file: string, text: string, lines: LineMap, offset = 0): LexResult {
  const result = getOffsetLexer().tokenize(text);
  keywordsOf(result.tokens);
  const diagnostics: Diagnostic[] = [];
  if (offset !== 0) {
    for (const t of result.tokens) t.startOffset += offset;
  }
  for (const e of result.errors) {
    diagnostics.push(offsetLexErrorDiagnostic(file, text, e, lines, offset));
  }
  const comments: Comment[] = [];
  const commentTokens = result.groups["comments"];
  if (commentTokens) {
    for (const t of commentTokens) {
      if (offset !== 0) t.startOffset += offset;
      const span = commentSpan(file, t, lines);
      comments.push({ span, text: t.image });
      if (t.tokenType === UnterminatedComment) {
        diagnostics.push(makeDiagnostic(syntaxMessages.unterminatedComment, { ...span }, []));
      }
    }
  }
  return { tokens: result.tokens, comments, diagnostics };
}

function offsetLexErrorDiagnostic(file: string, text: string, e: ILexingError, lines: LineMap, offset: number): Diagnostic {
  const chars = text.slice(e.offset, e.offset + e.length);
  const start = e.offset + offset;
  const line = lines.line(start);
  const col = lines.col(start);
  // Unexpected runs never contain a line break (whitespace is a token), so the run is on one line.
  const span: Span = { file, start, end: start + e.length, line, col, endLine: line, endCol: col + e.length };
  return makeDiagnostic(syntaxMessages.unexpectedCharacter, span, [chars]);
}

/**
 * Lexes several pieces of `lines`'s text at once, as `lexOffsets` lexes each
 * (`pieces[i]` standing at `offsets[i]`), with one call of chevrotain's
 * lexer: the pieces are joined with line breaks, which end every token that
 * can reach the end of a piece (a piece is part of one line: a string or a
 * line comment stops at a line break as at the end of the piece). Not for
 * pieces holding `/*` (a block comment would run into the next piece).
 * Comments are not returned (interpolations' comments are not kept).
 */
export function lexPieces(file: string, pieces: readonly string[], offsets: readonly number[], lines: LineMap): LexResult[] {
  const out: LexResult[] = [];
  if (pieces.length === 0) return out;
  const result = getOffsetLexer().tokenize(pieces.join("\n"));
  keywordsOf(result.tokens);
  // Where each piece starts in the joined text.
  const starts: number[] = [];
  let at = 0;
  for (const piece of pieces) {
    starts.push(at);
    at += piece.length + 1;
    out.push({ tokens: [], comments: [], diagnostics: [] });
  }
  let k = 0;
  for (const t of result.tokens) {
    while (k + 1 < starts.length && t.startOffset >= starts[k + 1]!) k++;
    t.startOffset = t.startOffset - starts[k]! + offsets[k]!;
    out[k]!.tokens.push(t);
  }
  k = 0;
  for (const e of result.errors) {
    while (k + 1 < starts.length && e.offset >= starts[k + 1]!) k++;
    const local: ILexingError = { ...e, offset: e.offset - starts[k]! };
    out[k]!.diagnostics.push(offsetLexErrorDiagnostic(file, pieces[k]!, local, lines, offsets[k]!));
  }
  return out;
}

/** The keywords by their first character's code (a few to compare with: no hashing of every name). */
const KEYWORDS_BY_FIRST: [string, TokenType][][] = [];
for (const [word, type] of KEYWORDS) (KEYWORDS_BY_FIRST[word.charCodeAt(0)] ??= []).push([word, type]);

/** Gives the identifiers that are keywords their keyword's type (see parserLexerDefinition). */
function keywordsOf(tokens: IToken[]): void {
  const idx = Identifier.tokenTypeIdx;
  for (const t of tokens) {
    if (t.tokenTypeIdx !== idx) continue;
    const image = t.image;
    const candidates = KEYWORDS_BY_FIRST[image.charCodeAt(0)];
    if (candidates === undefined) continue;
    for (const [word, type] of candidates) {
      if (word === image) {
        t.tokenType = type;
        t.tokenTypeIdx = type.tokenTypeIdx!;
        break;
      }
    }
  }
}
