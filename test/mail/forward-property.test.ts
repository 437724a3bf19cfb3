/**
 * A property of forward with a footer, over messages a mail program builds
 * (nodemailer's composer: text in 7bit, quoted-printable or base64, HTML or
 * not, 0–3 attachments of random bytes and types) and footers of any text
 * (emoji, `--`, `</body>`, markup): the builder never throws, every
 * attachment comes out byte for byte, the text is the original's with the
 * footer after it, the HTML has it escaped, and every header line is ASCII
 * within 998 octets with no bare CR or LF anywhere on the wire.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { RunAction } from "../../contract/index.js";
import { parseEml } from "../../runtime/input/index.js";
import { composeRun } from "../../runtime/mail/compose.js";
import { footerHtml } from "../../runtime/mail/footer.js";

const LIST = "prop@example.org";

const textArb = fc.string({ unit: fc.oneof(fc.constantFrom("a", " ", "\n", "é", "☕", "😀", "=", "-", ".", "<", "&"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })), maxLength: 300 }).map((s) => s.replace(/\r/g, ""));
const footerArb = fc.oneof(textArb, fc.constantFrom("-- \nleave: prop-request@example.org", "</body></html>", "<script>x</script>", "--boundary\n--boundary--", "x".repeat(1200))).filter((s) => s !== "");
const attachmentArb = fc.record({
  content: fc.uint8Array({ maxLength: 4000 }).map((a) => Buffer.from(a)),
  filename: fc.constantFrom("a.bin", "photo.jpg", "notes.txt", "päper.pdf", "x y.zip"),
  contentType: fc.constantFrom("application/octet-stream", "image/jpeg", "text/plain", "application/pdf", "text/csv"),
});
const messageArb = fc.record({
  text: textArb,
  html: fc.option(textArb.map((t) => `<html><body><p>${t.replace(/[<&]/g, "")}</p></body></html>`), { nil: undefined }),
  textEncoding: fc.constantFrom("quoted-printable", "base64", undefined),
  attachments: fc.array(attachmentArb, { maxLength: 3 }),
  footer: footerArb,
});

type Generated = typeof messageArb extends fc.Arbitrary<infer T> ? T : never;

function build(m: Generated): Promise<Buffer> {
  const options = {
    from: "Ann <ann@example.org>",
    to: LIST,
    subject: "Property",
    text: m.text,
    ...(m.html !== undefined ? { html: m.html } : {}),
    ...(m.textEncoding ? { textEncoding: m.textEncoding } : {}),
    attachments: m.attachments.map((a) => ({ ...a })),
  } as ConstructorParameters<typeof MailComposer>[0];
  return new Promise((resolve, reject) => new MailComposer(options).compile().build((err, b) => (err ? reject(err) : resolve(b))));
}

test("forward with a footer over random messages and footers: attachments byte for byte, the footer in text and HTML, a clean wire", async () => {
  await fc.assert(
    fc.asyncProperty(messageArb, async (m) => {
      const raw = await build(m);
      const before = await simpleParser(raw);
      const parsed = (await parseEml(raw, { listAddress: LIST })).message;
      const action: RunAction = { kind: "forward", to: ["bob@example.org"], subject: parsed.subject, footer: m.footer, text: parsed.text, html: parsed.html, at: { line: 1, column: 1 } };
      const [out] = await composeRun([action], { list: LIST, now: 0, runKey: "p", incoming: { from: parsed.from, headers: parsed.headers, raw } });
      assert.ok(out);
      const wire = out.raw.toString("latin1");
      const head = wire.slice(0, wire.indexOf("\r\n\r\n"));
      assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(head) && head.split("\r\n").every((l) => l.length <= 998), "the header is ASCII in lines of 998 at most");
      assert.ok(!/[^\r]\n|\r(?!\n)/.test(wire), "a bare CR or LF on the wire");
      const after = await simpleParser(out.raw);
      assert.equal(after.attachments.length, before.attachments.length, "an attachment was lost or added");
      before.attachments.forEach((a, i) => assert.ok(after.attachments[i]!.content.equals(a.content), `attachment ${i} changed`));
      const footer = m.footer.replace(/\r?\n/g, "\n");
      const original = before.text ?? "";
      const sep = original === "" ? "" : original.endsWith("\n") ? "\n" : "\n\n";
      // (An empty text is no text part: the composer writes the HTML alone.)
      if (m.text !== "") assert.equal(after.text, `${original}${sep}${footer}\n`);
      if (m.html !== undefined) assert.ok(String(after.html).replace(/\r\n/g, "\n").includes(footerHtml(m.footer).replace(/\r\n/g, "\n").trimEnd()), "the HTML footer");
    }),
    { numRuns: Number(process.env["FWD_RUNS"] ?? 150), seed: Number(process.env["FWD_SEED"] ?? 1414), includeErrorInReport: true },
  );
});
