/**
 * A rule's tests in its test build (compiler/emit/tests.ts): each test is a function making its `{ setup, expects }`,
 * called by the driver for that test's run only, so a test run builds its own test, not all of them. What must
 * hold: a test's variables are one set shared by its givens, its expectations and all its runs (one call of its
 * function per test run), every pass gives the same outcomes, and a failing test still fails. Real compiler, real QuickJS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import { emitRule } from "../../compiler/emit/emitter.js";
import { NodeHost } from "../../runtime/host/node-host.js";
import { runRuleTests } from "../../runtime/testing/run-tests.js";

const RULE = `rule counted

limits { members: 10, fanout: 10 }

state { n: int = 0 }

on message(m: Message) {
  state.n = state.n + 1
  send(to: members, subject: m.subject, text: m.text)
}
`;

// Each test changes its own variable in its givens and between its runs, and reads it in the expectations of both.
const one = (k: number): string => `test "test ${k}" {
  var seen = 0
  members = ["ann@example.org"]
  seen = seen + 1
  message = { from: "ann@example.org", subject: "s${k}", text: "t" }
  expect seen == 1
  expect send(subject: "s${k}")
  seen = seen + 10
  expect seen == 11

  message = { from: "ann@example.org", subject: "again", text: "t" }
  expect seen == 11
  expect send(subject: "again")
}
`;
const TESTS = [0, 1, 2, 3, 4].map(one).join("\n") + `
test "this one fails" {
  var seen = 5
  message = { from: "ann@example.org", subject: "x", text: "t" }
  expect seen == 6
}
`;

test("each test is made for its own run: its variables are shared by its givens, expectations and runs; failures still fail", async () => {
  const host = new NodeHost();
  for (let pass = 0; pass < 2; pass++) {
    const r = await runRuleTests({ fileName: "counted.thwonk", text: RULE }, [{ fileName: "counted.test.thwonk", text: TESTS }], host);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
    assert.deepEqual(r.outcomes.map((o) => [o.name, o.ok]), [...[0, 1, 2, 3, 4].map((k) => [`test ${k}`, true]), ["this one fails", false]], JSON.stringify(r.outcomes.map((o) => o.failures)));
    assert.match(r.outcomes[5]!.failures[0]!.message, /expected `seen == 6`, but `seen` is 5/);
  }
});

test("the test build writes each test as a function the driver calls, the rule's code without tests none", () => {
  const checked = checkSources([{ fileName: "counted.thwonk", text: RULE }, { fileName: "counted.test.thwonk", text: TESTS }]);
  const unit = checked.units.find((u) => u.rule.fileName === "counted.thwonk")!;
  const withTests = emitRule(unit.rule, unit.check.model, { tests: { sourceOf: () => TESTS } });
  assert.equal(withTests.tests.length, 6);
  for (let k = 0; k < 6; k++) assert.match(withTests.code, new RegExp(`^__tests\\[${k}\\] = function \\(\\) \\{ (var \\$seen; )?return \\{$`, "m"));
  assert.match(emitRule(unit.rule, unit.check.model).code, /^var __tests = \[\];$/m);
});
