/** The file and its declarations: `rule`, `const`, `limits`, `settings`, `state`, `type`, `fn`, `on`, `every`. (`test`: tests.ts.) */
import { syntaxMessages } from "../../diagnostics/catalog/index.js";
import type * as A from "../ast.js";
import * as T from "../tokens.js";
import { describeToken, type Parser } from "./cursor.js";
import { clockLit, durationLit, expr } from "./expressions.js";
import * as N from "./kinds.js";
import { closing, ident, inBraces, IS_DECL_START, items, syncDecl, syncStatement, type ItemsSpec } from "./recovery.js";
import { block } from "./statements.js";
import { testDecl } from "./tests.js";
import { type } from "./types.js";

const declItems: ItemsSpec<A.Decl> = {
  more: () => true,
  starts: IS_DECL_START,
  parse: decl,
  sync: syncDecl,
  junk: (p, t) => p.error(syntaxMessages.expectedDeclaration, p.span(t), [describeToken(t)]),
};

const entryItems: ItemsSpec<A.Entry> = {
  more: inBraces,
  starts: T.IS_IDENTIFIER,
  parse: (p) => {
    const e = entry(p);
    p.eat(T.Comma);
    return e;
  },
  sync: syncStatement,
  junk: (p, t) => p.error(syntaxMessages.expectedToken, p.span(t), ["an entry such as `members: 500`", describeToken(t)]),
};

const stateFieldItems: ItemsSpec<A.StateField> = {
  more: inBraces,
  starts: T.IS_IDENTIFIER,
  parse: (p) => {
    const f = stateField(p);
    p.eat(T.Comma);
    return f;
  },
  sync: syncStatement,
  junk: (p, t) => p.error(syntaxMessages.expectedToken, p.span(t), ["a state field such as `count: int = 0`", describeToken(t)]),
};

/** The declarations of a file. */
export function declarations(p: Parser): A.Decl[] {
  return items(p, declItems);
}

/** A declaration; `items` calls this only at a declaration keyword. */
function decl(p: Parser): A.Decl {
  switch (p.peek().kind) {
    case T.Rule: {
      p.open(N.RuleDecl);
      const start = p.bump();
      const name = ident(p);
      p.close();
      return { kind: "RuleDecl", span: p.from(start), name };
    }
    case T.Limits:
    case T.Settings: {
      const limits = p.at(T.Limits);
      p.open(limits ? N.LimitsDecl : N.SettingsDecl);
      const start = p.bump();
      const open = p.expect(T.LCurly);
      const entries = items(p, entryItems);
      closing(p, T.RCurly, open, "}");
      p.close();
      return { kind: limits ? "LimitsDecl" : "SettingsDecl", span: p.from(start), entries };
    }
    case T.State: {
      p.open(N.StateDecl);
      const start = p.bump();
      const open = p.expect(T.LCurly);
      const fields = items(p, stateFieldItems);
      closing(p, T.RCurly, open, "}");
      p.close();
      return { kind: "StateDecl", span: p.from(start), fields };
    }
    case T.Type: {
      p.open(N.TypeDecl);
      const start = p.bump();
      const name = ident(p);
      p.expect(T.Eq);
      const ty = type(p);
      p.close();
      return { kind: "TypeDecl", span: p.from(start), name, type: ty };
    }
    case T.Const: {
      p.open(N.ConstDecl);
      const start = p.bump();
      const name = ident(p);
      const ty = p.eat(T.Colon) ? type(p) : undefined;
      p.expect(T.Eq);
      const value = expr(p);
      p.close();
      return { kind: "ConstDecl", span: p.from(start), name, type: ty, value };
    }
    case T.Fn:
      return fnDecl(p);
    case T.On:
      return onDecl(p);
    case T.Every: {
      p.open(N.EveryDecl);
      const start = p.bump();
      const sched = schedule(p);
      const body = block(p);
      p.close();
      return { kind: "EveryDecl", span: p.from(start), schedule: sched, body };
    }
    default:
      return testDecl(p);
  }
}

/** `name: value` inside `limits { }` and `settings { }`. */
function entry(p: Parser): A.Entry {
  p.open(N.Entry);
  const name = ident(p);
  p.expect(T.Colon);
  const value = expr(p);
  p.close();
  return { kind: "Entry", span: p.cover(name.span, value.span), name, value };
}

/** `name: Type = init` inside `state { }`. */
function stateField(p: Parser): A.StateField {
  p.open(N.StateField);
  const name = ident(p);
  p.expect(T.Colon);
  const ty = type(p);
  const init = p.eat(T.Eq) ? expr(p) : undefined;
  p.close();
  return { kind: "StateField", span: p.fromSpan(name.span), name, type: ty, init };
}

/** `name` or `name: Type` */
function param(p: Parser): A.Param {
  p.open(N.Param);
  const name = ident(p);
  const ty = p.eat(T.Colon) ? type(p) : undefined;
  p.close();
  return { kind: "Param", span: ty ? p.cover(name.span, ty.span) : name.span, name, type: ty };
}

/** `fn name(a: T, b: U): R { ... }` */
function fnDecl(p: Parser): A.FnDecl {
  p.open(N.FnDecl);
  const start = p.bump();
  const name = ident(p);
  p.open(N.ParamList);
  const open = p.expect(T.LParen);
  const params: A.Param[] = [];
  if (T.IS_IDENTIFIER[p.peek().kind] === 1) {
    params.push(param(p));
    while (p.eat(T.Comma)) params.push(param(p));
  }
  closing(p, T.RParen, open, ")");
  p.close();
  const returnType = p.eat(T.Colon) ? type(p) : undefined;
  const body = block(p);
  p.close();
  return { kind: "FnDecl", span: p.from(start), name, params, returnType, body };
}

/** `on message(m: Message) { ... }` */
function onDecl(p: Parser): A.OnDecl {
  p.open(N.OnDecl);
  const start = p.bump();
  const event = ident(p);
  let prm: A.Param | undefined;
  if (p.at(T.LParen)) {
    p.open(N.ParamList);
    const open = p.bump();
    prm = param(p);
    closing(p, T.RParen, open, ")");
    p.close();
  }
  const body = block(p);
  p.close();
  return { kind: "OnDecl", span: p.from(start), event, param: prm, body };
}

/** `day at 00:00`, `monday at 09:30`, `2h` (after `every`). */
export function schedule(p: Parser): A.Schedule {
  p.open(N.Schedule);
  const first = p.peek();
  let unit: A.Ident | undefined;
  let interval: A.DurationLit | undefined;
  if (T.IS_IDENTIFIER[first.kind] === 1) unit = ident(p);
  else if (first.kind === T.DurationLiteral) interval = durationLit(p, p.bump());
  else p.fail("a schedule such as `day at 00:00`, `monday at 09:30` or `2h`");
  let at: A.ClockLit | undefined;
  if (p.eat(T.At)) at = clockLit(p, p.expect(T.ClockLiteral));
  p.close();
  return { kind: "Schedule", span: p.from(first), unit, interval, at };
}
