/**
 * Adversary: the outgoing builder against hostile input. Header injection
 * through every field a rule or a sender controls (subject, footer, the
 * author's display name, encoded words that decode to CRLF, the list name,
 * NUL, bare CR, U+2028, overlong words); forwards of nested multiparts 30
 * deep, a missing close delimiter, a footer holding the boundary, charset
 * lies, raw 8-bit header bytes and a 10 MB attachment. Everything read back
 * with mailparser.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import type { RunAction } from "../../contract/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { composeRun } from "../../runtime/mail/compose.js";

const at = { line: 1, column: 1 };
const LIST = "adv@example.org";
const NOW = Date.UTC(2026, 11, 6, 8, 0, 0);
const INJECT = "x\r\nBcc: victim@evil.example\r\nX-Injected: yes\r\n\r\nbody";
const EVIL_HEADERS = ["bcc", "x-injected"];

function checkWire(raw: Buffer): string[] {
  const text = raw.toString("latin1");
  const head = text.slice(0, text.indexOf("\r\n\r\n"));
  assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(head), `a header carries a raw 8-bit byte or a control:\n${head.slice(0, 2000)}`);
  assert.ok(head.split("\r\n").every((l) => l.length <= 998), "a header line is over 998 octets");
  assert.ok(!/[^\r]\n|\r(?!\n)/.test(text), "a bare LF or CR on the wire");
  const names = head.split("\r\n").filter((l) => !/^[ \t]/.test(l)).map((l) => l.slice(0, l.indexOf(":")).toLowerCase());
  for (const n of EVIL_HEADERS) assert.ok(!names.includes(n), `an injected ${n} header`);
  return names;
}

async function run(raw: Buffer, extra: Partial<RunAction>, listName?: string) {
  const parsed = await parseEml(raw, { listAddress: LIST });
  const m = parsed.message;
  const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: m.subject, text: m.text, html: m.html, at, ...extra };
  const [out] = await composeRun([action], { list: LIST, now: NOW, runKey: "k1", incoming: { from: m.from, headers: m.headers, raw }, ...(listName !== undefined ? { listName } : {}) });
  assert.ok(out);
  checkWire(out.raw);
  return { out, mail: await simpleParser(out.raw) };
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

test("header injection: subject, footer, display names (encoded words decoding to CRLF), list name, NUL, bare CR, U+2028, an overlong word", async () => {
  const raw = Buffer.from(
    [
      `From: =?utf-8?B?${b64("Eve\r\nBcc: victim@evil.example\r\n")}?= <eve@example.org>`,
      `To: =?utf-8?Q?Ann=0D=0ABcc=3A_victim=40evil.example?= <adv@example.org>`,
      `Subject: =?utf-8?B?${b64(INJECT)}?=`,
      "Message-ID: <a1@example.org>",
      "",
      "hello",
      "",
    ].join("\r\n"),
    "latin1",
  );
  for (const subject of [INJECT, "a\u0000b\rBcc: v@evil.example", "a\u2028Bcc: v@evil.example", "a\u0085X-Injected: yes", "w".repeat(5000)]) {
    const { mail } = await run(raw, { subject, footer: `${INJECT}\r\n.\r\n--boundary` }, `list\r\nBcc: victim@evil.example`);
    assert.equal(mail.headers.get("bcc"), undefined);
    assert.ok(!String(mail.subject).includes("\n"));
    assert.ok(!String(mail.from?.text).includes("\n"));
    assert.match(String(mail.text), /Bcc: victim@evil\.example/, "the footer is in the body, as text");
  }
  // The send with from "sender" and replyTo "sender": the same checks on the munged From and Reply-To.
  const parsed = await parseEml(raw, { listAddress: LIST });
  const [out] = await composeRun([{ kind: "send", to: ["bob@example.org"], subject: INJECT, text: "t", from: "sender", replyTo: "sender", at }], {
    list: LIST,
    now: NOW,
    runKey: "k2",
    incoming: { from: parsed.message.from, headers: parsed.message.headers, raw },
    listName: "=?utf-8?B?" + b64("x\r\nBcc: v@evil.example") + "?=",
  });
  checkWire(out!.raw);
  const m = await simpleParser(out!.raw);
  assert.equal(m.headers.get("bcc"), undefined);
  assert.equal(m.replyTo?.value[0]?.address, "eve@example.org");
});

function nested(depth: number, close: boolean): string {
  let body = "Content-Type: text/plain; charset=utf-8\r\n\r\ninnermost text\r\n";
  for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}${close || i !== 1 ? `\r\n--b${i}--\r\n` : ""}`;
  return body;
}

test("forward: 30 nested multiparts, a missing close delimiter, a footer that holds the boundaries", async () => {
  for (const close of [true, false]) {
    const raw = Buffer.from(`From: ann@example.org\r\nTo: adv@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${nested(30, close)}`, "latin1");
    const footer = "--b1\r\n--b2--\r\n--b30\r\nContent-Type: text/html\r\n\r\n<script>x</script>";
    const { mail, out } = await run(raw, { footer });
    assert.match(String(mail.text), /innermost text/);
    assert.ok(out.raw.toString("latin1").includes("innermost text"), "the original's part kept");
    // The footer never splits a multipart: every boundary line on the wire is one the structure holds.
    assert.ok(!mail.attachments.some((a) => a.contentType === "text/html"), "the footer became a part of its own");
  }
  // Shallow, where the footer is written into the text part itself.
  const raw = Buffer.from(
    'From: ann@example.org\r\nTo: adv@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nbody\r\n--zz\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="a.bin"\r\n\r\nDATA\r\n--zz--\r\n',
    "latin1",
  );
  const { mail } = await run(raw, { footer: "--zz\r\nContent-Type: text/html\r\n\r\nowned\r\n--zz--" });
  assert.equal(mail.attachments.length, 1, "the footer added no part");
  assert.equal(mail.attachments[0]!.content.toString("latin1"), "DATA");
  assert.match(String(mail.text), /body[\s\S]*--zz/);
});

test("forward: charset lies, raw 8-bit header bytes, and a 10 MB attachment byte for byte", async () => {
  const big = Buffer.alloc(10 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  const lies = [
    ["us-ascii", "8bit", Buffer.from("caf\xe9 \xff\xfe", "latin1")],
    ["utf-8", "8bit", Buffer.from("bad \xc3\x28 \xed\xa0\x80", "latin1")],
    ["x-unknown-charset", "8bit", Buffer.from("??", "latin1")],
    ["utf-16", "base64", Buffer.from("not utf-16 at all")],
  ] as const;
  for (const [charset, cte, text] of lies) {
    const body = cte === "base64" ? text.toString("base64") : text.toString("latin1");
    const raw = Buffer.concat([
      Buffer.from(
        `From: Ann \xc3\xa9\r\n <ann@example.org>\r\nTo: adv@example.org\r\nSubject: raw \xe9\xff 8-bit\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n--q\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="big.bin"\r\n\r\n`,
        "latin1",
      ),
      Buffer.from((charset === "us-ascii" ? big : big.subarray(0, 1024)).toString("base64").replace(/.{76}/g, "$&\r\n"), "latin1"),
      Buffer.from("\r\n--q--\r\n", "latin1"),
    ]);
    const { mail } = await run(raw, { footer: "footer ✉ here" });
    assert.equal(mail.attachments.length, 1, charset);
    assert.ok(mail.attachments[0]!.content.equals(charset === "us-ascii" ? big : big.subarray(0, 1024)), `${charset}: the attachment byte for byte`);
    assert.match(String(mail.text), /footer ✉ here/, charset);
  }
});
