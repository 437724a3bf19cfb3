/**
 * The algebra of bounds: sums, maxima, minima and `⌈x/k⌉`, each simplified
 * as it is built (constants folded, zeros dropped, like terms merged —
 * sym-merge.ts), provenance (`at`), and the walks over a formula's
 * variables (`mentions`, `variables`, `substitute`).
 */
import type { Span } from "../diagnostics/diagnostic.js";
import { bitLength } from "../../stdlib/cost-eval.js";
import { isZero, mul, num, strip, ZERO, type Sym } from "./sym-base.js";
import { largerConstants, mergeLikeTerms, sameShape, sizeOfAll, widen, WIDEN_AT, WIDEN_SIZE } from "./sym-merge.js";

/**
 * Whether `add` (`max` when `inMax`) of `x` alone gives back `x` itself:
 * a constant (even one with provenance) is rebuilt, a sum flattened by
 * `add` and a product put in `coeff × rest` form, a maximum flattened by `max`.
 */
function keptAlone(x: Sym, inMax: boolean): boolean {
  switch (x.k) {
    case "var":
    case "cdiv":
    case "min":
    case "log":
      return true;
    case "at":
      return strip(x).k !== "num";
    case "max":
      return !inMax;
    case "add":
    case "mul":
      return inMax;
    default:
      return false;
  }
}

export function add(...xs: Sym[]): Sym {
  return addAll(xs);
}

/** `add(a, b)`, without an array when both are constants (most statements' costs). */
export function add2(a: Sym, b: Sym): Sym {
  const x = strip(a);
  const y = strip(b);
  if (x.k === "num" && y.k === "num") return num(x.v + y.v);
  return addAll([a, b]);
}

/** `add` of an array (not changed). */
export function addAll(xs: readonly Sym[]): Sym {
  // A zero adds nothing (to the constant or the terms): the common `x + 0` costs nothing.
  if (xs.length === 2) {
    const a = xs[0]!;
    const b = xs[1]!;
    if (b === ZERO && (a === ZERO || keptAlone(a, false))) return a;
    if (a === ZERO && keptAlone(b, false)) return b;
  }
  // Two passes: the constant and the number of terms, then the terms into an
  // array of the right size (bounds are made by the thousand).
  let n = 0;
  let c = 0;
  for (const x of xs) {
    const b = strip(x);
    if (b.k === "num") c += b.v;
    else if (x.k === "add") {
      for (const y of x.xs) {
        const yb = strip(y);
        if (yb.k === "num") c += yb.v;
        else n++;
      }
    } else n++;
  }
  // Only constants: their sum (what the rest below would give).
  if (n === 0) return num(c);
  const out: Sym[] = new Array<Sym>(c > 0 ? n + 1 : n);
  let i = 0;
  for (const x of xs) {
    if (strip(x).k === "num") continue;
    if (x.k === "add") {
      for (const y of x.xs) if (strip(y).k !== "num") out[i++] = y;
    } else out[i++] = x;
  }
  if (c > 0) out[i] = num(c);
  let merged = mergeLikeTerms(out);
  if (merged.length > WIDEN_AT || sizeOfAll(merged) > WIDEN_SIZE) merged = widen(merged);
  if (merged.length === 0) return ZERO;
  if (merged.length === 1) return merged[0]!;
  return { k: "add", xs: merged };
}

export function max(...xs: Sym[]): Sym {
  return maxAll(xs);
}

/** `max(a, b)`, without an array when both are constants. */
export function max2(a: Sym, b: Sym): Sym {
  const x = strip(a);
  const y = strip(b);
  if (x.k === "num" && y.k === "num") return num(Math.max(x.v, y.v));
  return maxAll([a, b]);
}

/** `max` of an array (not changed). */
export function maxAll(xs: readonly Sym[]): Sym {
  // A zero never raises the maximum: `max(x, 0)` is x.
  if (xs.length === 2) {
    const a = xs[0]!;
    const b = xs[1]!;
    if (b === ZERO && (a === ZERO || keptAlone(a, true))) return a;
    if (a === ZERO && keptAlone(b, true)) return b;
  }
  const out: Sym[] = [];
  let c = 0;
  for (const y of xs) {
    if (y.k === "max") for (const x of y.xs) c = maxArg(x, out, c);
    else c = maxArg(y, out, c);
  }
  // A constant no larger than some argument's value at all-zero limits never wins.
  if (c > 0 && !someAtZeroReaches(out, c)) out.push(num(c));
  if (out.length === 0) return ZERO;
  if (out.length === 1) return out[0]!;
  return { k: "max", xs: out };
}

function someAtZeroReaches(xs: readonly Sym[], c: number): boolean {
  for (const x of xs) if (atZero(x) >= c) return true;
  return false;
}

/** One argument of `max`: a constant raises `c` (returned); otherwise it joins `out` or the argument of its shape. */
function maxArg(x: Sym, out: Sym[], c: number): number {
  const b = strip(x);
  if (b.k === "num") return Math.max(c, b.v);
  // Two arguments alike but for their constants: every constant is a
  // monotone position, so the one with the larger constants bounds both.
  // (largerConstants keeps the shape, so each of `out` is compared as it was added.)
  for (let i = 0; i < out.length; i++) {
    const o = strip(out[i]!);
    if (sameShape(o, b)) {
      out[i] = largerConstants(out[i]!, x);
      return c;
    }
  }
  out.push(x);
  return c;
}


/** The value with every variable at 0: a lower bound, every formula being monotone. */
function atZero(s: Sym): number {
  switch (s.k) {
    case "num":
      return s.v;
    case "var":
      return 0;
    case "add":
      return s.xs.reduce((a, x) => a + atZero(x), 0);
    case "mul":
      return s.xs.reduce((a, x) => a * atZero(x), 1);
    case "max":
      return Math.max(...s.xs.map(atZero));
    case "min":
      return Math.min(...s.xs.map(atZero));
    case "cdiv":
      return Math.ceil(atZero(s.x) / s.by);
    case "log":
      return bitLength(atZero(s.xs[0]));
    case "at":
      return atZero(s.x);
  }
}

export function min(...xs: Sym[]): Sym {
  return minAll(xs);
}

/** `min` of an array (not changed). */
export function minAll(xs: readonly Sym[]): Sym {
  const flat = xs.flatMap((y) => (y.k === "min" ? y.xs : [y]));
  const nums = flat.map(strip).filter((x): x is { k: "num"; v: number } => x.k === "num");
  if (nums.length === flat.length) return num(Math.min(...nums.map((n) => n.v)));
  if (nums.some((n) => n.v === 0)) return ZERO;
  const rest = flat.filter((x) => strip(x).k !== "num");
  const c = nums.length ? [num(Math.min(...nums.map((n) => n.v)))] : [];
  const all = [...rest, ...c];
  return all.length === 1 ? all[0]! : { k: "min", xs: all };
}

export function cdiv(x: Sym, by: number): Sym {
  if (by <= 1) return x;
  const b = strip(x);
  if (b.k === "num") return num(Math.ceil(b.v / by));
  return { k: "cdiv", x, by };
}

/** `⌈log₂(x + 1)⌉`: a constant folded, a variable kept as a node. */
export function log2(x: Sym): Sym {
  const b = strip(x);
  if (b.k === "num") return num(bitLength(b.v));
  return { k: "log", xs: [x] };
}

/** Marks where this part of a bound comes from. */
export function at(x: Sym, span: Span, label: string): Sym {
  if (isZero(x)) return x;
  return { k: "at", x, span, label };
}

export function mentions(s: Sym, name: string): boolean {
  switch (s.k) {
    case "num":
      return false;
    case "var":
      return s.name === name;
    case "add":
    case "mul":
    case "max":
    case "min":
    case "log":
      return s.xs.some((x) => mentions(x, name));
    case "cdiv":
    case "at":
      return mentions(s.x, name);
  }
}

export function variables(s: Sym, out = new Set<string>()): Set<string> {
  varsOf(s, out, new Set());
  return out;
}

/** Each shared part walked once (a fn's cost repeats its callee's, by reference). */
function varsOf(s: Sym, out: Set<string>, seen: Set<Sym>): void {
  switch (s.k) {
    case "num":
      return;
    case "var":
      out.add(s.name);
      return;
  }
  if (seen.has(s)) return;
  seen.add(s);
  if (s.k === "cdiv" || s.k === "at") varsOf(s.x, out, seen);
  else for (const x of s.xs) varsOf(x, out, seen);
}

/**
 * Replaces a variable (loop accumulators, a fn's parameters): each shared
 * part rewritten once, and a part without the variable kept as it is.
 */
export function substitute(s: Sym, name: string, by: Sym): Sym {
  return subst(s, name, by, new Map());
}

function subst(s: Sym, name: string, by: Sym, memo: Map<Sym, Sym>): Sym {
  if (s.k === "num") return s;
  if (s.k === "var") return s.name === name ? by : s;
  const known = memo.get(s);
  if (known) return known;
  let r: Sym;
  if (s.k === "cdiv" || s.k === "at") {
    const x = subst(s.x, name, by, memo);
    r = x === s.x ? s : s.k === "cdiv" ? cdiv(x, s.by) : at(x, s.span, s.label);
  } else {
    const xs = s.xs.map((x) => subst(x, name, by, memo));
    if (xs.every((x, i) => x === s.xs[i])) r = s;
    else if (s.k === "add") r = addAll(xs);
    else if (s.k === "mul") r = mul(...xs);
    else if (s.k === "max") r = maxAll(xs);
    else if (s.k === "min") r = minAll(xs);
    else r = log2(xs[0]!);
  }
  memo.set(s, r);
  return r;
}
