/**
 * A list deployed before LIST_ADDRESS_MAX (245, TW6043) at a longer address that mail still reaches (246 to 253
 * characters: the list's own address fits SMTP's path, its -request and -bounces do not). Refusing its redeploy
 * shortened nothing: the list went on running and taking mail at its address, by a rule that could no longer be
 * changed (a fix, a limit raised), only removed with its members and state. A redeploy of a list that is there is
 * taken; a new list at such an address is still refused. A real Daemon, the list put in the store as an older
 * thwonkd left it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Daemon } from "../../runtime/daemon/daemon.js";
import { LIST_ADDRESS_MAX } from "../../runtime/daemon/smtp.js";
import { listDaemon, postTo } from "./helpers.js";

const RULE = (subject: string) => `rule open

on message(m: Message) {
  send(to: members, subject: "${subject}", text: m.text)
}
`;
const SHORT = "open@example.org";
const listOf = (n: number): string => {
  const local = n - "@example.org".length;
  return `${Array.from({ length: local }, (_, i) => (i % 61 === 60 ? "." : "a")).join("")}@example.org`;
};
const OLD = listOf(LIST_ADDRESS_MAX + 5);

let daemon: Daemon;
let close: () => Promise<void>;

before(async () => {
  ({ daemon, close } = await listDaemon({ source: RULE("one"), fileName: "open.thwonk", addresses: [SHORT] }));
  const bundle = daemon.runner.bundleAt(SHORT)!;
  // As a thwonkd from before TW6043 deployed it.
  await daemon.store.deploy(OLD, bundle.sha256, Date.now(), []);
  await daemon.runner.install(OLD, bundle);
  await daemon.addMembers(OLD, [{ address: "ann@example.org", name: "Ann" }]);
});

after(() => close());

test("a list already at a longer address than LIST_ADDRESS_MAX takes a redeploy of its rule", async () => {
  const r = await daemon.deploy({ source: RULE("two"), fileName: "open.thwonk", addresses: [OLD] });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal((await postTo(daemon, OLD, "ann@example.org", "hi")).code, 250);
  const runs = await daemon.store.runs();
  const last = runs.filter((x) => x.address === OLD).at(-1)!;
  assert.equal((last.actions[0] as unknown as { subject: string }).subject, "two");
});

test("a new list at that length is still refused, TW6043", async () => {
  const r = await daemon.deploy({ source: RULE("two"), fileName: "open.thwonk", addresses: [listOf(LIST_ADDRESS_MAX + 5).replace("@", "b@").slice(1)] });
  assert.equal(r.ok, false);
  assert.match(r.addresses[0]!.problems[0]!, /^TW6043 /);
});
