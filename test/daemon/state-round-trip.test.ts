/**
 * `thwonkc state ADDR --json > f.json; thwonkc state set ADDR f.json` on a real thwonkd (a child process, its
 * SQLite file, the admin API over HTTP, thwonkc as its client): what `state --json` prints is taken back whole, told
 * from a bare state by its "thwonk-state" key (contract/state.ts STATE_ANSWER_KEY) and not by the look of its fields,
 * so a rule whose state fields are `address`, `state` and `hash` keeps its state as given. And a reset, which stores
 * no state, is said to be one: the answer names the fields the next run starts at their initial values (`initial`)
 * with a note (TW6042), not a bare null.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callApi } from "./adversary-api-helpers.js";
import { cliIn, startDaemon, workspace, type Running } from "./helpers.js";

const COUNT = `rule count

state {
  count: int = 0
  log: List<int> max 100 = []
  last: { subject: string max 40, at: Time }? = none
}

on message(m: Message) {
  state.count += 1
  if state.log.size < 100 { state.log.push(state.count) }
  state.last = { subject: m.subject.truncate(40), at: now }
}
`;
// A state whose fields look like the answer around it: `address`, `state` and `hash`.
const LOOKALIKE = `rule lookalike

state {
  address: string max 100 = ""
  state: int = 0
  hash: string max 64 = ""
}

on message(m: Message) {
  state.state += 1
  state.address = m.subject.truncate(100)
  state.hash = "h{state.state}"
}
`;
const ANN = [{ address: "ann@example.org", name: "Ann" }];
const COUNT_AT = "count@example.org";
const LOOK_AT = "lookalike@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;
let posted = 0;

before(async () => {
  ws = workspace({ count: { source: COUNT, members: ANN }, lookalike: { source: LOOKALIKE, members: ANN } });
  d = await startDaemon(ws);
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

const admin = (...args: string[]) => cliIn(ws.dir, [...args, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
const call = (method: string, path: string, body?: unknown) => callApi(`http://127.0.0.1:${d.ports.http}/v1`, token, method, path, body);

async function mail(list: string, subject: string): Promise<void> {
  const file = join(ws.dir, `post${posted}.eml`);
  writeFileSync(file, `From: ann@example.org\r\nTo: ${list}\r\nSubject: ${subject}\r\nMessage-ID: <rt.${posted++}@example.org>\r\n\r\nHello\r\n`);
  const r = await cliIn(ws.dir, ["mail", file, "--to", list, "--server", `smtp://127.0.0.1:${d.ports.smtp}`]);
  assert.equal(r.code, 0, r.out + r.err);
}

/** `thwonkc state ADDR --json`, as a shell's `> name` keeps it. */
async function saved(list: string, name: string): Promise<Record<string, unknown>> {
  const shown = await admin("state", list, "--json");
  assert.equal(shown.code, 0, shown.err);
  writeFileSync(join(ws.dir, name), shown.out);
  return JSON.parse(shown.out) as Record<string, unknown>;
}

test("what `thwonkc state ADDR --json` prints, set back with `thwonkc state set ADDR FILE`, leaves the state as it was", async () => {
  await mail(COUNT_AT, "first");
  await mail(COUNT_AT, "second");
  const shown = await saved(COUNT_AT, "count.json");
  assert.equal(shown["thwonk-state"], 1);
  assert.deepEqual((shown["state"] as { log: number[] }).log, [1, 2]);
  assert.deepEqual(shown["initial"], []);
  assert.equal(shown["note"], undefined);

  const set = await admin("state", "set", COUNT_AT, "count.json");
  assert.equal(set.code, 0, set.out + set.err);
  assert.match(set.out, /^the state of count@example\.org is set; its next run starts from it\n$/);
  assert.deepEqual((await call("GET", `lists/${COUNT_AT}/state`)).json, shown);
  // The API's own answer is what thwonkc printed.
  assert.deepEqual(await saved(COUNT_AT, "again.json"), shown);
  // The state alone (`jq .state`) is still a state.
  writeFileSync(join(ws.dir, "bare.json"), JSON.stringify(shown["state"]));
  assert.equal((await admin("state", "set", COUNT_AT, "bare.json")).code, 0);
  assert.deepEqual((await call("GET", `lists/${COUNT_AT}/state`)).json, shown);
  // What an older thwonkc printed (no "thwonk-state") is read as a state: refused, saying how to give it.
  writeFileSync(join(ws.dir, "older.json"), JSON.stringify({ address: COUNT_AT, state: shown["state"], hash: shown["hash"] }));
  const older = await admin("state", "set", COUNT_AT, "older.json");
  assert.equal(older.code, 1, older.out);
  assert.match(older.err, /TW6040 .*state\.address: not a field/);
  assert.match(older.err, /older\.json has the fields of the answer an older thwonkc's `state --json` printed .*\(jq \.state older\.json\)/);
  assert.deepEqual((await call("GET", `lists/${COUNT_AT}/state`)).json, shown);
  await mail(COUNT_AT, "third");
  assert.deepEqual(((await call("GET", `lists/${COUNT_AT}/state`)).json["state"] as { log: number[] }).log, [1, 2, 3]);
});

test("a state whose fields are address, state and hash is a state, not an answer: set as given, and its answer round-trips too", async () => {
  await mail(LOOK_AT, "x");
  // Shaped like the answer of another list, without the "thwonk-state" key: the lookalike's own fields.
  const bare = { address: "count@example.org", state: 7, hash: "h7" };
  writeFileSync(join(ws.dir, "look.json"), JSON.stringify(bare));
  const set = await admin("state", "set", LOOK_AT, "look.json");
  assert.equal(set.code, 0, set.out + set.err);
  const shown = await saved(LOOK_AT, "look-answer.json");
  assert.deepEqual(shown["state"], bare);
  assert.equal(shown["address"], LOOK_AT);

  const again = await admin("state", "set", LOOK_AT, "look-answer.json");
  assert.equal(again.code, 0, again.out + again.err);
  assert.deepEqual((await call("GET", `lists/${LOOK_AT}/state`)).json, shown);
  await mail(LOOK_AT, "y");
  assert.deepEqual((await call("GET", `lists/${LOOK_AT}/state`)).json["state"], { address: "y", state: 8, hash: "h8" });

  // An answer of a version this thwonkc does not read, or with no state, is refused (usage), not sent as a state.
  writeFileSync(join(ws.dir, "v2.json"), JSON.stringify({ "thwonk-state": 2, address: LOOK_AT, state: bare }));
  const v2 = await admin("state", "set", LOOK_AT, "v2.json");
  assert.equal(v2.code, 2, v2.out);
  assert.match(v2.err, /v2\.json is a list's state answer of version 2 \("thwonk-state"\)/);
  writeFileSync(join(ws.dir, "stateless.json"), JSON.stringify({ "thwonk-state": 1, address: LOOK_AT }));
  const stateless = await admin("state", "set", LOOK_AT, "stateless.json");
  assert.equal(stateless.code, 2, stateless.out);
  assert.match(stateless.err, /has "thwonk-state" but no "state"/);
});

test("a reset stores no state and says so: the fields the next run starts at their initial values, a note (TW6042), and its answer set back is a reset", async () => {
  await mail(COUNT_AT, "before reset");
  const reset = await admin("state", "reset", COUNT_AT, "--json");
  assert.equal(reset.code, 0, reset.err);
  const answer = JSON.parse(reset.out) as Record<string, unknown>;
  assert.equal(answer["state"], null);
  assert.deepEqual(answer["initial"], ["count", "log", "last"]);
  assert.match(String(answer["note"]), /^TW6042 No state is stored for count@example\.org .*its next run starts from the rule's initial state/);
  const shown = await saved(COUNT_AT, "reset.json");
  assert.deepEqual(shown, answer);
  const human = await admin("state", COUNT_AT);
  assert.match(human.out, /count@example\.org has no state stored \(it was reset.*\): its next run starts from the rule's initial state/);

  // Something stored, then the answer of the reset list set back: no state again.
  writeFileSync(join(ws.dir, "partial.json"), '{"count": 41}');
  const partial = await admin("state", "set", COUNT_AT, "partial.json");
  assert.match(partial.out, /its next run starts from it, and from their initial values for the fields it leaves out \(`log`, `last`\)/);
  assert.deepEqual((await call("GET", `lists/${COUNT_AT}/state`)).json["initial"], ["log", "last"]);
  const show = await admin("state", COUNT_AT);
  assert.equal(show.out, '{\n  "count": 41\n}\n');
  assert.match(show.err, /not stored: `log`, `last`; the next run starts them at their initial values/);
  const back = await admin("state", "set", COUNT_AT, "reset.json");
  assert.equal(back.code, 0, back.out + back.err);
  assert.match(back.out, /is reset \(reset\.json holds no stored state\)/);
  assert.equal((await call("GET", `lists/${COUNT_AT}/state`)).json["state"], null);
  await mail(COUNT_AT, "after reset");
  const after = (await call("GET", `lists/${COUNT_AT}/state`)).json;
  assert.deepEqual((after["state"] as { log: number[] }).log, [1]);
  assert.deepEqual(after["initial"], []);

  // Over the API itself: GET's answer of a reset list, PUT back whole, is a reset too (null is not refused as a state).
  const put = await call("PUT", `lists/${COUNT_AT}/state`, shown);
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.deepEqual(put.json, answer);
  assert.equal((await call("GET", `lists/${COUNT_AT}/state`)).json["state"], null);
});
