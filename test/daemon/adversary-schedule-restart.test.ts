/**
 * Restarts against schedules: a SIGKILL at any moment around a due time
 * leaves that time run exactly once (committed before the kill, or run
 * after the restart, never both, never neither), and a SIGTERM sent the
 * moment thwonkd says it is ready stops it cleanly (a test, or an init
 * system, that restarts it at once).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { FULL_SCALE } from "../helpers/scale.js";
import { startDaemon, workspace, type Running } from "./helpers.js";
import { scheduledRuns, settledRuns, testClock } from "./adversary-schedule-helpers.js";

const RULE = `rule nightly

limits { members: 10 }

settings { timezone: "America/New_York" }

state {
  n: int = 0
}

every day at 00:00 {
  if state.n < 1000000 {
    state.n = state.n + 1
  }
}
`;

test("a SIGTERM the moment thwonkd prints its ready line stops it with exit 0", async () => {
  const ws = workspace({ nightly: { source: RULE } });
  try {
    for (let i = 0; i < 5; i++) {
      const d = await startDaemon(ws);
      assert.equal(await d.stop(), 0, `start ${i}: ${d.stderr().slice(-500)}`);
    }
  } finally {
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a SIGKILL at any moment around a due time: the time runs exactly once, before the kill or after the restart", async () => {
  const ws = workspace({ nightly: { source: RULE } });
  const { env, set } = testClock(ws);
  const list = "nightly@example.org";
  set("2026-03-01T12:00:00Z");
  let d: Running = await startDaemon(ws, { env });
  const want: string[] = [];
  try {
    // New York midnights (05:00Z in winter, 04:00Z from 2026-03-09: the clocks change at 02:00 on the 8th): each night, killed 0 to 280 ms after the clock passes it.
    // Five nights, five places of the kill, the change of the clocks among them; every night from the 2nd to the 9th with THWONK_TEST_SCALE=full.
    for (const night of FULL_SCALE ? [2, 3, 4, 5, 6, 7, 8, 9] : [2, 4, 6, 8, 9]) {
      const day = `2026-03-${String(night).padStart(2, "0")}`;
      const midnight = night < 9 ? `${day}T05:00:00.000Z` : `${day}T04:00:00.000Z`;
      set(midnight.replace("00.000Z", "30Z"));
      await new Promise((r) => setTimeout(r, (night - 2) * 40));
      await d.kill();
      want.push(midnight);
      d = await startDaemon(ws, { env });
      const runs = await settledRuns(d, ws.data, list, want.length);
      assert.deepEqual(
        runs.map((r) => r.now),
        want,
        `night ${night}`,
      );
    }
    assert.ok(scheduledRuns(ws.data, list).every((r) => r.outcome === "ok"));
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
