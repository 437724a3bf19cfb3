/**
 * Evaluating bounds and searching over them: `evaluate` at the limits,
 * `largestFitting` (the largest value of one limit that keeps a bound
 * under a budget: bisection, every formula being monotone) and
 * `sumOverElements` (a per-element cost summed over elements whose sizes
 * have a known sum, instead of multiplied by their count).
 */
import type { Span } from "../diagnostics/diagnostic.js";
import { bitLength } from "../../stdlib/cost-eval.js";
import { mul, ONE, sat, ZERO, type Sym } from "./sym-base.js";
import { add, at, mentions, substitute } from "./sym-algebra.js";

export type Env = ReadonlyMap<string, number>;

export function evaluate(s: Sym, env: Env): number {
  switch (s.k) {
    case "num":
      return s.v;
    case "var": {
      const val = env.get(s.name);
      if (val === undefined) throw new Error(`no value for ${s.name}`);
      return val;
    }
    // Loops rather than reduce and spread (the same order, the same numbers).
    case "add": {
      let a = 0;
      for (const x of s.xs) a += evaluate(x, env);
      return sat(a);
    }
    case "mul": {
      let a = 1;
      for (const x of s.xs) a *= evaluate(x, env);
      return sat(a);
    }
    case "max": {
      let m = -Infinity;
      for (const x of s.xs) m = Math.max(m, evaluate(x, env));
      return m;
    }
    case "min": {
      let m = Infinity;
      for (const x of s.xs) m = Math.min(m, evaluate(x, env));
      return m;
    }
    case "cdiv":
      return Math.ceil(evaluate(s.x, env) / s.by);
    case "log":
      return bitLength(evaluate(s.xs[0], env));
    case "at":
      return evaluate(s.x, env);
  }
}

/**
 * The largest value of `name` (others fixed at `env`) that keeps `s` at or
 * under `budget`, or undefined when even 0 does not fit. Bisection is exact
 * because `s` is monotone.
 */
export function largestFitting(s: Sym, name: string, env: Env, budget: number, upTo: number): number | undefined {
  const at = (x: number): number => evaluate(s, new Map(env).set(name, x));
  if (at(0) > budget) return undefined;
  if (at(upTo) <= budget) return upTo;
  let lo = 0;
  let hi = upTo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (at(mid) <= budget) lo = mid;
    else hi = mid;
  }
  return lo;
}

// ------------------------------------------------------------------ sums over elements

interface Product {
  factors: Sym[];
  span: Span | undefined;
  label: string | undefined;
}

/** A sum of products, symbolically; undefined when a `max` or `min` holds `e` (not expanded). */
function products(s: Sym, e: string, where: Omit<Product, "factors">): Product[] | undefined {
  switch (s.k) {
    case "at":
      return products(s.x, e, { span: s.span, label: s.label });
    case "add": {
      const out: Product[] = [];
      for (const x of s.xs) {
        const p = products(x, e, where);
        if (!p) return undefined;
        out.push(...p);
      }
      return out;
    }
    case "mul": {
      let parts: Product[] = [{ factors: [], ...where }];
      for (const f of s.xs) {
        const fp = products(f, e, where);
        if (!fp) return undefined;
        parts = parts.flatMap((p) => fp.map((q) => ({ factors: [...p.factors, ...q.factors], span: q.span ?? p.span, label: q.label ?? p.label })));
      }
      return parts;
    }
    case "max":
    case "min":
      return mentions(s, e) ? undefined : [{ factors: [s], ...where }];
    default:
      return [{ factors: [s], ...where }];
  }
}

/** `x` is a sum of `e`-free terms and terms `c × e`. */
function linearIn(x: Sym, e: string): boolean {
  const ps = products(x, e, { span: undefined, label: undefined });
  return !!ps && ps.every((p) => p.factors.filter((f) => mentions(f, e)).every((f) => f.k === "var"));
}

/**
 * Σ over the elements of a collection of `body(e_i)`, where `e` stands for
 * an element's size, the elements number at most `count` and their sizes
 * add up to at most `total` (the parts of a split string). A term linear in
 * `e` sums to its value at `total`; a `⌈(a + b·e)/k⌉` term to its value at
 * `total` plus `count × (its value at 0 + 1)` for the rounding. Anything
 * else falls back to `count × body(elemMax)`.
 */
export function sumOverElements(body: Sym, e: string, count: Sym, total: Sym, elemMax: Sym): Sym {
  const fallback = (): Sym => mul(count, substitute(body, e, elemMax));
  if (!mentions(body, e)) return mul(count, body);
  const ps = products(body, e, { span: undefined, label: undefined });
  if (!ps) return fallback();
  const out: Sym[] = [];
  for (const p of ps) {
    const withE = p.factors.filter((f) => mentions(f, e));
    const rest = mul(...p.factors.filter((f) => !mentions(f, e)));
    const wrap = (x: Sym): Sym => (p.span ? at(x, p.span, p.label ?? "") : x);
    if (withE.length === 0) {
      out.push(wrap(mul(count, rest)));
      continue;
    }
    if (withE.length !== 1) return fallback();
    const f = withE[0]!;
    if (f.k === "var") {
      out.push(wrap(mul(rest, total)));
    } else if (f.k === "cdiv" && linearIn(f.x, e)) {
      out.push(wrap(mul(rest, add(substitute(f, e, total), mul(count, add(substitute(f, e, ZERO), ONE))))));
    } else {
      return fallback();
    }
  }
  return add(...out);
}
