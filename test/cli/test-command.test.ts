/**
 * `thwonkc test` end to end: the examples' tests all pass; failures,
 * runtime errors, rules with errors and unreadable .eml files are reported
 * per test; the summary line `N passed, N failed` that CI reads; coverage.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";
import { repoRoot } from "../helpers/repo.js";

const RULE = `rule echo

limits { members: 10, fanout: 10 }

on message(m: Message) {
  if m.subject == "divide" {
    let zero = m.text.length - m.text.length
    log("{m.subject.length / zero}")
  } else if m.subject == "quiet" {
    return
  } else {
    send(to: members, subject: m.subject, text: m.text)
  }
}

test "inline: a post goes to the members" {
  members = [{ address: "ann@example.org", name: "Ann" }]
  message = { subject: "Hi", text: "Hello" }
  expect send(subject: "Hi")
}
`;

const TESTS = `test "the text is sent as it is" {
  members = [{ address: "ann@example.org", name: "Ann" }]
  message = { subject: "Hi", text: "Hello" }
  expect send(text: "Goodbye")
}

test "dividing by zero" {
  message = { subject: "divide", text: "x" }
  expect log
}

test "a message from a file" {
  members = [{ address: "ann@example.org", name: "Ann" }]
  message = "mail/post.eml"
  expect send(subject: "From a file", text: "Saved by a mail program\\n")
}

test "a file that is not there" {
  message = "mail/missing.eml"
  expect send
}
`;

const POST = [
  "From: Ann <ann@example.org>",
  "To: echo@example.org",
  "Subject: From a file",
  "Date: Wed, 25 Nov 2026 09:00:00 +0000",
  "Message-ID: <f1@example.org>",
  "",
  "Saved by a mail program",
  "",
].join("\r\n");

let t: TempDir;
before(async () => {
  t = tempDir({
    "rules/echo.thwonk": RULE,
    "rules/echo.test.thwonk": TESTS,
    "rules/mail/post.eml": POST,
    "good/pass.thwonk": `rule pass

on message(m: Message) {
  send(to: members, subject: m.subject, text: m.text)
}

test "passes" {
  members = [{ address: "ann@example.org", name: "Ann" }]
  expect send
}
`,
    "good/notests.thwonk": `rule notests

on message(m: Message) {
  reject("no")
}
`,
    "broken/bad.thwonk": `rule bad

on message(m: Message) {
  send(to: members, subject: m.subjct, text: m.text)
}
`,
    "broken/bad.test.thwonk": `test "one" {
  expect send
}

test "two" {
  expect no send
}
`,
    "empty/README.md": "nothing here",
  });
});
after(() => t.remove());

const cli = (args: string[], cwd = t.dir) => runCli(args, { cwd });

describe("thwonkc test on examples/", () => {
  test("every example's tests pass; the last line is `N passed, 0 failed`", async () => {
    const r = await cli(["test", "examples/"], repoRoot);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0, r.stdout);
    const lines = r.stdout.trimEnd().split("\n");
    const passed = lines.filter((l) => l.startsWith("  ✓ ")).length;
    assert.ok(passed >= 30, `expected the examples' tests, got ${passed}`);
    assert.equal(lines.filter((l) => l.startsWith("  ✗ ")).length, 0, r.stdout);
    assert.equal(lines.at(-1), `${passed} passed, 0 failed`);
    for (const name of readdirSync(join(repoRoot, "examples"))) {
      assert.ok(lines.includes(`examples/${name}/${name}.thwonk`), `${name} is listed`);
    }
  });

  test("--coverage: per rule, the share of statement lines reached and the lines missed", async () => {
    const r = await cli(["test", "examples/once_a_day", "examples/trim140", "--coverage"], repoRoot);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\n {2}coverage: 100% \(3 of 3 statement lines reached\)\n/);
    assert.match(r.stdout, /\n {2}coverage: [\d.]+% \((\d+) of (\d+) statement lines reached\); not reached:\n {4}examples\/once_a_day\/once_a_day\.thwonk:19 {2}return\n/);
    assert.match(r.stdout, /\n\d+ passed, 0 failed\n$/);
  });
});

describe("thwonkc test reports each test", () => {
  test("failures with file:line:col, runtime errors with their code, a missing .eml; exit 1", async () => {
    const r = await cli(["test", "rules"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const out = r.stdout;
    assert.match(out, /^rules\/echo\.thwonk\n/);
    assert.match(out, /\n {2}✓ inline: a post goes to the members\n/);
    assert.match(out, /\n {2}✗ the text is sent as it is {2}\(rules\/echo\.test\.thwonk:1\)\n {6}rules\/echo\.test\.thwonk:4:3: expected .*send\(text: "Goodbye"\).*, but no send matches:\n {10}send at line \d+ has text "Hello", not "Goodbye"\n {8}The run did:\n {10}send/);
    assert.match(out, /\n {2}✗ dividing by zero {2}\(rules\/echo\.test\.thwonk:7\)\n {6}rules\/echo\.thwonk:8:\d+: error TW5010: The rule divided by zero/);
    assert.match(out, /\n {2}✓ a message from a file\n/);
    assert.match(out, /\n {2}✗ a file that is not there {2}\(rules\/echo\.test\.thwonk:18\)\n {6}could not run: cannot read mail\/missing\.eml \(named in rules\/echo\.test\.thwonk\): no such file\n/);
    assert.match(out, /\n2 passed, 3 failed\n$/);
  });

  test("a rule with errors: its tests are not run and count as failed", async () => {
    const r = await cli(["test", "broken", "good"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken\/bad\.thwonk\n {2}✗ 2 tests not run: the rule or its tests have errors\n/);
    assert.match(r.stdout, /broken\/bad\.thwonk:4:32: error TW2012/);
    assert.match(r.stdout, /\ngood\/pass\.thwonk\n {2}✓ passes\n/);
    assert.doesNotMatch(r.stdout, /notests/, "a rule without tests is not listed");
    assert.match(r.stdout, /\n1 passed, 2 failed\n$/);
  });

  test("the default is the current directory; naming only the test file finds its rule", async () => {
    const r = await cli(["test"], t.path("good"));
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, "pass.thwonk\n  ✓ passes\n\n1 passed, 0 failed\n");
    const viaTest = await cli(["test", "rules/echo.test.thwonk"]);
    assert.match(viaTest.stdout, /^rules\/echo\.thwonk\n/);
    assert.match(viaTest.stdout, /\n2 passed, 3 failed\n$/);
  });

  test("a directory without rules is bad usage (exit 2)", async () => {
    const r = await cli(["test", "empty"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no \.thwonk files in empty/);
  });

  test("--coverage counts an `else if` as reached when its branch ran", async () => {
    const r = await cli(["test", "good/pass.thwonk", "rules/echo.thwonk", "--coverage"]);
    // echo: lines 6-13; `quiet` (10) is never sent, so only the `return` at line 10 is missed.
    assert.match(r.stdout, /\n {2}coverage: [\d.]+% \(\d+ of \d+ statement lines reached\); not reached:\n {4}rules\/echo\.thwonk:10 {2}return\n\n/);
  });
});
