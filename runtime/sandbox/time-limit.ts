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
export const NS_PER_GAS = 2500;
/** How many times the calibrated worst time of the gas bound the clock allows. */
export const TIME_MARGIN = 10;
/** The least time limit: a run whose gas bound is small still reads its input. */
export const MIN_TIME_LIMIT_MS = 1000;
/**
 * Reading the input (its JSON, the members' columns, a cold context's load) is work no gas counts: a
 * generous time per character of it, under the same margin (100,000 members are about 4 MB).
 */
export const NS_PER_INPUT_CHAR = 100;

/** The time limit of a run whose gas is at most `gasBound`, on an input of `inputChars` characters (JSON and member columns). */
export function timeLimitFor(gasBound: number, inputChars = 0): number {
  const bound = Number.isFinite(gasBound) && gasBound > 0 ? gasBound : 0;
  const chars = Number.isFinite(inputChars) && inputChars > 0 ? inputChars : 0;
  return Math.max(MIN_TIME_LIMIT_MS, Math.ceil((TIME_MARGIN * (bound * NS_PER_GAS + chars * NS_PER_INPUT_CHAR)) / 1e6));
}

/** The characters timeLimitFor counts of an input as the sandbox takes it. */
export function inputChars(inputJson: string, members?: { address: string; name: string; role: string; joined: string; bounces?: string }): number {
  return inputJson.length + (members ? members.address.length + members.name.length + members.role.length + members.joined.length + (members.bounces?.length ?? 0) : 0);
}
