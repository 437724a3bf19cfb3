/**
 * Turns source text into tokens (chevrotain's lexer over the token types in
 * tokens.ts). Never fails: characters no token starts with become a
 * diagnostic and are skipped. Comments are kept, in order, for the formatter.
 */
import { Lexer, type ILexingError, type IToken } from "chevrotain";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages } from "../diagnostics/catalog/index.js";
import type { Comment } from "./ast.js";
import { lexerDefinition, UnterminatedComment } from "./tokens.js";

let lexer: Lexer | undefined;

function getLexer(): Lexer {
  lexer ??= new Lexer(lexerDefinition, {
    positionTracking: "full",
    ensureOptimizations: false,
    skipValidations: true,
  });
  return lexer;
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
