/**
 * The API's token before its store (api.ts, auth.ts `someList`), on a daemon
 * in this process with its API on real HTTP and a real SQLite store: a
 * request without the token, or with a wrong one, gets 401 before anything
 * is read from the store, and the same answer for a run, a held message or
 * a list that exists as for one that does not, so it cannot probe what
 * exists.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";
import { serveApi, type ServedApi } from "./adversary-api-helpers.js";

const TOKEN = "api-hardening-auth-token";
const LIST = "mod@example.org";
/** Holds every message not yet approved: one post makes a run and a held message. */
const RULE = `rule mod

on message(m: Message) {
  if not m.approved {
    hold("moderate")
  }
}
`;
/** What the API's routes read from the store. */
const READS = ["run", "heldMessage", "members", "state", "deploymentHistory", "messages", "failedRunsOf", "runs", "message"] as const;

let daemon: Daemon;
let close: () => Promise<void>;
let http: ServedApi;
let runId: number;
let heldId: number;
/** Each store read the routes make, by method. */
const reads: string[] = [];

before(async () => {
  const d = await listDaemon({ source: RULE, fileName: "mod.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  assert.equal((await postTo(daemon, LIST, "zed@example.org", "hello")).code, 250);
  const run = (await daemon.store.runs({ address: LIST })).at(-1)!;
  runId = run.id;
  heldId = run.messageId!;
  assert.ok(await daemon.store.heldMessage(heldId), "the post is held");
  const store = daemon.store as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of READS) {
    const real = store[name]!.bind(store);
    store[name] = (...a: unknown[]) => (reads.push(name), real(...a));
  }
  http = await serveApi(daemon, TOKEN);
});

after(async () => {
  await http.close();
  await close();
});

/** Pairs of requests about something that exists and the same about something that does not. */
const pairs = (): [method: string, there: string, missing: string][] => [
  ["GET", `runs/${runId}`, "runs/987654"],
  ["POST", `runs/${runId}/replay`, "runs/987654/replay"],
  ["GET", `held/${heldId}`, "held/987654"],
  ["POST", `held/${heldId}/approve`, "held/987654/approve"],
  ["POST", `held/${heldId}/reject`, "held/987654/reject"],
  ["GET", `lists/${LIST}`, "lists/nobody@example.org"],
  ["GET", `lists/${LIST}/state`, "lists/nobody@example.org/state"],
  ["GET", `lists/${LIST}/members`, "lists/nobody@example.org/members"],
  ["GET", `lists/${LIST}/failed`, "lists/nobody@example.org/failed"],
  ["GET", `lists/${LIST}/held`, "lists/nobody@example.org/held"],
  ["GET", `lists/${LIST}/runs`, "lists/nobody@example.org/runs"],
];

async function call(method: string, path: string, authorization?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${http.api}/${path}`, { method, headers: { "content-type": "application/json", ...(authorization !== undefined ? { authorization } : {}) }, ...(method === "POST" ? { body: "{}" } : {}) });
  return { status: res.status, text: await res.text() };
}

test("without a valid token: 401 before any store read, the same for what exists and what does not", async () => {
  for (const authorization of [undefined, "Bearer wrong-token", `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}`, "Bearer", `Bearer ${TOKEN}x`]) {
    for (const [method, there, missing] of pairs()) {
      reads.length = 0;
      const a = await call(method, there, authorization);
      const b = await call(method, missing, authorization);
      const what = `${method} ${there} / ${missing} with ${authorization ?? "no token"}`;
      assert.equal(a.status, 401, `${what}: ${a.text}`);
      assert.equal(b.status, 401, `${what}: ${b.text}`);
      assert.equal(a.text, b.text, `${what}: one answer for both`);
      assert.deepEqual(reads, [], `${what}: the store was read before the token was checked`);
    }
  }
});

test("with the token, the same requests read the store and tell the two apart (the check above is not vacuous)", async () => {
  reads.length = 0;
  const a = await call("GET", `runs/${runId}`, `Bearer ${TOKEN}`);
  const b = await call("GET", "runs/987654", `Bearer ${TOKEN}`);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 404, b.text);
  assert.ok(reads.includes("run"));
  const h = await call("GET", "held/987654", `Bearer ${TOKEN}`);
  assert.equal(h.status, 404, h.text);
  assert.ok(reads.includes("heldMessage"));
});
