/**
 * `thwonkc test` features for list owners: statements among the givens
 * (`let`, `for i in range(n)`, calls), `fn` helpers in the test file, the SMTP envelope of the run's message
 * (`-request`, `+tag`, a bounce's empty sender, also over an .eml),
 * `contains(...)` in an expected action, and failures that show what is
 * needed to fix them (the differing arguments, quoted text, the run's log).
 * Real compiled tests on QuickJS, through the CLI in-process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir } from "../helpers/cli.js";

const RULE = `rule gate

limits { members: 1000 }

state {
  recent: List<Time> max 200 = []
  seen: Map<Address, int> max 1000 = {}
}

on message(m: Message) {
  if m.envelope.sender == none {
    log("bounce from {m.from}")
    return
  }
  if m.envelope.isRequest {
    reply(m, text: "Welcome to {list.name}, tag {m.envelope.tag ?? "-"}")
    return
  }
  log("post {state.recent.size + 1} from {m.from}")
  if state.recent.size >= 200 {
    reject("The list has had its 200 posts; it is closed.")
  }
  state.recent.push(now)
  send(to: members, subject: "[gate] {m.subject}", text: m.text)
}
`;

const PASSING = `test "the 201st post is refused, built with a loop" {
  for i in range(200) {
    state.recent.push(2026-01-01T00:00:00Z + i * 1m)
  }
  let ann: Address = "ann@example.org"
  members = [ann]
  message = { from: ann, subject: "hi", text: "" }
  expect reject(reason: contains("closed"))
  expect state.recent.size == 200
}

test "a roster of 300 from a loop, and state carried to the next run" {
  var roster: List<string> = []
  for i in range(300) {
    roster.push("m{i}@example.org")
  }
  members = roster
  message = { from: "m7@example.org", subject: "one", text: "x" }
  expect send(subject: "[gate] one")
  expect members.size == 300
  let first = state.recent.size
  message = { from: "m8@example.org", subject: "two", text: "x" }
  expect state.recent.size == first + 1
}

test "the -request address with a +tag gets a welcome" {
  envelope = { recipient: "gate-request+blue@example.org" }
  expect reply(text: contains("Welcome"))
  expect reply(text: contains("tag blue"))
  expect no send
}

test "a bounce (MAIL FROM:<>) is only logged" {
  envelope = { sender: none }
  expect log(text: contains("bounce from"))
  expect no send
}

test "an .eml to the -request address" {
  message = "post.eml"
  envelope = { recipient: "gate-request@example.org" }
  expect reply(text: contains("tag -"))
}

test "an .eml to the list itself is a post" {
  members = ["ann@example.org"]
  message = "post.eml"
  expect send(subject: "[gate] from a file")
}

test "the envelope in a message record; a record's isRequest wins" {
  message = { subject: "s", text: "t", envelope: { recipient: "gate-request@example.org", isRequest: false } }
  expect send
  message = { subject: "s", text: "t", envelope: { recipient: "gate-request@example.org" } }
  expect reply
}
`;

const FAILING = `test "a send that differs" {
  members = ["ann@example.org", "bob@example.org"]
  message = { from: "ann@example.org", subject: "", text: "" }
  expect send(subject: "[gate] hello", text: contains("nope"))
  expect state.recent.size == 2
}

test "too many for a state max in the givens" {
  for i in range(201) {
    state.recent.push(2026-01-01T00:00:00Z)
  }
  expect no send
}

test "a runaway range" {
  for i in range(1000000) {
    state.seen.set("a@example.org", i)
  }
  expect no send
}
`;

const EML = ["From: Ann <ann@example.org>", "To: gate@example.org", "Subject: from a file", "Message-ID: <1@example.org>", "", "body", ""].join("\r\n");

test("statements among the givens, the envelope and contains(...) all pass", async () => {
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": PASSING, "post.eml": EML });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    const out = r.stdout + r.stderr;
    assert.match(out, /\n7 passed, 0 failed\n$/, out);
    assert.equal(r.code, 0);
  } finally {
    t.remove();
  }
});

test("failures show the differing arguments quoted, what the run did and its log; a test's own statements fail as givens", async () => {
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": FAILING });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    const out = r.stdout + r.stderr;
    // Each differing argument with what it was, an empty one visible as "".
    assert.match(out, /gate\.test\.thwonk:4:3: expected a `send\(subject: "\[gate\] hello", text: contains\("nope"\)\)`, but no send matches:\n {10}send at line \d+ has subject "\[gate\] ", not "\[gate\] hello"; text "", which does not contain "nope"\n/);
    assert.match(out, /The run did:\n {10}log "post 1 from ann@example\.org" \(line \d+\)\n {10}send to all 2 members, subject "\[gate\] ", text "" \(line \d+\)/);
    assert.match(out, /gate\.test\.thwonk:5:3: expected `state\.recent\.size == 2`, but `state\.recent\.size` is 1\n/);
    assert.match(out, /the run logged:\n {8}gate\.thwonk:\d+: "post 1 from ann@example\.org"/);
    // A loop in the givens that breaks a state max fails the test where it writes, as the test's givens.
    assert.match(out, /gate\.test\.thwonk:10:5: the test's givens failed: TW5012 at line 10: `state\.recent` would grow to 201/);
    // At the range call, not at the test.
    assert.match(out, /gate\.test\.thwonk:16:12: the test.s givens failed: range\(1000000\) gives at most 100,000 numbers/);
    assert.match(out, /\n0 passed, 3 failed\n$/);
    assert.equal(r.code, 1);
  } finally {
    t.remove();
  }
});

test("helpers of the test: a `let` seen by later clauses, unused ones warned about, contains(...) only in patterns", async () => {
  const tests = `test "lets" {
  let unused = 3
  let subject = "x"
  message = { subject: subject, text: "" }
  expect send(subject: "[gate] {subject}")
  expect state.recent.size == contains("x")
}
`;
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": tests });
  try {
    const r = await runCli(["check", t.dir], { cwd: t.dir });
    const out = r.stdout + r.stderr;
    assert.match(out, /TW2210/);
    assert.match(out, /warning TW2070: The variable `unused` is never used/);
    assert.doesNotMatch(out, /variable `subject` is never used/);
    assert.equal(r.code, 1);
  } finally {
    t.remove();
  }
});

test("fn helpers in the test file: called by tests, hidden from the rule, never in the deployed bundle", async () => {
  const tests = `fn fill(n: int) {
  for i in range(n) {
    state.recent.push(2026-01-01T00:00:00Z + i * 1s)
  }
}

fn post(subject: string): Message {
  return { from: "ann@example.org", subject: subject, text: "hello" }
}

test "helpers fill the state and build the message" {
  members = ["ann@example.org"]
  fill(200)
  message = post("hi")
  expect reject(reason: contains("closed"))
  message = post("again")
  expect state.recent.size == 200
}
`;
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": tests });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    assert.match(r.stdout, /✓ helpers fill the state and build the message/, r.stdout);
    assert.equal(r.code, 0);
    const c = await runCli(["compile", "gate.thwonk", "-o", "build"], { cwd: t.dir });
    assert.equal(c.code, 0, c.stderr);
    const bundle = readFileSync(join(t.dir, "build", "gate.thwb"), "utf8");
    assert.doesNotMatch(bundle, /\$fill|\$post/);
    // The rule cannot call a test file's helper.
    const rule = RULE.replace("state.recent.push(now)", "fill(1)");
    const u = tempDir({ "gate.thwonk": rule, "gate.test.thwonk": tests });
    try {
      const k = await runCli(["check", u.dir], { cwd: u.dir });
      assert.match(k.stdout + k.stderr, /gate\.thwonk:\d+:\d+: error TW2010: `fill` is not defined/);
    } finally {
      u.remove();
    }
  } finally {
    t.remove();
  }
});

test("the test's variables change by assignment (`n += i`, `subject = ...`) between runs; a `let` cannot", async () => {
  const tests = `test "assignments to the test's variables" {
  var n = 0
  var subject = "first"
  for i in range(3) {
    n += i
  }
  n += 10
  subject = "second {n}"
  members = ["ann@example.org"]
  message = { from: "ann@example.org", subject: subject, text: "" }
  expect send(subject: "[gate] second 13")
  subject = "third"
  message = { from: "ann@example.org", subject: subject, text: "" }
  expect send(subject: "[gate] third")
  expect state.recent.size == 2
}
`;
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": tests });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    assert.match(r.stdout, /\n1 passed, 0 failed\n$/, r.stdout);
  } finally {
    t.remove();
  }
  const u = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": 'test "x" {\n  let k = 1\n  k = 2\n  expect no send\n}\n' });
  try {
    const r = await runCli(["check", "--format", "json", u.dir], { cwd: u.dir });
    const d = (JSON.parse(r.stdout) as { code: string; fix?: { edits: { newText: string }[] } }[]).find((x) => x.code === "TW2050");
    assert.equal(d?.fix?.edits[0]?.newText, "var");
  } finally {
    u.remove();
  }
});

test("adversarial: __proto__ as a key built in the givens, emoji and line breaks quoted on one line, contains(\"\") matches any text", async () => {
  const rule = `rule adv

state {
  seen: Map<string max 40, int> max 5000 = {}
}

on message(m: Message) {
  log("size {state.seen.size}")
  send(to: members, subject: "🎉 {m.subject}", text: "line one\\nline two")
}
`;
  const tests = `test "a map built in a loop, __proto__ among its keys" {
  for i in range(4999) {
    state.seen.set("k{i}", i)
  }
  state.seen.set("__proto__", 7)
  members = ["ann@example.org"]
  message = { subject: "party", text: "" }
  expect send(subject: contains("🎉"), text: contains("\\nline two"))
  expect send(subject: contains(""))
  expect state.seen.get("__proto__") == 7
  expect state.seen.size == 5000
}

test "a failure with emoji and a line break" {
  members = ["ann@example.org"]
  message = { subject: "party", text: "" }
  expect send(text: "line one")
}
`;
  const t = tempDir({ "adv.thwonk": rule, "adv.test.thwonk": tests });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    const out = r.stdout;
    assert.match(out, /✓ a map built in a loop, __proto__ among its keys/, out);
    assert.match(out, /\n {10}send at line 9 has text "line one\\nline two", not "line one"\n/);
    assert.match(out, /\n {10}send to the one member, subject "🎉 party", text "line one\\nline two" \(line 9\)\n/);
    assert.match(out, /\n1 passed, 1 failed\n$/);
  } finally {
    t.remove();
  }
});

test("a statement among the expectations runs after the run, in order, and does not start another run", async () => {
  const tests = `test "a let among the expectations reads the run's state" {
  members = ["ann@example.org"]
  message = { subject: "one", text: "" }
  expect send
  let after = state.recent.size
  expect after == 1
  var total = 0
  for _t in state.recent {
    total += 1
  }
  expect total == after
  message = { subject: "two", text: "" }
  expect state.recent.size == after + 1
  expect after == 2
}
`;
  const t = tempDir({ "gate.thwonk": RULE, "gate.test.thwonk": tests });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    // Two runs: `after` is 1, read after the first; the last expectation is the one that fails.
    assert.match(r.stdout, /gate\.test\.thwonk:14:3: expected `after == 2`, but `after` is 1\n/, r.stdout);
    assert.doesNotMatch(r.stdout, /gate\.test\.thwonk:(6|11|13):/);
    assert.match(r.stdout, /\n0 passed, 1 failed\n$/);
  } finally {
    t.remove();
  }
});
