/**
 * A run's record is committed at the daemon's clock (runs.created_at), as its `now`, its message's arrival and its
 * list's deployment are: with an injected clock every time the store holds reads from it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { clockedDaemon, CENSUS } from "./run-order-helpers.js";

const LIST = "census@example.org";

test("runs are recorded as committed at the daemon's clock: a message's and a schedule's", async () => {
  const d = await clockedDaemon({ source: CENSUS, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const { daemon } = d;
  try {
    const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: hi\r\nMessage-ID: <clock@example.org>\r\n\r\nx\r\n`);
    const a = await daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: daemon.clock() });
    assert.equal(a.code, 250);
    d.set("2026-06-02T00:00:03Z");
    await daemon.scheduler.tick();
    await daemon.runner.drain();
    const runs = await daemon.runs({ address: LIST });
    assert.deepEqual(
      runs.map((r) => [r.trigger === "message" ? "message" : "midnight", new Date(r.now).toISOString(), new Date(r.createdAt).toISOString()]),
      [
        ["message", "2026-06-01T12:00:00.000Z", "2026-06-01T12:00:00.000Z"],
        ["midnight", "2026-06-02T00:00:00.000Z", "2026-06-02T00:00:03.000Z"],
      ],
    );
    const [deployment] = await daemon.store.deploymentHistory(LIST);
    assert.equal(deployment!.deployedAt, Date.parse("2026-06-01T12:00:00Z"), "the deployment on the same clock");
  } finally {
    await d.close();
  }
});
