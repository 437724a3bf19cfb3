/**
 * Semantic tokens: what each name means, from the checker's model, where
 * the TextMate grammar can only guess from the text (a soft keyword used
 * as a name, a parameter, a state field, a stdlib function or method).
 */
import type { CheckedUnit, Node, SourceFile, Span, SymbolKind } from "../compiler/index.js";

export const TOKEN_TYPES = ["namespace", "type", "parameter", "variable", "property", "function", "method", "event"] as const;
export const TOKEN_MODIFIERS = ["declaration", "readonly", "defaultLibrary"] as const;

type TokenType = (typeof TOKEN_TYPES)[number];
const DECLARATION = 1;
const READONLY = 2;
const DEFAULT_LIBRARY = 4;

const BY_SYMBOL: Record<SymbolKind, [TokenType, number]> = {
  let: ["variable", READONLY],
  var: ["variable", 0],
  param: ["parameter", 0],
  for: ["variable", READONLY],
  fn: ["function", 0],
  type: ["type", 0],
  state: ["property", 0],
  field: ["property", 0],
  global: ["variable", DEFAULT_LIBRARY | READONLY],
  function: ["function", DEFAULT_LIBRARY],
  trigger: ["event", 0],
  const: ["variable", READONLY],
  limits: ["variable", DEFAULT_LIBRARY | READONLY],
};

interface Tok {
  line: number;
  col: number;
  length: number;
  type: number;
  mods: number;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string" && typeof (v as { span?: unknown }).span === "object";
}

/** Every node under `n`, parents first. */
function walk(n: unknown, visit: (n: Node, parent: Node | undefined) => void, parent?: Node): void {
  if (Array.isArray(n)) {
    for (const x of n) walk(x, visit, parent);
    return;
  }
  if (!isNode(n)) return;
  visit(n, parent);
  for (const [k, v] of Object.entries(n)) if (k !== "span" && typeof v === "object" && v !== null) walk(v, visit, n);
}

/**
 * The tokens of `file` in the LSP's relative encoding (5 integers each:
 * line delta, start delta, length, type, modifiers), sorted by position.
 */
export function semanticTokens(unit: CheckedUnit, file: SourceFile): number[] {
  const model = unit.check.model;
  const toks = new Map<number, Tok>();
  const add = (s: Span, type: TokenType, mods: number): void => {
    // A name the parser recovered as missing is empty: no token of no length.
    if (s.line !== s.endLine || s.file !== file.fileName || s.end <= s.start || toks.has(s.start)) return;
    toks.set(s.start, { line: s.line - 1, col: s.col - 1, length: s.end - s.start, type: TOKEN_TYPES.indexOf(type), mods });
  };
  const calleeMembers = new Set<Node>();
  walk(file.decls, (n, parent) => {
    if (n.kind === "CallExpr" && n.callee.kind === "MemberExpr") calleeMembers.add(n.callee);
    if (n.kind === "Ident") {
      const sym = model.symbols.get(n);
      if (sym) {
        const [type, mods] = BY_SYMBOL[sym.kind];
        const decl = sym.span !== undefined && sym.span.file === n.span.file && sym.span.start === n.span.start ? DECLARATION : 0;
        add(n.span, type, mods | decl);
      } else if (parent?.kind === "MemberExpr" && parent.name === n) {
        add(n.span, calleeMembers.has(parent) ? "method" : "property", 0);
      } else if (parent?.kind === "RuleDecl") {
        add(n.span, "namespace", DECLARATION);
      }
    }
  });
  const sorted = [...toks.values()].sort((a, b) => a.line - b.line || a.col - b.col);
  const out: number[] = [];
  let line = 0;
  let col = 0;
  for (const t of sorted) {
    out.push(t.line - line, t.line === line ? t.col - col : t.col, t.length, t.type, t.mods);
    line = t.line;
    col = t.col;
  }
  return out;
}
