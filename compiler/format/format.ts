/**
 * The formatter: one canonical layout of a .thwonk file, no options.
 *
 * It works on the lossless concrete tree and changes only whitespace: the
 * tokens and comments come out in the same order with the same text. Where
 * the user broke lines is kept (newlines matter to the parser: a `(` or `[`
 * on a new line starts a new statement, `return`'s value is on its line), so
 * the formatter never joins or splits lines, with two exceptions that are
 * always safe: a block's `{` goes on the line of what it opens, and `else`
 * on the line of the `}` before it (unless a comment sits in between).
 *
 * - Indentation: two spaces per open bracket, counted once per line (a line
 *   opening `({` indents what follows by one level), a closing bracket at the
 *   indentation of the line that opened it; a line continuing a statement,
 *   an argument or an entry begun on an earlier line gets one more level; a
 *   block's contents are one level deeper than its statement, however many
 *   lines the statement's head took.
 * - Spaces: one around binary operators, `=`, `+=`, `-=`; one after `,`, `:`
 *   and keywords; none inside `(` `)` `[` `]`, before `,` `:` `?`, around `.`,
 *   between a callee and its `(`, in `List<T>`, after a unary `-`; one inside
 *   `{ }` on one line, none in an empty `{}`.
 * - Lines: trailing whitespace removed, at most one blank line kept between
 *   statements or declarations, none after an opening or before a closing
 *   bracket nor at the start of the file; the file ends with one newline.
 * - Comments: kept where they are, their text untouched (line comments lose
 *   trailing blanks, a block comment's line breaks are written `\n`); a comment alone on its line takes the indentation of
 *   the code after it; the gap before a comment at the end of a line is kept
 *   as written (so hand-aligned comments stay aligned).
 *
 * A file with syntax errors is refused (its diagnostics returned), never
 * guessed at. The result is checked before it is returned: the same tokens
 * and the same tree, or an internal error.
 */
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseFile } from "../syntax/parser.js";
import { isSyntaxNode, type SyntaxNode, type SyntaxToken } from "../syntax/parser/tree.js";

export type FormatResult =
  | { ok: true; text: string; changed: boolean }
  | { ok: false; diagnostics: Diagnostic[] };

interface Tok {
  tok: SyntaxToken;
  parent: SyntaxNode;
  /** The chain of ancestors, root first (shared arrays are copied per token: cheap at file sizes). */
  path: readonly SyntaxNode[];
}

const OPEN = new Set(["LParen", "LBracket", "LCurly"]);
const CLOSE = new Set(["RParen", "RBracket", "RCurly"]);
/** Nodes whose `{` opens a block of statements or entries, and may move up to the line before. */
const BLOCK_OPENERS = new Set(["Block", "LimitsDecl", "SettingsDecl", "StateDecl", "TestDecl"]);

/** Formats `text` (a file called `fileName`, for the diagnostics of a refusal). */
export function formatText(fileName: string, text: string): FormatResult {
  const parsed = parseFile(fileName, text);
  if (hasErrors(parsed.diagnostics)) return { ok: false, diagnostics: parsed.diagnostics.filter((d) => d.severity === "error") };
  const out = layout(parsed.syntax.root);
  if (out !== text) selfCheck(fileName, parsed.syntax.root, out);
  return { ok: true, text: out, changed: out !== text };
}

/** True when `text` is already formatted (a file that does not parse is not). */
export function isFormatted(fileName: string, text: string): boolean {
  const r = formatText(fileName, text);
  return r.ok && !r.changed;
}

function flatten(root: SyntaxNode): Tok[] {
  const toks: Tok[] = [];
  const path: SyntaxNode[] = [];
  const walk = (n: SyntaxNode): void => {
    path.push(n);
    const frozen = path.slice();
    for (const c of n.children) {
      if (isSyntaxNode(c)) walk(c);
      else toks.push({ tok: c, parent: n, path: frozen });
    }
    path.pop();
  };
  walk(root);
  return toks;
}

interface Open {
  /** The indentation (in levels) of the line that opened the bracket. */
  lineIndent: number;
  /** The node that holds the bracket: its other children are the items inside. */
  container: SyntaxNode;
}

function layout(root: SyntaxNode): string {
  const toks = flatten(root);
  const out: string[] = [];
  const stack: Open[] = [];
  let lineIndent = 0;
  let atStart = true;
  // What was last written: a token, or a comment (its kind).
  let prev: Tok | undefined;
  let prevComment: "line" | "block" | undefined;

  const indentFor = (t: Tok | undefined, forComment: boolean): number => {
    const top = stack[stack.length - 1];
    if (t && CLOSE.has(t.tok.kind) && top) return forComment ? top.lineIndent + 1 : top.lineIndent;
    if (t && t.tok.kind === "EOF") return 0;
    const base = top ? top.lineIndent + 1 : 0;
    if (!t || t.tok.kind === "Else" || (t.tok.kind === "LCurly" && BLOCK_OPENERS.has(t.parent.kind))) return base;
    // Continuation: the item (child of the bracket's container) holding t began before t.
    const container = top ? top.container : root;
    const i = t.path.indexOf(container);
    const item = i >= 0 ? t.path[i + 1] : undefined;
    if (item && item.start < t.tok.start) return base + 1;
    return base;
  };

  const newline = (count: number, next: Tok | undefined, forComment: boolean): void => {
    if (atStart) return;
    const afterOpen = prevComment === undefined && prev !== undefined && OPEN.has(prev.tok.kind);
    const beforeClose = next !== undefined && (CLOSE.has(next.tok.kind) || next.tok.kind === "EOF") && !forComment;
    const blank = count >= 2 && !afterOpen && !beforeClose;
    out.push(blank ? "\n\n" : "\n");
    if (next?.tok.kind === "EOF" && !forComment) return;
    lineIndent = indentFor(next, forComment);
    out.push("  ".repeat(lineIndent));
  };

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    let nl = 0;
    let gap = "";
    let sawComment = false;
    for (const tr of t.tok.leading) {
      if (tr.kind === "Whitespace") {
        nl += lineBreaks(tr.text);
        gap = tr.text;
        continue;
      }
      sawComment = true;
      const isLine = tr.kind === "LineComment";
      if (nl > 0) newline(nl, t, true);
      else if (!atStart) out.push(isLine && prevComment === undefined ? keptGap(gap) : " ");
      out.push(commentText(tr.text, isLine));
      atStart = false;
      prevComment = isLine ? "line" : "block";
      nl = 0;
      gap = "";
    }
    if (t.tok.kind === "EOF") {
      if (!atStart) out.push("\n");
      break;
    }
    if (nl > 0 && !sawComment && (t.tok.kind === "Else" || (t.tok.kind === "LCurly" && BLOCK_OPENERS.has(t.parent.kind)))) nl = 0;
    if (nl > 0) newline(nl, t, false);
    else if (!atStart) out.push(prevComment !== undefined ? " " : space(prev!, t));
    out.push(t.tok.text);
    atStart = false;
    prevComment = undefined;
    prev = t;
    if (OPEN.has(t.tok.kind) || (t.tok.kind === "Lt" && t.parent.kind === "TypeArgs")) {
      // A block is indented from its statement, even when the statement's head ran over several lines.
      const top = stack[stack.length - 1];
      const blockIndent = t.tok.kind === "LCurly" && BLOCK_OPENERS.has(t.parent.kind) ? (top ? top.lineIndent + 1 : 0) : lineIndent;
      stack.push({ lineIndent: blockIndent, container: t.parent });
    } else if (CLOSE.has(t.tok.kind) || (t.tok.kind === "Gt" && t.parent.kind === "TypeArgs")) {
      stack.pop();
    }
  }
  return out.join("");
}

/** The line breaks in a run of whitespace: `\n`, `\r\n` and `\r`, as the parser's LineMap counts them. */
function lineBreaks(ws: string): number {
  let n = 0;
  for (let c = 0; c < ws.length; c++) {
    const ch = ws.charCodeAt(c);
    if (ch === 10 || (ch === 13 && ws.charCodeAt(c + 1) !== 10)) n++;
  }
  return n;
}

/**
 * A comment as the formatter writes it: a line comment without its trailing
 * blanks, a block comment with its line breaks written `\n`, as every other
 * line of the output ends (a CRLF file's multi-line comment kept its `\r\n`,
 * and the file came out with mixed line ends, which `fmt --check` passed).
 */
function commentText(text: string, isLine: boolean): string {
  return isLine ? text.trimEnd() : text.replace(/\r\n?/g, "\n");
}

/** The blanks before a comment that ends a line: as written, at least one space. */
function keptGap(gap: string): string {
  return /^[ \t]+$/.test(gap) ? gap.replace(/\t/g, " ") : " ";
}

function isTypeAngle(t: Tok): boolean {
  return (t.tok.kind === "Lt" || t.tok.kind === "Gt") && t.parent.kind === "TypeArgs";
}

/** The space between two tokens on one line. */
function space(a: Tok, b: Tok): string {
  const ak = a.tok.kind;
  const bk = b.tok.kind;
  if (bk === "Comma" || bk === "Semicolon" || bk === "Colon" || bk === "RParen" || bk === "RBracket") return "";
  if (ak === "LParen" || ak === "LBracket") return "";
  if (ak === "Dot" || bk === "Dot") return "";
  if (bk === "Question") return "";
  if (isTypeAngle(b) || (ak === "Lt" && isTypeAngle(a))) return "";
  // A call's or a declaration's `(` follows its name (a soft keyword may be that name).
  if (bk === "LParen" && (b.parent.kind === "ArgList" || b.parent.kind === "ParamList")) return "";
  if (bk === "LBracket" && b.parent.kind === "IndexExpr") return "";
  if (ak === "Minus" && a.parent.kind === "UnaryExpr") return "";
  if (ak === "LCurly" && bk === "RCurly") return "";
  return " ";
}

/** The formatted text must hold the same tokens, comments and tree as the input: else the formatter has a bug. */
function selfCheck(fileName: string, before: SyntaxNode, after: string): void {
  const b = parseFile(fileName, after);
  if (hasErrors(b.diagnostics) || shape(before) !== shape(b.syntax.root)) {
    throw new Error(`the formatter changed the meaning of ${fileName}; this is a bug in thwonkc`);
  }
}

/** The tree without positions or whitespace: node kinds, tokens, comments. */
function shape(root: SyntaxNode): string {
  const parts: string[] = [];
  const walk = (n: SyntaxNode): void => {
    parts.push(`(${n.kind}`);
    for (const c of n.children) {
      if (isSyntaxNode(c)) walk(c);
      else {
        for (const tr of c.leading) if (tr.kind !== "Whitespace") parts.push(commentText(tr.text, tr.kind === "LineComment"));
        parts.push(`${c.kind}:${c.text}`);
      }
    }
    parts.push(")");
  };
  walk(root);
  return parts.join(" ");
}
