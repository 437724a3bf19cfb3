/**
 * `--format json`: an array of diagnostics, one object each, positions
 * 1-based in UTF-16 code units with exclusive ends (as in the Span):
 *
 *     { "file": "rules/once.thwonk", "line": 3, "column": 5, "endLine": 3,
 *       "endColumn": 9, "code": "TW1003", "severity": "error", "message": "...",
 *       "related": [{ "file", "line", "column", "endLine", "endColumn", "message" }],
 *       "fix": { "description": "...", "edits": [{ "file", ..., "newText" }] } }
 *
 * `related` and `fix` are present only when the diagnostic has them.
 */
import type { Diagnostic, Span } from "../../compiler/index.js";

export interface JsonRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonDiagnostic extends JsonRange {
  code: string;
  severity: Diagnostic["severity"];
  message: string;
  related?: (JsonRange & { message: string })[];
  fix?: { description: string; edits: (JsonRange & { newText: string })[] };
}

function range(s: Span): JsonRange {
  return { file: s.file, line: s.line, column: s.col, endLine: s.endLine, endColumn: s.endCol };
}

export function toJson(d: Diagnostic): JsonDiagnostic {
  const j: JsonDiagnostic = { ...range(d.span), code: d.code, severity: d.severity, message: d.message };
  if (d.related.length > 0) j.related = d.related.map((r) => ({ ...range(r.span), message: r.message }));
  if (d.fix) {
    j.fix = {
      description: d.fix.description,
      edits: d.fix.edits.map((e) => ({ ...range(e.span), newText: e.newText })),
    };
  }
  return j;
}

export function renderJson(diags: readonly Diagnostic[]): string {
  return JSON.stringify(diags.map(toJson), null, 2) + "\n";
}
