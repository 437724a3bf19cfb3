/**
 * Adversary: display names that spell encoded-words. Readers decode
 * RFC 2047 encoded-words even inside a quoted display name (mailparser,
 * Thunderbird and others do), so a name written as it came could show
 * something else than its text: a sender's name encoded twice
 * (`=?utf-8?B?` of `=?utf-8?Q?Ann=0D=0ABcc...?=`) is decoded once by the
 * list and would be decoded again by every member's reader, into a line
 * break and a `Bcc:`; a list named like an encoded-word likewise. Each name
 * must read back, from the bytes both writers compose, as its text.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import type { RunAction } from "../../contract/index.js";
import { composeRun, decodeWords, headerText } from "../../runtime/mail/compose.js";

const at = { line: 1, column: 1 };
const LIST = "names@example.org";
const EVE = "eve@example.org";
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
/** As a reader shows text: a lone surrogate (no UTF-8 for it) as U+FFFD. */
const wellFormed = (s: string): string => Buffer.from(s, "utf8").toString("utf8");

async function read(fromField: string, listName: string, fromMode: "munge" | "keep", viaNodemailer: boolean) {
  const action: RunAction = { kind: "send", to: ["bob@example.org"], subject: "s", text: "t", from: "sender", replyTo: "sender", at };
  const [out] = await composeRun([action], { list: LIST, listName, now: 0, runKey: "n1", incoming: { from: EVE, headers: [["From", fromField]] }, settings: { fromMode }, viaNodemailer });
  assert.ok(out);
  return simpleParser(out.raw);
}

test("a sender's name encoded twice, and a list's name that spells an encoded-word, read back as their text, with no line break", async () => {
  const inner = "=?utf-8?Q?Ann=0D=0ABcc=3A_victim=40evil.example?=";
  const list = "=?utf-8?B?" + b64("x\r\nBcc: victim@evil.example") + "?=";
  for (const fromField of [`=?utf-8?B?${b64(inner)}?= <${EVE}>`, `"=?utf-8?Q?${inner.replace(/[=?_]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`)}?=" <${EVE}>`]) {
    for (const viaNodemailer of [false, true]) {
      const munged = await read(fromField, list, "munge", viaNodemailer);
      assert.equal(munged.from?.value[0]?.name, `${inner} via ${list}`);
      assert.equal(munged.replyTo?.value[0]?.name, inner);
      assert.equal((munged.to as { value: { name: string }[] }).value[0]?.name, list);
      const kept = await read(fromField, list, "keep", viaNodemailer);
      assert.equal(kept.from?.value[0]?.name, inner);
      assert.equal(kept.from?.value[0]?.address, EVE);
      for (const m of [munged, kept]) assert.ok(!/[\r\n]/.test(JSON.stringify([m.from, m.to, m.replyTo].map((a) => JSON.parse(JSON.stringify(a)).value))), "a name reads with a line break");
    }
  }
});

test("a `=?` that starts no strict encoded-word still does for a lenient reader: the name is encoded all the same", async () => {
  // "=?utf-8?Q? via ?=" has spaces in its encoded text; mailparser decodes it anyway.
  for (const viaNodemailer of [false, true]) {
    const m = await read(`"=?utf-8?Q?" <${EVE}>`, "?=", "munge", viaNodemailer);
    assert.equal(m.from?.value[0]?.name, "=?utf-8?Q? via ?=");
  }
});

test("property: the From and Reply-To names a member's reader shows are the sender's name and the list's, as the list read them", async () => {
  const piece = fc.oneof(
    fc.constantFrom("=?utf-8?Q?", "=?utf-8?B?", "?=", "=0D=0A", "Bcc:", " ", "_", '"', "é", "💩", "a", "=?x?Q?y?=", "=?utf-8?Q?=E2=82=AC?="),
    fc.string({ maxLength: 4 }),
  );
  const text = fc.array(piece, { maxLength: 12 }).map((a) => a.join(""));
  await fc.assert(
    fc.asyncProperty(text, text, fc.boolean(), async (name, listName, twice) => {
      const clean = headerText(name, 100);
      const field = `=?utf-8?B?${b64(twice ? `=?utf-8?B?${b64(clean)}?=` : clean)}?= <${EVE}>`;
      const m = await read(field, listName, "munge", false);
      // The list decodes the sender's name once; what that leaves is the text the member must see.
      const sender = headerText(decodeWords(field.slice(0, field.indexOf(" <"))), 100);
      const list = headerText(listName, 100) || "names";
      assert.equal(m.from?.value[0]?.name, wellFormed(`${sender || "eve at example.org"} via ${list}`));
      assert.equal(m.replyTo?.value[0]?.name, wellFormed(sender));
    }),
    { numRuns: 300 },
  );
});

test("a forward keeps its author's To and Cc: a name there encoded twice reads back as its text too", async () => {
  const inner = "=?utf-8?Q?Ann=0D=0ABcc=3A_victim=40evil.example?=";
  const raw = Buffer.from(
    [`From: Eve <${EVE}>`, `To: =?utf-8?B?${b64(inner)}?= <${LIST}>`, `Cc: =?utf-8?B?${b64(inner)}?= <cat@example.org>`, "Subject: hi", "Message-ID: <f1@example.org>", "", "hello", ""].join("\r\n"),
    "latin1",
  );
  const incoming = { from: EVE, headers: [["From", `Eve <${EVE}>`]] as [string, string][], raw };
  for (const viaNodemailer of [false, true]) {
    const [out] = await composeRun([{ kind: "forward", to: ["bob@example.org"], subject: "hi", text: "hello", at }], { list: LIST, now: 0, runKey: "n2", incoming, viaNodemailer });
    const m = await simpleParser(out!.raw);
    assert.equal((m.to as { value: { name: string }[] }).value[0]?.name, inner);
    assert.equal((m.cc as { value: { name: string }[] }).value[0]?.name, inner);
  }
});
