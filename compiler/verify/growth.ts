/**
 * Loop-carried values, in one pass over a loop's body (docs/cost-model.md,
 * "Loops"). Every measure (a length, a count, a total) of every variable
 * the body changes becomes a *slot*: a symbol standing for its value at the
 * start of an iteration. After the pass, each slot's value at the end of an
 * iteration is a formula over the slots; from it the largest value over all
 * iterations is solved:
 *   next ≤ max(x, c) + d, d and c free of x   ⇒   x ≤ max(init, c) + Σ d
 * (d summed over the elements when it depends on the element's size). A
 * slot that depends on another uses the other's solution (the largest value
 * it ever has); a slot that feeds on itself (`s = s + s`) or on a slot that
 * depends on it (`a = a + b; b = b + a`) has no polynomial bound and is
 * refused. The body's cost, computed with slots, is then a formula in which
 * each slot is replaced by its solution. One pass per loop keeps the
 * verifier's work polynomial in the nesting depth.
 */
import { join, originOf, totalOf, withOrigin, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";

export interface Slot {
  name: string;
  init: Sym;
}

export class Slots {
  readonly list: Slot[] = [];
  readonly names = new Set<string>();

  constructor(private readonly fresh: () => string) {}

  /** `init` with every measure replaced by a slot. */
  abstract(init: Shape, depth = 0): Shape {
    if (depth > 8) return init;
    switch (init.t) {
      case "scalar":
        return init;
      case "str": {
        // Characters get a slot of their own, so a bound in characters (`truncate(n)`) survives the loop.
        return { ...init, len: this.slot(init.len), chars: this.slot(init.chars ?? init.len) };
      }
      case "list":
        return { ...init, count: this.slot(init.count), elem: this.abstract(init.elem, depth + 1), total: this.slot(totalOf(init)) };
      case "map":
        return { ...init, count: this.slot(init.count), key: this.abstract(init.key, depth + 1), value: this.abstract(init.value, depth + 1) };
      case "rec": {
        const fields = new Map<string, Shape>();
        for (const [k, v] of init.fields) fields.set(k, this.abstract(v, depth + 1));
        return { ...init, fields };
      }
    }
  }

  private slot(init: Sym): Sym {
    const name = this.fresh();
    this.list.push({ name, init });
    this.names.add(name);
    return S.v(name);
  }
}

/** For each slot in `p`, the matching measure of `after` (the same position in the shape). */
export function collectAfter(p: Shape, after: Shape, out: Map<string, Sym>): void {
  const put = (slot: Sym | undefined, value: Sym | undefined): void => {
    if (slot?.k !== "var" || value === undefined) return;
    const prev = out.get(slot.name);
    out.set(slot.name, prev ? S.max(prev, value) : value);
  };
  if (p.t === "str" && after.t === "str") {
    put(p.len, after.len);
    put(p.chars, after.chars ?? after.len);
  } else if (p.t === "list" && after.t === "list") {
    put(p.count, after.count);
    put(p.total, totalOf(after));
    collectAfter(p.elem, after.elem, out);
  } else if (p.t === "map" && after.t === "map") {
    put(p.count, after.count);
    collectAfter(p.key, after.key, out);
    collectAfter(p.value, after.value, out);
  } else if (p.t === "rec" && after.t === "rec") {
    for (const [k, v] of p.fields) {
      const a = after.fields.get(k);
      if (a) collectAfter(v, a, out);
    }
  }
}

/** `next ≤ max(x, c) + d`: the growth of one slot per iteration, or undefined when it feeds on itself. */
interface Step {
  d: Sym;
  c: Sym;
}

export function stepOf(after: Sym, x: string): Step | undefined {
  if (!S.mentions(after, x)) return { d: S.ZERO, c: after };
  switch (after.k) {
    case "var":
      return { d: S.ZERO, c: S.ZERO };
    case "at":
      return stepOf(after.x, x);
    case "cdiv":
      // ⌈y/k⌉ ≤ y for integers y ≥ 0.
      return stepOf(after.x, x);
    case "log":
      // ⌈log₂(y + 1)⌉ ≤ y for integers y ≥ 0.
      return stepOf(after.xs[0], x);
    case "add": {
      const withX = after.xs.filter((y) => S.mentions(y, x));
      if (withX.length !== 1) return undefined;
      const inner = stepOf(withX[0]!, x);
      if (!inner) return undefined;
      const rest = S.addAll(after.xs.filter((y) => !S.mentions(y, x)));
      return { d: S.add(inner.d, rest), c: inner.c };
    }
    case "max": {
      const ds: Sym[] = [];
      const cs: Sym[] = [];
      for (const y of after.xs) {
        const st = stepOf(y, x);
        if (!st) return undefined;
        ds.push(st.d);
        cs.push(st.c);
      }
      return { d: S.maxAll(ds), c: S.maxAll(cs) };
    }
    case "min": {
      // min(a, b) ≤ a: prefer a part free of x (the value never exceeds it).
      const free = after.xs.find((y) => !S.mentions(y, x));
      if (free) return { d: S.ZERO, c: free };
      return stepOf(after.xs[0]!, x);
    }
    default:
      return undefined;
  }
}

export interface Solution {
  /** Each slot's largest value over all iterations (element variables replaced by their largest). */
  finals: Map<string, Sym>;
  /** Slots without a polynomial bound. */
  unbounded: Set<string>;
}

/**
 * Solves the slots of one loop. `sumOver(d)` sums a per-iteration amount
 * over the iterations; `elem`, when the loop has an element variable, is
 * replaced by the largest element in every solution (a solution holds for
 * every later iteration, not only the current element's).
 */
export function solve(slots: Slots, after: Map<string, Sym>, sumOver: (d: Sym) => Sym, elem?: { name: string; max: Sym }): Solution {
  const finals = new Map<string, Sym>();
  const unbounded = new Set<string>();
  const state = new Map<string, "active" | "done">();
  const bySlot = new Map(slots.list.map((s) => [s.name, s] as const));
  const clean = (x: Sym): Sym => (elem ? S.substitute(x, elem.name, elem.max) : x);

  // Iterative depth-first order over the dependencies (a deep chain of slots must not overflow the stack).
  for (const root of slots.list) {
    if (state.has(root.name)) continue;
    const stack: { name: string; deps: string[]; i: number }[] = [];
    const enter = (name: string): void => {
      state.set(name, "active");
      const a = after.get(name);
      const deps = a ? [...S.variables(a)].filter((v) => v !== name && slots.names.has(v)) : [];
      stack.push({ name, deps, i: 0 });
    };
    enter(root.name);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.deps.length) {
        const dep = top.deps[top.i++]!;
        const st = state.get(dep);
        if (st === undefined) enter(dep);
        else if (st === "active") {
          // A cycle: every slot on it feeds on the others.
          for (const f of stack.slice(stack.findIndex((x) => x.name === dep))) unbounded.add(f.name);
        }
        continue;
      }
      stack.pop();
      state.set(top.name, "done");
      const slot = bySlot.get(top.name)!;
      let a = after.get(top.name) ?? S.v(top.name);
      for (const dep of top.deps) {
        if (unbounded.has(dep)) unbounded.add(top.name);
        a = S.substitute(a, dep, finals.get(dep) ?? slots.list.find((s) => s.name === dep)!.init);
      }
      const step = unbounded.has(top.name) ? undefined : stepOf(a, top.name);
      if (!step) {
        unbounded.add(top.name);
        finals.set(top.name, slot.init);
        continue;
      }
      const grows = S.isZero(step.d) ? S.ZERO : sumOver(step.d);
      finals.set(top.name, clean(S.add(S.max(slot.init, clean(step.c)), grows)));
    }
  }
  return { finals, unbounded };
}

/** Every slot (and element variable) in `x` replaced by its solution. */
export function substituteAll(x: Sym, finals: ReadonlyMap<string, Sym>, elem?: { name: string; max: Sym }): Sym {
  let out = x;
  const vars = S.variables(x);
  for (const v of vars) {
    const f = finals.get(v);
    if (f) out = S.substitute(out, v, f);
  }
  if (elem && vars.has(elem.name)) out = S.substitute(out, elem.name, elem.max);
  return out;
}

export function substituteShape(s: Shape, sub: (x: Sym) => Sym, depth = 0): Shape {
  if (depth > 16) return s;
  switch (s.t) {
    case "scalar":
      return s;
    case "str": {
      const o: Shape = { ...s, len: sub(s.len) };
      if (s.chars) o.chars = sub(s.chars);
      return o;
    }
    case "list": {
      const l: Shape = { ...s, count: sub(s.count), elem: substituteShape(s.elem, sub, depth + 1) };
      if (s.total) l.total = sub(s.total);
      return l;
    }
    case "map":
      return { ...s, count: sub(s.count), key: substituteShape(s.key, sub, depth + 1), value: substituteShape(s.value, sub, depth + 1) };
    case "rec": {
      const fields = new Map<string, Shape>();
      for (const [k, v] of s.fields) fields.set(k, substituteShape(v, sub, depth + 1));
      return { ...s, fields };
    }
  }
}

/**
 * A variable's shape after the loop: at each slot its solution, elsewhere
 * what the iterations built (joined, with slots replaced).
 */
export function rebuild(p: Shape, after: Shape, sub: (x: Sym) => Sym, depth = 0): Shape {
  if (depth > 16 || p.t !== after.t) return substituteShape(join(p, after), sub);
  const origin = originOf(join(p, after));
  switch (p.t) {
    case "scalar":
      return p;
    case "str": {
      const o: Shape = { t: "str", len: sub(p.len) };
      if (p.chars) o.chars = sub(p.chars);
      return withOrigin(o, origin);
    }
    case "list": {
      const a = after as Extract<Shape, { t: "list" }>;
      const l: Shape = { t: "list", count: sub(p.count), elem: rebuild(p.elem, a.elem, sub, depth + 1) };
      if (p.total) l.total = sub(p.total);
      return withOrigin(l, origin);
    }
    case "map": {
      const a = after as Extract<Shape, { t: "map" }>;
      return { t: "map", count: sub(p.count), key: rebuild(p.key, a.key, sub, depth + 1), value: rebuild(p.value, a.value, sub, depth + 1) };
    }
    case "rec": {
      const a = after as Extract<Shape, { t: "rec" }>;
      const fields = new Map<string, Shape>();
      for (const [k, v] of p.fields) {
        const x = a.fields.get(k);
        fields.set(k, x ? rebuild(v, x, sub, depth + 1) : substituteShape(v, sub, depth + 1));
      }
      for (const [k, v] of a.fields) if (!fields.has(k)) fields.set(k, substituteShape(v, sub, depth + 1));
      return withOrigin({ t: "rec", fields }, origin);
    }
  }
}
