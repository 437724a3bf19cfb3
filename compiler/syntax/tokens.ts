/**
 * Token kinds of .thwonk, as small integers (tables by kind are arrays).
 *
 * Keywords come in two kinds. Reserved words can never be names. Soft
 * keywords (`rule`, `state`, `every`, `max`, ...) are names everywhere
 * except where the grammar expects them (IS_IDENTIFIER holds them), so
 * `state.count` and a variable called `type` still work.
 *
 * Trivia (whitespace, comments, characters no token starts with) are not
 * tokens the parser sees; the lexer keeps them apart (see lexer.ts) and the
 * syntax tree attaches them to the token they precede.
 */

export const EOF = 0;
export const Identifier = 1;
export const IntLiteral = 2;
export const StringLiteral = 3;
export const DurationLiteral = 4;
export const TimeLiteral = 5;
export const ClockLiteral = 6;
// Reserved words.
export const Let = 7;
export const Var = 8;
export const If = 9;
export const Else = 10;
export const For = 11;
export const In = 12;
export const Where = 13;
export const Return = 14;
export const Break = 15;
export const Continue = 16;
export const And = 17;
export const Or = 18;
export const Not = 19;
export const True = 20;
export const False = 21;
export const None = 22;
export const Fn = 23;
export const Test = 24;
// Soft keywords.
export const Rule = 25;
export const Limits = 26;
export const Settings = 27;
export const State = 28;
export const Type = 29;
export const On = 30;
export const Every = 31;
export const At = 32;
export const Max = 33;
export const No = 34;
export const Run = 35;
export const Expect = 36;
export const Const = 37;
// Punctuation.
export const QuestionQuestion = 38;
export const EqEq = 39;
export const NotEq = 40;
export const LtEq = 41;
export const GtEq = 42;
export const Lt = 43;
export const Gt = 44;
export const PlusEq = 45;
export const MinusEq = 46;
export const Plus = 47;
export const Minus = 48;
export const Star = 49;
export const Slash = 50;
export const Percent = 51;
export const Eq = 52;
export const Dot = 53;
export const Comma = 54;
export const Colon = 55;
export const Semicolon = 56;
export const Question = 57;
export const LParen = 58;
export const RParen = 59;
export const LBracket = 60;
export const RBracket = 61;
export const LCurly = 62;
export const RCurly = 63;
export const KIND_COUNT = 64;

/** The name of each token kind (the syntax tree's token kinds). */
export const TOKEN_NAMES: readonly string[] = [
  "EOF", "Identifier", "IntLiteral", "StringLiteral", "DurationLiteral", "TimeLiteral", "ClockLiteral",
  "Let", "Var", "If", "Else", "For", "In", "Where", "Return", "Break", "Continue", "And", "Or", "Not",
  "True", "False", "None", "Fn", "Test",
  "Rule", "Limits", "Settings", "State", "Type", "On", "Every", "At", "Max", "No", "Run", "Expect", "Const",
  "QuestionQuestion", "EqEq", "NotEq", "LtEq", "GtEq", "Lt", "Gt", "PlusEq", "MinusEq", "Plus", "Minus",
  "Star", "Slash", "Percent", "Eq", "Dot", "Comma", "Colon", "Semicolon", "Question",
  "LParen", "RParen", "LBracket", "RBracket", "LCurly", "RCurly",
];

export const RESERVED_WORDS = [
  "let", "var", "if", "else", "for", "in", "where", "return", "break", "continue",
  "and", "or", "not", "true", "false", "none", "fn", "test",
];
const SOFT_WORDS = ["rule", "limits", "settings", "state", "type", "on", "every", "at", "max", "no", "run", "expect", "const"];

/** The keywords (reserved and soft) by their text. */
export const KEYWORDS: ReadonlyMap<string, number> = new Map(
  [...RESERVED_WORDS, ...SOFT_WORDS].map((w, i) => [w, Let + i]),
);

/** A table by kind: 1 for each kind of `kinds`. */
export function kindTable(kinds: readonly number[]): Uint8Array {
  const t = new Uint8Array(KIND_COUNT);
  for (const k of kinds) t[k] = 1;
  return t;
}

const SOFT_KINDS = SOFT_WORDS.map((w) => KEYWORDS.get(w)!);
/** Names: identifiers and soft keywords. */
export const IS_IDENTIFIER = kindTable([Identifier, ...SOFT_KINDS]);
/** Operators of binary expressions; their precedence is in parser/expressions.ts. */
export const IS_BIN_OP = kindTable([QuestionQuestion, EqEq, NotEq, LtEq, GtEq, Lt, Gt, Plus, Minus, Star, Slash, Percent, And, Or]);

/** What an expected token is called in "Expected X but found Y". */
export const TOKEN_DESCRIPTIONS: Partial<Record<number, string>> = {
  [Identifier]: "a name",
  [IntLiteral]: "a number",
  [StringLiteral]: "a string",
  [DurationLiteral]: "a duration such as `1d` or `90m`",
  [TimeLiteral]: "a date or time such as `2026-11-25T09:00:00Z`",
  [ClockLiteral]: "a time of day such as `09:30`",
  [LCurly]: "`{`", [RCurly]: "`}`", [LParen]: "`(`", [RParen]: "`)`", [LBracket]: "`[`", [RBracket]: "`]`",
  [Colon]: "`:`", [Comma]: "`,`", [Eq]: "`=`", [Dot]: "`.`", [Lt]: "`<`", [Gt]: "`>`", [In]: "`in`", [At]: "`at`",
  [Every]: "`every`", [Max]: "`max`",
};
