/**
 * Adversary: DKIM on a forward with a footer (tagged), the hard bodies: an
 * original's own DKIM-Signature, 8-bit text with a 2,000-octet line, lines
 * starting with "." and "From ", trailing blanks, a base64 attachment, a
 * quoted-printable HTML part. The bytes that reached a real SMTP sink (the
 * relay, one transaction per member with one-click) and the Maildir file
 * (no relay) each verify with mailauth, and the relay got the bytes signed
 * (dot-stuffing undone, nothing rewrapped).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateKeyPairSync } from "node:crypto";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SIGNED_FIELDS } from "../../runtime/daemon/dkim.js";
import { signDkim } from "../../runtime/daemon/dkim-sign.js";
import { outboxMail, startDaemon, until, workspace, type Running } from "../daemon/helpers.js";
import { makeKey, resolverWith, sink } from "./helpers.js";

const LIST = "tagged@example.org";
const MEMBERS = ["ann@example.org", "bob@example.org", "cat@example.org"];
const attachment = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) % 256));

const post = [
  "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=ann; h=from:subject; bh=AAAA; b=BBBB",
  "From: Ann <ann@example.org>",
  `To: ${LIST}`,
  "Subject: Tricky bodies",
  "Message-ID: <tricky1@example.org>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "--outer",
  'Content-Type: multipart/alternative; boundary="alt"',
  "",
  "--alt",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: 8bit",
  "",
  "Grüße 👋   ",
  ".a line that starts with a dot",
  ".",
  "From the start of a line",
  `${"ü".repeat(1000)}`,
  "",
  "--alt",
  "Content-Type: text/html; charset=utf-8",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "<html><body><p>Gr=C3=BC=C3=9Fe</p>=",
  "</body></html>",
  "--alt--",
  "",
  "--outer",
  'Content-Type: application/octet-stream; name="a.bin"',
  "Content-Transfer-Encoding: base64",
  'Content-Disposition: attachment; filename="a.bin"',
  "",
  attachment.toString("base64").replace(/.{76}/g, "$&\r\n"),
  "--outer--",
  "",
].join("\r\n");

/**
 * Two daemons signing with one key made by thwonkc: one sends to a relay's
 * sink with one-click (each member's message signed as it goes), the other
 * writes its Maildir (signed as it is written); `raw` is posted to each.
 */
async function signingPair(
  raw: string | Buffer,
  check: (p: { resolver: ReturnType<typeof resolverWith>; relay: Awaited<ReturnType<typeof sink>>; d2: Running }) => Promise<void>,
): Promise<void> {
  const keys = mkdtempSync(join(tmpdir(), "thwonk-dkim-"));
  const { keyFile, txt } = await makeKey(keys, "example.org", "s1");
  const resolver = resolverWith("s1._domainkey.example.org", txt);
  const relay = await sink();
  const ws = workspace({ tagged: { example: "tagged", members: MEMBERS } });
  const ws2 = workspace({ tagged: { example: "tagged", members: MEMBERS } });
  const d = await startDaemon(ws, { args: ["--relay", `smtp://127.0.0.1:${relay.port}`, "--dkim", `example.org=s1:${keyFile}`, "--one-click"] });
  const d2 = await startDaemon(ws2, { args: ["--dkim", `example.org=s1:${keyFile}`] });
  try {
    for (const port of [d.ports.smtp, d2.ports.smtp]) {
      const mta = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
      await mta.sendMail({ envelope: { from: "ann@example.org", to: [LIST] }, raw });
      mta.close();
    }
    await check({ resolver, relay, d2 });
  } finally {
    await d.stop();
    await d2.stop();
    await relay.close();
    rmSync(ws.dir, { recursive: true, force: true });
    rmSync(ws2.dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
}

test("a forward with a footer, DKIM-signed: verifies at the relay's sink and in the Maildir; the attachment byte for byte", async () => {
  await signingPair(Buffer.from(post, "utf8"), async ({ resolver, relay, d2 }) => {
    await until("every member at the sink", () => (relay.got.length >= MEMBERS.length ? true : undefined));
    const files = await until("the Maildir file", async () => {
      const f = await outboxMail(d2.ports.outbox);
      return f.length ? f : undefined;
    });
    const all = [...relay.got.map((t) => t.raw), ...files.map((f) => Buffer.from(f.raw, "utf8"))];
    for (const raw of all) {
      const results = (await dkimVerify(raw, { resolver })).results;
      const ours = results.filter((r) => r.signingDomain === "example.org" && r.selector === "s1");
      assert.equal(ours.length, 1, "one signature of ours; the author's was not carried");
      assert.equal(ours[0]!.status.result, "pass", JSON.stringify(ours[0]!.status));
      assert.equal(results.length, 1, "the author's DKIM-Signature is left out");
      const mail = await simpleParser(raw);
      assert.equal(mail.subject, "[tagged] Tricky bodies");
      assert.match(String(mail.text), /^\.a line that starts with a dot$/m);
      assert.match(String(mail.text), /^From the start of a line$/m);
      assert.match(String(mail.text), /To unsubscribe, send/);
      assert.match(String(mail.html), /To unsubscribe, send/);
      assert.ok(String(mail.text).includes("ü".repeat(1000)));
      assert.equal(mail.attachments.length, 1);
      assert.ok(mail.attachments[0]!.content.equals(attachment), "the attachment byte for byte");
    }
  });
});

test("a field added to a signed message (a second From or Subject, a Reply-To, a one-click List-Unsubscribe) breaks the signature", async () => {
  await signingPair(`From: Ann <ann@example.org>\r\nTo: ${LIST}\r\nSubject: Plain\r\n\r\nhello\r\n`, async ({ resolver, relay, d2 }) => {
    await until("a member at the sink", () => (relay.got.length >= 1 ? true : undefined));
    const file = await until("the Maildir file", async () => (await outboxMail(d2.ports.outbox))[0]);
    for (const raw of [relay.got[0]!.raw, Buffer.from(file.raw, "utf8")]) {
      assert.equal((await dkimVerify(raw, { resolver })).results[0]!.status.result, "pass");
      for (const added of [
        "From: Mallory <mallory@evil.example>",
        "Subject: Your account is locked",
        "Reply-To: mallory@evil.example",
        "List-Unsubscribe: <https://evil.example/u>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Cc: victim@example.net",
        "Content-Type: text/html",
      ]) {
        const forged = Buffer.concat([Buffer.from(`${added}\r\n`, "latin1"), raw]);
        const r = (await dkimVerify(forged, { resolver })).results[0]!;
        assert.notEqual(r.status.result, "pass", `${added}: still verifies`);
      }
    }
  });
});

test("the signer on odd messages: empty body, no final CRLF, bare LF and CR, trailing blank lines, folded and repeated fields, 10 MB", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = { domainName: "example.org", keySelector: "t1", privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() };
  const resolver = resolverWith("t1._domainkey.example.org", `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`);
  const head = "From: Ann <ann@example.org>\r\nSubject: a\r\n  folded\t subject \r\nReceived: x\r\nReceived: y\r\nTo: b@example.org\r\n";
  const bodies = ["", "\r\n", "no final line end", "a\nb\rc\r\n", "trailing   blanks \t\r\n\r\n\r\n\r\n", ".\r\n..\r\nFrom x\r\n", `${"x".repeat(76)}\r\n`.repeat(140_000)];
  for (const body of bodies) {
    const signed = signDkim(Buffer.from(`${head}\r\n${body}`, "latin1"), key, SIGNED_FIELDS.split(":"));
    assert.ok(!/[^\r]\n|\r(?!\n)/.test(signed.toString("latin1")), "CRLF only");
    const r = (await dkimVerify(signed, { resolver })).results[0]!;
    assert.equal(r.status.result, "pass", `${JSON.stringify(body.slice(0, 40))}: ${JSON.stringify(r.status)}`);
    const h = String(/\bh=([^;]+);/.exec(signed.toString("latin1"))?.[1]).replace(/\s+/g, "").split(":");
    assert.equal(h.filter((n) => n === "from").length, 2, "From oversigned");
    assert.equal(h.filter((n) => n === "reply-to").length, 1, "an absent field signed as absent");
  }
});
