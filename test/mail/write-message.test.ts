/**
 * The direct writer (runtime/mail/write-message.ts) against its oracle,
 * nodemailer: MailComposer given the same message (`composerOptions`, the
 * same base boundary) and built the streaming way gives the same bytes, for
 * any subject, name, text and HTML (unicode, emoji, `=?` look-alikes,
 * quotes and commas, words over 76 and 998, CR and LF, lone surrogates,
 * trailing white space, long lines, empty strings) and any threading ids;
 * composeRun gives the same bytes with the writer as with nodemailer for
 * sends, replies and forwards, and they read back with mailparser as given.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { RunAction } from "../../contract/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { type ComposeContext, composeRun, headerText, phrase } from "../../runtime/mail/compose.js";
import { baseBoundary, composerOptions, type Mailbox, type MessagePlan, writeMessage } from "../../runtime/mail/write-message.js";

const at = { line: 1, column: 1 };

/** nodemailer's bytes for a plan: MailComposer, then its own streaming build. */
function oracle(plan: MessagePlan): Promise<Buffer> {
  const tree = new MailComposer(composerOptions(plan)).compile();
  return new Promise((resolve, reject) => tree.build((err, b) => (err ? reject(err) : resolve(b))));
}

async function same(plan: MessagePlan): Promise<Buffer> {
  const direct = writeMessage(plan);
  assert.ok(direct, "written directly");
  const expected = await oracle(plan);
  assert.equal(direct.toString("latin1"), expected.toString("latin1"));
  return direct;
}

const plan = (extra: Partial<MessagePlan> = {}): MessagePlan => ({
  headers: [
    { key: "List-Id", value: "list <list.example.org>" },
    { key: "List-Post", value: "<mailto:list@example.org>" },
    { key: "Precedence", value: "list" },
    { key: "X-Thwonk-Loop", value: "list@example.org" },
    { key: "X-Thwonk-Hops", value: "1" },
  ],
  from: { name: "Ann via list", address: "list@example.org" },
  to: [{ name: "list", address: "list@example.org" }],
  replyTo: { name: "Ann", address: "ann@example.org" },
  subject: "Hello",
  text: "Body",
  messageId: "<thwonk.k1.1@example.org>",
  date: new Date(Date.UTC(2026, 10, 25, 12, 0, 0)),
  boundarySeed: "k1.1",
  envelope: { from: "list-bounces@example.org", to: ["bob@example.org"] },
  ...extra,
});

const EDGES: [string, Partial<MessagePlan>][] = [
  ["plain ASCII, 7bit", {}],
  ["no subject, no text, no HTML (a forward's header)", { subject: "", text: "" }],
  ["HTML only", { text: "", html: "<p>grüße</p>" }],
  ["text and HTML: multipart/alternative", { text: "hi", html: "<p>hi</p>" }],
  ["text and HTML, both encoded", { text: "日本語".repeat(50), html: `<p>${"é ".repeat(200)}</p>` }],
  ["an empty HTML string is no HTML", { html: "" }],
  ["a line of 76, of 77, of 998 and over", { text: `${"a".repeat(76)}\n${"b".repeat(77)}\n${"c".repeat(1200)}` }],
  ["7bit text ending in a CR", { text: "a\rb\r" }],
  ["7bit text ending in an LF", { text: "a\n" }],
  ["7bit HTML beside 7bit text ending in CRLF", { text: "a\r\n", html: "<p>b</p>\r" }],
  ["trailing spaces and tabs", { text: "grüße \t \t\nnext  \n  ", html: "<p>x</p> \t" }],
  ["a lone CR, bare LF, CRLF, emoji, lone surrogates", { text: "a\rb\nc\r\nd 😀\r\ud800x\udc00", subject: "\ud83d lone" }],
  ["a subject that spells encoded words, valid and not", { subject: "=?utf-8?Q?a=0D=0ABcc:_x?= and =?x?B?" }],
  ["a subject with quotes and commas", { subject: 'He said "yes", then, "no"' }],
  ["a subject of one word over 998", { subject: "w".repeat(1200) }],
  ["a subject of 900 non-ASCII characters", { subject: "ü".repeat(900) }],
  ["a subject with CR, LF and controls", { subject: "a\r\nBcc: evil@example.org\u0001\u007f" }],
  ["a subject of spaces only is left out", { subject: "   " }],
  ["names with quotes, angle brackets, commas, unicode", { from: { name: 'Ann "<boss@bank.example>", Léa via list', address: "list@example.org" }, to: [{ name: "Bo, Cy", address: "bo@example.org" }, { name: "😀", address: "cy@example.org" }, { name: "", address: "dy@example.org" }] }],
  ["a local part that must be quoted, a domain in capitals", { to: [{ name: "", address: "a..b@Example.ORG" }, { name: "X", address: ".x.@example.org" }] }],
  ["Cc", { cc: [{ name: "Cé", address: "ce@example.org" }] }],
  ["an empty Cc is left out", { cc: [] }],
  ["threading", { inReplyTo: "<a@b>", references: ["<r1@x>", "<a@b>"] }],
  ["many references, folded", { references: Array.from({ length: 20 }, (_, i) => `<reference.number.${i}@some.long.domain.example.org>`) }],
  ["ids with white space, controls and no brackets", { messageId: "id with space@x", inReplyTo: "a\r\nb@c", references: ["<a b@c>  d@e", "\u0001<f@g>"] }],
  ["a Date kept as written", { date: "Tue, 24 Nov 2026 10:00:00 +0100 (CET)" }],
  ["a Date with a quote in its comment", { date: 'Tue, 24 Nov 2026 10:00:00 +0100 ("x")' }],
  ["an invalid Date", { date: new Date(Number.NaN) }],
  ["list fields with a quoted and an encoded phrase", { headers: [{ key: "List-Id", value: `${phrase("Ann's, list")} <a.b>` }, { key: "list-id", value: `${phrase("Café ☕ list")} <c.d>` }, { key: "Auto-Submitted", value: "auto-generated" }] }],
  ["a list field with an empty value is left out", { headers: [{ key: "X-Empty", value: "" }, { key: "X-Blank", value: "  " }] }],
  ["a body right at the encoder's slice", { text: `${"é".repeat(32 * 1024 - 1)}x` }],
];

for (const [name, extra] of EDGES) {
  test(`writeMessage: ${name}, byte for byte as nodemailer's build`, async () => {
    await same(plan(extra));
  });
}

test("writeMessage: left to nodemailer: an address outside the strict syntax, a field name nodemailer treats apart, a body over one slice", () => {
  assert.equal(writeMessage(plan({ to: [{ name: "", address: "a b@example.org" }] })), undefined);
  assert.equal(writeMessage(plan({ from: { name: "x", address: "list@exämple.org" } })), undefined);
  assert.equal(writeMessage(plan({ headers: [{ key: "Subject", value: "twice" }] })), undefined);
  assert.equal(writeMessage(plan({ headers: [{ key: "content-type", value: "text/html" }] })), undefined);
  assert.equal(writeMessage(plan({ text: "é".repeat(40 * 1024) })), undefined);
  assert.equal(writeMessage(plan({ messageId: "" })), undefined);
});

test("writeMessage: a body holding the boundary is left to nodemailer, which then draws one at random", async () => {
  const boundary = `--_NmP-${baseBoundary("k1.1")}-Part_1`;
  const text = `x\n--${boundary}\nContent-Type: text/html\n\n<script>evil</script>\n--${boundary}--\n`;
  assert.equal(writeMessage(plan({ text, html: "<p>x</p>" })), undefined);
  assert.equal(writeMessage(plan({ text: "x", html: `<p>${boundary}</p>` })), undefined);
  assert.ok(writeMessage(plan({ text, html: undefined })), "no boundary without a second part");
  assert.equal(composerOptions(plan({ text, html: "<p>x</p>" }))?.baseBoundary, undefined);
  // Through composeRun (the run key and index make the seed): the parts read back as written.
  const seeded = `--_NmP-${baseBoundary("k9.1")}-Part_1`;
  const evil = `x\n--${seeded}\nContent-Type: text/html\n\n<script>evil</script>\n--${seeded}--\n`;
  const [m] = await composeRun([{ kind: "send", to: ["bob@example.org"], subject: "s", text: evil, html: "<p>x</p>", from: "list", replyTo: null, at }], { list: "list@example.org", incoming: null, now: 0, runKey: "k9" });
  assert.ok(!m!.raw.toString("latin1").includes(`boundary="${seeded}"`), "not the seeded boundary");
  const p = await simpleParser(m!.raw);
  assert.equal(p.text, evil);
  assert.equal(String(p.html).trim(), "<p>x</p>");
});

// Text the way mail comes: any code points, lone surrogates, line breaks of every kind, runs of spaces, long words.
const piece = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("\r\n", "\n", "\r", " ", "\t", "  \r\n", " \t\n", "=", ".", ",", '"', "\\", "\u0000", "\u007f", "\ud800", "\udfff", "=?", "?=", "=?utf-8?Q?a=0D=0ABcc:_x?=", "=?UTF-8?B?w6k=?=", "\r\nBcc: evil@example.org\r\n", "ü", "😀", "日本"),
  fc.nat({ max: 1100 }).map((n) => "w".repeat(n)),
);
const textArb = fc.array(piece, { maxLength: 25 }).map((a) => a.join(""));
const nameArb = fc.oneof(textArb, fc.constantFrom("", "Ann", "Ann Lee", "O'Brien, Pat", "José Müller", "=?utf-8?Q?Jos=C3=A9?=", '"quoted"'));
const addressArb = fc.constantFrom("ann@example.org", "Bob.Smith@Example.ORG", "a..b@example.org", "x+tag@sub.example.co.uk", "o'neil@example.org", "z@1.2.3", "q=?x@example.org");
const mailboxArb: fc.Arbitrary<Mailbox> = fc.record({ name: nameArb, address: addressArb });
const idArb = fc.oneof(fc.constantFrom("a@b", "thwonk.k.1@example.org", "x.y-z_1@mail.example.org"), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 40 }));

const planArb: fc.Arbitrary<MessagePlan> = fc.record(
  {
    headers: fc.array(fc.record({ key: fc.constantFrom("List-Id", "List-Post", "list-help", "X-Thwonk-Loop", "Precedence", "Auto-Submitted", "x-spf", "X-Thwonk-Hops"), value: nameArb }), { maxLength: 6 }),
    from: mailboxArb,
    to: fc.array(mailboxArb, { maxLength: 4 }),
    cc: fc.option(fc.array(mailboxArb, { maxLength: 3 }), { nil: undefined }),
    replyTo: fc.option(mailboxArb, { nil: undefined }),
    subject: fc.oneof(textArb, textArb.map((s) => headerText(s, 900))),
    text: textArb,
    html: fc.option(textArb, { nil: undefined }),
    messageId: idArb.map((i) => `<${i}>`),
    date: fc.oneof(fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)) }), fc.constantFrom("Tue, 24 Nov 2026 10:00:00 +0100", "24 Nov 2026 10:00 GMT (\"x\")")),
    inReplyTo: fc.option(idArb.map((i) => `<${i}>`), { nil: undefined }),
    references: fc.option(fc.array(idArb.map((i) => `<${i}>`), { maxLength: 5 }), { nil: undefined }),
    boundarySeed: fc.string({ maxLength: 20 }),
    envelope: fc.constant({ from: "list-bounces@example.org", to: ["bob@example.org"] }),
  },
  { requiredKeys: ["headers", "from", "to", "subject", "text", "messageId", "date", "boundarySeed", "envelope"] },
);

test("property: the writer's bytes are nodemailer's for any message it writes, and it writes every one in its range", async () => {
  let written = 0;
  await fc.assert(
    fc.asyncProperty(planArb, async (p) => {
      const direct = writeMessage(p);
      const big = Buffer.byteLength(p.text) > 64 * 1024 || Buffer.byteLength(p.html ?? "") > 64 * 1024;
      if (!direct) {
        // The only messages it leaves (every address here is in its syntax): a body holding the boundary.
        assert.ok(big || (p.text && p.html && `${p.text}${p.html}`.includes(baseBoundary(p.boundarySeed))), "left to nodemailer without a reason");
        return;
      }
      written++;
      assert.equal(direct.toString("latin1"), (await oracle(p)).toString("latin1"));
    }),
    { numRuns: 400 },
  );
  assert.ok(written >= 390, `written directly: ${written} of 400`);
});

const LIST = "list@example.org";
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

/** composeRun both ways: the writer's bytes must be nodemailer's. */
async function bothWays(actions: RunAction[], ctx: ComposeContext): Promise<Buffer[]> {
  const direct = await composeRun(actions, ctx);
  const viaNodemailer = await composeRun(actions, { ...ctx, viaNodemailer: true });
  assert.equal(direct.length, viaNodemailer.length);
  direct.forEach((m, i) => assert.equal(m.raw.toString("latin1"), viaNodemailer[i]!.raw.toString("latin1"), `message ${i + 1}`));
  return direct.map((m) => m.raw);
}

const incomingRaw = (subject: string, from: string, body: string): Buffer =>
  Buffer.from(
    `Received: from mx.example.org by list.example.org; Tue, 24 Nov 2026 10:00:00 +0000\r\nFrom: ${from}\r\nTo: list <${LIST}>, Cé <ce@example.org>\r\nCc: dy@example.org\r\nSubject: ${subject}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nMessage-ID: <orig.1@example.org>\r\nIn-Reply-To: <prev@example.org>\r\nReferences: <root@example.org> <prev@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}\r\n`,
    "utf-8",
  );

test("composeRun: a bench-like forwarding copy, a reply with References, a forward, HTML only, text and HTML: the same bytes both ways, read back as given", async () => {
  const raw = incomingRaw("Hi =?utf-8?Q?caf=C3=A9?=", '"Lee, Ann" <ann@example.org>', "Hello ☕\r\n-- \r\nAnn");
  const parsed = (await parseEml(raw, { listAddress: LIST })).message;
  const ctx: ComposeContext = { list: LIST, listName: "Café list", now: NOW, runKey: "run1", incoming: { from: parsed.from, headers: parsed.headers, raw } };
  const actions: RunAction[] = [
    { kind: "send", to: ["member0@example.org"], subject: parsed.subject.slice(0, 100), text: parsed.text, html: null, from: "sender", replyTo: "list", at },
    { kind: "reply", to: ["ann@example.org"], subject: `Re: ${parsed.subject}`, text: "Thanks", html: null, headers: { "In-Reply-To": "<orig.1@example.org>", References: "<root@example.org> <prev@example.org> <orig.1@example.org>" }, at },
    { kind: "forward", to: ["bob@example.org"], subject: `[list] ${parsed.subject}`, text: parsed.text, html: parsed.html, footer: "leave: list-request@example.org", at },
    { kind: "send", to: ["bob@example.org"], subject: "", text: "", html: "<p>only HTML ☕</p>", from: "list", replyTo: null, at },
    { kind: "send", to: ["bob@example.org", "cy@example.org"], subject: "both", text: "text ☕", html: "<p>html</p>", from: "list", replyTo: "sender", thread: "orig.1@example.org", at },
  ];
  const [send, reply, forward, htmlOnly, both] = await bothWays(actions, ctx);
  let p = await simpleParser(send!);
  assert.equal(p.subject, "Hi café");
  assert.deepEqual(p.from?.value, [{ name: "Lee, Ann via Café list", address: LIST }]);
  assert.equal(p.replyTo?.value[0]?.address, LIST);
  assert.equal(p.text?.trim(), "Hello ☕\n-- \nAnn");
  p = await simpleParser(reply!);
  assert.equal(p.inReplyTo, "<orig.1@example.org>");
  assert.deepEqual(p.references, ["<root@example.org>", "<prev@example.org>", "<orig.1@example.org>"]);
  assert.equal((p.to as { value: { address: string }[] }).value[0]?.address, "ann@example.org");
  p = await simpleParser(forward!);
  assert.equal(p.messageId, "<orig.1@example.org>", "a forward keeps the author's Message-ID");
  assert.match(p.text ?? "", /Hello ☕[\s\S]*leave: list-request@example\.org/);
  assert.deepEqual((p.cc as { value: { address: string }[] }).value.map((v) => v.address), ["dy@example.org"]);
  assert.equal(p.headers.get("received") !== undefined, true);
  p = await simpleParser(htmlOnly!);
  assert.equal(String(p.html).trim(), "<p>only HTML ☕</p>");
  assert.equal(p.subject, undefined, "an empty subject is left out");
  p = await simpleParser(both!);
  assert.equal(p.text?.trim(), "text ☕");
  assert.equal(String(p.html).trim(), "<p>html</p>");
  assert.equal(p.inReplyTo, "<orig.1@example.org>");
  // The boundary comes from the run key: composed again, the same bytes.
  const again = await composeRun(actions, ctx);
  assert.ok(again[4]!.raw.equals(both!));
});

test("property: composeRun gives nodemailer's bytes for any send, reply and forward, and they read back as written", async () => {
  await fc.assert(
    fc.asyncProperty(textArb, textArb, fc.option(textArb, { nil: undefined }), nameArb, fc.constantFrom("send", "reply", "forward"), fc.constantFrom("list", "sender", null), async (subject, text, html, name, kind, replyTo) => {
      const body = text.replace(/\r?\n|\r/g, "\r\n");
      const from = `${JSON.stringify(headerText(name, 60))} <ann@example.org>`;
      const raw = incomingRaw(Buffer.from(headerText(subject, 200), "utf-8").toString("latin1"), Buffer.from(from, "utf-8").toString("latin1"), Buffer.from(body, "utf-8").toString("latin1"));
      const incoming = { from: "ann@example.org", headers: [["From", from], ["Message-ID", "<orig.1@example.org>"], ["References", "<root@example.org>"]] as [string, string][], raw };
      const a: RunAction =
        kind === "send"
          ? { kind, to: ["member0@example.org"], subject, text, html: html ?? null, from: "sender", replyTo, at }
          : kind === "reply"
            ? { kind, to: ["ann@example.org"], subject, text, html: html ?? null, headers: { "In-Reply-To": "<orig.1@example.org>", References: "<root@example.org> <orig.1@example.org>" }, at }
            : { kind, to: ["bob@example.org"], subject, text, html: html ?? null, footer: name, at };
      const [out] = await bothWays([a], { list: LIST, now: NOW, runKey: "p", incoming });
      const wire = out!.toString("latin1");
      assert.ok(!/[^\t\r\n\x20-\x7e]/.test(wire.slice(0, wire.indexOf("\r\n\r\n"))), "a 7-bit header");
      const p = await simpleParser(out!);
      // A lone surrogate goes out as U+FFFD (what UTF-8 has for it).
      if (!subject.includes("=?")) assert.equal(p.subject ?? "", Buffer.from(headerText(subject, 900)).toString());
      if (kind !== "forward" && html === undefined) {
        const want = text.replace(/\r\n/g, "\n").replace(/\n$/, "");
        const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the controls mailparser does not read back as written
        if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(want) && !lone.test(want)) assert.equal((p.text ?? "").replace(/\n$/, ""), want);
      }
    }),
    { numRuns: 200 },
  );
});
