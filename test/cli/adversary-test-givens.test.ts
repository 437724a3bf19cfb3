/**
 * Issue 15's adversary on test files: a test's givens run at no gas, and a
 * `range(n)` is at most 100,000 numbers, but nothing bounded how many
 * ranges a helper makes: `for i in range(100000) { for j in range(100000)
 * { ... } }` ran until the sandbox's clock stopped it, reported as
 * TW5004 "the rule ran longer than the time limit … do less work per
 * message", blaming the rule for the test's own loop. Now a test's own
 * statements (givens, helpers, expectations, all its runs together) have
 * 10,000,000 gas of their own, counted in the test's clock, and running out
 * fails the test as its givens, saying so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir } from "../helpers/cli.js";

const RULE = `rule r
limits { members: 10 }
state {
  n: int = 0
}
on message(m: Message) {
  state.n += 1
}
`;

const TESTS = `fn big(): int {
  var t = 0
  for i in range(100000) {
    for j in range(100000) { t += 1 }
  }
  return t
}
test "ranges in a helper, ten thousand million numbers" {
  let z = big()
  message = { from: "a@example.org", subject: "x {z}" }
  expect state.n == 1
}
test "ten ranges of 100,000: a million, fine" {
  for i in range(10) {
    for j in range(99999) { state.n += 0 }
  }
  message = { from: "a@example.org", subject: "x" }
  expect state.n == 1
}
`;

test("adversary: a test's own statements have a gas of their own, and running out says it is the givens", async () => {
  const t = tempDir({ "r.thwonk": RULE, "r.test.thwonk": TESTS });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    const out = r.stdout + r.stderr;
    assert.doesNotMatch(out, /TW5004/, out);
    assert.match(out, /r\.test\.thwonk:8:1: the test's givens failed: the test's own statements \(givens, helpers, expectations\) used more than their 10,000,000 gas/, out);
    assert.match(out, /✓ ten ranges of 100,000: a million, fine/, out);
    assert.match(out, /\n1 passed, 1 failed\n$/, out);
  } finally {
    t.remove();
  }
});
