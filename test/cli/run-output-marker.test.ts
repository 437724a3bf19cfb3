/**
 * `thwonkc run --json` marks its output (`"thwonk-run": 1`, contract/state.ts RUN_OUTPUT_KEY), and `run --state` and
 * `check --state` take a run's whole output by that marker, never by its keys: a rule whose state has fields
 * `actions`, `gas` and `state` gives its state as it is. An output from before the marker is still read where the
 * rule could not have all its keys as fields; where it could, the file is that rule's state.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RUN_OUTPUT_KEY, stateOfFile } from "../../contract/index.js";
import { runCli, tempDir, type TempDir } from "../helpers/cli.js";

/** A rule whose state has the names of a run's output. */
const ODD = `rule odd

state {
  actions: List<string max 20> max 10 = []
  gas: int = 0
  state: string max 20 = ""
}

on message(m: Message) {
  state.gas += 1
  state.state = m.subject.truncate(20)
  if state.actions.size < 10 {
    state.actions.push("seen")
  }
}
`;

/** A rule with every key of an old run output as a field. */
const ALL = `rule all

state {
  actions: List<string max 5> max 5 = []
  gas: Map<string max 10, int> max 5 = {}
  state: int = 0
  error: int = 0
  trace: int = 0
}

on message(_m: Message) {
  state.state += 1
  state.error = state.actions.size + state.gas.size + state.trace
}
`;

const MESSAGE = "From: ann@example.org\r\nTo: odd@example.org\r\nSubject: hello\r\n\r\nhi\r\n";

let dir: TempDir;
const cli = (args: string[]) => runCli(args, { cwd: dir.dir });

before(async () => {
  dir = tempDir({ "odd.thwonk": ODD, "all.thwonk": ALL, "m.eml": MESSAGE });
  for (const r of ["odd", "all"]) {
    const c = await cli(["compile", `${r}.thwonk`, "-o", `${r}.thwb`]);
    assert.equal(c.code, 0, c.stdout + c.stderr);
  }
});
after(() => dir.remove());

/** `run BUNDLE -m m.eml --state FILE --json`: the exit code and the output, parsed. */
async function runJson(bundle: string, stateFile: string): Promise<{ code: number; out: Record<string, unknown> | undefined; stderr: string }> {
  const r = await cli(["run", bundle, "-m", "m.eml", "--state", stateFile, "--json"]);
  return { code: r.code, out: r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined, stderr: r.stderr };
}

test("a state whose fields are actions, gas and state is a state: run --state and check --state read it as one", async () => {
  dir.write("s.json", JSON.stringify({ actions: ["a"], gas: 3, state: "x" }));
  const r = await runJson("odd.thwb", "s.json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out!["state"], { actions: ["a", "seen"], gas: 4, state: "hello" });

  const same = await cli(["check", "odd.thwonk", "--against", "odd.thwb", "--state", "s.json", "--format", "json"]);
  assert.equal(same.code, 0, same.stderr);
  // The data is checked as the state it is: a field of the wrong type is said, by its path.
  dir.write("bad.json", JSON.stringify({ actions: ["a"], gas: "lots", state: "x" }));
  const bad = await cli(["check", "odd.thwonk", "--against", "odd.thwb", "--state", "bad.json", "--format", "json"]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /state\.gas: expected int, got \\"lots\\"/);
});

test("run --json marks its output, and that output, whole, is the next run's and check's --state", async () => {
  dir.write("s.json", JSON.stringify({ actions: [], gas: 10, state: "" }));
  const first = await cli(["run", "odd.thwb", "-m", "m.eml", "--state", "s.json", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout) as Record<string, unknown>;
  assert.equal(Object.keys(out)[0], RUN_OUTPUT_KEY, "the marker comes first");
  assert.equal(out[RUN_OUTPUT_KEY], 1);
  assert.deepEqual(Object.keys(out).slice(1), ["actions", "state", "gas", "error", "trace"]);
  dir.write("first.json", first.stdout);
  const second = await runJson("odd.thwb", "first.json");
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.out!["state"], { actions: ["seen", "seen"], gas: 12, state: "hello" });
  const check = await cli(["check", "odd.thwonk", "--against", "odd.thwb", "--state", "first.json"]);
  assert.equal(check.code, 0, check.stderr);
});

test("a marked output of another version, or without a state, is refused by name; a failed run's has no state to start from", async () => {
  dir.write("v2.json", JSON.stringify({ [RUN_OUTPUT_KEY]: 2, actions: [], state: { gas: 1 }, gas: { used: 1 } }));
  const v2 = await cli(["run", "odd.thwb", "-m", "m.eml", "--state", "v2.json"]);
  assert.equal(v2.code, 2);
  assert.match(v2.stderr, /v2\.json has "thwonk-run": 2 but is not the output of `thwonkc run --json` this thwonkc reads \(version 1, with "state"\)/);
  const c2 = await cli(["check", "odd.thwonk", "--against", "odd.thwb", "--state", "v2.json"]);
  assert.equal(c2.code, 2);
  assert.match(c2.stderr, /v2\.json has "thwonk-run": 2 but is not the output of `thwonkc run --json`/);
  dir.write("failed.json", JSON.stringify({ [RUN_OUTPUT_KEY]: 1, actions: [], state: null, gas: { used: 1 }, error: { code: "TW5010" }, trace: null }));
  const failed = await cli(["run", "odd.thwb", "-m", "m.eml", "--state", "failed.json"]);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /the run saved in failed\.json failed, so it has no state to start from/);
  // `state set` (the client, which knows no rule) reads the marker alone: a failed run's output is no reset.
  assert.deepEqual(stateOfFile({ [RUN_OUTPUT_KEY]: 1, state: null }), { state: null, from: "run" });
  assert.deepEqual(stateOfFile({ actions: [], gas: { used: 1 }, state: { gas: 1 }, error: null, trace: null }), {
    state: { actions: [], gas: { used: 1 }, state: { gas: 1 }, error: null, trace: null },
    from: "state",
  });
});

test("an output from before the marker: read as a run's where the rule cannot have its keys, as the state where it can", async () => {
  const old = { actions: [], state: { actions: [], gas: 7, state: "" }, gas: { used: 11, bound: 57 }, error: null, trace: null };
  dir.write("old.json", JSON.stringify(old));
  const r = await runJson("odd.thwb", "old.json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.out!["state"], { actions: ["seen"], gas: 8, state: "hello" });
  const check = await cli(["check", "odd.thwonk", "--against", "odd.thwb", "--state", "old.json"]);
  assert.equal(check.code, 0, check.stderr);

  // Rule `all` has a field of each of those names: the same shape is its state.
  dir.write("all.json", JSON.stringify({ actions: [], gas: { used: 1 }, state: 7, error: 0, trace: 0 }));
  const all = await runJson("all.thwb", "all.json");
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(all.out!["state"], { actions: [], gas: { used: 1 }, state: 8, error: 1, trace: 0 });
});
