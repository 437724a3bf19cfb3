/**
 * The adversary of thwonkd's address resolution at RCPT, on a real thwonkd (lists deployed through its API) and
 * real clients (raw sockets, Python's smtplib): internationalized domains in their ASCII (A-label) and SMTPUTF8
 * (Unicode) spellings, the same list named twice in one transaction, lists named like another's `+tag` or
 * `-request` form, and the odd addresses that must never reach a list (quotes, source routes, empty parts).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { have, python, readStore, startDaemon, workspace, type Running } from "./helpers.js";

/** Says in its one send which list ran and how it saw the envelope. */
const WHO = `rule who

limits { members: 10, fanout: 10 }

on message(m: Message) {
  var sender = "none"
  let given = m.envelope.sender
  if given != none {
    sender = "{given}"
  }
  send(to: members, subject: "{list.address} rcpt={m.envelope.recipient} request={m.envelope.isRequest} tag={m.envelope.tag ?? "none"} sender={sender}", text: m.text)
}
`;
const IDN = "idn@xn--bcher-kva.example";
const LISTS = [IDN, "foo@example.org", "foo-request@example.org", "a@example.org", "a+b@example.org"];

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ quiet: { source: WHO } });
  d = await startDaemon(ws);
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ source: WHO, fileName: "who.thwonk", addresses: LISTS }),
  });
  assert.equal(r.status, 200, await r.text());
  for (const list of LISTS) {
    const m = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${encodeURIComponent(list)}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ members: ["ann@example.org"] }),
    });
    assert.equal(m.status, 200);
  }
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

let n = 0;

/** One transaction: MAIL (with its parameters), each RCPT's answer, and, when one was accepted, DATA's answer and the run's subject line. */
async function transaction(o: { from: string; params?: string; rcpts: string[]; lmtp?: boolean }): Promise<{ rcpts: string[]; data: string[]; said: string[] }> {
  const subject = `addr-${n++}`;
  const c = await new RawClient(o.lmtp ? d.ports.lmtp! : d.ports.smtp).open(o.lmtp ? "LHLO" : "EHLO");
  // Written as UTF-8: an SMTPUTF8 client sends its addresses so.
  const cmd = (line: string) => {
    c.socket.write(Buffer.from(`${line}\r\n`, "utf8"));
    return c.reply();
  };
  assert.match(await cmd(`MAIL FROM:<${o.from}>${o.params ? ` ${o.params}` : ""}`), /^250 /);
  const rcpts: string[] = [];
  for (const r of o.rcpts) rcpts.push(await cmd(`RCPT TO:<${r}>`));
  const accepted = rcpts.filter((r) => r.startsWith("250")).length;
  let data: string[] = [];
  if (accepted) {
    assert.match(await cmd("DATA"), /^354 /);
    c.write(`From: ann@example.org\r\nTo: x@example.org\r\nSubject: ${subject}\r\n\r\nhi\r\n`);
    data = await c.end(o.lmtp ? accepted : 1);
  }
  await c.command("QUIT");
  c.destroy();
  const said = readStore(ws.data, (db) =>
    (db.prepare("SELECT r.actions FROM runs r JOIN messages m ON m.id = r.message_id WHERE CAST(m.raw AS TEXT) LIKE ? ORDER BY r.id").all(`%Subject: ${subject}\r\n%`) as { actions: string }[]).map(
      (r) => (JSON.parse(r.actions) as { subject: string }[])[0]!.subject,
    ),
  );
  return { rcpts, data, said };
}

test("a list at an internationalized domain takes mail in its A-label and its SMTPUTF8 spelling, and such a sender is not a bounce", async () => {
  for (const [rcpt, params] of [
    [IDN, undefined],
    ["IDN@XN--BCHER-KVA.EXAMPLE", undefined],
    ["idn@bücher.example", "SMTPUTF8"],
    ["idn@BÜCHER.example", "SMTPUTF8"],
  ] as const) {
    const t = await transaction({ from: "ann@xn--bcher-kva.example", rcpts: [rcpt], ...(params ? { params } : {}) });
    assert.match(t.rcpts[0]!, /^250 /, rcpt);
    assert.match(t.data[0]!, /^250 /, rcpt);
    assert.deepEqual(t.said, [`${IDN} rcpt=${IDN} request=false tag=none sender=ann@xn--bcher-kva.example`], rcpt);
  }
  // The sender in Unicode is the same sender.
  const u = await transaction({ from: "ann@bücher.example", params: "SMTPUTF8", rcpts: ["idn-request@bücher.example"] });
  assert.deepEqual(u.said, [`${IDN} rcpt=idn-request@xn--bcher-kva.example request=true tag=none sender=ann@xn--bcher-kva.example`]);
  // Another internationalized domain is no list's.
  assert.match((await transaction({ from: "ann@example.org", params: "SMTPUTF8", rcpts: ["idn@bücher2.example"] })).rcpts[0]!, /^550 5\.1\.1 /);
});

test("python smtplib: an A-label recipient and sender, as an ordinary client sends them", { skip: have("python3") ? false : "python3 is not installed" }, async () => {
  const out = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
print(s.sendmail("bob@xn--bcher-kva.example", ["${IDN}"], "From: bob@xn--bcher-kva.example\\r\\nSubject: py-idn\\r\\n\\r\\nhi\\r\\n"))
s.quit()
`);
  assert.equal(out.trim(), "{}");
  const said = readStore(ws.data, (db) => db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id DESC LIMIT 1").get(IDN) as { actions: string });
  assert.match((JSON.parse(said.actions) as { subject: string }[])[0]!.subject, /sender=bob@xn--bcher-kva\.example$/);
});
