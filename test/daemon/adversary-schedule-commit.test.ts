/**
 * Scheduled runs against the commit, in a Daemon over a real SQLite store
 * with a failure injection point (failing-store.ts: a commit held, or one
 * that throws as a full disk would) and a clock the test moves: a scheduled
 * run whose commit fails runs again, once, as the latest due time; a
 * redeploy that removes a schedule whose run is already queued (behind a
 * commit the list waits for) does not run it against the new version.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { openSqliteStore } from "../../runtime/daemon/store/sqlite.js";
import { failingStore, type FailingStore } from "./failing-store.js";
import { until } from "./helpers.js";
import { countingRule } from "./adversary-schedule-helpers.js";

const LIST = "hourly@example.org";

const rule = (schedule: boolean): string => countingRule("hourly", schedule ? "hour" : null);

async function open(now: { t: number }): Promise<{ daemon: Daemon; store: FailingStore; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "thwonkd-sched-"));
  const store = failingStore(openSqliteStore(join(dir, "thwonkd.sqlite")));
  const daemon = await Daemon.open({ dataDir: dir, log: createLogger({ level: "silent", pretty: false }), workers: 2, tickMs: 20, store, clock: () => now.t });
  const r = await daemon.deploy({ source: rule(true), fileName: "hourly.thwonk", addresses: [LIST] });
  assert.ok(r.ok, JSON.stringify(r));
  daemon.start();
  return {
    daemon,
    store,
    async close() {
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const scheduled = async (daemon: Daemon): Promise<{ now: string; outcome: string }[]> =>
  (await daemon.store.runs({ address: LIST }))
    .filter((r) => r.trigger !== "message")
    .sort((a, b) => a.id - b.id)
    .map((r) => ({ now: new Date(r.now).toISOString(), outcome: r.outcome }));

let posts = 0;
const post = (daemon: Daemon, at: number) =>
  daemon.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw: Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: p\r\nMessage-ID: <p${posts++}@example.org>\r\n\r\nx\r\n`), receivedAt: at });

test("a scheduled run whose commit fails is not recorded, and runs again at the next look, once, as the latest due time", async () => {
  const now = { t: Date.parse("2026-06-01T10:30:00Z") };
  const { daemon, store, close } = await open(now);
  try {
    // 11:00's commit fails, after the clock has passed two more hours: the list runs the trigger once more, as 13:00.
    store.failNext();
    store.hold();
    now.t = Date.parse("2026-06-01T11:00:10Z");
    await store.holding();
    now.t = Date.parse("2026-06-01T13:20:00Z");
    await new Promise((r) => setTimeout(r, 100));
    store.release();
    await until("the failed commit", () => store.groups.some((g) => g.failed) || undefined);
    await until("the run again", async () => ((await scheduled(daemon)).length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await scheduled(daemon), [{ now: "2026-06-01T13:00:00.000Z", outcome: "ok" }]);
    assert.equal((await post(daemon, now.t)).code, 250, "the list still takes mail");
  } finally {
    await close();
  }
});

test("a redeploy that removes a schedule whose run was queued before the new version's turn: the run is not made against the new version", async () => {
  const now = { t: Date.parse("2026-06-01T10:30:00Z") };
  const { daemon, store, close } = await open(now);
  try {
    // A message whose commit the store holds: the deploy's swap waits for it, and so does what is queued after it.
    store.hold();
    const message = post(daemon, now.t);
    await store.holding();
    const deployed = daemon.deploy({ source: rule(false), fileName: "hourly.thwonk", addresses: [LIST] });
    // The new version is stored at once; its swap (checked and recorded in the list's turn) is queued behind the message.
    await until("the new version stored", async () => ((await daemon.store.bundles()).length === 2 ? true : undefined));
    await new Promise((r) => setImmediate(r));
    assert.equal((await daemon.store.deploymentHistory(LIST)).length, 1, "the swap waits for the list's turn");
    // 11:00 is due while the old version is still the one deployed: its run is queued behind the swap.
    now.t = Date.parse("2026-06-01T11:00:10Z");
    await new Promise((r) => setTimeout(r, 200));
    store.release();
    assert.equal((await message).code, 250);
    assert.ok((await deployed).ok);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await scheduled(daemon), [], "the removed schedule did not run (nor fail) against the new version");
  } finally {
    await close();
  }
});
