/**
 * Adversary of removing a list: a one-click unsubscribe (RFC 8058 POST) for one of its members that comes while the
 * removal waits in the list's queue is queued behind it. It must be answered as a link to a list that is not there
 * ("no-list": 404 with TW text), not throw the runner's ListGone up to the HTTP server (a 500 with an error id).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { oneClickRemove } from "../../runtime/daemon/unsubscribe.js";
import { listDaemon } from "./helpers.js";

const RULE = `rule fan

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const A = "alpha@example.org";

test("a one-click unsubscribe queued behind its list's removal answers no-list", async () => {
  const l = await listDaemon({ source: RULE, fileName: "fan.thwonk", addresses: [A] });
  try {
    const ann = (await l.daemon.store.member(A, "ann@example.org"))!;
    const removed = l.daemon.removeList(A);
    const click = oneClickRemove(l.daemon, A, ann.address, ann.joined);
    assert.equal((await removed).removed, true);
    assert.equal(await click, "no-list");
    // And once removed, a click finds no list at once.
    assert.equal(await oneClickRemove(l.daemon, A, ann.address, ann.joined), "no-list");
  } finally {
    await l.close();
  }
});
