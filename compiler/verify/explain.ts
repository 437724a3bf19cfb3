/**
 * The words around a bound (`thwonkc check --cost`, TW3001): a formula of
 * many terms in short (like terms collected, each `⌈x/k⌉` read as
 * `x/k + 1`, so the short form is still an upper bound at the limits), the
 * dominant term with its line and why it grows (a loop, or a call charged
 * per recipient), and the advice when a bound is over its budget: the one
 * limit or state `max` whose lowering fits with the smallest cut, or else
 * which loop to restructure.
 */
import { groupDigits } from "../../contract/numbers.js";
import type { Span } from "../diagnostics/diagnostic.js";
import { q, surfaceOf, type Spelling } from "../diagnostics/catalog/index.js";
import type { SemanticModel } from "../semantic/model.js";
import type { Stmt } from "../syntax/ast.js";
import * as S from "./sym.js";
import type { Sym, Term } from "./sym.js";

/** A polynomial: monomial (its variables, sorted, joined by " × "; "" for the constant) → coefficient. */
type Poly = Map<string, number>;

function polyOf(s: Sym, env: S.Env): Poly {
  switch (s.k) {
    case "num":
      return new Map([["", s.v]]);
    case "var":
      return new Map([[s.name, 1]]);
    case "at":
      return polyOf(s.x, env);
    case "add": {
      const out: Poly = new Map();
      for (const x of s.xs) for (const [k, c] of polyOf(x, env)) out.set(k, (out.get(k) ?? 0) + c);
      return out;
    }
    case "mul": {
      let out: Poly = new Map([["", 1]]);
      for (const x of s.xs) {
        const next: Poly = new Map();
        for (const [a, ca] of out) {
          for (const [b, cb] of polyOf(x, env)) {
            const key = [...(a ? a.split(" × ") : []), ...(b ? b.split(" × ") : [])].sort().join(" × ");
            next.set(key, (next.get(key) ?? 0) + ca * cb);
          }
        }
        out = next;
      }
      return out;
    }
    case "cdiv": {
      // ⌈x/k⌉ ≤ x/k + 1.
      const out: Poly = new Map();
      for (const [k, c] of polyOf(s.x, env)) out.set(k, c / s.by);
      out.set("", (out.get("") ?? 0) + 1);
      return out;
    }
    case "max":
    case "min": {
      // The branch the bound takes at these limits (the largest of a max), or any branch of a min (each bounds it).
      let best = s.xs[0]!;
      let bestVal = S.evaluate(best, env);
      for (const x of s.xs.slice(1)) {
        const v = S.evaluate(x, env);
        if (s.k === "max" ? v > bestVal : v < bestVal) {
          best = x;
          bestVal = v;
        }
      }
      return polyOf(best, env);
    }
    case "log":
      // A sort's log₂ factor at these limits: a constant, so the short form stays an upper bound there.
      return new Map([["", S.evaluate(s, env)]]);
  }
}

/** A coefficient rounded up, short: 0.0625 → 0.1, 12.4 → 13. */
function coeffText(c: number): string {
  if (c >= 10) return groupDigits(Math.ceil(c - 1e-9));
  const r = Math.ceil(c * 10 - 1e-9) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/**
 * `s` in short: its monomials with their coefficients rounded up, largest
 * first (by their value at `env`), those under 1% of the total left out.
 */
export function shortFormula(s: Sym, env: S.Env): string {
  const poly = polyOf(s, env);
  const total = Math.max(1, S.evaluate(s, env));
  const valueOf = (k: string): number => (k === "" ? 1 : k.split(" × ").reduce((p, v) => p * (env.get(v) ?? 0), 1));
  const parts = [...poly].filter(([, c]) => c > 0).map(([k, c]) => ({ k, c, value: c * valueOf(k) }));
  const constant = parts.find((p) => p.k === "");
  const vars = parts.filter((p) => p.k !== "").sort((a, b) => b.value - a.value);
  const shown = vars.filter((p) => p.value >= total / 100);
  const small = vars.length - shown.length;
  const text = [
    ...(constant ? [groupDigits(Math.ceil(constant.c - 1e-9))] : []),
    ...shown.map((p) => (coeffText(p.c) === "1" ? p.k : `${coeffText(p.c)} × ${p.k}`)),
  ];
  return `${text.join(" + ") || "0"} (in short${small ? `; ${small} part${small === 1 ? "" : "s"} under 1% left out` : ""})`;
}

/** Whether the printed formula is long enough to be worth a short form. */
export function isLong(t: readonly Term[]): boolean {
  return new Set(t.map((x) => x.product)).size > 5;
}

/** Why a term grows with its variables, when its source is a call rather than a loop. */
function growth(t: Term): string {
  if (!t.label || !/\(\.\.\.\)$/.test(t.label) || t.product === "") return "";
  const vars = t.product.split(" × ").filter((f) => /^[A-Za-z.]+$/.test(f));
  if (vars.length !== t.product.split(" × ").length) return "";
  if (vars.includes("members") && /^(send|reply|forward)\(/.test(t.label)) {
    return `, charged for each member it goes to${vars.length > 1 ? ` (× ${vars.filter((v) => v !== "members").join(" × ")})` : ""}`;
  }
  return `, whose cost grows with ${vars.join(" and ")}`;
}

/** A position as a message words it: `line 12`. */
export function lineOf(span: Span): string {
  return `line ${span.line}`;
}

/**
 * A position as the cost explanation (`thwonkc check --cost`) writes it, in
 * the rule's own file: `line 12` in a `.thwonk` rule, `rules/trim.ts:12:5` in
 * a `.ts` rule, as TypeScript's tools write one (an editor's terminal opens it).
 */
export function placeOf(span: Span): string {
  return surfaceOf(span.file) === "ts" ? `${span.file}:${span.line}:${span.col}` : lineOf(span);
}

/** "278 × members = 2,780 (34%) at line 102, the loop at line 102": a term, its share, where (as `place` writes it) and why; `fallback` when it has no place. */
export function describeTerm(t: Term | undefined, total: number, fallback?: Span, gas = true, place: (s: Span) => string = lineOf): string {
  if (!t) return "constant work";
  const what = t.product === "" ? `${groupDigits(t.value)} gas of fixed work` : `${t.coeff === 1 ? "" : groupDigits(t.coeff) + " × "}${t.product} = ${groupDigits(t.value)} (${Math.round((100 * t.value) / Math.max(1, total))}%)`;
  if (t.span) return `${what} at ${place(t.span)}${t.label ? `, ${t.label}` : ""}${gas ? growth(t) : ""}`;
  return fallback ? `${what} at ${place(fallback)}, the trigger's own work` : what;
}

/** What could bring `gas` within `budget`. */
export interface FitAdvice {
  /** A sentence: which limit or state max to lower and to what, or which loop to restructure, in the rule's spelling (TW3001). */
  text: (s: Spelling) => string;
}

interface Candidate {
  name: string;
  best: number;
  current: number;
  /** How it is written: `limits { members: N }` or `state.posts ... max N`. */
  written: (s: Spelling) => string;
  declared: Span | undefined;
}

/** The smallest share of its value a limit or `max` may be cut to and still be worth suggesting. */
const REASONABLE_SHARE = 0.1;

/**
 * The limit or state `max` whose lowering fits `gas` within `budget` with
 * the smallest cut, if one fits at a tenth of its value or more; otherwise
 * the loop that holds the dominant term.
 */
export function fitAdvice(
  gas: Sym,
  env: Map<string, number>,
  budget: number,
  model: SemanticModel,
  unitsPer: (name: string) => number,
  dominant: Term | undefined,
): FitAdvice {
  const candidates: Candidate[] = [];
  for (const name of [...S.variables(gas)].sort()) {
    const info = model.limits.get(name);
    const field = name.startsWith("state.") ? model.state.find((f) => `state.${f.name}` === name) : undefined;
    const max = field?.type.kind === "named" ? field.type.max : undefined;
    const current = info ? info.value : max;
    if (current === undefined) continue;
    const k = info ? unitsPer(name) : field?.type.kind === "named" && field.type.name === "string" ? 2 : 1;
    // Bisection in the limit's own unit; the formula's variable is k times it.
    const scaled = S.substitute(gas, name, S.mul(S.num(k), S.v(name)));
    const best = S.largestFitting(scaled, name, env, budget, current);
    if (best === undefined || best <= 0 || best >= current) continue;
    const unit = info ? (info.decl.unit === "members" ? "" : ` ${info.decl.unit}`) : "";
    candidates.push({
      name,
      best,
      current,
      written: (s) =>
        info
          ? `${q(s.block("limits", `${name}: ${groupDigits(best)}`))}${unit ? ` (${unit.trim()})` : ""}`
          : s.surface === "ts"
            ? `the bound of \`${name}\` to \`${best}\``
            : `\`max ${groupDigits(best)}\` on \`${name}\``,
      declared: info ? info.declared : field?.decl.type.span,
    });
  }
  candidates.sort((a, b) => b.best / b.current - a.best / a.current);
  const good = candidates.filter((c) => c.best / c.current >= REASONABLE_SHARE);
  if (good.length) {
    const [first, second] = good;
    const one = (c: Candidate, s: Spelling): string =>
      `${c.written(s)}, down from ${groupDigits(c.current)}${c.declared ? ` (line ${c.declared.line})` : ""}`;
    return { text: (s) => `It fits if you lower ${one(first!, s)}${second ? `, or else ${one(second, s)}` : ""}` };
  }
  const loop = dominant?.span ? loopAround(model, dominant.span) : undefined;
  const vars = dominant?.product.match(/[A-Za-z][A-Za-z.]*/g);
  const grows = vars?.length ? [...new Set(vars)].join(" and ") : "the input";
  const none = (s: Spelling): string => `No limit or state ${s.surface === "ts" ? "bound" : "`max`"} lowered to a tenth of its value or more would fit`;
  if (loop) {
    return {
      text: (s) =>
        `${none(s)}: restructure the loop at line ${loop.line}, where the largest part (line ${dominant!.span!.line}${dominant!.label ? `, ${dominant!.label}` : ""}) runs for every element and grows with ${grows}: move that work out of the loop, or walk fewer elements (\`take(n)\`, ${s.surface === "ts" ? `a filter, ${q(s.forEach("x", "xs", "c"))}` : "a `where` filter"})`,
    };
  }
  return { text: (s: Spelling) => (dominant?.span ? `${none(s)}: the largest part is at line ${dominant.span.line}${dominant.label ? ` (${dominant.label})` : ""}, and grows with ${grows}` : none(s)) };
}

/** The innermost `for` of the rule's triggers and fns whose body holds `span`. */
function loopAround(model: SemanticModel, span: Span): Span | undefined {
  let best: Span | undefined;
  const visit = (stmts: readonly Stmt[]): void => {
    for (const st of stmts) {
      if (st.span.start > span.start || st.span.end < span.end) continue;
      if (st.kind === "ForStmt") {
        best = st.span;
        visit(st.body.stmts);
      } else if (st.kind === "IfStmt") {
        visit(st.then.stmts);
        if (st.else) visit(st.else.kind === "IfStmt" ? [st.else] : st.else.stmts);
      }
    }
  };
  for (const t of model.triggers) if (t.decl.span.file === span.file) visit(t.decl.body.stmts);
  for (const f of model.fns.values()) if (f.decl.span.file === span.file) visit(f.decl.body.stmts);
  return best;
}
