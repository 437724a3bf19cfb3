/**
 * The daemon keeps each parsed message (keepJson, runtime/daemon/runner.ts):
 * frozen through, its JSON written once. The inputs that carry it must still
 * be JSON.stringify's, and a kept message's check against the same limits
 * is remembered, never against other limits or another size.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { encodeInput } from "../../runtime/input/build.js";
import { checkMessage, keepJson, parseEml } from "../../runtime/input/index.js";
import { bundleInput, bundleLimits } from "../../runtime/run/input.js";

const source = (subject: number): string => `rule kept\n\nlimits { members: 5, subject: ${subject}, size: 400 }\n\non message(m: Message) {\n  reply(m, text: m.subject)\n}\n`;

function bundle(subject: number) {
  const r = compileSource("kept.thwonk", source(subject));
  assert.ok(r.bundle, JSON.stringify(r.diagnostics));
  return r.bundle!;
}
const RAW = "From: Zoë <zoe@example.org>\r\nTo: list@example.org\r\nSubject: a subject of thirty characters\r\n\r\nhi ☕ \u2028 \"q\" \\\r\n";

test("a kept message is frozen through, and an input carrying it is JSON.stringify's", async () => {
  const b = bundle(100);
  const { message } = await parseEml(Buffer.from(RAW), { listAddress: "list@example.org" });
  const plain = JSON.stringify(message);
  keepJson(message);
  assert.ok(Object.isFrozen(message) && Object.isFrozen(message.headers) && Object.isFrozen(message.headers[0]) && Object.isFrozen(message.envelope));
  assert.throws(() => {
    (message as { approved?: boolean }).approved = true;
  }, TypeError);
  const input = bundleInput(b, { now: 1, address: "list@example.org", members: [], state: null, message, messageSize: 100 });
  // The members go apart, in columns; the rest is the JSON.
  const { members: _members, ...rest } = input;
  assert.equal(encodeInput(input).inputJson, JSON.stringify(rest));
  assert.ok(encodeInput(input).inputJson.includes(plain));
  // An approved copy (as the runner makes one) is a new object, written in full.
  const approved = { ...rest, message: { ...message, approved: true } };
  assert.equal(encodeInput(approved).inputJson, JSON.stringify(approved));
});

test("a kept message's check is remembered for the same limits and size only", async () => {
  const limits = bundleLimits(bundle(10));
  const { message, size } = await parseEml(Buffer.from(RAW), { listAddress: "list@example.org" });
  const before = checkMessage(message, limits, size);
  keepJson(message);
  const once = checkMessage(message, limits, size);
  assert.deepEqual(once, before);
  assert.deepEqual(once.map((p) => p.code), ["TW5020"], "the subject is over limits.subject = 10");
  once.push({ code: "X", message: "a caller's change" });
  assert.deepEqual(checkMessage(message, limits, size), before, "a caller's change to the answer is not remembered");
  assert.equal(checkMessage(message, limits, 10_000).length, 2, "another size is checked again");
  assert.deepEqual(checkMessage(message, bundleLimits(bundle(100)), size), [], "other limits are checked again");
  assert.deepEqual(checkMessage(message, limits, size), before);
});
