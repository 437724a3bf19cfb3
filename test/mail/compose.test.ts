/**
 * The outgoing-message builder: what reaches the wire for send, reply and
 * forward, read back with mailparser; and the header tricks a rule or a
 * sender could try (CR/LF in a subject, quotes and angle brackets in a
 * name, a newline in an address or a message id) must not add a header.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import type { RunAction } from "../../contract/index.js";
import { bounceAddress, composeRun, decodeWords, hopCount, overHopLimit, phrase, type ComposeContext } from "../../runtime/mail/compose.js";

const at = { line: 1, column: 1 };
const LIST = "trim140@example.org";
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

const send = (extra: Partial<RunAction> = {}): RunAction => ({ kind: "send", to: ["bob@example.org", "cy@example.org"], subject: "Hello", text: "Body", html: null, from: "list", replyTo: null, at, ...extra });

function ctx(fromHeader: string | null, fromAddress: string | null, more: Partial<ComposeContext> = {}, headers: [string, string][] = []): ComposeContext {
  return { list: LIST, now: NOW, runKey: "k1", incoming: { from: fromAddress, headers: [...(fromHeader !== null ? [["From", fromHeader] as [string, string]] : []), ...headers] }, ...more };
}

/** The header names of a raw message, in order (unfolded: a continuation line is not a header). */
function headerNames(raw: Buffer): string[] {
  const text = raw.toString("latin1");
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  return head.split("\r\n").filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(":")).toLowerCase());
}

const BASE = ["list-id", "list-post", "list-help", "list-unsubscribe", "x-thwonk-loop", "x-thwonk-hops", "from", "to", "subject", "message-id", "date", "content-transfer-encoding", "mime-version", "content-type"];

function assertOnly(raw: Buffer, expected: string[]): void {
  const names = headerNames(raw);
  assert.deepEqual([...names].sort(), [...expected].sort(), `headers: ${names.join(", ")}`);
  // Every header line is ASCII (RFC 2047 encoded when the text is not).
  const text = raw.toString("latin1");
  assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(text.slice(0, text.indexOf("\r\n\r\n"))), "a header carries a raw 8-bit byte");
}

test("send from the list: the list headers, a stable Message-ID, Date, the bounce address as envelope sender", async () => {
  const [m] = await composeRun([send()], ctx("Ann <ann@example.org>", "ann@example.org", {}, [["X-Thwonk-Hops", "2"]]));
  assert.ok(m);
  assert.equal(m.messageId, "thwonk.k1.1@example.org");
  assert.deepEqual(m.envelope, { from: "trim140-bounces@example.org", to: ["bob@example.org", "cy@example.org"] });
  assertOnly(m.raw, [...BASE, "precedence"]);
  const p = await simpleParser(m.raw);
  assert.equal(p.messageId, "<thwonk.k1.1@example.org>");
  assert.equal(p.date?.getTime(), NOW);
  assert.equal(p.from?.value[0]?.address, LIST);
  assert.equal((p.to as { value: { address: string }[] }).value[0]?.address, LIST, "members are in the envelope only");
  assert.match(m.raw.toString(), /^List-ID: trim140 <trim140\.example\.org>\r\n/i);
  assert.match(m.raw.toString(), /\r\nList-Unsubscribe: <mailto:trim140-request@example\.org\?subject=unsubscribe>\r\n/i);
  assert.match(m.raw.toString(), /\r\nList-Help: <mailto:trim140-request@example\.org\?subject=help>\r\n/i);
  assert.match(m.raw.toString(), /\r\nList-Post: <mailto:trim140@example\.org>\r\n/i);
  assert.equal(p.headers.get("x-thwonk-loop"), LIST);
  assert.equal(p.headers.get("x-thwonk-hops"), "3", "one more hop than the message it answers");
  assert.equal(p.headers.get("auto-submitted"), undefined, "a list's distribution is not an automatic answer");
  // The same run key gives the same bytes: a retry or a dry run sends what was committed.
  const [again] = await composeRun([send()], ctx("Ann <ann@example.org>", "ann@example.org", {}, [["X-Thwonk-Hops", "2"]]));
  assert.ok(again?.raw.equals(m.raw));
  assert.equal(bounceAddress("a.b@x.org"), "a.b-bounces@x.org");
});

test("a post from the sender goes out as \"Ann via list\" <list> (munge, the default) with Reply-To as the rule asks; keep leaves the author's From", async () => {
  const c = ctx("Ann Lee <ann@example.org>", "ann@example.org");
  const [asked] = await composeRun([send({ from: "sender", replyTo: "list" })], c);
  let p = await simpleParser(asked!.raw);
  assert.deepEqual(p.from?.value, [{ name: "Ann Lee via trim140", address: LIST }]);
  assert.equal(p.replyTo?.value[0]?.address, LIST);
  const [unsaid] = await composeRun([send({ from: "sender" })], c);
  p = await simpleParser(unsaid!.raw);
  assert.equal(p.replyTo?.value[0]?.address, "ann@example.org", "answers go to the author unless the rule says otherwise");
  const [nameless] = await composeRun([send({ from: "sender" })], ctx("ann@example.org", "ann@example.org"));
  assert.equal((await simpleParser(nameless!.raw)).from?.value[0]?.name, "ann at example.org via trim140");
  const [kept] = await composeRun([send({ from: "sender", replyTo: "list" })], { ...c, settings: { fromMode: "keep" } });
  p = await simpleParser(kept!.raw);
  assert.deepEqual(p.from?.value, [{ name: "Ann Lee", address: "ann@example.org" }]);
  assert.equal(p.replyTo?.value[0]?.address, LIST);
  const [encoded] = await composeRun([send({ from: "sender" })], ctx("=?utf-8?Q?Jos=C3=A9_M=C3=BCller?= <jose@example.org>", "jose@example.org", { listName: "Café ☕ list" }));
  assertOnly(encoded!.raw, [...BASE, "precedence", "reply-to"]);
  p = await simpleParser(encoded!.raw);
  assert.equal(p.from?.value[0]?.name, "José Müller via Café ☕ list");
  assert.equal(decodeWords("=?ISO-8859-1?Q?Andr=E9?="), "André");
});

test("reply: to the envelope sender, Auto-Submitted: auto-replied, threaded; forward keeps the thread it was in", async () => {
  const reply: RunAction = { kind: "reply", to: ["ann@example.org"], subject: "Re: Hi", text: "Thanks", html: null, headers: { "In-Reply-To": "<orig.1@example.org>", References: "<a.0@example.org> <orig.1@example.org>" }, at };
  const [r] = await composeRun([reply], ctx("Ann <ann@example.org>", "ann@example.org"));
  assertOnly(r!.raw, [...BASE, "auto-submitted", "in-reply-to", "references"]);
  const p = await simpleParser(r!.raw);
  assert.equal(p.headers.get("auto-submitted"), "auto-replied");
  assert.equal(p.inReplyTo, "<orig.1@example.org>");
  assert.deepEqual(p.references, ["<a.0@example.org>", "<orig.1@example.org>"]);
  assert.equal((p.to as { value: { address: string }[] }).value[0]?.address, "ann@example.org");
  const fwd: RunAction = { kind: "forward", to: ["bob@example.org"], subject: "Hi", text: "Hello", html: "<p>Hello</p>", messageId: "orig.1@example.org", at };
  const [f] = await composeRun([fwd], ctx("Ann <ann@example.org>", "ann@example.org", {}, [["In-Reply-To", "<up.9@example.org>"], ["References", "<up.9@example.org>"]]));
  const q = await simpleParser(f!.raw);
  assert.equal(q.from?.value[0]?.name, "Ann via trim140");
  assert.equal(q.inReplyTo, "<up.9@example.org>");
  assert.equal(q.html, "<p>Hello</p>");
  // A schedule's send is an automatic message (RFC 3834).
  const [sched] = await composeRun([send()], { list: LIST, now: NOW, runKey: "k2", incoming: null });
  assert.equal((await simpleParser(sched!.raw)).headers.get("auto-submitted"), "auto-generated");
});

test("header injection: CR/LF in a subject, quotes and brackets in a name, a newline in an address or a message id add no header", async () => {
  const tricks: RunAction = send({
    subject: "Hi\r\nBcc: everyone@evil.example\r\n\r\nbody?\nX-Injected: 1\r\u2028Subject: two",
    from: "sender",
    replyTo: "sender",
    to: ["bob@example.org", "carl@example.org\r\nRCPT TO:<evil@evil.example>", "dan@example.org>\r\nBcc: x@y.z", "\"q\"@example.org", "eve@evil.example"],
  });
  const name = `"Admin <admin@bank.example>" \\"\r\nBcc: x@evil.example <eve@evil.example>`;
  const [m] = await composeRun([tricks], ctx(`${name}`, "eve@evil.example"));
  assert.ok(m);
  assertOnly(m.raw, [...BASE, "precedence", "reply-to"]);
  assert.deepEqual(m.envelope.to, ["bob@example.org", "eve@evil.example"]);
  assert.equal(m.refused.length, 3);
  const p = await simpleParser(m.raw);
  assert.equal(p.bcc, undefined);
  assert.equal(p.headers.get("x-injected"), undefined);
  assert.equal(p.subject, "Hi Bcc: everyone@evil.example body? X-Injected: 1 Subject: two");
  assert.equal(p.from?.value.length, 1);
  assert.equal(p.from?.value[0]?.address, LIST, "a name with an address in it does not change the address");
  assert.equal(p.replyTo?.value.length, 1);
  assert.equal(p.replyTo?.value[0]?.address, "eve@evil.example");
  // A message id with a newline or brackets is left out, the valid ones kept.
  const reply: RunAction = { kind: "reply", to: ["ann@example.org"], subject: "Re", text: "x", html: null, headers: { "In-Reply-To": "<a@b>\r\nBcc: c@d", References: "<ok@example.org> <bad\r\n@x> <x<y@z>" }, at };
  const [r] = await composeRun([reply], ctx("Ann <ann@example.org>", "ann@example.org"));
  assertOnly(r!.raw, [...BASE, "auto-submitted", "in-reply-to", "references"]);
  const q = await simpleParser(r!.raw);
  assert.equal(q.inReplyTo, "<a@b>");
  assert.deepEqual(q.references, ["<ok@example.org>", "<y@z>"], "only well-formed ids, each in its brackets");
  // A list name with specials is quoted or encoded in List-Id.
  assert.equal(phrase('The "best" <list>'), '"The \\"best\\" <list>"');
  assert.equal(phrase("plain name"), "plain name");
  assert.match(phrase("naïve\r\nBcc: x"), /^=\?utf-8\?Q\?.*\?=$/i);
});

test("the hop count: one more on each list's mail; over the limit a message is not run", () => {
  assert.deepEqual(hopCount([["X-Thwonk-Hops", "4"], ["x-thwonk-hops", "7"], ["Received", "a"], ["X-Thwonk-Hops", "junk"]]), { hops: 7, received: 1 });
  assert.equal(overHopLimit([["X-Thwonk-Hops", "10"]], 10), undefined);
  assert.match(overHopLimit([["X-Thwonk-Hops", "11"]], 10) ?? "", /11 lists/);
  assert.match(overHopLimit(Array.from({ length: 51 }, () => ["Received", "x"] as [string, string])) ?? "", /51 Received/);
});

test("a subject or list name that spells an encoded-word reads as written, not decoded", async () => {
  const spelled = ["=?utf-8?Q?Gr=C3=BC=C3=9Fe?=", "see =?iso-8859-1?B?SGk=?= here", `${"x".repeat(60)} =?utf-8?q?a?= ${"y".repeat(700)}`];
  for (const subject of spelled) {
    for (const viaNodemailer of [false, true]) {
      const [out] = await composeRun([send({ subject })], ctx(null, null, { viaNodemailer }));
      const parsed = await simpleParser(out!.raw);
      assert.equal(parsed.subject, subject, `${viaNodemailer ? "nodemailer" : "writer"}: ${subject.slice(0, 40)}`);
      assertOnly(out!.raw, [...BASE, "precedence"]);
      assert.ok(out!.raw.toString("latin1").split("\r\n").every((l) => l.length <= 998));
    }
  }
  // Text that only looks alike (no encoding letter, spaces inside) goes as it is.
  const [plain] = await composeRun([send({ subject: "=? not a word ?= and a=?b" })], ctx(null, null));
  assert.match(plain!.raw.toString("latin1"), /\r\nSubject: =\? not a word \?= and a=\?b\r\n/);
  assert.equal(phrase("=?utf-8?Q?list?="), "=?UTF-8?Q?=3D=3Futf-8=3FQ=3Flist=3F=3D?=");
});
