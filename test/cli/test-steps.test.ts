/**
 * `thwonkc test` with several runs in one test: a given or `run every`
 * after an expectation starts the next run, which starts from the state,
 * members and time the last one left; each run's expectations see its own
 * actions; a later run that fails is reported where it starts. Real
 * compiled tests on QuickJS, through the CLI in-process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir } from "../helpers/cli.js";

const RULE = `rule steps

const LIMIT = 2

state { posts: Map<Address, int> max 10 = {} }

on message(m: Message) {
  if m.isAutomated() {
    return
  }
  let n = (state.posts.get(m.from) ?? 0) + 1
  if n > LIMIT {
    reply(m, text: "Too many posts today")
    return
  }
  if state.posts.has(m.from) or state.posts.size < 10 {
    state.posts.set(m.from, n)
  }
  if m.subject == "boom" {
    log("{10 / (n - n)}")
  }
  send(to: members, subject: m.subject, text: m.text)
}

every day at 00:00 {
  state.posts = {}
}
`;

const TESTS = `test "the third post of a day is refused, the next day it is fine" {
  members = ["ann@example.org", "bob@example.org"]
  message = { from: "ann@example.org", subject: "one", text: "1" }
  expect send(subject: "one")
  expect state.posts.get("ann@example.org") == 1

  message = { from: "ann@example.org", subject: "two", text: "2" }
  expect send(subject: "two")
  expect no send(subject: "one")

  message = { from: "ann@example.org", subject: "three", text: "3" }
  expect no send
  expect reply

  run every day at 00:00
  expect state.posts.size == 0

  message = "four.eml"
  expect send(subject: "four")
  expect state.posts.get("ann@example.org") == 1
}

test "a later expectation that fails" {
  members = ["ann@example.org"]
  message = { from: "ann@example.org", subject: "one", text: "1" }
  expect send
  message = { from: "ann@example.org", subject: "two", text: "2" }
  expect send(subject: "three")
}

test "a later run that fails" {
  members = ["ann@example.org"]
  message = { from: "ann@example.org", subject: "one", text: "1" }
  expect send
  message = { from: "ann@example.org", subject: "boom", text: "2" }
  expect send
}
`;

const EML = ["From: Ann <ann@example.org>", "To: steps@example.org", "Subject: four", "Message-ID: <4@example.org>", "", "4", ""].join("\r\n");

test("several runs in one test carry state; each run's expectations see its own actions", async () => {
  const t = tempDir({ "steps.thwonk": RULE, "steps.test.thwonk": TESTS, "four.eml": EML });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    const out = r.stdout + r.stderr;
    assert.match(out, /✓ the third post of a day is refused, the next day it is fine/);
    assert.match(out, /steps\.test\.thwonk:28:3: expected a `send\(subject: "three"\)`, but no send matches:\n {10}send at line \d+ has subject "two", not "three"\n {8}The run did:\n {10}send to the one member, subject "two", text "2"/);
    assert.match(out, /steps\.test\.thwonk:35:3: the run from line 35 failed: TW5010 at line 20: The rule divided by zero/);
    assert.match(out, /1 passed, 2 failed/);
    assert.equal(r.code, 1);
  } finally {
    t.remove();
  }
});
