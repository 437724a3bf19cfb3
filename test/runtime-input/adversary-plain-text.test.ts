/**
 * The plain reading (runtime/input/plain-text.ts) against mailparser on hand-made edge cases: a message the plain
 * reading takes must give what mailparser gives, and parseEml's result must be the same either way. Header-only
 * messages, lone LF and CR in the body, empty or space-only subjects, Content-Type with odd spacing and case, dot
 * lines, NUL bytes, very long lines, 8bit declared on ASCII, mixed line endings.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simpleParser } from "mailparser";
import { parseEml } from "../../runtime/input/eml.js";
import { readHeaders } from "../../runtime/input/headers.js";
import { plainTextParts } from "../../runtime/input/plain-text.js";

const H = "From: Ann <ann@example.org>\r\nTo: list@lists.localhost\r\n";

const CASES: Record<string, string> = {
  "header only, no line end": `${H}Subject: hi`,
  "header only, CRLF": `${H}Subject: hi\r\n`,
  "header only, empty line": `${H}Subject: hi\r\n\r\n`,
  "header only, LF empty line": "From: a@example.org\nSubject: hi\n\n",
  "body with lone LF": `${H}Subject: hi\r\n\r\none\ntwo\r\nthree\n`,
  "body with lone CR": `${H}Subject: hi\r\n\r\none\rtwo\r\nthree\r`,
  "body CR CR LF": `${H}Subject: hi\r\n\r\none\r\r\ntwo\r\n`,
  "body only CRLF": `${H}Subject: hi\r\n\r\n\r\n`,
  "body without final line end": `${H}Subject: hi\r\n\r\nlast`,
  "body starting with blank lines": `${H}Subject: hi\r\n\r\n\r\n\r\n  x\r\n`,
  "body of spaces": `${H}Subject: hi\r\n\r\n   \r\n\t\r\n`,
  "subject trailing spaces": `${H}Subject: hi   \r\n\r\nx\r\n`,
  "subject leading spaces": `${H}Subject:     hi\r\n\r\nx\r\n`,
  "subject empty": `${H}Subject:\r\n\r\nx\r\n`,
  "subject one space": `${H}Subject: \r\n\r\nx\r\n`,
  "subject spaces only": `${H}Subject:      \r\n\r\nx\r\n`,
  "subject no space": `${H}Subject:hi\r\n\r\nx\r\n`,
  "subject inner spaces": `${H}Subject:  a   b  \r\n\r\nx\r\n`,
  "subject upper case name": `${H}SUBJECT: Hi\r\n\r\nx\r\n`,
  "subject quotes and backslash": `${H}Subject: "a\\b" (c) <d>\r\n\r\nx\r\n`,
  "subject with =": `${H}Subject: a=b ?= =?\r\n\r\nx\r\n`,
  "subject with lone ?=": `${H}Subject: ?=x\r\n\r\nx\r\n`,
  "subject CR CR LF": `${H}Subject: hi\r\r\n\r\nx\r\n`,
  "content-type spaces before ;": `${H}Subject: hi\r\nContent-Type: text/plain ; charset=utf-8\r\n\r\nx\r\n`,
  "content-type no space": `${H}Subject: hi\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nx\r\n`,
  "content-type mixed case": `${H}Subject: hi\r\nContent-Type: Text/Plain; Charset="UTF-8"\r\n\r\nx\r\n`,
  "content-type trailing ;": `${H}Subject: hi\r\nContent-Type: text/plain; charset=utf-8;\r\n\r\nx\r\n`,
  "content-type spaces around =": `${H}Subject: hi\r\nContent-Type: text/plain; charset = utf-8\r\n\r\nx\r\n`,
  "content-type trailing space": `${H}Subject: hi\r\nContent-Type: text/plain; charset=utf-8   \r\n\r\nx\r\n`,
  "content-type tab": `${H}Subject: hi\r\nContent-Type:\ttext/plain;\tcharset=us-ascii\r\n\r\nx\r\n`,
  "content-type empty": `${H}Subject: hi\r\nContent-Type:\r\n\r\nx\r\n`,
  "content-type comment": `${H}Subject: hi\r\nContent-Type: text/plain (plain); charset=utf-8\r\n\r\nx\r\n`,
  "content-type quoted odd charset": `${H}Subject: hi\r\nContent-Type: text/plain; charset="utf-8 "\r\n\r\nx\r\n`,
  "transfer 8bit on ASCII": `${H}Subject: hi\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nplain ascii\r\n`,
  "transfer with spaces": `${H}Subject: hi\r\nContent-Transfer-Encoding:   7bit   \r\n\r\nx\r\n`,
  "transfer with comment": `${H}Subject: hi\r\nContent-Transfer-Encoding: 7bit (x)\r\n\r\nx\r\n`,
  "transfer binary": `${H}Subject: hi\r\nContent-Transfer-Encoding: binary\r\n\r\nx\r\n`,
  "dot lines": `${H}Subject: hi\r\n\r\n.\r\n..\r\n...\r\n.x\r\n`,
  "NUL in body": `${H}Subject: hi\r\n\r\na\u0000b\r\n`,
  "NUL in subject": `${H}Subject: a\u0000b\r\n\r\nx\r\n`,
  "DEL in body": `${H}Subject: hi\r\n\r\na\u007fb\r\n`,
  "long body line": `${H}Subject: hi\r\n\r\n${"a".repeat(200_000)}\r\nend\r\n`,
  "long subject": `${H}Subject: ${"s ".repeat(5000)}\r\n\r\nx\r\n`,
  "long header line": `${H}X-Long: ${"y".repeat(100_000)}\r\nSubject: hi\r\n\r\nx\r\n`,
  "LF head CRLF body": "From: a@example.org\nSubject: hi\n\nx\r\ny\r\n",
  "CRLF head LF blank": "From: a@example.org\r\nSubject: hi\r\n\nx\r\n",
  "no subject": `${H}\r\nx\r\n`,
  "no fields but subject": "Subject: only\r\n\r\nx\r\n",
  "field with no value then body": `${H}X-Empty:\r\nSubject: hi\r\n\r\nx\r\n`,
  "mime-version and plain": `${H}MIME-Version: 1.0\r\nSubject: hi\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello\r\n-- \r\nsig\r\n`,
  "body looks like headers": `${H}Subject: hi\r\n\r\nSubject: other\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n`,
  "body with boundary-like line": `${H}Subject: hi\r\n\r\n--x\r\n--x--\r\n`,
  "subject with html-like text": `${H}Subject: <b>&amp;</b>\r\n\r\nx\r\n`,
  "body with =3D and soft break": `${H}Subject: hi\r\n\r\na=3Db=\r\nc\r\n`,
  "field name with space": `${H}Subject : hi\r\n\r\nx\r\n`,
  "__proto__ field": `${H}__proto__: x\r\nconstructor: y\r\nSubject: hi\r\n\r\nx\r\n`,
  "CR then CRLF after the header block": `${H}Subject: x\r\n\r\r\nbody\r\n`,
  "body starting with CR": `${H}Subject: x\r\n\r\n\rbody`,
  "LF then CRLF after the header block": `${H}Subject: x\r\n\n\r\nbody`,
  "header block ending in a lone CR": `${H}Subject: x\r\n\r`,
  "body of one CR": `${H}Subject: x\r\n\r\n\r`,
  "line of a space in the header block": `${H}Subject: x\r\n \r\n\r\nb`,
  "line of a tab in the header block": `${H}Subject: x\r\n\t\r\n\r\nb`,
  "body of CRs": `${H}Subject: x\r\n\r\n${"x\r".repeat(5)}`,
  "body of CR CR CRLF": `${H}Subject: x\r\n\r\n\r\r\r\n`,
  "subject of a tab": "Subject: \t\r\n\r\nx",
  "empty field name": ":\r\n\r\nx",
  "field of a colon line": "Subject: a\r\n:b\r\n\r\nx",
  "continuation after subject": "Subject: a\r\n X\r\n\r\nx",
  "two content-types": "Subject: a b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Type: text/plain\r\n\r\nx",
  "7BIT with soft break text": "Subject: a\r\nContent-Transfer-Encoding: 7BIT\r\n\r\nx=\r\ny",
  "8bit with =41": "Subject: a\r\nContent-Transfer-Encoding: 8bit\r\n\r\n=41",
};

async function compare(name: string, text: string): Promise<boolean> {
  const raw = Buffer.from(text, "latin1");
  const opts = { listAddress: "list@lists.localhost", envelope: { mailFrom: "from@example.org", rcptTo: "list@lists.localhost" } };
  assert.deepEqual(await parseEml(raw, opts), await parseEml(raw, { ...opts, alwaysMailparser: true }), name);
  const h = readHeaders(raw);
  const plain = h.problems.length ? undefined : plainTextParts(raw, h.fields, h.end);
  if (!plain) return false;
  const m = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, checksumAlgo: false });
  assert.deepEqual({ ...plain, html: m.html }, { subject: m.subject, text: m.text, html: m.html, attachments: m.attachments }, name);
  return true;
}

for (const [name, text] of Object.entries(CASES)) {
  test(`plain reading and mailparser agree: ${name}`, async () => {
    await compare(name, text);
  });
}

test("the plain reading does take most of these cases (the comparison is not empty)", async () => {
  let taken = 0;
  for (const [name, text] of Object.entries(CASES)) if (await compare(name, text)) taken++;
  assert.ok(taken >= 20, `${taken} taken the plain way`);
});
