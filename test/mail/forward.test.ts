/**
 * Forward with changes (runtime/mail/forward.ts, footer.ts): the original
 * MIME kept, read back with mailparser. Attachments byte for byte; text and
 * HTML parts in quoted-printable and base64 decoded, footed in their own
 * charset (or made UTF-8 when the footer does not fit it) and encoded
 * again; a signed message's signed part byte for byte, its (real) signature
 * still verifying; and the header tricks an original could carry.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { RunAction } from "../../contract/index.js";
import { compileSource } from "../../compiler/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { composeRun, type ComposeContext } from "../../runtime/mail/compose.js";
import { contentType, multipartSpans, splitEntity } from "../../runtime/mail/mime.js";

const at = { line: 1, column: 1 };
const LIST = "tagged@example.org";
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const FOOTER = "-- \ntagged: tagged@example.org\nTo leave, mail tagged-request@example.org";

/** A message built as a mail program builds it (nodemailer's composer). */
function build(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(options).compile().build((err, b) => (err ? reject(err) : resolve(b))));
}

const lines = (...ls: string[]): Buffer => Buffer.from(ls.join("\r\n"), "latin1");

/** The forward of `raw` as the builder writes it, the incoming message read by the runtime's own parser. */
async function forward(raw: Buffer, extra: Partial<RunAction> = {}, more: Partial<ComposeContext> = {}): Promise<{ raw: Buffer; messageId: string }> {
  const parsed = await parseEml(raw, { listAddress: LIST });
  const m = parsed.message;
  const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: m.subject, footer: FOOTER, text: m.text, html: m.html, messageId: m.messageId, at, ...extra };
  const [out] = await composeRun([action], { list: LIST, now: NOW, runKey: "k1", incoming: { from: m.from, headers: m.headers, raw }, ...more });
  assert.ok(out, "the forward was composed");
  // Every header line is ASCII and at most 998 octets; every line ends in CRLF.
  const text = out.raw.toString("latin1");
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(head), "a header carries a raw 8-bit byte or a control");
  assert.ok(head.split("\r\n").every((l) => l.length <= 998), "a header line is over 998 octets");
  assert.ok(!/[^\r]\n|\r(?!\n)/.test(text), "a bare LF or CR on the wire");
  return { raw: out.raw, messageId: out.messageId };
}

/** The header names of a raw message, in order. */
function headerNames(raw: Buffer): string[] {
  const text = raw.toString("latin1");
  return text
    .slice(0, text.indexOf("\r\n\r\n"))
    .split("\r\n")
    .filter((l) => !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(":")).toLowerCase());
}

test("a post with a binary attachment: the attachment byte for byte, the footer in the text and the HTML, the new subject, the thread kept", async () => {
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919 + (i >> 8)) % 256));
  const raw = await build({
    from: "Ann Lee <ann@example.org>",
    to: LIST,
    cc: "Cy <cy@example.org>",
    subject: "Photos",
    text: "Here they are.",
    html: "<html><body><p>Here they are.</p></body></html>",
    messageId: "<post.1@example.org>",
    inReplyTo: "<up.1@example.org>",
    references: ["<up.0@example.org>", "<up.1@example.org>"],
    attachments: [{ filename: "photo.jpg", content: bytes, contentType: "image/jpeg" }],
  });
  const { raw: out, messageId } = await forward(raw, { subject: "[tagged] Photos" });
  const p = await simpleParser(out);
  assert.equal(p.attachments.length, 1);
  assert.ok(p.attachments[0]!.content.equals(bytes), "the attachment is not the same bytes");
  assert.equal(p.attachments[0]!.filename, "photo.jpg");
  assert.equal(p.subject, "[tagged] Photos");
  assert.equal(p.text, `Here they are.\n\n${FOOTER}\n`);
  assert.match(String(p.html), /<p>Here they are\.<\/p><div class="thwonk-footer"[^>]*>-- <br>\r?\ntagged: tagged@example\.org<br>\r?\nTo leave, mail tagged-request@example\.org<\/div>\r?\n<\/body><\/html>/);
  // The author's Message-ID, so members' answers thread with the author's copy; the thread it was in.
  assert.equal(messageId, "post.1@example.org");
  assert.equal(p.messageId, "<post.1@example.org>");
  assert.equal(p.inReplyTo, "<up.1@example.org>");
  assert.deepEqual(p.references, ["<up.0@example.org>", "<up.1@example.org>"]);
  assert.deepEqual(p.from?.value, [{ name: "Ann Lee via tagged", address: LIST }]);
  assert.equal(p.replyTo?.value[0]?.address, "ann@example.org");
  assert.equal(p.headers.get("auto-submitted"), undefined, "a person's post is not marked automatic");
  assert.equal(p.headers.get("precedence"), "list");
  assert.equal((p.cc as { value: { address: string }[] }).value[0]?.address, "cy@example.org", "the original Cc is kept for reply-all");
  assert.match(out.toString("latin1"), /\r\nList-Unsubscribe: <mailto:tagged-request@example\.org\?subject=unsubscribe>\r\n/i);
  // Without a footer or a subject the body is the original's, byte for byte.
  const plain = await forward(raw, { footer: null });
  assert.equal(splitEntity(plain.raw.toString("latin1")).body, splitEntity(raw.toString("latin1")).body);
});

test("quoted-printable and base64 text parts are decoded, footed in their own charset and encoded again", async () => {
  const latin = Buffer.from("Caf\xe9 cr\xe8me, na\xefve r\xe9sum\xe9 = 100%\r\nSecond line", "latin1");
  const qpBody = "Caf=E9 cr=E8me, na=EFve r=E9sum=E9 =3D 100%\r\nSecond line";
  const html = Buffer.from("<html><head><title>x</title></head><body><p>Gr\u00fc\u00dfe \u2615</p></BODY>\r\n</html>", "utf8");
  const raw = lines(
    "From: Ann <ann@example.org>",
    "To: tagged@example.org",
    "Subject: Encodings",
    "Message-ID: <enc.1@example.org>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=ISO-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    qpBody,
    "--b1",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    ...(html.toString("base64").match(/.{1,76}/g) ?? []),
    "--b1--",
    "",
  );
  // A footer that fits ISO-8859-1: the part stays ISO-8859-1, its bytes kept, the footer's appended.
  const { raw: out } = await forward(raw, { footer: "Désabonnement : tagged-request@example.org" });
  const p = await simpleParser(out);
  assert.equal(p.text, `${latin.toString("latin1").replace(/\r\n/g, "\n")}\n\nDésabonnement : tagged-request@example.org\n`);
  assert.match(String(p.html), /<p>Grüße ☕<\/p><div class="thwonk-footer"[^>]*>D&#xe9;sabonnement : tagged-request@example\.org<\/div>\r?\n<\/BODY>\r?\n<\/html>$/);
  const body = splitEntity(out.toString("latin1")).body;
  const spans = multipartSpans(body, "b1")!;
  assert.equal(spans.length, 2);
  const textPart = splitEntity(body.slice(spans[0]!.start, spans[0]!.end));
  assert.match(textPart.head, /Content-Type: text\/plain; charset=ISO-8859-1/i);
  assert.match(textPart.head, /Content-Transfer-Encoding: quoted-printable/i);
  assert.ok(textPart.body.startsWith("Caf=E9 cr=E8me"), "the text is in ISO-8859-1 still");
  assert.match(textPart.body, /D=E9sabonnement/);
  const htmlPart = splitEntity(body.slice(spans[1]!.start, spans[1]!.end));
  assert.match(htmlPart.head, /Content-Transfer-Encoding: base64/i);
  assert.ok(htmlPart.body.split("\r\n").every((l) => l.length <= 76 && /^[A-Za-z0-9+/=]*$/.test(l)), "base64 in lines of 76");

  // A footer that does not fit ISO-8859-1 (U+2615): the text part becomes UTF-8, its text unchanged.
  const { raw: out2 } = await forward(raw, { footer: "Café ☕ — tagged" });
  const q = await simpleParser(out2);
  assert.equal(q.text, `${latin.toString("latin1").replace(/\r\n/g, "\n")}\n\nCafé ☕ — tagged\n`);
  const body2 = splitEntity(out2.toString("latin1")).body;
  const s2 = multipartSpans(body2, "b1")!;
  assert.match(splitEntity(body2.slice(s2[0]!.start, s2[0]!.end)).head, /Content-Type: text\/plain; charset=utf-8/);
  assert.match(String(q.html), /Caf&#xe9; &#x2615; &#x2014; tagged/);
});

test("an HTML-only message: the footer, escaped, before </body>; a 7bit part that no longer fits becomes quoted-printable", async () => {
  const raw = lines(
    "From: Ann <ann@example.org>",
    "Subject: Only HTML",
    "Content-Type: text/html; charset=us-ascii",
    "Content-Transfer-Encoding: 7bit",
    "",
    "<!doctype html><html><body><h1>News</h1><p>Read this</p></body></html>",
    "",
  );
  const footer = `<script>alert(1)</script> & "quotes" — ${"x".repeat(100)}`;
  const { raw: out } = await forward(raw, { footer });
  const p = await simpleParser(out);
  const h = String(p.html);
  assert.ok(!h.includes("<script>"), "the footer's markup is escaped");
  assert.ok(h.includes("&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34; &#x2014; xxx"));
  assert.ok(h.indexOf("thwonk-footer") < h.indexOf("</body>"));
  assert.equal(p.attachments.length, 0);
  assert.match(out.toString("latin1"), /\r\nContent-Transfer-Encoding: 7bit\r\n/, "an ASCII footer fits 7bit... until its line is over 998");
  const long = await forward(raw, { footer: "y".repeat(2000) });
  assert.match(long.raw.toString("latin1"), /\r\nContent-Transfer-Encoding: quoted-printable\r\n/);
  assert.ok(String((await simpleParser(long.raw)).html).includes("y".repeat(2000)));
});

test("a multipart/signed message gets the footer as a part of its own: the signed part byte for byte, its signature verifies", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signedPart = lines("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", "I vouch for this. =E2=9C=93", "-- ", "Ann");
  const signature = sign("sha256", signedPart, privateKey).toString("base64");
  const raw = lines(
    "From: Ann <ann@example.org>",
    "Subject: Signed",
    "Message-ID: <signed.1@example.org>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"',
    "",
    "This is a signed message.",
    "--sig",
    signedPart.toString("latin1"),
    "--sig",
    "Content-Type: application/pkcs7-signature; name=smime.p7s",
    "Content-Transfer-Encoding: base64",
    "Content-Disposition: attachment; filename=smime.p7s",
    "",
    ...(signature.match(/.{1,76}/g) ?? []),
    "--sig--",
    "",
  );
  const { raw: out } = await forward(raw, { subject: "[tagged] Signed" });
  const top = splitEntity(out.toString("latin1"));
  const ct = contentType(top.fields.find((f) => f.name === "Content-Type")?.value);
  assert.equal(ct.type, "multipart/mixed");
  const outer = multipartSpans(top.body, ct.params["boundary"]!)!;
  assert.equal(outer.length, 2);
  const inner = splitEntity(top.body.slice(outer[0]!.start, outer[0]!.end));
  const innerCt = contentType(inner.fields.find((f) => f.name.toLowerCase() === "content-type")?.value);
  assert.equal(innerCt.type, "multipart/signed");
  assert.equal(innerCt.params["protocol"], "application/pkcs7-signature");
  assert.equal(innerCt.params["micalg"], "sha-256");
  const parts = multipartSpans(inner.body, innerCt.params["boundary"]!)!;
  const signedOut = Buffer.from(inner.body.slice(parts[0]!.start, parts[0]!.end), "latin1");
  assert.ok(signedOut.equals(signedPart), "the signed part changed");
  const sigOut = splitEntity(inner.body.slice(parts[1]!.start, parts[1]!.end)).body;
  assert.ok(verify("sha256", signedOut, publicKey, Buffer.from(sigOut, "base64")), "the signature no longer verifies");
  // The whole original entity is the first part, byte for byte.
  assert.equal(inner.body, splitEntity(raw.toString("latin1")).body);
  const p = await simpleParser(out);
  assert.match(p.text ?? "", /I vouch for this\. ✓/);
  assert.match(p.text ?? "", /To leave, mail tagged-request@example\.org/);

  // PGP/MIME encrypted (multipart/encrypted) is not opened: its body is the first part, byte for byte.
  const pgp = lines(
    "From: Ann <ann@example.org>",
    "Subject: Encrypted",
    "MIME-Version: 1.0",
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc"',
    "",
    "--enc",
    "Content-Type: application/pgp-encrypted",
    "",
    "Version: 1",
    "--enc",
    "Content-Type: application/octet-stream",
    "",
    "-----BEGIN PGP MESSAGE-----",
    "hQEMA1u5KBpHFLtXAQf/d3Fq",
    "-----END PGP MESSAGE-----",
    "--enc--",
    "",
  );
  const pgpOut = splitEntity((await forward(pgp)).raw.toString("latin1"));
  const pgpTop = contentType(pgpOut.fields.find((f) => f.name === "Content-Type")?.value);
  assert.equal(pgpTop.type, "multipart/mixed");
  const pgpParts = multipartSpans(pgpOut.body, pgpTop.params["boundary"]!)!;
  const pgpInner = splitEntity(pgpOut.body.slice(pgpParts[0]!.start, pgpParts[0]!.end));
  assert.equal(contentType(pgpInner.fields[0]?.value).type, "multipart/encrypted");
  assert.equal(pgpInner.body, splitEntity(pgp.toString("latin1")).body);

  // S/MIME enveloped or signed data (application/pkcs7-mime) is not opened either.
  const opaque = lines(
    "From: Ann <ann@example.org>",
    "Subject: Secret",
    "MIME-Version: 1.0",
    "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m",
    "Content-Transfer-Encoding: base64",
    "Content-Disposition: attachment; filename=smime.p7m",
    "",
    "MIIBhwYJKoZIhvcNAQcDoIIBeDCCAXQCAQAxggEwMIIBLAIBADCBlDCBjjELMAkGA1UEBhMCVVMx",
    "",
  );
  const { raw: out2 } = await forward(opaque);
  const q = await simpleParser(out2);
  const p7m = q.attachments.find((a) => a.filename === "smime.p7m");
  assert.ok(p7m, "the encrypted part is there");
  assert.ok(p7m.content.equals(Buffer.from("MIIBhwYJKoZIhvcNAQcDoIIBeDCCAXQCAQAxggEwMIIBLAIBADCBlDCBjjELMAkGA1UEBhMCVVMx", "base64")));
  assert.match(q.text ?? "", /To leave, mail/);
});

test("a message no part of which takes a footer (an image alone) gets it beside; a broken multipart does too", async () => {
  const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
  const raw = lines("From: Ann <ann@example.org>", "Subject: Pic", "MIME-Version: 1.0", "Content-Type: image/png", "Content-Transfer-Encoding: base64", "", png.toString("base64"), "");
  const p = await simpleParser((await forward(raw)).raw);
  assert.ok(p.attachments.some((a) => a.content.equals(png)));
  assert.match(p.text ?? "", /To leave/);
  const broken = lines("From: Ann <ann@example.org>", "Subject: Broken", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="nowhere"', "", "no delimiter at all", "");
  const q = await simpleParser((await forward(broken)).raw);
  assert.match(q.text ?? "", /To leave/);
  const noType = lines("From: Ann <ann@example.org>", "Subject: Plain", "", "Just text, no MIME at all.", "");
  const r = await simpleParser((await forward(noType)).raw);
  assert.equal(r.text, `Just text, no MIME at all.\n\n${FOOTER}\n`);
});

test("a footer that writes a delimiter of the multipart it is in cannot end it: the part goes in base64", async () => {
  const raw = await build({ from: "Ann <ann@example.org>", subject: "Trick", text: "body", attachments: [{ filename: "a.txt", content: "attached" }] });
  const boundary = contentType(splitEntity(raw.toString("latin1")).fields.find((f) => f.name === "Content-Type")?.value).params["boundary"]!;
  const footer = `--${boundary}\nContent-Type: text/html\n\n<b>injected</b>\n--${boundary}--`;
  const { raw: out } = await forward(raw, { footer });
  const p = await simpleParser(out);
  assert.equal(p.attachments.length, 1, "no part was added");
  assert.equal(p.attachments[0]!.content.toString(), "attached");
  assert.equal(p.html, false);
  assert.ok(p.text?.includes(`--${boundary}--`), "the footer is text in the text part");
});

test("the original's header cannot add a header: bare LF folding, encoded words that decode to CRLF, NUL, long lines, Bcc and friends", async () => {
  const raw = Buffer.from(
    [
      "Received: from a.example by b.example; Mon, 23 Nov 2026 09:00:00 +0000",
      `Received: from ${"z".repeat(1200)} by c.example; Mon, 23 Nov 2026 09:00:00 +0000`,
      "Received: from x\n\tby y\n Bcc: folded@evil.example; Mon, 23 Nov 2026 09:00:00 +0000",
      "From: =?utf-8?Q?Ann=0D=0ABcc=3A_x@evil.example?= <ann@example.org>",
      "To: =?utf-8?Q?Team=0D=0AX-Injected=3A_1?= <tagged@example.org>, bad\r\naddress",
      "Cc: \"Evil\r\nBcc: y@evil.example\" <cy@example.org>",
      "Bcc: hidden@evil.example",
      "Return-Path: <bounce@evil.example>",
      "Disposition-Notification-To: track@evil.example",
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s; b=abc",
      "Authentication-Results: mx.example.org; dkim=pass",
      "X-Thwonk-Hops: 3",
      "Auto-Submitted: auto-replied\r\nX-Auto-Injected: 1",
      "X-Thwonk-Loop: other@example.net",
      "List-Id: <other.example.net>",
      "Subject: =?utf-8?Q?Hi=0D=0ABcc:_z@evil.example?=\u0000 there",
      "Message-ID: <id\r\nBcc: q@evil.example>",
      "Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nX-Date-Injected: 1",
      "Content-Type: text/plain;\n charset=utf-8;\r\n X-Injected: 2",
      "",
      "Body",
      "",
    ].join("\r\n"),
    "latin1",
  );
  const { raw: out, messageId } = await forward(raw, { footer: null });
  const names = headerNames(out);
  for (const bad of ["bcc", "x-injected", "return-path", "disposition-notification-to", "dkim-signature", "authentication-results", "x-date-injected"]) {
    assert.ok(!names.includes(bad), `${bad} reached the wire`);
  }
  assert.equal(names.filter((n) => n === "list-id").length, 1, "only this list's List-Id");
  assert.equal(names.filter((n) => n === "received").length, 2, "the trace kept, the unfoldable one left out");
  assert.match(messageId, /^thwonk\.k1\.1@example\.org$/, "a malformed Message-ID is replaced");
  const p = await simpleParser(out);
  assert.equal(p.bcc, undefined);
  assert.equal(p.headers.get("x-thwonk-hops"), "4");
  assert.equal(p.headers.get("auto-submitted"), "auto-replied", "a program's message stays marked as one");
  assert.ok(!names.includes("x-auto-injected"));
  assert.equal(p.headers.get("x-thwonk-loop"), LIST);
  assert.equal(p.from?.value.length, 1);
  assert.equal(p.from?.value[0]?.address, LIST);
  assert.equal(p.from?.value[0]?.name, "Ann Bcc: x@evil.example via tagged");
  const to = (p.to as { value: { name: string; address: string }[] }).value;
  assert.deepEqual(to, [{ name: "Team X-Injected: 1", address: LIST }]);
  assert.equal(p.cc, undefined, "a Cc cut in two by a CRLF names no address: there is none");
  assert.equal(p.text, "Body\n");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may be left
  assert.ok(/^[^\x00-\x1f]*there$/.test(p.subject ?? ""), `subject ${JSON.stringify(p.subject)}`);
});

test("a forward without the received bytes (a dry run of a test message) is composed from its text, with the footer", async () => {
  const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: "[tagged] Hi", footer: "Bye ☕", text: "Hello", html: "<p>Hello</p>", messageId: "x@example.org", at };
  const [m] = await composeRun([action], { list: LIST, now: NOW, runKey: "k", incoming: { from: "ann@example.org", headers: [["From", "Ann <ann@example.org>"]] } });
  const p = await simpleParser(m!.raw);
  assert.equal(p.text, "Hello\n\nBye ☕\n");
  assert.match(String(p.html), /^<p>Hello<\/p>\r?\n<div class="thwonk-footer"[^>]*>Bye &#x2615;<\/div>/);
});

test("threading: a reply names the whole thread; send(thread: m) goes in m's thread; a forward keeps its own", async () => {
  const incoming = { from: "ann@example.org", headers: [["From", "Ann <ann@example.org>"], ["Message-ID", "<m.3@example.org>"], ["References", "<m.1@example.org> <m.2@example.org>"], ["In-Reply-To", "<m.2@example.org>"]] as [string, string][] };
  const reply: RunAction = { kind: "reply", to: ["ann@example.org"], subject: "Re: x", text: "t", html: null, headers: { "In-Reply-To": "<m.3@example.org>", References: "<m.3@example.org>" }, at };
  const send: RunAction = { kind: "send", to: ["bob@example.org"], subject: "Summary", text: "t", html: null, from: "list", replyTo: null, thread: "m.3@example.org", at };
  const unthreaded: RunAction = { ...send, thread: null };
  const [r, s, u] = await composeRun([reply, send, unthreaded], { list: LIST, now: NOW, runKey: "k", incoming });
  for (const m of [r!, s!]) {
    const p = await simpleParser(m.raw);
    assert.equal(p.inReplyTo, "<m.3@example.org>");
    assert.deepEqual(p.references, ["<m.1@example.org>", "<m.2@example.org>", "<m.3@example.org>"]);
  }
  const pu = await simpleParser(u!.raw);
  assert.equal(pu.inReplyTo, undefined);
  assert.equal(pu.references, undefined);
  // A thread id with a newline in it is no id: nothing is written.
  const [bad] = await composeRun([{ ...send, thread: "a@b>\r\nBcc: c@d" }], { list: LIST, now: NOW, runKey: "k", incoming });
  assert.ok(!headerNames(bad!.raw).includes("bcc"));
  assert.equal((await simpleParser(bad!.raw)).inReplyTo, undefined);
});

test("overlong header text: every line of a send and of a forward stays within 998 octets", async () => {
  const long = ["x".repeat(5000), `${"é".repeat(3000)}`, "word ".repeat(800), `a${"\t".repeat(2000)}b`];
  for (const subject of long) {
    const [m] = await composeRun([{ kind: "send", to: ["a@example.org"], subject, text: "t", html: null, from: "list", replyTo: null, at }], { list: LIST, now: NOW, runKey: "k", incoming: null });
    const text = m!.raw.toString("latin1");
    const head = text.slice(0, text.indexOf("\r\n\r\n"));
    assert.ok(head.split("\r\n").every((l) => l.length <= 998), `a line over 998 octets for a subject of ${subject.length}`);
    assert.ok((await simpleParser(m!.raw)).subject!.length >= 899 || subject.startsWith("a\t"), "the subject is cut at 900 characters, not before");
  }
  const names = Array.from({ length: 150 }, (_, i) => `"${"N".repeat(200)}${i}" <p${i}@example.org>`).join(", ");
  const raw = lines("From: Ann <ann@example.org>", `To: ${names}`, `References: ${Array.from({ length: 500 }, (_, i) => `<r${i}@example.org>`).join(" ")}`, `Subject: ${"s".repeat(3000)}`, "", "Body", "");
  const { raw: out } = await forward(raw, { subject: "z".repeat(5000) });
  const p = await simpleParser(out);
  assert.equal((p.to as { value: unknown[] }).value.length, 100, "at most 100 of the original's To are kept");
  assert.equal(p.references?.length, 20, "the 20 newest References are kept");
  assert.equal(p.subject, "z".repeat(900));
});

test("hostile bodies take linear time: a million blanks in quoted-printable, a hundred thousand </body> tags", async () => {
  const blanks = lines("From: Ann <ann@example.org>", "Subject: Blanks", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", `a${" ".repeat(1_000_000)}b`, "");
  const bodies = lines("From: Ann <ann@example.org>", "Subject: Bodies", "Content-Type: text/html; charset=utf-8", "", "</body>".repeat(100_000) + "<p>end</p>", "");
  const started = Date.now();
  const a = await simpleParser((await forward(blanks)).raw);
  assert.ok(a.text?.startsWith("a") && a.text.includes("To leave"));
  const b = await forward(bodies);
  const html = String((await simpleParser(b.raw)).html);
  assert.ok(html.indexOf("thwonk-footer") > html.lastIndexOf("</body>") - 200 && html.indexOf("thwonk-footer") < html.lastIndexOf("</body>"), "before the last </body>");
  // Quadratic work on these inputs would take hours; linear takes well under a second, even on a loaded machine.
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
});

test("format=flowed text: the footer's lines do not flow into each other, a line starting with From or > is stuffed", async () => {
  const raw = lines("From: Ann <ann@example.org>", "Subject: Flowed", "Content-Type: text/plain; charset=utf-8; format=flowed", "", "A paragraph that goes on ", "and on.", "");
  const { raw: out } = await forward(raw, { footer: "-- \nline one   \nFrom the list\n> quoted" });
  const body = splitEntity(out.toString("latin1")).body;
  assert.equal(body, "A paragraph that goes on \r\nand on.\r\n\r\n-- \r\nline one\r\n From the list\r\n > quoted\r\n");
  assert.match(out.toString("latin1"), /\r\nContent-Type: text\/plain; charset=utf-8; format=flowed\r\n/);
});

test("the verifier counts what a message action keeps: send(thread: m) its Message-ID, forward(m) the message, a footer its text", () => {
  const bound = (call: string): number => {
    const r = compileSource("s.thwonk", `rule s\n\non message(m: Message) {\n  ${call}\n}\n`);
    assert.ok(r.bundle, call);
    return r.bundle.manifest.triggers[0]!.memoryBound;
  };
  const plain = bound('send(to: members, subject: "n", text: "t")');
  const threaded = bound('send(to: members, subject: "n", text: "t", thread: m)');
  // The Message-ID: at most limits.header characters (as JSON and as a string), far less than the message.
  assert.ok(threaded > plain && threaded - plain < 256 * 1024, `thread: m adds ${threaded - plain} bytes`);
  const forward = bound("forward(m, to: members)");
  const footed = bound("forward(m, to: members, subject: m.subject, footer: m.text)");
  assert.ok(forward - plain > 1024 * 1024, "a forward keeps the message's text and HTML");
  assert.ok(footed - forward > 1024 * 1024, "a footer of the message's text is counted");
});

test("a footer beside a signed message cannot end the wrapper: the boundary is none the message or the footer contains", async () => {
  const signed = lines("From: Ann <ann@example.org>", "Subject: S", "MIME-Version: 1.0", 'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary="s"', "", "--s", "Content-Type: text/plain", "", "--thwonk-footer", "--s", "Content-Type: application/pgp-signature", "", "sig", "--s--", "");
  const first = await forward(signed, { footer: "x" });
  const boundary = contentType(splitEntity(first.raw.toString("latin1")).fields.find((f) => f.name === "Content-Type")?.value).params["boundary"]!;
  // A footer that writes the wrapper's boundary (as a rule that read it from an earlier forward could): another is chosen.
  const { raw: out } = await forward(signed, { footer: `x\n--${boundary}\nContent-Type: text/html\n\n<b>injected</b>\n--${boundary}--` });
  const p = await simpleParser(out);
  assert.equal(p.html, false, "no part was injected");
  assert.ok(p.text?.includes("<b>injected</b>"), "the footer is text");
  const top = splitEntity(out.toString("latin1"));
  const b2 = contentType(top.fields.find((f) => f.name === "Content-Type")?.value).params["boundary"]!;
  assert.notEqual(b2, boundary);
  assert.equal(multipartSpans(top.body, b2)!.length, 2);
});

test("a message of a thousand alternatives gets the footer in eight of them, not a thousand", async () => {
  const parts = Array.from({ length: 1000 }, (_, i) => `--many\r\nContent-Type: text/plain\r\n\r\npart ${i}`).join("\r\n");
  const raw = lines("From: Ann <ann@example.org>", "Subject: Many", "MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="many"', "", parts, "--many--", "");
  const footer = Array.from({ length: 1000 }, (_, i) => `footer line ${i}`).join("\n");
  const { raw: out } = await forward(raw, { footer });
  assert.equal(out.toString("latin1").split(footer.replace(/\n/g, "\r\n")).length - 1, 8);
  assert.ok(out.length < raw.length + 9 * footer.length);
});
