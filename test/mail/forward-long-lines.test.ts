/**
 * A forward never sends a line over 998 octets (RFC 5322 2.1.1), whatever
 * the original carried: a text part written on one line becomes
 * quoted-printable, a binary part base64, a base64 part with overlong lines
 * is wrapped again, a preamble with one is dropped, a part header with a
 * huge parameter is folded; every part that had no long line goes out byte
 * for byte; a signed part is never changed (its signature still verifies).
 * Read back with mailparser, with and without a footer, and over random
 * messages with random long lines.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import type { RunAction } from "../../contract/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { composeRun } from "../../runtime/mail/compose.js";
import { contentType, multipartSpans, splitEntity } from "../../runtime/mail/mime.js";

const LIST = "tagged@example.org";
const FOOTER = "-- \nTo leave, mail tagged-request@example.org";
const lines = (...ls: string[]): Buffer => Buffer.from(ls.join("\r\n"), "latin1");

async function forward(raw: Buffer, footer: string | null = null): Promise<Buffer> {
  const m = (await parseEml(raw, { listAddress: LIST })).message;
  const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: m.subject, ...(footer !== null ? { footer } : {}), text: m.text, html: m.html, messageId: m.messageId, at: { line: 1, column: 1 } };
  const [out] = await composeRun([action], { list: LIST, now: Date.UTC(2026, 10, 25), runKey: "k1", incoming: { from: m.from, headers: m.headers, raw } });
  assert.ok(out, "the forward was composed");
  const text = out.raw.toString("latin1");
  const long = text.split("\r\n").findIndex((l) => l.length > 998);
  assert.equal(long, -1, `line ${long} is over 998 octets`);
  assert.ok(!/[^\r]\n|\r(?!\n)/.test(text), "a bare LF or CR on the wire");
  return out.raw;
}

/** The parts of the top-level multipart of a message, as their bytes. */
function parts(raw: Buffer): string[] {
  const top = splitEntity(raw.toString("latin1"));
  const ct = contentType(top.fields.find((f) => f.name.toLowerCase() === "content-type")?.value);
  return multipartSpans(top.body, ct.params["boundary"]!)!.map((s) => top.body.slice(s.start, s.end));
}

const LONG_TEXT = `Grüße ${"wörd ".repeat(900)}end`;
/** Text as the UTF-8 bytes a mail program writes, in the binary string `lines` takes. */
const u8 = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
const BINARY = Buffer.from(Array.from({ length: 5000 }, (_, i) => 32 + ((i * 31) % 90)));
const ATTACHED_B64 = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const GOOD_B64 = Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 13) % 256));

function mixed(): Buffer {
  return lines(
    "From: Ann <ann@example.org>",
    "Subject: Long",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="mx"',
    "",
    `A preamble nobody reads ${"p".repeat(1500)}`,
    "--mx",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Short lines only.",
    "They stay as they are.",
    "--mx",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    u8(`<html><body><p>${LONG_TEXT}</p></body></html>`),
    "--mx",
    `Content-Type: application/octet-stream; name="${"n".repeat(1200)}.bin"`,
    "Content-Transfer-Encoding: 8bit",
    "Content-Disposition: attachment",
    "",
    BINARY.toString("latin1"),
    "--mx",
    "Content-Type: application/pdf; name=a.pdf",
    "Content-Transfer-Encoding: base64",
    "",
    ATTACHED_B64.toString("base64"),
    "--mx",
    "Content-Type: image/png; name=good.png",
    "Content-Transfer-Encoding: base64",
    "",
    ...(GOOD_B64.toString("base64").match(/.{1,76}/g) ?? []),
    "--mx",
    "Content-Type: message/rfc822",
    "",
    "From: Cat <cat@example.org>",
    "Subject: Inner",
    "Content-Type: text/plain; charset=utf-8",
    "",
    u8(LONG_TEXT),
    "--mx--",
    "",
  ).subarray(0);
}

test("a forward without a footer: long lines re-encoded part by part, every other part byte for byte", async () => {
  const raw = mixed();
  const before = await simpleParser(raw);
  const out = await forward(raw);
  const after = await simpleParser(out);
  assert.equal(after.text, before.text);
  assert.match(after.text ?? "", /^Short lines only\.\nThey stay as they are\.\n/);
  assert.equal(String(after.html).replace(/\r\n/g, "\n"), String(before.html).replace(/\r\n/g, "\n"));
  assert.equal(after.attachments.length, before.attachments.length);
  before.attachments.forEach((a, i) => {
    const b = after.attachments[i]!;
    assert.equal(b.contentType, a.contentType, `attachment ${i}`);
    if (a.contentType === "message/rfc822") {
      assert.match(b.content.toString("utf8"), /^From: Cat <cat@example\.org>/);
    } else assert.ok(b.content.equals(a.content), `attachment ${i} changed`);
    assert.equal(b.filename, a.filename, `attachment ${i}'s name`);
  });
  assert.equal(after.attachments[0]!.filename, `${"n".repeat(1200)}.bin`);
  const inner = await simpleParser(after.attachments.find((a) => a.contentType === "message/rfc822")!.content);
  assert.equal(inner.text?.trim(), LONG_TEXT);
  // Byte for byte: the short text part and the well-wrapped image; the preamble (a long line) is gone.
  const orig = parts(raw);
  const sent = parts(out);
  assert.equal(sent.length, orig.length);
  assert.equal(sent[0], orig[0]);
  assert.equal(sent[4], orig[4]);
  assert.ok(!out.toString("latin1").includes("A preamble nobody reads"));
  // How each changed part went: HTML in quoted-printable, the binary in base64, the base64 wrapped again; the message stays one.
  assert.match(sent[1]!, /^Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n/);
  assert.match(sent[2]!, /Content-Transfer-Encoding: base64\r\n/);
  assert.match(sent[3]!, /^Content-Type: application\/pdf; name=a\.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n[A-Za-z0-9+/]{76}\r\n/);
  assert.match(sent[5]!, /^Content-Type: message\/rfc822\r\n\r\nFrom: Cat/);
  assert.match(sent[5]!, /\r\nContent-Transfer-Encoding: quoted-printable\r\n/);
});

test("the same with a footer: the footer in the text, every long line gone, the short parts byte for byte", async () => {
  const raw = mixed();
  const before = await simpleParser(raw);
  const out = await forward(raw, FOOTER);
  const after = await simpleParser(out);
  assert.match(after.text ?? "", /They stay as they are\.\n\n-- \nTo leave, mail tagged-request@example\.org/);
  before.attachments.forEach((a, i) => a.contentType !== "message/rfc822" && assert.ok(after.attachments[i]!.content.equals(a.content), `attachment ${i} changed`));
  assert.equal(parts(out)[4], parts(raw)[4]);
});

test("a single text part on one long line, and a message with no MIME at all, become quoted-printable", async () => {
  const single = lines("From: Ann <ann@example.org>", "Subject: One", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", u8(LONG_TEXT), "");
  for (const [raw, charset] of [[single, "utf-8"], [lines("From: Ann <ann@example.org>", "Subject: None", "", "x".repeat(5000), "")]] as const) {
    const out = await forward(raw);
    const head = out.toString("latin1").slice(0, out.indexOf("\r\n\r\n"));
    assert.match(head, /^Content-Transfer-Encoding: quoted-printable$/m);
    if (charset) assert.match(head, /^Content-Type: text\/plain; charset=utf-8$/m);
    assert.equal((await simpleParser(out)).text?.trim(), (await simpleParser(raw)).text?.trim());
    const footed = await simpleParser(await forward(raw, FOOTER));
    assert.equal(footed.text, `${(await simpleParser(raw)).text?.trimEnd()}\n\n${FOOTER}\n`);
  }
  // The limit itself: a line of 998 octets goes as it is, one of 999 does not.
  for (const [n, kept] of [[998, true], [999, false]] as const) {
    const raw = lines("From: Ann <ann@example.org>", "Subject: Edge", "MIME-Version: 1.0", "Content-Type: text/plain", "Content-Transfer-Encoding: 7bit", "", "e".repeat(n), "");
    const out = (await forward(raw)).toString("latin1");
    assert.equal(out.endsWith(`\r\n\r\n${"e".repeat(n)}\r\n`), kept, `${n}`);
    assert.equal(/^Content-Transfer-Encoding: quoted-printable$/m.test(out), !kept, `${n}`);
  }
  // Already quoted-printable or base64, but written with lines too long: decoded and wrapped again.
  const qpLong = lines("From: Ann <ann@example.org>", "Subject: Q", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", `${"=C3=A9".repeat(400)} x`, "");
  const q = await forward(qpLong);
  assert.equal((await simpleParser(q)).text?.trim(), `${"é".repeat(400)} x`);
  assert.match(q.toString("latin1"), /^Content-Transfer-Encoding: quoted-printable$/m);
});

test("a long line whose soft break would start a line with the enclosing delimiter goes in base64", async () => {
  const text = `${"x".repeat(1200)}\r\n${"a".repeat(75)}--mx\r\nafter`;
  const raw = lines("From: Ann <ann@example.org>", "Subject: Trick", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="mx"', "", "--mx", "Content-Type: text/plain", "Content-Transfer-Encoding: 8bit", "", text, "--mx", "Content-Type: text/plain; name=b.txt", "Content-Disposition: attachment", "", "attached", "--mx--", "");
  const out = await forward(raw);
  const sent = parts(out);
  assert.equal(sent.length, 2, "no part was added or lost");
  assert.match(sent[0]!, /Content-Transfer-Encoding: base64/);
  const p = await simpleParser(out);
  assert.equal(p.text?.replace(/\n/g, "\r\n").trimEnd(), text);
  assert.equal(p.attachments[0]!.content.toString(), "attached");
});

/** The multipart/signed entity of a forward (the first part of the wrapper when a footer went beside it) and its parts. */
function signedParts(out: Buffer, footer: string | null): string[] {
  let top = splitEntity(out.toString("latin1"));
  if (footer) top = splitEntity(parts(out)[0]!);
  const ct = contentType(top.fields.find((f) => f.name.toLowerCase() === "content-type")?.value);
  assert.equal(ct.type, "multipart/signed");
  return multipartSpans(top.body, ct.params["boundary"]!)!.map((s) => top.body.slice(s.start, s.end));
}

function signedMessage(signedPart: Buffer, signatureB64: string): Buffer {
  return lines(
    "From: Ann <ann@example.org>",
    "Subject: Signed",
    "MIME-Version: 1.0",
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"',
    "",
    "--sig",
    signedPart.toString("latin1"),
    "--sig",
    "Content-Type: application/pkcs7-signature; name=smime.p7s",
    "Content-Transfer-Encoding: base64",
    "",
    signatureB64,
    "--sig--",
    "",
  );
}

test("a signed message: the signed part byte for byte, its signature verifies; a signature written on one long line is wrapped again", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signedPart = lines("Content-Type: text/plain; charset=us-ascii", "", "I vouch for this.");
  // The signature with more bytes after it (a certificate chain would be there), all on one line of base64.
  const blob = Buffer.concat([sign("sha256", signedPart, privateKey), Buffer.alloc(1000, 7)]);
  const raw = signedMessage(signedPart, blob.toString("base64"));
  for (const footer of [null, FOOTER]) {
    const ps = signedParts(await forward(raw, footer), footer);
    assert.ok(Buffer.from(ps[0]!, "latin1").equals(signedPart), "the signed part changed");
    const sig = Buffer.from(splitEntity(ps[1]!).body, "base64");
    assert.ok(sig.equals(blob), "the signature's bytes changed");
    assert.ok(verify("sha256", Buffer.from(ps[0]!, "latin1"), publicKey, sig.subarray(0, 256)), "the signature no longer verifies");
  }
});

test("a long line inside the signed part is kept: changing it would break the signature (RFC 1847 signers send 7 bits)", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signedPart = lines("Content-Type: text/plain; charset=us-ascii", "", `A long signed line ${"s".repeat(1500)}`);
  const raw = signedMessage(signedPart, sign("sha256", signedPart, privateKey).toString("base64"));
  const m = (await parseEml(raw, { listAddress: LIST })).message;
  for (const footer of [null, FOOTER]) {
    const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: "S", ...(footer ? { footer } : {}), text: m.text, html: m.html, at: { line: 1, column: 1 } };
    const [out] = await composeRun([action], { list: LIST, now: 0, runKey: "k", incoming: { from: m.from, headers: m.headers, raw } });
    const ps = signedParts(out!.raw, footer);
    assert.ok(Buffer.from(ps[0]!, "latin1").equals(signedPart));
    assert.ok(verify("sha256", Buffer.from(ps[0]!, "latin1"), publicKey, Buffer.from(splitEntity(ps[1]!).body, "base64")));
    // The only long line is the signed one.
    assert.deepEqual(out!.raw.toString("latin1").split("\r\n").filter((l) => l.length > 998), [`A long signed line ${"s".repeat(1500)}`]);
  }
});

test("S/MIME data in binary and an unknown transfer encoding: base64, the bytes kept", async () => {
  const der = Buffer.from(Array.from({ length: 4000 }, (_, i) => 32 + ((i * 17) % 90)));
  const p7m = lines("From: Ann <ann@example.org>", "Subject: Secret", "MIME-Version: 1.0", "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", "Content-Transfer-Encoding: binary", "", der.toString("latin1"), "");
  const was = (await simpleParser(p7m)).attachments[0]!.content;
  assert.ok(was.subarray(0, der.length).equals(der));
  for (const footer of [null, FOOTER]) {
    const p = await simpleParser(await forward(p7m, footer));
    assert.ok(p.attachments.find((a) => a.contentType === "application/pkcs7-mime")?.content.equals(was), "the enveloped data changed");
  }
  const uu = lines("From: Ann <ann@example.org>", "Subject: UU", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="u"', "", "--u", "Content-Type: text/plain", "", "hi", "--u", "Content-Type: application/zip; name=a.zip", "Content-Transfer-Encoding: x-uuencode", "", "M".repeat(1500), "--u--", "");
  const out = await forward(uu);
  assert.match(parts(out)[1]!, /^Content-Type: application\/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
  const a = (await simpleParser(out)).attachments[0]!;
  assert.equal(a.contentType, "application/octet-stream");
  assert.equal(a.content.toString("latin1"), "M".repeat(1500));
});

const lineArb = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", " ", "é", "☕", "=", "-", ".", "<"), minLength: 0, maxLength: 40 }),
  fc.integer({ min: 990, max: 3000 }).chain((n) => fc.constantFrom("x", "é", " ", "-", "=").map((c) => c.repeat(Math.ceil(n / Buffer.byteLength(c))))),
);
const textArb = fc.array(lineArb, { minLength: 1, maxLength: 5 }).map((ls) => ls.join("\r\n"));
const partArb = fc.record({
  kind: fc.constantFrom("text", "html", "bin", "b64line"),
  text: textArb,
  bytes: fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((a) => Buffer.from(a).toString("latin1").replace(/[\r\n\0]/g, "z")),
});

test("property: random messages with random long lines forward with none, every part reading back as it was", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(partArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (ps, withFooter) => {
      const body: string[] = [];
      for (const [i, p] of ps.entries()) {
        body.push("--rnd");
        if (p.kind === "text") body.push("Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", Buffer.from(p.text, "utf8").toString("latin1"));
        if (p.kind === "html") body.push("Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", Buffer.from(`<p>${p.text}</p>`, "utf8").toString("latin1"));
        if (p.kind === "bin") body.push(`Content-Type: application/octet-stream; name=f${i}.bin`, "Content-Transfer-Encoding: 8bit", "", p.bytes);
        if (p.kind === "b64line") body.push(`Content-Type: application/octet-stream; name=g${i}.bin`, "Content-Transfer-Encoding: base64", "", Buffer.from(p.bytes, "latin1").toString("base64"));
      }
      const raw = lines("From: Ann <ann@example.org>", "Subject: Random", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="rnd"', "", ...body, "--rnd--", "");
      const before = await simpleParser(raw);
      const out = await forward(raw, withFooter ? FOOTER : null);
      const after = await simpleParser(out);
      assert.equal(after.attachments.length, before.attachments.length);
      before.attachments.forEach((a, i) => assert.ok(after.attachments[i]!.content.equals(a.content), `attachment ${i}`));
      const norm = (s: string | undefined): string => (s ?? "").replace(/\r\n/g, "\n").trimEnd();
      if (!withFooter) assert.equal(norm(after.text), norm(before.text));
      else {
        // mailparser joins the text parts; the footer went into the first: without it (and the blank line before it) the text is the same.
        // (From an HTML part, mailparser's text has the separator without its space.)
        const footerText = /-- ?\nTo leave, mail tagged-request@example\.org/;
        if (!footerText.test(after.text ?? "")) assert.match(String(after.html), /class="thwonk-footer"/, "the footer is in the text or the HTML");
        assert.equal(norm(after.text).replace(footerText, "").replace(/\s+/g, ""), norm(before.text).replace(/\s+/g, ""));
      }
      // Parts that had no long line are byte for byte (a footer changes the first text part only).
      const orig = parts(raw);
      // A footer no part took goes beside the message: its parts are then the wrapper's first part's.
      const wrapped = withFooter && ps.every((p) => p.kind !== "text" && p.kind !== "html");
      const sent = wrapped ? parts(Buffer.from(parts(out)[0]!, "latin1")) : parts(out);
      const footedAt = withFooter ? ps.findIndex((p) => p.kind === "text" || p.kind === "html") : -1;
      orig.forEach((o, i) => {
        if (i !== footedAt && !o.split("\r\n").some((l) => l.length > 998)) assert.equal(sent[i], o, `part ${i} changed`);
      });
    }),
    { numRuns: Number(process.env["LONG_RUNS"] ?? 60), seed: Number(process.env["LONG_SEED"] ?? 998), includeErrorInReport: true },
  );
});

test("hostile structure: a delimiter padded past 998, a boundary of 1,200 characters, a part field of one long word, 40 nested messages", async () => {
  const padded = lines("From: Ann <ann@example.org>", "Subject: Pad", "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="p"', "", `--p${" ".repeat(2000)}`, "Content-Type: text/plain", `X-Junk: ${"j".repeat(2000)}`, "", "one", "--p", "Content-Type: text/plain; name=two.txt", "Content-Disposition: attachment", "", "two", `--p--${"\t".repeat(1500)}`, "");
  const p = await simpleParser(await forward(padded));
  assert.equal(p.text?.trim(), "one");
  assert.equal(p.attachments[0]!.content.toString(), "two");
  assert.ok(!(await forward(padded)).toString("latin1").includes("X-Junk"), "a field that cannot be folded is left out");

  const b = "b".repeat(1200);
  const huge = lines("From: Ann <ann@example.org>", "Subject: Huge", "MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${b}"`, "", `--${b}`, "Content-Type: text/plain", "", "first", `--${b}`, "Content-Type: application/octet-stream; name=x.bin", "Content-Disposition: attachment", "", "second", `--${b}--`, "");
  const before = await simpleParser(huge);
  const q = await simpleParser(await forward(huge));
  assert.equal(q.text?.trim(), before.text?.trim());
  assert.equal(q.attachments.length, before.attachments.length);
  assert.ok(q.attachments[0]!.content.equals(before.attachments[0]!.content));

  // 40 messages, each attached to the one around it, the innermost with a long line: nothing deeper than 16 is opened.
  let nested = `Content-Type: text/plain\r\n\r\n${"z".repeat(2000)}`;
  for (let i = 0; i < 40; i++) nested = `Content-Type: message/rfc822\r\n\r\nSubject: level ${i}\r\n${nested}`;
  const deep = Buffer.from(`From: Ann <ann@example.org>\r\nSubject: Deep\r\nMIME-Version: 1.0\r\n${nested}\r\n`, "latin1");
  await forward(deep);
  await forward(deep, FOOTER);
});
