/**
 * Adversary: members past ASCII (RFC 6531/6532) as an owner adds them and as mail software reads what they get, over
 * real SMTP and HTTP to a real thwonkd (one-click unsubscribe, VERP, a relay that offers SMTPUTF8). An owner writes
 * `用户@例子.广告` as people write it, with its domain in Unicode: it is the member `用户@xn--fsqu00a.xn--4rr70v`, as
 * ingress reads that domain in an envelope or a header (it was refused as "not an e-mail address"), and the same
 * address written in punycode, in NFD or in another case is that one member. Each member's copy carries their own
 * VERP sender (the plain bounce address when its local part would pass 64 octets, not characters), a one-click link
 * that removes them, and header fields mailparser and Python's email package (policy SMTPUTF8) read back; bounces
 * about them, to either address and with the domain written either way, are counted.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { domainToUnicode } from "node:url";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { dsnReport, sink, type Transaction } from "../mail/helpers.js";
import { cliIn, python, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const A = "alpha@example.org";
const CJK = "\u7528\u6237@xn--fsqu00a.xn--4rr70v";
const CJK_AS_WRITTEN = "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a";
const LATIN = "list\u00e9@xn--exmple-cua.org";
const LATIN_AS_WRITTEN = "list\u00e9@ex\u00e4mple.org";
// 16 `ä`: 16 characters but 32 octets, so `alpha-bounces+TAG-äää…=xn--exmple-cua.org` has a local part of 74 octets (58 characters).
const WIDE = `${"\u00e4".repeat(16)}@xn--exmple-cua.org`;
const WIDE_AS_WRITTEN = `${"\u00e4".repeat(16)}@ex\u00e4mple.org`;
const BOB = "bob@example.org";
const RULE = "rule fan\n\nlimits { members: 20, fanout: 20 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text, from: \"sender\")\n}\n";

let ws: ReturnType<typeof workspace>;
let d: Running;
let relay: { port: number; got: Transaction[]; close(): Promise<void> };
let admin: (...args: string[]) => ReturnType<typeof cliIn>;
let mta: ReturnType<typeof nodemailer.createTransport>;

before(async () => {
  relay = await sink();
  ws = workspace({ alpha: { source: RULE, members: [BOB] } });
  d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "100", "--one-click"],
    env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true } }) },
  });
  const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
  admin = (...args) => cliIn(ws.dir, [...args, "--server", `http://127.0.0.1:${d.ports.http}`, "--token", token]);
  mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
});

after(async () => {
  mta.close();
  await d.stop();
  await relay.close();
  rmSync(ws.dir, { recursive: true, force: true });
});

const members = async (): Promise<string[]> => {
  const r = await admin("members", "list", A, "--json");
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { members: { address: string }[] }).members.map((m) => m.address).sort();
};

test("an owner adds members written with Unicode domains; the punycode, NFD and upper-case forms are the same members", async () => {
  const add = await admin("members", "add", A, CJK_AS_WRITTEN, LATIN_AS_WRITTEN, WIDE_AS_WRITTEN);
  assert.equal(add.code, 0, add.err + add.out);
  assert.deepEqual(await members(), [BOB, CJK, LATIN, WIDE].sort());
  const again = await admin("members", "add", A, CJK, "LISTE\u0301@EXA\u0308MPLE.ORG", "list\u00e9@XN--EXMPLE-CUA.ORG");
  assert.equal(again.code, 0, again.err + again.out);
  assert.deepEqual(await members(), [BOB, CJK, LATIN, WIDE].sort(), "no second member for another spelling");
});

let copies: Transaction[] = [];
const copyOf = (member: string) => {
  const c = copies.find((g) => g.to.length === 1 && g.to[0] === `${member.slice(0, member.lastIndexOf("@"))}@${domainToUnicode(member.slice(member.lastIndexOf("@") + 1))}`);
  assert.ok(c, `a copy for ${member} among ${copies.map((g) => g.to.join(",")).join(" ")}`);
  return c;
};

test("a post reaches each member once, in a transaction of their own: VERP sender within 64 octets, else the plain one", async () => {
  const SENDER = `${"\u00f6".repeat(120)}@example.net`;
  await mta.sendMail({
    envelope: { from: SENDER, to: [A] },
    raw: `From: =?utf-8?q?J=C3=B6?= <${SENDER}>\r\nTo: ${A}\r\nSubject: Hi\r\nMessage-ID: <post1@example.net>\r\n\r\nhi\r\n`,
  });
  copies = await until("a copy for each of four members", () => (relay.got.length >= 4 ? relay.got.slice() : undefined));
  await new Promise((ok) => setTimeout(ok, 200));
  assert.equal(relay.got.length, 4, "each member once");
  for (const m of [CJK, LATIN]) {
    const from = copyOf(m).from;
    const local = from.slice(0, from.lastIndexOf("@"));
    assert.match(from, /^alpha-bounces\+[a-z2-7]{8}-/, `${m}: a VERP sender (${from})`);
    assert.ok(Buffer.byteLength(local) <= 64, `${m}: its local part ${Buffer.byteLength(local)} octets`);
  }
  assert.equal(copyOf(WIDE).from, "alpha-bounces@example.org", "a VERP local part of 74 octets (58 characters) is not used");
});

test("each copy's header is UTF-8 where it names such an address, every line within 998 octets, read back by mailparser and by Python (policy SMTPUTF8)", async () => {
  for (const m of [CJK, LATIN, WIDE]) {
    const raw = copyOf(m).raw;
    const head = raw.subarray(0, raw.indexOf("\r\n\r\n"));
    for (const line of head.toString("latin1").split("\r\n")) assert.ok(line.length <= 998, `a line of ${line.length} octets`);
    assert.ok(raw.subarray(raw.indexOf("\r\n\r\n")).every((b) => b < 0x80), "the body is 7-bit");
    const parsed = await simpleParser(raw);
    // The author's address is the munged copy's Reply-To, written as RFC 6532 UTF-8.
    assert.deepEqual(parsed.replyTo?.value.map((v) => v.address), [`${"\u00f6".repeat(120)}@example.net`]);
    assert.equal(parsed.from?.value[0]?.address, A);
    const unsubscribe = parsed.headerLines.find((h) => h.key === "list-unsubscribe")?.line.replace(/\r\n[ \t]+/g, " ");
    assert.match(unsubscribe ?? "", /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/unsubscribe\/[A-Za-z0-9_.-]+>, <mailto:alpha-request@example\.org\?subject=unsubscribe>$/);
    // Python's address parser notes every local part past ASCII as a defect, whatever the policy (RFC 6532 allows it): that one is left out.
    const py = JSON.parse(
      await python(`
import email, email.policy, json, sys
m = email.message_from_string(bytes.fromhex(${JSON.stringify(raw.toString("hex"))}).decode("utf-8"), policy=email.policy.SMTPUTF8)
print(json.dumps({"replyTo": [a.addr_spec for a in m["Reply-To"].addresses], "from": [a.addr_spec for a in m["From"].addresses], "to": [a.addr_spec for a in m["To"].addresses], "defects": [type(x).__name__ for k in m.keys() for x in m[k].defects if type(x).__name__ != "NonASCIILocalPartDefect"]}))
`),
    ) as Record<string, string[]>;
    assert.deepEqual(py, { replyTo: [`${"\u00f6".repeat(120)}@example.net`], from: [A], to: [A], defects: [] }, m);
  }
});

test("bounces about them count: to a VERP address, and to the plain address for the member whose VERP address would not fit, the domain written either way", async () => {
  const id = String((await simpleParser(copyOf(CJK).raw)).messageId).replace(/^<|>$/g, "");
  const verp = copyOf(CJK).from;
  const r1 = await mta.sendMail({ envelope: { from: "", to: [verp] }, raw: dsnReport(verp, CJK_AS_WRITTEN, { id }) });
  assert.match(r1.response, /^250 .*TW6126/);
  // The plain address: only the report's Final-Recipient names the member, written as an MTA may, the domain in Unicode.
  const r2 = await mta.sendMail({ envelope: { from: "", to: ["alpha-bounces@example.org"] }, raw: dsnReport("alpha-bounces@example.org", WIDE_AS_WRITTEN, { id }) });
  assert.match(r2.response, /^250 .*TW6126/, r2.response);
  // A copy for LATIN left with VERP: a report about it to the plain address is no bounce of theirs (forgeable).
  const r3 = await mta.sendMail({ envelope: { from: "", to: ["alpha-bounces@example.org"] }, raw: dsnReport("alpha-bounces@example.org", LATIN_AS_WRITTEN, { id }) });
  assert.match(r3.response, /^250 .*TW6127/, r3.response);
  assert.deepEqual(readStore(ws.data, (db) => db.prepare("SELECT member, verp FROM bounces ORDER BY id").all()), [
    { member: CJK, verp: 1 },
    { member: WIDE, verp: 0 },
  ]);
  const listed = await admin("members", "list", A, "--json");
  const counts = Object.fromEntries((JSON.parse(listed.out) as { members: { address: string; bounces?: number }[] }).members.map((m) => [m.address, m.bounces ?? 0]));
  assert.deepEqual([counts[CJK], counts[WIDE], counts[LATIN]], [1, 1, 0]);
});

test("a global delivery status report (RFC 6533: message/global-delivery-status, `utf-8;` addresses, `\\x{HEX}` escapes) counts too", async () => {
  const before = relay.got.length;
  await mta.sendMail({ envelope: { from: BOB, to: [A] }, raw: `From: ${BOB}\r\nTo: ${A}\r\nSubject: Again\r\nMessage-ID: <post2@example.org>\r\n\r\nhi\r\n` });
  const wide = await until("the second post's copy for the member past 64 octets", () => relay.got.slice(before).find((g) => g.to[0] === `${"\u00e4".repeat(16)}@ex\u00e4mple.org`));
  const id = String((await simpleParser(wide.raw)).messageId).replace(/^<|>$/g, "");
  const escaped = `${"\\x{E4}".repeat(8)}${"\u00e4".repeat(8)}@ex\u00e4mple.org`;
  const report = [
    "From: MAILER-DAEMON@mx.example.net",
    "To: alpha-bounces@example.org",
    "Subject: Undelivered Mail Returned to Sender",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=global-delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "no",
    "--B",
    "Content-Type: message/global-delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.net",
    "",
    `Original-Recipient: utf-8; ${escaped}`,
    // Where the member's mailbox forwarded it: the Original-Recipient (escaped) is what names the member.
    "Final-Recipient: utf-8; \\x{5BA2}\\x{6237}@mx.example.net",
    "Action: failed",
    "Status: 5.1.1",
    "",
    "--B",
    "Content-Type: message/global-headers",
    "",
    `Message-ID: <${id}>`,
    "",
    "--B--",
    "",
  ].join("\r\n");
  const r = await mta.sendMail({ envelope: { from: "", to: ["alpha-bounces@example.org"] }, raw: report });
  assert.match(r.response, /^250 .*TW6126/, r.response);
  assert.equal(readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces WHERE member = ?").get(WIDE) as { n: number }).n), 2);
});

test("the one-click link of a member past ASCII removes that member, and no other", async () => {
  const raw = copyOf(CJK).raw.toString("utf8");
  const url = /List-Unsubscribe: <(http:[^>]+)>/.exec(raw)?.[1];
  assert.ok(url, raw.slice(0, 2000));
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Unsubscribe from alpha@example\.org\?/);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  assert.equal(res.status, 200, await res.text());
  assert.deepEqual(await members(), [BOB, LATIN, WIDE].sort(), "the member removed, no other");
  const again = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  assert.equal(again.status, 200);
  const rm = await admin("members", "remove", A, LATIN_AS_WRITTEN.toUpperCase());
  assert.equal(rm.code, 0, rm.err + rm.out);
  assert.deepEqual(await members(), [BOB, WIDE].sort(), "removed by the Unicode spelling too");
});

test("unsubscribe by mail from a member past ASCII (Python's smtplib, SMTPUTF8, the domain in Unicode): a confirmation to them, whose reply removes them", async () => {
  const before = relay.got.length;
  assert.equal((await admin("members", "add", A, CJK_AS_WRITTEN)).code, 0);
  const sendAs = (to: string, subject: string) =>
    python(`
import smtplib
from email.message import EmailMessage
from email import policy
m = EmailMessage(policy=policy.SMTPUTF8)
m["From"] = "${CJK_AS_WRITTEN}"
m["To"] = "${to}"
m["Subject"] = "${subject}"
m.set_content("please")
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
s.send_message(m)  # adds SMTPUTF8 itself for an address past ASCII
s.quit()
`);
  await sendAs("alpha-request@example.org", "unsubscribe");
  const confirm = await until("the confirmation relayed", () => relay.got.slice(before).find((g) => g.to.length === 1 && g.to[0] === CJK_AS_WRITTEN));
  const parsed = await simpleParser(confirm.raw);
  const tagged = parsed.replyTo?.value[0]?.address ?? "";
  assert.match(tagged, /^alpha-request\+[a-z2-7]{12}-\u7528\u6237=xn--fsqu00a\.xn--4rr70v@example\.org$/, `${parsed.subject}: ${tagged}`);
  assert.ok((await members()).includes(CJK), "not removed before the confirmation");
  await sendAs(tagged, "Re: confirm");
  await until("the member removed", async () => ((await members()).includes(CJK) ? undefined : true));
});

test("an owner writes a list's address with its domain in Unicode too: deploy, members add and members list find the list kept in ASCII", async () => {
  const WRITTEN = "b\u00fccher@ex\u00e4mple.org";
  const KEPT = "b\u00fccher@xn--exmple-cua.org";
  const dep = await admin("deploy", join(ws.rules, "alpha", "alpha.thwonk"), "--address", WRITTEN);
  assert.equal(dep.code, 0, dep.err + dep.out);
  assert.match(dep.out, new RegExp(KEPT.replace(/[.+]/g, "\\$&")));
  const add = await admin("members", "add", WRITTEN, CJK_AS_WRITTEN);
  assert.equal(add.code, 0, add.err + add.out);
  const listed = await admin("members", "list", KEPT, "--json");
  assert.deepEqual((JSON.parse(listed.out) as { members: { address: string }[] }).members.map((m) => m.address), [CJK]);
  const mail = await mta.sendMail({ envelope: { from: BOB, to: [WRITTEN] }, raw: `From: ${BOB}\r\nTo: ${WRITTEN}\r\nSubject: x\r\n\r\nx\r\n` });
  assert.match(mail.response, /^250 /, "its mail reaches it, as ingress reads the domain");
});
