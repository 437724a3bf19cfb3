/**
 * The adversary of a list's state over its lifetime (runner.ts load, compat.ts migrateState, the store): state
 * carried across redeploys, and stored state edited to something hostile in SQLite. A daemon in this process on a
 * real SQLite file; messages handed to the runner as the SMTP ingress hands them.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";

/** A state field named `__proto__` (any name is a field, language.md "Keys are data") and a count. */
const PROTO = `rule protokeep

state {
  __proto__: Map<string max 20, int> max 10 = {}
  count: int = 0
}

on message(m: Message) {
  state.count += 1
  let k = m.subject.truncate(20)
  if state.__proto__.has(k) or state.__proto__.size < 10 {
    state.__proto__.set(k, state.count)
  }
}
`;
/** PROTO with a new field: a change every stored state can take. */
const PROTO_NOTE = PROTO.replace("count: int = 0", 'count: int = 0\n  note: string max 10 = ""');

let daemon: Daemon;

let close: () => Promise<void>;
let n = 0;

before(async () => {
  const d = await listDaemon({ source: PROTO, fileName: "protokeep.thwonk", addresses: ["warm@example.org"] });
  daemon = d.daemon;

  close = d.close;
});
after(() => close());

async function freshList(source: string): Promise<string> {
  const list = `list${n++}@example.org`;
  const r = await daemon.deploy({ source, fileName: "rule.thwonk", addresses: [list] });
  assert.ok(r.ok, JSON.stringify(r));
  await daemon.addMembers(list, [{ address: "ann@example.org", name: "Ann" }]);
  return list;
}

test("a state field named __proto__ keeps its data across a redeploy", async () => {
  const list = await freshList(PROTO);
  assert.equal((await postTo(daemon, list, "ann@example.org", "a")).code, 250);
  assert.equal((await postTo(daemon, list, "ann@example.org", "b")).code, 250);
  const r = await daemon.deploy({ source: PROTO_NOTE, fileName: "rule.thwonk", addresses: [list] });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((await postTo(daemon, list, "ann@example.org", "c")).code, 250);
  const saved = (await daemon.state(list)).state as Record<string, unknown>;
  assert.ok(Object.hasOwn(saved, "__proto__"), "the field is stored as a field");
  assert.deepEqual({ ...saved }, JSON.parse(`{"__proto__":{"a":1,"b":2,"c":3},"count":3,"note":""}`));
});

/** Record fields named `__proto__` and `constructor`, in a field and in a list's elements. */
const PROTO_REC = `rule protorec

state {
  r: { __proto__: int, constructor: string max 5 } = { __proto__: 0, constructor: "" }
  rs: List<{ __proto__: int }> max 3 = []
}

on message(_m: Message) {
  state.r.__proto__ += 1
  state.r.constructor = "c"
  if state.rs.size < 3 { state.rs.push({ __proto__: state.r.__proto__ }) }
}
`;

test("record fields named __proto__ and constructor are stored, loaded again and migrated like any other", async () => {
  const list = await freshList(PROTO_REC);
  for (let i = 0; i < 2; i++) assert.equal((await postTo(daemon, list, "ann@example.org", "x")).code, 250);
  const r = await daemon.deploy({ source: PROTO_REC.replace("rs: List<{ __proto__: int }> max 3", "rs: List<{ __proto__: int }> max 4"), fileName: "rule.thwonk", addresses: [list] });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal((await postTo(daemon, list, "ann@example.org", "x")).code, 250);
  const runs = await daemon.runs({ address: list });
  assert.deepEqual(runs.map((x) => x.error), [null, null, null]);
  assert.equal(JSON.stringify((await daemon.state(list)).state), '{"r":{"__proto__":3,"constructor":"c"},"rs":[{"__proto__":1},{"__proto__":2},{"__proto__":3}]}');
});

test("a record field named __proto__ left out of a new version is refused as removed, naming it", async () => {
  const list = await freshList(PROTO_REC);
  assert.equal((await postTo(daemon, list, "ann@example.org", "x")).code, 250);
  const r = await daemon.deploy({ source: PROTO_REC.replace("rs: List<{ __proto__: int }> max 3 = []", "rs: List<{ }> max 3 = []").replace("state.rs.push({ __proto__: state.r.__proto__ })", "state.rs.push({})"), fileName: "rule.thwonk", addresses: [list] });
  assert.equal(r.ok, false);
  assert.match(r.addresses[0]!.problems.join(" "), /`state\.rs\[\]\.__proto__` \(int\) is in the deployed version and not in this one/);
});
