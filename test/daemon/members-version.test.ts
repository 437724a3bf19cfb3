/**
 * A list's members are checked and turned into columns once per version
 * (runner.ts freezes them as loaded, runtime/input/build.ts keeps what it
 * makes of them). Whatever changes them must reach the very next run: the
 * API's add and remove, a rule's own members.add and members.remove, and an
 * import that puts the list over its rule's limit. A real Daemon, real
 * QuickJS workers, real SQLite.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";

const LIST = "club@example.org";
const RULE = `rule club

limits { members: 5, fanout: 5 }

on message(m: Message) {
  if m.subject == "join" {
    members.add(m.from, "new")
  } else if m.subject == "leave" {
    members.remove(m.from)
  } else {
    send(to: members, subject: m.subject, text: m.text)
  }
}
`;

let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: RULE, fileName: "club.thwonk", addresses: [LIST] }));
});

after(() => close());

const post = (from: string, subject: string) => postTo(daemon, LIST, from, subject);

test("every change to the members reaches the next run, whichever way it was made", async () => {
  assert.deepEqual(await post("ann@example.org", "one"), { code: 250, to: ["ann@example.org"] });
  // Several posts on the same version: the kept columns serve them all.
  for (let i = 0; i < 5; i++) assert.deepEqual((await post("ann@example.org", `same ${i}`)).to, ["ann@example.org"]);

  await daemon.addMembers(LIST, [{ address: "bob@example.org", name: "Bob" }]);
  assert.deepEqual((await post("ann@example.org", "two")).to, ["ann@example.org", "bob@example.org"], "an API add");

  assert.equal((await post("cat@example.org", "join")).code, 250);
  assert.deepEqual((await post("ann@example.org", "three")).to, ["ann@example.org", "bob@example.org", "cat@example.org"], "a rule's members.add");

  assert.equal((await post("bob@example.org", "leave")).code, 250);
  assert.deepEqual((await post("ann@example.org", "four")).to, ["ann@example.org", "cat@example.org"], "a rule's members.remove");

  await daemon.removeMembers(LIST, ["cat@example.org"]);
  assert.deepEqual((await post("ann@example.org", "five")).to, ["ann@example.org"], "an API remove");
});

test("an import that puts the list over its rule's limit is refused at the next message, not served from what was kept", async () => {
  assert.equal((await post("ann@example.org", "before")).code, 250);
  // Straight into the store, as a second daemon or an old import would leave it: six members, over `limits { members: 5 }`.
  await daemon.store.setMembers(LIST, ["ann", "b", "c", "d", "e", "f"].map((x) => ({ address: `${x}@example.org`, name: x, role: "member", joined: 1 })));
  await daemon.runner.withList(LIST, async () => undefined); // the list reloads its members, as after any change outside a run
  const over = await post("ann@example.org", "after");
  assert.equal(over.code, 451, "the list cannot run with more members than its rule allows");
  await daemon.store.setMembers(LIST, [{ address: "ann@example.org", name: "Ann", role: "member", joined: 1 }]);
  await daemon.runner.withList(LIST, async () => undefined);
  assert.deepEqual(await post("ann@example.org", "again"), { code: 250, to: ["ann@example.org"] });
});

test("an import is one change: the members' version moves by one, an empty import too", async () => {
  const v0 = (await daemon.store.members(LIST)).version;
  const one = await daemon.importMembers(LIST, "Ann <ann@example.org>\nBob <bob@example.org>\n");
  assert.equal(one.version, v0 + 1);
  const none = await daemon.importMembers(LIST, "");
  assert.equal(none.version, v0 + 2);
  assert.deepEqual(none.members, []);
});
