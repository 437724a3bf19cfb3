/** Cost shapes the declaration's types share (their costs are written with `cost` of decl.ts). */
import { cost, type CostExpr } from "./decl.js";

const { size, add, mul, ceilDiv } = cost;

/** Linear work over a string: a base plus one unit of gas per 16 code units. */
export const linear = (base: number, ...names: string[]): CostExpr =>
  add(base, ceilDiv(names.length === 1 ? size(names[0]!) : add(...names.map(size)), 16));

/** A search of `needle` in `self` (naive, worst case quadratic). */
export const search = (needle: string): CostExpr => add(5, ceilDiv(mul(size("self"), add(size(needle), 1)), 32));
