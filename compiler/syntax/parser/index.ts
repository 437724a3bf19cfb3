/**
 * The parser: text → tokens → typed syntax tree (ast.ts) and concrete,
 * lossless tree (tree.ts), with every diagnostic. A hand-written recursive
 * descent, every rule written once, split by construct (declarations.ts,
 * tests.ts, statements.ts, expressions.ts, types.ts, interpolation.ts);
 * recovery.ts keeps going after errors. It never throws on user input and
 * always returns both trees.
 */
import type { Diagnostic, Span } from "../../diagnostics/diagnostic.js";
import { compareDiagnostics } from "../../diagnostics/diagnostic.js";
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import { lex, UNKNOWN, type LexResult } from "../lexer.js";
import * as T from "../tokens.js";
import { CLOSE, Failed, Parser } from "./cursor.js";
import { declarations } from "./declarations.js";
import * as N from "./kinds.js";
import { parsePendingStrings } from "./interpolation.js";
import { SyntaxTree } from "./tree.js";
import { type } from "./types.js";

export interface ParseResult {
  file: A.SourceFile;
  diagnostics: Diagnostic[];
  /** The concrete tree: every token and trivia, for the formatter and the editor. */
  syntax: SyntaxTree;
}

let parser: Parser | undefined;

/**
 * How many files this process has parsed: the language server reports it
 * (`thwonk/stats`) so a test can tell that a feature reused the tree of a
 * document's version instead of parsing the text again.
 */
export const parseStats = { files: 0 };

/** Parses one .thwonk file. Never throws; always returns the trees. */
export function parseFile(fileName: string, text: string): ParseResult {
  parseStats.files++;
  const p = (parser ??= new Parser());
  p.reset(fileName, text, []);
  let lexed: LexResult;
  try {
    lexed = lex(fileName, text, p.lines);
  } catch (e) {
    // Strings nested in interpolations thousands deep exhaust the string scanner's stack.
    if (!(e instanceof RangeError)) throw e;
    p.error(syntaxMessages.tooDeep, p.newSpan(fileName, 0, 0, 1, 1, 1, 1), []);
    const eof = { kind: T.EOF, start: text.length, end: text.length, text: "", scan: undefined };
    lexed = { tokens: [eof], trivia: [UNKNOWN, 0, text.length], diagnostics: [], comments: [] };
  }
  for (const d of lexed.diagnostics) p.report(d);
  p.setTokens(lexed.tokens);
  p.open(N.SourceFile);
  let decls: A.Decl[] = [];
  try {
    decls = declarations(p);
  } catch (e) {
    const span = p.spanOrEof(p.peek());
    if (e instanceof RangeError) p.error(syntaxMessages.tooDeep, span, []);
    else p.error(syntaxMessages.internalError, span, [e instanceof Error ? e.message : String(e)]);
  }
  while (p.openNodes > 1) p.close();
  // The root holds every token, EOF and its trivia (the end of the file) included.
  p.events.push(CLOSE, lexed.tokens.length);
  const events = p.events;
  const tokens = p.tokens;
  parsePendingStrings(p, text);
  const lines = p.lines;
  const fileSpan: Span = {
    file: fileName, start: 0, end: text.length, line: 1, col: 1,
    endLine: lines.lineCount, endCol: text.length - lines.lastLineStart + 1,
  };
  const diagnostics = p.diags.sort(compareDiagnostics);
  const syntax = new SyntaxTree(text, tokens, lexed.trivia, events);
  p.reset("", "", []);
  return {
    file: { kind: "SourceFile", span: fileSpan, fileName, text, decls, comments: lexed.comments },
    diagnostics,
    syntax,
  };
}

const typeCache = new Map<string, A.TypeNode | undefined>();

/** Parses one type in .thwonk syntax ("Map<Address, Time>", "string?"); undefined when it is not one. */
export function parseTypeText(text: string): A.TypeNode | undefined {
  if (!typeCache.has(text)) typeCache.set(text, parseTypeOnce(text));
  return typeCache.get(text);
}

function parseTypeOnce(text: string): A.TypeNode | undefined {
  const p = new Parser();
  p.reset("<stdlib>", text, []);
  const lexed = lex("<stdlib>", text, p.lines);
  p.setTokens(lexed.tokens);
  let t: A.TypeNode | undefined;
  try {
    t = type(p);
  } catch (e) {
    if (!(e instanceof Failed)) throw e;
  }
  const ok = lexed.diagnostics.length === 0 && p.diags.length === 0 && p.at(T.EOF);
  return ok ? t : undefined;
}
