/**
 * The one Diagnostic shape every phase produces and every host renders
 * (terminal, JSON, SARIF, LSP). Positions are UTF-16 code units, lines and
 * columns 1-based, ends exclusive — the way the LSP and SARIF count them.
 */

export type Severity = "error" | "warning" | "info";

/** A range of source text. `start`/`end` are UTF-16 offsets; line/col are 1-based; end is exclusive. */
export interface Span {
  file: string;
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface RelatedInfo {
  span: Span;
  message: string;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  description: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  span: Span;
  message: string;
  related: RelatedInfo[];
  fix?: Fix;
}

/** A span that covers `a` through `b` (both in the same file). */
export function spanCover(a: Span, b: Span): Span {
  return {
    file: a.file,
    start: a.start,
    end: b.end,
    line: a.line,
    col: a.col,
    endLine: b.endLine,
    endCol: b.endCol,
  };
}

/** An empty span at the start of `s`. */
export function spanStart(s: Span): Span {
  return { file: s.file, start: s.start, end: s.start, line: s.line, col: s.col, endLine: s.line, endCol: s.col };
}

/** An empty span at the end of `s`. */
export function spanEnd(s: Span): Span {
  return { file: s.file, start: s.end, end: s.end, line: s.endLine, col: s.endCol, endLine: s.endLine, endCol: s.endCol };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
  if (a.span.start !== b.span.start) return a.span.start - b.span.start;
  if (a.span.end !== b.span.end) return a.span.end - b.span.end;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** The first `n` characters of a span (e.g. the `let` keyword at the start of a `let` statement). */
export function spanPrefix(s: Span, n: number): Span {
  return { file: s.file, start: s.start, end: s.start + n, line: s.line, col: s.col, endLine: s.line, endCol: s.col + n };
}
