/**
 * The adversary of the paged listings (GET .../runs and GET .../failed with its `schedules`): a client follows
 * `next` while `more` is true, so no page may say that more wait while it gives nothing and names the same `after`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { callApi, serveApi } from "./adversary-api-helpers.js";
import { CENSUS, clockedDaemon } from "./run-order-helpers.js";

const LIST = "census@example.org";
const TOKEN = "adversary-lifetime-paging";

async function post(daemon: Daemon, subject: string): Promise<void> {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: ${subject}\r\nMessage-ID: <${subject}.${Math.random()}@example.org>\r\n\r\nx\r\n`);
  assert.equal((await daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: daemon.clock() })).code, 250);
}

test("limit=0 is refused (400), not a page that says more wait and names the same after for ever", async () => {
  // CENSUS fails no message, so a failed message comes from a rule that divides by zero.
  const source = CENSUS.replace('if m.subject == "mend" {', 'if m.subject == "boom" {\n    let n = members.size\n    state.seen = 1 / (n - n)\n  }\n  if m.subject == "mend" {');
  const d = await clockedDaemon({ source, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const http = await serveApi(d.daemon, TOKEN);
  const api = (path: string) => callApi(http.api, TOKEN, "GET", path);
  try {
    await d.daemon.addMembers(LIST, [{ address: "ann@example.org" }]);
    await post(d.daemon, "boom");
    await post(d.daemon, "boom");
    for (const path of [`lists/${LIST}/runs?limit=0`, "runs?limit=0&after=1", `lists/${LIST}/failed?limit=0`, "failed?limit=0"]) {
      const r = await api(path);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.json)}`);
      assert.match((r.json["error"] as { message: string }).message, /TW6021 .*limit must be at least 1/);
    }
    // Following next from limit=1 reads every run once, and ends.
    const seen: number[] = [];
    let after = 0;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, "the pages end");
      const r = (await api(`lists/${LIST}/runs?limit=1&after=${after}`)).json as { runs: { id: number }[]; more: boolean; next: number | null };
      seen.push(...r.runs.map((x) => x.id));
      if (!r.more) break;
      after = r.next!;
    }
    assert.deepEqual(seen, [1, 2]);
  } finally {
    await http.close();
    await d.close();
  }
});
