/**
 * A formula too large to keep (a fn's cost over a deep call chain, whose
 * calls pass ever longer strings: `⌈(s + 256)/4⌉` is not `⌈s/4⌉` with other
 * constants, so widening cannot merge them) is replaced by a polynomial
 * that bounds it: its terms are monomials over the limits (and the `min`s
 * and `log`s left as they are), at most one per product of them, whatever
 * the formula's size. Every step is an upper bound of what it replaces:
 *
 * - `⌈x/k⌉ ≤ (x + k − 1)/k`, `x` being a whole number;
 * - `max(p, q) ≤` the larger coefficient of each monomial (the limits are
 *   never negative, nor the coefficients);
 * - a monomial `c·m` with `c` a fraction is written `⌈a·m/b⌉ ≥ c·m`.
 *
 * The result is monotone and whole, as every formula is; it loses where its
 * parts come from (the caller attributes it to the call).
 */
import { HUGE, mulAll, num, sat, type Sym } from "./sym-base.js";
import { addAll, cdiv, log2, minAll } from "./sym-algebra.js";
import { structId } from "./sym-merge.js";

/** A fraction `n/d` (whole, non-negative, reduced). */
interface Rat {
  n: number;
  d: number;
}

interface Mono {
  c: Rat;
  /** Atoms (variables, `min`s, `log`s), sorted by their structure id. */
  atoms: Sym[];
}

type Poly = Map<string, Mono>;

/** Formulas of more nodes than this are compacted where a cost is kept for reuse (a fn's cost). */
export const COMPACT_AT = 1_000;

const MAX_DEN = 2 ** 20;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function rat(n: number, d: number): Rat {
  if (n >= HUGE) return { n: HUGE, d: 1 };
  if (d > MAX_DEN) {
    // Rounded up onto a smaller denominator (plus one for the floating point's own rounding).
    n = Math.ceil((n * MAX_DEN) / d) + 1;
    d = MAX_DEN;
  }
  const g = gcd(n, d) || 1;
  return { n: sat(n / g), d: d / g };
}

const ratAdd = (a: Rat, b: Rat): Rat => rat(a.n * b.d + b.n * a.d, a.d * b.d);
const ratMul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d);
const ratMax = (a: Rat, b: Rat): Rat => (a.n * b.d >= b.n * a.d ? a : b);

function keyOf(atoms: readonly Sym[]): string {
  return atoms.map((a) => structId(a)).join(",");
}

function single(atoms: Sym[], c: Rat): Poly {
  return new Map([[keyOf(atoms), { c, atoms }]]);
}

function plusInto(into: Poly, p: Poly): void {
  for (const [k, m] of p) {
    const prev = into.get(k);
    into.set(k, prev ? { c: ratAdd(prev.c, m.c), atoms: m.atoms } : m);
  }
}

function times(a: Poly, b: Poly): Poly {
  const out: Poly = new Map();
  for (const x of a.values()) {
    for (const y of b.values()) {
      const atoms = [...x.atoms, ...y.atoms].sort((p, q) => structId(p) - structId(q));
      plusInto(out, single(atoms, ratMul(x.c, y.c)));
    }
  }
  return out;
}

function scale(p: Poly, c: Rat): Poly {
  const out: Poly = new Map();
  for (const [k, m] of p) out.set(k, { c: ratMul(m.c, c), atoms: m.atoms });
  return out;
}

/** The polynomial bounding `s`, each node's once (formulas share their parts). */
function poly(s: Sym, memo: Map<Sym, Poly>): Poly {
  const known = memo.get(s);
  if (known) return known;
  let p: Poly;
  switch (s.k) {
    case "num":
      p = single([], rat(s.v, 1));
      break;
    case "var":
      p = single([s], rat(1, 1));
      break;
    case "at":
      p = poly(s.x, memo);
      break;
    case "add":
      p = new Map();
      for (const x of s.xs) plusInto(p, poly(x, memo));
      break;
    case "mul":
      p = single([], rat(1, 1));
      for (const x of s.xs) p = times(p, poly(x, memo));
      break;
    case "max":
      p = new Map();
      for (const x of s.xs) {
        for (const [k, m] of poly(x, memo)) {
          const prev = p.get(k);
          p.set(k, prev ? { c: ratMax(prev.c, m.c), atoms: m.atoms } : m);
        }
      }
      break;
    case "cdiv":
      p = scale(poly(s.x, memo), rat(1, s.by));
      plusInto(p, single([], rat(s.by - 1, s.by)));
      break;
    case "min":
      p = atom(minAll(s.xs.map((x) => compact(x, memo))), memo);
      break;
    case "log":
      p = atom(log2(compact(s.xs[0], memo)), memo);
      break;
  }
  memo.set(s, p);
  return p;
}

/** A `min` or `log` of compacted arguments, a factor of monomials (or what it simplified to). */
function atom(a: Sym, memo: Map<Sym, Poly>): Poly {
  return a.k === "min" || a.k === "log" ? single([a], rat(1, 1)) : poly(a, memo);
}

/** `s` as a sum of monomials, an upper bound of it of at most one term per product of atoms. */
export function compact(s: Sym, memo = new Map<Sym, Poly>()): Sym {
  const terms: Sym[] = [];
  for (const m of poly(s, memo).values()) {
    if (m.c.n === 0) continue;
    const body = mulAll([num(m.c.n), ...m.atoms]);
    terms.push(m.c.d === 1 ? body : cdiv(body, m.c.d));
  }
  return addAll(terms);
}
