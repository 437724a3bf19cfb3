/**
 * The adversary of the API's changes while mail flows (a daemon in this
 * process, its API on real HTTP, a real SQLite store): a redeploy and a
 * members import sent over HTTP while a list's messages are queued and
 * running. Each run sees one version and one set of members, whole: the
 * runs in commit order switch once, never back, and those after the
 * request's answer see the change. Where the request lands among the
 * queued runs is the machine's; the order it keeps is what is checked.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";
import { callApi, serveApi, type ServedApi } from "./adversary-api-helpers.js";

const TOKEN = "adversary-flow-token";
const LIST = "flow@example.org";
const V1 = `rule flow

limits { members: 10, fanout: 10 }

state {
  count: int = 0
}

on message(m: Message) {
  state.count += 1
  send(to: members, subject: "v1 {state.count}", text: m.text)
}
`;
const V2 = V1.replace('"v1 {state.count}"', '"v2 {state.count}"');

let daemon: Daemon;
let close: () => Promise<void>;
let http: ServedApi;

before(async () => {
  const d = await listDaemon({ source: V1, fileName: "flow.thwonk", addresses: [LIST] });
  daemon = d.daemon;
  close = d.close;
  http = await serveApi(daemon, TOKEN);
});

after(async () => {
  await http.close();
  await close();
});

const call = (method: string, path: string, body?: unknown) => callApi(http.api, TOKEN, method, path, body);
/** The list's runs after run `after`, in commit order, with the subject and recipients of each one's send. */
async function runsAfter(after: number): Promise<{ id: number; hash: string; subject: string; to: string[] }[]> {
  return (await daemon.store.runs({ address: LIST, after, limit: 10_000 })).map((r) => {
    const send = r.actions.find((a) => a.kind === "send") as { subject?: string; to?: string[] } | undefined;
    return { id: r.id, hash: r.bundleHash, subject: send?.subject ?? "", to: [...(send?.to ?? [])].sort() };
  });
}
const lastRun = async () => (await daemon.store.runs({ address: LIST, limit: 100_000 })).at(-1)?.id ?? 0;
/** How many times the values change along `xs`. */
const switches = (xs: string[]) => xs.slice(1).filter((x, i) => x !== xs[i]).length;

test("a redeploy sent while 40 messages are queued: each run is of one version, the count goes on unbroken, the switch happens once", async () => {
  const from = await lastRun();
  const count = ((await call("GET", `lists/${LIST}/state`)).json["state"] as { count?: number } | null)?.count ?? 0;
  const posts = Array.from({ length: 40 }, (_, i) => postTo(daemon, LIST, "ann@example.org", `p${i}`));
  const deployed = call("POST", "deploy", { source: V2, addresses: [LIST] });
  const more = Array.from({ length: 20 }, (_, i) => postTo(daemon, LIST, "ann@example.org", `q${i}`));
  assert.equal((await deployed).status, 200);
  const late = await postTo(daemon, LIST, "ann@example.org", "after the answer");
  for (const p of [...posts, ...more]) assert.equal((await p).code, 250);
  assert.equal(late.code, 250);
  const runs = await runsAfter(from);
  assert.equal(runs.length, 61);
  assert.deepEqual(
    runs.map((r) => Number(r.subject.split(" ")[1])),
    runs.map((_, i) => count + i + 1),
    "the state went from each run to the next across the swap",
  );
  assert.equal(switches(runs.map((r) => r.hash)), 1, "one switch, no run of the old version after the new one");
  assert.equal(switches(runs.map((r) => r.subject.split(" ")[0]!)), 1);
  assert.match(runs.at(-1)!.subject, /^v2 /, "the run after the answer is the new version's");
});

test("a members import sent while 40 messages are queued: each run is sent to the old members or the new, whole, and switches once", async () => {
  await call("PUT", `lists/${LIST}/members`, { text: "ann@example.org\nbea@example.org\n" });
  const from = await lastRun();
  const posts = Array.from({ length: 40 }, (_, i) => postTo(daemon, LIST, "ann@example.org", `m${i}`));
  const imported = call("PUT", `lists/${LIST}/members`, { text: "cy@example.org\ndan@example.org\neve@example.org\n" });
  const more = Array.from({ length: 20 }, (_, i) => postTo(daemon, LIST, "ann@example.org", `n${i}`));
  assert.equal((await imported).status, 200);
  const late = await postTo(daemon, LIST, "ann@example.org", "after the import");
  for (const p of [...posts, ...more]) assert.equal((await p).code, 250);
  assert.deepEqual(late.to, ["cy@example.org", "dan@example.org", "eve@example.org"]);
  const runs = await runsAfter(from);
  const old = ["ann@example.org", "bea@example.org"].join();
  const now = ["cy@example.org", "dan@example.org", "eve@example.org"].join();
  for (const r of runs) assert.ok([old, now].includes(r.to.join()), `run #${r.id} went to ${r.to.join(", ")}`);
  assert.equal(switches(runs.map((r) => r.to.join())), 1);
});
