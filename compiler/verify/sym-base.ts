/**
 * The formulas' nodes and the constructors every other part of the algebra
 * stands on: constants (small ones made once), variables, products, and
 * `strip`, which looks through provenance.
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
  /** `⌈log₂(x + 1)⌉`, the bit length of its one argument (stdlib/decl.ts `log2`): a sort's depth. */
  | { k: "log"; xs: [Sym] }
  | { k: "at"; x: Sym; span: Span; label: string };

/** Saturate instead of losing precision: past 2^53 a bound is "too big" anyway. */
export const HUGE = Number.MAX_SAFE_INTEGER;

export const sat = (v: number): number => (v > HUGE || !Number.isFinite(v) ? HUGE : v);

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

export function strip(s: Sym): Sym {
  return s.k === "at" ? strip(s.x) : s;
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
