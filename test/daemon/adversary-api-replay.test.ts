/**
 * The adversary of `POST /v1/runs/ID/replay` (api.ts, runner.ts) on a
 * daemon in this process with its API on real HTTP and a real SQLite
 * store: a replay that fails again, replays sent at once, and the replay
 * of a failed approval's run once the message was approved.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";
import { serveApi, type ServedApi } from "./adversary-api-helpers.js";

const TOKEN = "adversary-replay-token";
const LIST = "ratio@example.org";
const MOD = "mod@example.org";
/** Fails on every message: a division by zero. */
const FAILS = `rule ratio

on message(m: Message) {
  let n = m.subject.length
  send(to: [m.from], subject: "ratio", text: "{100 / (n - n)}")
}
`;
const FIXED = FAILS.replace("(n - n)", "(n - n + 1)");
/** Holds a stranger's post; fails on it once approved. */
const MODERATED = `rule mod

on message(m: Message) {
  if not m.approved {
    hold("moderate")
  }
  let n = m.subject.length
  send(to: [m.from], subject: "approved", text: "{100 / (n - n)}")
}
`;
const MODERATED_FIXED = MODERATED.replace("(n - n)", "(n - n + 1)");

let daemon: Daemon;
let close: () => Promise<void>;
let http: ServedApi;

before(async () => {
  const d = await listDaemon({ source: FAILS, fileName: "ratio.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  const r = await daemon.deploy({ source: MODERATED, fileName: "mod.thwonk", addresses: [MOD] });
  assert.ok(r.ok);
  http = await serveApi(daemon, TOKEN);
});

after(async () => {
  await http.close();
  await close();
});

async function call(method: string, path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${http.api}/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const deploy = async (source: string, address: string) => assert.ok((await daemon.deploy({ source, fileName: "r.thwonk", addresses: [address] })).ok);
/** The failed messages of `address` with the run to replay for each. */
const failed = async (address: string) => ((await call("GET", `lists/${address}/failed`)).json["messages"] as { id: number; runId: number }[]).map((m) => ({ id: m.id, runId: m.runId }));
/** The runs that ran message `id` again, with what they sent. */
const replaysOf = async (id: number) => (await daemon.store.runs({ address: LIST })).filter((r) => r.messageId === id && r.replayOf !== null);

test("a replay that fails again keeps its message failed: listed, and replayed once more after the next fix", async () => {
  await deploy(FAILS, LIST);
  const post = await postTo(daemon, LIST, "zed@example.org", "first");
  assert.equal(post.code, 250);
  const [before] = await failed(LIST);
  assert.ok(before);
  const again = await call("POST", `runs/${before.runId}/replay`);
  assert.equal(again.status, 200, JSON.stringify(again.json));
  assert.equal((again.json["run"] as { outcome: string }).outcome, "failed");
  assert.match((again.json["answer"] as { message: string }).message, /kept for replay/);
  const listed = await failed(LIST);
  assert.deepEqual(listed.map((m) => m.id), [before.id], "still failed, so still listed");
  assert.notEqual(listed[0]!.runId, before.runId, "with the run that failed last");
  await deploy(FIXED, LIST);
  const fixed = await call("POST", `runs/${listed[0]!.runId}/replay`);
  assert.equal(fixed.status, 200, JSON.stringify(fixed.json));
  assert.equal((fixed.json["run"] as { outcome: string }).outcome, "ok");
  assert.deepEqual(await failed(LIST), []);
  const done = await call("POST", `runs/${before.runId}/replay`);
  assert.equal(done.status, 409, "replayed now: neither of its failed runs runs it again");
  assert.match((done.json["error"] as { message: string }).message, /replayed already/);
});

test("replays of one run sent at once: exactly one runs the message, the others are refused (409), one message sent", async () => {
  await deploy(FAILS, LIST);
  await postTo(daemon, LIST, "zed@example.org", "second");
  const [m] = await failed(LIST);
  assert.ok(m);
  await deploy(FIXED, LIST);
  const answers = await Promise.all(Array.from({ length: 6 }, () => call("POST", `runs/${m.runId}/replay`)));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409], JSON.stringify(answers.map((a) => a.json)));
  const runs = await replaysOf(m.id);
  assert.equal(runs.length, 1, `the message ran ${runs.length} times again`);
  assert.equal(runs[0]!.actions.filter((a) => a.kind === "send").length, 1);
});

test("a failed approval's run is not replayed once the message was approved since: it would be sent twice", async () => {
  const post = await postTo(daemon, MOD, "stranger@example.org", "please");
  assert.equal(post.code, 250);
  const [held] = (await daemon.store.heldMessages({ address: MOD, status: "held" })).map((h) => h.id);
  assert.ok(held !== undefined);
  const first = await call("POST", `held/${held}/approve`);
  assert.equal(first.status, 200, JSON.stringify(first.json));
  const failedRun = (first.json["run"] as { id: number; outcome: string }).id;
  assert.equal((first.json["run"] as { outcome: string }).outcome, "failed");
  await deploy(MODERATED_FIXED, MOD);
  const approved = await call("POST", `held/${held}/approve`);
  assert.equal((approved.json["run"] as { outcome: string }).outcome, "ok");
  const replay = await call("POST", `runs/${failedRun}/replay`);
  assert.equal(replay.status, 409, JSON.stringify(replay.json));
  assert.match((replay.json["error"] as { message: string }).message, /TW6016 .*decided since \(it is accepted now\)/);
  const sends = (await daemon.store.runs({ address: MOD })).filter((r) => r.outcome === "ok" && r.actions.some((a) => a.kind === "send"));
  assert.equal(sends.length, 1);
});

test("after 1,000 failed runs whose messages were replayed, a new failure is listed with its run and error, ready to replay", async () => {
  await deploy(FAILS, LIST);
  // The history, written as the runner commits it: each message failed, its run kept, the message replayed since.
  const run = { trigger: "message", now: 1, bundleHash: "old", replayOf: null, outcome: "failed" as const, error: { code: "TW5010", message: "old", line: 5, column: 1 }, gasUsed: 1, gasBound: 1, actions: [] };
  const history = Array.from({ length: 1000 }, (_, i) => ({
    address: LIST,
    message: { raw: Buffer.from(`Subject: old ${i}\r\n\r\nold\r\n`), mailFrom: "old@example.org", rcptTo: LIST, receivedAt: 1, status: "replayed" as const, problems: [] },
    run,
  }));
  await daemon.store.commitRuns(history);
  assert.equal(await failedCount(), 0);
  assert.equal((await postTo(daemon, LIST, "zed@example.org", "third")).code, 250);
  const messages = (await call("GET", `lists/${LIST}/failed`)).json["messages"] as { id: number; runId: number | null; error: { code: string } | null }[];
  assert.equal(messages.length, 1);
  const [m] = messages;
  const runs = await daemon.store.runs({ address: LIST, failed: true, after: 1000, limit: 100_000 });
  const latest = runs.filter((r) => r.messageId === m!.id).at(-1);
  assert.ok(latest);
  assert.equal(m!.runId, latest.id);
  assert.equal(m!.error?.code, "TW5010");
  await deploy(FIXED, LIST);
  assert.equal((await call("POST", `runs/${m!.runId}/replay`)).status, 200);
  assert.deepEqual(await failed(LIST), []);
});

/** How many of LIST's messages are failed now, by the store. */
async function failedCount(): Promise<number> {
  return (await daemon.store.messages({ address: LIST, status: "failed" })).length;
}
