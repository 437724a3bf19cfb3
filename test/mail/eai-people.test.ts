/**
 * Members and senders at addresses past ASCII (RFC 6531), over real SMTP to a real thwonkd. The address rule takes them, so a
 * rule's send to members reaches them: through a relay with SMTPUTF8, and in the Maildir outbox (they were left
 * out without a word). A VERP address made before members were kept in NFC names its member as written then
 * (`e` + U+0301 for `é`), its tag made over that form: such a report still verifies and counts for the member now
 * kept in NFC.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { verpTag } from "../../runtime/daemon/verp.js";
import { outboxMail, readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { dsnReport, sink } from "./helpers.js";

const A = "alpha@example.org";
const MEMBER = "list\u00e9@example.org";
const DECOMPOSED = "liste\u0301@example.org";
const RULE = "rule fan\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n";
const POST = `From: ann@example.org\r\nTo: ${A}\r\nSubject: Hi\r\n\r\nhi\r\n`;

test("a member past ASCII gets the list's mail through a relay (SMTPUTF8); a VERP address of theirs from before NFC still counts their bounces", async () => {
  const relay = await sink();
  const ws = workspace({ alpha: { source: RULE, members: [MEMBER, "bob@example.org"] } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200"], env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) } });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
    await until("the post relayed to both members", () => (relay.got.length >= 2 ? true : undefined));
    const t = relay.got.find((g) => g.to[0] === MEMBER);
    assert.ok(t, `relayed to ${relay.got.map((g) => g.to.join(",")).join(" ")}`);
    assert.match(t.from, /^alpha-bounces\+[a-z2-7]{8}-list\u00e9=example\.org@example\.org$/, "with a VERP sender of its own");
    const id = String((await simpleParser(t.raw)).messageId).replace(/^<|>$/g, "");
    const key = readStore(ws.data, (db) => (db.prepare("SELECT secret FROM list_secrets WHERE address = ?").get(A) as { secret: string }).secret);
    const old = `alpha-bounces+${verpTag(key, A, DECOMPOSED)}-${DECOMPOSED.replace("@", "=")}@example.org`;
    assert.notEqual(old.normalize("NFC"), t.from, "the old address is not the one made today");
    const r = await mta.sendMail({ envelope: { from: "", to: [old] }, raw: dsnReport(old, MEMBER, { id }) });
    assert.match(r.response, new RegExp(`^250 .*TW6126 .*${MEMBER}`));
    assert.deepEqual(
      readStore(ws.data, (db) => db.prepare("SELECT member, verp FROM bounces").all()),
      [{ member: MEMBER, verp: 1 }],
    );
  } finally {
    mta.close();
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a member past ASCII gets the list's mail in the Maildir outbox, named in UTF-8", async () => {
  const ws = workspace({ alpha: { source: RULE, members: [MEMBER] } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [A] }, raw: POST });
    const mail = await until("the copy in the outbox", async () => {
      const m = await outboxMail(join(ws.data, "outbox"));
      return m.length ? m : undefined;
    });
    assert.deepEqual(
      mail.map((m) => m.recipients),
      [[MEMBER]],
    );
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a sender past ASCII gets the rule's reply, and a post from them is sent on with them as its author", async () => {
  const SENDER = "j\u00f6s\u00e9@example.net";
  const ws = workspace({ alpha: { source: 'rule answer\n\non message(m: Message) {\n  reply(m, text: "Got it.")\n  forward(m, to: members)\n}\n', members: ["bob@example.org"] } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: SENDER, to: [A] }, raw: `From: Jos\u00e9 <${SENDER}>\r\nTo: ${A}\r\nSubject: Hi\r\nMessage-ID: <1@example.net>\r\n\r\nhi\r\n` });
    const mail = await until("both copies in the outbox", async () => {
      const m = await outboxMail(join(ws.data, "outbox"));
      return m.length >= 2 ? m : undefined;
    });
    const byTo = new Map(mail.map((m) => [m.recipients.join(","), m.mail]));
    assert.deepEqual([...byTo.keys()].sort(), ["bob@example.org", SENDER].sort());
    assert.match(byTo.get(SENDER)!.text ?? "", /Got it\./);
    assert.equal(byTo.get(SENDER)!.inReplyTo, "<1@example.net>");
    // Munged (the list's default): From is the list's, in the author's name, with Reply-To the author.
    const forwarded = byTo.get("bob@example.org")!;
    assert.equal(forwarded.from?.value[0]?.address, A);
    assert.match(forwarded.from?.value[0]?.name ?? "", /Jos\u00e9/);
    assert.deepEqual(forwarded.replyTo?.value.map((v) => v.address), [SENDER]);
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
