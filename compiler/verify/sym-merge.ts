/**
 * Keeping formulas small: like terms merged (`text + 2 × text` → `3 × text`),
 * arguments alike but for their constants taken at the larger constants,
 * and a sum too long or too large widened, so a bound over a call tree
 * cannot grow with the tree. Every formula being monotone, each step gives
 * an upper bound of what it replaces.
 */
import { mulAll, num, strip, type Sym } from "./sym-base.js";

/** `text + 2 × text` → `3 × text` (terms without provenance only, so no source location is lost). */
export function mergeLikeTerms(xs: Sym[]): Sym[] {
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
 * A number per structure, computed once per node (a walk of a shared
 * formula visits each node once), with a table that starts over when it
 * gets large. `structId`: formulas equal but for provenance (`at`) get the
 * same one; `shapeId`: formulas equal but for provenance and constants (the
 * shape `largerConstants` can merge).
 */
function numbering(constants: boolean): (s: Sym) => number {
  let ids = new WeakMap<Sym, number>();
  let table = new Map<string, number>();
  const idOf = (s: Sym): number => {
    let id = ids.get(s);
    if (id !== undefined) return id;
    let key: string;
    switch (s.k) {
      case "num":
        key = constants ? `n${s.v}` : "n";
        break;
      case "var":
        key = `v${s.name}`;
        break;
      case "cdiv":
        key = `c${s.by}(${idOf(s.x)})`;
        break;
      case "at":
        return idOf(s.x);
      default:
        key = `${s.k}(${s.xs.map(idOf).join(",")})`;
    }
    if (table.size > 1_000_000) {
      table = new Map();
      ids = new WeakMap();
    }
    id = table.get(key);
    if (id === undefined) table.set(key, (id = table.size));
    ids.set(s, id);
    return id;
  };
  return idOf;
}

/** The same number for formulas equal but for provenance (`at`). */
export const structId = numbering(true);
const shapeId = numbering(false);

/**
 * A sum with more terms than `WIDEN_AT`, or larger than `WIDEN_SIZE` nodes,
 * is widened: terms alike but for their constants become one, with the
 * larger constants and the summed coefficients (every formula being
 * monotone, that bounds them all), and the first one's provenance. Bounds
 * of real rules stay exact and explain every part; a bound over a call tree
 * (a fn calling another twice, that one another twice...) cannot grow with
 * the tree.
 */
export const WIDEN_AT = 64;
export const WIDEN_SIZE = 2_000;

/** The nodes of a formula, each occurrence counted (memoised: formulas are shared, never changed). */
const sizes = new WeakMap<Sym, number>();

export function sizeOf(s: Sym): number {
  if (s.k === "num" || s.k === "var") return 1;
  let n = sizes.get(s);
  if (n !== undefined) return n;
  n = 1;
  if (s.k === "cdiv" || s.k === "at") n += sizeOf(s.x);
  else for (const x of s.xs) n += sizeOf(x);
  sizes.set(s, n);
  return n;
}

export function sizeOfAll(xs: readonly Sym[]): number {
  let n = 1;
  for (const x of xs) n += sizeOf(x);
  return n;
}

export function widen(xs: Sym[]): Sym[] {
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



/**
 * Are `a` and `b` the same expression once their constants are left out
 * (and their provenance)? Constants match constants, variables their name,
 * operations their kind, arity (and divisor) and arguments, in order.
 */
export function sameShape(a: Sym, b: Sym): boolean {
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
    case "min":
    case "log": {
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
export function largerConstants(a: Sym, b: Sym): Sym {
  const x = strip(a);
  const y = strip(b);
  if (x.k === "num" && y.k === "num") return num(Math.max(x.v, y.v));
  // Each part keeps where it comes from (the first's, else the second's): the explanation needs its line.
  const at = a.k === "at" ? a : b.k === "at" ? b : undefined;
  const keep = (r: Sym): Sym => (at ? { k: "at", x: r, span: at.span, label: at.label } : r);
  if ((x.k === "add" || x.k === "mul" || x.k === "max" || x.k === "min" || x.k === "log") && x.k === y.k) {
    const ys = (y as { xs: Sym[] }).xs;
    const parts = x.xs.map((xi, i) => largerConstants(xi, ys[i]!));
    return keep({ k: x.k, xs: parts } as Sym);
  }
  if (x.k === "cdiv" && y.k === "cdiv") return keep({ k: "cdiv", x: largerConstants(x.x, y.x), by: x.by });
  return keep(x);
}
