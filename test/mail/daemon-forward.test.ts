/**
 * Forward with changes through a real thwonkd: a post with a binary
 * attachment sent over SMTP on 127.0.0.1 to the tagged example list is
 * stored with the daemon's Received field and reaches the outbox tagged,
 * footed, its attachment byte for byte and its trace kept. And the
 * Received field's value when the client's words are hostile.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { receivedValue, withReceived } from "../../runtime/mail/received.js";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "../daemon/helpers.js";

const MEMBERS = [
  { address: "ann@example.org", name: "Ann" },
  { address: "bob@example.org", name: "Bob" },
];

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ tagged: { example: "tagged", members: MEMBERS } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

test("a post over SMTP: stored with a Received field; out tagged, footed, the attachment byte for byte, the trace kept", async () => {
  const bytes = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 2654435761) % 256));
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, name: "client.example" });
  const info = await client.sendMail({
    from: "Ann <ann@example.org>",
    to: "tagged@example.org",
    subject: "Budget",
    text: "Figures attached.",
    messageId: "<budget.1@example.org>",
    attachments: [{ filename: "budget.xlsx", content: bytes }],
  });
  assert.match(info.response, /^250 /);
  const out = await until("the forward in the outbox", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "[tagged] Budget"));
  assert.deepEqual(out.recipients.sort(), ["ann@example.org", "bob@example.org"]);
  assert.ok(out.mail.attachments[0]?.content.equals(bytes), "the attachment changed on its way through the list");
  assert.match(out.mail.text ?? "", /^Figures attached\.\n\n-- \ntagged mailing list: tagged@example\.org\nTo unsubscribe, send "unsubscribe" as the subject to tagged-request@example\.org\n$/);
  assert.equal(out.mail.messageId, "<budget.1@example.org>");
  const received = [out.mail.headers.get("received")].flat().map(String);
  assert.ok(
    received.some((r) => /^from client\.example \((?:\S+ )?\[127\.0\.0\.1\]\) by \S+ \(thwonkd\) with ESMTP id \S+ for <tagged@example\.org>;\s+\w{3}, \d{2} \w{3} \d{4} [\d:]{8} \+0000$/.test(r)),
    `the daemon's Received field: ${received.join(" | ")}`,
  );
  const stored = readStore(ws.data, (db) => db.prepare("SELECT raw FROM messages ORDER BY id DESC LIMIT 1").get() as { raw: Buffer });
  assert.match(stored.raw.subarray(0, 200).toString("latin1"), /^Received: from client\.example \((?:\S+ )?\[127\.0\.0\.1\]\) by /);
});

test("the Received field: the client's HELO, its address and one recipient, nothing that could end the field", () => {
  const at = Date.UTC(2026, 10, 25, 12, 0, 0);
  const value = receivedValue({ hostNameAppearsAs: "mx.example.net", clientHostname: "[10.0.0.1]", remoteAddress: "::ffff:10.0.0.1", transmissionType: "ESMTPS", id: "ABC123", envelope: { rcptTo: [{ address: "list@example.org" }] } }, "lists.example.org", at);
  assert.equal(value, "from mx.example.net ([10.0.0.1]) by lists.example.org (thwonkd) with ESMTPS id ABC123 for <list@example.org>; Wed, 25 Nov 2026 12:00:00 +0000");
  const hostile = receivedValue(
    { hostNameAppearsAs: "evil\r\nBcc: x@evil.example", clientHostname: "a b", remoteAddress: "2001:db8::1", transmissionType: "ESMTP\r\nX: 1", id: "x\ny", envelope: { rcptTo: [{ address: "a@example.org" }, { address: "b@example.org" }] } },
    "host\r\nX-Evil: 1",
    at,
  );
  assert.equal(hostile, "from unknown ([IPv6:2001:db8::1]) by thwonkd (thwonkd) with SMTP; Wed, 25 Nov 2026 12:00:00 +0000", "two recipients are not named");
  const raw = withReceived(Buffer.from("Subject: x\r\n\r\nbody\r\n"), { hostNameAppearsAs: "x\u0000y" }, "h", at);
  assert.equal(raw.toString("latin1"), "Received: from unknown by h (thwonkd) with SMTP;\r\n\tWed, 25 Nov 2026 12:00:00 +0000\r\nSubject: x\r\n\r\nbody\r\n");
});
