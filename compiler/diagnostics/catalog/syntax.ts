/** TW1xxx: syntax. Produced by the lexer and the parser. */
import { def, q } from "./define.js";

const DECL_KEYWORDS = "`rule`, `limits`, `settings`, `state`, `type`, `fn`, `on`, `every` or `test`";

export const syntaxMessages = {
  unexpectedCharacter: def("TW1001", "error", "unexpected character", (chars: string) =>
    `Unexpected character ${q(chars)}. Remove it, or put it inside a string.`,
  ),
  unterminatedString: def("TW1002", "error", "unterminated string", () =>
    'This string is not closed: add `"` before the end of the line. Strings are one line; write `\\n` for a line break.',
  ),
  expectedToken: def("TW1003", "error", "expected a token", (expected: string, found: string) =>
    `Expected ${expected} but found ${found}.`,
  ),
  expectedExpression: def("TW1004", "error", "expected an expression", (found: string) =>
    `Expected an expression but found ${found}.`,
  ),
  expectedDeclaration: def("TW1005", "error", "expected a declaration", (found: string) =>
    `Expected a declaration (${DECL_KEYWORDS}) but found ${found}.`,
  ),
  expectedStatement: def("TW1006", "error", "expected a statement", (found: string) =>
    `Expected a statement but found ${found}. A statement is \`let\`, \`var\`, \`if\`, \`for\`, \`return\`, an assignment or a call.`,
  ),
  badEscape: def("TW1007", "error", "unknown escape", (esc: string) =>
    `Unknown escape ${q(esc)} in a string. Use \\n, \\r, \\t, \\", \\\\, \\{, \\} or \\u{hex}.`,
  ),
  unterminatedComment: def("TW1008", "error", "unterminated comment", () =>
    "This comment is not closed: add `*/` where it ends.",
  ),
  intTooLarge: def("TW1009", "error", "integer too large", (text: string) =>
    `The integer ${q(text)} is too large; the largest is 9007199254740991.`,
  ),
  invalidTime: def("TW1010", "error", "invalid time literal", (text: string) =>
    `${q(text)} is not a valid date or time. Write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM].`,
  ),
  invalidClock: def("TW1011", "error", "invalid time of day", (text: string) =>
    `${q(text)} is not a valid time of day. Write HH:MM from 00:00 to 23:59.`,
  ),
  reservedWord: def("TW1012", "error", "reserved word used as a name", (word: string) =>
    `${q(word)} is a reserved word and cannot be used as a name. Choose another name, such as ${q(word + "_")}.`,
  ),
  tooManyErrors: def("TW1013", "error", "parser stopped", () =>
    "The parser stopped here: the file has too many syntax errors (200) to be worth reading further. Fix the errors above and check again.",
  ),
  emptyInterpolation: def("TW1014", "error", "empty interpolation", () =>
    "`{}` in a string needs an expression inside. For literal braces write `\\{` and `\\}`.",
  ),
  unclosedBracket: def("TW1015", "error", "unclosed bracket", (open: string, close: string, found: string) =>
    `Expected ${q(close)} to close the ${q(open)} opened here, but found ${found}.`,
  ),
  assignInCondition: def("TW1016", "error", "assignment used as a condition", () =>
    "`=` assigns; to compare, write `==`.",
  ),
  unclosedInterpolation: def("TW1017", "error", "unclosed interpolation", () =>
    "This `{` in a string is not closed: add `}` after the expression, or write `\\{` for a literal brace.",
  ),
  // Reached from a `.ts` rule too (compiler/typescript/nesting.ts), so the advice is in its spelling.
  tooDeep: def("TW1018", "error", "nested too deeply", () => (s) =>
    `This is nested too deeply for the parser. Split it into smaller pieces with ${q(s.constWord)}.`,
  ),
  chainTooLong: def("TW1020", "error", "expression too long", (max: number) => (s) =>
    `This expression has more than ${max} operators in a row. Split it into parts with ${q(s.constWord)} (${q(s.decl("let", "a", "..."))}, ${q(s.decl("let", "b", "..."))}, then \`a + b\`), or put the values in a list.`,
  ),
  cStyleOperator: def("TW1050", "error", "operator from another language", (written: string, word: string) =>
    `Thwonk writes ${q(written)} as the word ${q(word)}: write ${q(word === "not" ? "not x" : `a ${word} b`)}. (The operators are words: \`not\`, \`and\`, \`or\`; \`!=\` is still "not equal".)`,
  ),
  whileLoop: def("TW1051", "error", "`while` loop", () =>
    "Thwonk has no `while`: every loop must have a bound known before it runs, so that each run of the rule ends within its gas. Loop over a collection with `for x in xs { ... }` (a list, a map, `members`, `m.text.lines()`), and end it early with `break` when the condition is met.",
  ),
  tripleEquals: def("TW1021", "error", "`===` from another language", (written: string, meant: string) =>
    `Thwonk compares with ${q(meant)}, not ${q(written)}: values of different types are never equal, and the checker refuses comparing them, so there is no looser equality to avoid.`,
  ),
  incrementOperator: def("TW1022", "error", "`++` or `--`", (written: string, meant: string) =>
    `Thwonk has no ${q(written)}: write ${q(meant)}. (Changing a value is always a statement of its own.)`,
  ),
  singleQuotes: def("TW1023", "error", "single-quoted string", () =>
    "Strings are written in double quotes: `\"hello\"`. (A single quote is an ordinary character inside one: `\"it's\"`.)",
  ),
  // Made before parsing, from the bytes a host read (compiler/syntax/utf8.ts): a `.ts` rule reaches it too.
  notUtf8: def("TW1024", "error", "file is not UTF-8 text", (byte: string) =>
    `This file is not UTF-8 text: the byte ${byte} here is not valid UTF-8 (the file was probably saved in another encoding, such as Latin-1 or Windows-1252). Save it as UTF-8 (in VS Code: "Reopen with Encoding" in its encoding, then "Save with Encoding", UTF-8); until then the file is not checked.`,
  ),
  notCharacter: def("TW1025", "error", "escape of no character", (esc: string) =>
    `${q(esc)} is no character: U+D800 to U+DFFF are the halves of surrogate pairs, which stand only in twos, and U+10FFFF is the last code point. Write the character's own code point (\\u{1F600} for 😀), or the character itself.`,
  ),
  internalError: def("TW1999", "error", "internal compiler error", (detail: string) =>
    `Internal compiler error: ${detail}. This is a bug in thwonkc; please report it with the file that caused it.`,
  ),
};
