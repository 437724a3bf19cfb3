// The Maildir file of an outbox row: the envelope goes in front as Return-Path and X-Thwonk-Recipients,
// unless the message's own header block already names its recipients (a row written by an older build).
import { test } from "node:test";
import assert from "node:assert/strict";
import { maildirBytes } from "../../runtime/daemon/outbox.js";

const row = (raw: string) => ({ address: "list@lists.example", recipients: ["a@x.example", "b@y.example"], raw: Buffer.from(raw, "latin1") });

test("a message gets its envelope in front, the recipients folded", () => {
  const r = row("From: list@lists.example\r\nSubject: hi\r\n\r\nX-Thwonk-Recipients: in the body\r\n");
  const out = maildirBytes(r).toString("latin1");
  assert.ok(out.startsWith("Return-Path: <list-bounces@lists.example>\r\nX-Thwonk-Recipients: a@x.example,\r\n b@y.example\r\nFrom: "), out.slice(0, 120));
  assert.ok(out.endsWith(r.raw.toString("latin1")));
});

test("a header block that names its recipients already is kept as it is, in any case and position", () => {
  for (const raw of ["X-Thwonk-Recipients: a@x.example\r\nFrom: l@x\r\n\r\nbody", "From: l@x\r\nx-thwonk-recipients: a@x.example\r\n\r\nbody", "From: l@x\r\nX-THWONK-RECIPIENTS: a\r\n"]) {
    const r = row(raw);
    assert.equal(maildirBytes(r), r.raw, JSON.stringify(raw));
  }
});

test("a field that only ends in the name, or the name past the header block, does not count", () => {
  for (const raw of ["From: l@x\r\nOld-X-Thwonk-Recipients: a\r\n\r\nbody", "From: l@x\r\nSubject: X-Thwonk-Recipients: a\r\n\r\n", "From: l@x\r\n\r\nX-Thwonk-Recipients: a\r\n"]) {
    const out = maildirBytes(row(raw)).toString("latin1");
    assert.ok(out.startsWith("Return-Path: "), JSON.stringify(raw));
  }
});
