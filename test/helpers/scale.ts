/**
 * One switch for the size of the seeded and random tests (their rounds, steps, edits, kills): npm test, and CI with
 * its 15 minutes, runs each at the count given for it here, below its full count and well above what found its bugs;
 * `THWONK_TEST_SCALE=full` runs every one of them at its full count. Only counts go down: the seeds, the edge cases a
 * past bug needed and the regression corpora are the same either way. Read here, and nowhere else.
 */
const SCALE = process.env["THWONK_TEST_SCALE"];
if (SCALE !== undefined && SCALE !== "" && SCALE !== "full") throw new Error(`THWONK_TEST_SCALE is ${JSON.stringify(SCALE)}: set it to "full" for the full counts, or leave it unset`);

/** Whether the seeded and random tests run at their full counts (THWONK_TEST_SCALE=full). */
export const FULL_SCALE = SCALE === "full";

/** `count` in npm test; `full` with THWONK_TEST_SCALE=full. */
export function scaled(count: number, full: number): number {
  return FULL_SCALE ? full : count;
}
