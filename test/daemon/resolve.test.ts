/**
 * How a recipient reaches a list (Runner.resolve), with its answers kept
 * between messages: a list deployed later is found at once, an address that
 * reached nothing before reaches it now, and the answers are the same asked
 * once or many times, with any case, brackets, tags and `-request`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { listDaemon } from "./helpers.js";

const SOURCE = `rule quiet\n\nlimits { members: 10 }\n\non message(_m: Message) {\n}\n`;

test("resolve: the same answers asked again, and a list deployed later is found", async () => {
  const l = await listDaemon({ source: SOURCE, fileName: "quiet.thwonk", addresses: ["news@lists.example.org"] });
  try {
    const r = l.daemon.runner;
    const cases: [string, string | undefined][] = [
      ["news@lists.example.org", "news@lists.example.org"],
      ["<NEWS@Lists.Example.ORG>", "news@lists.example.org"],
      ["news+tag@lists.example.org", "news@lists.example.org"],
      ["news-request@lists.example.org", "news@lists.example.org"],
      ["talk@lists.example.org", undefined],
      ["talk+x@lists.example.org", undefined],
      ["not an address", undefined],
      ["__proto__", undefined],
      ["", undefined],
    ];
    for (let round = 0; round < 3; round++) for (const [rcpt, list] of cases) assert.equal(r.resolve(rcpt), list, `${rcpt} (round ${round})`);
    const d = await l.daemon.deploy({ source: SOURCE, fileName: "quiet.thwonk", addresses: ["talk@lists.example.org"] });
    assert.ok(d.ok);
    assert.equal(r.resolve("talk@lists.example.org"), "talk@lists.example.org");
    assert.equal(r.resolve("talk+x@lists.example.org"), "talk@lists.example.org");
    assert.equal(r.resolve("news@lists.example.org"), "news@lists.example.org");
    // More addresses than are kept: every answer is still right.
    for (let i = 0; i < 5000; i++) assert.equal(r.resolve(`sender${i}@example.net`), undefined);
    for (const [rcpt, list] of cases.filter(([a]) => !a.startsWith("talk"))) assert.equal(r.resolve(rcpt), list, rcpt);
  } finally {
    await l.close();
  }
});

test("the loop header is found in any case and among other addresses, and only under its own name", async () => {
  const list = "news@lists.example.org";
  const l = await listDaemon({ source: SOURCE, fileName: "quiet.thwonk", addresses: [list] });
  try {
    const post = (header: string) =>
      l.daemon.runner.deliver({ address: list, rcptTo: list, mailFrom: "bob@example.org", raw: Buffer.from(`From: <bob@example.org>\r\nTo: <${list}>\r\n${header}\r\nSubject: s\r\n\r\nhi\r\n`), receivedAt: Date.now() });
    for (const h of ["X-Thwonk-Loop: news@lists.example.org", "x-THWONK-loop: other@example.org, <NEWS@Lists.Example.org>"]) assert.equal((await post(h)).outcome, "loop", h);
    for (const h of ["X-Thwonk-Loopy: news@lists.example.org", "X-Thwonk-Loo: news@lists.example.org", "X-Thwonk-Loop: other@lists.example.org"]) assert.equal((await post(h)).outcome, "ok", h);
  } finally {
    await l.close();
  }
});
