/**
 * The failed messages' listing on a store with more of them than one answer
 * takes (api.ts `failed`, `thwonkc runs --failed`), on a daemon in this
 * process with its API on real HTTP and a real SQLite store: the answer
 * says that more wait behind its page and gives the `after` that reads
 * them, and the client says so too.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { cliIn, listDaemon, postTo } from "./helpers.js";
import { callApi, serveApi, type ServedApi } from "./adversary-api-helpers.js";

const TOKEN = "api-hardening-failed-token";
const LIST = "ratio@example.org";
const OTHER = "other@example.org";
/** Fails on every message: a division by zero. */
const FAILS = `rule ratio

on message(m: Message) {
  let n = m.subject.length
  send(to: [m.from], subject: "ratio", text: "{100 / (n - n)}")
}
`;
/** Failed messages stored as the runner commits them: more than one answer takes. */
const STORED = 1003;

let daemon: Daemon;
let close: () => Promise<void>;
let http: ServedApi;
/** The failed messages' ids of LIST, oldest first. */
let ids: number[] = [];
const cwd = mkdtempSync(join(tmpdir(), "thwonkc-failed-"));

interface Page {
  messages: { id: number; runId: number | null }[];
  more: boolean;
  next: number | null;
}

before(async () => {
  const d = await listDaemon({ source: FAILS, fileName: "ratio.thwonk", addresses: [LIST, OTHER] });
  daemon = d.daemon;
  close = d.close;
  const run = { trigger: "message", now: Date.UTC(2025, 0, 1), bundleHash: "old", replayOf: null, outcome: "failed" as const, error: { code: "TW5001", message: "division by zero", line: 5, column: 1 }, gasUsed: 1, gasBound: 1, actions: [] };
  const message = (n: number) => ({ raw: Buffer.from(`Subject: ${n}\r\n\r\nhello\r\n`), mailFrom: "zed@example.org", rcptTo: LIST, receivedAt: n, status: "failed" as const, problems: [] });
  await daemon.store.commitRuns(Array.from({ length: STORED }, (_, n) => ({ address: LIST, message: message(n), run })));
  // And the newest, failed by a run, with one of another list between them.
  assert.equal((await postTo(daemon, OTHER, "zed@example.org", "other")).code, 250);
  assert.equal((await postTo(daemon, LIST, "zed@example.org", "today")).code, 250);
  ids = (await daemon.store.messages({ address: LIST, status: "failed", limit: 10_000 })).map((m) => m.id);
  assert.equal(ids.length, STORED + 1);
  http = await serveApi(daemon, TOKEN);
});

after(async () => {
  await http.close();
  await close();
});

const page = async (path: string): Promise<Page> => {
  const r = await callApi(http.api, TOKEN, "GET", path);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as unknown as Page;
};

test("the first 1,000 say that more wait, and `next` reads the rest to the newest, each with its run", async () => {
  const first = await page(`lists/${LIST}/failed`);
  assert.equal(first.messages.length, 1000);
  assert.deepEqual(first.messages.map((m) => m.id), ids.slice(0, 1000), "the oldest, in order");
  assert.equal(first.more, true);
  assert.equal(first.next, ids[999]);
  const rest = await page(`lists/${LIST}/failed?after=${first.next}`);
  assert.deepEqual(rest.messages.map((m) => m.id), ids.slice(1000), "the rest, the run's failure last");
  assert.equal(rest.more, false);
  assert.equal(rest.next, null);
  assert.ok(rest.messages.every((m) => m.runId !== null), "each with the run to replay");
});

test("paging with limit walks every failed message once; every list's listing too", async () => {
  for (const base of [`lists/${LIST}/failed`, "failed"]) {
    const seen: number[] = [];
    let after: number | null = null;
    let pages = 0;
    do {
      const p: Page = await page(`${base}?limit=300${after !== null ? `&after=${after}` : ""}`);
      assert.ok(p.messages.length <= 300);
      seen.push(...p.messages.map((m) => m.id));
      assert.equal(p.more, p.next !== null);
      after = p.next;
      pages++;
    } while (after !== null && pages < 10);
    const want = base === "failed" ? (await daemon.store.messages({ status: "failed", limit: 10_000 })).map((m) => m.id) : ids;
    assert.deepEqual(seen, want, base);
    assert.equal(pages, Math.ceil(want.length / 300), `${base}: no empty last page when the count is not a multiple`);
  }
  const exact = await page(`lists/${LIST}/failed?limit=${ids.length}`);
  assert.equal(exact.messages.length, ids.length);
  assert.equal(exact.more, false, "all of them, and none behind");
  assert.equal((await page(`lists/${LIST}/failed?limit=${ids.length - 1}`)).more, true, "one behind");
  const bad = await callApi(http.api, TOKEN, "GET", `lists/${LIST}/failed?limit=-1`);
  assert.equal(bad.status, 400);
});

test("thwonkc runs --failed says that more failed messages wait behind those it shows; not when none do", async () => {
  const run = (...args: string[]) => cliIn(cwd, ["runs", ...args, "--server", http.api.replace(/\/v1$/, ""), "--token", TOKEN]);
  const all = await run(LIST, "--failed");
  assert.equal(all.code, 0, all.err);
  const lines = all.out.trimEnd().split("\n");
  assert.equal(lines.length, 1001);
  assert.match(lines.at(-1)!, /^1000 failed messages, the oldest; more failed messages wait behind them/);
  const few = await run(OTHER, "--failed");
  assert.equal(few.code, 0, few.err);
  assert.match(few.out, /^run #\d+ .*\n1 failed message; after a fix/);
  assert.doesNotMatch(few.out, /more failed/);
  const limited = await run(LIST, "--failed", "--limit", "2");
  assert.equal(limited.code, 0, limited.err);
  assert.equal(limited.out.trimEnd().split("\n").length, 3);
  assert.match(limited.out, /2 failed messages, the oldest; more failed messages wait/);
  const json = await run(LIST, "--failed", "--json", "--limit", "5");
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out) as Page;
  assert.equal(parsed.more, true);
  assert.equal(parsed.next, ids[4]);
});
