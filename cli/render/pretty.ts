/**
 * Diagnostics as a person reads them in a terminal:
 *
 *     rules/once.thwonk:3:5: error TW1003: Expected `}` to close the block.
 *       1 | rule once
 *       2 | on message(m: Message) {
 *     > 3 |     send(to: m.from
 *         |     ^^^^
 *     rules/once.thwonk:2:24: note: The block starts here.
 *     help: Add `}`.
 *
 *     1 error, 0 warnings in 1 file
 *
 * `file:line:col` first, so terminals and editors make it a link. Colour only
 * when asked (see wantColor); plain text otherwise, byte for byte the same
 * apart from the escape codes.
 */
import { codeFrameColumns } from "@babel/code-frame";
import { createColors } from "picocolors";
import type { Diagnostic, Severity, Span } from "../../compiler/index.js";

export interface PrettyOptions {
  color: boolean;
}

type Colors = ReturnType<typeof createColors>;

/** Lines of each file, split once, the way the lexer counts them. */
export class SourceLines {
  private cache = new Map<string, string[]>();
  constructor(private texts: ReadonlyMap<string, string>) {}
  get(file: string): string[] | undefined {
    let lines = this.cache.get(file);
    if (lines === undefined) {
      const text = this.texts.get(file);
      if (text === undefined) return undefined;
      lines = text.split(/\r\n|\r|\n/);
      this.cache.set(file, lines);
    }
    return lines;
  }
}

/** Longer spans are underlined on their first line only (and the frame printer misjudges the middle lines of longer ones). */
const MAX_FRAME_SPAN_LINES = 3;

/**
 * The source around `span` with the span underlined with `^`. Only the
 * lines shown are handed to the frame printer, so a file with many
 * diagnostics is not re-split or re-highlighted for each one.
 */
export function codeFrame(lines: readonly string[], span: Span, around: number, color: boolean): string {
  if (lines.length === 0) return "";
  const lineText = (n: number): string => lines[n - 1] ?? "";
  const startLine = Math.min(Math.max(span.line, 1), lines.length);
  const startCol = startLine === span.line ? Math.max(span.col, 1) : lineText(startLine).length + 1;
  let endLine = Math.min(Math.max(span.endLine, startLine), lines.length);
  let endCol = endLine === span.endLine ? span.endCol : lineText(endLine).length + 1;
  if (endLine > startLine && endCol <= 1) {
    // A span that ends at the start of a line ends, as far as the eye goes, on the line before.
    endLine -= 1;
    endCol = lineText(endLine).length + 1;
  }
  if (endLine - startLine + 1 > MAX_FRAME_SPAN_LINES) {
    endLine = startLine;
    endCol = lineText(startLine).length + 1;
  }
  if (endLine === startLine && endCol < startCol) endCol = startCol;
  const first = Math.max(1, startLine - around);
  let last = Math.min(lines.length, endLine + (around === 0 ? 0 : 1));
  while (last > endLine && lineText(last).trim() === "") last--;
  const shown = lines.slice(first - 1, last).join("\n");
  // The frame printer underlines `column` characters on the last line of a
  // multi-line span (inclusive), but `end - start` on a single line (exclusive).
  const end = endLine === startLine ? { line: endLine, column: endCol } : { line: endLine, column: endCol - 1 };
  // `startLine` (the number of the first line handed in) is missing from the type declarations.
  const options = { startLine: first, linesAbove: around, linesBelow: around === 0 ? 0 : 1, highlightCode: color, forceColor: color };
  return codeFrameColumns(shown, { start: { line: startLine, column: startCol }, end }, options);
}

function severityLabel(c: Colors, s: Severity): string {
  switch (s) {
    case "error":
      return c.bold(c.red("error"));
    case "warning":
      return c.bold(c.yellow("warning"));
    case "info":
      return c.bold(c.cyan("info"));
  }
}

function where(span: Span): string {
  return `${span.file}:${span.line}:${span.col}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export interface Counts {
  errors: number;
  warnings: number;
  infos: number;
}

export function countDiagnostics(diags: readonly Diagnostic[]): Counts {
  const counts: Counts = { errors: 0, warnings: 0, infos: 0 };
  for (const d of diags) {
    if (d.severity === "error") counts.errors++;
    else if (d.severity === "warning") counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

/** "2 errors, 1 warning in 3 files", or "no problems in 3 files". */
export function summaryLine(diags: readonly Diagnostic[], fileCount: number, color: boolean): string {
  const c = createColors(color);
  const { errors, warnings, infos } = countDiagnostics(diags);
  const files = plural(fileCount, "file");
  if (errors + warnings + infos === 0) return `${c.green("no problems")} in ${files}`;
  const parts = [plural(errors, "error"), plural(warnings, "warning")];
  if (infos > 0) parts.push(plural(infos, "info"));
  const text = parts.join(", ");
  return `${errors > 0 ? c.bold(c.red(text)) : warnings > 0 ? c.bold(c.yellow(text)) : text} in ${files}`;
}

/** One diagnostic: its header line, the code frame, its notes and its help. */
export function renderDiagnostic(d: Diagnostic, lines: SourceLines, c: Colors, color: boolean): string {
  const out: string[] = [];
  out.push(`${c.bold(where(d.span))}: ${severityLabel(c, d.severity)} ${c.dim(d.code)}: ${c.bold(d.message)}`);
  const src = lines.get(d.span.file);
  if (src) out.push(codeFrame(src, d.span, 2, color));
  for (const r of d.related) {
    out.push(`${c.bold(where(r.span))}: ${c.bold(c.cyan("note"))}: ${r.message}`);
    const rsrc = lines.get(r.span.file);
    if (rsrc) out.push(codeFrame(rsrc, r.span, 0, color));
  }
  if (d.fix) out.push(`${c.bold(c.green("help"))}: ${d.fix.description}`);
  return out.join("\n");
}

/**
 * All diagnostics, a blank line between each, then the summary line.
 * `texts` maps file names to their text (for the code frames).
 */
export function renderPretty(
  diags: readonly Diagnostic[],
  texts: ReadonlyMap<string, string>,
  fileCount: number,
  opts: PrettyOptions,
): string {
  const c = createColors(opts.color);
  const lines = new SourceLines(texts);
  const blocks = diags.map((d) => renderDiagnostic(d, lines, c, opts.color) + "\n\n");
  return blocks.join("") + summaryLine(diags, fileCount, opts.color) + "\n";
}
