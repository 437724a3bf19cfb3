/**
 * The -request address answered by thwonkd (runtime/daemon/requests.ts), attacked over SMTP through a real thwonkd:
 * what a stranger can make it do, and what it must not.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import nodemailer from "nodemailer";
import { commandOf } from "../../runtime/daemon/requests.js";
import { outboxMail, outboxWritten, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const SMALL = `rule small

limits { members: 100, size: 20000 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;

let ws: ReturnType<typeof workspace>;
let d: Running;

before(async () => {
  ws = workspace({ small: { source: SMALL, members: ["ann@example.org", "bob@example.org"] }, trim140: { example: "trim140", members: ["ann@example.org"] } });
  d = await startDaemon(ws);
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

async function sendRaw(from: string, to: string, raw: string): Promise<string> {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port: d.ports.smtp, secure: false, ignoreTLS: true });
  try {
    return (await client.sendMail({ envelope: { from, to: [to] }, raw })).response;
  } catch (e) {
    return (e as { response?: string }).response ?? String(e);
  } finally {
    client.close();
  }
}

const stored = (): number => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM messages").get() as { n: number }).n);

test("mail to the -request address over the list's size limit is refused as at the list's address, read no further and not stored", async () => {
  const body = `${"\r\n".repeat(30_000)}unsubscribe\r\n`;
  const raw = (to: string): string => `From: ann@example.org\r\nTo: ${to}\r\nSubject: \r\n\r\n${body}`;
  const before = stored();
  assert.match(await sendRaw("ann@example.org", "small@example.org", raw("small@example.org")), /^552 5\.3\.4 TW6004 /);
  // Before: parsed whole without the list's limits (a 10 MB body of empty lines held hundreds of megabytes), stored, answered 250.
  assert.match(await sendRaw("ann@example.org", "small-request@example.org", raw("small-request@example.org")), /^552 5\.3\.4 TW6004 /);
  assert.equal(stored(), before, "nothing stored");
  // Under the limit it is answered, the command read past the empty lines.
  assert.match(await sendRaw("ann@example.org", "small-request@example.org", `From: ann@example.org\r\nSubject: \r\n\r\n${"\r\n".repeat(50)}  Unsubscribe please\r\n`), /^250 2\.0\.0 TW6128 .*\(unsubscribe\)/);
});

test("the command is the first word of the body's first non-empty line, found without cutting the body into lines", () => {
  assert.equal(commandOf("", `${"\n".repeat(2_000_000)} \t\u00a0leave\n`), "unsubscribe");
  assert.equal(commandOf("", "\r\n\u2028  remove me"), "unsubscribe");
  assert.equal(commandOf("", `${"\n \n".repeat(10)}${"unsubscribe".repeat(10)}`), "help");
  assert.equal(commandOf("", " \n\t"), "help");
  assert.equal(commandOf("Re: RE:fwd: Signoff", "help"), "unsubscribe");
});

test("a burst: ten replies at once to one confirmation remove the member once, with one goodbye; the others get the help", async () => {
  assert.match(await sendRaw("bob@example.org", "small-request@example.org", "From: bob@example.org\r\nSubject: unsubscribe\r\n\r\n"), /^250 /);
  const confirmation = await until("the confirmation", async () => (await outboxMail(d.ports.outbox)).find((o) => o.mail.subject === "Confirm: unsubscribe from small@example.org" && o.recipients[0] === "bob@example.org"));
  const tagged = confirmation.mail.replyTo?.value[0]?.address ?? "";
  assert.match(tagged, /^small-request\+[a-z2-7]{12}-bob=example\.org@example\.org$/);
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => sendRaw("bob@example.org", i % 2 ? tagged.toUpperCase() : tagged, `From: bob@example.org\r\nSubject: Re: confirm ${i}\r\n\r\n`)));
  assert.equal(answers.filter((a) => /^250 2\.0\.0 TW6124 /.test(a)).length, 1, answers.join("\n"));
  assert.equal(answers.filter((a) => /^250 2\.0\.0 TW6128 /.test(a)).length, 9, answers.join("\n"));
  const members = readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = ?").all("small@example.org") as { member: string }[]).map((r) => r.member));
  assert.deepEqual(members, ["ann@example.org"]);
  const toBob = await until("the goodbye and nine helps", async () => {
    const got = (await outboxMail(d.ports.outbox)).filter((o) => o.recipients[0] === "bob@example.org" && o.mail.subject !== "Confirm: unsubscribe from small@example.org");
    return got.length >= 10 ? got : undefined;
  });
  await outboxWritten(ws.data);
  assert.deepEqual(toBob.map((o) => o.mail.subject).sort(), ["Unsubscribed from small@example.org", ...Array(9).fill("Help for the list small@example.org")].sort());
  const unsubscribes = readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs WHERE trigger = 'unsubscribe'").get() as { n: number }).n);
  assert.equal(unsubscribes, 1);
});

test("an auto-responder that says nothing of itself (no Auto-Submitted) and answers the help: the ping-pong stops after ten answers a day", async () => {
  const robot = "robot@else.example";
  const helps = async (): Promise<Awaited<ReturnType<typeof outboxMail>>> => (await outboxMail(d.ports.outbox)).filter((o) => o.recipients[0] === robot);
  let to = "small-request@example.org";
  let rounds = 0;
  for (; rounds < 25; rounds++) {
    const before = (await helps()).length;
    // The same SMTP answer whether or not a reply goes out: it says nothing of the count.
    assert.match(await sendRaw(robot, to, `From: ${robot}\r\nSubject: I am away\r\n\r\nI am away until Monday.\r\n`), /^250 2\.0\.0 TW6128 /);
    const answer = await until("the answer, or none", async () => {
      const got = await helps();
      if (got.length > before) return got.at(-1);
      return rounds >= 10 ? null : undefined;
    }, 3000).catch(() => null);
    if (!answer) break;
    // The auto-responder replies where the help says to: its Reply-To.
    to = answer.mail.replyTo?.value[0]?.address ?? "";
    assert.equal(to, "small-request@example.org");
  }
  assert.equal(rounds, 10, "ten answers, then none");
  assert.equal((await helps()).length, 10);
  const last = readStore(ws.data, (db) => db.prepare("SELECT actions FROM runs WHERE trigger = 'request' ORDER BY id DESC LIMIT 1").get() as { actions: string });
  assert.match(last.actions, /"answer":"none".*10 answers went to that address in the last day/);
});

test("a forger writing 'unsubscribe' From a member from many senders: the member gets at most ten confirmations a day", async () => {
  for (let i = 0; i < 13; i++) assert.match(await sendRaw(`eve${i}@evil.example`, "small-request@example.org", "From: ann@example.org\r\nSubject: unsubscribe\r\n\r\n"), /^250 2\.0\.0 TW6128 /);
  await outboxWritten(ws.data);
  const out = await outboxMail(d.ports.outbox);
  // Ann had one confirmation from the first test.
  assert.equal(out.filter((o) => o.recipients[0] === "ann@example.org" && o.mail.subject === "Confirm: unsubscribe from small@example.org").length, 10);
  assert.equal(out.filter((o) => o.recipients[0]?.startsWith("eve")).length, 13, "each sender its help");
});

test("two lists' -request addresses set on each other: neither answers the other (an address of a list of this server)", async () => {
  const before = (await outboxMail(d.ports.outbox)).length;
  assert.match(await sendRaw("trim140-request@example.org", "small-request@example.org", "From: trim140-request@example.org\r\nSubject: help\r\n\r\n"), /^250 2\.0\.0 TW6128 /);
  assert.match(await sendRaw("small-request@example.org", "trim140-request@example.org", "From: small-request@example.org\r\nSubject: help\r\n\r\n"), /^250 2\.0\.0 TW6128 /);
  await outboxWritten(ws.data);
  assert.equal((await outboxMail(d.ports.outbox)).length, before);
  const last = readStore(ws.data, (db) => (db.prepare("SELECT actions FROM runs WHERE trigger = 'request' ORDER BY id DESC LIMIT 2").all() as { actions: string }[]).map((r) => r.actions));
  for (const a of last) assert.match(a, /"answer":"none".*a list of this server/);
});
