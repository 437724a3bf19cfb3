// The Received field as written with the date kept per second and the fold put in directly: byte for byte the field
// the value with its last "; " folded gives (the way it was written before), for hostile sessions and many times.
import assert from "node:assert/strict";
import { test } from "node:test";
import { receivedBefore, receivedValue, rfc5322Date, withReceived, type ReceivedSession } from "../../runtime/mail/received.js";

function reference(raw: Buffer, s: ReceivedSession, by: string, at: number): Buffer {
  const value = receivedValue(s, by, at);
  const field = `Received: ${value.replace(/; (?=[^;]*$)/, ";\r\n\t")}\r\n`;
  return Buffer.concat([Buffer.from(field, "latin1"), raw]);
}

const sessions: ReceivedSession[] = [
  {},
  { hostNameAppearsAs: "mx.example.net", clientHostname: "[10.0.0.1]", remoteAddress: "::ffff:10.0.0.1", transmissionType: "ESMTPS", id: "ABC123", envelope: { rcptTo: [{ address: "list@example.org" }] } },
  { hostNameAppearsAs: "a; b", remoteAddress: "2001:db8::1", transmissionType: "LMTP", id: "x;y", envelope: { rcptTo: [{ address: "a;b@example.org" }] } },
  { hostNameAppearsAs: "x;y", clientHostname: "rdns;; .example", envelope: { rcptTo: [{ address: ";@x.org" }, { address: "b@x.org" }] } },
  { hostNameAppearsAs: "\u00e9\u{1F600}", remoteAddress: "not an ip", id: "", transmissionType: "smtp", envelope: { rcptTo: [{ address: "list;\u00e9@example.org" }] } },
];

test("withReceived writes the field the folded value gives, at times across second and day boundaries", () => {
  const raw = Buffer.from("Subject: x\r\n\r\nbody\r\n");
  const starts = [0, 999, 1000, 86_399_999, 1_796_564_490_715, Date.UTC(2026, 11, 31, 23, 59, 59, 998)];
  for (const t0 of starts) {
    for (let k = 0; k < 5; k++) {
      const at = t0 + k; // several within one second, and the step over it
      for (const s of sessions) assert.deepEqual(withReceived(raw, s, "lists.example.org", at), reference(raw, s, "lists.example.org", at), `${at} ${JSON.stringify(s)}`);
    }
  }
});

test("rfc5322Date: the kept second gives the date of that second, not of the one before", () => {
  const seen: string[] = [];
  for (const at of [1000, 1999, 2000, 1999, 2000, 60_000, 59_999]) seen.push(rfc5322Date(at));
  assert.deepEqual(seen, [
    "Thu, 01 Jan 1970 00:00:01 +0000",
    "Thu, 01 Jan 1970 00:00:01 +0000",
    "Thu, 01 Jan 1970 00:00:02 +0000",
    "Thu, 01 Jan 1970 00:00:01 +0000",
    "Thu, 01 Jan 1970 00:00:02 +0000",
    "Thu, 01 Jan 1970 00:01:00 +0000",
    "Thu, 01 Jan 1970 00:00:59 +0000",
  ]);
  assert.equal(rfc5322Date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
  assert.equal(rfc5322Date(Number.NaN), "Invalid Date");
  assert.equal(rfc5322Date(Number.NaN), "Invalid Date");
});

test("receivedBefore of a message's chunks is withReceived of them joined, for empty, one and many chunks", () => {
  const at = 1_796_564_490_715;
  const s = sessions[1]!;
  const cases: Buffer[][] = [[], [Buffer.alloc(0)], [Buffer.from("a")], [Buffer.from("Subject: ☕\r\n"), Buffer.alloc(0), Buffer.from("\r\nbody\r\n")], Array.from({ length: 300 }, (_, i) => Buffer.from(`line ${i}\r\n`))];
  for (const chunks of cases) assert.deepEqual(receivedBefore(chunks, s, "h.example", at), withReceived(Buffer.concat(chunks), s, "h.example", at));
});

test("receivedBefore keeps a field head only while the session says the same: a session changed in place, or another, writes its own", () => {
  const raw = Buffer.from("Subject: x\r\n\r\nbody\r\n");
  const at = 1_796_564_490_715;
  const s: ReceivedSession = { hostNameAppearsAs: "a.example", remoteAddress: "10.0.0.1", id: "ID1", transmissionType: "ESMTP", envelope: { rcptTo: [{ address: "list@example.org" }] } };
  const changes: ((x: ReceivedSession) => void)[] = [
    () => undefined,
    (x) => (x.hostNameAppearsAs = "b.example"),
    (x) => (x.clientHostname = "rdns.example"),
    (x) => (x.remoteAddress = "10.0.0.2"),
    (x) => (x.transmissionType = "LMTP"),
    (x) => (x.id = "ID2"),
    (x) => (x.envelope = { rcptTo: [{ address: "other@example.org" }] }),
    (x) => x.envelope!.rcptTo && (x.envelope!.rcptTo as { address: string }[]).push({ address: "b@example.org" }),
    (x) => (x.envelope = { rcptTo: [] }),
    // A recipient named beyond Latin-1 (the field is written a byte a UTF-16 unit, as Buffer.from(latin1) did).
    (x) => (x.envelope = { rcptTo: [{ address: "\u{1F600}zo\u00eb\u0100@example.org" }] }),
    (x) => (x.hostNameAppearsAs = 7 as unknown as string),
    (x) => (x.hostNameAppearsAs = undefined),
  ];
  for (const change of changes) {
    // Written once as it is, then changed in place and written again: the head kept from the first is not the second's.
    assert.deepEqual(receivedBefore([raw], s, "lists.example.org", at), reference(raw, s, "lists.example.org", at));
    change(s);
    assert.deepEqual(receivedBefore([raw], s, "lists.example.org", at), reference(raw, s, "lists.example.org", at), JSON.stringify(s));
    for (const by of ["lists.example.org", "other.example"]) {
      for (const chunks of [[raw], [raw.subarray(0, 5), raw.subarray(5)], []]) {
        const whole = Buffer.concat(chunks);
        assert.deepEqual(receivedBefore(chunks, s, by, at), reference(whole, s, by, at), JSON.stringify(s));
        for (const other of sessions) assert.deepEqual(receivedBefore(chunks, other, by, at), reference(whole, other, by, at));
      }
    }
  }
});

test("a recipient past ASCII (RFC 6531) is not named: the field is written a byte a character, so it stays ASCII", () => {
  const at = Date.UTC(2026, 11, 7);
  assert.match(receivedValue({ envelope: { rcptTo: [{ address: "ann@example.org" }] } }, "lists.example.org", at), / for <ann@example\.org>; /);
  for (const address of ["ännä@example.org", "😀@example.org", "a\u00e9b@example.org"]) {
    const raw = withReceived(Buffer.from("Subject: x\r\n\r\n"), { envelope: { rcptTo: [{ address }] } }, "lists.example.org", at);
    assert.doesNotMatch(raw.toString("latin1"), / for </, address);
    assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(raw), address);
  }
});
