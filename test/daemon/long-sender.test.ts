/**
 * An envelope sender whose local part is longer than 64 octets is a sender (RFC 5321 4.5.3.1: a server should take
 * longer local parts where it can), not the null sender: the rule sees it, its reply goes to it. It was read as no
 * address, so the message was taken for a bounce and the reply dropped. A real thwonkd, a real SMTP client
 * (nodemailer) on 127.0.0.1, the rule in QuickJS, the reply read from the Maildir outbox.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

/** Replies to every message, saying whom it took for the sender. */
const ANSWER = `rule answer

on message(m: Message) {
  if m.isAutomated() {
    return
  }
  var sender = "none"
  let given = m.envelope.sender
  if given != none {
    sender = "{given} local={given.local.length}"
  }
  reply(m, subject: "sender={sender}", text: "got it")
}
`;
const LIST = "answer@example.org";
// 80 octets before the @: past RFC 5321's 64, far within the address's 320.
const LONG = `${"a".repeat(40)}.${"b".repeat(39)}@example.net`;

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ answer: { source: ANSWER, members: ["ann@example.org"] } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

test("a sender whose local part passes 64 octets gets the rule's reply, as any sender", async () => {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  // The From header names someone else: a reply goes to the envelope sender (docs/mail-out.md).
  const info = await t.sendMail({ envelope: { from: LONG, to: LIST }, from: "ann@example.org", to: LIST, subject: "Hello", text: "hi" });
  assert.match(info.response, /^250 /);
  const mail = await until("the reply in the outbox", async () => {
    const all = await outboxMail(d.ports.outbox);
    return all.length > 0 ? all : undefined;
  });
  assert.equal(mail.length, 1);
  assert.deepEqual(mail[0]!.recipients, [LONG]);
  assert.equal(mail[0]!.mail.subject, `sender=${LONG} local=80`);
  assert.equal((mail[0]!.mail.to as { value: { address: string }[] }).value[0]!.address, LONG);
  // Not a bounce: the message was stored with no problem in its envelope.
  const problems = readStore(ws.data, (db) => db.prepare("SELECT problems FROM messages").all() as { problems: string }[]);
  assert.deepEqual(problems.map((p) => p.problems), ["[]"]);
});
