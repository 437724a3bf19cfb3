/**
 * Stored state that does not fit the rule's declared state is refused
 * before the run, naming the place (TW5070), by every host that loads it:
 * `thwonkc run --state` (the cases: a string where an int is, a
 * number where a list is, which ran to "NaN days" and "not a function") and a
 * test's given state (`thwonkc test`). In-process, through cli/main.ts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

const RULE = `rule tally

state {
  bumps: int = 0
  names: List<string max 20> max 3 = []
}

on message(m: Message) {
  state.bumps += 1
  if state.names.size < 3 {
    state.names.push(m.subject.truncate(20))
  }
  log("{state.bumps} bumps, {state.names.size} names")
}

test "fits" {
  state.names = ["a", "b"]
  message = { subject: "c" }
  expect state.names.size == 3
}

test "over its max" {
  state.names = ["a", "b", "c", "d"]
  message = { subject: "e" }
  expect state.bumps == 1
}
`;

let dir: TempDir;
before(() => {
  dir = tempDir({ "tally.thwonk": RULE, "m.eml": "From: ann@example.org\r\nTo: tally@example.org\r\nSubject: hi\r\n\r\nhi\r\n" });
});
after(() => dir.remove());

function cli(args: string[]) {
  return runCli(args, { cwd: dir.dir });
}

for (const [state, path, what] of [
  [{ bumps: "lots" }, "state.bumps", 'expected int, got "lots"'],
  [{ names: 5 }, "state.names", "expected List<string max 20> max 3, got 5"],
  [{ names: ["a", 7] }, "state.names[1]", "expected string max 20, got 7"],
  [{ names: ["a", "b", "c", "d"] }, "state.names", "4 entries, over its declared max 3"],
  [{ bumps: 1.5 }, "state.bumps", "expected int, got 1.5"],
] as const) {
  test(`run --state ${JSON.stringify(state)}: refused before the run, naming ${path}`, async () => {
    dir.write("s.json", JSON.stringify(state));
    const r = await cli(["run", "tally.thwonk", "-m", "m.eml", "--state", "s.json"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stdout, "", "nothing ran");
    assert.ok(r.stderr.includes(`TW5070 `) && r.stderr.includes(`${path}: ${what}.`), r.stderr);
    assert.doesNotMatch(r.stderr, /TypeError|NaN/);
  });
}

test("run --state that fits runs (a field left out starts at its initial value)", async () => {
  dir.write("ok.json", JSON.stringify({ names: ["a"] }));
  const r = await cli(["run", "tally.thwonk", "-m", "m.eml", "--state", "ok.json", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { state: unknown }).state, { bumps: 1, names: ["a", "hi"] });
});

test("test: a given state over its max fails that test before its run, at the test, naming the field", async () => {
  const r = await cli(["test", "tally.thwonk"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✓ fits/);
  assert.match(r.stdout, /✗ over its max[\s\S]*tally\.thwonk:22:1: TW5070 [^\n]*state\.names: 4 entries, over its declared max 3\./);
  assert.match(r.stdout, /1 passed, 1 failed/);
});
