/**
 * Writes, as the walk meets them: an assignment (`x = v`, `x += v`) and a
 * mutating call (`xs.push(x)`, `m.set(k, v)`). A local's shape becomes the
 * written one or grows; a state field's written value must fit its
 * declared bounds (checked once the loops around it are solved), and a
 * write that grows a bounded state collection must have room (writes.ts
 * decides what the conditions in force prove).
 */
import { evalCost } from "../../stdlib/cost-eval.js";
import { makeDiagnostic, verifyMessages } from "../diagnostics/catalog/index.js";
import { spanEnd } from "../diagnostics/diagnostic.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { afterValue, exprText } from "../semantic/expr-text.js";
import { concat, join, originOf, SCALAR, str, totalOf, withOrigin, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import { OperandSizes } from "./sizes.js";
import { NONE, symDomain, type AnalyzeHost, type Cost, type Frame, type Walk } from "./walk.js";
import { declaredAt, fitFix, immutableKeyText, overflowOf, placeOf, stateKey, updateAt, without, type Place } from "./writes.js";

export function assign(w: Walk, s: A.AssignStmt, frame: Frame, acc: { cost: Cost }): void {
  const value = w.expr(s.value, frame, acc);
  const place = placeOf(w.host.model, s.target);
  // `x += v` on a string: the new value is the old one and v.
  let target: Shape | undefined;
  if (s.target.kind !== "Ident") target = w.expr(s.target, frame, acc);
  else if (place?.root === "local") target = frame.locals.get(place.sym);
  let written = value;
  if (s.op !== "=" && target) {
    if (target.t === "str" && value.t === "str") {
      written = withOrigin(concat(target, value), originOf(target));
      if (w.quiet === 0) w.charge(acc, operatorCost(w, s.target, s.value, target, value, s), s.span, "+=");
    } else {
      written = target;
    }
  }
  if (!place) return;
  if (place.root === "local") {
    const old = frame.locals.get(place.sym);
    if (!old) return;
    frame.locals.set(place.sym, updateAt(old, place.fields, () => coerce(written, w.host.model.types.get(s.target) ?? place.sym.type, w.host)));
    return;
  }
  if (w.quiet === 0) w.capabilities.add("state.write");
  checkFits(w, place, written, s.value, s.span, undefined, s.op === "=" ? undefined : { target: exprText(s.target), text: `${exprText(s.target)} + ${exprText(s.value)}` });
  frame.room = without(frame.room, stateKey(place)!);
}

/**
 * A value written into state must fit the place's declared bounds
 * (TW3005). Inside a loop its shape may hold the loop's slots and element
 * size: it is checked once the loops around it are solved (`pendingFits`).
 */
export function checkFits(w: Walk, place: Extract<Place, { root: "state" }>, value: Shape, valueExpr: A.Expr, at: A.Expr["span"], declared = declaredAt(place), written?: { target: string; text: string }): void {
  if (!declared) return;
  w.pendingFits.push({ shape: value, check: (shape) => reportFit(w, place, shape, declared, valueExpr, at, written) });
}

export function reportFit(w: Walk, place: Extract<Place, { root: "state" }>, value: Shape, declared: Type, valueExpr: A.Expr, at: A.Expr["span"], written?: { target: string; text: string }): void {
  const o = overflowOf(value, declared, (x) => w.host.evaluate(x));
  if (!o) return;
  // `{ subject: m.subject, ... }`: point at the field's own value.
  let field = /^the field `([^`]+)` of $/.exec(o.where);
  while (field && valueExpr.kind === "BraceLit") {
    const entry = valueExpr.entries.find((en) => en.key.kind === "Ident" && en.key.name === field![1]);
    if (!entry) break;
    valueExpr = entry.value;
    o.where = "";
    field = null;
  }
  // `state.s += x` writes `state.s + x`: the fix makes the whole of it fit.
  const fix = written === undefined ? fitFix(o) : undefined;
  const text = written?.text ?? exprText(valueExpr);
  if (written !== undefined && o.where === "" && o.unit === "characters") {
    w.warn(at, makeDiagnostic(verifyMessages.overBound, valueExpr.span, [text, "", o.value, o.unit, stateKey(place)!, o.max, `${written.target} = (${text}).truncate(${o.max})`]));
    return;
  }
  // An operator's expression takes the call in parentheses: `(m.subject + "!").truncate(20)`, not `"!".truncate(20)`.
  const grouped = valueExpr.kind === "BinaryExpr" || valueExpr.kind === "UnaryExpr";
  const fitted = fix ? `${grouped ? `(${text})` : text}${fix}` : undefined;
  const s = valueExpr.span;
  const edits = grouped
    ? [{ span: { ...s, end: s.start, endLine: s.line, endCol: s.col }, newText: "(" }, { span: spanEnd(s), newText: `)${fix}` }]
    : [{ span: spanEnd(s), newText: afterValue(valueExpr, fix ?? "") }];
  w.warn(at, makeDiagnostic(verifyMessages.overBound, s, [
    text, o.where, o.value, o.unit, stateKey(place)!, o.max, fitted,
  ], fix && valueExpr.kind !== "ErrorExpr" ? { fix: { description: `Write \`${fitted}\``, edits } } : undefined));
}

/**
 * `xs.push(x)`, `m.set(k, v)`, `r.items.push(x)`: the changed collection
 * at its place — a local's shape grows; a state field's write must fit
 * its bounds and, when it grows, have room.
 */
export function mutation(w: Walk, e: A.CallExpr, name: string, grows: "element" | "entry" | undefined, argList: readonly (Shape | undefined)[], frame: Frame): void {
  if (e.callee.kind !== "MemberExpr") return;
  const place = placeOf(w.host.model, e.callee.object);
  if (!place) return;
  if (!grows) return; // `remove` and the like only shrink: the bound stands (the stdlib declares which grow)
  // The element (push) or the key and the value (set), by parameter, however they were written.
  const argExprs = (w.host.model.argumentsOf.get(e) ?? []).map((a) => a?.value);
  if (place.root === "local") {
    const old = frame.locals.get(place.sym);
    if (!old) return;
    frame.locals.set(place.sym, updateAt(old, place.fields, (c) => grown(c, grows, argList)));
    return;
  }
  const declared = declaredAt(place);
  const base = declared?.kind === "optional" ? declared.inner : declared;
  if (base?.kind !== "named") return;
  // What is stored must fit: the element (push), the key and the value (set).
  if (grows === "element" && base.args[0] && argList[0] && argExprs[0]) {
    checkFits(w, place, argList[0], argExprs[0], e.span, base.args[0]);
  } else if (grows === "entry" && base.args[0] && base.args[1]) {
    if (argList[0] && argExprs[0]) checkFits(w, place, argList[0], argExprs[0], e.span, base.args[0]);
    if (argList[1] && argExprs[1]) checkFits(w, place, argList[1], argExprs[1], e.span, base.args[1]);
  }
  const key = stateKey(place)!;
  if (base.max !== undefined) {
    const keyExpr = grows === "entry" ? argExprs[0] : undefined;
    const keyText = keyExpr ? immutableKeyText(w.host.model, keyExpr) : undefined;
    const write = { key, kind: grows, max: base.max, ...(keyText !== undefined ? { keyText } : {}) };
    if (!frame.room.allows(write)) {
      w.warn(e.span, makeDiagnostic(verifyMessages.mayFillUp, e.span, [`${key}.${name}(...)`, key, base.max, keyExpr ? exprText(keyExpr) : undefined]));
    }
  }
  frame.room = without(frame.room, key);
}

/** The cost of an operator the checker resolved (a binary one, or the `+` of `x += v`). */
export function operatorCost(w: Walk, left: A.Expr, right: A.Expr, l: Shape, r: Shape, node: A.BinaryExpr | A.AssignStmt): Cost {
  const decl = w.host.model.operators.get(node);
  if (!decl) return NONE;
  // Most operators cost a constant: no sizes to read.
  if (typeof decl.cost === "number") return { g: S.num(decl.cost), f: S.ZERO };
  const g = evalCost(decl.cost, new OperandSizes(w.host, left, right, l, r), symDomain);
  return { g, f: S.ZERO };
}

/** A collection after `push(x)` or `set(k, v)`: one more element, of the stored shapes. */
export function grown(c: Shape, grows: "element" | "entry", args: readonly (Shape | undefined)[]): Shape {
  if (grows === "element" && c.t === "list") {
    const pushed = args[0];
    const elem = pushed ? join(c.elem, pushed) : c.elem;
    return { ...c, count: S.add(c.count, S.ONE), elem, total: S.add(totalOf(c), pushed ? totalOf(pushed) : S.ONE) };
  }
  if (grows === "entry" && c.t === "map") {
    const [k, v] = args;
    return { ...c, count: S.add(c.count, S.ONE), key: k ? join(c.key, k) : c.key, value: v ? join(c.value, v) : c.value };
  }
  return c;
}

/**
 * A value's shape as the variable's type has it: `none` in a `string?`
 * is an empty string that may grow, `[]` a list of empty elements, so
 * every measure a loop may grow has a place in the shape.
 */
export function coerce(s: Shape, t: Type, host: AnalyzeHost, depth = 0): Shape {
  if (depth > 8) return s;
  const base = t.kind === "optional" ? t.inner : t;
  if (base.kind === "record") {
    const fields = new Map<string, Shape>(s.t === "rec" ? s.fields : []);
    for (const [name, f] of base.fields) fields.set(name, coerce(fields.get(name) ?? SCALAR, f.type, host, depth + 1));
    return s.t === "rec" ? { ...s, fields } : { t: "rec", fields };
  }
  if (base.kind !== "named") return s;
  if (base.name === "string") return s.t === "str" ? s : str(S.ZERO);
  if (base.name === "List") {
    const elemT = base.args[0];
    if (s.t === "list") return elemT ? { ...s, elem: coerce(s.elem, elemT, host, depth + 1) } : s;
    return { t: "list", count: S.ZERO, elem: elemT ? coerce(SCALAR, elemT, host, depth + 1) : SCALAR, total: S.ZERO };
  }
  if (base.name === "Map") {
    const [kt, vt] = base.args;
    if (s.t === "map") return { ...s, key: kt ? coerce(s.key, kt, host, depth + 1) : s.key, value: vt ? coerce(s.value, vt, host, depth + 1) : s.value };
    return { t: "map", count: S.ZERO, key: kt ? coerce(SCALAR, kt, host, depth + 1) : SCALAR, value: vt ? coerce(SCALAR, vt, host, depth + 1) : SCALAR };
  }
  return s;
}
