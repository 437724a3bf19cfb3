/**
 * The adversary of the rule's input limits at SMTP time, on a real thwonkd over raw sockets: a message exactly at
 * `limits.size` and `limits.headers` as the client sent it is run, one byte or one field over gets 552 5.3.4
 * naming the limit and the sender's own numbers (the Received field thwonkd adds is its own trace, not the
 * sender's message); the same for a replay of the stored message; and the daemon goes on.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { ownTraceLength, receivedBefore } from "../../runtime/mail/received.js";
import { message, RawClient } from "./inflight-client.js";
import { readStore, startDaemon, workspace, type Running } from "./helpers.js";

const SMALL = `rule small

limits { members: 10, fanout: 10, size: 3000, headers: 12 }

on message(m: Message) {
  send(to: members, subject: "received={m.headers.has("Received")} x={m.headers.has("X-F9")}: {m.subject.truncate(100)}", text: m.text)
}
`;
const LIST = "small@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ small: { source: SMALL, members: [{ address: "ann@example.org", name: "Ann" }] } });
  d = await startDaemon(ws, { args: ["--size", "20000"] });
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

async function post(data: string): Promise<string> {
  const c = await new RawClient(d.ports.smtp).open();
  await c.begin([{ to: LIST }]);
  c.write(data);
  const [answer] = await c.end();
  await c.command("QUIT");
  c.destroy();
  return answer!;
}

const sent = (subject: string) =>
  readStore(ws.data, (db) => db.prepare("SELECT actions FROM runs WHERE address = ? ORDER BY id").all(LIST) as { actions: string }[])
    .map((r) => (JSON.parse(r.actions) as { subject: string }[])[0]?.subject ?? "")
    .filter((s) => s.endsWith(`: ${subject}`));

test("limits.size: a message of exactly 3,000 bytes as sent is run; 3,001 gets 552 with the sender's 3,001", async () => {
  // DATA's bytes with the CRLF before the dot are the message (inflight-client.ts `message`).
  assert.match(await post(message("at-size", 3000)), /^250 /);
  assert.equal(sent("at-size").length, 1);
  // Stored with thwonkd's Received field in front; a replay or an approval reads it without, as the first run did.
  const raw = readStore(ws.data, (db) => (db.prepare("SELECT raw FROM messages WHERE CAST(raw AS TEXT) LIKE '%Subject: at-size%'").get() as { raw: Buffer }).raw);
  assert.match(raw.toString("latin1"), /^Received: from client\.example\.org \([^)]*\) by example\.org \(thwonkd\) /);
  assert.equal(raw.length - ownTraceLength(raw), 3000);
  const over = await post(message("over-size", 3001));
  assert.match(over, /^552 5\.3\.4 .*limits\.size/);
  assert.match(over, /3,001 bytes/);
  assert.equal(sent("over-size").length, 0);
});

test("limits.headers: 12 fields as sent are run, the rule sees them and not thwonkd's own trace; 13 get 552 with the sender's 13", async () => {
  const head = (n: number) => Array.from({ length: n - 2 }, (_, i) => `X-F${i}: v`);
  assert.match(await post(message("at-headers", 400, head(12))), /^250 /);
  assert.deepEqual(sent("at-headers"), ["received=false x=true: at-headers"]);
  const over = await post(message("over-headers", 400, head(13)));
  assert.match(over, /^552 5\.3\.4 .*limits\.headers/);
  assert.match(over, /13 fields/);
  // The daemon goes on.
  assert.match(await post(message("after", 400)), /^250 /);
  assert.deepEqual(sent("after"), ["received=false x=false: after"]);
});

test("LMTP over --size with the list named twice: a 552 for each RCPT answered 250, and the session stays in step", async () => {
  const c = await new RawClient(d.ports.lmtp!).open("LHLO");
  await c.begin([{ to: LIST }, { to: "SMALL@Example.org" }]);
  c.write(message("too-big", 25_000));
  const answers = await c.end(2);
  assert.deepEqual(answers.map((a) => a.slice(0, 9)), ["552 5.3.4", "552 5.3.4"]);
  assert.match(await c.command("NOOP"), /^250 /);
  // And a message within every limit, to both spellings, is delivered once and answered twice.
  await c.begin([{ to: LIST }, { to: "SMALL@Example.org" }]);
  c.write(message("lmtp-twice", 500));
  assert.deepEqual((await c.end(2)).map((a) => a.slice(0, 9)), ["250 2.0.0", "250 2.0.0"]);
  assert.match(await c.command("NOOP"), /^250 /);
  await c.command("QUIT");
  c.destroy();
  assert.equal(sent("lmtp-twice").length, 1);
});

test("ownTraceLength finds thwonkd's own Received field whatever the session wrote in it, and nothing else", () => {
  const body = Buffer.from("From: ann@example.org\r\nSubject: s\r\n\r\nhi\r\n");
  const long = (c: string, n: number) => c.repeat(n);
  const sessions = [
    {},
    { hostNameAppearsAs: "client.example.org", remoteAddress: "127.0.0.1", transmissionType: "LMTP", id: "abc", envelope: { rcptTo: [{ address: "list@example.org" }] } },
    // The longest each part can be: a HELO and a reverse name of 255, an IPv6 address, an id of 64, a recipient of 508.
    {
      hostNameAppearsAs: long("h", 255),
      clientHostname: long("r", 255),
      remoteAddress: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      transmissionType: "ESMTPSA",
      id: long("i", 64),
      envelope: { rcptTo: [{ address: `${long("l", 254)}@${long("d", 249)}.org` }] },
    },
    // What a client writes that is not a name is left out of the field, not written into it.
    { hostNameAppearsAs: "x; by evil (thwonkd) with SMTP", remoteAddress: "not an ip", transmissionType: "smtp;", id: "a b" },
  ];
  for (const s of sessions) {
    const raw = receivedBefore([body], s, "lists.example.org", Date.UTC(2026, 11, 6, 23, 59, 59));
    assert.equal(ownTraceLength(raw), raw.length - body.length, JSON.stringify(s).slice(0, 100));
  }
  for (const other of [
    body,
    Buffer.from("Received: from a by b (thwonkd) with SMTP; Sun, 6 Dec 2026 23:59:59 +0000\r\n\r\nx"),
    Buffer.from("Received: from a by b (postfix) with SMTP;\r\n\tSun, 6 Dec 2026 23:59:59 +0000\r\n\r\nx"),
    Buffer.from("X-Received: from a by b (thwonkd) with SMTP;\r\n\tSun, 6 Dec 2026 23:59:59 +0000\r\n"),
  ])
    assert.equal(ownTraceLength(other), 0, other.toString().slice(0, 40));
});
