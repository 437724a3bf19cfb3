/**
 * The adversary of an owner's state set (PUT /v1/lists/ADDR/state): what it takes is what the rule's next run
 * reads. A map's key is saved as the canonical text of its value, and a run loads each key as that value; state
 * written by hand can spell one value several ways (`ANN@example.org` and `ann@example.org`, a time with and
 * without its milliseconds, `-0` and `0`), which a run would fold into one entry, keeping one of them at random.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { callApi, serveApi } from "./adversary-api-helpers.js";
import { clockedDaemon } from "./run-order-helpers.js";

const LIST = "votes@example.org";
const TOKEN = "adversary-lifetime-state";
const VOTES = `rule votes

state {
  votes: Map<Address, int> max 3 = {}
  at: Map<Time, int> max 3 = {}
  n: Map<int, int> max 3 = {}
}

on message(m: Message) {
  if state.votes.has(m.from) or state.votes.size < 3 { state.votes.set(m.from, (state.votes.get(m.from) ?? 0) + 1) }
}
`;

async function post(daemon: Daemon): Promise<void> {
  const raw = Buffer.from(`From: <ann@example.org>\r\nTo: <${LIST}>\r\nSubject: vote\r\nMessage-ID: <v.${Math.random()}@example.org>\r\n\r\nx\r\n`);
  assert.equal((await daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "ann@example.org", raw, receivedAt: daemon.clock() })).code, 250);
}

test("a state set whose map spells one key twice is refused (422) naming both keys, not folded into one entry by the next run", async () => {
  const d = await clockedDaemon({ source: VOTES, list: LIST, startAt: "2026-06-01T12:00:00Z" });
  const http = await serveApi(d.daemon, TOKEN);
  const put = (state: unknown) => callApi(http.api, TOKEN, "PUT", `lists/${LIST}/state`, { state });
  try {
    const good = { votes: { "ann@example.org": 7, "bob@example.org": 1 }, at: { "2026-01-01T00:00:00.000Z": 1 }, n: { "0": 1, "-5": 2 } };
    assert.equal((await put(good)).status, 200);
    for (const [state, key] of [
      [{ votes: { "ANN@example.org": 5, "ann@example.org": 7 } }, /state\.votes \(the key "ANN@example\.org"\): the same key as "ann@example\.org"/],
      [{ votes: { " Ann@Example.ORG ": 1, "ANN@example.org": 5 } }, /state\.votes \(the key "ANN@example\.org"\): .*" Ann@Example\.ORG "/],
      [{ at: { "2026-01-01T00:00:00Z": 1, "2026-01-01T01:00:00+01:00": 2 } }, /state\.at \(the key "2026-01-01T01:00:00\+01:00"\): .*"2026-01-01T00:00:00Z"/],
      [{ n: { "0": 1, "-0": 2 } }, /state\.n \(the key "-0"\)/],
      // Both before the year 0000, which a run reads (and saves) as its first millisecond.
      [{ at: { "-000001-01-01T00:00:00Z": 1, "-000002-01-01T00:00:00Z": 2 } }, /state\.at \(the key "-000002-01-01T00:00:00Z"\): the same key as "-000001-01-01T00:00:00Z"/],
    ] as const) {
      const r = await put(state);
      assert.equal(r.status, 422, JSON.stringify(r.json));
      assert.match((r.json["error"] as { message: string }).message, key);
    }
    // The list kept the state set before, and its run counts on it.
    await post(d.daemon);
    assert.deepEqual((await d.daemon.state(LIST)).state, { ...good, votes: { "ann@example.org": 8, "bob@example.org": 1 } });
    // A key spelled another way, once, is the same value: taken, and saved canonical by the next run.
    assert.equal((await put({ votes: { "ANN@Example.org": 2 }, at: { "2026-01-01T01:00:00+01:00": 3 } })).status, 200);
    await post(d.daemon);
    assert.deepEqual((await d.daemon.state(LIST)).state, { votes: { "ann@example.org": 3 }, at: { "2026-01-01T00:00:00.000Z": 3 }, n: {} });
  } finally {
    await http.close();
    await d.close();
  }
});

const REC = `rule rec

state {
  r: { a: int } = { a: 0 }
}

on message(m: Message) {
  state.r.a += 1
}
`;
const REC_B = REC.replace("r: { a: int } = { a: 0 }", 'r: { a: int, b: string max 5 } = { a: 0, b: "" }');

test("the state as GET shows it after a deploy that added a record field, with no run since, is taken back by PUT (the repair round trip)", async () => {
  const d = await clockedDaemon({ source: REC, list: "rec@example.org", startAt: "2026-06-01T12:00:00Z" });
  const http = await serveApi(d.daemon, TOKEN);
  const call = (method: string, body?: unknown) => callApi(http.api, TOKEN, method, "lists/rec@example.org/state", body);
  try {
    const raw = Buffer.from("From: <ann@example.org>\r\nTo: <rec@example.org>\r\nSubject: x\r\nMessage-ID: <r.1@example.org>\r\n\r\nx\r\n");
    assert.equal((await d.daemon.runner.deliver({ address: "rec@example.org", rcptTo: "rec@example.org", mailFrom: "ann@example.org", raw, receivedAt: d.daemon.clock() })).code, 250);
    const saver = ((await call("GET")).json as { hash: string }).hash;
    const r = await d.daemon.deploy({ source: REC_B, addresses: ["rec@example.org"] });
    assert.equal(r.ok, true, JSON.stringify(r));
    // Shown as the deployed version reads it (what the next run starts from), with the version that saved it.
    const shown = (await call("GET")).json as { state: { r: { a: number; b: string } }; hash: string };
    assert.deepEqual(shown, { "thwonk-state": 1, address: "rec@example.org", state: { r: { a: 1, b: "" } }, hash: saver, initial: [] });
    // An owner's repair: what GET showed, one value changed, put back.
    shown.state.r.a = 41;
    const put = await call("PUT", { state: shown.state });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.deepEqual((await d.daemon.state("rec@example.org")).state, { r: { a: 41, b: "" } });
  } finally {
    await http.close();
    await d.close();
  }
});

const NOTES = `rule notes

limits { memory: 512 * 1024 * 1024 }

state {
  notes: List<string max 2000> max 3000 = []
}

on message(m: Message) {
  if state.notes.size < 3000 { state.notes.push(m.subject.truncate(2000)) }
}
`;

test("a state within the rule's bounds but over the API's 8 MiB body limit: what GET shows, PUT takes back", async () => {
  const d = await clockedDaemon({ source: NOTES, list: "notes@example.org", startAt: "2026-06-01T12:00:00Z" });
  const http = await serveApi(d.daemon, TOKEN);
  const call = (method: string, body?: unknown) => callApi(http.api, TOKEN, method, "lists/notes@example.org/state", body);
  try {
    // 3,000 notes of 2,000 characters of two bytes each in UTF-8: 12 MB of JSON, as many as the rule holds.
    const state = { notes: Array.from({ length: 3000 }, (_, i) => `${i}`.padEnd(2000, "é")) };
    assert.ok(Buffer.byteLength(JSON.stringify({ state })) > 8 * 1024 * 1024);
    const put = await call("PUT", { state });
    assert.equal(put.status, 200, JSON.stringify(put.json).slice(0, 300));
    const shown = (await call("GET")).json as { state: typeof state };
    assert.deepEqual(shown.state, state);
  } finally {
    await http.close();
    await d.close();
  }
});
