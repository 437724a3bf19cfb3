/**
 * Turns source text into tokens, by hand (one pass, one switch on the
 * character). Never fails. The tokens are what the parser reads; trivia
 * (whitespace, comments, and runs of characters no token starts with,
 * which are reported) are kept apart, in order, so that the syntax tree
 * gives back the text byte for byte.
 */
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages, type MessageDef } from "../diagnostics/catalog/index.js";
import type { Comment } from "./ast.js";
import type { LineMap } from "./lines.js";
import { scanString, type StringScan } from "./strings.js";
import * as T from "./tokens.js";

export interface Token {
  /** A kind of tokens.ts. */
  kind: number;
  /** Offsets in the file; `end` exclusive. */
  start: number;
  end: number;
  text: string;
  /** A string's parts (strings only). */
  scan: StringScan | undefined;
}

/** Kinds of trivia. */
export const WHITESPACE = 0;
export const LINE_COMMENT = 1;
export const BLOCK_COMMENT = 2;
/** A block comment missing its `*` `/` (reported). */
export const UNTERMINATED_COMMENT = 3;
/** Characters no token starts with (reported). */
export const UNKNOWN = 4;
export const TRIVIA_NAMES = ["Whitespace", "LineComment", "BlockComment", "UnterminatedComment", "Unknown"] as const;

export interface LexResult {
  /** The tokens, the last one EOF (empty, at the end of the lexed range). */
  tokens: Token[];
  /** Trivia as triples: kind, start, end (flat, to allocate little). */
  trivia: number[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

const PUNCT = new Uint8Array(128);
for (const [ch, kind] of [
  ["+", T.Plus], ["-", T.Minus], ["*", T.Star], ["/", T.Slash], ["%", T.Percent], ["=", T.Eq], [".", T.Dot],
  [",", T.Comma], [":", T.Colon], [";", T.Semicolon], ["?", T.Question], ["<", T.Lt], [">", T.Gt],
  ["(", T.LParen], [")", T.RParen], ["[", T.LBracket], ["]", T.RBracket], ["{", T.LCurly], ["}", T.RCurly],
] as const) PUNCT[ch.charCodeAt(0)] = kind;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;
}

/**
 * Lexes `text` from `from` to `to` (an interpolation is lexed in place, as
 * the piece of its line it is). Positions come from `lines`, the whole
 * text's. `keepComments` collects the comments for the tree (not those of
 * interpolations).
 */
export function lex(file: string, text: string, lines: LineMap, from = 0, to = text.length, keepComments = true): LexResult {
  const tokens: Token[] = [];
  const trivia: number[] = [];
  const comments: Comment[] = [];
  const diagnostics: Diagnostic[] = [];
  const token = (kind: number, start: number, end: number): void => {
    tokens.push({ kind, start, end, text: text.slice(start, end), scan: undefined });
  };
  // `!`, `&&`, `||` as other languages write them: reported once, read as `not`, `and`, `or`, so the rest of the line parses.
  const cStyle = (kind: number, start: number, end: number, written: string, word: string): void => {
    token(kind, start, end);
    const line = lines.line(start);
    const col = lines.col(start);
    const span: Span = { file, start, end, line, col, endLine: line, endCol: col + (end - start) };
    // `!x` becomes `not x`; `a&&b` gets spaces so the word stands apart.
    const after = !/\s/.test(text[end] ?? " ") ? " " : "";
    const before = word !== "not" && start > 0 && !/\s/.test(text[start - 1]!) ? " " : "";
    const fix = { description: `Write \`${word}\``, edits: [{ span, newText: before + word + after }] };
    diagnostics.push(makeDiagnostic(syntaxMessages.cStyleOperator, span, [written, word], { fix }));
  };
  // A form other languages write (`===`, `'text'`), read as Thwonk's so the rest parses: reported once, with its fix.
  const foreign = (m: MessageDef, start: number, end: number, args: string[], fix: string, description: string): void => {
    const line = lines.line(start);
    const col = lines.col(start);
    const span: Span = { file, start, end, line, col, endLine: line, endCol: col + (end - start) };
    diagnostics.push(makeDiagnostic(m, span, args, { fix: { description, edits: [{ span, newText: fix }] } }));
  };
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    const start = i;
    if (isSpace(c)) {
      i++;
      while (i < to && isSpace(text.charCodeAt(i))) i++;
      trivia.push(WHITESPACE, start, i);
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < to && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: T.KEYWORDS.get(word) ?? T.Identifier, start, end: i, text: word, scan: undefined });
      continue;
    }
    if (isDigit(c)) {
      const [kind, end] = number(text, start, to);
      token(kind, start, end);
      i = end;
      continue;
    }
    if (c === 39) {
      // 'text' as other languages write it: read as "text" when it has no `"` and closes on its line. An escape is
      // theirs too: `\'` does not close it (`'it\'s'` was `'it\'` and a fix to the string `"it\"`, never closed).
      let close = start + 1;
      while (close < to) {
        const k = text.charCodeAt(close);
        if (k === 39 || k === 10 || k === 13 || k === 34) break;
        const next = at(text, close + 1, to);
        close += k === 92 && next !== -1 && next !== 10 && next !== 13 ? 2 : 1;
      }
      if (close < to && text.charCodeAt(close) === 39) {
        const asDouble = `${text.slice(0, start)}"${text.slice(start + 1, close)}"${text.slice(close + 1)}`;
        const scan = scanString(asDouble, start);
        // `\'` is no escape of Thwonk's: the fix writes the quote alone, and the string has that one diagnostic.
        scan.problems = scan.problems.filter((p) => !(p.kind === "badEscape" && text.charCodeAt(p.start + 1) === 39));
        i = close + 1;
        tokens.push({ kind: T.StringLiteral, start, end: i, text: text.slice(start, i), scan });
        const fix = `"${text.slice(start + 1, close).replace(/\\(.)/g, (m, ch: string) => (ch === "'" ? "'" : m))}"`;
        foreign(syntaxMessages.singleQuotes, start, i, [], fix, "Write it in double quotes");
        continue;
      }
    }
    if (c === 34) {
      let scan = scanString(text, start);
      // Inside an interpolation a string cannot run past the interpolation.
      if (scan.end > to) scan = scanString(text.slice(0, to), start);
      i = scan.end;
      tokens.push({ kind: T.StringLiteral, start, end: i, text: text.slice(start, i), scan });
      continue;
    }
    const next = at(text, i + 1, to);
    if (c === 47 && next === 47) {
      i += 2;
      while (i < to && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      trivia.push(LINE_COMMENT, start, i);
      if (keepComments) comments.push({ span: commentSpan(file, text, start, i, lines), text: text.slice(start, i) });
      continue;
    }
    if (c === 47 && next === 42) {
      const close = text.indexOf("*/", i + 2);
      const closed = close >= 0 && close + 2 <= to;
      i = closed ? close + 2 : to;
      trivia.push(closed ? BLOCK_COMMENT : UNTERMINATED_COMMENT, start, i);
      const span = commentSpan(file, text, start, i, lines);
      if (keepComments) comments.push({ span, text: text.slice(start, i) });
      if (!closed) diagnostics.push(makeDiagnostic(syntaxMessages.unterminatedComment, { ...span }, []));
      continue;
    }
    switch (c) {
      case 63: // ?
        if (next === 63) { token(T.QuestionQuestion, start, (i += 2)); continue; }
        break;
      case 61: // =
        if (next === 61 && at(text, i + 2, to) === 61) {
          token(T.EqEq, start, (i += 3));
          foreign(syntaxMessages.tripleEquals, start, i, ["===", "=="], "==", "Write `==`");
          continue;
        }
        if (next === 61) { token(T.EqEq, start, (i += 2)); continue; }
        break;
      case 33: // !
        if (next === 61 && at(text, i + 2, to) === 61) {
          token(T.NotEq, start, (i += 3));
          foreign(syntaxMessages.tripleEquals, start, i, ["!==", "!="], "!=", "Write `!=`");
          continue;
        }
        if (next === 61) { token(T.NotEq, start, (i += 2)); continue; }
        cStyle(T.Not, start, (i += 1), "!", "not");
        continue;
      case 38: // &
        if (next === 38) { cStyle(T.And, start, (i += 2), "&&", "and"); continue; }
        break;
      case 124: // |
        if (next === 124) { cStyle(T.Or, start, (i += 2), "||", "or"); continue; }
        break;
      case 60: // <
        if (next === 61) { token(T.LtEq, start, (i += 2)); continue; }
        break;
      case 62: // >
        if (next === 61) { token(T.GtEq, start, (i += 2)); continue; }
        break;
      case 43: // +
        if (next === 61) { token(T.PlusEq, start, (i += 2)); continue; }
        break;
      case 45: // -
        if (next === 61) { token(T.MinusEq, start, (i += 2)); continue; }
        break;
    }
    const p = c < 128 ? PUNCT[c]! : 0;
    if (p !== 0) {
      token(p, start, ++i);
      continue;
    }
    // A run of characters no token starts with: one diagnostic, kept as trivia.
    i++;
    while (i < to && !canStart(text.charCodeAt(i), at(text, i + 1, to))) i++;
    trivia.push(UNKNOWN, start, i);
    const line = lines.line(start);
    const col = lines.col(start);
    const span: Span = { file, start, end: i, line, col, endLine: line, endCol: col + (i - start) };
    diagnostics.push(makeDiagnostic(syntaxMessages.unexpectedCharacter, span, [text.slice(start, i)]));
  }
  tokens.push({ kind: T.EOF, start: to, end: to, text: "", scan: undefined });
  return { tokens, trivia, comments, diagnostics };
}

function at(text: string, i: number, to: number): number {
  return i < to ? text.charCodeAt(i) : -1;
}

function digits(text: string, i: number, n: number, to: number): boolean {
  for (let k = 0; k < n; k++) if (!isDigit(at(text, i + k, to))) return false;
  return true;
}

function canStart(c: number, next: number): boolean {
  return isSpace(c) || isIdentStart(c) || isDigit(c) || c === 34 || (c < 128 && PUNCT[c]! !== 0) || c === 33 || (c === 38 && next === 38) || (c === 124 && next === 124);
}

/** The kind and end of the date or time, time of day, duration or integer at `start` (tried in that order, as their patterns were). */
function number(text: string, start: number, to: number): [number, number] {
  // TimeLiteral: \d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?
  if (digits(text, start, 4, to) && at(text, start + 4, to) === 45 && digits(text, start + 5, 2, to) && at(text, start + 7, to) === 45 && digits(text, start + 8, 2, to)) {
    let i = start + 10;
    if (at(text, i, to) === 84 && digits(text, i + 1, 2, to) && at(text, i + 3, to) === 58 && digits(text, i + 4, 2, to)) {
      i += 6;
      if (at(text, i, to) === 58 && digits(text, i + 1, 2, to)) {
        i += 3;
        if (at(text, i, to) === 46 && isDigit(at(text, i + 1, to))) {
          i += 2;
          if (isDigit(at(text, i, to))) i++;
          if (isDigit(at(text, i, to))) i++;
        }
      }
      const z = at(text, i, to);
      if (z === 90) i++;
      else if ((z === 43 || z === 45) && digits(text, i + 1, 2, to) && at(text, i + 3, to) === 58 && digits(text, i + 4, 2, to)) i += 6;
    }
    return [T.TimeLiteral, i];
  }
  // ClockLiteral: \d{1,2}:\d{2}(?![\d:])
  for (let n = 2; n >= 1; n--) {
    if (digits(text, start, n, to) && at(text, start + n, to) === 58 && digits(text, start + n + 1, 2, to)) {
      const after = at(text, start + n + 3, to);
      if (!isDigit(after) && after !== 58) return [T.ClockLiteral, start + n + 3];
    }
  }
  let i = start + 1;
  while (isDigit(at(text, i, to)) || at(text, i, to) === 95) i++;
  // DurationLiteral: \d[\d_]*(?:ms|s|m|h|d|w)(?![A-Za-z0-9_])
  const u = at(text, i, to);
  const unit = u === 109 && at(text, i + 1, to) === 115 && !isIdentPart(at(text, i + 2, to)) ? 2
    : (u === 115 || u === 109 || u === 104 || u === 100 || u === 119) && !isIdentPart(at(text, i + 1, to)) ? 1 : 0;
  if (unit !== 0) return [T.DurationLiteral, i + unit];
  return [T.IntLiteral, i];
}

/**
 * The span of a comment, which may cover several lines (line breaks are
 * `\n`, `\r\n` and `\r`). A comment that ends with a line break (one never
 * closed, running to the end of a file that ends with a newline) ends where
 * that break starts: at the end of its last line of text. (Its end column
 * was counted from that break itself, so it was always 2 on the last line,
 * whatever that line's length.)
 */
function commentSpan(file: string, text: string, start: number, end: number, lines: LineMap): Span {
  let last = end;
  const c = text.charCodeAt(end - 1);
  if (end > start && (c === 10 || c === 13)) last = c === 10 && end - 2 >= start && text.charCodeAt(end - 2) === 13 ? end - 2 : end - 1;
  return { file, start, end, line: lines.line(start), col: lines.col(start), endLine: lines.line(last), endCol: lines.col(last) };
}
