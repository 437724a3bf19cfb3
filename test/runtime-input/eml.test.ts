/** parseEml on real MIME: the .eml files in fixtures/ are byte for byte what a mail client or MTA sends. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEml } from "../../runtime/input/index.js";
import { repoRoot } from "../helpers/repo.js";

const fixture = (name: string): Buffer => readFileSync(join(repoRoot, "test", "runtime-input", "fixtures", name));

test("multipart/alternative: text part, HTML part, addresses, date, Message-ID", async () => {
  const { message: m, problems, size } = await parseEml(fixture("alternative.eml"));
  assert.deepEqual(problems, []);
  assert.equal(size, fixture("alternative.eml").length);
  assert.equal(m.from, "ann.lee@example.com", "address only, in lower case (the canonical form)");
  assert.deepEqual(m.to, ["list@example.org"]);
  assert.deepEqual(m.cc, ["bob@example.net", "carol@example.net"]);
  assert.equal(m.subject, "Minutes of the March meeting");
  assert.match(m.text, /^Hello all,\n\nthe minutes are below\. Café at 10:00 ☕\n/);
  assert.equal(m.html, "<html><body><p>Hello all,</p><p>the minutes are below. Caf&eacute; at 10:00 &#9749;</p></body></html>");
  assert.equal(m.date, Date.UTC(2026, 2, 3, 9, 15, 0), "10:15 at +0100, the (CET) comment ignored");
  assert.equal(m.messageId, "20260303091500.1234@mail.example.com");
  assert.deepEqual(m.attachments, []);
  assert.deepEqual(m.envelope, { sender: "ann.lee@example.com", recipient: "list@example.org", isRequest: false, tag: null });
  assert.deepEqual(
    m.headers.map(([n]) => n),
    ["Return-Path", "Received", "From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"],
  );
});

test("headers are raw values, in order, unfolded (the line break goes, the white space stays)", async () => {
  const { message: m, problems } = await parseEml(fixture("folded.eml"));
  assert.deepEqual(problems, []);
  assert.deepEqual(m.headers, [
    ["Received", "from a.example.net by b.example.net; Sat, 07 Mar 2026 07:00:00 +0000"],
    ["Received", "from c.example.net by a.example.net;\tSat, 07 Mar 2026 06:59:58 +0000"],
    ["From", "Erin <erin@example.net>"],
    ["To", "list@example.org,    frank@example.net,\tgina@example.net"],
    ["Subject", "A subject that goes on  and on across\tthree lines"],
    ["X-Note", "café ☕ in UTF-8"],
    ["List-Id", "Other list <other.example.net>"],
    ["Auto-Submitted", "no"],
    ["Date", "Sat, 07 Mar 2026 07:00:00 +0000"],
    ["Message-ID", "<folded-id@example.net>"],
  ]);
  assert.deepEqual(m.to, ["list@example.org", "frank@example.net", "gina@example.net"], "a folded address list");
  assert.equal(m.subject, "A subject that goes on and on across three lines");
  assert.equal(m.messageId, "folded-id@example.net", "a Message-ID folded onto its own line");
  assert.equal(m.text, "Short body.\n", "LF line ends are read as well as CRLF");
});

test("attachments: file names (RFC 2231 too), content types and decoded sizes; the text comes from the HTML", async () => {
  const { message: m, problems } = await parseEml(fixture("attachments.eml"));
  assert.deepEqual(problems, []);
  assert.deepEqual(m.attachments, [
    { filename: "photo.png", contentType: "image/png", size: 49 },
    { filename: "report.pdf", contentType: "application/pdf", size: 1054 },
    { filename: "résumé — final.txt", contentType: "text/plain", size: 9 },
  ]);
  assert.equal(m.html, '<p>See the photo: <img src="cid:photo1@example.net"></p>', "cid: links are left alone, not inlined");
  assert.match(m.text, /^See the photo:/, "an HTML part inside multipart/related still gives the text");
});

test("encoded words in the subject (B and Q, adjacent, with an emoji) are decoded; the header keeps them", async () => {
  const { message: m, problems } = await parseEml(fixture("encoded-words.eml"));
  assert.deepEqual(problems, []);
  assert.equal(m.subject, "Été 🌞 et hiver -- plain tail");
  assert.equal(m.headers.find(([n]) => n === "Subject")?.[1], "=?UTF-8?B?w4l0w6kg8J+Mng==?= =?UTF-8?Q?_et_hiver?= -- plain tail");
  assert.equal(m.from, "jose@example.es");
  assert.deepEqual(m.to, ["andre@example.fr", "list@example.org"]);
  assert.equal(m.text, "Body with ünïcödé and an emoji 🎉.\n", "an 8bit UTF-8 body");
  assert.equal(m.date, Date.UTC(2026, 2, 5, 12, 0, 0));
});

test("non-UTF-8 charsets: a windows-1252 body and a KOI8-R subject", async () => {
  const { message: m, problems } = await parseEml(fixture("charset.eml"));
  assert.deepEqual(problems, []);
  assert.equal(m.subject, "Привет");
  assert.equal(m.text, "Price: 5 € — “quoted” café\n");
  assert.equal(m.date, Date.UTC(2026, 2, 6, 6, 30, 0));
});

test("an HTML-only message: html as sent, text converted from it", async () => {
  const { message: m, problems } = await parseEml(fixture("html-only.eml"));
  assert.deepEqual(problems, []);
  assert.match(m.html ?? "", /^<html><head><style>/);
  assert.match(m.text, /AGENDA/);
  assert.match(m.text, /First & second/);
  assert.doesNotMatch(m.text, /color:red|<p>/, "no markup or style sheet in the text");
});

test("a broken message does not throw: what can be read, and what could not", async () => {
  const { message: m, problems } = await parseEml(fixture("broken.eml"));
  assert.equal(m.from, null);
  assert.deepEqual(m.to, ["ivan@example.org"]);
  assert.equal(m.subject, "=?UTF-8?B?broken base64!!?=", "a broken encoded word is kept as written, not turned into mojibake");
  assert.equal(m.date, null);
  assert.equal(m.messageId, "");
  assert.equal(m.text, "Text in an unknown charset.");
  assert.equal(m.attachments.length, 1);
  assert.equal(m.attachments[0]!.filename, null);
  assert.equal(m.envelope.sender, null, "no From and no MAIL FROM: no sender");
  const all = problems.join("\n");
  assert.match(all, /header line 1 is not a header field/);
  assert.match(all, /no readable From address/);
  assert.match(all, /To: not an address, left out: "not-an-address", "@bad"/);
  assert.match(all, /Date header "sometime last week" could not be read/);
  assert.match(all, /Subject has an encoded word that could not be decoded/);
});

test("degenerate input: empty, no header block, binary noise, an mbox From_ line", async () => {
  const empty = await parseEml(Buffer.alloc(0));
  assert.equal(empty.message.from, null);
  assert.equal(empty.message.subject, "");
  assert.deepEqual(empty.message.headers, []);

  const bodyOnly = await parseEml("\r\njust a body\r\n");
  assert.deepEqual(bodyOnly.message.headers, []);
  assert.match(bodyOnly.message.text, /just a body/);

  const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  const r = await parseEml(noise);
  assert.ok(Array.isArray(r.problems));
  assert.equal(typeof r.message.text, "string");

  const mbox = await parseEml("From ann@example.com Sat Mar  7 07:00:00 2026\nFrom: ann@example.com\nSubject: hi\n\nbody\n");
  assert.deepEqual(mbox.problems, []);
  assert.deepEqual(mbox.message.headers, [["From", "ann@example.com"], ["Subject", "hi"]]);
});

test("a UTF-8 header field in a non-UTF-8 message is read per field; Latin-1 bytes stay Latin-1", async () => {
  const raw = Buffer.concat([Buffer.from("From: a@example.com\r\nX-A: caf"), Buffer.from([0xc3, 0xa9]), Buffer.from("\r\nX-B: caf"), Buffer.from([0xe9]), Buffer.from("\r\n\r\nx\r\n")]);
  const { message } = await parseEml(raw);
  assert.deepEqual(message.headers.slice(1), [["X-A", "café"], ["X-B", "café"]]);
});

test("the envelope: MAIL FROM, bounces, the -request and +tag forms of the list address", async () => {
  const raw = fixture("alternative.eml");
  const list = "Weekly@Example.ORG";
  const plain = await parseEml(raw, { listAddress: list });
  assert.deepEqual(plain.message.envelope, { sender: "ann.lee@example.com", recipient: "weekly@example.org", isRequest: false, tag: null });

  const request = await parseEml(raw, { listAddress: list, envelope: { mailFrom: "<bounces+x@example.com>", rcptTo: "<weekly-request@example.org>" } });
  assert.deepEqual(request.message.envelope, { sender: "bounces+x@example.com", recipient: "weekly-request@example.org", isRequest: true, tag: null });

  const tagged = await parseEml(raw, { listAddress: list, envelope: { rcptTo: "Weekly+news@EXAMPLE.org" } });
  assert.deepEqual(tagged.message.envelope, { sender: "ann.lee@example.com", recipient: "weekly+news@example.org", isRequest: false, tag: "news" });

  for (const mailFrom of [null, "", "<>"]) {
    const bounce = await parseEml(raw, { envelope: { mailFrom } });
    assert.equal(bounce.message.envelope.sender, null, `MAIL FROM ${JSON.stringify(mailFrom)} is a bounce`);
  }

  const otherDomain = await parseEml(raw, { listAddress: list, envelope: { rcptTo: "weekly-request@elsewhere.org" } });
  assert.equal(otherDomain.message.envelope.isRequest, false);

  const bad = await parseEml(raw, { envelope: { mailFrom: "not an address", rcptTo: "nope" } });
  assert.equal(bad.message.envelope.sender, null);
  assert.equal(bad.message.envelope.recipient, "list@example.org");
  assert.equal(bad.problems.length, 2);
});

test("a message mailparser gives up on (over 1,000 MIME parts) still gives its header fields", async () => {
  const parts = Array.from({ length: 1100 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join("");
  const raw = `From: ann@example.org\r\nSubject: many\r\nMessage-ID: <many@example.org> (a comment)\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`;
  const { message, problems } = await parseEml(raw);
  assert.equal(message.from, "ann@example.org");
  assert.equal(message.subject, "many");
  assert.equal(message.messageId, "many@example.org");
  assert.equal(message.text, "");
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /MIME structure could not be parsed \(Max allowed child nodes exceeded\); only the header fields were read/);
});
