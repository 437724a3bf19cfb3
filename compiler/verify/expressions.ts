/**
 * Expressions: the shape of each value (how long, how many, from where)
 * and what evaluating it is charged — a node's charge (units.ts, shared
 * with the emitter) on its operands' bounds. Calls are calls.ts's.
 */
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import type { CallTarget, ConstValue } from "../semantic/model.js";
import { canonicalAddress } from "../emit/values.js";
import { call } from "./calls.js";
import { globalShape, stateField } from "./inputs.js";
import { concat, inputShape, join, SCALAR, str, type Shape } from "./shapes.js";
import { CallSizes, FieldSizes, NamedSizes, NO_SIZES, OperandSizes, stringLength } from "./sizes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";
import { nodeCharge } from "./units.js";
import { opLabel, type Cost, type Frame, type Walk } from "./walk.js";

export function expr(w: Walk, e: A.Expr, frame: Frame, acc: { cost: Cost }): Shape {
  w.steps++;
  const model = w.host.model;
  switch (e.kind) {
    case "Ident": {
      const c = model.constants.get(e);
      if (c) return constShape(c);
      const sym = model.symbols.get(e);
      if (!sym) return SCALAR;
      const local = frame.locals.get(sym);
      if (local) return local;
      if (sym.kind === "global") return globalShape(w, sym);
      return inputShape(sym.type, w.host.std, w.bounds, sym.name);
    }
    // The most frequent kinds first (a switch on strings compares in order).
    case "MemberExpr":
      return member(w, e, frame, acc);
    case "CallExpr":
      return call(w, e, frame, acc);
    case "BinaryExpr":
      return binary(w, e, frame, acc);
    case "IntLit":
    case "BoolLit":
    case "NoneLit":
    case "DurationLit":
    case "TimeLit":
    case "ErrorExpr":
      return SCALAR;
    case "StringLit":
      return stringLit(w, e, frame, acc);
    case "ListLit": {
      let elem: Shape | undefined;
      const sizes: Sym[] = [];
      for (const x of e.elements) {
        const s = expr(w, x, frame, acc);
        elem = elem ? join(elem, s) : s;
        sizes.push(s.t === "str" ? s.len : S.ONE);
      }
      w.chargeNode(acc, nodeCharge(e, w.cx), NO_SIZES, e.span, "a list literal");
      // The elements are known one by one: their summed size is exact, not count × the largest.
      return { t: "list", count: S.num(e.elements.length), elem: elem ?? SCALAR, total: S.add(...sizes) };
    }
    case "BraceLit": {
      const t = model.types.get(e);
      w.chargeNode(acc, nodeCharge(e, w.cx), NO_SIZES, e.span, "a literal");
      if (t?.kind === "named" && t.name === "Map") {
        let key: Shape | undefined;
        let value: Shape | undefined;
        for (const en of e.entries) {
          const k = expr(w, en.key, frame, acc);
          const v = expr(w, en.value, frame, acc);
          key = key ? join(key, k) : k;
          value = value ? join(value, v) : v;
        }
        return { t: "map", count: S.num(e.entries.length), key: key ?? SCALAR, value: value ?? SCALAR };
      }
      const fields = new Map<string, Shape>();
      for (const en of e.entries) {
        const v = expr(w, en.value, frame, acc);
        if (en.key.kind === "Ident") fields.set(en.key.name, v);
      }
      return { t: "rec", fields };
    }
    case "IndexExpr": {
      const obj = expr(w, e.object, frame, acc);
      const idx = expr(w, e.index, frame, acc);
      const target = model.indexes.get(e);
      // An index is a call of the type's `get` (nodeCharge): its receiver and its one argument.
      if (target && target.kind !== "fn") {
        const p = target.sig.params[0];
        w.chargeDecl(acc, target.decl, new CallSizes(w.host, target, obj, new Map(p ? [[p.name, idx]] : [])), e.span, "an index");
      }
      return elementOf(obj, target);
    }
    case "UnaryExpr": {
      const v = expr(w, e.operand, frame, acc);
      // `-x` is charged as the declared `x - x` (nodeCharge).
      w.chargeNode(acc, nodeCharge(e, w.cx), new OperandSizes(w.host, e.operand, e.operand, v, v), e.span, opLabel(e.op));
      return SCALAR;
    }
  }
}

export function stringLit(w: Walk, e: A.StringLit, frame: Frame, acc: { cost: Cost }): Shape {
  const lens: Sym[] = [];
  for (const p of e.parts) {
    if (p.kind === "StringText") {
      lens.push(S.num(p.value.length));
      continue;
    }
    lens.push(displayLength(w, expr(w, p, frame, acc), w.host.model.types.get(p)));
  }
  if (lens.length === 1 && e.parts[0]?.kind === "StringText") {
    // An Address literal is stored in canonical form (its domain in lower case), which can be longer.
    const t = w.host.model.types.get(e);
    if (t?.kind === "named" && t.name === "Address") {
      const text = (e.parts[0] as A.StringText).value;
      return str(S.num(Math.max(text.length, (canonicalAddress(text) ?? text).length)));
    }
  }
  const len = S.add(...lens);
  w.chargeNode(acc, nodeCharge(e, w.cx), new NamedSizes(w.host, { result: len }), e.span, "building a string");
  return str(len);
}

/**
 * How long a value is when shown in a string (compiler/emit `show`): a
 * value held as text (a string, an Address, a TimeZone, a Role) its text's
 * length, at most its type's declared `maxLength`; a number, a bool, a Time
 * or a Duration its type's `maxLength` (never its shape's length: it is not
 * shown as any text it was made of). An optional value may be none, shown
 * as `none`.
 */
export function displayLength(w: Walk, s: Shape, t: Type | undefined): Sym {
  const optional = t?.kind === "optional";
  const base = optional ? t.inner : t;
  const name = base?.kind === "named" ? base.name : undefined;
  let max: number | undefined;
  if (name !== undefined) {
    const spec = w.host.std.typeDecl(name);
    if (spec?.maxLength !== undefined) max = spec.maxLength;
    else if (spec?.literals) max = Math.max(...spec.literals.map((l) => l.length));
  }
  let len: Sym;
  if (name !== undefined && !SHOWN_AS_NUMBER.has(name) && s.t === "str") len = max === undefined ? s.len : S.min(s.len, S.num(max));
  else len = S.num(max ?? 32);
  return optional ? S.max(len, S.num(NONE_SHOWN.length)) : len;
}

/** Types whose values are not text: shown by formatting (String(n), `true`, `__showTime`, `__showDuration`). */
const SHOWN_AS_NUMBER: ReadonlySet<string> = new Set(["bool", "int", "Time", "Duration"]);

/** How `__showAny` shows none. */
const NONE_SHOWN = "none";

/** A constant's value (or a limit read in code): a string's exact length, or a number. */
function constShape(c: ConstValue): Shape {
  if (typeof c.value !== "string") return SCALAR;
  const text = c.type.kind === "named" && c.type.name === "Address" ? canonicalAddress(c.value) ?? c.value : c.value;
  return str(S.num(Math.max(text.length, c.value.length)));
}

export function member(w: Walk, e: A.MemberExpr, frame: Frame, acc: { cost: Cost }): Shape {
  const known = w.host.model.constants.get(e);
  if (known) return constShape(known);
  const target = w.host.model.members.get(e);
  if (target?.kind === "state") {
    w.stateUsed.add(target.field.name);
    return stateField(w, { name: target.field.name, type: target.field.type });
  }
  // A field whose reading is a capability (`m.envelope.isRequest`: the rule answers its -request address).
  if (target?.kind === "field" && target.decl.capability !== undefined && w.quiet === 0) w.capabilities.add(target.decl.capability);
  const obj = expr(w, e.object, frame, acc);
  const c = nodeCharge(e, w.cx);
  if (c) w.chargeNode(acc, c, new FieldSizes(w.host, obj, w.host.model.types.get(e.object)), e.span, `.${e.name.written ?? e.name.name}`);
  if (obj.t === "rec") {
    const f = obj.fields.get(e.name.name);
    if (f) return f;
  }
  const t = w.host.model.types.get(e);
  if (!t) return SCALAR;
  const decl = target?.kind === "field" ? target.decl : undefined;
  return inputShape(t, w.host.std, w.bounds, e.name.name, decl);
}

export function binary(w: Walk, e: A.BinaryExpr, frame: Frame, acc: { cost: Cost }): Shape {
  const l = expr(w, e.left, frame, acc);
  const r = expr(w, e.right, frame, acc);
  // What is charged (nodeCharge, shared with the emitter): a declared operator over its operands' sizes, `==` between strings over their lengths.
  const c = nodeCharge(e, w.cx);
  if (c?.kind === "stringEquality") {
    w.chargeNode(acc, c, new NamedSizes(w.host, { left: stringLength(l), right: stringLength(r) }), e.span, "comparing strings");
  } else if (c) {
    w.chargeNode(acc, c, new OperandSizes(w.host, e.left, e.right, l, r), e.span, opLabel(e.op));
  }
  switch (e.op) {
    case "and":
    case "or":
    case "==":
    case "!=":
      return SCALAR;
    case "??":
      return join(l, r);
    case "+":
      // Only `+` makes a string of strings; an ordering of strings (`<`, ...) is a bool, shown as at most 5 characters.
      if (l.t === "str" && r.t === "str") return concat(l, r);
      return SCALAR;
    default:
      return SCALAR;
  }
}

function elementOf(obj: Shape, _target: CallTarget | undefined): Shape {
  if (obj.t === "list") return obj.elem;
  if (obj.t === "map") return obj.value;
  return SCALAR;
}
