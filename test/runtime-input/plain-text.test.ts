/**
 * The plain reading (runtime/input/plain-text.ts) against mailparser: on
 * generated messages, plain ones and near misses alike, parseEml gives the
 * same result with it as with mailparser alone, and where the plain reading
 * takes a message its parts are mailparser's own.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import { parseEml } from "../../runtime/input/eml.js";
import { readHeaders } from "../../runtime/input/headers.js";
import { plainTextParts } from "../../runtime/input/plain-text.js";

const printable = fc.string({ unit: fc.constantFrom(..."abcXYZ019 .,:;!?'\"()<>@=-_/\\[]{}~`#$%&*+|^".split("")), maxLength: 30 });
const anyChar = fc.constantFrom("a", " ", "\t", "\r", "\n", "\r\n", "é", "\u0000", "\u007f", "=?", ".", "From ", "--", "\u00ff", "☕");
const messy = fc.array(anyChar, { maxLength: 12 }).map((a) => a.join(""));

const field = fc.oneof(
  fc.constantFrom(
    "From: <from@example.org>",
    "From: Ann Lee <ann@example.org>",
    'From: "Lee, Ann" <ann@example.org>',
    "From: =?utf-8?Q?Zo=C3=AB?= <zoe@example.org>",
    "To: <list@lists.localhost>",
    "To: list@lists.localhost, bob@example.net",
    "Cc: carol@example.net",
    "Date: Sun,  6 Dec 2026 09:47:48 +0000 (UTC)",
    "Message-Id: <bench.1@client>",
    "MIME-Version: 1.0",
    "Content-Type: text/plain",
    "Content-Type: text/plain; charset=us-ascii",
    "Content-Type: text/plain; charset=\"utf-8\"",
    "Content-Type: TEXT/PLAIN; CHARSET=UTF-8",
    "Content-Type: text/plain; charset=utf-8; format=flowed",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Type: text/plain;\r\n charset=utf-8",
    "Content-Transfer-Encoding:\r\n\t7bit",
    "Content-Type: text/html",
    "Content-Type: multipart/mixed; boundary=x",
    "Content-Transfer-Encoding: 7bit",
    "Content-Transfer-Encoding: 8BIT",
    "Content-Transfer-Encoding: quoted-printable",
    "Content-Transfer-Encoding: base64",
    "Content-Disposition: attachment; filename=a.txt",
    "Received: from client (localhost [127.0.0.1]) by lists.localhost (thwonkd) with SMTP id x for <list@lists.localhost>;\r\n\tSun, 06 Dec 2026 09:47:49 +0000",
    "X-Folded: one\r\n two",
    "Subject: =?utf-8?Q?h=C3=A9?=",
    "Subject: folded\r\n on",
    "Subject:\ttabbed",
    "Subject: ",
    // A line of white space in the header block: a continuation line, or not, for each reader.
    " ",
    "\t",
  ),
  printable.map((s) => `Subject: ${s}`),
  printable.map((s) => `X-Note: ${s}`),
  messy.map((s) => `Subject: ${s}`),
);
const bodyLine = fc.oneof(printable, messy, fc.constantFrom("", ".", "..", "From here", "--x", " ", "\t", "=3D"));
const plainField = fc.oneof(
  fc.constantFrom(
    "From: Ann Lee <ann@example.org>",
    "To: list@lists.localhost",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Type: text/plain;\r\n charset=\"us-ascii\"",
    "Content-Transfer-Encoding: 7bit",
    "X-Folded: one\r\n\ttwo",
  ),
  printable.map((s) => `Subject: ${s}`),
  printable.map((s) => `X-Note: ${s}`),
);
const plainLine = fc.oneof(printable, fc.constantFrom("", ".", " ", "\t", "a\rb", "From here", "--x"));
/** Messages, near-plain ones (`plain`) or any mix of plain and hostile parts. */
const messages = (plain: boolean) => fc
  .record({
    fields: plain ? fc.uniqueArray(plainField, { maxLength: 6, selector: (f) => f.slice(0, f.indexOf(":")) }) : fc.array(field, { maxLength: 8 }),
    body: fc.option(fc.array(plain ? plainLine : bodyLine, { maxLength: 8 }), { nil: undefined }),
    // One line ending for the whole message, or a mix (each line's own).
    eols: fc.oneof(fc.constantFrom("\r\n", "\n").map((e) => [e]), fc.array(fc.constantFrom("\r\n", "\n"), { minLength: 2, maxLength: 24 })),
    end: fc.constantFrom("", "\r\n", "\n"),
    prefix: fc.constantFrom("", "", "", "From sender@example.org Sun Dec  6 09:47:48 2026\n", " \r\n", "\r\n"),
  })
  .map(({ fields, body, eols, end, prefix }) => {
    let n = 0;
    const eol = (): string => eols[n++ % eols.length]!;
    const join = (parts: string[]): string => parts.map((p, i) => (i === 0 ? p : eol() + p)).join("");
    const head = join(fields.map((f) => f.replace(/\r\n/g, () => eol())));
    return prefix + (body === undefined ? head + end : `${head}${eol()}${eol()}${join(body)}${end}`);
  });

async function same(text: string): Promise<boolean> {
  const raw = Buffer.from(text, "utf8");
  const opts = { listAddress: "list@lists.localhost", envelope: { mailFrom: "from@example.org", rcptTo: "list+tag@lists.localhost" } };
  assert.deepEqual(await parseEml(raw, opts), await parseEml(raw, { ...opts, alwaysMailparser: true }), JSON.stringify(text));
  const h = readHeaders(raw);
  const plain = h.problems.length ? undefined : plainTextParts(raw, h.fields, h.end);
  if (!plain) return false;
  const m = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, checksumAlgo: false });
  assert.deepEqual({ ...plain, html: m.html }, { subject: m.subject, text: m.text, html: m.html, attachments: m.attachments }, JSON.stringify(text));
  assert.ok(typeof m.html !== "string" && !m.textConversionError);
  return true;
}

for (const near of [true, false]) {
  test(`parseEml reads generated ${near ? "near-plain" : "mixed"} messages the same with the plain reading as with mailparser alone`, async () => {
    let plain = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(messages(near), async (text) => {
        runs++;
        if (await same(text)) plain++;
      }),
      { numRuns: 1000 },
    );
    // The comparison is not empty: near-plain messages are mostly read the plain way, and some are not.
    if (near) assert.ok(plain > runs / 4 && plain < runs, `${plain} of ${runs} read the plain way`);
    else assert.ok(plain > 0, `${plain} of ${runs} read the plain way`);
  });
}

test("the bench's message and the common shapes are read the plain way, with mailparser's parts", async () => {
  const cases = [
    "Received: from client (localhost [127.0.0.1]) by lists.localhost (thwonkd) with SMTP id b1 for <list@lists.localhost>;\r\n\tSun, 06 Dec 2026 09:47:49 +0000\r\nFrom: <from@example.org>\r\nTo: <list@lists.localhost>\r\nDate: Sun,  6 Dec 2026 09:47:48 +0000 (UTC)\r\nMessage-Id: <bench.1@client>\r\n\r\nLa de da de da 1.\r\nLa de da de da 2.\r\n",
    "From: Ann <ann@example.org>\r\nSubject:   Re: the  minutes  \r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nline 1\r\n\r\n\tindented\r\n.\r\nlast",
    "From: ann@example.org\nSubject: bare LF\n\nx\ny\n",
    "From: ann@example.org\r\nSubject: no body\r\n",
    "From: ann@example.org\r\nSubject: empty body\r\n\r\n",
    "From: ann@example.org\r\nSubject: lone CR\r\n\r\na\rb\r\r\nc",
  ];
  for (const c of cases) assert.equal(await same(c), true, JSON.stringify(c));
});

test("not plain: 8-bit bytes, an encoded or folded subject, an attachment, another type or encoding, an mbox line, a lone CR", async () => {
  const cases = [
    "From: ann@example.org\r\nSubject: x\r\n\r\ncafé\r\n",
    "From: ann@example.org\r\nSubject: caf\u00e9\r\n\r\nx\r\n",
    "From: ann@example.org\r\nSubject: =?utf-8?Q?h=C3=A9?=\r\n\r\nx\r\n",
    "From: ann@example.org\r\nSubject: a\r\n  b\r\n\r\nx\r\n",
    "From: ann@example.org\r\nSubject: a\tb\r\n\r\nx\r\n",
    "From: ann@example.org\r\nContent-Disposition: attachment\r\n\r\nx\r\n",
    "From: ann@example.org\r\nContent-Type: text/plain; format=flowed\r\n\r\nx \r\ny\r\n",
    "From: ann@example.org\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n",
    "From: ann@example.org\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nx=3D\r\n",
    "From: ann@example.org\r\nSubject: nul\r\n\r\na\u0000b\r\n",
    "From ann@example.org Sun Dec  6 09:47:48 2026\nFrom: ann@example.org\n\nx\n",
    "From: ann@example.org\r\nnot a field\r\n\r\nx\r\n",
    // A CR alone in the header block: mailparser breaks the line there.
    "Subject: a\ra",
    "X-A: b\rSubject: c\r\n\r\nx",
  ];
  for (const c of cases) assert.equal(await same(c), false, JSON.stringify(c));
});
