/**
 * Every cost and size formula of the one cost table is monotone in every
 * size and integer-valued: checked on random pairs of sizes a ≤ b.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { stdlib } from "../../stdlib/index.js";
import type { CostExpr } from "../../stdlib/decl.js";
import { costSizes, evalBound, numberDomain } from "../../stdlib/cost-eval.js";

/** The names of int arguments a result bound reads by value. */
function valueNames(e: CostExpr, out = new Set<string>()): Set<string> {
  if (typeof e === "number") return out;
  if ("value" in e) out.add(e.value);
  else if ("ceilDiv" in e) valueNames(e.ceilDiv, out);
  else for (const k of ["add", "mul", "max", "min", "log2"] as const) if (k in e) (e as Record<string, CostExpr[]>)[k]!.forEach((x) => valueNames(x, out));
  return out;
}

function allFormulas(): { where: string; e: CostExpr }[] {
  const out: { where: string; e: CostExpr }[] = [];
  const fn = (where: string, d: { cost: CostExpr; resultSize?: CostExpr; elementSize?: CostExpr; resultTotal?: CostExpr; fanout?: CostExpr }): void => {
    out.push({ where: `${where} cost`, e: d.cost });
    if (d.resultSize !== undefined) out.push({ where: `${where} resultSize`, e: d.resultSize });
    if (d.elementSize !== undefined) out.push({ where: `${where} elementSize`, e: d.elementSize });
    if (d.resultTotal !== undefined) out.push({ where: `${where} resultTotal`, e: d.resultTotal });
    if (d.fanout !== undefined) out.push({ where: `${where} fanout`, e: d.fanout });
  };
  for (const [name, d] of Object.entries(stdlib.functions)) fn(name, d);
  for (const [tname, t] of Object.entries(stdlib.types)) {
    for (const [m, d] of Object.entries(t.methods ?? {})) fn(`${tname}.${m}`, d);
    for (const [f, d] of Object.entries(t.fields ?? {})) if (d.cost !== undefined) out.push({ where: `${tname}.${f}`, e: d.cost });
  }
  stdlib.operators.forEach((o, i) => out.push({ where: `operator ${o.left} ${o.op} ${o.right} #${i}`, e: o.cost }));
  for (const [k, c] of Object.entries(stdlib.constructs)) out.push({ where: `construct ${k}`, e: c as CostExpr });
  return out;
}

const formulas = allFormulas();

test("the cost table has formulas to check", () => {
  assert.ok(formulas.length > 50, `only ${formulas.length} formulas`);
});

test("every formula is monotone and integral on random pairs of sizes", () => {
  for (const { where, e } of formulas) {
    // Values of int arguments are monotone inputs like sizes (a bound reads them only in result sizes).
    const names = [...costSizes(e), ...valueNames(e)];
    const sizes = fc.array(fc.nat({ max: 1_000_000 }), { minLength: names.length, maxLength: names.length });
    fc.assert(
      fc.property(sizes, sizes, fc.nat({ max: 100_000 }), (a, d, lim) => {
        const lo = new Map(names.map((n, i) => [n, a[i]!]));
        const hi = new Map(names.map((n, i) => [n, a[i]! + d[i]!]));
        const at = (m: Map<string, number>, l: number) =>
          evalBound(e, { size: (n) => m.get(n) ?? 0, total: (n) => (m.get(n) ?? 0) * 3, limit: () => l, value: (n) => m.get(n) ?? 0 }, numberDomain) ?? NaN;
        const x = at(lo, lim);
        const y = at(hi, lim + 1);
        assert.ok(Number.isInteger(x) && x >= 0, `${where}: ${x} is not a non-negative integer`);
        assert.ok(x <= y, `${where}: not monotone (${x} > ${y})`);
      }),
      { numRuns: 200, seed: 42 },
    );
  }
});
