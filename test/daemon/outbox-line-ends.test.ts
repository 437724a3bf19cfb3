/**
 * The line ends of a file in the Maildir outbox: every line ends in CRLF, as the header's do and as the message goes
 * on the wire (docs/mail-out.md), whatever a rule's text holds. A CR or an LF alone in a rule's text (`"\r"` in a
 * string, a mix pasted in) went into a 7bit body as it was, so the file's lines ended three ways; only the relay's
 * client and the DKIM signer made them CRLF. A real thwonkd, a real SMTP client, the rule in QuickJS, the files read.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, startDaemon, until, workspace, type Running } from "./helpers.js";

/** Sends and replies with texts whose lines end every way, and an HTML part the same. */
const MIXED = `rule mixed

limits { members: 10, fanout: 11 }

on message(m: Message) {
  if m.isAutomated() {
    return
  }
  reply(m, subject: "reply", text: "one\\rtwo\\r\\nthree\\nfour\\n\\rfive\\r")
  send(to: members, subject: "send", text: "a\\rb\\nc", html: "<p>x</p>\\r<p>y</p>\\n")
}
`;
const LIST = "mixed@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ mixed: { source: MIXED, members: ["ann@example.org"] } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** The offsets of a CR not followed by LF, and of an LF not after a CR. */
function strays(bytes: Buffer): { cr: number[]; lf: number[] } {
  const cr: number[] = [];
  const lf: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] !== 10) cr.push(i);
    if (bytes[i] === 10 && bytes[i - 1] !== 13) lf.push(i);
  }
  return { cr, lf };
}

test("a rule's text with CRs and LFs alone is written to the outbox with every line ending in CRLF", async () => {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  await t.sendMail({ from: "bob@example.org", to: LIST, subject: "Hello", text: "hi" });
  const mail = await until("both messages in the outbox", async () => {
    const all = await outboxMail(d.ports.outbox);
    return all.length === 2 ? all : undefined;
  });
  for (const m of mail) {
    const bytes = readFileSync(join(d.ports.outbox, "new", m.file));
    assert.deepEqual(strays(bytes), { cr: [], lf: [] }, `${m.mail.subject}: ${JSON.stringify(bytes.toString("latin1"))}`);
  }
  const reply = mail.find((m) => m.mail.subject === "reply")!;
  const send = mail.find((m) => m.mail.subject === "send")!;
  // Each lone CR and LF one line break: "\n\r" is two, as a reader of the bytes would take them.
  assert.ok(reply.raw.endsWith("\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n\r\nfive\r\n"), JSON.stringify(reply.raw));
  assert.deepEqual(reply.recipients, ["bob@example.org"]);
  assert.ok(send.raw.includes("\r\n\r\na\r\nb\r\nc\r\n"), JSON.stringify(send.raw));
  assert.ok(send.raw.includes("\r\n\r\n<p>x</p>\r\n<p>y</p>\r\n"), JSON.stringify(send.raw));
});
