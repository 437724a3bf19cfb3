/**
 * Bounds as people read them: `show` prints a formula
 * (`40 + members × (12 + ⌈subject/64⌉)`), `terms` expands one into the
 * sum of products evaluated at the limits (the dominant term names its
 * source line), `formula` prints those terms, `fmt` a number.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import { groupDigits } from "../../contract/numbers.js";
import { mul, sat, strip, type Sym } from "./sym-base.js";
import { evaluate, type Env } from "./sym-search.js";

/** Numbers in formulas: `1,234,567` (contract/numbers.ts). */
export const fmt = groupDigits;

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
    case "log":
      return `log₂(${show(s.xs[0])})`;
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

