/**
 * Adversary: forged bounce reports to VERP addresses, over real SMTP to a
 * real thwonkd relaying to a sink. Two VERP lists share members; each
 * member's mail leaves with a tagged envelope sender. A report counts only
 * at the address the list made for that member: a changed tag, another
 * member's tag, another list's tag, the form without a tag, a member whose
 * local part holds `+` or `=` named with a neighbour's tag, all count
 * nothing; case changes of the real address still count (relays lower-case
 * addresses); a replay counts once. Without VERP, a report naming the
 * original only by its In-Reply-To counts when the outbox says the list sent
 * that message to that member.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { bounceTarget, verpTag } from "../../runtime/daemon/verp.js";
import { readStore, startDaemon, until, workspace } from "../daemon/helpers.js";
import { dsnReport, sink } from "./helpers.js";

const RULE = `rule fan

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const A = "alpha@example.org";
const B = "beta@example.org";
/** A member whose VERP address would be over 64 before its `@`: their mail leaves with the plain bounce address. */
const LONG = `${"l".repeat(50)}@example.org`;
const MEMBERS = ["ann@example.org", "bob@example.org", "a+b=c@example.org", "a@example.org", "x=y@example.org", LONG];

const report = dsnReport;

test("VERP bounces count only at the address the list tagged for that member", async () => {
  const relay = await sink();
  const ws = workspace({ alpha: { source: RULE, members: MEMBERS }, beta: { source: RULE.replace("rule fan", "rule fan2"), members: MEMBERS } });
  const d = await startDaemon(ws, {
    args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--relay-retry-min", "200"],
    env: { THWONKD_LISTS: JSON.stringify({ [A]: { verp: true }, [B]: { verp: true } }) },
  });
  const mta = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  const send = async (to: string, raw: string): Promise<string> => (await mta.sendMail({ envelope: { from: "", to: [to] }, raw })).response;
  const bounces = (): { member: string; verp: number }[] => readStore(ws.data, (db) => db.prepare("SELECT member, verp FROM bounces ORDER BY id").all() as { member: string; verp: number }[]);
  try {
    for (const list of [A, B]) await mta.sendMail({ envelope: { from: "ann@example.org", to: [list] }, raw: `From: ann@example.org\r\nTo: ${list}\r\nSubject: Hi ${list}\r\n\r\nhi\r\n` });
    await until("every member's own transaction on both lists", () => (relay.got.length >= 2 * MEMBERS.length ? true : undefined));
    const senders = new Map<string, { from: string; id: string }>();
    for (const t of relay.got) {
      const list = t.from.startsWith("alpha-") ? A : B;
      senders.set(`${list} ${t.to[0]}`, { from: t.from, id: String((await simpleParser(t.raw)).messageId).replace(/^<|>$/g, "") });
    }
    const at = (list: string, member: string) => senders.get(`${list} ${member}`)!;
    const tagOf = (address: string): string => /\+([a-z2-7]{8})-/.exec(address)![1]!;
    const keyA = readStore(ws.data, (db) => (db.prepare("SELECT secret FROM list_secrets WHERE address = ?").get(A) as { secret: string }).secret);
    const bob = at(A, "bob@example.org");
    assert.equal(tagOf(bob.from), verpTag(keyA, A, "bob@example.org"));
    assert.notEqual(tagOf(bob.from), tagOf(at(A, "ann@example.org").from), "a tag per member");
    assert.notEqual(tagOf(bob.from), tagOf(at(B, "bob@example.org").from), "a tag per list");

    // Forged tags: each names bob on alpha, each about a post alpha really sent bob; none counts.
    const flip = (t: string): string => (t[0] === "a" ? "b" : "a") + t.slice(1);
    const forged = [
      bob.from.replace(tagOf(bob.from), flip(tagOf(bob.from))),
      bob.from.replace(tagOf(bob.from), tagOf(at(A, "ann@example.org").from)),
      bob.from.replace(tagOf(bob.from), tagOf(at(B, "bob@example.org").from)),
      bob.from.replace(`+${tagOf(bob.from)}-`, "+"),
      bob.from.replace(tagOf(bob.from), "aaaaaaaa"),
      bob.from.replace(tagOf(bob.from), `${tagOf(bob.from)}-${tagOf(bob.from)}`),
    ];
    for (const to of forged) {
      assert.equal(bounceTarget(to, (x) => (x.toLowerCase() === A ? A : undefined))?.verp?.toLowerCase().endsWith("example.org"), true, to);
      const r = await send(to, report(to, "bob@example.org", { id: bob.id }));
      assert.match(r, /^250 2\.0\.0 TW6127 .*unverified/, to);
    }
    // `+` and `=` in local parts: a@example.org's tag cannot name a+b=c@example.org, nor the other way round.
    const abc = at(A, "a+b=c@example.org");
    const a = at(A, "a@example.org");
    assert.match(abc.from, /^alpha-bounces\+[a-z2-7]{8}-a\+b=c=example\.org@example\.org$/);
    for (const to of [abc.from.replace(tagOf(abc.from), tagOf(a.from)), a.from.replace(tagOf(a.from), tagOf(abc.from))]) {
      assert.match(await send(to, report(to, "a@example.org", { id: a.id })), /TW6127 .*unverified/, to);
    }
    assert.deepEqual(bounces(), [], "no forged report was recorded");

    // The real address counts, in any case; the same report again counts nothing more.
    assert.match(await send(bob.from.toUpperCase(), report(bob.from, "bob@mailbox.example.net", { id: bob.id })), /TW6126 .*bob@example\.org/);
    assert.match(await send(bob.from, report(bob.from, "bob@mailbox.example.net", { id: bob.id })), /TW6127/);
    assert.match(await send(abc.from, report(abc.from, "someone@forwarded.example", { id: abc.id })), /TW6126 .*a\+b=c@example\.org/);
    // A real tag about a message the list sent someone else: not counted.
    assert.match(await send(a.from, report(a.from, "a@example.org", { id: at(B, "a@example.org").id })), /TW6127/);
    assert.deepEqual(bounces(), [
      { member: "bob@example.org", verp: 1 },
      { member: "a+b=c@example.org", verp: 1 },
    ]);

    // The plain address of a VERP list: every member's mail left with a VERP sender, so a report there naming a
    // member is forged (a member knows the Message-ID of a post everyone got): not counted, however right its ids.
    const plain = "alpha-bounces@example.org";
    const ann = at(A, "ann@example.org");
    assert.match(await send(plain, report(plain, "ann@example.org", { inReplyTo: ann.id })), /TW6127 .*VERP address of whom it is about/);
    assert.match(await send(plain, report(plain, "ann@example.org", { id: ann.id })), /TW6127 .*VERP address of whom it is about/);
    assert.match(await send(plain, report(plain, "x=y@example.org", { inReplyTo: at(B, "x=y@example.org").id })), /TW6127/);
    assert.match(await send(plain, report(plain, "x=y@example.org")), /TW6127 .*names no original message/);
    // The member whose mail did leave plain: a report about them to the plain address counts.
    assert.equal(at(A, LONG).from, plain);
    assert.match(await send(plain, report(plain, LONG, { id: at(A, LONG).id })), new RegExp(`TW6126 .*${LONG}`));
    assert.equal(bounces().length, 3);
    const token = readFileSync(join(ws.data, "admin.token"), "utf8").trim();
    const r = await fetch(`http://127.0.0.1:${d.ports.http}/v1/lists/${A}/members`, { headers: { authorization: `Bearer ${token}` } });
    const counts = Object.fromEntries(((await r.json()) as { members: { address: string; bounces?: number }[] }).members.map((m) => [m.address, m.bounces ?? 0]));
    assert.deepEqual(counts, { "ann@example.org": 0, "bob@example.org": 1, "a+b=c@example.org": 1, "a@example.org": 0, "x=y@example.org": 0, [LONG]: 1 });
    assert.match(d.stderr(), /tag does not verify/);
  } finally {
    mta.close();
    await d.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
});
