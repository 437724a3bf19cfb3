/**
 * Attacks on the members kept per version (runner.ts freezes a list's members
 * as loaded, runtime/input/build.ts checks and joins them once per frozen
 * array and limits, the sandbox keeps their columns by the store's version):
 * a role change (the list's owners come from the members), runs given ahead
 * across a member change in the same queue, and a redeploy with a smaller
 * members limit racing an add. Each must reach the very next run. A real
 * Daemon, real QuickJS workers, real SQLite.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { listDaemon, postTo } from "./helpers.js";

const LIST = "guild@example.org";
const rule = (limit: number): string => `rule guild

limits { members: ${limit}, fanout: 10 }

on message(m: Message) {
  if m.subject == "join" {
    members.add(m.from, "new")
  } else if m.subject == "owners" {
    send(to: list.owners, subject: m.subject, text: m.text)
  } else {
    send(to: members, subject: m.subject, text: m.text)
  }
}
`;

let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: rule(10), fileName: "guild.thwonk", addresses: [LIST] }));
});

after(() => close());

const post = (from: string, subject: string) => postTo(daemon, LIST, from, subject);

test("a member made owner is among the list's owners at the next run (and no longer once made a member again)", async () => {
  assert.deepEqual(await post("ann@example.org", "owners"), { code: 250, to: [] });
  await daemon.addMembers(LIST, [{ address: "ann@example.org", name: "Ann", role: "owner" }]);
  assert.deepEqual(await post("ann@example.org", "owners"), { code: 250, to: ["ann@example.org"] }, "the role change reached the run");
  await daemon.addMembers(LIST, [{ address: "ann@example.org", name: "Ann", role: "member" }]);
  assert.deepEqual(await post("ann@example.org", "owners"), { code: 250, to: [] });
});

test("runs queued behind a members.add (given ahead on the old members) see the new member; those before it do not", async () => {
  const before = Array.from({ length: 6 }, (_, i) => post("ann@example.org", `before ${i}`));
  const join = post("dan@example.org", "join");
  const afterward = Array.from({ length: 12 }, (_, i) => post("ann@example.org", `after ${i}`));
  for (const p of before) assert.deepEqual((await p).to, ["ann@example.org"]);
  assert.equal((await join).code, 250);
  for (const p of afterward) assert.deepEqual((await p).to, ["ann@example.org", "dan@example.org"]);
  await daemon.removeMembers(LIST, ["dan@example.org"]);
  const queued = Array.from({ length: 8 }, (_, i) => post("ann@example.org", `gone ${i}`));
  for (const p of queued) assert.deepEqual((await p).to, ["ann@example.org"]);
});

test("a redeploy with a smaller members limit racing an add: no run is served more members than the limit", async () => {
  await daemon.addMembers(LIST, [{ address: "bea@example.org", name: "Bea" }]);
  for (let i = 0; i < 3; i++) assert.deepEqual((await post("ann@example.org", `warm ${i}`)).to, ["ann@example.org", "bea@example.org"]);
  const adding = daemon.addMembers(LIST, [{ address: "cy@example.org", name: "Cy" }]).then(
    () => "added",
    () => "refused",
  );
  const deployed = daemon.deploy({ source: rule(2), fileName: "guild.thwonk", addresses: [LIST] });
  const [added, dep] = await Promise.all([adding, deployed]);
  const count = (await daemon.store.members(LIST)).members.length;
  const p = await post("ann@example.org", "after redeploy");
  if (dep.ok && count > 2) assert.equal(p.code, 451, `the list has ${count} members over its new limit of 2 (add ${added}): refused, not served from what was kept`);
  else assert.ok(p.code !== 250 || p.to.length <= (dep.ok ? 2 : 10), `${p.code} to ${p.to.join(", ")}`);
  // Back under the limit: the next run is served the members as they are.
  await daemon.store.setMembers(LIST, [{ address: "ann@example.org", name: "Ann", role: "member", joined: 1 }]);
  await daemon.runner.withList(LIST, async () => undefined);
  assert.deepEqual(await post("ann@example.org", "under again"), { code: 250, to: ["ann@example.org"] });
});
