/**
 * Auto-responders and localized mail programs at the -request address (runtime/daemon/requests.ts), through a real
 * thwonkd over SMTP (nodemailer as the mail program, RFC 2047 subjects as it writes them, and raw ones).
 *
 * The defects: an auto-responder that marks itself only with a de facto header (X-Autoreply, X-Autorespond,
 * X-Auto-Response-Suppress, Precedence: auto_reply), not RFC 3834's Auto-Submitted, was answered (a ping-pong only
 * the ten-a-day cap stopped), and one writing to a confirmation's Reply-To confirmed a forger's unsubscribe; and a
 * member replying "AW: unsubscribe" (or SV:, Antw:, Réf:, ΑΠ:, 回复：...) got the help. One notion of automatic:
 * a rule's `m.isAutomated()` reads the same markers (stdlib 0.4.0), run here in the real sandbox.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { outboxMail, outboxWritten, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const LIST = "trim140@example.org";
const REQUEST = "trim140-request@example.org";
const MEMBERS = ["ann@example.org", "bob@example.org", "carol@example.org", "dan@example.org", "erin@example.org", "fay@example.org"];
const MARKERS: Record<string, string>[] = [
  { "X-Autoreply": "yes" },
  { "X-Autorespond": "Out of office" },
  { "X-Auto-Response-Suppress": "All" },
  { "X-Auto-Response-Suppress": "DR, OOF" },
  { Precedence: "auto_reply" },
];

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ trim140: { example: "trim140", members: MEMBERS }, desk: { example: "auto_reply", members: ["team@example.org"] } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

async function send(o: { from: string; mailFrom?: string; to?: string; subject: string; headers?: Record<string, string> }): Promise<string> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true, name: "client.example" });
  try {
    const to = o.to ?? REQUEST;
    const info = await client.sendMail({ from: o.from, to, subject: o.subject, text: "", envelope: { from: o.mailFrom ?? o.from, to: [to] }, ...(o.headers ? { headers: o.headers } : {}) });
    return info.response;
  } finally {
    client.close();
  }
}

async function sendRaw(from: string, raw: string): Promise<string> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    return (await client.sendMail({ envelope: { from, to: [REQUEST] }, raw })).response;
  } finally {
    client.close();
  }
}

const outTo = async (address: string): Promise<Awaited<ReturnType<typeof outboxMail>>> => (await outboxMail(d.ports.outbox)).filter((o) => o.recipients.includes(address));
const members = (): string[] =>
  readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ? ORDER BY member").all(LIST) as { member: string }[]).map((r) => r.member));
const lastRequest = (): { trigger: string; actions: string } =>
  readStore(ws.data, (db) => db.prepare("SELECT trigger, actions FROM runs WHERE address = ? ORDER BY id DESC LIMIT 1").get(LIST) as { trigger: string; actions: string });

test("a member's 'unsubscribe' marked only by a de facto auto-responder header gets no answer, stored with its run", async () => {
  for (const headers of MARKERS) {
    const answer = await send({ from: "carol@example.org", subject: "unsubscribe", headers });
    assert.match(answer, /^250 2\.0\.0 TW6129 /, JSON.stringify(headers));
    const run = lastRequest();
    assert.equal(run.trigger, "request");
    assert.match(run.actions, /"answer":"none"/, JSON.stringify(headers));
    assert.match(run.actions, /X-Autoreply|X-Autorespond|X-Auto-Response-Suppress|Precedence/, run.actions);
  }
  // Nothing left for carol, who was still answered before (a help or a confirmation each time).
  await outboxWritten(ws.data);
  assert.deepEqual(await outTo("carol@example.org"), []);
  assert.ok(members().includes("carol@example.org"));
  // What only looks like a marker is answered as before: a confirmation to the member.
  assert.match(await send({ from: "carol@example.org", subject: "unsubscribe", headers: { "X-Auto-Response-Suppress": "DR, RN", "X-Autoreply": "no" } }), /^250 2\.0\.0 TW6128 /);
  await until("carol's confirmation", async () => (await outTo("carol@example.org")).length === 1 || undefined);
});

test("a forger's unsubscribe and the member's out-of-office answering the confirmation's Reply-To: the member stays", async () => {
  for (const [i, headers] of MARKERS.entries()) {
    const member = MEMBERS[i === 0 ? 0 : 1]!;
    const before = (await outTo(member)).length;
    // Eve writes From the member: the confirmation goes to the member alone (eve gets the help).
    assert.match(await send({ from: member, mailFrom: `eve${i}@evil.example`, subject: "unsubscribe" }), /^250 2\.0\.0 TW6128 /);
    const confirmation = await until("the confirmation", async () => (await outTo(member)).slice(before).find((o) => o.mail.subject === `Confirm: unsubscribe from ${LIST}`));
    const tagged = confirmation.mail.replyTo?.value[0]?.address ?? "";
    assert.match(tagged, /^trim140-request\+[a-z2-7]{12}-/);
    // The member is away: their auto-responder answers where the confirmation says to, marked only by its own header.
    const answer = await send({ from: member, to: tagged, subject: `Re: ${confirmation.mail.subject}`, headers });
    assert.match(answer, /^250 2\.0\.0 TW6129 /, `${JSON.stringify(headers)}: ${answer}`);
    assert.ok(members().includes(member), `${member} unsubscribed by an auto-responder (${JSON.stringify(headers)})`);
    assert.equal(lastRequest().trigger, "request");
  }
  await new Promise((r) => setTimeout(r, 300));
  const unsubscribes = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE trigger = 'unsubscribe'").get() as { n: number }).n);
  assert.equal(unsubscribes, 0);
  assert.equal((await outboxMail(d.ports.outbox)).filter((o) => o.mail.subject === `Unsubscribed from ${LIST}`).length, 0, "no goodbye");
});

test("an auto-responder marked by Precedence: auto_reply answering the help: no answer at all, not ten", async () => {
  const robot = "robot@else.example";
  for (let i = 0; i < 3; i++) assert.match(await send({ from: robot, subject: "I am away", headers: { Precedence: "auto_reply" } }), /^250 2\.0\.0 TW6129 /);
  await outboxWritten(ws.data);
  assert.deepEqual(await outTo(robot), []);
});

test("a rule's m.isAutomated() reads the same markers: the help desk acknowledges a person, not an auto-responder", async () => {
  assert.match(await send({ from: "person@else.example", to: "desk@example.org", subject: "My printer" }), /^250 /);
  await until("the acknowledgement", async () => (await outTo("person@else.example")).length === 1 || undefined);
  for (const [i, headers] of MARKERS.entries()) assert.match(await send({ from: `away${i}@else.example`, to: "desk@example.org", subject: "Out of office", headers }), /^250 /);
  // Each reached the team (the rule ran), and none of them was acknowledged.
  await until("the team has them", async () => (await outTo("team@example.org")).length === 1 + MARKERS.length || undefined);
  await outboxWritten(ws.data);
  const acked = (await outboxMail(d.ports.outbox)).filter((o) => o.recipients.some((r) => r.startsWith("away")));
  assert.deepEqual(acked.map((o) => o.recipients), []);
});

test("the command behind localized reply and forward prefixes, RFC 2047 encoded or not", async () => {
  const subjects = ["AW: unsubscribe", "SV: unsubscribe", "Antw: unsubscribe", "Réf: unsubscribe", "RE: Fwd: unsubscribe", "WG: AW: Unsubscribe", "VS: unsubscribe", "RIF: unsubscribe", "Odp: unsubscribe", "ΑΠ: unsubscribe", "回复：unsubscribe", "転送: Re: unsubscribe", "Re[2]: unsubscribe", "R\u00e9f : AW: leave"];
  // A stranger gets the same SMTP answer a member gets, naming the command read.
  for (const [i, subject] of subjects.entries()) assert.match(await send({ from: `s${i}@else.example`, subject }), /^250 2\.0\.0 TW6128 .*\(unsubscribe\)/, subject);
  // As a mail program writes them on the wire: encoded words, in another charset, the prefix alone encoded, decomposed.
  const raws = [
    "=?ISO-8859-1?Q?R=E9f=3A_unsubscribe?=",
    "=?UTF-8?B?zpHOoDogdW5zdWJzY3JpYmU=?=",
    "=?UTF-8?Q?Re=CC=81f=3A?= unsubscribe",
    "=?GB2312?B?u9i4tKO6?= unsubscribe",
  ];
  for (const [i, subject] of raws.entries())
    assert.match(await sendRaw(`r${i}@else.example`, `From: r${i}@else.example\r\nTo: ${REQUEST}\r\nSubject: ${subject}\r\n\r\nthanks\r\n`), /^250 2\.0\.0 TW6128 .*\(unsubscribe\)/, subject);
  // A prefix-like word that is not one is still read as the first word: help.
  assert.match(await send({ from: "t@else.example", subject: "Rex: unsubscribe" }), /^250 2\.0\.0 TW6128 .*\(help\)/);
  // And a member's German reply is a request to leave: the confirmation, to the member.
  const before = (await outTo("dan@example.org")).length;
  assert.match(await send({ from: "dan@example.org", subject: "AW: unsubscribe" }), /^250 2\.0\.0 TW6128 .*\(unsubscribe\)/);
  const got = await until("dan's confirmation", async () => (await outTo("dan@example.org")).slice(before).at(0));
  assert.equal(got.mail.subject, `Confirm: unsubscribe from ${LIST}`);
});
