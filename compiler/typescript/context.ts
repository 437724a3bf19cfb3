/**
 * What the lowering's parts share: TypeScript, the rule's file and checker,
 * spans in the `.ts` text, and the diagnostics found so far.
 */
import type * as TsMorph from "ts-morph";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, type MessageDef } from "../diagnostics/catalog/index.js";
import { LineMap } from "../syntax/lines.js";
import type { Ts } from "./load.js";

type TsNode = TsMorph.ts.Node;

export interface Lowering {
  ts: Ts;
  sf: TsMorph.ts.SourceFile;
  readonly checker: TsMorph.ts.TypeChecker;
  fileName: string;
  lines: LineMap;
  diagnostics: Diagnostic[];
  /** Names imported from "thwonk" (values and types). */
  imported: Set<string>;
  /** Where the last name imported from "thwonk" ends (SourceFile.thwonkImport). */
  importEnd: number | undefined;
  /** Of `imported`, those imported as values (not by `import type { … }` nor `type x`). */
  importedValues: Set<string>;
}

/** `checker` is made on first use: making it binds the rule, which must wait until its nesting is known to be within bounds (nesting.ts). */
export function newLowering(ts: Ts, sf: TsMorph.ts.SourceFile, program: TsMorph.ts.Program, fileName: string, text: string): Lowering {
  let checker: TsMorph.ts.TypeChecker | undefined;
  return {
    ts,
    sf,
    get checker() {
      checker ??= program.getTypeChecker();
      return checker;
    },
    fileName,
    lines: new LineMap(text),
    diagnostics: [],
    imported: new Set(),
    importEnd: undefined,
    importedValues: new Set(),
  };
}

export function spanAt(cx: Lowering, start: number, end: number): Span {
  const li = cx.lines.index(start);
  const le = cx.lines.index(end);
  return { file: cx.fileName, start, end, line: li + 1, col: cx.lines.colAt(start, li), endLine: le + 1, endCol: cx.lines.colAt(end, le) };
}

/** The span of a node, without its leading trivia. */
export function spanOf(cx: Lowering, node: TsNode): Span {
  return spanAt(cx, node.getStart(cx.sf), node.getEnd());
}

export function report<A extends unknown[]>(cx: Lowering, m: MessageDef<A>, node: TsNode | Span, args: A): void {
  const span = "kind" in node && typeof node.kind === "number" ? spanOf(cx, node as TsNode) : (node as Span);
  cx.diagnostics.push(makeDiagnostic(m, span, args));
}

/** The source text of a node, shortened for a message. */
export function textOf(cx: Lowering, node: TsNode, max = 40): string {
  const t = node.getText(cx.sf).replace(/\s+/g, " ");
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}
