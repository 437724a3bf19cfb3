/**
 * A rule without state: a run given ahead is taken at its turn as it is (ahead.ts sameInput), without its input
 * built again. Under concurrent mail each run's actions are its own message's (subject, text, sender and time), a
 * rule that rejects some messages rejects those, and a change of members between runs given ahead is seen.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { aheadCounts } from "../../runtime/daemon/ahead.js";
import { listDaemon } from "./helpers.js";

const A = "plain@example.org";
const SOURCE = `rule plain

limits { members: 10, fanout: 10 }

on message(m: Message) {
  if m.subject.startsWith("no") {
    reject("no: {m.subject}")
  }
  send(to: members, subject: "{m.subject} from {m.from}", text: m.text, from: "sender", replyTo: "list")
}
`;

test("stateless runs given ahead are taken at their turn, each with its own message's actions", async () => {
  const { daemon, close } = await listDaemon({ source: SOURCE, fileName: "plain.thwonk", addresses: [A] });
  try {
    const before = { ...aheadCounts };
    const n = 80;
    const at = Date.UTC(2026, 0, 1);
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const subject = i % 7 === 3 ? `no ${i} ☕` : `m${i} ✉️`;
        const raw = Buffer.from(`From: <s${i}@example.org>\r\nTo: <${A}>\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString("base64")}?=\r\nMessage-ID: <sl.${i}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody ${i} grüße\r\n`);
        return daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: `s${i}@example.org`, raw, receivedAt: at + i * 1000 }).then((a) => ({ i, subject, a }));
      }),
    );
    for (const { i, subject, a } of answers) {
      const run = await daemon.store.run(a.runId!);
      assert.ok(run, `run of message ${i}`);
      assert.equal(run.now, at + i * 1000, `message ${i} ran at its own time`);
      if (subject.startsWith("no")) {
        assert.equal(a.code, 550, `message ${i}: ${a.message}`);
        assert.equal(run.outcome, "rejected");
        assert.equal(a.message, `5.7.1 no: ${subject}`);
        continue;
      }
      assert.equal(a.code, 250, `message ${i}: ${a.message}`);
      const send = run.actions.find((x) => x.kind === "send") as { subject?: string; text?: string; to?: string[] };
      assert.equal(send.subject, `${subject} from s${i}@example.org`);
      assert.equal(send.text, `body ${i} grüße\n`);
      assert.deepEqual(send.to, ["ann@example.org"]);
    }
    assert.ok(aheadCounts.taken > before.taken, `results given ahead were taken (${JSON.stringify(aheadCounts)})`);

    // Members changed while runs are queued: the runs after the change send to the new members.
    const first = Array.from({ length: 10 }, (_, i) => daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: "x@example.org", raw: Buffer.from(`Subject: a${i}\r\n\r\nx\r\n`), receivedAt: at }));
    const added = daemon.addMembers(A, [{ address: "bob@example.org", name: "Bob" }]);
    const later = Array.from({ length: 10 }, (_, i) => daemon.runner.deliver({ address: A, rcptTo: A, mailFrom: "x@example.org", raw: Buffer.from(`Subject: b${i}\r\n\r\nx\r\n`), receivedAt: at }));
    await added;
    for (const a of await Promise.all(later)) {
      const send = (await daemon.store.run(a.runId!))!.actions.find((x) => x.kind === "send") as { to?: string[] };
      assert.deepEqual([...(send.to ?? [])].sort(), ["ann@example.org", "bob@example.org"]);
    }
    for (const a of await Promise.all(first)) assert.equal(a.code, 250);
  } finally {
    await close();
  }
});
