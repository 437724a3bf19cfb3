/**
 * A list's runs leave nothing behind them once answered: the runner keeps
 * only the last pending commit to wait on, never a chain of every answer
 * since the list started (which would grow with each message and make every
 * full garbage collection longer).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { listDaemon } from "./helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const LIST = "retain@lists.example.org";
const SOURCE = `rule retain\n\nlimits { members: 10, fanout: 10 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n`;

test("an answered message's answer is not kept by its list", async () => {
  const l = await listDaemon({ source: SOURCE, fileName: "retain.thwonk", addresses: [LIST] });
  try {
    const deliver = (i: number) =>
      l.daemon.runner.deliver({ address: LIST, rcptTo: LIST, mailFrom: "bob@example.org", raw: Buffer.from(`From: <bob@example.org>\r\nTo: <${LIST}>\r\nSubject: n ${i}\r\nMessage-ID: <r.${i}@example.org>\r\n\r\nhi\r\n`), receivedAt: Date.now() });
    const refs: WeakRef<object>[] = [];
    // Several at a time, as sessions send them: the runs pipeline and their commits group.
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all([0, 1, 2, 3].map((k) => deliver(round * 4 + k)));
      for (const a of answers) {
        assert.equal(a.code, 250, a.message);
        refs.push(new WeakRef(a));
      }
    }
    await l.daemon.runner.drain();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    const kept = refs.filter((r) => r.deref() !== undefined).length;
    // The last round's may still be held (the list's last work, the last group): none from before it.
    assert.ok(kept <= 4, `${kept} of ${refs.length} answers are still reachable`);
  } finally {
    await l.close();
  }
});
