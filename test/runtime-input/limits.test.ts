/** Limits before a run: a message over one is refused whole, with the limit, the actual value and how to raise it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import { stdlib } from "../../stdlib/index.js";
import { LOCAL_MAX } from "../../contract/values.js";
import {
  checkList,
  checkMembers,
  checkMessage,
  resolveLimits,
  ruleLimitsOf,
  runtimeLimits,
  type MemberJson,
  type MessageJson,
} from "../../runtime/input/index.js";

function message(over: Partial<MessageJson> = {}): MessageJson {
  return {
    from: "ann@example.org", to: ["list@example.org"], cc: [], subject: "Hello", text: "Hi all", html: null,
    headers: [["From", "ann@example.org"], ["Subject", "Hello"]], attachments: [], date: null, messageId: "x@example.org",
    envelope: { sender: "ann@example.org", recipient: "list@example.org", isRequest: false, tag: null },
    ...over,
  };
}

const member = (address: string, over: Partial<MemberJson> = {}): MemberJson => ({ address, name: "", role: "member", joined: 0, ...over });

test("runtime limits: every stdlib limit, the rule's values over the defaults, in declared units (the code scales characters)", () => {
  const l = runtimeLimits({ subject: { value: 140, unit: "characters" }, members: { value: 50, unit: "members" } });
  assert.deepEqual(Object.keys(l).sort(), Object.keys(stdlib.limits).sort());
  assert.equal(l["subject"], 140);
  assert.equal(l["members"], 50);
  assert.equal(l["text"], stdlib.limits["text"]!.default);
  assert.equal(l["page"], stdlib.limits["page"]!.default);
  assert.equal(l["size"], stdlib.limits["size"]!.default);
});

test("a rule's limits from its checked model", () => {
  const src = 'rule r\nlimits { members: 20, subject: 100 }\non message(m: Message) { log(m.subject) }\n';
  const unit = checkSources([{ fileName: "r.thwonk", text: src }]).units[0]!;
  const rule = ruleLimitsOf(unit.check.model.limits);
  assert.deepEqual(rule["members"], { value: 20, unit: "members" });
  assert.deepEqual(rule["subject"], { value: 100, unit: "characters" });
  assert.equal(resolveLimits(rule)["text"]!.value, stdlib.limits["text"]!.default);
});

test("a message within its limits passes", () => {
  assert.deepEqual(checkMessage(message()), []);
});

test("characters are code points: 10 emoji fit a 10-character subject, 11 do not", () => {
  const limits = { subject: { value: 10, unit: "characters" as const } };
  assert.deepEqual(checkMessage(message({ subject: "🌞".repeat(10) }), limits), []);
  const [p, ...rest] = checkMessage(message({ subject: "🌞".repeat(11) }), limits);
  assert.deepEqual(rest, []);
  assert.equal(p!.code, "TW5020");
  assert.equal(
    p!.message,
    "The message was refused: its subject is 11 characters, over `limits.subject` = 10 characters. Messages are refused whole, never cut. " +
      "Raise `limits { subject: 11 }` in the rule (at most 2,000), or the sender must send a smaller one.",
  );
});

test("every bounded part of a message is checked against its limit", () => {
  const limits = {
    text: { value: 5, unit: "characters" as const }, html: { value: 5, unit: "characters" as const },
    header: { value: 20, unit: "characters" as const }, headers: { value: 2, unit: "items" as const },
    recipients: { value: 2, unit: "items" as const }, attachments: { value: 1, unit: "items" as const },
    size: { value: 100, unit: "bytes" as const },
  };
  const m = message({
    text: "123456", html: "<p>1</p>", to: ["a@x.org", "b@x.org"], cc: ["c@x.org"],
    headers: [["From", "ann@example.org"], ["X-Long", "y".repeat(21)], ["Subject", "Hello"]],
    attachments: [{ filename: "f".repeat(21), contentType: "text/plain", size: 1 }, { filename: null, contentType: "a/" + "b".repeat(30), size: 1 }],
  });
  const found = checkMessage(m, limits, 101).map((p) => p.message.replace(/ Messages are refused.*/, ""));
  assert.deepEqual(found, [
    "The message was refused: its size is 101 bytes, over `limits.size` = 100 bytes.",
    "The message was refused: its text is 6 characters, over `limits.text` = 5 characters.",
    "The message was refused: its HTML body is 8 characters, over `limits.html` = 5 characters.",
    "The message was refused: its number of header fields is 3 fields, over `limits.headers` = 2 fields.",
    "The message was refused: its longest header field, X-Long, is 21 characters, over `limits.header` = 20 characters.",
    "The message was refused: its number of To and Cc addresses is 3 addresses, over `limits.recipients` = 2 addresses.",
    "The message was refused: its number of attachments is 2 attachments, over `limits.attachments` = 1 attachments.",
    "The message was refused: the file name of attachment 1 is 21 characters, over `limits.header` = 20 characters.",
    "The message was refused: the content type of attachment 2 is 32 characters, over `limits.header` = 20 characters.",
  ]);
});

test("the Message-ID is checked even when the message has no header fields (a message built by hand)", () => {
  const [p] = checkMessage(message({ headers: [], messageId: "m".repeat(30) }), { header: { value: 20, unit: "characters" } });
  assert.match(p!.message, /its Message-ID is 30 characters/);
});

test("over the ceiling, the message says the limit cannot be raised that far", () => {
  const [p] = checkMessage(message({ subject: "s".repeat(2500) }));
  assert.match(p!.message, /its subject is 2,500 characters, over `limits.subject` = 500 characters\./);
  assert.match(p!.message, /`limits.subject` can be raised to at most 2,000, so the sender must send a smaller one\.$/);
});

test("members: the count against limits.members, names of at most 256 UTF-16 units, valid addresses, no duplicates", () => {
  const limits = { members: { value: 3, unit: "members" as const } };
  assert.deepEqual(checkMembers([member("a@x.org"), member("b@x.org")], limits), []);
  const problems = checkMembers(
    [member("a@x.org"), member("b@x.org", { name: "n".repeat(257) }), member("bad"), member("a@X.ORG"), member("c@x.org", { name: "🌞".repeat(129) })],
    limits,
  );
  assert.deepEqual(problems.map((p) => p.code), ["TW5021", "TW5022", "TW5022", "TW5022", "TW5022"]);
  assert.equal(
    problems[0]!.message,
    "The list has 5 members, over `limits.members` = 3, and the rule was not run. Raise `limits { members: 5 }` in the rule (at most 100,000), or remove members.",
  );
  assert.match(problems[1]!.message, /member 2 \(b@x\.org\).*name is 257 characters long/);
  assert.match(problems[2]!.message, /member 3 \(bad\).*"bad" is not an e-mail address/);
  assert.match(problems[3]!.message, /member 4 \(a@X\.ORG\).*listed twice/);
  assert.match(problems[4]!.message, /name is 129 characters long.*emoji, count twice/);
  assert.equal(checkMembers([member("a".repeat(64) + "@" + "d".repeat(252) + ".org")]).length, 1, "an address over 320 characters");
});

test("the list: address, name and owners", () => {
  assert.deepEqual(checkList({ address: "list@example.org", name: "List", owners: ["ann@example.org"] }), []);
  const problems = checkList({ address: "nope", name: "x".repeat(300), owners: ["bad owner"] });
  assert.deepEqual(problems.map((p) => p.code), ["TW5024", "TW5024", "TW5024"]);
  assert.match(problems[0]!.message, /its address "nope" is not an e-mail address/);
});

test("addresses and the envelope's +tag past the fixed sizes every bound assumes are refused (TW5025), at the limit accepted", () => {
  const long = (n: number): string => `${"a".repeat(n - "@example.org".length)}@example.org`;
  assert.deepEqual(checkMessage(message({ from: long(320), to: [long(320)], cc: [long(320)] })), []);
  const codes = (m: MessageJson): string[] => checkMessage(m).map((p) => p.code);
  assert.deepEqual(codes(message({ from: long(321) })), ["TW5025"]);
  assert.deepEqual(codes(message({ to: ["list@example.org", long(321)] })), ["TW5025"]);
  assert.deepEqual(codes(message({ cc: [long(400)] })), ["TW5025"]);
  assert.deepEqual(codes(message({ envelope: { sender: long(321), recipient: "list@example.org", isRequest: false, tag: null } })), ["TW5025"]);
  // A tag is at most a local part (LOCAL_MAX) but its first character long, in UTF-16 units.
  assert.deepEqual(codes(message({ envelope: { sender: null, recipient: "list@example.org", isRequest: false, tag: "t".repeat(LOCAL_MAX - 1) } })), []);
  assert.deepEqual(codes(message({ envelope: { sender: null, recipient: "list@example.org", isRequest: false, tag: "😀".repeat(LOCAL_MAX / 2) } })), ["TW5025"]);
  assert.match(checkMessage(message({ from: long(321) }))[0]!.message, /its From address is 321 characters long, and at most 320/);
});
