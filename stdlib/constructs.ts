/**
 * The gas of the language's own constructs: part of the one cost table.
 * The emitter charges these in the generated code and the verifier counts
 * them in its bound, both from here.
 */
import { cost, type ConstructCosts } from "./decl.js";

const { size, add, min, ceilDiv } = cost;

export const constructs: ConstructCosts = {
  statement: 1,
  operation: 1,
  iteration: 2,
  fnCall: 3,
  interpolation: add(1, ceilDiv(size("result"), 16)),
  stringEquality: add(1, ceilDiv(min(size("left"), size("right")), 16)),
  literal: add(1, size("result")),
  // Loading or saving one unit of state, each way: about 1 µs on the reference machine (bench/RESULTS.md,
  // "Issue 12: state load and save"), under the calibration's 2,000 ns per gas with its margin.
  stateUnit: 2,
};
