/**
 * `thwonkc check --format json`'s diagnostics and their fixes, as an editor takes them: the shapes, and the
 * text with a fix's edits applied. Shared by the tests that apply fixes (test/typescript/*fixes*, fix-layout).
 */

export interface JsonEdit {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  line: number;
  column: number;
  message: string;
  fix?: { description: string; edits: JsonEdit[] };
}

/** The text with the edits applied (1-based lines and columns, as `--format json` gives them; a line ends at `\n`, CRLF's too). */
export function applyEdits(text: string, edits: readonly JsonEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const at = (line: number, col: number): number => starts[line - 1]! + col - 1;
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b.line, b.column) - at(a.line, a.column))) {
    out = out.slice(0, at(e.line, e.column)) + e.newText + out.slice(at(e.endLine, e.endColumn));
  }
  return out;
}
