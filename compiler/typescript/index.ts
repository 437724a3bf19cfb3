/**
 * The TypeScript front end: a `.ts` rule parsed and type-checked by
 * TypeScript (the copy ts-morph bundles; load.ts), its errors kept under their own
 * codes (`TS2322`), what lies outside the subset refused (TW7xxx), and the
 * rest lowered into the core's own syntax tree with positions in the `.ts`
 * file, so the one checker, verifier and emitter serve both languages.
 * program.ts calls it for a file whose name ends in `.ts`.
 */
import type * as TsMorph from "ts-morph";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic } from "../diagnostics/catalog/index.js";
import { typescriptMessages as M } from "../diagnostics/catalog/typescript.js";
import type { SourceFile } from "../syntax/ast.js";
import { newLowering, spanAt, type Lowering } from "./context.js";
import { lowerTopLevel } from "./declarations.js";
import { ruleProgram } from "./load.js";
import { explainsUnknownName } from "./names.js";
import { checkHazards } from "./hazards.js";

export const TS_RULE_EXT = ".ts";

export function isTypeScriptRule(fileName: string): boolean {
  return fileName.endsWith(TS_RULE_EXT) && !fileName.endsWith(".d.ts");
}

export interface TypeScriptResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

/** TypeScript's codes for a name it does not know; TW7007 says more about the names a rule may reach for. */
const UNKNOWN_NAME = new Set([2304, 2552, 2580, 2591, 2592, 2662, 2663, 2686, 2868]);

export function parseTypeScriptRule(fileName: string, text: string): TypeScriptResult {
  try {
    return readRule(fileName, text);
  } catch (err) {
    // TypeScript's own parser and checker recurse: a rule nested a thousand deep overflows the stack
    // inside createSourceFile, before any lowering. One diagnostic, never an exception (a host died of it).
    const span: Span = { file: fileName, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
    const detail = err instanceof RangeError ? `TypeScript ran out of stack reading it (${err.message}; is something nested hundreds deep?)` : err instanceof Error ? err.message : String(err);
    return { file: { kind: "SourceFile", span, fileName, decls: [], comments: [] }, diagnostics: [makeDiagnostic(M.internalError, span, [detail])] };
  }
}

function readRule(fileName: string, text: string): TypeScriptResult {
  const { ts, program, sf } = ruleProgram(fileName, text);
  const cx = newLowering(ts, sf, program.getTypeChecker(), fileName, text);
  let decls: SourceFile["decls"] = [];
  try {
    checkHazards(cx, sf);
    decls = lowerTopLevel(cx, sf);
  } catch (err) {
    cx.diagnostics.push(makeDiagnostic(M.internalError, spanAt(cx, 0, 0), [err instanceof Error ? err.message : String(err)]));
  }
  const theirs = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  const ours = cx.diagnostics;
  const diagnostics = [...ours];
  for (const d of theirs) {
    const converted = fromTypeScript(cx, d);
    // One error per place: where the subset already refused (a name it explains), TypeScript's word is not repeated.
    if (UNKNOWN_NAME.has(d.code) && explainsUnknownName(text.slice(converted.span.start, converted.span.end))) continue;
    if (ours.some((o) => o.span.start <= converted.span.start && converted.span.end <= o.span.end)) continue;
    diagnostics.push(converted);
  }
  const file: SourceFile = { kind: "SourceFile", span: spanAt(cx, 0, text.length), fileName, decls, comments: [] };
  return { file, diagnostics };
}

function fromTypeScript(cx: Lowering, d: TsMorph.ts.Diagnostic): Diagnostic {
  const ts = cx.ts;
  const start = d.start ?? 0;
  const span: Span = spanAt(cx, start, start + (d.length ?? 0));
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").replace(/import\("\/thwonk\/thwonk"\)\./g, "");
  const diag = makeDiagnostic(M.typescriptError, span, [message]);
  diag.code = `TS${d.code}`;
  if (d.category !== ts.DiagnosticCategory.Error) diag.severity = d.category === ts.DiagnosticCategory.Warning ? "warning" : "info";
  return diag;
}
