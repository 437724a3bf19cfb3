/**
 * A failed scheduled run can be replayed (POST /v1/runs/ID/replay, thwonkc replay): its trigger runs again by the
 * version deployed now, with `now` its due time, in the list's order (what was due before the replay came runs
 * first), and once: of replays sent at once one runs it, and a replayed failure is not replayed again (a replay that
 * fails is a failure of its own, replayable after the next fix). The failed listing (GET .../failed, thwonkc runs
 * --failed) and the runs listing show which can be replayed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import type { RunRecord } from "../../runtime/daemon/store/types.js";
import { callApi, serveApi } from "./adversary-api-helpers.js";
import { cliIn } from "./helpers.js";
import { clockedDaemon, CENSUS } from "./run-order-helpers.js";

const LIST = "census@example.org";
const TOKEN = "run-order-replay-token";

/** A message to the list as the ingress hands it, received at the daemon's clock. */
async function post(daemon: Daemon, subject: string): Promise<number> {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}.${Math.random()}@example.org>\r\n\r\nx\r\n`);
  return (await daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: daemon.clock() })).code;
}

interface FailedPage {
  messages: unknown[];
  schedules: { runs: (RunRecord & { actionCount: number })[]; more: boolean; next: number | null };
}

test("a failed scheduled run is listed as replayable, replayed once at its due time, in the list's order", async () => {
  const d = await clockedDaemon({ source: CENSUS, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const { daemon } = d;
  const http = await serveApi(daemon, TOKEN);
  const cwd = mkdtempSync(join(tmpdir(), "thwonkc-run-order-"));
  const cli = (...args: string[]) => cliIn(cwd, [...args, "--server", http.api.replace(/\/v1$/, ""), "--token", TOKEN]);
  const api = (method: string, path: string) => callApi(http.api, TOKEN, method, path);
  try {
    await daemon.addMembers(LIST, [{ address: "ann@example.org" }]);
    assert.equal(await post(daemon, "fail"), 250);
    d.set("2026-06-02T00:00:01Z");
    await daemon.scheduler.tick();
    await daemon.runner.drain();
    const [failed] = await daemon.runs({ address: LIST, failed: true });
    assert.ok(failed, "the midnight run failed");
    assert.equal(failed.messageId, null);
    assert.equal(new Date(failed.now).toISOString(), "2026-06-02T00:00:00.000Z");

    // Listed: in the failed listing's schedules, and replayable in the runs'.
    const page = (await api("GET", `lists/${LIST}/failed`)).json as unknown as FailedPage;
    assert.deepEqual(page.messages, []);
    assert.deepEqual(page.schedules.runs.map((r) => [r.id, r.replayable]), [[failed.id, true]]);
    assert.equal(page.schedules.more, false);
    const every = (await api("GET", "failed")).json as unknown as FailedPage;
    assert.deepEqual(every.schedules.runs.map((r) => r.id), [failed.id], "every list's listing too");
    const listed = (await api("GET", `lists/${LIST}/runs?failed=true`)).json as { runs: RunRecord[] };
    assert.deepEqual(listed.runs.map((r) => [r.id, r.replayable, r.replayedBy]), [[failed.id, true, null]]);
    const shown = await cli("runs", LIST, "--failed");
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, new RegExp(`^no failed messages\\nrun #${failed.id}  schedule .*  due 2026-06-02.*TW\\d{4}`, "m"));
    assert.match(shown.out, /\n1 failed scheduled run; after a fix, deploy it and run: thwonkc replay RUN/);

    // Two replays at once, before the fix: one runs the trigger (and fails again), the other is refused.
    const both = await Promise.all([api("POST", `runs/${failed.id}/replay`), api("POST", `runs/${failed.id}/replay`)]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.json)));
    const refused = both.find((r) => r.status === 409)!.json as { error: { code: string } };
    assert.equal(refused.error.code, "TW6016");
    const again = (await daemon.runs({ address: LIST, failed: true })).filter((r) => r.replayOf === failed.id);
    assert.equal(again.length, 1, "the trigger ran once");
    const second = again[0]!;
    assert.equal(second.now, failed.now, "at the failed run's due time");
    assert.equal((await daemon.run(failed.id))!.replayedBy, second.id);
    const twice = await api("POST", `runs/${failed.id}/replay`);
    assert.equal(twice.status, 409, "a replayed failure is not replayed twice");
    const now = (await api("GET", `lists/${LIST}/failed`)).json as unknown as FailedPage;
    assert.deepEqual(now.schedules.runs.map((r) => r.id), [second.id], "the replay's failure is listed in its place");
    const viaCli = await cli("replay", String(failed.id));
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.err, /TW6016 .*replayed already/);

    // The fix: the list mends, and Bob joins. The next midnight passes before the replay comes: it runs first.
    assert.equal(await post(daemon, "mend"), 250);
    await daemon.addMembers(LIST, [{ address: "bob@example.org" }]);
    d.set("2026-06-03T00:00:05Z");
    const fixed = await cli("replay", String(second.id));
    assert.equal(fixed.code, 0, fixed.err + fixed.out);
    assert.match(fixed.out, new RegExp(`^replayed run #${second.id}: 250 `));
    const runs = (await daemon.runs({ address: LIST })).filter((r) => r.trigger !== "message");
    assert.deepEqual(
      runs.map((r) => `${new Date(r.now).toISOString()} ${r.outcome}${r.replayOf !== null ? ` replay of ${r.replayOf}` : ""}`),
      [
        `2026-06-02T00:00:00.000Z failed`,
        `2026-06-02T00:00:00.000Z failed replay of ${failed.id}`,
        "2026-06-03T00:00:00.000Z ok",
        `2026-06-02T00:00:00.000Z ok replay of ${second.id}`,
      ],
      "the midnight due before the replay ran first; the replay ran at its own due time",
    );
    assert.deepEqual((await daemon.state(LIST)).state, { seen: 2, nights: 2, fail: false }, "the version and members of now");
    const none = (await api("GET", `lists/${LIST}/failed`)).json as unknown as FailedPage;
    assert.deepEqual(none.schedules.runs, [], "nothing left to replay");
    const all = (await api("GET", `lists/${LIST}/runs?failed=true`)).json as { runs: RunRecord[] };
    assert.deepEqual(all.runs.map((r) => r.replayable), [false, false]);
    const quiet = await cli("runs", LIST, "--failed");
    assert.equal(quiet.out, "no failed messages\n");
    assert.equal((await api("POST", `runs/${second.id}/replay`)).status, 409);
  } finally {
    await http.close();
    await d.close();
    rmSync(cwd, { recursive: true, force: true });
  }
});

test("a replay of a failed scheduled run whose schedule the version deployed now dropped is refused, and stays replayable", async () => {
  const d = await clockedDaemon({ source: CENSUS, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const { daemon } = d;
  try {
    assert.equal(await post(daemon, "fail"), 250);
    d.set("2026-06-02T00:00:01Z");
    await daemon.scheduler.tick();
    await daemon.runner.drain();
    const [failed] = await daemon.runs({ address: LIST, failed: true });
    const r = await daemon.deploy({ source: CENSUS.replace(/every day at 00:00/, "every day at 01:00"), fileName: "census.thwonk", addresses: [LIST] });
    assert.equal(r.ok, true, JSON.stringify(r));
    await assert.rejects(daemon.replay(failed!.id), /TW6016 .*no schedule named/);
    assert.equal((await daemon.run(failed!.id))!.replayable, true);
  } finally {
    await d.close();
  }
});
