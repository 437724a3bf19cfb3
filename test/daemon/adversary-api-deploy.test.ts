/**
 * The adversary of `POST /v1/deploy`'s checks (daemon.ts, runner.ts) on a
 * daemon in this process with its API on real HTTP and a real SQLite
 * store: a deploy is refused when the list's stored state or members do
 * not fit the new version, and that must hold for the state and members as
 * they are when the version is swapped in, not as they were when the
 * request came. The list's queue is held (runner.withList) while runs, a
 * members change or another deploy queue up behind it, so the order is the
 * test's, not the machine's.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";
import { callApi, serveApi, type ServedApi } from "./adversary-api-helpers.js";

const TOKEN = "adversary-deploy-token";
/** Counts its messages in state. */
const COUNT = `rule counter

limits { members: 10 }

state {
  count: int = 0
}

on message(m: Message) {
  state.count += 1
}
`;
/** COUNT without its count: a stored state with one cannot be taken over. */
const NO_COUNT = `rule counter

limits { members: 10 }

state {
  note: string max 50 = ""
}

on message(m: Message) {
  state.note = m.subject.truncate(50)
}
`;
/** COUNT and a note, a string. */
const NOTE_TEXT = COUNT.replace("count: int = 0", 'count: int = 0\n  note: string max 50 = ""').replace("state.count += 1", "state.count += 1\n  state.note = m.subject.truncate(50)");
/** COUNT and a note, a number: fits COUNT's state, not NOTE_TEXT's. */
const NOTE_NUMBER = COUNT.replace("count: int = 0", "count: int = 0\n  note: int = 0");
/** COUNT with room for two members only. */
const TWO = COUNT.replace("members: 10", "members: 2");

let daemon: Daemon;
let close: () => Promise<void>;
let http: ServedApi;
let bundleStored: (() => void) | undefined;
let n = 0;

before(async () => {
  const d = await listDaemon({ source: COUNT, fileName: "counter.thwonk", addresses: ["warm@example.org"] });
  daemon = d.daemon;
  close = d.close;
  // Told when a deploy has stored its bundle: the checks of the code before the fix followed at once, without I/O.
  const put = daemon.store.putBundle.bind(daemon.store);
  daemon.store.putBundle = async (b) => {
    await put(b);
    bundleStored?.();
  };
  http = await serveApi(daemon, TOKEN);
});

after(async () => {
  await http.close();
  await close();
});

const call = (method: string, path: string, body?: unknown) => callApi(http.api, TOKEN, method, path, body);
/** A list of its own for each test, with `source` deployed and Ann as its member. */
async function freshList(source: string): Promise<string> {
  const list = `list${n++}@example.org`;
  assert.equal((await call("POST", "deploy", { source, addresses: [list] })).status, 200);
  assert.equal((await call("POST", `lists/${list}/members`, { members: ["ann@example.org"] })).status, 200);
  return list;
}
/** Holds `list`'s queue until the returned function is called. */
async function holdQueue(list: string): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  void daemon.runner.withList(list, async () => {
    entered();
    await held;
  });
  await inside;
  return release;
}
/** A deploy over HTTP, resolved (unanswered yet) once the daemon has its bundle stored and every check that needs no turn made. */
async function deployStarted(source: string, list: string): Promise<{ answer: Promise<{ status: number; json: Record<string, unknown> }> }> {
  const stored = new Promise<void>((r) => (bundleStored = r));
  const answer = call("POST", "deploy", { source, addresses: [list] });
  // An answer before the bundle is stored is a refusal of the source itself: the test's mistake, shown by its assertions.
  await Promise.race([stored, answer]);
  bundleStored = undefined;
  await new Promise((r) => setImmediate(r));
  return { answer }; // wrapped: an async function returning a promise would wait for it
}
const hashOf = async (list: string) => (await call("GET", `lists/${list}`)).json["hash"] as string;
const errorOf = (r: { json: Record<string, unknown> }) => r.json["error"] as { code: string; message: string };

test("a list's first state saved by a run queued before the deploy: a version that cannot take it is refused (409), and the state is kept", async () => {
  const list = await freshList(COUNT);
  const running = await hashOf(list);
  assert.equal((await call("GET", `lists/${list}/state`)).json["state"], null, "no run yet: no state");
  const release = await holdQueue(list);
  const post = postTo(daemon, list, "ann@example.org", "first");
  const deploy = await deployStarted(NO_COUNT, list);
  release();
  assert.equal((await post).code, 250);
  const r = await deploy.answer;
  assert.equal(r.status, 409, JSON.stringify(r.json));
  assert.equal(errorOf(r).code, "TW6012");
  assert.equal(await hashOf(list), running, "the running version keeps running");
  assert.equal((await postTo(daemon, list, "ann@example.org", "second")).code, 250);
  assert.deepEqual((await call("GET", `lists/${list}/state`)).json["state"], { count: 2 });
});

test("two deploys at once: the second is checked against the first, which is running when its turn comes", async () => {
  const list = await freshList(COUNT);
  assert.equal((await postTo(daemon, list, "ann@example.org", "saved")).code, 250);
  const release = await holdQueue(list);
  const first = await deployStarted(NOTE_TEXT, list);
  const post = postTo(daemon, list, "ann@example.org", "a note");
  const second = await deployStarted(NOTE_NUMBER, list);
  release();
  assert.equal((await first.answer).status, 200);
  assert.equal((await post).code, 250);
  const r = await second.answer;
  assert.equal(r.status, 409, `NOTE_NUMBER over NOTE_TEXT's stored note: ${JSON.stringify(r.json)}`);
  assert.equal(errorOf(r).code, "TW6012");
  assert.deepEqual((await call("GET", `lists/${list}/state`)).json["state"], { count: 2, note: "a note" });
});

test("members added while a deploy with a smaller limit waits its turn: the deploy is refused (409), and the list keeps taking mail", async () => {
  const list = await freshList(COUNT);
  const release = await holdQueue(list);
  // In the list's queue as soon as it is called (over HTTP it might arrive after the deploy).
  const add = daemon.addMembers(list, [{ address: "bob@example.org" }, { address: "cy@example.org" }]);
  const deploy = await deployStarted(TWO, list);
  release();
  assert.equal((await add).members.length, 3);
  const r = await deploy.answer;
  assert.equal(r.status, 409, JSON.stringify(r.json));
  assert.equal(errorOf(r).code, "TW6014");
  assert.equal((await postTo(daemon, list, "ann@example.org", "still served")).code, 250);
});
