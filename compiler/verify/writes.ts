/**
 * Writes into state, as the verifier sees them (docs/cost-model.md, "State
 * writes"). Two promises rest on them:
 *  - a value written into state fits the field's declared bounds, so the
 *    runtime never has to refuse it (and every later run may assume them);
 *  - a write that makes a bounded state collection grow (`push`, `set` of a
 *    key that may be new) happens only where a condition in force proves
 *    there is room: otherwise, once the collection is full, every run that
 *    gets there would fail, and nothing could ever empty it.
 * Places are paths: a root (a local or a state field) and record fields.
 */
import type { SemanticModel, StateFieldInfo } from "../semantic/model.js";
import type { Symbol } from "../semantic/scope.js";
import type { Type } from "../semantic/types.js";
import type * as A from "../syntax/ast.js";
import { exprText } from "../semantic/expr-text.js";
import { charsOf, type Shape } from "./shapes.js";
import type { Sym } from "./sym.js";

/** Where a write lands: a local or a state field, then record fields. */
export type Place =
  | { root: "local"; sym: Symbol; fields: string[] }
  | { root: "state"; field: StateFieldInfo; fields: string[] };

export function placeOf(model: SemanticModel, e: A.Expr): Place | undefined {
  if (e.kind === "Ident") {
    const sym = model.symbols.get(e);
    return sym && (sym.kind === "var" || sym.kind === "let") ? { root: "local", sym, fields: [] } : undefined;
  }
  if (e.kind !== "MemberExpr") return undefined;
  const target = model.members.get(e);
  if (target?.kind === "state") return { root: "state", field: target.field, fields: [] };
  if (target?.kind !== "record") return undefined;
  const inner = placeOf(model, e.object);
  return inner && { ...inner, fields: [...inner.fields, e.name.name] };
}

/** `state.a.b`: the key of a state place, for room facts. */
export function stateKey(p: Place): string | undefined {
  return p.root === "state" ? ["state", p.field.name, ...p.fields].join(".") : undefined;
}

/** The declared type at a state place. */
export function declaredAt(p: Extract<Place, { root: "state" }>): Type | undefined {
  let t: Type | undefined = p.field.type;
  for (const f of p.fields) {
    const base: Type | undefined = t?.kind === "optional" ? t.inner : t;
    t = base?.kind === "record" ? base.fields.get(f)?.type : undefined;
  }
  return t;
}

/** The same shape with one record field replaced, at a path of record fields. */
export function updateAt(s: Shape, fields: readonly string[], f: (s: Shape) => Shape): Shape {
  if (fields.length === 0) return f(s);
  if (s.t !== "rec") return s;
  const [head, ...rest] = fields as [string, ...string[]];
  const inner = s.fields.get(head);
  if (!inner) return s;
  const out = new Map(s.fields);
  out.set(head, updateAt(inner, rest, f));
  return { ...s, fields: out };
}

export function shapeAt(s: Shape, fields: readonly string[]): Shape | undefined {
  let cur: Shape | undefined = s;
  for (const f of fields) cur = cur?.t === "rec" ? cur.fields.get(f) : undefined;
  return cur;
}

// ------------------------------------------------------------------ bounds

/** Where a value is over a declared bound, for the message. */
export interface Overflow {
  /** "", "an element of ", "a key of ", "the field `body` of ", nested: "an element of a value of ". */
  where: string;
  unit: "characters" | "elements" | "entries";
  /** The value's bound at the rule's limits. */
  value: number;
  max: number;
}

/**
 * The first place where `s` may be over the bounds `t` declares, or
 * undefined when it provably fits (every measure's bound, evaluated at the
 * rule's limits, within the declared `max`).
 */
export function overflowOf(s: Shape, t: Type, evaluate: (x: Sym) => number, where = "", depth = 0): Overflow | undefined {
  if (depth > 32) return undefined;
  const base = t.kind === "optional" ? t.inner : t;
  if (base.kind === "record") {
    if (s.t !== "rec") return undefined;
    for (const [name, f] of base.fields) {
      const fs = s.fields.get(name);
      const o = fs && overflowOf(fs, f.type, evaluate, `${where}the field \`${name}\` of `, depth + 1);
      if (o) return o;
    }
    return undefined;
  }
  if (base.kind !== "named") return undefined;
  if (base.name === "string" && s.t === "str" && base.max !== undefined) {
    // Declared in characters (code points): a bound in UTF-16 units bounds them too.
    const value = evaluate(charsOf(s));
    return value > base.max ? { where, unit: "characters", value, max: base.max } : undefined;
  }
  if (base.name === "List" && s.t === "list") {
    if (base.max !== undefined) {
      const value = evaluate(s.count);
      if (value > base.max) return { where, unit: "elements", value, max: base.max };
    }
    return base.args[0] ? overflowOf(s.elem, base.args[0], evaluate, `${where}an element of `, depth + 1) : undefined;
  }
  if (base.name === "Map" && s.t === "map") {
    if (base.max !== undefined) {
      const value = evaluate(s.count);
      if (value > base.max) return { where, unit: "entries", value, max: base.max };
    }
    return (
      (base.args[0] ? overflowOf(s.key, base.args[0], evaluate, `${where}a key of `, depth + 1) : undefined) ??
      (base.args[1] ? overflowOf(s.value, base.args[1], evaluate, `${where}a value of `, depth + 1) : undefined)
    );
  }
  return undefined;
}

/** `.truncate(10)`, `.take(50)`: how to make a value fit, when it is the value itself that is too big. */
export function fitFix(o: Overflow): string | undefined {
  if (o.where !== "") return undefined;
  return o.unit === "characters" ? `.truncate(${o.max})` : o.unit === "elements" ? `.take(${o.max})` : undefined;
}

// ------------------------------------------------------------------ room

/** A write that makes a state collection grow by one. */
export interface Growth {
  key: string;
  kind: "element" | "entry";
  /** The key expression of a `set`, when it is a path of immutable names (its text is its identity). */
  keyText?: string;
  max: number;
}

/**
 * What the conditions in force prove about room in state collections: a
 * predicate over growing writes (true: this write cannot overflow). Made of
 * closures, with a depth cap so a long program cannot make one deep.
 */
export interface Room {
  allows(w: Growth): boolean;
  depth: number;
}

export const NO_ROOM: Room = { allows: () => false, depth: 0 };
const CAP = 64;

export function either(a: Room, b: Room): Room {
  if (a === NO_ROOM) return b;
  if (b === NO_ROOM) return a;
  const depth = Math.max(a.depth, b.depth) + 1;
  return depth > CAP ? NO_ROOM : { allows: (w) => a.allows(w) || b.allows(w), depth };
}

export function both(a: Room, b: Room): Room {
  if (a === NO_ROOM || b === NO_ROOM) return NO_ROOM;
  if (a === b) return a;
  const depth = Math.max(a.depth, b.depth) + 1;
  return depth > CAP ? NO_ROOM : { allows: (w) => a.allows(w) && b.allows(w), depth };
}

/** The room after a write to `key` (or to a state place containing it): what was known of it no longer holds. */
export function without(r: Room, key: string): Room {
  if (r === NO_ROOM) return r;
  const depth = r.depth + 1;
  return depth > CAP ? NO_ROOM : { allows: (w) => w.key !== key && !w.key.startsWith(key + ".") && r.allows(w), depth };
}

function atMost(key: string, count: number): Room {
  return { allows: (w) => w.key === key && count + 1 <= w.max, depth: 1 };
}

function hasKey(key: string, keyText: string): Room {
  return { allows: (w) => w.key === key && w.kind === "entry" && w.keyText === keyText, depth: 1 };
}

/** What `cond` proves when true (`t`) and when false (`f`). */
export function roomOf(model: SemanticModel, cond: A.Expr): { t: Room; f: Room } {
  const none = { t: NO_ROOM, f: NO_ROOM };
  switch (cond.kind) {
    case "BinaryExpr": {
      if (cond.op === "and" || cond.op === "or") {
        const a = roomOf(model, cond.left);
        const b = roomOf(model, cond.right);
        // When both sides ran (`and` true, `or` false), a fn called on the right may have used the room the left proved.
        const leftHolds = !callsFn(model, cond.right);
        return cond.op === "and"
          ? { t: leftHolds ? either(a.t, b.t) : b.t, f: both(a.f, b.f) }
          : { t: both(a.t, b.t), f: leftHolds ? either(a.f, b.f) : b.f };
      }
      const sizeL = sizeOf(model, cond.left);
      const sizeR = sizeOf(model, cond.right);
      const k = sizeL !== undefined ? intOf(model, cond.right) : intOf(model, cond.left);
      const key = sizeL ?? sizeR;
      if (key === undefined || k === undefined) return none;
      // Written as `size OP k`: `k OP size` flips the operator.
      const op = sizeL !== undefined ? cond.op : flip(cond.op);
      switch (op) {
        case "<":
          return { t: atMost(key, k - 1), f: NO_ROOM };
        case "<=":
          return { t: atMost(key, k), f: NO_ROOM };
        case ">":
          return { t: NO_ROOM, f: atMost(key, k) };
        case ">=":
          return { t: NO_ROOM, f: atMost(key, k - 1) };
        case "==":
          return { t: atMost(key, k), f: NO_ROOM };
        default:
          return none;
      }
    }
    case "UnaryExpr":
      if (cond.op === "not") {
        const r = roomOf(model, cond.operand);
        return { t: r.f, f: r.t };
      }
      return none;
    case "CallExpr": {
      if (cond.callee.kind !== "MemberExpr") return none;
      const p = placeOf(model, cond.callee.object);
      const key = p && stateKey(p);
      if (!key) return none;
      const name = cond.callee.name.name;
      if (name === "isEmpty" && cond.args.length === 0) return { t: atMost(key, 0), f: NO_ROOM };
      if (name === "has" && cond.args.length === 1) {
        const text = immutableKeyText(model, cond.args[0]!.value);
        return text !== undefined ? { t: hasKey(key, text), f: NO_ROOM } : none;
      }
      return none;
    }
    default:
      return none;
  }
}

/** Whether evaluating `e` may call one of the rule's fns (which may write state). */
function callsFn(model: SemanticModel, e: A.Expr): boolean {
  if (e.kind === "CallExpr" && model.calls.get(e)?.kind === "fn") return true;
  switch (e.kind) {
    case "MemberExpr":
      return callsFn(model, e.object);
    case "CallExpr":
      return (e.callee.kind === "MemberExpr" && callsFn(model, e.callee.object)) || e.args.some((a) => callsFn(model, a.value));
    case "IndexExpr":
      return callsFn(model, e.object) || callsFn(model, e.index);
    case "UnaryExpr":
      return callsFn(model, e.operand);
    case "BinaryExpr":
      return callsFn(model, e.left) || callsFn(model, e.right);
    case "ListLit":
      return e.elements.some((x) => callsFn(model, x));
    case "BraceLit":
      return e.entries.some((x) => callsFn(model, x.key) || callsFn(model, x.value));
    case "StringLit":
      return e.parts.some((p) => p.kind !== "StringText" && callsFn(model, p));
    default:
      return false;
  }
}

function flip(op: string): string {
  return op === "<" ? ">" : op === ">" ? "<" : op === "<=" ? ">=" : op === ">=" ? "<=" : op;
}

/** A number the program writes, as a literal or a constant (`limits.members` is the declared limit, the value the runtime enforces). */
function intOf(model: SemanticModel, e: A.Expr): number | undefined {
  if (e.kind === "IntLit") return Number(e.value);
  const c = model.constants.get(e);
  return typeof c?.value === "number" && c.type.kind === "named" && c.type.name === "int" ? c.value : undefined;
}

/** `state.xs.size`: the key of the state place whose size it is. */
function sizeOf(model: SemanticModel, e: A.Expr): string | undefined {
  if (e.kind !== "MemberExpr" || e.name.name !== "size") return undefined;
  const p = placeOf(model, e.object);
  return p && stateKey(p);
}

/**
 * The text of a map key that names the same value wherever it is written
 * in one run: a path of fields from a `let`, a parameter or a loop
 * variable (none of which can change). Anything else has no identity.
 */
export function immutableKeyText(model: SemanticModel, e: A.Expr): string | undefined {
  let cur = e;
  while (cur.kind === "MemberExpr") {
    const t = model.members.get(cur);
    if (t?.kind === "state") return undefined;
    cur = cur.object;
  }
  if (cur.kind !== "Ident") return e.kind === "StringLit" && e.parts.every((p) => p.kind === "StringText") ? exprText(e) : undefined;
  const sym = model.symbols.get(cur);
  if (!sym || (sym.kind !== "let" && sym.kind !== "param" && sym.kind !== "for")) return undefined;
  // The symbol, not its name: a `let k` in an inner block is another `k`.
  return `${exprText(e)}#${sym.id}`;
}
