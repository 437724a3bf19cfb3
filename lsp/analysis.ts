/**
 * The language features, as questions to a checked rule: hover, completion,
 * definition, references, rename, symbols. Everything comes from the core
 * (the typed tree, the semantic model, the stdlib declaration); this file
 * only finds the right piece and writes it the way an editor shows it.
 * Offsets are UTF-16 code units, as spans and the LSP count them.
 */
import {
  isSyntaxNode,
  nodeAt,
  nodePathAt,
  referencesOf,
  typeToString,
  type CheckedUnit,
  type Ident,
  type Node,
  type SemanticModel,
  type SourceFile,
  type Span,
  type SyntaxNode,
  type SyntaxToken,
  type Symbol,
  type Type,
} from "../compiler/index.js";
// The one declaration of the stdlib (docs, signatures, gas costs): the bottom layer, which every layer reads.
import { showCost } from "../stdlib/cost-eval.js";
import type { FunctionDecl } from "../stdlib/decl.js";
import { stdlib } from "../stdlib/index.js";

/**
 * How much of a line before the cursor the dotted-chain patterns read. They
 * are tried at every start in what they are given, each try running along the
 * chain: quadratic in a long line (a line of 8,000 `m.subject.` took 15 s to
 * complete). No chain a person writes is this long.
 */
const CHAIN_WINDOW = 512;

/** The last CHAIN_WINDOW characters of `text` before `end`, from `start` on, and where they begin. */
function chainText(text: string, start: number, end: number): { from: number; text: string } {
  const from = Math.max(start, end - CHAIN_WINDOW);
  return { from, text: text.slice(from, end) };
}

/**
 * Where the line holding `offset` starts. Lines break at `\n`, `\r\n` and `\r`
 * alone, as the lexer and the editor count them: read as `\n` only, a file
 * with `\r` line ends was one line, and a comment on its first line hid
 * completion everywhere after it.
 */
function lineStartOf(text: string, offset: number): number {
  return Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1;
}

function isLineBreak(ch: string | undefined): boolean {
  return ch === "\n" || ch === "\r";
}

/**
 * `table[name]` if the table declares that name itself. The stdlib's tables
 * are plain objects: read by a name the user wrote (`toString`,
 * `constructor`, `__proto__`), a bare index or `in` found Object.prototype's
 * members, so signature help and completion failed on `toString(` and a
 * rename to `constructor` was refused as a stdlib name (the checker asks
 * Object.hasOwn, as here).
 */
function own<T>(table: Record<string, T> | undefined, name: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * Whether `offset` is inside a comment, as the lexer read the text (the
 * lossless tree's trivia): there is nothing to complete or sign there. The
 * line-based look completion had saw only `//`, so `/* state.` offered the
 * state fields, and so did `m.` on any line of a block comment.
 */
export function inComment(root: SyntaxNode, offset: number): boolean {
  const t = tokenEndingFrom(root, offset);
  // A comment's leading trivia lie before the first token that ends at or after the offset.
  for (const tr of t?.leading ?? []) {
    if (tr.start >= offset) break;
    if (tr.kind === "Whitespace") continue;
    // At the end of a line comment (or of one never closed) the cursor is still in it; past a block's `*/` it is not.
    if (tr.kind === "BlockComment" ? offset < tr.end : offset <= tr.end) return true;
  }
  return false;
}

/** The first token of `n` whose end is at or after `offset` (EOF at the latest). */
function tokenEndingFrom(n: SyntaxNode, offset: number): SyntaxToken | undefined {
  for (const c of n.children) {
    if (c.end < offset) continue;
    if (!isSyntaxNode(c)) return c;
    const t = tokenEndingFrom(c, offset);
    if (t) return t;
  }
  return undefined;
}

export interface HoverInfo {
  markdown: string;
  span: Span;
}

function code(s: string): string {
  return "```thwonk\n" + s + "\n```";
}

/** `send(to: Recipients, subject: string, text: string, html?: string, ...): void` */
export function signatureText(name: string, d: FunctionDecl): string {
  const ps = d.params.map((p) => `${p.name}${p.optional ? "?" : ""}: ${p.type}`).join(", ");
  return `${name}(${ps})${d.returns === "void" ? "" : `: ${d.returns}`}`;
}

function declDoc(name: string, d: FunctionDecl, owner?: string): string {
  const parts = [code(`${owner ? `(method) ${owner}.` : "(function) "}${signatureText(name, d)}`), d.doc];
  const params = d.params.filter((p) => p.doc).map((p) => `- \`${p.name}\`: ${p.doc}`);
  if (params.length) parts.push(params.join("\n"));
  parts.push(`Gas: ${showCost(d.cost)}${d.fanout !== undefined ? ` · sends: ${showCost(d.fanout)}` : ""}${d.capability ? ` · needs \`${d.capability}\`` : ""}`);
  return parts.join("\n\n");
}

function symbolLine(s: Symbol): string {
  const kind = s.kind === "global" ? "global" : s.kind === "function" ? "function" : s.kind;
  return code(`(${kind}) ${s.name}: ${typeToString(s.type)}`);
}

export function hover(unit: CheckedUnit, fileName: string, offset: number, text?: string): HoverInfo | undefined {
  const found = hoverTyped(unit, fileName, offset);
  if (found || text === undefined) return found;
  return hoverByText(unit, fileName, text, offset);
}

/**
 * Hover where the typed tree has nothing (a statement the parser could not
 * read): the name at the cursor, found along its dotted chain from the names
 * in scope, as completion finds them.
 */
function hoverByText(unit: CheckedUnit, fileName: string, text: string, offset: number): HoverInfo | undefined {
  let s = offset;
  let e = offset;
  while (s > 0 && /\w/.test(text[s - 1]!)) s--;
  while (e < text.length && /\w/.test(text[e]!)) e++;
  if (s === e) return undefined;
  const name = text.slice(s, e);
  const lineStart = lineStartOf(text, s);
  const before = /((?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*)$/.exec(chainText(text, lineStart, s).text)![1]!;
  const chain = before.split(".").map((x) => x.trim()).filter((x) => x !== "");
  const file = [unit.rule, ...unit.tests].find((f) => f.fileName === fileName);
  if (!file) return undefined;
  const model = unit.check.model;
  const line = text.slice(0, s).split(/\r\n|\r|\n/).length;
  const span: Span = { file: fileName, start: s, end: e, line, col: s - lineStart + 1, endLine: line, endCol: e - lineStart + 1 };
  if (chain.length === 0) {
    const sym = visibleSymbols(unit, file, offset).find((x) => x.name === name);
    if (sym) return { markdown: symbolLine(sym), span };
    const g = own(stdlib.globals, name);
    if (g) return { markdown: [code(`(global) ${name}: ${g.type}`), g.doc].join("\n\n"), span };
    const f = own(stdlib.functions, name);
    if (f) return { markdown: declDoc(name, f), span };
    return undefined;
  }
  let shape = rootShape(unit, file, offset, chain[0]!);
  for (const n of chain.slice(1)) shape = step(shape, n, model);
  if (shape?.kind === "record") {
    const t = shape.fields.get(name);
    return t ? { markdown: code(`(field) ${name}: ${typeToString(t)}`), span } : undefined;
  }
  const decl = shape ? own(stdlib.types, shape.name) : undefined;
  const field = own(decl?.fields, name);
  if (field && shape) return { markdown: [code(`(field) ${shape.name}.${name}: ${field.type}`), field.doc].join("\n\n"), span };
  const method = own(decl?.methods, name);
  if (method && shape) return { markdown: declDoc(name, method, shape.name), span };
  return undefined;
}

function hoverTyped(unit: CheckedUnit, fileName: string, offset: number): HoverInfo | undefined {
  const at = nodeAt(unit, fileName, offset);
  if (!at) return undefined;
  const model = unit.check.model;
  const { node, path } = at;
  const parent = path[path.length - 2];
  const grand = path[path.length - 3];
  if (node.kind === "Ident") {
    // A name in `limits { }` or `settings { }`.
    if (parent?.kind === "Entry" && parent.name === node) {
      const inLimits = grand?.kind === "LimitsDecl";
      const d = inLimits ? own(stdlib.limits, node.name) : own(stdlib.settings, node.name);
      if (d) {
        const info = inLimits ? model.limits.get(node.name) : model.settings.get(node.name);
        return { markdown: [code(`(${inLimits ? "limit" : "setting"}) ${node.name}${info ? ` = ${info.value}` : ""}`), d.doc].join("\n\n"), span: node.span };
      }
    }
    // The name of a call: the callee itself, or a method's name.
    const callee = parent?.kind === "MemberExpr" && parent.name === node ? parent : node;
    const callNode = path[path.length - (callee === node ? 2 : 3)];
    if (callNode?.kind === "CallExpr" && callNode.callee === callee) {
      const target = model.calls.get(callNode);
      if (target?.kind === "function") return { markdown: declDoc(target.name, target.decl), span: node.span };
      if (target?.kind === "method") return { markdown: declDoc(target.name, target.decl, typeToString(target.receiverType)), span: node.span };
      if (target?.kind === "fn") {
        const fn = target.fn;
        const ps = fn.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ");
        return { markdown: code(`(fn) ${fn.name}(${ps}): ${typeToString(fn.sig.returns)}`), span: node.span };
      }
    }
    if (parent?.kind === "MemberExpr" && parent.name === node) {
      const m = model.members.get(parent);
      const t = model.types.get(parent);
      if (m?.kind === "field") return { markdown: [code(`(field) ${m.owner}.${m.name}: ${m.decl.type}`), m.decl.doc].join("\n\n"), span: node.span };
      if (m?.kind === "state") return { markdown: code(`(state) ${m.field.name}: ${typeToString(m.field.type)}`), span: node.span };
      if (m?.kind === "record") return { markdown: code(`(field) ${m.name}: ${typeToString(m.field.type)}`), span: node.span };
      if (t) return { markdown: code(typeToString(t)), span: node.span };
    }
    if (at.symbol) {
      const s = at.symbol;
      if (s.kind === "fn") {
        const fn = model.fns.get(s.name);
        if (fn) {
          const ps = fn.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ");
          return { markdown: code(`(fn) ${fn.name}(${ps}): ${typeToString(fn.sig.returns)}`), span: node.span };
        }
      }
      if (s.kind === "function") {
        const d = own(stdlib.functions, s.name);
        if (d) return { markdown: declDoc(s.name, d), span: node.span };
      }
      const doc = s.doc ?? (s.kind === "global" ? own(stdlib.globals, s.name)?.doc : undefined);
      return { markdown: [symbolLine(s), doc].filter(Boolean).join("\n\n"), span: node.span };
    }
  }
  // An expression: its type.
  for (let i = path.length - 1; i >= 0; i--) {
    const t = model.types.get(path[i] as never);
    if (t) return { markdown: code(typeToString(t)), span: path[i]!.span };
  }
  return undefined;
}

// ------------------------------------------------------------------ definition, references, rename

/** Where the name at the offset is declared (a state field or record field for a member). */
export function definition(unit: CheckedUnit, fileName: string, offset: number): Span | undefined {
  const at = nodeAt(unit, fileName, offset);
  if (!at) return undefined;
  const parent = at.path[at.path.length - 2];
  if (at.node.kind === "Ident" && parent?.kind === "MemberExpr" && parent.name === at.node) {
    const m = unit.check.model.members.get(parent);
    if (m?.kind === "state") return m.field.decl.name.span;
    if (m?.kind === "record") return m.field.span;
    return undefined;
  }
  return at.symbol?.span;
}

/** The symbol at the offset and every name referring to it (the declaration included). */
export function references(unit: CheckedUnit, fileName: string, offset: number): { symbol: Symbol; idents: Ident[] } | undefined {
  const at = nodeAt(unit, fileName, offset);
  if (!at?.symbol) return undefined;
  return { symbol: at.symbol, idents: referencesOf(unit, at.symbol) };
}

const RESERVED = new Set(["let", "var", "if", "else", "for", "in", "where", "return", "break", "continue", "and", "or", "not", "true", "false", "none", "fn", "test"]);

/** Why the symbol may not be renamed to `newName` before the edit is even tried (the server then re-checks the result). */
export function renameRefusal(symbol: Symbol, newName: string | undefined): string | undefined {
  if (symbol.span === undefined) return `\`${symbol.name}\` belongs to the standard library and cannot be renamed.`;
  if (symbol.kind === "trigger") return `\`${symbol.name}\` is a trigger's event and cannot be renamed.`;
  if (newName === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return `\`${newName}\` is not a name: a name is letters, digits and _, not starting with a digit.`;
  if (RESERVED.has(newName)) return `\`${newName}\` is a reserved word and cannot be a name.`;
  if (Object.hasOwn(stdlib.functions, newName) || Object.hasOwn(stdlib.globals, newName)) return `\`${newName}\` is a name of the standard library: the renamed name would hide it or clash with it.`;
  if (symbol.kind === "type" && Object.hasOwn(stdlib.types, newName)) return `\`${newName}\` is a type of the standard library.`;
  return undefined;
}

// ------------------------------------------------------------------ document symbols

export interface OutlineItem {
  name: string;
  detail: string;
  kind: "rule" | "limits" | "settings" | "state" | "field" | "type" | "fn" | "trigger" | "test" | "entry";
  span: Span;
  nameSpan: Span;
  children: OutlineItem[];
}

/**
 * The document's outline. A declaration the parser recovered without its
 * name (`fn (x: int)`, `type = {`, `limits { : 5 }`, as typed) has an empty
 * name, and an editor refuses a symbol without one (VS Code's "name must not
 * be falsy" failed the whole outline, and every workspace symbol search): a
 * declaration is named by its keyword then, as a rule is, an entry or field
 * without its name is left out.
 */
export function outline(file: SourceFile, text: string): OutlineItem[] {
  const out: OutlineItem[] = [];
  for (const d of file.decls) {
    switch (d.kind) {
      case "RuleDecl":
        out.push({ name: d.name.name || "rule", detail: "rule", kind: "rule", span: d.span, nameSpan: d.name.span, children: [] });
        break;
      case "LimitsDecl":
      case "SettingsDecl":
        out.push({
          name: d.kind === "LimitsDecl" ? "limits" : "settings",
          detail: "",
          kind: d.kind === "LimitsDecl" ? "limits" : "settings",
          span: d.span,
          nameSpan: d.span,
          children: d.entries.filter((e) => e.name.name !== "").map((e) => ({ name: e.name.name, detail: "", kind: "entry" as const, span: e.span, nameSpan: e.name.span, children: [] })),
        });
        break;
      case "StateDecl":
        out.push({
          name: "state",
          detail: "",
          kind: "state",
          span: d.span,
          nameSpan: d.span,
          children: d.fields.filter((f) => f.name.name !== "").map((f) => ({ name: f.name.name, detail: "", kind: "field" as const, span: f.span, nameSpan: f.name.span, children: [] })),
        });
        break;
      case "TypeDecl":
        out.push({ name: d.name.name || "type", detail: "type", kind: "type", span: d.span, nameSpan: d.name.span, children: [] });
        break;
      case "FnDecl":
        out.push({ name: d.name.name || "fn", detail: `fn(${d.params.map((p) => p.name.name).join(", ")})`, kind: "fn", span: d.span, nameSpan: d.name.span, children: [] });
        break;
      case "OnDecl":
        out.push({ name: `on ${d.event.name}`, detail: "trigger", kind: "trigger", span: d.span, nameSpan: d.event.span, children: [] });
        break;
      case "EveryDecl": {
        const s = d.schedule;
        const text = s.unit ? `${s.unit.name}${s.at ? ` at ${s.at.text}` : ""}` : (s.interval?.text ?? "");
        out.push({ name: `every ${text}`, detail: "trigger", kind: "trigger", span: d.span, nameSpan: d.schedule.span, children: [] });
        break;
      }
      case "TestDecl":
        out.push({ name: `test ${text.slice(d.name.span.start, d.name.span.end)}`, detail: "test", kind: "test", span: d.span, nameSpan: d.name.span, children: [] });
        break;
    }
  }
  return out;
}

// ------------------------------------------------------------------ completion

export type CompletionKind = "variable" | "function" | "method" | "field" | "keyword" | "type" | "property" | "module" | "snippet";

export interface Completion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  doc?: string;
  /** A snippet (`send(to: ${1}, ...)`), when the item inserts more than its label. */
  snippet?: string;
}

const DECL_KEYWORDS = ["rule", "limits", "settings", "state", "type", "fn", "on", "every", "test"];
const STMT_KEYWORDS = ["let", "var", "if", "else", "for", "in", "where", "return", "break", "continue", "and", "or", "not", "true", "false", "none"];
const TEST_KEYWORDS = ["expect", "no", "run", "every", "members", "message", "now", "state"];

function callSnippet(name: string, d: FunctionDecl): string {
  const req = d.params.filter((p) => !p.optional);
  if (req.length === 0) return `${name}()`;
  if (req.length === 1 && d.params.length === 1) return `${name}(\${1:${req[0]!.name}})`;
  return `${name}(${req.map((p, i) => `${p.name}: \${${i + 1}}`).join(", ")})`;
}

/** A type, reduced to what completion lists: a record's fields or a stdlib type's name. */
type Shape = { kind: "record"; fields: Map<string, Type> } | { kind: "named"; name: string } | undefined;

function shapeOf(t: Type | undefined, model: SemanticModel): Shape {
  if (!t) return undefined;
  if (t.kind === "optional") return shapeOf(t.inner, model);
  if (t.kind === "record") {
    if (t.name === "state") return { kind: "record", fields: new Map(model.state.map((f) => [f.name, f.type])) };
    return { kind: "record", fields: new Map([...t.fields.values()].map((f) => [f.name, f.type])) };
  }
  if (t.kind === "named") {
    if (t.name === "State") return { kind: "record", fields: new Map(model.state.map((f) => [f.name, f.type])) };
    return { kind: "named", name: t.name };
  }
  return undefined;
}

/** The shape of a stdlib type written as text (`List<Address>`, `string?`): its name is what lists its members. */
function shapeOfText(s: string): Shape {
  const name = s.replace(/\?$/, "").replace(/<.*$/, "").replace(/ max .*$/, "").trim();
  return Object.hasOwn(stdlib.types, name) ? { kind: "named", name } : undefined;
}

function membersOf(shape: Shape): Completion[] {
  if (!shape) return [];
  if (shape.kind === "record") return [...shape.fields].map(([name, t]) => ({ label: name, kind: "field", detail: typeToString(t) }));
  const decl = own(stdlib.types, shape.name);
  if (!decl) return [];
  const out: Completion[] = [];
  for (const [name, f] of Object.entries(decl.fields ?? {})) out.push({ label: name, kind: "field", detail: f.type, doc: f.doc });
  for (const [name, m] of Object.entries(decl.methods ?? {})) {
    // A variant (`joinValues`) is written by its alias (`join`), which is offered already.
    if (m.alias !== undefined) continue;
    out.push({ label: name, kind: "method", detail: signatureText(name, m), doc: `${m.doc}\n\nGas: ${showCost(m.cost)}`, snippet: callSnippet(name, m) });
  }
  return out;
}

/** The member a field of a shape leads to (`m.envelope` → Envelope). */
function step(shape: Shape, name: string, model: SemanticModel): Shape {
  if (!shape) return undefined;
  if (shape.kind === "record") return shapeOf(shape.fields.get(name), model);
  const decl = own(stdlib.types, shape.name);
  const f = own(decl?.fields, name);
  if (f) return shapeOfText(f.type);
  const m = own(decl?.methods, name);
  return m ? shapeOfText(m.returns) : undefined;
}

/** The shape of the first name of a dotted chain: a name in scope, or a stdlib global. */
function rootShape(unit: CheckedUnit, file: SourceFile, offset: number, root: string): Shape {
  const model = unit.check.model;
  const sym = visibleSymbols(unit, file, offset).find((s) => s.name === root);
  if (sym) return shapeOf(sym.type, model);
  if (root === "state") return shapeOf({ kind: "named", name: "State", args: [] }, model);
  const g = own(stdlib.globals, root);
  return g ? shapeOfText(g.type) : undefined;
}

/** The symbols visible at `offset` of `file`: the rule's declarations, and the locals of the blocks around it declared before it. */
function visibleSymbols(unit: CheckedUnit, file: SourceFile, offset: number): Symbol[] {
  const model = unit.check.model;
  const out = new Map<string, Symbol>();
  for (const s of model.declarations) {
    if (!s.span) continue;
    if (s.kind === "fn" || s.kind === "type") {
      out.set(s.name, s);
      continue;
    }
    if (s.kind !== "let" && s.kind !== "var" && s.kind !== "param" && s.kind !== "for") continue;
    if (s.span.file !== file.fileName || s.span.start > offset) continue;
    // Its scope: the innermost block (a `let`), loop (a loop variable) or fn/trigger (a parameter) around its name.
    const path = nodePathAt(file, s.span.start);
    const scopeKind = s.kind === "param" ? ["FnDecl", "OnDecl"] : s.kind === "for" ? ["ForStmt"] : ["Block"];
    let scope: Node | undefined;
    for (let i = path.length - 2; i >= 0; i--) {
      if (scopeKind.includes(path[i]!.kind)) {
        scope = path[i];
        break;
      }
    }
    if (scope && scope.span.start <= offset && offset <= scope.span.end) out.set(s.name, s);
  }
  return [...out.values()];
}

/** The brackets open at `offset` (strings and comments skipped), innermost last: each bracket and where it is. */
function openBrackets(text: string, offset: number): { ch: string; at: number }[] {
  const stack: { ch: string; at: number }[] = [];
  let i = 0;
  while (i < offset) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      while (i < offset && !isLineBreak(text[i])) i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const e = text.indexOf("*/", i + 2);
      i = e < 0 ? offset : e + 2;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < offset && text[i] !== '"' && !isLineBreak(text[i])) i += text[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (c === "{" || c === "(" || c === "[") stack.push({ ch: c, at: i });
    else if ((c === "}" || c === ")" || c === "]") && stack.length) stack.pop();
    i++;
  }
  return stack;
}

/** Inside a string literal on this line (completion offers nothing there). */
function inString(lineBefore: string): boolean {
  let n = 0;
  for (let i = 0; i < lineBefore.length; i++) {
    if (lineBefore[i] === "\\") i++;
    else if (lineBefore[i] === '"') n++;
  }
  // Not inside an interpolation: after the last `{` a `}` or a `"` (a pattern tried at every `{` was quadratic).
  const brace = lineBefore.lastIndexOf("{");
  return n % 2 === 1 && !(brace >= 0 && !/[}"]/.test(lineBefore.slice(brace + 1)));
}

/**
 * What may be written at `offset`. `unit` is the rule as last checked (the
 * text may have changed since: syntax errors, an unfinished line); the
 * context is read from the text itself, so completion works in broken code.
 */
export function complete(unit: CheckedUnit | undefined, file: SourceFile | undefined, text: string, offset: number): Completion[] {
  const lineStart = lineStartOf(text, offset);
  const lineBefore = text.slice(lineStart, offset);
  if (/\/\//.test(lineBefore.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) return [];
  if (inString(lineBefore)) return [];
  const model = unit?.check.model;

  // After a dot: the fields and methods of what is before it.
  const near = chainText(text, lineStart, offset);
  const dot = /((?:[A-Za-z_][A-Za-z0-9_]*\s*(?:\([^()]*\))?\s*\.\s*)+)[A-Za-z_0-9]*$/.exec(near.text);
  if (dot && model) {
    const chain = dot[1]!.split(".").map((s) => s.trim().replace(/\(.*\)$/, "").trim()).filter((s) => s !== "");
    const dotAt = near.from + dot.index + dot[1]!.lastIndexOf(".");
    // The checker's type of the expression before the dot, when it saw it; else the names along the chain.
    let shape: Shape;
    if (file) {
      const path = nodePathAt(file, dotAt);
      for (let i = path.length - 1; i >= 0 && !shape; i--) {
        const n = path[i]!;
        if (n.kind === "MemberExpr" && n.span.end > dotAt && n.object.span.end <= dotAt) shape = shapeOf(model.types.get(n.object), model);
        else if (n.span.end === dotAt) shape = shapeOf(model.types.get(n as never), model);
      }
    }
    if (!shape && unit && file) {
      shape = rootShape(unit, file, offset, chain[0]!);
      for (const name of chain.slice(1)) shape = step(shape, name, model);
    }
    return membersOf(shape);
  }

  // Inside `limits { }`, `settings { }`, or a test's `message = { }`: their keys.
  const open = openBrackets(text, offset);
  const inner = open[open.length - 1];
  if (inner?.ch === "{") {
    const before = text.slice(Math.max(0, inner.at - 40), inner.at);
    const keyPosition = /(^|[{,\n\r])\s*[A-Za-z_0-9]*$/.test(text.slice(inner.at, offset));
    if (keyPosition && /\blimits\s*$/.test(before)) return Object.entries(stdlib.limits).map(([k, d]) => ({ label: k, kind: "property", detail: `limit (default ${d.default})`, doc: d.doc, snippet: `${k}: \${1:${d.default}}` }));
    if (keyPosition && /\bsettings\s*$/.test(before)) return Object.entries(stdlib.settings).map(([k, d]) => ({ label: k, kind: "property", detail: `setting (default ${JSON.stringify(d.default)})`, doc: d.doc, snippet: `${k}: \${1:"${d.default}"}` }));
    if (keyPosition && /\bmessage\s*=\s*$/.test(before)) {
      return Object.entries(stdlib.types["Message"]?.fields ?? {}).map(([k, f]) => ({ label: k, kind: "field", detail: f.type, doc: f.doc, snippet: `${k}: \${1}` }));
    }
  }

  const out: Completion[] = [];
  // At the top level: the declarations.
  if (open.length === 0) {
    for (const k of DECL_KEYWORDS) out.push({ label: k, kind: "keyword" });
    return out;
  }
  const inTest = open.length >= 1 && /\btest\s+"(?:[^"\\]|\\.)*"\s*$/.test(text.slice(Math.max(0, open[0]!.at - 200), open[0]!.at));
  for (const k of inTest ? [...TEST_KEYWORDS, ...STMT_KEYWORDS.slice(-6)] : STMT_KEYWORDS) out.push({ label: k, kind: "keyword" });
  if (unit && file) {
    for (const s of visibleSymbols(unit, file, offset)) {
      // A name the parser recovered as missing (`let = 1`) is nothing to write.
      if (s.name === "") continue;
      out.push({ label: s.name, kind: s.kind === "fn" ? "function" : s.kind === "type" ? "type" : "variable", detail: typeToString(s.type) });
    }
  }
  for (const [name, g] of Object.entries(stdlib.globals)) out.push({ label: name, kind: "variable", detail: g.type, doc: g.doc });
  for (const [name, f] of Object.entries(stdlib.functions)) {
    out.push({ label: name, kind: "function", detail: signatureText(name, f), doc: `${f.doc}\n\nGas: ${showCost(f.cost)}`, snippet: callSnippet(name, f) });
  }
  for (const name of Object.keys(stdlib.types)) if (!["State"].includes(name)) out.push({ label: name, kind: "type", detail: "type" });
  return out;
}

export interface Lens {
  span: Span;
  title: string;
}

/** One line per trigger: its worst-case gas and fan-out, as the verifier bounds them. */
export function triggerLenses(unit: { verify?: { triggers: { name: string; span: Span; gas: { bound: number }; fanout: { bound: number } }[] } | undefined }): Lens[] {
  return (unit.verify?.triggers ?? []).map((t) => ({
    span: t.span,
    title: `worst case: ${t.gas.bound.toLocaleString("en-US")} gas · sends at most ${t.fanout.bound.toLocaleString("en-US")} message${t.fanout.bound === 1 ? "" : "s"}`,
  }));
}

export interface SignatureInfo {
  label: string;
  doc: string;
  params: { label: string; doc: string | undefined }[];
  /** The parameter the cursor is on (by name for a named argument, else by position); -1 for none. */
  active: number;
}

/**
 * The signature of the call whose parentheses the cursor is in: a stdlib
 * function, a method of a stdlib type (`m.subject.truncate(`), or a `fn` of
 * the rule. Read from the text, so it works on an unfinished line.
 */
export function signatureAt(unit: CheckedUnit | undefined, file: SourceFile | undefined, text: string, offset: number): SignatureInfo | undefined {
  const open = openBrackets(text, offset);
  for (let k = open.length - 1; k >= 0; k--) {
    const b = open[k]!;
    if (b.ch !== "(") continue;
    const lineStart = lineStartOf(text, b.at);
    const m = /((?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*)([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(chainText(text, lineStart, b.at).text);
    if (!m) return undefined;
    const name = m[2]!;
    const chain = m[1]!.split(".").map((x) => x.trim()).filter((x) => x !== "");
    // The arguments typed so far, at this call's depth: commas, and the name of a named argument.
    const inner = open.slice(k + 1);
    let argStart = b.at + 1;
    let index = 0;
    for (let i = b.at + 1; i < offset; i++) {
      if (inner.some((x) => x.at === i)) continue;
      const c = text[i]!;
      if (c === '"') {
        i++;
        while (i < offset && text[i] !== '"' && !isLineBreak(text[i])) i += text[i] === "\\" ? 2 : 1;
      } else if (c === "(" || c === "[" || c === "{") {
        let depth = 1;
        for (i++; i < offset && depth > 0; i++) {
          if ("([{".includes(text[i]!)) depth++;
          else if (")]}".includes(text[i]!)) depth--;
        }
        i--;
      } else if (c === ",") {
        index++;
        argStart = i + 1;
      }
    }
    const named = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text.slice(argStart, offset))?.[1];
    const pick = (names: string[]): number => (named !== undefined ? names.indexOf(named) : index < names.length ? index : -1);

    let decl: FunctionDecl | undefined;
    let owner: string | undefined;
    if (chain.length === 0) {
      const fn = unit?.check.model.fns.get(name);
      if (fn) {
        const params = fn.params.map((p) => ({ label: `${p.name}: ${typeToString(p.type)}`, doc: undefined }));
        const returns = fn.sig.returns.kind === "void" ? "" : `: ${typeToString(fn.sig.returns)}`;
        return { label: `${name}(${params.map((p) => p.label).join(", ")})${returns}`, doc: "", params, active: pick(fn.params.map((p) => p.name)) };
      }
      decl = own(stdlib.functions, name);
    } else if (unit && file) {
      let shape = rootShape(unit, file, offset, chain[0]!);
      for (const n of chain.slice(1)) shape = step(shape, n, unit.check.model);
      if (shape?.kind === "named") {
        owner = shape.name;
        decl = own(own(stdlib.types, shape.name)?.methods, name);
      }
    }
    if (!decl) return undefined;
    const params = decl.params.map((p) => ({ label: `${p.name}${p.optional ? "?" : ""}: ${p.type}`, doc: p.doc }));
    const label = `${owner ? `${owner}.` : ""}${name}(${params.map((p) => p.label).join(", ")})${decl.returns === "void" ? "" : `: ${decl.returns}`}`;
    return { label, doc: `${decl.doc}\n\nGas: ${showCost(decl.cost)}`, params, active: pick(decl.params.map((p) => p.name)) };
  }
  return undefined;
}
