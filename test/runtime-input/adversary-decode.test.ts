/**
 * Issue 15's adversary on decoded header fields: an encoded word in a
 * UTF-16 or UTF-32 charset can carry half a surrogate pair
 * (`=?UTF-16BE?B?2D3YPQ==?=`), which libmime and mailparser decode as it is.
 * The input checks then refused the whole message as a fault of the host
 * (TW5xxx "the decoded value … has half a surrogate pair"), so any sender
 * could make a list drop their mail, and the Subject and the From name took
 * the lone halves into the rule (text the host reads must never have one:
 * its JSON escapes each to six characters, past the memory bound). Now a
 * value whose decoding has a lone half is kept as written (as one with
 * U+FFFD), the Subject too, and a display name gets U+FFFD for it. And the
 * other hostile encodings: control characters become spaces, four hundred
 * encoded words decode within the raw value's length.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEml } from "../../runtime/input/index.js";
import { checkMessage } from "../../runtime/input/limits.js";

const b64 = (bytes: number[] | Buffer): string => Buffer.from(bytes).toString("base64");
const LONE = /\p{Cs}/u;
const eml = (fields: string): string => `${fields}To: list@example.org\r\nMessage-ID: <a@example.org>\r\n\r\nhi\r\n`;

for (const [charset, bytes] of [
  ["UTF-16BE", [0xd8, 0x3d, 0xd8, 0x3d, 0x00, 0x41]],
  ["UTF-16LE", [0x00, 0xde, 0x41, 0x00]],
  ["UTF-32BE", [0, 0, 0xd8, 0x3d, 0, 0, 0, 0x41]],
] as const) {
  test(`adversary: an encoded word in ${charset} with half a surrogate pair is kept as written, and the message is read`, async () => {
    const word = `=?${charset}?B?${b64([...bytes])}?=`;
    const { message, problems } = await parseEml(eml(`From: ${word} <ann@example.org>\r\nSubject: Re: ${word}\r\nX-Note: ${word}\r\n`));
    assert.deepEqual(checkMessage(message).map((p) => p.message), [], "the message is not refused as the host's fault");
    assert.ok(!LONE.test(message.subject), `subject ${JSON.stringify(message.subject)}`);
    assert.ok(!LONE.test(message.fromName ?? ""), `fromName ${JSON.stringify(message.fromName)}`);
    for (const v of message.decoded ?? []) assert.ok(v === null || !LONE.test(v), `decoded ${JSON.stringify(v)}`);
    const note = message.headers.findIndex(([n]) => n === "X-Note");
    assert.equal(message.decoded?.[note], null, "X-Note kept as written");
    assert.equal(message.subject, `Re: ${word}`, "the Subject kept as written");
    assert.ok(problems.some((p) => /Subject/.test(p)), `the Subject's problem is said: ${problems.join("; ")}`);
  });
}

test("adversary: control characters an encoded word carries become spaces; bidi controls are text", async () => {
  const crlf = "=?UTF-8?Q?a=0D=0ABcc:_x@evil.example=00=7F?=";
  const bidi = `=?UTF-8?B?${b64(Buffer.from("a\u202eb\u2066c"))}?=`;
  const { message } = await parseEml(eml(`From: ${crlf} <ann@example.org>\r\nSubject: ${crlf}\r\nX-Crlf: ${crlf}\r\nX-Bidi: ${bidi}\r\n`));
  assert.deepEqual(checkMessage(message), []);
  const at = (name: string) => message.decoded![message.headers.findIndex(([n]) => n === name)];
  assert.equal(at("X-Crlf"), "a Bcc: x@evil.example ");
  assert.equal(at("X-Bidi"), "a\u202eb\u2066c");
  assert.ok(!/[\r\n\0]/.test(message.fromName ?? ""), JSON.stringify(message.fromName));
});

test("adversary: four hundred encoded words (a field at the header ceiling) decode within the raw value's length", async () => {
  const many = Array.from({ length: 400 }, (_, i) => `=?UTF-8?B?${b64(Buffer.from(i % 2 ? "é" : "😀"))}?=`).join(" ");
  const { message } = await parseEml(eml(`From: ann@example.org\r\nX-Many: ${many}\r\n`));
  const v = message.decoded![message.headers.findIndex(([n]) => n === "X-Many")]!;
  assert.equal(Array.from(v).length, 400);
  assert.ok(v.length <= many.length);
  assert.deepEqual(checkMessage(message, { header: { value: 8192, unit: "characters" } }), []);
});

test("adversary: an attachment's file name from a UTF-16 word with half a pair reads U+FFFD for it", async () => {
  const w = `=?UTF-16BE?B?${b64([0xd8, 0x3d, 0, 0x41])}?=`;
  const raw = `From: ann@example.org\r\nTo: list@example.org\r\nSubject: x\r\nMessage-ID: <a@b>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${w}"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--XX--\r\n`;
  const { message } = await parseEml(raw);
  assert.equal(message.attachments[0]?.filename, "\uFFFDA");
});
