/**
 * A list's state keyed by addresses (Map<Address, Time>) holding a key the one address rule now refuses
 * (contract/values.ts INVISIBLE: `bob<U+200B>@example.org`, stored by an older thwonkd before the rule refused it).
 * Members at such addresses are left out of runs (members-refused-address.test.ts); a state key at one broke every
 * run of the list (TW5070 on the whole state) until an owner reset it, and all it held with it.
 * Now they are left out as the state is loaded (contract/state.ts withoutRefusedAddresses, runner.ts runnableState),
 * said in the log, and the next commit stores the state without them.
 * A real Daemon, real QuickJS workers, real SQLite; the state put in the store as an older thwonkd left it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { withoutRefusedAddresses } from "../../contract/index.js";
import { repoRoot } from "../helpers/repo.js";
import { listDaemon, postTo } from "./helpers.js";

const LIST = "once@example.org";
let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  const source = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.thwonk"), "utf8");
  ({ daemon, close } = await listDaemon({ source, fileName: "once_a_day.thwonk", addresses: [LIST] }));
  await daemon.addMembers(LIST, [{ address: "bob@example.org", name: "Bob" }]);
  const hash = (await daemon.store.state(LIST)).hash ?? daemon.runner.bundleAt(LIST)!.sha256;
  const yesterday = Date.now() - 3 * 86_400_000;
  await daemon.store.setState(LIST, { lastPost: { "bob\u200b@example.org": yesterday, "bob@example.org": yesterday } }, hash);
});

after(() => close());

test("a stored state key the address rule now refuses does not fail the list's runs", async () => {
  const r = await postTo(daemon, LIST, "ann@example.org", "hello");
  assert.equal(r.code, 250);
  assert.deepEqual(r.to, ["ann@example.org", "bob@example.org"]);
  const stored = (await daemon.store.state(LIST)).state as { lastPost: Record<string, unknown> };
  assert.deepEqual(Object.keys(stored.lastPost).sort(), ["ann@example.org", "bob@example.org"], "the run saw and stored the state without the refused key");
});

test("withoutRefusedAddresses: map keys and list entries at a refused address, nested too; the rest as it was", () => {
  const fields = [
    { name: "seen", schema: { kind: "map", key: { kind: "address" }, value: { kind: "list", of: { kind: "address" } } } },
    { name: "banned", schema: { kind: "list", of: { kind: "opt", of: { kind: "address" } } } },
    { name: "owner", schema: { kind: "address" } },
    { name: "deputy", schema: { kind: "opt", of: { kind: "address" } } },
    { name: "last", schema: { kind: "rec", fields: { by: { kind: "opt", of: { kind: "address" } }, n: { kind: "int" } } } },
    { name: "n", schema: { kind: "int" } },
  ] as unknown as Parameters<typeof withoutRefusedAddresses>[0];
  const saved = { seen: { "a\u200b@x.org": ["b@x.org"], "b@x.org": ["c@x.org", "d\u202e@x.org"] }, banned: [null, "e\ufeff@x.org", "f@x.org"], owner: "o@x.org", deputy: "g\u00ad@x.org", last: { by: "h\u2060@x.org", n: 1 }, n: 3 };
  const r = withoutRefusedAddresses(fields, saved);
  assert.deepEqual(r.state, { seen: { "b@x.org": ["c@x.org"] }, banned: [null, "f@x.org"], owner: "o@x.org", deputy: null, last: { by: null, n: 1 }, n: 3 });
  // The key as a person can read it: the invisible character written as its JSON escape.
  assert.deepEqual(r.left, ['state.seen (the key "a\\u200b@x.org")', 'state.seen["b@x.org"][1]', "state.banned[1]", "state.deputy", "state.last.by"]);
  assert.equal(saved.seen["a\u200b@x.org"]?.length, 1, "the saved state is not changed");
  const clean = { n: 1, owner: "o@x.org" };
  assert.equal(withoutRefusedAddresses(fields, clean).state, clean);
});

test("withoutRefusedAddresses: what must hold a refused address goes with its entry; a state field that must is left to be refused", () => {
  const rec = { kind: "rec", fields: { by: { kind: "address" }, n: { kind: "int" } } };
  const fields = [
    { name: "byTopic", schema: { kind: "map", key: { kind: "string" }, value: { kind: "address" } } },
    { name: "log", schema: { kind: "list", of: rec } },
    { name: "last", schema: { kind: "map", key: { kind: "int" }, value: rec } },
    { name: "maybe", schema: { kind: "opt", of: rec } },
    { name: "owner", schema: { kind: "address" } },
    { name: "pinned", schema: rec },
  ] as unknown as Parameters<typeof withoutRefusedAddresses>[0];
  const bad = "z\u200b@x.org";
  const saved = {
    byTopic: { a: "a@x.org", b: bad },
    log: [{ by: "a@x.org", n: 1 }, { by: bad, n: 2 }, { by: "b@x.org", n: 3 }],
    last: { "1": { by: bad, n: 1 }, "2": { by: "c@x.org", n: 2 } },
    maybe: { by: bad, n: 9 },
    owner: bad,
    pinned: { by: bad, n: 0 },
  };
  const r = withoutRefusedAddresses(fields, saved);
  assert.deepEqual(r.state, {
    byTopic: { a: "a@x.org" },
    log: [{ by: "a@x.org", n: 1 }, { by: "b@x.org", n: 3 }],
    last: { "2": { by: "c@x.org", n: 2 } },
    maybe: null,
    owner: bad,
    pinned: { by: bad, n: 0 },
  });
  assert.deepEqual(r.left, ['state.byTopic["b"]', "state.log[1]", 'state.last["1"]', "state.maybe"]);
});

test("a run of a list whose stored Map<text, Address> holds a refused value goes on, without the entry", async () => {
  const source = [
    "rule owners",
    "limits { members: 100, text: 20000, fanout: 100 }",
    "state {",
    "  owners: Map<string max 1000, Address> max 10 = {}",
    "}",
    "on message(m: Message) {",
    "  if state.owners.has(m.subject) or state.owners.size < 10 {",
    "    state.owners.set(m.subject, m.from)",
    "  }",
    "  send(to: members, subject: m.subject, text: m.text)",
    "}",
  ].join("\n");
  const made = await listDaemon({ source, fileName: "owners.thwonk", addresses: ["owners@example.org"] });
  try {
    await made.daemon.addMembers("owners@example.org", [{ address: "bob@example.org", name: "Bob" }]);
    const hash = (await made.daemon.store.state("owners@example.org")).hash ?? made.daemon.runner.bundleAt("owners@example.org")!.sha256;
    await made.daemon.store.setState("owners@example.org", { owners: { old: "z\u200b@example.org", kept: "bob@example.org" } }, hash);
    const r = await postTo(made.daemon, "owners@example.org", "ann@example.org", "new");
    assert.equal(r.code, 250);
    const last = (await made.daemon.runs({ address: "owners@example.org" })).at(-1);
    assert.equal(last?.error, null, JSON.stringify(last));
    const stored = (await made.daemon.store.state("owners@example.org")).state as { owners: Record<string, string> };
    assert.deepEqual(stored.owners, { kept: "bob@example.org", new: "ann@example.org" });
  } finally {
    await made.close();
  }
});

test("a deploy that lowers a map's max is judged on the entries the list's runs read, not on those at a refused address", async () => {
  const onceSource = readFileSync(join(repoRoot, "examples", "once_a_day", "once_a_day.thwonk"), "utf8");
  const made = await listDaemon({ source: onceSource, fileName: "once_a_day.thwonk", addresses: ["lower@example.org"] });
  try {
    const hash = (await made.daemon.store.state("lower@example.org")).hash ?? made.daemon.runner.bundleAt("lower@example.org")!.sha256;
    const t = Date.now();
    await made.daemon.store.setState("lower@example.org", { lastPost: { "a@example.org": t, "b@example.org": t, "c\u200b@example.org": t } }, hash);
    const lower = (max: number) => onceSource.replace("Map<Address, Time> max 5000", `Map<Address, Time> max ${max}`).replace("state.lastPost.size < 5000", `state.lastPost.size < ${max}`);
    const refused = await made.daemon.deploy({ source: lower(1), fileName: "once_a_day.thwonk", addresses: ["lower@example.org"] });
    assert.equal(refused.ok, false, "two readable entries do not fit max 1");
    assert.match(refused.addresses.flatMap((a) => a.problems).join("\n"), /TW4025/);
    const ok = await made.daemon.deploy({ source: lower(2), fileName: "once_a_day.thwonk", addresses: ["lower@example.org"] });
    assert.equal(ok.ok, true, JSON.stringify(ok));
  } finally {
    await made.close();
  }
});
