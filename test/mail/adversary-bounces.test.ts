/**
 * Adversary: bounce reports over real SMTP to a real thwonkd. One report
 * about one message, replayed, counts once (a member who knows a post's
 * Message-ID must not be able to unsubscribe another by sending the same
 * report three times); a delay is no failure; a report about a message the
 * list never sent counts nothing; VERP survives `+` and `=` in a member's
 * local part.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import nodemailer from "nodemailer";
import { bounceTarget, verpAddress } from "../../runtime/daemon/personal.js";
import { verpTag } from "../../runtime/daemon/verp.js";
import { cpuMs, outboxMail, readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { dsnReport } from "./helpers.js";

const LIST = "bounce-out@example.org";
const BOUNCES = "bounce-out-bounces@example.org";
const joined = "2026-10-01T00:00:00Z";

function report(member: string, originalId: string, action = "failed", status = "5.1.1"): string {
  return dsnReport(BOUNCES, member, { id: originalId, action, status });
}

test("a replayed bounce report counts once per message; a delay and a report about a message never sent count nothing", async () => {
  const ws = workspace({
    bounce_out: {
      example: "bounce_out",
      members: [
        { address: "ann@example.org", name: "Ann", role: "owner", joined },
        { address: "bob@example.org", name: "Bob", joined },
      ],
    },
  });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    const ids: string[] = [];
    for (const subject of ["One", "Two"]) {
      await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw: `From: ann@example.org\r\nTo: ${LIST}\r\nSubject: ${subject}\r\n\r\nhi\r\n` });
      const post = await until(`post ${subject}`, async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === subject));
      ids.push(String(post.mail.messageId).replace(/^<|>$/g, ""));
    }
    // The same report, three times (a forger's replay, or an MTA's): one bounce of one message.
    for (let i = 0; i < 3; i++) await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report("bob@example.org", ids[0]!) });
    await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report("bob@example.org", ids[0]!, "delayed", "4.4.1") });
    await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report("bob@example.org", "thwonk.0000000000000000.1@example.org") });
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const count = async (): Promise<number | undefined> => {
      const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${LIST}/members`, { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { members: { address: string; bounces?: number }[] }).members.find((m) => m.address === "bob@example.org")?.bounces;
    };
    assert.equal(await count(), 1, "one message bounced, whatever the number of reports about it");
    // Another message that bounced is another bounce.
    await mta.sendMail({ envelope: { from: "", to: [BOUNCES] }, raw: report("bob@example.org", ids[1]!) });
    assert.equal(await count(), 2);
    const recorded = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces").get() as { n: number }).n);
    assert.equal(recorded, 2, "a report sent again is not recorded again (a flood of one report writes nothing)");
    const runs = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE trigger = 'bounce'").get() as { n: number }).n);
    assert.equal(runs, 2);
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("VERP: a member's local part with `+`, `=`, and upper case goes out and comes back as that member", () => {
  const lists = new Map([["bounce-out@example.org", "bounce-out@example.org"]]);
  const isList = (a: string): string | undefined => lists.get(a.toLowerCase());
  for (const member of ["a+b@example.net", "x=y@example.net", "a+b=c=d@example.net", "Ann.Lee@Example.NET", "o'neil@example.net"]) {
    const verp = verpAddress(LIST, member, "k".repeat(64));
    assert.notEqual(verp, BOUNCES, member);
    assert.equal(bounceTarget(verp, isList)?.verp, member);
    assert.equal(bounceTarget(verp, isList)?.tag, verpTag("k".repeat(64), LIST, member));
    // A relay that lower-cases the whole address still names the member (addresses compare without case).
    assert.equal(bounceTarget(verp.toLowerCase(), isList)?.verp?.toLowerCase(), member.toLowerCase());
  }
  assert.equal(bounceTarget(BOUNCES, isList)?.verp, null);
  assert.equal(bounceTarget("bounce-out-bounces+=@example.org", isList)?.verp, null);
  assert.equal(bounceTarget("bounce-out-bounces+a=b=@example.org", isList)?.verp, null);
});

test("a forwarding list (tagged keeps the author's Message-ID): a report about the forwarded post is recorded", async () => {
  const list = "tagged@example.org";
  const ws = workspace({ tagged: { example: "tagged", members: ["ann@example.org", "bob@example.org"] } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "ann@example.org", to: [list] }, raw: `From: ann@example.org\r\nTo: ${list}\r\nSubject: Lunch\r\nMessage-ID: <lunch.1@mail.example.org>\r\n\r\nhi\r\n` });
    const post = await until("the forward", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "[tagged] Lunch"));
    const id = String(post.mail.messageId).replace(/^<|>$/g, "");
    assert.equal(id, "lunch.1@mail.example.org", "the forward keeps the author's Message-ID");
    const info = await mta.sendMail({ envelope: { from: "", to: ["tagged-bounces@example.org"] }, raw: report("bob@example.org", id).replace(BOUNCES, "tagged-bounces@example.org") });
    assert.match(info.response, /TW6126 .*bob@example\.org/);
    const rows = readStore(ws.data, (db) => db.prepare("SELECT member, message_id FROM bounces").all() as { member: string; message_id: string }[]);
    assert.deepEqual(rows, [{ member: "bob@example.org", message_id: id }]);
    // A report about the author's Message-ID that the list never sent to this address: not counted.
    const stranger = await mta.sendMail({ envelope: { from: "", to: ["tagged-bounces@example.org"] }, raw: report("ann@example.org", "other.1@mail.example.org") });
    assert.match(stranger.response, /TW6127/);
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});

test("a report naming 1,000 members of a 10,000-member list is checked against the outbox once, not once per member", async () => {
  const n = 10_000;
  const members = Array.from({ length: n }, (_, i) => `member${i}@example.org`);
  const source = `rule big

limits { members: ${n}, fanout: ${n}, memory: 128 * 1024 * 1024 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
  const ws = workspace({ big: { source, members } });
  const d = await startDaemon(ws);
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    await mta.sendMail({ envelope: { from: "member0@example.org", to: ["big@example.org"] }, raw: "From: member0@example.org\r\nTo: big@example.org\r\nSubject: All\r\n\r\nhi\r\n" });
    const post = await until("the post", async () => (await outboxMail(d.ports.outbox)).find((m) => m.mail.subject === "All"), 60_000);
    const id = String(post.mail.messageId).replace(/^<|>$/g, "");
    // The last thousand members, the worst case for a scan of the recipients.
    const named = members.slice(-1000);
    const blocks = named.map((a) => `Final-Recipient: rfc822;${a}\r\nAction: failed\r\nStatus: 5.1.1\r\n`).join("\r\n");
    const raw = report("x@example.org", id)
      .replace(BOUNCES, "big-bounces@example.org")
      .replace(/Final-Recipient: rfc822;x@example\.org\r\nAction: failed\r\nStatus: 5\.1\.1\r\n/, blocks);
    const cpu0 = cpuMs(d.proc.pid!);
    const info = await mta.sendMail({ envelope: { from: "", to: ["big-bounces@example.org"] }, raw });
    const ms = cpuMs(d.proc.pid!) - cpu0;
    assert.match(info.response, /TW6126/);
    const counted = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM bounces").get() as { n: number }).n);
    assert.equal(counted, 1000);
    // A scan of the 10,000 recipients per named member took 3 s of CPU and more (the event loop blocked all along);
    // read once, the report costs thwonkd ~0.1 s. CPU time, not wall time: it does not grow with the machine's load.
    assert.ok(ms < 1500, `the report took ${ms} ms of thwonkd's CPU`);
  } finally {
    mta.close();
    await d.stop();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
