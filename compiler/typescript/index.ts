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
import { forgetProgram, parserOverflowAt, ruleProgram, type RuleProgram } from "./load.js";
import { bracketsTooDeepAt, checkNesting } from "./nesting.js";
import { syntaxMessages } from "../diagnostics/catalog/syntax.js";
import { LineMap } from "../syntax/lines.js";
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
  const file: SourceFile = { kind: "SourceFile", span: spanIn(fileName, text, 0, text.length), fileName, text, decls: [], comments: [] };
  // Nested past what the core takes and near what TypeScript's parser can: refused here, where every host agrees.
  const tooDeep = bracketsTooDeepAt(text);
  if (tooDeep !== undefined) return { file, diagnostics: [makeDiagnostic(syntaxMessages.tooDeep, spanIn(fileName, text, tooDeep, tooDeep + 1), [])] };
  let rule: RuleProgram;
  try {
    rule = ruleProgram(fileName, text);
  } catch (err) {
    // TypeScript's parser recurses: a text nested deeper than its stack is refused as a .thwonk one would be.
    if (!(err instanceof RangeError)) throw err;
    const end = parserOverflowAt(text);
    return { file, diagnostics: [makeDiagnostic(syntaxMessages.tooDeep, spanIn(fileName, text, Math.max(0, end - 1), end), [])] };
  }
  const { ts, program, sf } = rule;
  const cx = newLowering(ts, sf, program, fileName, text);
  // Too deep for the stack of what comes next (TypeScript's binder and checker, the core, QuickJS): its syntax errors and the depth alone.
  if (checkNesting(cx, sf)) {
    const syntax = program.getSyntacticDiagnostics(sf).map((d) => fromTypeScript(cx, d));
    return { file, diagnostics: [...cx.diagnostics, ...syntax] };
  }
  let decls: SourceFile["decls"] = [];
  let theirs: TsMorph.ts.Diagnostic[] = [];
  const internal = (err: unknown): void => {
    forgetProgram();
    cx.diagnostics.push(makeDiagnostic(M.internalError, spanAt(cx, 0, 0), [err instanceof Error ? err.message : String(err)]));
  };
  try {
    checkHazards(cx, sf);
    decls = lowerTopLevel(cx, sf);
  } catch (err) {
    internal(err);
  }
  try {
    theirs = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  } catch (err) {
    internal(err);
  }
  const ours = cx.diagnostics;
  const diagnostics = [...ours];
  for (const d of theirs) {
    const converted = fromTypeScript(cx, d);
    // One error per place: where the subset already refused (a name it explains), TypeScript's word is not repeated.
    if (UNKNOWN_NAME.has(d.code) && explainsUnknownName(text.slice(converted.span.start, converted.span.end))) continue;
    if (ours.some((o) => o.span.start <= converted.span.start && converted.span.end <= o.span.end)) continue;
    diagnostics.push(converted);
  }
  const line = newImportLine(cx);
  const thwonkImport = {
    names: [...cx.imported],
    types: [...cx.imported].filter((n) => !cx.importedValues.has(n)),
    after: cx.importEnd === undefined ? undefined : spanAt(cx, cx.importEnd, cx.importEnd),
    line: spanAt(cx, line, line),
  };
  return { file: { ...file, decls, thwonkImport }, diagnostics };
}

/**
 * Where a new import line goes (SourceFile.thwonkImport `line`): the start of the line after the last import
 * declaration, or, in a file without one, where TypeScript's auto-import puts it (its textChanges
 * getInsertionPositionAtSourceFileTop): past a `"use strict"`; else past a shebang and the first comments when they
 * are the file's header: a `/*!` or `///` comment, or comments that a blank line parts from the first statement
 * (a comment on the first statement stays on it, and a blank line between two comments ends the header).
 */
function newImportLine(cx: Lowering): number {
  const { ts, sf } = cx;
  const text = sf.text;
  /** The start of the next line from `at` (the end of the text when there is none). */
  const nextLine = (at: number): number => {
    const nl = /\r\n|\n|\r/g;
    nl.lastIndex = at;
    const m = nl.exec(text);
    return m ? m.index + m[0].length : text.length;
  };
  const imports = sf.statements.filter((s) => ts.isImportDeclaration(s));
  if (imports.length) return nextLine(imports[imports.length - 1]!.getEnd());
  let prologue: TsMorph.ts.Statement | undefined;
  for (const s of sf.statements) {
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) prologue = s;
    else break;
  }
  if (prologue) return nextLine(prologue.getEnd());
  const shebang = ts.getShebang(text);
  // The comments are read from the shebang's end (or the text's start, a byte order mark skipped as white space): from
  // the start of the next line, TypeScript's scanner takes the first for no leading comment (one is leading only after
  // a line break, or at the text's start).
  const shebangEnd = shebang === undefined ? 0 : text.indexOf(shebang) + shebang.length;
  const start = shebang === undefined ? (text.startsWith("\ufeff") ? 1 : 0) : nextLine(shebangEnd);
  const lineOf = (at: number): number => sf.getLineAndCharacterOfPosition(at).line;
  const first = sf.statements[0];
  const firstLine = first ? lineOf(first.getStart(sf)) : undefined;
  let last: { end: number; pinned: boolean } | undefined;
  for (const c of ts.getLeadingCommentRanges(text, shebangEnd) ?? []) {
    const pinned = c.kind === ts.SyntaxKind.MultiLineCommentTrivia ? text[c.pos + 2] === "!" : /^\/\/\/\s*<(reference|amd-|file|no-default-lib)/.test(text.slice(c.pos, c.end));
    if (pinned) {
      last = { end: c.end, pinned: true };
      continue;
    }
    if (last && (last.pinned || lineOf(c.pos) >= lineOf(last.end) + 2)) break;
    if (firstLine !== undefined && firstLine < lineOf(c.end) + 2) break;
    last = { end: c.end, pinned: false };
  }
  return last ? nextLine(last.end) : start;
}

/**
 * TypeScript's errors that the core explains at the same place with a fix a
 * `.ts` rule can take (compiler/semantic/hints.ts): a call checked against
 * `undefined` and used again, which TypeScript does not narrow (TS2532,
 * TS18048; the core's TW2023 binds it with `const` first), and a string where
 * an Address or a literal type is wanted (TS2345, TS2322; TW2021, TW2020:
 * `email("…")`), and a `const` assigned to
 * (TS2588; TW2050 declares it with `let`). Not TypeScript's unknown
 * names and members (TS2339, TS2551, ...): the core's "did you mean" offers
 * the stdlib's names (`length`, `sort`), TypeScript's its own, and the
 * editor's TypeScript offers that fix.
 */
const EXPLAINED_BY_CORE: Readonly<Record<string, readonly string[]>> = {
  TS2532: ["TW2023"],
  TS18048: ["TW2023"],
  TS2345: ["TW2021"],
  TS2322: ["TW2020", "TW2021"],
  TS2588: ["TW2050"],
};

/** The core's words that stand in for TypeScript's even without a fix: why a check did not carry over to a second call (TW2023). */
const EXPLAINED_WITHOUT_FIX = new Set(["TW2023"]);

/**
 * For a `.ts` rule TypeScript or the subset refused, whose core diagnostics
 * (`core`, on its lowered tree) are left out because they would repeat
 * TypeScript's (`front`): each TypeScript error the core explains at exactly
 * its span with a fix (or, for TW2023, with why), paired with the core's
 * diagnostic, which stands in its place (one error per place), so the rule
 * gets the fix and the advice a `.thwonk` rule gets. Used by checkSources
 * and the Workspace alike.
 */
export function coreExplanations(front: readonly Diagnostic[], core: readonly Diagnostic[]): Map<Diagnostic, Diagnostic> {
  const out = new Map<Diagnostic, Diagnostic>();
  const fixed = core.filter((c) => c.fix !== undefined || EXPLAINED_WITHOUT_FIX.has(c.code));
  if (fixed.length === 0) return out;
  for (const d of front) {
    const codes = EXPLAINED_BY_CORE[d.code];
    const c = codes && fixed.find((x) => codes.includes(x.code) && x.span.start === d.span.start && x.span.end === d.span.end);
    if (c) out.set(d, c);
  }
  return out;
}

/** A span of `text` without a lowering (when TypeScript could not parse it). */
function spanIn(fileName: string, text: string, start: number, end: number): Span {
  const lines = new LineMap(text);
  const li = lines.index(start);
  const le = lines.index(end);
  return { file: fileName, start, end, line: li + 1, col: lines.colAt(start, li), endLine: le + 1, endCol: lines.colAt(end, le) };
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
