/**
 * The clock stops only a broken machine (issue 11). Gas, memory and actions
 * decide a run's outcome; the time limit is a backstop set far above what
 * the gas allows: at least TIME_MARGIN times the calibrated worst time of
 * the trigger's gas bound, and at least MIN_TIME_LIMIT_MS (reading a large
 * input and loading the bundle take time that no gas counts).
 *
 * NS_PER_GAS is the slowest wall time per unit of gas of any operation at
 * its largest input, as `npm run bench:gas` (bench/gas/calibrate.js)
 * measures it on this project's reference machine, rounded up with room
 * for a slower or busy one; bench/RESULTS.md ("Issue 11: gas calibration")
 * has the figures. Raise it when the calibration's slowest operation comes
 * near it.
 */

/** Worst nanoseconds per unit of gas: the calibration's slowest operation, with margin (see above). */
export const NS_PER_GAS = 2000;
/** How many times the calibrated worst time of the gas bound the clock allows. */
export const TIME_MARGIN = 10;
/** The least time limit: a run whose gas bound is small still reads its input. */
export const MIN_TIME_LIMIT_MS = 1000;

/** The time limit of a run whose gas is at most `gasBound`. */
export function timeLimitFor(gasBound: number): number {
  const bound = Number.isFinite(gasBound) && gasBound > 0 ? gasBound : 0;
  return Math.max(MIN_TIME_LIMIT_MS, Math.ceil((TIME_MARGIN * bound * NS_PER_GAS) / 1e6));
}
