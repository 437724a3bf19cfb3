/** `test` blocks: inputs, runs and expectations, in the rule file and in test files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, check, found } from "./harness.js";

const RULE = `rule r
state {
  count: int
  seen: Map<Address, Time> max 10 = {}
}
on message(m: Message) {
  if m.isAutomated() { return }
  state.count += 1
  reply(m, text: "thanks")
}
every day at 00:00 { state.count = 0 }
`;

test("given clauses: members, now, state and the message", () => {
  assertClean(RULE + `test "t" {
  members = ["ann@example.org", { address: "bob@example.org", name: "Bob", role: "moderator", joined: 2026-01-01 }]
  now = 2026-11-25T12:00:00+01:00
  state.count = 2
  state.seen = { "ann@example.org": 2026-11-24 }
  message = { from: "ann@example.org", to: ["r@example.org"], subject: "hi", text: "x", envelope: { recipient: "r-request@example.org", isRequest: true } }
  expect reply(text: "thanks")
  expect state.count == 3
}
`);
});

test("a message may be an .eml file", () => {
  assertClean(RULE + `test "t" {\n  message = "fixtures/post.eml"\n  expect reply\n}\n`);
});

test("a record given for the message is checked against Message's fields", () => {
  assert.deepEqual(found(RULE + `test "t" {\n  message = { from: "not an address", subjct: "x", text: 3 }\n}\n`), ["13:21 TW2035", "13:39 TW2012", "13:58 TW2020"]);
});

test("members given as addresses or member records", () => {
  assert.deepEqual(found(RULE + `test "t" {\n  members = ["ann@example.org", 3, { address: "b@example.org", rol: "owner" }]\n}\n`), ["13:33 TW2020", "13:64 TW2012"]);
});

test("state inputs are typed by the state field", () => {
  assert.deepEqual(found(RULE + `test "t" {\n  state.count = "x"\n  state.seen = { "a@example.org": 1 }\n}\n`), ["13:17 TW2020", "14:35 TW2020"]);
});

test("`run every day` matches `every day at 00:00`", () => {
  const r = check(RULE + `test "t" {\n  run every day\n  expect state.count == 0\n}\n`);
  assert.deepEqual(r.diagnostics, []);
  const t = r.units[0]!.check.model.tests[0]!;
  assert.equal(t.trigger?.kind, "every");
});

test("expect: action patterns check their named arguments, all optional", () => {
  assertClean(RULE + `test "t" {\n  expect reply\n  expect reply(text: "thanks")\n  expect no send\n  expect no send(to: "x@example.org")\n  expect no members.add\n  expect no reject("x")\n}\n`);
  assert.deepEqual(found(RULE + `test "t" {\n  expect reply(txt: "thanks")\n  expect send(to: 3)\n}\n`), ["13:16 TW2041", "14:19 TW2021"]);
});

test("expect: a condition must be a bool", () => {
  assert.deepEqual(found(RULE + `test "t" {\n  expect state.count\n  expect state.count == "x"\n}\n`), ["13:10 TW2107", "14:10 TW2027"]);
});

test("a test file is checked with the rule's state, types and triggers", () => {
  assertClean(RULE, `test "from the test file" {\n  state.count = 1\n  expect reply\n}\n`);
  assert.deepEqual(found(RULE, `test "x" {\n  state.cont = 1\n}\n`), ["2:9 TW2012"]);
});

test("test names are unique across the rule file and its test files", () => {
  const r = check(RULE + `test "a" { expect reply }\n`, `test "a" { expect reply }\n`);
  assert.deepEqual(r.diagnostics.map((d) => `${d.span.file} ${d.code}`), ["rule.test.thwonk TW2100"]);
});
