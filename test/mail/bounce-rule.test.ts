/**
 * Bounces seen by a rule, and DKIM on the other ways out, in a real thwonkd:
 * examples/bounce_out with the Maildir outbox (each file DKIM-signed and
 * verified with mailauth), three delivery status reports for a member over
 * SMTP, then the nightly schedule (the test-only clock) unsubscribes that
 * member and tells the owner, while a member with two bounces stays. Then
 * Postfix's smtp-sink as the relay: what it dumped verifies too.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import nodemailer from "nodemailer";
import { outboxMail, readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { makeKey, resolverWith } from "./helpers.js";

const LIST = "bounce-out@example.org";
const BOUNCES = "bounce-out-bounces@example.org";
const joined = "2026-10-01T00:00:00Z";

function report(member: string, originalId: string): string {
  return [
    "From: MAILER-DAEMON@mx.example.net",
    `To: ${BOUNCES}`,
    "Subject: Delivery Status Notification (Failure)",
    "MIME-Version: 1.0",
    "Content-Type: multipart/report; report-type=delivery-status;",
    ' boundary="XyZ"',
    "",
    "--XyZ",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Die Nachricht konnte nicht zugestellt werden. 📭",
    "",
    "--XyZ",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns;mx.example.net",
    "Arrival-Date: Wed, 25 Nov 2026 12:00:01 +0000",
    "",
    `Original-Recipient: rfc822;${member}`,
    `Final-Recipient: rfc822;${member.replace("@example.org", "@mailhost.example.net")}`,
    "Action: failed",
    "Status: 5.2.1 (mailbox disabled)",
    "Remote-MTA: dns;mailhost.example.net",
    "Diagnostic-Code: smtp;550 5.2.1 The email account that you tried to reach is disabled.",
    "",
    "--XyZ",
    "Content-Type: message/rfc822",
    "",
    `Message-ID: <${originalId}>`,
    `From: "Ann via bounce-out" <${LIST}>`,
    "Subject: Morning",
    "",
    "Good morning",
    "",
    "--XyZ--",
    "",
  ].join("\r\n");
}

test("bounce_out: three reports for bob, and the nightly run unsubscribes him and tells the owner; the Maildir files are DKIM-signed", async () => {
  const keys = mkdtempSync(join(tmpdir(), "thwonk-dkim-"));
  const { keyFile, txt } = await makeKey(keys, "example.org", "mail2026");
  const resolver = resolverWith("mail2026._domainkey.example.org", txt);
  const ws = workspace({
    bounce_out: {
      example: "bounce_out",
      members: [
        { address: "ann@example.org", name: "Ann", role: "owner", joined },
        { address: "bob@example.org", name: "Bob", joined },
        { address: "cat@example.org", name: "Cat", joined },
      ],
    },
  });
  const clock = join(ws.dir, "clock");
  writeFileSync(clock, "2026-11-25T12:00:00Z");
  const d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock, THWONKD_DKIM: JSON.stringify({ "example.org": { selector: "mail2026", keyFile } }) } });
  try {
    const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: Ann <ann@example.org>\r\nTo: ${LIST}\r\nSubject: Morning\r\nMessage-ID: <m1@example.org>\r\n\r\nGood morning\r\n` });
    const post = await until("the post in the outbox", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "Morning"));
    const v = (await dkimVerify(Buffer.from(post.raw), { resolver })).results[0]!;
    assert.equal(v.status.result, "pass", JSON.stringify(v.status));
    assert.equal(v.signingDomain, "example.org");
    assert.notEqual((await dkimVerify(Buffer.from(post.raw.replace("Good morning", "Good evening")), { resolver })).results[0]!.status.result, "pass");
    // A member's count is of distinct messages that bounced: three posts, each reported.
    const postIds = [String(post.mail.messageId).replace(/^<|>$/g, "")];
    for (const subject of ["Noon", "Evening"]) {
      await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: Ann <ann@example.org>\r\nTo: ${LIST}\r\nSubject: ${subject}\r\n\r\nGood ${subject}\r\n` });
      const p = await until(`the post ${subject}`, async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === subject));
      postIds.push(String(p.mail.messageId).replace(/^<|>$/g, ""));
    }

    for (const [member, times] of [["bob@example.org", 3], ["cat@example.org", 2]] as const) {
      for (let i = 0; i < times; i++) {
        const info = await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report(member, postIds[i]!) });
        assert.match(info.response, new RegExp(`TW6126 .*${member}`));
      }
    }
    const recorded = readStore(ws.data, (db) => db.prepare("SELECT member, status, verp, diagnostic FROM bounces ORDER BY id").all() as { member: string; status: string; verp: number; diagnostic: string }[]);
    assert.deepEqual(recorded.map((r) => r.member), ["bob@example.org", "bob@example.org", "bob@example.org", "cat@example.org", "cat@example.org"]);
    assert.equal(recorded[0]!.status, "5.2.1");
    assert.equal(recorded[0]!.verp, 0);
    assert.match(recorded[0]!.diagnostic, /account that you tried to reach is disabled/);
    assert.equal((await outboxMail(d.ports.outbox)).length, 3, "no report was answered or run as a post");

    writeFileSync(clock, "2026-11-26T03:00:05Z");
    const notice = await until("the owner's notice", async () => (await outboxMail(d.ports.outbox)).find((m) => /unsubscribed 1 bouncing/.test(String(m.mail.subject))));
    assert.deepEqual(notice.recipients, ["ann@example.org"]);
    assert.match(String(notice.mail.text), /bob@example\.org \(3 bounces\)/);
    assert.equal((await dkimVerify(Buffer.from(notice.raw), { resolver })).results[0]!.status.result, "pass");
    const members = readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY pos").all(LIST) as { member: string }[]).map((r) => r.member));
    assert.deepEqual(members, ["ann@example.org", "cat@example.org"]);

    // A report that cat bounced the owner's notice, which only ann was sent: not counted.
    const noticeId = String(notice.mail.messageId).replace(/^<|>$/g, "");
    const forged = await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report("cat@example.org", noticeId) });
    assert.match(forged.response, /TW6127 .*not a member of bounce-out@example\.org that the reported message was sent to/);
    assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces").get() as { n: number }).n), 5);

    // Bob subscribed again starts from 0: his old bounces were before he joined.
    writeFileSync(clock, "2026-11-26T10:00:00Z");
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${LIST}/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ members: ["bob@example.org"] }),
    });
    const after = ((await r.json()) as { members: { address: string; bounces?: number }[] }).members;
    assert.equal(after.find((m) => m.address === "bob@example.org")?.bounces, undefined);
    assert.equal(after.find((m) => m.address === "cat@example.org")?.bounces, 2);
    mta.close();
  } finally {
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
});

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

test("Postfix's smtp-sink as the relay: each member's transaction arrives DKIM-signed with its one-click URL", async () => {
  const keys = mkdtempSync(join(tmpdir(), "thwonk-dkim-"));
  const { keyFile, txt } = await makeKey(keys, "example.org", "s1");
  const port = await freePort();
  const dump = mkdtempSync(join(tmpdir(), "smtp-sink-"));
  chmodSync(dump, 0o777);
  const root = process.getuid?.() === 0;
  const sinkProc = spawn("/usr/sbin/smtp-sink", [...(root ? ["-u", "nobody"] : []), "-d", `${dump}/%M.`, `127.0.0.1:${port}`, "100"], { stdio: "ignore" });
  const members = ["ann@example.org", "bob@example.org", "cat@example.org"];
  const ws = workspace({ trim140: { example: "trim140", members } });
  await new Promise((r) => setTimeout(r, 300));
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${port}`, "--dkim", `example.org=s1:${keyFile}`, "--one-click", "--public-url", "https://lists.example.org/"] });
  try {
    const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
    await mta.sendMail({ envelope: { from: "ann@example.org", to: ["trim140@example.org"] }, raw: "From: ann@example.org\r\nTo: trim140@example.org\r\nSubject: Hi\r\n\r\nHello ✉️\r\n" });
    mta.close();
    const files = await until("every member at smtp-sink", () => {
      // smtp-sink writes a file as the transaction goes: wait until each holds the whole message.
      const fs = readdirSync(dump).map((f) => readFileSync(join(dump, f)));
      return fs.length >= members.length && fs.every((f) => /^X-Rcpt-Args: /m.test(f.toString("latin1")) && /Hello/.test(f.toString("latin1"))) ? fs : undefined;
    });
    assert.equal(files.length, members.length);
    const resolver = resolverWith("s1._domainkey.example.org", txt);
    const seen: string[] = [];
    for (const f of files) {
      const text = f.toString("latin1");
      const rcpt = /^X-Rcpt-Args: <([^>]+)>/m.exec(text)?.[1];
      assert.ok(rcpt);
      seen.push(rcpt);
      assert.match(text, /^X-Mail-Args: <trim140-bounces@example\.org>/m);
      assert.match(text, /^List-Unsubscribe: <https:\/\/lists\.example\.org\/unsubscribe\/[A-Za-z0-9_.-]+>,/m);
      const v = (await dkimVerify(f, { resolver })).results[0]!;
      assert.equal(v.status.result, "pass", JSON.stringify(v.status));
    }
    assert.deepEqual(seen.sort(), members);
  } finally {
    await d.stop();
    sinkProc.kill("SIGTERM");
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(dump, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
});
