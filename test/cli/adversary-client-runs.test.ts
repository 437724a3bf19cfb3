/**
 * The adversary of `thwonkc runs` on a busy list: a daemon in this process
 * with its API on real HTTP and a real SQLite store holding more runs than
 * one answer takes. The command shows the latest runs (oldest first among
 * them), so today's runs are there after a year of them.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiHandler } from "../../runtime/daemon/api.js";
import { adminAuthorizer } from "../../runtime/daemon/auth.js";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { createLogger } from "../../runtime/daemon/log.js";
import { createHttp } from "../../runtime/daemon/main.js";
import { cliIn, listDaemon, postTo } from "../daemon/helpers.js";

const TOKEN = "adversary-runs-token";
const LIST = "busy@example.org";
const RULE = `rule busy

on message(m: Message) {
  log("{m.subject}")
}
`;

let daemon: Daemon;
let close: () => Promise<void>;
let http: Server;
let server: string;
const cwd = mkdtempSync(join(tmpdir(), "thwonkc-runs-"));

before(async () => {
  const d = await listDaemon({ source: RULE, fileName: "busy.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  const log = createLogger({ level: "silent", pretty: false });
  http = createHttp([apiHandler({ daemon, authorize: adminAuthorizer(TOKEN), log })], log);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  server = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // A year of runs, written as the runner commits them; then today's, run.
  const run = { trigger: "message", now: Date.UTC(2025, 0, 1), bundleHash: "old", replayOf: null, outcome: "ok" as const, error: null, gasUsed: 1, gasBound: 1, actions: [] };
  await daemon.store.commitRuns(Array.from({ length: 1500 }, () => ({ address: LIST, run })));
  for (const s of ["today 1", "today 2", "today 3"]) assert.equal((await postTo(daemon, LIST, "ann@example.org", s)).code, 250);
});

after(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  await close();
});

const runs = (...args: string[]) => cliIn(cwd, ["runs", ...args, "--server", server, "--token", TOKEN]);

test("thwonkc runs on a list with more runs than it shows: the latest, oldest first, and it says they are the latest", async () => {
  const newest = (await daemon.store.runs({ address: LIST, limit: 10_000 })).at(-1)!.id;
  const all = await runs(LIST);
  assert.equal(all.code, 0, all.err);
  const lines = all.out.trimEnd().split("\n");
  assert.equal(lines.length, 1001);
  assert.match(lines[999]!, new RegExp(`^#${newest} `), "the newest run is there, last");
  assert.match(lines[0]!, new RegExp(`^#${newest - 999} `));
  assert.equal(lines[1000], "1000 runs (the latest 1000; --limit N for more or fewer)");
  const two = await runs(LIST, "--limit", "2");
  assert.deepEqual(
    two.out.trimEnd().split("\n").map((l) => l.split(" ")[0]),
    [`#${newest - 1}`, `#${newest}`, "2"],
  );
  const every = await runs("--limit", "3");
  assert.match(every.out, new RegExp(`#${newest} .*${LIST.replace(".", "\\.")}`));
  // The API without `last` pages from the oldest, as before.
  const api = (await (await fetch(`${server}/v1/lists/${LIST}/runs?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { runs: { id: number }[] };
  assert.equal(api.runs[0]!.id, (await daemon.store.runs({ address: LIST, limit: 1 }))[0]!.id);
  const bad = await fetch(`${server}/v1/lists/${LIST}/runs?last=-1`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(bad.status, 400);
});
