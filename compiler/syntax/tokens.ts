/**
 * Token types of .thwonk.
 *
 * Keywords come in two kinds. Reserved words can never be names. Soft
 * keywords (`rule`, `state`, `every`, `max`, ...) belong to the Identifier
 * category, so `state.count` and a variable called `type` still work.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";
import { scanString, type StringScan } from "./strings.js";

const all: TokenType[] = [];
/** Matches any token: lets the parser skip junk between declarations. */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA });
/** Operators of binary expressions; their precedence is in parser.ts. */
export const BinOp = createToken({ name: "BinOp", pattern: Lexer.NA, categories: [AnyToken] });

function tok(config: Parameters<typeof createToken>[0]): TokenType {
  const categories = ([] as TokenType[]).concat(config.categories ?? [], AnyToken);
  const t = createToken({ ...config, categories });
  all.push(t);
  return t;
}

// ---------------------------------------------------------------- trivia
export const WhiteSpace = tok({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = tok({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
export const BlockComment = tok({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments", line_breaks: true });
export const UnterminatedComment = tok({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, group: "comments", line_breaks: true });

// ---------------------------------------------------------------- literals
/**
 * A whole string, quotes and `{interpolations}` included, on one line. The
 * scanner (strings.ts) finds its end, nesting braces and inner strings; the
 * parser later parses each interpolation as an expression.
 */
export const StringLiteral = tok({
  name: "StringLiteral",
  pattern: {
    exec: (text: string, offset: number) => {
      if (text.charCodeAt(offset) !== 34) return null;
      const scan = scanString(text, offset);
      const match = [text.slice(offset, scan.end)] as unknown as RegExpExecArray & { payload: StringScan };
      match.payload = scan;
      return match;
    },
  },
  start_chars_hint: ['"'],
  line_breaks: false,
});
export const TimeLiteral = tok({
  name: "TimeLiteral",
  pattern: /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?/,
});
export const ClockLiteral = tok({ name: "ClockLiteral", pattern: /\d{1,2}:\d{2}(?![\d:])/ });
export const DurationLiteral = tok({ name: "DurationLiteral", pattern: /\d[\d_]*(?:ms|s|m|h|d|w)(?![A-Za-z0-9_])/ });
export const IntLiteral = tok({ name: "IntLiteral", pattern: /\d[\d_]*/ });

// ---------------------------------------------------------------- names and keywords
export const Identifier = tok({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(word: string, soft: boolean, categories: TokenType[] = []): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1);
  return tok({
    name,
    pattern: new RegExp(word + "(?![A-Za-z0-9_])"),
    longer_alt: Identifier,
    categories: soft ? [Identifier, ...categories] : categories,
  });
}

// Reserved words.
export const Let = keyword("let", false);
export const Var = keyword("var", false);
export const If = keyword("if", false);
export const Else = keyword("else", false);
export const For = keyword("for", false);
export const In = keyword("in", false);
export const Where = keyword("where", false);
export const Return = keyword("return", false);
export const Break = keyword("break", false);
export const Continue = keyword("continue", false);
export const And = keyword("and", false, [BinOp]);
export const Or = keyword("or", false, [BinOp]);
export const Not = keyword("not", false);
export const True = keyword("true", false);
export const False = keyword("false", false);
export const None = keyword("none", false);
export const Fn = keyword("fn", false);
export const Test = keyword("test", false);

// Soft keywords: names everywhere except where the grammar expects them.
export const Rule = keyword("rule", true);
export const Limits = keyword("limits", true);
export const Settings = keyword("settings", true);
export const State = keyword("state", true);
export const Type = keyword("type", true);
export const On = keyword("on", true);
export const Every = keyword("every", true);
export const At = keyword("at", true);
export const Max = keyword("max", true);
export const No = keyword("no", true);
export const Run = keyword("run", true);
export const Expect = keyword("expect", true);

export const RESERVED_WORDS = [
  "let", "var", "if", "else", "for", "in", "where", "return", "break", "continue",
  "and", "or", "not", "true", "false", "none", "fn", "test",
];

// ---------------------------------------------------------------- punctuation
export const QuestionQuestion = tok({ name: "QuestionQuestion", pattern: "??", categories: [BinOp] });
export const EqEq = tok({ name: "EqEq", pattern: "==", categories: [BinOp] });
export const NotEq = tok({ name: "NotEq", pattern: "!=", categories: [BinOp] });
export const LtEq = tok({ name: "LtEq", pattern: "<=", categories: [BinOp] });
export const GtEq = tok({ name: "GtEq", pattern: ">=", categories: [BinOp] });
export const Lt = tok({ name: "Lt", pattern: "<", categories: [BinOp] });
export const Gt = tok({ name: "Gt", pattern: ">", categories: [BinOp] });
export const PlusEq = tok({ name: "PlusEq", pattern: "+=" });
export const MinusEq = tok({ name: "MinusEq", pattern: "-=" });
export const Plus = tok({ name: "Plus", pattern: "+", categories: [BinOp] });
export const Minus = tok({ name: "Minus", pattern: "-", categories: [BinOp] });
export const Star = tok({ name: "Star", pattern: "*", categories: [BinOp] });
export const Slash = tok({ name: "Slash", pattern: "/", categories: [BinOp] });
export const Percent = tok({ name: "Percent", pattern: "%", categories: [BinOp] });
export const Eq = tok({ name: "Eq", pattern: "=" });
export const Dot = tok({ name: "Dot", pattern: "." });
export const Comma = tok({ name: "Comma", pattern: "," });
export const Colon = tok({ name: "Colon", pattern: ":" });
export const Semicolon = tok({ name: "Semicolon", pattern: ";" });
export const Question = tok({ name: "Question", pattern: "?" });
export const LParen = tok({ name: "LParen", pattern: "(" });
export const RParen = tok({ name: "RParen", pattern: ")" });
export const LBracket = tok({ name: "LBracket", pattern: "[" });
export const RBracket = tok({ name: "RBracket", pattern: "]" });
export const LCurly = tok({ name: "LCurly", pattern: "{" });
export const RCurly = tok({ name: "RCurly", pattern: "}" });

const codeMode: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, UnterminatedComment,
  StringLiteral, TimeLiteral, ClockLiteral, DurationLiteral, IntLiteral,
  Let, Var, If, Else, For, In, Where, Return, Break, Continue, And, Or, Not, True, False, None, Fn, Test,
  Rule, Limits, Settings, State, Type, On, Every, At, Max, No, Run, Expect,
  Identifier,
  QuestionQuestion, EqEq, NotEq, LtEq, GtEq, Lt, Gt, PlusEq, MinusEq, Plus, Minus, Star, Slash, Percent,
  Eq, Dot, Comma, Colon, Semicolon, Question, LParen, RParen, LBracket, RBracket, LCurly, RCurly,
];
export const lexerDefinition: TokenType[] = codeMode;

/** The keywords (reserved and soft), by their text. */
export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(
  [Let, Var, If, Else, For, In, Where, Return, Break, Continue, And, Or, Not, True, False, None, Fn, Test,
    Rule, Limits, Settings, State, Type, On, Every, At, Max, No, Run, Expect].map((t) => [t.name.toLowerCase(), t]),
);

/**
 * The parser's lexer definition: the same without the keywords, which are
 * lexed as identifiers and then told apart by their text (keywordsOf in
 * lexer.ts). The same tokens: a keyword's pattern matches exactly when the
 * whole identifier at that place is the keyword (its lookahead and its
 * longer alternative see to that), so one pattern per word start instead of
 * one per keyword with that first letter.
 */
export const parserLexerDefinition: TokenType[] = codeMode.filter((t) => !KEYWORDS.has(t.name.toLowerCase()) || t === Identifier);

/** Every token type the parser may see, plus the categories. */
export const allTokenTypes: TokenType[] = [AnyToken, BinOp, ...all];
