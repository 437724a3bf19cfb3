/**
 * Questions an editor asks of a checked rule, answered from the syntax tree
 * and the semantic model alone (no re-check): the node at the cursor, the
 * symbol a name there refers to, and every reference of a symbol. Offsets are
 * UTF-16 code units from the start of the file's text, as spans hold them
 * and as the Language Server Protocol counts by default.
 */
import type { Ident, Node, SourceFile } from "./syntax/ast.js";
import type { RuleUnit } from "./program.js";
import type { Symbol } from "./semantic/scope.js";

/** A checked rule: its file, its test files and what the checker learned. */
export type CheckedUnit = Pick<RuleUnit, "rule" | "tests" | "check">;

export interface NodeAt {
  /** The innermost node at the offset. */
  node: Node;
  /** The nodes that contain it, outermost (the SourceFile) first, ending with `node`. */
  path: Node[];
  /** What `node` refers to, when it is a name the checker resolved (or declares). */
  symbol: Symbol | undefined;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string" && typeof (v as { span?: unknown }).span === "object";
}

/** The child nodes of `n`, in source order. Read from the tree's shape, so a new node kind needs no change here. */
function children(n: Node): Node[] {
  const out: Node[] = [];
  for (const [key, v] of Object.entries(n)) {
    if (key === "span" || key === "opSpan") continue;
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/**
 * The chain of nodes of `file` that contain `offset`, outermost first. A node
 * contains the offsets from its start up to its end; the offset just past a
 * node's end counts too when no sibling starts there, so the cursor right
 * after a name is on that name.
 */
export function nodePathAt(file: SourceFile, offset: number): Node[] {
  const path: Node[] = [file];
  for (let n: Node = file; ; ) {
    const kids = children(n);
    const next = kids.find((k) => k.span.start <= offset && offset < k.span.end) ?? kids.find((k) => k.span.end === offset && k.span.end > k.span.start);
    if (!next) return path;
    path.push(next);
    n = next;
  }
}

/** The file of the unit named `fileName`: the rule or one of its test files. */
function fileOf(unit: CheckedUnit, fileName: string): SourceFile | undefined {
  return unit.rule.fileName === fileName ? unit.rule : unit.tests.find((t) => t.fileName === fileName);
}

/** The innermost node at `offset` of `fileName` (the rule's file or a test file of it), and the symbol it names. */
export function nodeAt(unit: CheckedUnit, fileName: string, offset: number): NodeAt | undefined {
  const file = fileOf(unit, fileName);
  if (!file) return undefined;
  const path = nodePathAt(file, offset);
  const node = path[path.length - 1]!;
  const symbol = node.kind === "Ident" ? unit.check.model.symbols.get(node) : undefined;
  return { node, path, symbol };
}

/**
 * Every name in the unit's files that refers to `symbol`, the name that
 * declares it included, in file and source order: the rule's file, then its
 * test files. A stdlib symbol has no declaring name in the unit.
 */
export function referencesOf(unit: CheckedUnit, symbol: Symbol): Ident[] {
  const order = new Map([unit.rule, ...unit.tests].map((f, i) => [f.fileName, i] as const));
  const out: Ident[] = [];
  for (const [ident, s] of unit.check.model.symbols) if (s === symbol) out.push(ident);
  return out.sort((a, b) => (order.get(a.span.file) ?? 1e9) - (order.get(b.span.file) ?? 1e9) || a.span.start - b.span.start);
}
