/**
 * Redeploys against schedules, in a real thwonkd with its clock moved by
 * the test: a schedule a redeploy adds or moves counts from that deploy (a
 * time that passed before the trigger existed was not missed), also after
 * a restart; a schedule a redeploy keeps goes on as it was.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readStore, startDaemon, until, workspace, type Running } from "./helpers.js";
import { COUNT, lookedAt, scheduledRuns, settledRuns, testClock } from "./adversary-schedule-helpers.js";

const rule = (...schedules: string[]): string => `rule weekly

limits { members: 10 }

state {
  n: int = 0
}
${schedules.map((s) => `\nevery ${s} ${COUNT}\n`).join("")}`;

async function deploy(d: Running, data: string, source: string, address: string): Promise<void> {
  const token = readFileSync(join(data, "admin.token"), "utf8").trim();
  const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source, fileName: "weekly.thwonk", addresses: [address] }),
  });
  assert.equal(r.status, 200, await r.text());
}

test("a schedule added or moved by a redeploy counts from that deploy, also across a restart; a kept one goes on", async () => {
  const v1 = rule("day at 00:00");
  const ws = workspace({ weekly: { source: v1 } });
  const { env, set } = testClock(ws);
  const list = "weekly@example.org";
  const runs = () => scheduledRuns(ws.data, list).map((r) => `${r.trigger} ${r.now}`);
  // Deployed on Sunday 2026-05-31 at 10:00.
  set("2026-05-31T10:00:00Z");
  let d = await startDaemon(ws, { env });
  try {
    set("2026-06-03T12:00:00Z"); // Wednesday noon: the missed midnights run once
    await settledRuns(d, ws.data, list, 1);
    assert.deepEqual(runs(), ["every day at 00:00 2026-06-03T00:00:00.000Z"]);

    // Wednesday noon: Monday 09:00 and today's 06:00 passed before these triggers existed. Nothing runs now.
    const v2 = rule("day at 00:00", "monday at 09:00", "day at 06:00");
    await deploy(d, ws.data, v2, list);
    await lookedAt(d, ws.data, list);
    assert.deepEqual(runs(), ["every day at 00:00 2026-06-03T00:00:00.000Z"], "no run for times before the deploy");

    // Nor after a restart (the deploy directory now holds the same version).
    writeFileSync(join(ws.rules, "weekly", "weekly.thwonk"), v2);
    assert.equal(await d.stop(), 0);
    set("2026-06-03T13:00:00Z");
    d = await startDaemon(ws, { env });
    await lookedAt(d, ws.data, list);
    assert.deepEqual(runs(), ["every day at 00:00 2026-06-03T00:00:00.000Z"], "no run for times before the deploy, after a restart");

    // Thursday 07:00: the kept midnight and the new 06:00, once each.
    set("2026-06-04T07:00:00Z");
    await settledRuns(d, ws.data, list, 3);
    assert.deepEqual(runs().slice(1).sort(), ["every day at 00:00 2026-06-04T00:00:00.000Z", "every day at 06:00 2026-06-04T06:00:00.000Z"]);
    // Monday 09:00: the new weekly one runs for the first time.
    set("2026-06-08T09:00:00Z");
    await settledRuns(d, ws.data, list, 6);
    assert.deepEqual(runs().slice(3).sort(), ["every day at 00:00 2026-06-08T00:00:00.000Z", "every day at 06:00 2026-06-08T06:00:00.000Z", "every monday at 09:00 2026-06-08T09:00:00.000Z"]);
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a redeploy just after a due time that removes the schedule: the time still runs, with the version deployed when it was due", async () => {
  const v1 = rule("day at 00:00");
  const v2 = rule("day at 06:00");
  const ws = workspace({ weekly: { source: v1 } });
  const { env, set } = testClock(ws);
  const list = "weekly@example.org";
  set("2026-06-01T12:00:00Z");
  const d = await startDaemon(ws, { env });
  const hashes = () => readStore(ws.data, (db) => db.prepare("SELECT hash FROM deployments WHERE address = ? ORDER BY id").all(list) as { hash: string }[]);
  try {
    const want: string[] = [];
    for (let night = 2; night <= 5; night++) {
      set(`2026-06-0${night - 1}T23:59:00Z`);
      if (night > 2) await deploy(d, ws.data, v1, list);
      await new Promise((r) => setTimeout(r, 300));
      // Midnight passes, and the owner's redeploy comes at once, before the scheduler's next look at the clock.
      set(`2026-06-0${night}T00:00:01Z`);
      await deploy(d, ws.data, v2, list);
      want.push(`every day at 00:00 2026-06-0${night}T00:00:00.000Z ok`);
      // v2's 06:00 runs too, on the days it is deployed at 06:00: counted, not compared.
      const midnights = () => scheduledRuns(ws.data, list).filter((r) => r.trigger === "every day at 00:00");
      await until(`night ${night}'s midnight`, () => midnights().length >= want.length || undefined);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(
        midnights().map((r) => `${r.trigger} ${r.now} ${r.outcome}`),
        want,
        `night ${night}`,
      );
    }
    const v1Hash = hashes()[0]!.hash;
    const ranWith = readStore(ws.data, (db) => db.prepare("SELECT DISTINCT bundle_hash FROM runs WHERE address = ? AND trigger = 'every day at 00:00'").all(list) as { bundle_hash: string }[]);
    assert.deepEqual(
      ranWith.map((r) => r.bundle_hash),
      [v1Hash],
      "each midnight ran with the version that had it",
    );
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
