/**
 * thwonkd over the real protocols on 127.0.0.1, with three real clients
 * (nodemailer, swaks, Python's smtplib): lists, answers at RCPT and after
 * DATA, the outbox, loops, failing rules and malformed mail.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { rmSync } from "node:fs";
import nodemailer from "nodemailer";
import { have, nativeRefused, outboxMail, python, readStore, startDaemon, swaks, until, workspace, type Running } from "./helpers.js";

const MEMBERS = [
  { address: "ann@example.org", name: "Ann" },
  { address: "bob@example.org", name: "Bob" },
];
const FAILS = `rule fails

on message(m: Message) {
  let n = m.subject.length
  send(to: [m.from], subject: "ratio", text: "{100 / (n - n)}")
}
`;

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({
    trim140: { example: "trim140", members: MEMBERS },
    once_a_day: { example: "once_a_day", members: MEMBERS },
    fails: { source: FAILS, members: MEMBERS },
  });
  d = await startDaemon(ws, { args: ["--size", "200000"] });
});

after(async () => {
  const code = await d.stop();
  assert.equal(code, 0, "SIGTERM ends thwonkd with 0");
  rmSync(ws.dir, { recursive: true, force: true });
});

function transport() {
  return nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
}

const runs = () => readStore(ws.data, (db) => db.prepare("SELECT id, address, outcome, error, actions FROM runs ORDER BY id").all() as { id: number; address: string; outcome: string; error: string | null; actions: string }[]);

test("nodemailer: trim140 writes a trimmed copy for every member to the outbox", async () => {
  const text = "Nothing is more tiresome than a mailing list where every post runs on for pages; this list keeps each one short, so the point has to come first. Anything after that is cut.";
  const info = await transport().sendMail({ from: "ann@example.org", to: "trim140@example.org", subject: "Short and sweet", text });
  assert.match(info.response, /^250 /);
  const mail = await until("the outbox file", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "Short and sweet"));
  assert.deepEqual(mail.recipients, ["ann@example.org", "bob@example.org"]);
  assert.equal(mail.mail.text!.trimEnd(), [...text].slice(0, 140).join(""));
  assert.equal(mail.mail.headers.get("x-thwonk-loop"), "trim140@example.org");
  assert.match(String(mail.mail.messageId), /^<thwonk\..+@example\.org>$/);
});

test("swaks: 550 at RCPT for an address without a list, 550 5.7.1 with the rule's reason for its reject", { skip: have("swaks") ? false : "swaks is not installed (Debian package swaks)" }, async () => {
  const unknown = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "ann@example.org", "--to", "nobody@example.org"]);
  assert.match(unknown.out, /<\*\* 550 5\.1\.1 TW6001 /);
  const relay = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "ann@example.org", "--to", "someone@elsewhere.example"]);
  assert.match(relay.out, /<\*\* 550 5\.1\.1 /, "never an open relay");
  const rejected = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "eve@example.com", "--to", "TRIM140@Example.ORG", "--header", "Subject: Offer"]);
  assert.match(rejected.out, /<\*\* 550 5\.7\.1 Only members may post to trim140@example\.org\./);
});

test("python smtplib: 552 over SIZE, 452 4.5.3 for a second list, +tag and -request reach the list", { skip: have("python3") ? false : "python3 is not installed" }, async () => {
  const out = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
s.ehlo()
print("SIZE", s.esmtp_features.get("size"))
s.mail("ann@example.org")
print("RCPT1", s.rcpt("trim140@example.org")[0])
code, msg = s.rcpt("once-a-day@example.org")
print("RCPT2", code, msg.decode()[:5])
s.rset()
big = "From: ann@example.org\\r\\nSubject: big\\r\\n\\r\\n" + ("x" * 998 + "\\r\\n") * 300
try:
    s.sendmail("ann@example.org", ["trim140@example.org"], big)
    print("BIG accepted")
except smtplib.SMTPDataError as e:
    print("BIG", e.smtp_code)
except smtplib.SMTPSenderRefused as e:
    print("BIG", e.smtp_code)
s.mail("ann@example.org")
print("TAG", s.rcpt("Trim140+news@example.org")[0])
s.rset()
s.mail("ann@example.org")
print("REQ", s.rcpt("trim140-request@EXAMPLE.org")[0])
s.quit()
`);
  assert.match(out, /SIZE 200000/);
  assert.match(out, /RCPT1 250/);
  assert.match(out, /RCPT2 452 4\.5\.3/);
  assert.match(out, /BIG 552/);
  assert.match(out, /TAG 250/);
  assert.match(out, /REQ 250/);
});

test("once_a_day: the second post the same day gets the reply", async () => {
  const t = transport();
  await t.sendMail({ from: "bob@example.org", to: "once-a-day@example.org", subject: "Morning", text: "Hello all" });
  const second = await t.sendMail({ from: "bob@example.org", to: "once-a-day@example.org", subject: "Again", text: "One more thing" });
  assert.match(second.response, /^250 /);
  const reply = await until("the reply", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "Re: Again"));
  assert.deepEqual(reply.recipients, ["bob@example.org"]);
  assert.match(reply.mail.text!, /already posted today/);
  assert.equal(reply.mail.headers.get("auto-submitted"), "auto-replied");
});

test("nothing answers MAIL FROM:<>: a bounce's second post gets no reply", async () => {
  const t = transport();
  const before = (await outboxMail(d.ports.outbox)).length;
  const runsBefore = runs().filter((r) => r.address === "once-a-day@example.org").length;
  await t.sendMail({ envelope: { from: "", to: "once-a-day@example.org" }, from: "ann@example.org", to: "once-a-day@example.org", subject: "B1", text: "one" });
  await t.sendMail({ envelope: { from: "", to: "once-a-day@example.org" }, from: "ann@example.org", to: "once-a-day@example.org", subject: "B2", text: "two" });
  await until("both runs", () => (runs().filter((r) => r.address === "once-a-day@example.org").length >= runsBefore + 2 ? true : undefined));
  await new Promise((r) => setTimeout(r, 300));
  const mail = await outboxMail(d.ports.outbox);
  // once_a_day sees a bounce as automated mail and leaves it; the runner drops any reply to <> besides.
  assert.equal(mail.filter((m) => /B1|B2/.test(m.mail.subject ?? "")).length, 0);
  assert.equal(mail.length, before);
});

test("mail carrying the list's loop header is accepted and not run again", async () => {
  const before = runs().length;
  const files = (await outboxMail(d.ports.outbox)).length;
  const info = await transport().sendMail({ from: "ann@example.org", to: "trim140@example.org", subject: "Looped", text: "x", headers: { "X-Thwonk-Loop": "trim140@example.org" } });
  assert.match(info.response, /^250 .*loop/);
  const r = runs().slice(before);
  assert.deepEqual(r.map((x) => x.outcome), ["loop"]);
  assert.equal((await outboxMail(d.ports.outbox)).length, files);
});

test("a rule that always fails: 250, the run kept with its error and .thwonk line; other lists go on", async () => {
  const info = await transport().sendMail({ from: "ann@example.org", to: "fails@example.org", subject: "hi", text: "x" });
  assert.match(info.response, /^250 .*failed/);
  const failed = runs().filter((r) => r.address === "fails@example.org");
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.outcome, "failed");
  const error = JSON.parse(failed[0]!.error!) as { code: string; line: number };
  assert.equal(error.code, "TW5010");
  assert.equal(error.line, 5);
  const status = readStore(ws.data, (db) => db.prepare("SELECT status FROM messages WHERE id = (SELECT message_id FROM runs WHERE id = ?)").get(failed[0]!.id) as { status: string });
  assert.equal(status.status, "failed");
  const ok = await transport().sendMail({ from: "ann@example.org", to: "trim140@example.org", subject: "Still fine", text: "y" });
  assert.match(ok.response, /^250 /);
});

test("malformed MIME is stored with what could not be read, and the daemon goes on", async () => {
  const raw = "From: ann@example.org\r\nTo: trim140@example.org\r\nSubject: =?utf-8?B?broken\r\nContent-Type: multipart/mixed; boundary=\"nope\r\n\r\n--nope\r\nContent-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n";
  const info = await transport().sendMail({ envelope: { from: "ann@example.org", to: "trim140@example.org" }, raw });
  assert.match(info.response, /^250 /);
  const health = await fetch(`http://127.0.0.1:${d.ports.http}/v1/health`);
  assert.equal(health.status, 200);
  // How the outbox makes its files durable: one syncfs a batch where native/ was built (npm ci on Linux), else each file.
  const { outboxSync } = (await health.json()) as { outboxSync: string };
  assert.match(outboxSync, process.platform === "linux" && !nativeRefused() ? /^syncfs / : /^fdatasync /);
  const ok = await transport().sendMail({ from: "bob@example.org", to: "trim140@example.org", subject: "After", text: "z" });
  assert.match(ok.response, /^250 /);
});

test("LMTP: each recipient gets its own answer after DATA", { skip: have("python3") ? false : "python3 is not installed" }, async () => {
  // smtplib.LMTP reads one answer after DATA: the exchange is written out, to read every recipient's.
  const out = await python(`
import socket
s = socket.create_connection(("127.0.0.1", ${d.ports.lmtp}))
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode()
        lines.append(l)
        if l[3] == " ":
            return lines[-1].strip()
def cmd(c):
    s.sendall((c + "\\r\\n").encode())
    return reply()
reply()
cmd("LHLO test")
cmd("MAIL FROM:<eve@example.com>")
for r in ["trim140@example.org", "fails@example.org", "nobody@example.org"]:
    print("RCPT", r, cmd("RCPT TO:<" + r + ">")[:3])
cmd("DATA")
s.sendall(b"From: eve@example.com\\r\\nSubject: lmtp\\r\\n\\r\\nhi\\r\\n.\\r\\n")
print("DATA trim140", reply()[:9])
print("DATA fails", reply()[:9])
cmd("QUIT")
`);
  // trim140 rejects a stranger (550 after DATA), fails accepts (its run fails), nobody@ is refused at RCPT.
  assert.match(out, /RCPT nobody@example\.org 550/);
  assert.match(out, /RCPT trim140@example\.org 250/);
  assert.match(out, /RCPT fails@example\.org 250/);
  assert.match(out, /DATA trim140 550 5\.7\.1/);
  assert.match(out, /DATA fails 250 2\.0\.0/);
});
