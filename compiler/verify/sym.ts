/**
 * Symbolic upper bounds: small monotone expressions over the rule's limits
 * (`members`, `text`, `state.lastPost`, ...). Constants, variables, `+`, `×`,
 * `max`, `min` and `⌈x/k⌉` over non-negative integers only, so every
 * expression is monotone in every variable: evaluating it at the limits
 * gives an upper bound, and the largest value of one limit that keeps it
 * under a budget can be found by bisection.
 *
 * `at` nodes carry where a part of the bound comes from (a call, a loop),
 * so the explanation can name the dominant term's source line.
 */
import type { Span } from "../diagnostics/diagnostic.js";

export type Sym =
  | { k: "num"; v: number }
  | { k: "var"; name: string }
  | { k: "add"; xs: Sym[] }
  | { k: "mul"; xs: Sym[] }
  | { k: "max"; xs: Sym[] }
  | { k: "min"; xs: Sym[] }
  | { k: "cdiv"; x: Sym; by: number }
  | { k: "at"; x: Sym; span: Span; label: string };

/** Saturate instead of losing precision: past 2^53 a bound is "too big" anyway. */
export const HUGE = Number.MAX_SAFE_INTEGER;

const sat = (v: number): number => (v > HUGE || !Number.isFinite(v) ? HUGE : v);

/**
 * `n.toLocaleString("en-US")`, which is slow (Intl), by hand for the
 * non-negative safe integers every bound is (`1,234,567`); others through Intl.
 */
export function fmt(n: number): string {
  if (!Number.isSafeInteger(n) || !(n > 0 || Object.is(n, 0))) return n.toLocaleString("en-US");
  const s = String(n);
  if (s.length <= 3) return s;
  const head = s.length % 3 || 3;
  let out = s.slice(0, head);
  for (let i = head; i < s.length; i += 3) out += "," + s.slice(i, i + 3);
  return out;
}

export const ZERO: Sym = { k: "num", v: 0 };
export const ONE: Sym = { k: "num", v: 1 };

/** Small constants, made once: bounds are made by the thousand and never mutated. */
const SMALL: Sym[] = [];
for (let i = 0; i < 1024; i++) SMALL.push(i === 0 ? ZERO : i === 1 ? ONE : { k: "num", v: i });

export function num(v: number): Sym {
  if (v >= 0 && v < 1024 && Number.isInteger(v)) return SMALL[v]!;
  return { k: "num", v: sat(Math.max(0, Math.ceil(v))) };
}

export function v(name: string): Sym {
  return { k: "var", name };
}

export function isZero(s: Sym): boolean {
  return s.k === "num" && s.v === 0;
}

function strip(s: Sym): Sym {
  return s.k === "at" ? strip(s.x) : s;
}

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

/** `text + 2 × text` → `3 × text` (terms without provenance only, so no source location is lost). */
function mergeLikeTerms(xs: Sym[]): Sym[] {
  let candidates = 0;
  for (const x of xs) if (x.k !== "at" && x.k !== "num") candidates++;
  // Fewer than two terms that could merge: each is only put in `coeff × rest` form, as below.
  if (candidates < 2) {
    // `xs` is the caller's own array: rewritten in place, where needed.
    if (candidates === 0) return xs;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x.k === "mul" && x.xs[0]!.k === "num") {
        const coeff = x.xs[0]!.v;
        const rest: Sym = x.xs.length === 2 ? x.xs[1]! : { k: "mul", xs: x.xs.slice(1) };
        xs[i] = coeff === 1 ? rest : { k: "mul", xs: [num(coeff), rest] };
      }
    }
    return xs;
  }
  const byKey = new Map<number, { coeff: number; rest: Sym; index: number }>();
  const out: (Sym | undefined)[] = [];
  for (const x of xs) {
    if (x.k === "at" || x.k === "num") {
      out.push(x);
      continue;
    }
    let coeff = 1;
    let rest: Sym = x;
    if (x.k === "mul" && x.xs[0]!.k === "num") {
      coeff = x.xs[0]!.v;
      rest = x.xs.length === 2 ? x.xs[1]! : { k: "mul", xs: x.xs.slice(1) };
    }
    const key = structId(rest);
    const prev = byKey.get(key);
    if (prev) {
      prev.coeff += coeff;
      out[prev.index] = undefined;
    }
    const entry = prev ?? { coeff, rest, index: -1 };
    entry.index = out.length;
    byKey.set(key, entry);
    out.push(entry.coeff === 1 ? rest : { k: "mul", xs: [num(entry.coeff), rest] });
  }
  return out.filter((x): x is Sym => x !== undefined);
}

/**
 * A number per structure: two formulas equal but for provenance get the
 * same one. Computed once per node (a walk of a shared formula visits each
 * node once), with a table that starts over when it gets large.
 */
let structIds = new WeakMap<Sym, number>();
let structTable = new Map<string, number>();

/** The same number for formulas equal but for provenance (`at`). */
export function structId(s: Sym): number {
  let id = structIds.get(s);
  if (id !== undefined) return id;
  let key: string;
  switch (s.k) {
    case "num":
      key = `n${s.v}`;
      break;
    case "var":
      key = `v${s.name}`;
      break;
    case "cdiv":
      key = `c${s.by}(${structId(s.x)})`;
      break;
    case "at":
      key = `a(${structId(s.x)})`;
      break;
    default:
      key = `${s.k}(${s.xs.map(structId).join(",")})`;
  }
  if (structTable.size > 1_000_000) {
    structTable = new Map();
    structIds = new WeakMap();
  }
  id = structTable.get(key);
  if (id === undefined) structTable.set(key, (id = structTable.size));
  structIds.set(s, id);
  return id;
}

/**
 * A sum with more terms than `WIDEN_AT`, or larger than `WIDEN_SIZE` nodes,
 * is widened: terms alike but for their constants become one, with the
 * larger constants and the summed coefficients (every formula being
 * monotone, that bounds them all), and the first one's provenance. Bounds
 * of real rules stay exact and explain every part; a bound over a call tree
 * (a fn calling another twice, that one another twice...) cannot grow with
 * the tree.
 */
const WIDEN_AT = 64;
const WIDEN_SIZE = 2_000;

/** The nodes of a formula, each occurrence counted (memoised: formulas are shared, never changed). */
const sizes = new WeakMap<Sym, number>();

function sizeOf(s: Sym): number {
  if (s.k === "num" || s.k === "var") return 1;
  let n = sizes.get(s);
  if (n !== undefined) return n;
  n = 1;
  if (s.k === "cdiv" || s.k === "at") n += sizeOf(s.x);
  else for (const x of s.xs) n += sizeOf(x);
  sizes.set(s, n);
  return n;
}

function sizeOfAll(xs: readonly Sym[]): number {
  let n = 1;
  for (const x of xs) n += sizeOf(x);
  return n;
}

function widen(xs: Sym[]): Sym[] {
  const groups = new Map<number, { coeff: number; rest: Sym; at: Extract<Sym, { k: "at" }> | undefined }>();
  const out: Sym[] = [];
  for (const x of xs) {
    const b = strip(x);
    if (b.k === "num") {
      out.push(x);
      continue;
    }
    let coeff = 1;
    let rest: Sym = b;
    if (b.k === "mul" && b.xs[0]!.k === "num") {
      coeff = b.xs[0]!.v;
      rest = mulAll(b.xs.slice(1));
    }
    const key = shapeId(rest);
    const g = groups.get(key);
    if (g) {
      g.coeff += coeff;
      g.rest = largerConstants(g.rest, rest);
    } else {
      groups.set(key, { coeff, rest, at: x.k === "at" ? x : undefined });
    }
  }
  for (const g of groups.values()) {
    const term = mulAll([num(g.coeff), g.rest]);
    out.push(g.at ? { k: "at", x: term, span: g.at.span, label: g.at.label } : term);
  }
  return out;
}

/** `structId` with every constant alike: the shape `largerConstants` can merge. */
let shapeIds = new WeakMap<Sym, number>();
let shapeTable = new Map<string, number>();

function shapeId(s: Sym): number {
  let id = shapeIds.get(s);
  if (id !== undefined) return id;
  let key: string;
  switch (s.k) {
    case "num":
      key = "n";
      break;
    case "var":
      key = `v${s.name}`;
      break;
    case "cdiv":
      key = `c${s.by}(${shapeId(s.x)})`;
      break;
    case "at":
      return shapeId(s.x);
    default:
      key = `${s.k}(${s.xs.map(shapeId).join(",")})`;
  }
  if (shapeTable.size > 1_000_000) {
    shapeTable = new Map();
    shapeIds = new WeakMap();
  }
  id = shapeTable.get(key);
  if (id === undefined) shapeTable.set(key, (id = shapeTable.size));
  shapeIds.set(s, id);
  return id;
}

export function mul(...xs: Sym[]): Sym {
  return mulAll(xs);
}

/** `mul` of an array (not changed). */
export function mulAll(xs: readonly Sym[]): Sym {
  const out: Sym[] = [];
  let c = 1;
  for (const x of xs) {
    const b = strip(x);
    if (b.k === "num") c *= b.v;
    else if (x.k === "mul") {
      for (const y of x.xs) {
        const yb = strip(y);
        if (yb.k === "num") c *= yb.v;
        else out.push(y);
      }
    } else out.push(x);
  }
  if (c === 0) return ZERO;
  if (c !== 1) out.unshift(num(c));
  if (out.length === 0) return ONE;
  if (out.length === 1) return out[0]!;
  return { k: "mul", xs: out };
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
      out[i] = largerConstants(o, b);
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
    case "at":
      return atZero(s.x);
  }
}

/**
 * Are `a` and `b` the same expression once their constants are left out
 * (and their provenance)? Constants match constants, variables their name,
 * operations their kind, arity (and divisor) and arguments, in order.
 */
function sameShape(a: Sym, b: Sym): boolean {
  const x = strip(a);
  const y = strip(b);
  if (x.k !== y.k) return false;
  switch (x.k) {
    case "num":
      return true;
    case "var":
      return x.name === (y as { name: string }).name;
    case "cdiv": {
      const z = y as { x: Sym; by: number };
      return String(x.by) === String(z.by) && sameShape(x.x, z.x);
    }
    case "add":
    case "mul":
    case "max":
    case "min": {
      const ys = (y as { xs: Sym[] }).xs;
      if (x.xs.length !== ys.length) return false;
      for (let i = 0; i < ys.length; i++) if (!sameShape(x.xs[i]!, ys[i]!)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** `a` and `b` of the same shape: the expression with the larger constant at each place. */
function largerConstants(a: Sym, b: Sym): Sym {
  const x = strip(a);
  const y = strip(b);
  if (x.k === "num" && y.k === "num") return num(Math.max(x.v, y.v));
  if ((x.k === "add" || x.k === "mul" || x.k === "max" || x.k === "min") && x.k === y.k) {
    const ys = (y as { xs: Sym[] }).xs;
    const parts = x.xs.map((xi, i) => largerConstants(xi, ys[i]!));
    return { k: x.k, xs: parts } as Sym;
  }
  if (x.k === "cdiv" && y.k === "cdiv") return { k: "cdiv", x: largerConstants(x.x, y.x), by: x.by };
  return x;
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
      return s.xs.some((x) => mentions(x, name));
    case "cdiv":
    case "at":
      return mentions(s.x, name);
  }
}

export function variables(s: Sym, out = new Set<string>()): Set<string> {
  switch (s.k) {
    case "num":
      break;
    case "var":
      out.add(s.name);
      break;
    case "add":
    case "mul":
    case "max":
    case "min":
      for (const x of s.xs) variables(x, out);
      break;
    case "cdiv":
    case "at":
      variables(s.x, out);
      break;
  }
  return out;
}

/** Replaces variables (used for loop accumulators). */
export function substitute(s: Sym, name: string, by: Sym): Sym {
  switch (s.k) {
    case "num":
      return s;
    case "var":
      return s.name === name ? by : s;
    case "add":
      return add(...s.xs.map((x) => substitute(x, name, by)));
    case "mul":
      return mul(...s.xs.map((x) => substitute(x, name, by)));
    case "max":
      return max(...s.xs.map((x) => substitute(x, name, by)));
    case "min":
      return min(...s.xs.map((x) => substitute(x, name, by)));
    case "cdiv":
      return cdiv(substitute(s.x, name, by), s.by);
    case "at":
      return at(substitute(s.x, name, by), s.span, s.label);
  }
}

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
    case "at":
      return evaluate(s.x, env);
  }
}

// ------------------------------------------------------------------ printing

const PREC = { add: 1, mul: 2, atom: 3 } as const;

function prec(s: Sym): number {
  const b = strip(s);
  return b.k === "add" ? PREC.add : b.k === "mul" ? PREC.mul : PREC.atom;
}

/** `40 + members × (12 + ⌈subject/64⌉ + ⌈text/64⌉)` */
export function show(s: Sym): string {
  switch (s.k) {
    case "num":
      return fmt(s.v);
    case "var":
      return s.name;
    case "add":
      return orderTerms(s.xs).map(show).join(" + ");
    case "mul":
      return s.xs.map((x) => (prec(x) < PREC.mul ? `(${show(x)})` : show(x))).join(" × ");
    case "max":
      return `max(${s.xs.map(show).join(", ")})`;
    case "min":
      return `min(${s.xs.map(show).join(", ")})`;
    case "cdiv":
      return prec(s.x) < PREC.atom ? `⌈(${show(s.x)})/${s.by}⌉` : `⌈${show(s.x)}/${s.by}⌉`;
    case "at":
      return show(s.x);
  }
}

/** Constants first, then the rest as written: formulas read like the brief's examples. */
function orderTerms(xs: Sym[]): Sym[] {
  const c = xs.filter((x) => strip(x).k === "num");
  return [...c, ...xs.filter((x) => strip(x).k !== "num")];
}

// ------------------------------------------------------------------ terms

export interface Term {
  /** The product without its constant factor, as printed (`members × ⌈text/16⌉`); "" for a constant. */
  product: string;
  coeff: number;
  /** coeff × product, evaluated. */
  value: number;
  /** The innermost source location that produced it. */
  span: Span | undefined;
  label: string | undefined;
}

/**
 * Expands a bound into a sum of products evaluated at `env`, for the printed
 * formula and the dominant term. `max` takes the branch that is largest at
 * `env` (the verifier's worst-case choice); `⌈x/k⌉` and `min` stay atoms.
 * The terms add up to evaluate(s, env) exactly.
 */
export function terms(s: Sym, env: Env): Term[] {
  type Part = { factors: Sym[]; span: Span | undefined; label: string | undefined };
  const merged = new Map<string, Term>();
  // One part (a product, with where it comes from) into the terms.
  const addPart = (factors: readonly Sym[], span: Span | undefined, label: string | undefined): void => {
    let coeff = 1;
    let rest: Sym[] | undefined;
    let only: Sym | undefined;
    for (const f of factors) {
      const b = strip(f);
      if (b.k === "num") coeff *= b.v;
      else if (only === undefined && rest === undefined) only = b;
      else {
        rest ??= [only!];
        rest.push(b);
      }
    }
    if (coeff === 0) return;
    let product = "";
    let value = coeff;
    if (rest) {
      // Sorted by their printed form, each printed once.
      const shown = rest.map((r) => ({ r, text: show(r) }));
      shown.sort((a, b) => (a.text < b.text ? -1 : 1));
      product = shown.map((x) => (prec(x.r) < PREC.mul ? `(${x.text})` : x.text)).join(" × ");
      value = sat(coeff * evaluate(mul(...shown.map((x) => x.r)), env));
    } else if (only) {
      product = prec(only) < PREC.mul ? `(${show(only)})` : show(only);
      value = sat(coeff * evaluate(only, env));
    }
    const key = `${product}@${span?.start ?? -1}`;
    const prev = merged.get(key);
    if (prev) {
      prev.coeff = sat(prev.coeff + coeff);
      prev.value = sat(prev.value + value);
    } else merged.set(key, { product, coeff, value, span, label });
  };
  // The parts of `x`, in order, into `out` (or straight into the terms when `out` is undefined).
  const expand = (x: Sym, span: Span | undefined, label: string | undefined, out: Part[] | undefined): void => {
    switch (x.k) {
      case "at":
        expand(x.x, x.span, x.label, out);
        return;
      case "add":
        for (const y of x.xs) expand(y, span, label, out);
        return;
      case "mul": {
        let parts: Part[] = [{ factors: [], span, label }];
        for (const f of x.xs) {
          const fp: Part[] = [];
          expand(f, span, label, fp);
          const next: Part[] = [];
          for (const p of parts) {
            for (const q of fp) {
              next.push({ factors: [...p.factors, ...q.factors], span: q.span ?? p.span, label: q.label ?? p.label });
            }
          }
          parts = next;
        }
        for (const p of parts) {
          if (out) out.push(p);
          else addPart(p.factors, p.span, p.label);
        }
        return;
      }
      case "max": {
        let best = x.xs[0]!;
        let bestVal = -1;
        for (const y of x.xs) {
          const val = evaluate(y, env);
          if (val > bestVal) {
            best = y;
            bestVal = val;
          }
        }
        expand(best, span, label, out);
        return;
      }
      default:
        if (out) out.push({ factors: [x], span, label });
        else addPart([x], span, label);
    }
  };
  expand(s, undefined, undefined, undefined);
  return [...merged.values()].sort((a, b) => b.value - a.value);
}

/** Terms with the same product summed, whatever their source: the printed formula. */
export function formula(ts: readonly Term[]): string {
  const byProduct = new Map<string, number>();
  for (const t of ts) byProduct.set(t.product, sat((byProduct.get(t.product) ?? 0) + t.coeff));
  const parts = [...byProduct].sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.length - b.length || (a < b ? -1 : 1)));
  if (parts.length === 0) return "0";
  return parts
    .map(([p, c]) => (p === "" ? fmt(c) : c === 1 ? p : `${fmt(c)} × ${p}`))
    .join(" + ");
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
