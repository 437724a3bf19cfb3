/**
 * The runs listing pages as the failed listing does (`more`, `next`) when it is read without `last`, keeping the
 * answer old clients read; a message to a rule with no `on message` trigger fails with the catalog's TW6019; a
 * failure in an HTTP handler outside the API answers 500 with an id its log line carries.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { daemonMessages as M } from "../../runtime/daemon/messages.js";
import { createHttp } from "../../runtime/daemon/main.js";
import { callApi, serveApi } from "./adversary-api-helpers.js";
import { cliIn, listDaemon } from "./helpers.js";

const TOKEN = "run-order-api-token";
const LIST = "paged@example.org";
const RULE = `rule paged

on message(m: Message) {
}
`;
const STORED = 1003;

interface RunsPage {
  runs: { id: number }[];
  more?: boolean;
  next?: number | null;
}

test("GET .../runs without `last` says when more runs wait and gives the `after` that reads them; with `last` as before", async () => {
  const d = await listDaemon({ source: RULE, fileName: "paged.thwonk", addresses: [LIST] });
  const http = await serveApi(d.daemon, TOKEN);
  try {
    const run = { trigger: "message", now: Date.UTC(2026, 0, 1), bundleHash: "h", replayOf: null, outcome: "ok" as const, error: null, gasUsed: 1, gasBound: 1, actions: [] };
    const message = (n: number) => ({ raw: Buffer.from(`Subject: ${n}\r\n\r\nx\r\n`), mailFrom: "a@example.org", rcptTo: LIST, receivedAt: n, status: "accepted" as const, problems: [] });
    await d.daemon.store.commitRuns(Array.from({ length: STORED }, (_, n) => ({ address: LIST, message: message(n), run })));
    const ids = (await d.daemon.store.runs({ address: LIST, limit: 10_000 })).map((r) => r.id);
    assert.equal(ids.length, STORED);
    for (const base of [`lists/${LIST}/runs`, "runs"]) {
      const first = (await callApi(http.api, TOKEN, "GET", base)).json as unknown as RunsPage;
      assert.deepEqual(first.runs.map((r) => r.id), ids.slice(0, 1000), `${base}: the oldest 1,000`);
      assert.equal(first.more, true);
      assert.equal(first.next, ids[999]);
      const rest = (await callApi(http.api, TOKEN, "GET", `${base}?after=${first.next}`)).json as unknown as RunsPage;
      assert.deepEqual(rest.runs.map((r) => r.id), ids.slice(1000));
      assert.equal(rest.more, false);
      assert.equal(rest.next, null);
      const exact = (await callApi(http.api, TOKEN, "GET", `${base}?limit=${STORED}`)).json as unknown as RunsPage;
      assert.equal(exact.runs.length, STORED);
      assert.equal(exact.more, false, "all of them, none behind");
      const last = (await callApi(http.api, TOKEN, "GET", `${base}?last=2`)).json as unknown as RunsPage;
      assert.deepEqual(last, { runs: last.runs }, "`last` answers as before");
      assert.deepEqual(last.runs.map((r) => r.id), ids.slice(-2));
    }
    // The client reads the newest with `last`, as it did.
    const cli = await cliIn(d.dir, ["runs", LIST, "--limit", "3", "--server", http.api.replace(/\/v1$/, ""), "--token", TOKEN]);
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /\n3 runs \(the latest 3; --limit N for more or fewer\)\n$/);
  } finally {
    await http.close();
    await d.close();
  }
});

test("a message to a rule without an `on message` trigger fails with TW6019 as the catalog has it", async () => {
  const list = "quiet@example.org";
  const d = await listDaemon({ source: "rule quiet\n\nevery day at 00:00 {\n}\n", fileName: "quiet.thwonk", addresses: [list] });
  try {
    const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${list}>\r\nSubject: hi\r\n\r\nx\r\n`);
    const a = await d.daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: "ann@example.org", raw, receivedAt: Date.now() });
    assert.equal(a.code, 250);
    const run = await d.daemon.run(a.runId!);
    assert.equal(run!.outcome, "failed");
    assert.deepEqual(run!.error, { code: M.noMessageTrigger.code, message: M.noMessageTrigger.format("quiet"), line: null, column: null });
    assert.equal(M.noMessageTrigger.code, "TW6019");
  } finally {
    await d.close();
  }
});

test("a failure of a handler outside the API is 500 with an id, which its log line carries with the error", async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), done()) });
  const log = pino({ level: "info" }, sink);
  const http = createHttp([
    async (req) => {
      if (req.url?.startsWith("/unsubscribe/")) throw new Error("SQLITE_CORRUPT: database disk image is malformed at /var/lib/thwonk");
      return false;
    },
  ], log);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  try {
    const res = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/unsubscribe/secret-token?x=1`, { method: "POST" });
    assert.equal(res.status, 500);
    const body = await res.text();
    const id = /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(body)?.[1];
    assert.ok(id, body);
    assert.match(body, /^TW6032 /);
    assert.doesNotMatch(body, /SQLITE|\/var\/lib/, "the cause stays in the log");
    const line = lines.find((l) => l["msg"] === "HTTP handler failed");
    assert.equal(line?.["errorId"], id);
    assert.match(JSON.stringify(line?.["err"]), /SQLITE_CORRUPT/);
    assert.doesNotMatch(JSON.stringify(line), /secret-token/, "not the unsubscribe link's token");
  } finally {
    await new Promise<void>((r) => http.close(() => r()));
  }
});
