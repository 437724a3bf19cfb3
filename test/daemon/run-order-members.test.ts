/**
 * Member changes from the API (Daemon.addMembers, removeMembers, importMembers) are ordered against the schedules
 * already due, as messages, replays, decisions and deploys are: a trigger due before the change came runs first,
 * with the members it was due under.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { clockedDaemon, CENSUS } from "./run-order-helpers.js";

const LIST = "census@example.org";

test("a midnight schedule due before an API member change sees the members from before it: add, remove and import", async () => {
  const d = await clockedDaemon({ source: CENSUS, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const { daemon } = d;
  try {
    await daemon.addMembers(LIST, [{ address: "ann@example.org" }]);
    const seen = async (): Promise<unknown> => {
      // The scheduler's next look at the clock, after the change: it queues what is due and was not queued yet.
      await daemon.scheduler.tick();
      await daemon.runner.drain();
      return (await daemon.state(LIST)).state;
    };
    // Each night the clock passes midnight and a change comes at once, before the scheduler looks at the clock.
    d.set("2026-06-02T00:00:01Z");
    await daemon.addMembers(LIST, [{ address: "bob@example.org" }]);
    assert.deepEqual(await seen(), { seen: 1, nights: 1, fail: false }, "the midnight run before Bob was added");
    d.set("2026-06-03T00:00:00Z");
    await daemon.removeMembers(LIST, ["ann@example.org"]);
    assert.deepEqual(await seen(), { seen: 2, nights: 2, fail: false }, "the midnight run (due at the same instant) before Ann was removed");
    d.set("2026-06-04T00:00:02Z");
    await daemon.importMembers(LIST, "ann@example.org\ncid@example.org\ndee@example.org\n");
    assert.deepEqual(await seen(), { seen: 1, nights: 3, fail: false }, "the midnight run before the import");
    d.set("2026-06-05T00:00:02Z");
    assert.deepEqual(await seen(), { seen: 3, nights: 4, fail: false }, "the next night sees the import");
    const runs = await daemon.runs({ address: LIST });
    assert.deepEqual(
      runs.map((r) => new Date(r.now).toISOString()),
      ["2026-06-02T00:00:00.000Z", "2026-06-03T00:00:00.000Z", "2026-06-04T00:00:00.000Z", "2026-06-05T00:00:00.000Z"],
      "each night ran once, at its due time",
    );
  } finally {
    await d.close();
  }
});
