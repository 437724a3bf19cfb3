/**
 * Expressions, by precedence climbing in one function (a function per
 * precedence level costs speed), and literals.
 *
 * Nesting has a fixed limit (MAX_NESTING) rather than the stack's: how deep
 * the tree may grow, in units of the stack that the later phases and the
 * QuickJS that runs the emitted code spend on a level: a bracket in an
 * expression (`(`, `[`, `{`, a call's arguments, an index) costs 4, a
 * suffix (`.name`, `(...)`, `[...]` after a value) 2, a block (an `if`'s or
 * a loop's body, an `else if`) 8, a type inside a type 2, a prefix operator
 * and a binary operator 3, `??` 6 (its JavaScript is a conditional around
 * an assignment). Binary operators and suffixes make left-deep trees (the
 * first operand is the deepest), so they are counted when their expression
 * ends, on top of the deepest point inside it. Deeper is reported as nested
 * too deeply (TW1018), as when the stack runs out.
 *
 * The weights come from where each construct, nested alone, stops running
 * on QuickJS (64 KiB stack, in the calling thread): about 580 prefix
 * operators, 610 `and`s or `==`s, 680 `+`s, 300 `??`s, 220 nested `if`s;
 * the limit leaves a fifth of that spare. test/semantic/program-size.test.ts
 * runs every construct at the limit through check and QuickJS.
 */
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import type { Token } from "../lexer.js";
import * as T from "../tokens.js";
import { CLOSE, describeToken, type Parser } from "./cursor.js";
import * as N from "./kinds.js";
import { closing, errorExpr, ident, IS_EXPR_START, separator } from "./recovery.js";
import { stringLit } from "./interpolation.js";

export const MAX_NESTING = 1400;
/** Binary operators in one expression outside brackets (TW1020): a longer chain is a list or a `let` in disguise. */
export const MAX_CHAIN = 200;
export const NEST_BRACKET = 4;
export const NEST_BLOCK = 8;
export const NEST_TYPE = 2;
const NEST_PREFIX = 3;
const NEST_BINARY = 3;
const NEST_COALESCE = 6;
const NEST_SUFFIX = 2;

/** Binding power of binary operators: higher binds tighter. */
const PRECEDENCE: Record<A.BinaryOp, number> = {
  "??": 1,
  or: 2,
  and: 3,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "+": 5, "-": 5,
  "*": 6, "/": 6, "%": 6,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** Tokens that can continue a postfix expression: `.name`, `(args)`, `[index]`. */
const IS_SUFFIX_START = T.kindTable([T.Dot, T.LParen, T.LBracket]);

/** Goes `units` deeper (see MAX_NESTING); past the limit, as if the stack ran out. */
export function nest(p: Parser, units: number): void {
  p.depth += units;
  if (p.depth > MAX_NESTING) throw new RangeError("nested too deeply");
  if (p.depth > p.deepest) p.deepest = p.depth;
}

/**
 * A whole expression. Its operators and suffixes nest its first operand
 * deepest, which is only known at its end: then the deepest point inside
 * it, plus their units, must be within MAX_NESTING (else TW1018, and the
 * expression is dropped so that no later phase walks it), and the strings
 * inside it start their interpolations that much deeper.
 */
export function expr(p: Parser): A.Expr {
  const outerDeepest = p.deepest;
  const outerUnits = p.chainUnits;
  const outerOps = p.chainOps;
  const firstString = p.pendingStrings.length;
  p.deepest = p.depth;
  p.chainUnits = 0;
  p.chainOps = 0;
  let e = chain(p, 0);
  const units = p.chainUnits;
  let deepest = p.deepest + units;
  if (units > 0) {
    if (deepest > MAX_NESTING && p.chainOps <= MAX_CHAIN) {
      p.error(syntaxMessages.tooDeep, e.span, []);
      e = { kind: "ErrorExpr", span: e.span };
      deepest = p.depth;
    } else if (p.chainOps > MAX_CHAIN) {
      e = { kind: "ErrorExpr", span: e.span };
      deepest = p.depth;
    }
    for (let i = firstString; i < p.pendingStrings.length; i++) p.pendingStrings[i]!.depth += units;
  }
  p.deepest = Math.max(outerDeepest, deepest);
  p.chainUnits = outerUnits;
  p.chainOps = outerOps;
  return e;
}

/** `a op b op c ...`, by precedence climbing; all binary operators associate left. */
function chain(p: Parser, minPrec: number): A.Expr {
  const mark = p.events.length;
  const startPos = p.pos;
  let left = unary(p);
  let wraps: number[] | undefined;
  try {
    for (;;) {
      const opTok = p.peek();
      if (T.IS_BIN_OP[opTok.kind] !== 1) return left;
      // By kind: `&&`, `||` (TW1050) are `and`, `or`; `===`, `!==` (TW1021) are `==`, `!=`.
      const op = (opTok.kind === T.And ? "and" : opTok.kind === T.Or ? "or" : opTok.kind === T.EqEq ? "==" : opTok.kind === T.NotEq ? "!=" : opTok.text) as A.BinaryOp;
      const prec = PRECEDENCE[op];
      if (prec < minPrec) return left;
      p.bump();
      p.chainUnits += op === "??" ? NEST_COALESCE : NEST_BINARY;
      if (++p.chainOps === MAX_CHAIN + 1) p.error(syntaxMessages.chainTooLong, p.span(opTok), [MAX_CHAIN]);
      const right = chain(p, prec + 1);
      // The concrete node's end; its start goes in at `mark` when the chain ends (one splice).
      p.events.push(CLOSE, p.pos);
      (wraps ??= []).push(N.BinaryExpr);
      left = { kind: "BinaryExpr", span: p.cover(left.span, right.span), op, opSpan: p.span(opTok), left, right };
    }
  } finally {
    if (wraps) p.wrapMany(mark, startPos, wraps);
  }
}

function unary(p: Parser): A.Expr {
  const t = p.peek();
  if (IS_EXPR_START[t.kind] !== 1) {
    p.error(syntaxMessages.expectedExpression, p.spanOrEof(t), [describeToken(t)]);
    return errorExpr(p, t);
  }
  if (t.kind !== T.Not && t.kind !== T.Minus) return postfix(p);
  p.open(N.UnaryExpr);
  p.bump();
  nest(p, NEST_PREFIX);
  const operand = unary(p);
  p.depth -= NEST_PREFIX;
  p.close();
  return { kind: "UnaryExpr", span: p.cover(p.span(t), operand.span), op: (t.kind === T.Not ? "not" : t.text) as A.UnaryOp, operand };
}

/**
 * A primary expression and its suffixes: `.name`, `(args)`, `[index]`. A
 * suffix goes on a `.` on a new line, but `(` and `[` only on the same line
 * (else they start the next statement).
 */
export function postfix(p: Parser): A.Expr {
  const mark = p.events.length;
  const startPos = p.pos;
  let e = primary(p);
  let wraps: number[] | undefined;
  try {
    for (;;) {
      const t = p.peek();
      if (IS_SUFFIX_START[t.kind] !== 1 || (t.kind !== T.Dot && !p.sameLine(p.prev(), t))) return e;
      p.chainUnits += NEST_SUFFIX;
      if (t.kind === T.Dot) {
        p.bump();
        const name = ident(p);
        e = { kind: "MemberExpr", span: p.cover(e.span, name.span), object: e, name };
        (wraps ??= []).push(N.MemberExpr);
      } else if (t.kind === T.LParen) {
        p.open(N.ArgList);
        p.bump();
        const args: A.Arg[] = [];
        nest(p, NEST_BRACKET);
        while (IS_EXPR_START[p.peek().kind] === 1) {
          args.push(arg(p));
          separator(p, T.RParen);
        }
        p.depth -= NEST_BRACKET;
        closing(p, T.RParen, t, ")");
        p.close();
        e = { kind: "CallExpr", span: p.coverTo(e.span, p.prev()!), callee: e, args };
        (wraps ??= []).push(N.CallExpr);
      } else {
        p.bump();
        nest(p, NEST_BRACKET);
        const index = expr(p);
        p.depth -= NEST_BRACKET;
        closing(p, T.RBracket, t, "]");
        e = { kind: "IndexExpr", span: p.coverTo(e.span, p.prev()!), object: e, index };
        (wraps ??= []).push(N.IndexExpr);
      }
      // The concrete node's end; its start goes in at `mark` when the suffixes end (one splice).
      p.events.push(CLOSE, p.pos);
    }
  } finally {
    if (wraps) p.wrapMany(mark, startPos, wraps);
  }
}

/** An argument; a name then `:` (two tokens of lookahead) makes a named one. */
function arg(p: Parser): A.Arg {
  p.open(N.Arg);
  let name: A.Ident | undefined;
  if (T.IS_IDENTIFIER[p.peek().kind] === 1 && p.peek2().kind === T.Colon) {
    name = ident(p);
    p.expect(T.Colon);
  }
  const value = expr(p);
  p.close();
  return { kind: "Arg", span: name ? p.cover(name.span, value.span) : value.span, name, value };
}

function primary(p: Parser): A.Expr {
  const t = p.peek();
  switch (t.kind) {
    case T.IntLiteral:
      p.bump();
      return intLit(p, t);
    case T.StringLiteral:
      p.bump();
      return stringLit(p, t);
    case T.DurationLiteral:
      p.bump();
      return durationLit(p, t);
    case T.TimeLiteral:
      p.bump();
      return timeLit(p, t);
    case T.True:
    case T.False:
      p.bump();
      return { kind: "BoolLit", span: p.span(t), value: t.kind === T.True };
    case T.None:
      p.bump();
      return { kind: "NoneLit", span: p.span(t) };
    case T.LParen: {
      p.open(N.ParenExpr);
      p.bump();
      nest(p, NEST_BRACKET);
      const inner = expr(p);
      p.depth -= NEST_BRACKET;
      closing(p, T.RParen, t, ")");
      p.close();
      // Parentheses only group; the span widens to include them.
      return { ...inner, span: p.from(t) };
    }
    case T.LBracket: {
      p.open(N.ListLit);
      p.bump();
      const elements: A.Expr[] = [];
      nest(p, NEST_BRACKET);
      while (IS_EXPR_START[p.peek().kind] === 1) {
        elements.push(expr(p));
        separator(p, T.RBracket);
      }
      p.depth -= NEST_BRACKET;
      closing(p, T.RBracket, t, "]");
      p.close();
      return { kind: "ListLit", span: p.from(t), elements };
    }
    case T.LCurly: {
      p.open(N.BraceLit);
      p.bump();
      const entries: A.BraceEntry[] = [];
      nest(p, NEST_BRACKET);
      while (IS_EXPR_START[p.peek().kind] === 1) {
        p.open(N.BraceEntry);
        const key = expr(p);
        p.expect(T.Colon);
        const value = expr(p);
        p.close();
        entries.push({ kind: "BraceEntry", span: p.cover(key.span, value.span), key, value });
        separator(p, T.RCurly);
      }
      p.depth -= NEST_BRACKET;
      closing(p, T.RCurly, t, "}");
      p.close();
      return { kind: "BraceLit", span: p.from(t), entries };
    }
  }
  // `unary` sends only expression starts here: what is left is a name.
  p.bump();
  return { kind: "Ident", span: p.span(t), name: t.text };
}

// ------------------------------------------------------------ literals

export function intLit(p: Parser, t: Token): A.IntLit {
  const text = t.text;
  const value = Number(text.includes("_") ? text.replace(/_/g, "") : text);
  if (!Number.isSafeInteger(value)) p.error(syntaxMessages.intTooLarge, p.span(t), [text]);
  return { kind: "IntLit", span: p.span(t), value: Number.isSafeInteger(value) ? value : 0 };
}

export function durationLit(p: Parser, t: Token): A.DurationLit {
  const m = /^([\d_]+)(ms|s|m|h|d|w)$/.exec(t.text)!;
  const n = Number(m[1]!.replace(/_/g, ""));
  const ms = n * DURATION_UNITS[m[2]!]!;
  if (!Number.isSafeInteger(ms)) p.error(syntaxMessages.intTooLarge, p.span(t), [t.text]);
  return { kind: "DurationLit", span: p.span(t), text: t.text, ms: Number.isSafeInteger(ms) ? ms : 0 };
}

function timeLit(p: Parser, t: Token): A.TimeLit {
  const ms = parseTimeLiteral(t.text);
  if (ms === undefined) p.error(syntaxMessages.invalidTime, p.span(t), [t.text]);
  return { kind: "TimeLit", span: p.span(t), text: t.text, ms: ms ?? 0 };
}

export function clockLit(p: Parser, t: Token): A.ClockLit {
  // `H:MM` or `HH:MM` (the token's pattern): one colon.
  const colon = t.text.indexOf(":");
  const h = Number(t.text.slice(0, colon));
  const m = Number(t.text.slice(colon + 1));
  const ok = h >= 0 && h <= 23 && m >= 0 && m <= 59;
  if (!ok) p.error(syntaxMessages.invalidClock, p.span(t), [t.text]);
  return { kind: "ClockLit", span: p.span(t), text: t.text, minutes: ok ? h * 60 + m : 0 };
}

/** Parses an ISO 8601 date or date-time literal to epoch milliseconds (UTC unless an offset is given). */
export function parseTimeLiteral(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0", zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.padEnd(3, "0")));
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  let offsetMin = 0;
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(":").map(Number) as [number, number];
    if (zh > 23 || zm > 59) return undefined;
    offsetMin = sign * (zh * 60 + zm);
  }
  return ms - offsetMin * 60_000;
}
