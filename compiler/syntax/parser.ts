/** The parser's entry points (the parser itself is in parser/). */
export { parseFile, parseStats, parseTypeText } from "./parser/index.js";
export type { ParseResult } from "./parser/index.js";
export { describeToken } from "./parser/cursor.js";
export { parseTimeLiteral } from "./parser/expressions.js";
export { isSyntaxNode, printSyntax, SyntaxTree } from "./parser/tree.js";
export type { SyntaxElement, SyntaxNode, SyntaxToken, Trivia, TriviaKind } from "./parser/tree.js";
export type { NodeName } from "./parser/kinds.js";
