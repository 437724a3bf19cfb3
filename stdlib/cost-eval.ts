/**
 * The one interpreter of cost expressions, generic over its number domain:
 * the runtime evaluates a cost on actual sizes (numbers) before a call runs,
 * the verifier evaluates the same expression on symbolic upper bounds, and
 * the printer shows it. One formula, interpreted twice, cannot drift.
 */
import type { CostExpr } from "./decl.js";

export interface CostDomain<T> {
  num(n: number): T;
  add(xs: T[]): T;
  mul(xs: T[]): T;
  max(xs: T[]): T;
  min(xs: T[]): T;
  ceilDiv(x: T, by: number): T;
  /** `⌈log₂(x + 1)⌉`, the bit length of x (stdlib/decl.ts). */
  log2(x: T): T;
}

/** How to read the sizes of a call's arguments in a domain. */
export interface CostSizes<T> {
  /** A string's length in UTF-16 code units, a collection's element count. */
  size(name: string): T;
  /** The sum of the sizes of a collection's elements. */
  total(name: string): T;
  /** A limit's value. */
  limit(name: string): T;
}

/** The sizes a result bound reads: also an int argument's value, undefined when it is not known. */
export interface BoundSizes<T> extends CostSizes<T> {
  value(name: string): T | undefined;
}

export function evalCost<T>(e: CostExpr, sizes: CostSizes<T>, d: CostDomain<T>): T {
  if (typeof e === "number") return d.num(e);
  if ("size" in e) return sizes.size(e.size);
  if ("total" in e) return sizes.total(e.total);
  if ("limit" in e) return sizes.limit(e.limit);
  if ("value" in e) throw new Error(`a cost reads the value of ${e.value}: only result sizes may (stdlib/decl.ts)`);
  if ("add" in e) return d.add(e.add.map((x) => evalCost(x, sizes, d)));
  if ("mul" in e) return d.mul(e.mul.map((x) => evalCost(x, sizes, d)));
  if ("max" in e) return d.max(e.max.map((x) => evalCost(x, sizes, d)));
  if ("min" in e) return d.min(e.min.map((x) => evalCost(x, sizes, d)));
  if ("log2" in e) return d.log2(evalCost(e.log2[0], sizes, d));
  return d.ceilDiv(evalCost(e.ceilDiv, sizes, d), e.by);
}

/**
 * A result bound (`resultSize`, `elementSize`, `resultTotal`): like
 * `evalCost`, but an int argument's value may be unknown (undefined). A
 * `min` keeps its known operands; anything else built from an unknown is
 * unknown, and so is the whole bound (the caller refuses what it cannot bound).
 */
export function evalBound<T>(e: CostExpr, sizes: BoundSizes<T>, d: CostDomain<T>): T | undefined {
  if (typeof e === "number") return d.num(e);
  if ("size" in e) return sizes.size(e.size);
  if ("total" in e) return sizes.total(e.total);
  if ("limit" in e) return sizes.limit(e.limit);
  if ("value" in e) return sizes.value(e.value);
  if ("ceilDiv" in e) {
    const x = evalBound(e.ceilDiv, sizes, d);
    return x === undefined ? undefined : d.ceilDiv(x, e.by);
  }
  if ("log2" in e) {
    const x = evalBound(e.log2[0], sizes, d);
    return x === undefined ? undefined : d.log2(x);
  }
  const [op, args] = Object.entries(e)[0] as ["add" | "mul" | "max" | "min", CostExpr[]];
  const xs = args.map((x) => evalBound(x, sizes, d));
  const known = xs.filter((x): x is T => x !== undefined);
  if (op === "min") return known.length ? d.min(known) : undefined;
  if (known.length < xs.length) return undefined;
  return d[op](known);
}

/** Integers, for the runtime: charge = evalCost(cost, actualSize, numberDomain). */
export const numberDomain: CostDomain<number> = {
  num: (n) => n,
  add: (xs) => xs.reduce((a, b) => a + b, 0),
  mul: (xs) => xs.reduce((a, b) => a * b, 1),
  max: (xs) => Math.max(0, ...xs),
  min: (xs) => (xs.length ? Math.min(...xs) : 0),
  ceilDiv: (x, by) => Math.ceil(x / by),
  log2: bitLength,
};

/** `⌈log₂(x + 1)⌉` for a non-negative integer x: its number of binary digits (exact past 2^32, where clz32 stops). */
export function bitLength(x: number): number {
  let n = 0;
  for (let y = Math.floor(x); y >= 1; y = Math.floor(y / 2)) n++;
  return n;
}

/** The names a cost expression reads with `size(...)`. */
export function costSizes(e: CostExpr, out = new Set<string>()): Set<string> {
  if (typeof e === "number") return out;
  if ("size" in e) out.add(e.size);
  else if ("total" in e) out.add(e.total);
  else if ("limit" in e || "value" in e) return out;
  else if ("ceilDiv" in e) costSizes(e.ceilDiv, out);
  else for (const x of Object.values(e)[0] as CostExpr[]) costSizes(x, out);
  return out;
}

/** `5 + ⌈size(self)/16⌉`, for docs and hover. */
export function showCost(e: CostExpr): string {
  if (typeof e === "number") return String(e);
  if ("size" in e) return `size(${e.size})`;
  if ("total" in e) return `total(${e.total})`;
  if ("limit" in e) return `limits.${e.limit}`;
  if ("value" in e) return `value(${e.value})`;
  if ("ceilDiv" in e) return `⌈${showCost(e.ceilDiv)}/${e.by}⌉`;
  if ("log2" in e) return `log₂(${showCost(e.log2[0])})`;
  if ("add" in e) return e.add.map(showCost).join(" + ");
  if ("mul" in e) return e.mul.map((x) => (typeof x === "object" && "add" in x ? `(${showCost(x)})` : showCost(x))).join(" × ");
  if ("max" in e) return `max(${e.max.map(showCost).join(", ")})`;
  return `min(${e.min.map(showCost).join(", ")})`;
}
