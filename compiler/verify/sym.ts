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
 *
 * The module the verifier imports; the parts are beside it: the nodes and
 * base constructors (sym-base.ts), the algebra (sym-algebra.ts), keeping
 * formulas small (sym-merge.ts), printing (sym-print.ts), and evaluation
 * and search over the limits (sym-search.ts).
 */

export { HUGE, isZero, mul, mulAll, num, ONE, v, ZERO, type Sym } from "./sym-base.js";
export { add, add2, addAll, at, cdiv, log2, max, max2, maxAll, mentions, min, minAll, substitute, variables } from "./sym-algebra.js";
export { sizeOf, structId } from "./sym-merge.js";
export { fmt, formula, show, terms, type Term } from "./sym-print.js";
export { evaluate, largestFitting, sumOverElements, type Env } from "./sym-search.js";
