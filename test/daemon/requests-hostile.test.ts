/**
 * The -request address answered by thwonkd (runtime/daemon/requests.ts) against a stranger's hostile mail, over real
 * SMTP (Python's smtplib, raw message bytes) through one real thwonkd: the automatic markers read as RFC 3834 and a
 * rule read them (contract/automatic.ts), the command word in other forms and scripts, the daily answer limit
 * against one mailbox spelt many ways, and a confirmation kept past its days. The daemon's clock is a test's
 * (THWONKD_TEST_CLOCK_FILE), moved by the last test only.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { outboxMail, python, readStore, startDaemon, until, workspace, type Running } from "./helpers.js";

const SMALL = `rule small

limits { members: 100, size: 20000 }

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}
`;
const REQUEST = "small-request@example.org";
const MEMBER = "mei@example.org";
const UMBRELLA = "umbrella@example.org";

let ws: ReturnType<typeof workspace>;
let d: Running;
let clock: string;

before(async () => {
  // umbrella@ is a list of this server and a member of small (an umbrella list's members get its mail): open, as
  // such a list is to its parent's mail.
  ws = workspace({
    small: { source: SMALL, members: ["ann@example.org", MEMBER, "kim@example.org", UMBRELLA] },
    umbrella: { source: SMALL.replace("rule small", "rule umbrella"), members: ["una@else.example"] },
  });
  clock = join(ws.dir, "clock");
  writeFileSync(clock, "2026-12-01T12:00:00Z");
  d = await startDaemon(ws, { env: { THWONKD_TEST_CLOCK_FILE: clock } });
});

after(async () => {
  assert.equal(await d.stop(), 0);
  rmSync(ws.dir, { recursive: true, force: true });
});

/** Each message handed over by smtplib in one session (SMTPUTF8 for a non-ASCII sender); the server's answers to DATA. */
async function send(messages: { mailFrom: string; head: string; body?: string; to?: string }[]): Promise<string[]> {
  const script = `
import json, smtplib, sys
msgs = json.loads(${JSON.stringify(JSON.stringify(messages))})
s = smtplib.SMTP("127.0.0.1", ${d.ports.smtp})
s.ehlo("client.example")
out = []
for m in msgs:
    opts = ["SMTPUTF8"] if any(ord(c) > 127 for c in m["mailFrom"]) else []
    s.mail(m["mailFrom"], opts)
    s.rcpt(m.get("to", "${REQUEST}"))
    code, text = s.data((m["head"] + "\\r\\n\\r\\n" + m.get("body", "")).encode("utf-8"))
    out.append("%d %s" % (code, text.decode("utf-8")))
s.quit()
print(json.dumps(out))
`;
  return JSON.parse(await python(script)) as string[];
}

const runs = (): number => readStore(ws.data, (db) => (db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n);

test("the markers as RFC 3834 writes them, and as the rule reads them: a comment after `no` is answered, an encoded `bulk` is not", async () => {
  const answers = await send([
    // A person's mail program may say so with a comment (RFC 3834: `no` [CFWS]). Before: not answered (TW6129).
    { mailFrom: "pat@else.example", head: "From: pat@else.example\r\nAuto-Submitted: no (sent by a person)\r\nSubject: help" },
    { mailFrom: "pat@else.example", head: "From: pat@else.example\r\nAuto-Submitted: No; reason=manual\r\nSubject: help" },
    // What a rule's m.isAutomated() reads decoded is automatic here too. Before: answered (TW6128).
    { mailFrom: "robot@else.example", head: "From: robot@else.example\r\nPrecedence: =?utf-8?q?bulk?=\r\nSubject: help" },
    { mailFrom: "robot@else.example", head: "From: robot@else.example\r\nPrecedence: bulk (newsletter)\r\nSubject: help" },
    { mailFrom: "robot@else.example", head: "From: robot@else.example\r\nauto-submitted:\r\n\tauto-replied\r\nSubject: help" },
  ]);
  assert.match(answers[0]!, /^250 2\.0\.0 TW6128 .*\(help\)/, answers[0]);
  assert.match(answers[1]!, /^250 2\.0\.0 TW6128 /, answers[1]);
  for (const a of answers.slice(2)) assert.match(a, /^250 2\.0\.0 TW6129 /, a);
  const toPat = await until("the two helps", async () => {
    const got = (await outboxMail(d.ports.outbox)).filter((o) => o.recipients[0] === "pat@else.example");
    return got.length === 2 ? got : undefined;
  });
  assert.deepEqual(toPat.map((o) => o.mail.subject), ["Help for the list small@example.org", "Help for the list small@example.org"]);
  assert.equal((await outboxMail(d.ports.outbox)).filter((o) => o.recipients[0] === "robot@else.example").length, 0);
});

test("the command in other forms: full-width and encoded, behind a zero-width space, in quotes, is the member's unsubscribe; a Cyrillic look-alike is help", async () => {
  const fullwidth = "\uff55\uff4e\uff53\uff55\uff42\uff53\uff43\uff52\uff49\uff42\uff45";
  const answers = await send([
    { mailFrom: MEMBER, head: `From: ${MEMBER}\r\nSubject: =?utf-8?b?${Buffer.from(`\uff32\uff45\uff1a ${fullwidth}`).toString("base64")}?=` },
    { mailFrom: MEMBER, head: `From: ${MEMBER}\r\nSubject: =?utf-8?q?=E2=80=8Bunsubscribe?=` },
    { mailFrom: MEMBER, head: `From: ${MEMBER}\r\nSubject: =?utf-8?q?unsubscrib=D0=B5?=` },
    // As the help writes it, quotes and all.
    { mailFrom: MEMBER, head: `From: ${MEMBER}\r\nSubject: "unsubscribe"` },
  ]);
  assert.match(answers[0]!, /\(unsubscribe\)/, answers[0]);
  assert.match(answers[1]!, /\(unsubscribe\)/, answers[1]);
  assert.match(answers[2]!, /\(help\)/, answers[2]);
  assert.match(answers[3]!, /\(unsubscribe\)/, answers[3]);
  const toMember = await until("the answers", async () => {
    const got = (await outboxMail(d.ports.outbox)).filter((o) => o.recipients[0] === MEMBER);
    return got.length === 4 ? got : undefined;
  });
  const confirm = "Confirm: unsubscribe from small@example.org";
  assert.deepEqual(toMember.map((o) => o.mail.subject), [confirm, confirm, "Help for the list small@example.org", confirm]);
});

test("one mailbox spelt many ways (+tags, case, NFD, a Unicode domain) gets at most ten answers a day", async () => {
  const before = runs();
  // A forger naming the victim's mailbox as sender, a new spelling each time. Before: each spelling its own ten.
  const spellings = [
    ...Array.from({ length: 8 }, (_, i) => `victim+${i}@xn--bcher-kva.example`),
    "VICTIM@XN--BCHER-KVA.EXAMPLE",
    "victim@b\u00fccher.example",
    "victim@bu\u0308cher.example",
    "Victim+x@B\u00dcCHER.example",
    "victim@xn--bcher-kva.example",
  ];
  const answers = await send(spellings.map((s) => ({ mailFrom: s, head: "From: someone@else.example\r\nSubject: help" })));
  for (const a of answers) assert.match(a, /^250 2\.0\.0 TW6128 /, a);
  await until("their runs", () => runs() === before + spellings.length || undefined);
  const actions = readStore(ws.data, (db) => (db.prepare("SELECT actions FROM runs WHERE id > (SELECT MAX(id) - ? FROM runs) ORDER BY id").all(spellings.length) as { actions: string }[]).map((r) => JSON.parse(r.actions) as { kind: string; to: string[]; answer?: string }[]));
  const replied = actions.filter((a) => a.some((x) => x.kind === "reply"));
  assert.equal(replied.length, 10, JSON.stringify(actions.map((a) => a.map((x) => x.to[0] ?? x.answer))));
  assert.ok(actions.slice(10).every((a) => a.length === 1 && a[0]!.kind === "request" && a[0]!.answer === "none"));
  // Another mailbox on that domain is counted on its own.
  assert.match((await send([{ mailFrom: "other@xn--bcher-kva.example", head: "From: other@xn--bcher-kva.example\r\nSubject: help" }]))[0]!, /TW6128/);
  await until("its help", async () => (await outboxMail(d.ports.outbox)).find((o) => o.recipients[0] === "other@xn--bcher-kva.example"));
});

test("no answer goes to a list of this server: a forged 'unsubscribe' From a member that is a list, a forged sender naming one", async () => {
  const before = runs();
  const answers = await send([
    // Before: the confirmation went to umbrella@, whose rule sent it (its tagged address, its link) to its members.
    { mailFrom: "eve@evil.example", head: `From: ${UMBRELLA}\r\nSubject: unsubscribe` },
    { mailFrom: UMBRELLA, head: `From: ${UMBRELLA}\r\nSubject: unsubscribe` },
    // Before: the help went to the list's address (or its +tag, or its -request), a post to its members.
    { mailFrom: "umbrella+x@example.org", head: "From: eve@evil.example\r\nSubject: help" },
    { mailFrom: "UMBRELLA-request@example.org", head: "From: eve@evil.example\r\nSubject: help" },
  ]);
  for (const a of answers) assert.match(a, /^250 2\.0\.0 TW6128 /, a);
  await until("their runs", () => runs() === before + answers.length || undefined);
  const actions = readStore(ws.data, (db) => (db.prepare("SELECT actions FROM runs WHERE id > ? ORDER BY id").all(before) as { actions: string }[]).map((r) => JSON.parse(r.actions) as { kind: string; to: string[]; why?: string }[]));
  // Eve gets the help a stranger gets; nothing else goes anywhere, and each run says why.
  assert.deepEqual(actions.map((a) => a.filter((x) => x.kind === "reply").map((x) => x.to[0])), [["eve@evil.example"], [], [], []]);
  for (const a of actions) assert.ok(a.some((x) => x.kind === "request" && /a list of this server/.test(x.why ?? "")), JSON.stringify(a));
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual((await outboxMail(d.ports.outbox)).filter((o) => o.recipients.some((r) => r.toLowerCase().startsWith("umbrella"))), []);
});

test("a confirmation confirms for its days: one kept unanswered past them removes no one, and asking again works", async () => {
  const members = (): string[] => readStore(ws.data, (db) => (db.prepare("SELECT member FROM members WHERE address = 'small@example.org' ORDER BY pos").all() as { member: string }[]).map((r) => r.member));
  const confirmationTo = async (member: string, after: number): Promise<string> => {
    const got = await until(`${member}'s confirmation`, async () => (await outboxMail(d.ports.outbox)).slice(after).find((o) => o.recipients[0] === member && o.mail.subject === "Confirm: unsubscribe from small@example.org"));
    assert.match(got.mail.text ?? "", /A reply confirms for 7 days/);
    return got.mail.replyTo!.value[0]!.address!;
  };
  const start = (await outboxMail(d.ports.outbox)).length;
  // Asked on 1 December (by anyone: a forger's From costs the member only the confirmation).
  assert.match((await send([{ mailFrom: "ann@example.org", head: "From: ann@example.org\r\nSubject: unsubscribe" }]))[0]!, /\(unsubscribe\)/);
  const ann = await confirmationTo("ann@example.org", start);
  assert.match((await send([{ mailFrom: "kim@example.org", head: "From: kim@example.org\r\nSubject: unsubscribe" }]))[0]!, /\(unsubscribe\)/);
  const kim = await confirmationTo("kim@example.org", start);
  const reply = (who: string, to: string): { mailFrom: string; head: string; to: string } => ({ mailFrom: who, to, head: `From: ${who}\r\nSubject: Re: Confirm: unsubscribe from small@example.org` });

  // The 7th day after: still confirms.
  writeFileSync(clock, "2026-12-08T23:59:00Z");
  assert.match((await send([reply("kim@example.org", kim)]))[0]!, /^250 2\.0\.0 TW6124 /);
  // The 8th: it does not (before: it did, for as long as ann stayed subscribed). The help answers it.
  writeFileSync(clock, "2026-12-09T00:00:01Z");
  assert.match((await send([reply("ann@example.org", ann)]))[0]!, /^250 2\.0\.0 TW6128 /);
  assert.deepEqual(members(), ["ann@example.org", MEMBER, UMBRELLA]);
  // Asked again, confirmed the same day.
  const again = (await outboxMail(d.ports.outbox)).length;
  assert.match((await send([{ mailFrom: "ann@example.org", head: "From: ann@example.org\r\nSubject: unsubscribe" }]))[0]!, /\(unsubscribe\)/);
  const fresh = await confirmationTo("ann@example.org", again);
  assert.notEqual(fresh, ann);
  // Its tag cut, padded, changed to a letter outside base32, moved to another list, or written in the subject and
  // body of mail to the plain address: help, and ann stays.
  const [local, domain] = fresh.split("@") as [string, string];
  const tag = /\+([a-z2-7]{12})-/.exec(local)![1]!;
  const mangled = [
    fresh.replace(`+${tag}-`, `+${tag.slice(0, 11)}-`),
    fresh.replace(`+${tag}-`, `+${tag}a-`),
    fresh.replace(`+${tag}-`, `+${tag.slice(0, 11)}1-`),
    `umbrella-request${local.slice("small-request".length)}@${domain}`,
  ];
  const answers = await send([
    ...mangled.map((to) => reply("ann@example.org", to)),
    { mailFrom: "ann@example.org", head: `From: ann@example.org\r\nSubject: confirm ${tag}`, body: `${fresh}\r\n${tag}\r\n` },
  ]);
  for (const a of answers) assert.match(a, /^250 2\.0\.0 TW6128 /, a);
  assert.deepEqual(members(), ["ann@example.org", MEMBER, UMBRELLA]);
  assert.match((await send([reply("ann@example.org", fresh)]))[0]!, /^250 2\.0\.0 TW6124 /);
  assert.deepEqual(members(), [MEMBER, UMBRELLA]);
});
