/**
 * postmaster@ (RFC 5321 §4.5.1): a real thwonkd takes mail for the postmaster of each domain of its lists, in any
 * case, and keeps it in DATA/postmaster (Maildir) before its 250, never run and never answered; the postmaster of
 * another domain is 550 (no relay); a list deployed at postmaster@ itself gets it as a list; a postmaster and a list
 * in one SMTP transaction are two lists (452 for the second).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RawClient } from "./inflight-client.js";
import { have, python, readStore, startDaemon, swaks, workspace, type Running } from "./helpers.js";

const ECHO = `rule postmaster

limits { members: 10 }

on message(m: Message) {
  log("ran")
}
`;

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  // trim140 at example.org; a list deployed at postmaster@ of a second domain (example.org's postmaster is kept).
  ws = workspace({ trim140: { example: "trim140", members: [{ address: "ann@example.org" }] } });
  d = await startDaemon(ws);
  const deployed = await fetch(`http://127.0.0.1:${d.ports.http}/v1/deploy`, {
    method: "POST",
    headers: { authorization: `Bearer ${readFileSync(join(ws.data, "admin.token"), "utf8").trim()}`, "content-type": "application/json" },
    body: JSON.stringify({ source: ECHO, fileName: "postmaster.thwonk", addresses: ["postmaster@lists.example.net"] }),
  });
  assert.equal(deployed.status, 200, await deployed.text());
});

after(async () => {
  await d.stop();
  rmSync(ws.dir, { recursive: true, force: true });
});

const kept = (): string[] => {
  const dir = join(ws.data, "postmaster", "new");
  return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), "latin1")) : [];
};

test("postmaster@ a domain of the lists, in any case: 250, kept in DATA/postmaster/new with its return path, not run", { skip: have("swaks") ? false : "swaks is not installed" }, async () => {
  const runsBefore = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n);
  const r = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "mailer@elsewhere.example", "--to", "PostMaster@Example.ORG", "--header", "Subject: your server", "--body", "Mail from your list bounced here."]);
  assert.match(r.out, /<- {2}250 2\.0\.0 kept for the postmaster/, r.out);
  const files = kept();
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^Return-Path: <mailer@elsewhere\.example>\r\nDelivered-To: postmaster@example\.org\r\nReceived: /);
  assert.match(files[0]!, /Subject: your server/);
  assert.match(files[0]!, /Mail from your list bounced here\./);
  assert.equal(existsSync(join(ws.data, "postmaster", "tmp")) && readdirSync(join(ws.data, "postmaster", "tmp")).length, 0, "nothing left half-written");
  const runsAfter = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n);
  assert.equal(runsAfter, runsBefore, "no rule ran it");
  // A bounce to the postmaster (MAIL FROM:<>) is kept too, and its return path says none.
  const bounce = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "<>", "--to", "postmaster@example.org"]);
  assert.match(bounce.out, /<- {2}250 2\.0\.0 kept for the postmaster/, bounce.out);
  assert.equal(kept().filter((f) => f.startsWith("Return-Path: <>\r\n")).length, 1);
});

test("the postmaster of another domain is 550 (never a relay); a list deployed at postmaster@ runs its rule", { skip: have("swaks") ? false : "swaks is not installed" }, async () => {
  const other = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "ann@example.org", "--to", "postmaster@elsewhere.example"]);
  assert.match(other.out, /<\*\* 550 5\.1\.1 TW6001 /);
  const before = kept().length;
  const listed = await swaks(["--server", `127.0.0.1:${d.ports.smtp}`, "--from", "ann@example.org", "--to", "postmaster@lists.example.net"]);
  assert.match(listed.out, /<- {2}250 2\.0\.0 accepted/, listed.out);
  assert.equal(kept().length, before, "the list's mail, not the mailbox's");
  const runs = readStore(ws.data, (db) => db.prepare("SELECT address FROM runs WHERE address = 'postmaster@lists.example.net'").all());
  assert.equal(runs.length, 1);
});

test("python smtplib: the postmaster and a list in one transaction are two lists, 452 4.5.3 for the second", { skip: have("python3") ? false : "python3 is not installed" }, async () => {
  const out = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
s.ehlo()
s.mail("ann@example.org")
print("RCPT1", s.rcpt("postmaster@example.org")[0])
print("RCPT2", s.rcpt("trim140@example.org")[0])
s.quit()
`);
  assert.match(out, /RCPT1 250/);
  assert.match(out, /RCPT2 452/);
});

test("a return path past ASCII (SMTPUTF8) is kept in UTF-8 as the message is (its domain in A-labels), not a byte a unit", async () => {
  const before = kept().length;
  const c = await new RawClient(d.ports.smtp).open("EHLO");
  assert.match(await c.command("MAIL FROM:<ännä.😀@bücher.example> SMTPUTF8"), /^250 /);
  assert.match(await c.command("RCPT TO:<postmaster@example.org>"), /^250 /);
  assert.match(await c.command("DATA"), /^354 /);
  c.write(Buffer.from("From: ännä.😀@bücher.example\r\nSubject: utf8 return path\r\n\r\nhi\r\n", "utf8"));
  assert.match((await c.end())[0]!, /^250 /);
  await c.command("QUIT");
  c.destroy();
  const dir = join(ws.data, "postmaster", "new");
  const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
  assert.equal(files.length, before + 1);
  const mine = files.find((f) => f.includes("utf8 return path"))!;
  assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(mine), "the kept file is UTF-8");
  assert.match(mine.toString("utf8"), /^Return-Path: <ännä\.😀@xn--bcher-kva\.example>\r\nDelivered-To: postmaster@example\.org\r\n/);
});

test("RCPT TO:<Postmaster> without a domain (RFC 5321 4.1.1.3: every server must take it) is kept for the postmaster, in any case", async () => {
  const before = kept().length;
  const c = await new RawClient(d.ports.smtp).open("EHLO");
  for (const [i, rcpt] of ["<Postmaster>", "<postmaster>", "<POSTMASTER>"].entries()) {
    assert.match(await c.command("MAIL FROM:<mailer@elsewhere.example>"), /^250 /);
    assert.match(await c.command(`RCPT TO:${rcpt}`), /^250 /, rcpt);
    assert.match(await c.command("DATA"), /^354 /);
    c.write(Buffer.from(`From: mailer@elsewhere.example\r\nSubject: bare ${i}\r\n\r\nhi\r\n`));
    assert.match((await c.end())[0]!, /^250 2\.0\.0 kept for the postmaster/);
  }
  await c.command("QUIT");
  c.destroy();
  const mine = kept().filter((f) => /Subject: bare \d/.test(f));
  assert.equal(kept().length, before + 3);
  for (const f of mine) assert.match(f, /^Return-Path: <mailer@elsewhere\.example>\r\nDelivered-To: postmaster\r\n/);
});
