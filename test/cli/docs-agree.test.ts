/**
 * Where the docs and the code disagreed, the winner (issue 12), through the
 * CLI in-process (cli/main.ts `main(args, io)`) on real compiled rules:
 * reply's recipient, `expect send(to:)`, tests' list owners, a member
 * without a name, and the state diff of `run`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../cli/main.js";
import { BufferStream } from "../../cli/io.js";
import { tempDir, type TempDir } from "../helpers/cli.js";

async function cli(t: TempDir, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new BufferStream();
  const err = new BufferStream();
  const code = await main(args, { cwd: t.dir, env: {}, stdout: out, stderr: err });
  return { code, out: out.text(), err: err.text() };
}

const eml = (from: string, extra = ""): string => `From: ${from}\r\nTo: desk@example.org\r\n${extra}Subject: Help\r\nMessage-ID: <h1@example.com>\r\n\r\nPlease\r\n`;

const REPLY = `rule desk

on message(m: Message) {
  reply(m, text: "Thanks")
}
`;

const NAMES = `rule names

state {
  greeted: string max 300 = ""
}

on message(m: Message) {
  let who = members.get(m.from)
  if who != none {
    state.greeted = "[{who.name}] {who.name.length}"
  }
}

test "a member without a name has the name \\"\\"" {
  members = ["ann@example.org"]
  message = { from: "ann@example.org", subject: "s", text: "t" }
  expect state.greeted == "[] 0"
}
`;

const SENDS = `rule fan

on message(m: Message) {
  send(to: ["a@example.org", "b@example.org"], subject: "s", text: "t")
}

test "the exact set passes, in any order and with repeats" {
  message = { from: "x@example.org", subject: "s", text: "t" }
  expect send(to: ["b@example.org", "a@example.org", "a@example.org"])
}

test "a subset does not" {
  message = { from: "x@example.org", subject: "s", text: "t" }
  expect send(to: "a@example.org")
}

test "a superset does not" {
  message = { from: "x@example.org", subject: "s", text: "t" }
  expect send(to: ["a@example.org", "b@example.org", "c@example.org"])
}
`;

const OWNERS = `rule owners

on message(m: Message) {
  send(to: list.owners, subject: "to the owners", text: m.text)
}

test "owners come from the roster" {
  members = [{ address: "ann@example.org", name: "Ann", role: "owner" }, { address: "bob@example.org", name: "Bob" }]
  message = { from: "x@example.org", subject: "s", text: "t" }
  expect send(to: "ann@example.org")
}
`;

const TIMES = `rule times

state {
  last: Time = 2026-11-25T09:00:00Z
  seen: Map<string max 10, Time> max 5 = { "a": 2026-11-25T09:00:00Z }
  count: int = 0
}

on message(m: Message) {
  state.count += 1
}
`;

let t: TempDir;
before(() => {
  t = tempDir({
    "desk.thwonk": REPLY,
    "names.thwonk": NAMES,
    "fan.thwonk": SENDS,
    "owners.thwonk": OWNERS,
    "times.thwonk": TIMES,
    "one.txt": "ann@example.org\n",
    "ann.eml": eml("Ann <ann@example.org>"),
    "forged.eml": eml("Ann <ann@example.org>", "Reply-To: victim@example.net\r\n"),
    "state.json": JSON.stringify({ last: "2026-11-25T09:00:00Z", seen: { a: "2026-11-25T09:00:00Z" }, count: 0 }),
  });
});
after(() => t.remove());

test("reply goes to the envelope sender, not From or Reply-To, and never to <>", async () => {
  const bounce = await cli(t, "run", "desk.thwonk", "--message", "ann.eml", "--mail-from", "<>", "--json");
  assert.equal(bounce.code, 0, bounce.err);
  assert.deepEqual(JSON.parse(bounce.out).actions, []);
  const relayed = await cli(t, "run", "desk.thwonk", "--message", "forged.eml", "--mail-from", "<bounces@relay.example.com>", "--json");
  assert.equal(relayed.code, 0, relayed.err);
  const actions = JSON.parse(relayed.out).actions as { kind: string; to: string[] }[];
  assert.deepEqual(actions.map((a) => [a.kind, a.to]), [["reply", ["bounces@relay.example.com"]]]);
  const plain = await cli(t, "run", "desk.thwonk", "--message", "forged.eml", "--json");
  assert.deepEqual(JSON.parse(plain.out).actions[0].to, ["ann@example.org"]);
});

test("a member without a name is \"\" in run and in tests", async () => {
  const run = await cli(t, "run", "names.thwonk", "--message", "ann.eml", "--members", "one.txt", "--json");
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(JSON.parse(run.out).state, { greeted: "[] 0" });
  const tests = await cli(t, "test", "names.thwonk");
  assert.equal(tests.code, 0, tests.out + tests.err);
  assert.match(tests.out, /1 passed, 0 failed/);
});

test("expect send(to: X) is the exact set of recipients", async () => {
  const r = await cli(t, "test", "fan.thwonk");
  assert.equal(r.code, 1);
  assert.match(r.out, /1 passed, 2 failed/);
  assert.match(r.out, /✓ the exact set passes/);
  assert.match(r.out, /✗ a subset does not/);
  assert.match(r.out, /✗ a superset does not/);
});

test("list.owners in a test comes from the roster, as in run", async () => {
  const r = await cli(t, "test", "owners.thwonk");
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /1 passed, 0 failed/);
});

test("the state diff shows only real changes: an instant written another way is the same instant", async () => {
  const r = await cli(t, "run", "times.thwonk", "--message", "ann.eml", "--state", "state.json");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /count: 0 → 1/);
  assert.doesNotMatch(r.out, /last:|"a":|\.000Z/);
  assert.match(r.out, /unchanged: last, seen/);
  const fresh = await cli(t, "run", "times.thwonk", "--message", "ann.eml");
  assert.doesNotMatch(fresh.out, /last:|\.000Z/);
});
