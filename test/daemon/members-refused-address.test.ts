/**
 * Members stored at an address the one address rule now refuses (contract/values.ts INVISIBLE: a zero-width space,
 * a right-to-left override, a no-break space, taken before the rule refused them): the list still runs, without
 * them (as if they were not members), and the API still shows them so an owner can remove them. A real Daemon, real
 * QuickJS workers, real SQLite; the rows put in the store as an older thwonkd left them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";

const LIST = "guild@example.org";
const RULE = `rule guild

limits { members: 3, fanout: 10 }

on message(m: Message) {
  if m.subject == "owners" {
    send(to: list.owners, subject: m.subject, text: m.text)
  } else {
    send(to: members, subject: m.subject, text: m.text)
  }
}
`;
const REFUSED = ["bob\u200b@example.org", "carl\u202eorg.evil@example.org", "dee\u00a0@example.org"];

let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: RULE, fileName: "guild.thwonk", addresses: [LIST] }));
  // Straight into the store, before the list's first run: as rows an older thwonkd took.
  await daemon.store.changeMembers(
    LIST,
    REFUSED.map((address, i) => ({ op: "add" as const, member: { address, name: `M${i}`, role: i === 0 ? "owner" : "member", joined: Date.now() } })),
  );
});

after(() => close());

test("a list whose stored members include addresses now refused runs, without them, and not over its members limit", async () => {
  assert.equal((await daemon.members(LIST)).members.length, 4, "four rows: Ann and the three");
  const r = await postTo(daemon, LIST, "ann@example.org", "hello");
  assert.equal(r.code, 250, "the list is not held (451) for them");
  assert.deepEqual(r.to, ["ann@example.org"]);
  const owners = await postTo(daemon, LIST, "ann@example.org", "owners");
  assert.deepEqual(owners.to, [], "an owner at a refused address is no owner in the run");
});

test("the API shows them, and removes them by the address as stored", async () => {
  const shown = (await daemon.members(LIST)).members.map((m) => m.address);
  for (const a of REFUSED) assert.ok(shown.includes(a), a);
  await daemon.removeMembers(LIST, REFUSED);
  assert.deepEqual((await daemon.members(LIST)).members.map((m) => m.address), ["ann@example.org"]);
  assert.deepEqual((await postTo(daemon, LIST, "ann@example.org", "again")).to, ["ann@example.org"]);
});
