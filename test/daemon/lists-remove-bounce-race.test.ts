/**
 * Adversary of removing a list: a bounce report to the list's VERP bounce address whose RCPT was taken before the
 * removal and whose report is still being read when the removal commits. Like any message to the list in that
 * window it gets 550 (docs/daemon.md, "Removing a list"), and it must not make the removed list a key again: the
 * store kept a key it found at the next deploy there, so the old list's bounce would have chosen the new list's key.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dsnReport } from "../mail/helpers.js";
import { listDaemon, readStore } from "./helpers.js";

const RULE = `rule fan

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const A = "alpha@example.org";

test("a VERP bounce being read when its list is removed gets 550 and makes the removed list no key", async () => {
  const l = await listDaemon({ source: RULE, fileName: "fan.thwonk", addresses: [A] });
  try {
    const to = "alpha-bounces+aaaaaaaa-ann=example.org@example.org";
    // A long report: it is still being parsed when the removal, asked after it, commits.
    const raw = Buffer.from(dsnReport(to, "ann@example.org", { id: "x@example.org" }).replace("no\r\n", `${"padding line\r\n".repeat(200_000)}`));
    const answer = l.daemon.deliver({ address: A, rcptTo: to, mailFrom: "", raw, receivedAt: Date.now() });
    const removed = await l.daemon.removeList(A);
    assert.equal(removed.removed, true);
    const a = await answer;
    assert.equal(a.code, 550, JSON.stringify(a));
    const keys = readStore(l.dir, (db) => (db.prepare("SELECT COUNT(*) AS n FROM list_secrets WHERE address = ?").get(A) as { n: number }).n);
    assert.equal(keys, 0, "no key made again for the removed list");
  } finally {
    await l.close();
  }
});
