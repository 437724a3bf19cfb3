/**
 * Strings and their interpolations. A string is one token (the concrete
 * tree keeps it whole); its `{expr}`s are parsed after the main pass, each
 * lexed in place from the file's text, into the typed tree's StringLit.
 */
import type { Span } from "../../diagnostics/diagnostic.js";
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import { lex, type Token } from "../lexer.js";
import * as T from "../tokens.js";
import { describeToken, Failed, type Parser } from "./cursor.js";
import { expr, MAX_NESTING, NEST_BRACKET } from "./expressions.js";

/** The string's node; its parts are filled by parsePendingStrings (the parser reads one token vector at a time). */
export function stringLit(p: Parser, t: Token): A.StringLit {
  const node: A.StringLit = { kind: "StringLit", span: p.span(t), parts: [] };
  p.pendingStrings.push({ node, scan: t.scan!, tok: t, depth: p.depth });
  return node;
}

/**
 * Parses the interpolations of the strings met so far. Interpolations may
 * hold strings of their own: the list grows while it is walked.
 */
export function parsePendingStrings(p: Parser, text: string): void {
  for (let i = 0; i < p.pendingStrings.length; i++) {
    const { node, scan, tok, depth } = p.pendingStrings[i]!;
    p.interpolationDepth = depth + NEST_BRACKET;
    // A string is on one line: a column inside it is its offset moved by `shift`.
    const li = p.lines.index(tok.start);
    const line = li + 1;
    const shift = p.lines.colAt(tok.start, li) - tok.start;
    const range = (start: number, end: number): Span => p.newSpan(p.file, start, end, line, start + shift, line, end + shift);
    if (!scan.terminated) p.error(syntaxMessages.unterminatedString, p.span(tok), []);
    for (const prob of scan.problems) {
      p.error(prob.kind === "notCharacter" ? syntaxMessages.notCharacter : syntaxMessages.badEscape, range(prob.start, prob.end), [text.slice(prob.start, prob.end)]);
    }
    for (const part of scan.parts) {
      if (part.kind === "text") {
        node.parts.push({ kind: "StringText", span: range(part.start, part.end), value: part.value });
        continue;
      }
      if (!part.closed) p.error(syntaxMessages.unclosedInterpolation, range(part.start - 1, part.start), []);
      if (text.slice(part.start, part.end).trim() === "") {
        if (part.closed) p.error(syntaxMessages.emptyInterpolation, range(part.start - 1, part.end + 1), []);
        node.parts.push({ kind: "ErrorExpr", span: range(part.start, part.end) });
        continue;
      }
      node.parts.push(interpolation(p, text, part.start, part.end, range(part.start, part.end)));
    }
  }
  p.interpolationDepth = 0;
}

function interpolation(p: Parser, text: string, start: number, end: number, whole: Span): A.Expr {
  const { events, openNodes } = p;
  // The string is one token of the concrete tree: what is recorded here is dropped.
  p.events = [];
  let e: A.Expr = { kind: "ErrorExpr", span: whole };
  try {
    const lexed = lex(p.file, text, p.lines, start, end, false);
    for (const d of lexed.diagnostics) p.report(d);
    p.setTokens(lexed.tokens);
    // Strings are parsed one after another, not nested, but the tree they make is nested: go on from the string's depth.
    p.depth = p.interpolationDepth;
    if (p.depth > MAX_NESTING) throw new RangeError("nested too deeply");
    e = expr(p);
    const rest = p.peek();
    if (rest.kind !== T.EOF) {
      p.error(syntaxMessages.expectedToken, p.span(rest), ["`}` to end the interpolation", describeToken(rest)]);
    }
  } catch (err) {
    if (err instanceof RangeError) p.error(syntaxMessages.tooDeep, whole, []);
    else if (!(err instanceof Failed)) throw err;
  } finally {
    p.events = events;
    p.openNodes = openNodes;
  }
  return e;
}
