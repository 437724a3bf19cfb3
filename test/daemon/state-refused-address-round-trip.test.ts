/**
 * A list's state holding an entry at an address the one address rule now refuses (contract/values.ts INVISIBLE:
 * `bob<U+200B>@example.org`, stored by an older thwonkd), on a real thwonkd: `thwonkc state ADDR --json > f.json;
 * thwonkc state set ADDR f.json` works. GET .../state shows the state as the list's next run takes it, without
 * those entries (as runs leave them out: contract/state.ts withoutRefusedAddresses), naming each in `left` and in a
 * note (TW6048); PUT stays strict, so an address typed with such a character is still refused, by its key.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { cliIn, startDaemon, workspace, type Running } from "./helpers.js";

const SEEN = `rule seen

state {
  lastPost: Map<Address, Time> max 100 = {}
  banned: List<Address> max 10 = []
  deputy: Address? = none
  count: int = 0
}

on message(m: Message) {
  state.count += 1
  if state.lastPost.has(m.from) or state.lastPost.size < 100 {
    state.lastPost.set(m.from, now)
  }
  if state.banned.contains(m.from) {
    reject("banned")
  }
}
`;
const LIST = "seen@example.org";
const BAD = "bob\u200b@example.org";
const T = "2026-11-25T08:00:00.000Z";
const STORED = { lastPost: { [BAD]: T, "bob@example.org": T }, banned: ["eve@example.org", BAD], deputy: BAD, count: 2 };

let ws: ReturnType<typeof workspace>;
let d: Running;
let token: string;

before(async () => {
  ws = workspace({ seen: { source: SEEN, members: [{ address: "ann@example.org", name: "Ann" }] } });
  // The state put in the store as an older thwonkd left it, between two starts of a real thwonkd.
  d = await startDaemon(ws);
  assert.equal(await d.stop(), 0);
  const db = new Database(join(ws.data, "thwonkd.sqlite"));
  const { hash } = db.prepare("SELECT hash FROM lists WHERE address = ?").get(LIST) as { hash: string };
  db.prepare("UPDATE lists SET state = ?, state_hash = ? WHERE address = ?").run(JSON.stringify(STORED), hash, LIST);
  db.close();
  d = await startDaemon(ws);
  token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
});

after(async () => {
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

const admin = (...args: string[]) => cliIn(ws.dir, [...args, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);

test("state --json, then state set of that file: the entries at a refused address are left out, said, and the rest set back", async () => {
  const shown = await admin("state", LIST, "--json");
  assert.equal(shown.code, 0, shown.err);
  writeFileSync(join(ws.dir, "s.json"), shown.out);
  const answer = JSON.parse(shown.out) as Record<string, unknown>;
  assert.deepEqual(answer["state"], { lastPost: { "bob@example.org": T }, banned: ["eve@example.org"], deputy: null, count: 2 });
  assert.deepEqual(answer["left"], ['state.lastPost (the key "bob\\u200b@example.org")', "state.banned[1]", "state.deputy"]);
  assert.match(String(answer["note"]), /^TW6048 .*seen@example\.org.*3 entries.*state\.lastPost \(the key "bob\\u200b@example\.org"\), state\.banned\[1\], state\.deputy/);

  const person = await admin("state", LIST);
  assert.equal(person.code, 0, person.err);
  assert.match(person.err, /^TW6048 /);

  const set = await admin("state", "set", LIST, "s.json");
  assert.equal(set.code, 0, set.err);
  const again = JSON.parse((await admin("state", LIST, "--json")).out) as Record<string, unknown>;
  assert.deepEqual(again["state"], answer["state"]);
  assert.equal(again["left"], undefined, "nothing is left out once the state is set back");
  assert.equal(again["note"], undefined);

  // Shown to a person: the state on stdout, the note on stderr.
  const human = await admin("state", LIST);
  assert.equal(human.code, 0, human.err);
  assert.deepEqual(JSON.parse(human.out), answer["state"]);
  assert.equal(human.err, "", "nothing is left out any more");
});

test("PUT stays strict: a state typed with such an address is refused, naming its key", async () => {
  writeFileSync(join(ws.dir, "typed.json"), JSON.stringify({ lastPost: { [BAD]: T }, banned: [], deputy: null, count: 0 }));
  const r = await admin("state", "set", LIST, "typed.json");
  assert.equal(r.code, 1, r.out + r.err);
  // The key as a person can read it: the invisible character written as its escape.
  assert.match(r.err, /TW6040 .*state\.lastPost \(the key "bob\\u200b@example\.org"\): expected Address, got "bob\\u200b@example\.org"/);
});
