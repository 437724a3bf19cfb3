/**
 * Adversary of the driver in the shared prelude (contract/prelude/driver.js):
 * hand-written bundles loaded beside a compiled one in one reused context try
 * to reach the next run of the compiled one, through every binding of the run
 * state (each set to a trap), through the driver called with forged
 * definitions (no state schema, a state unit gas of 0, triggers of their own),
 * and through the evaluator armed while a bundle loads. What must hold: the
 * compiled bundle's next run gives exactly what it gives in a context of its
 * own (actions, state, gas used), and what a forged call does is its own run's
 * only. Real compiled bundles and hand-written ones after the real prelude, on
 * real QuickJS (Engine, strategy "reuse").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { PRELUDE } from "../../contract/index.js";
import { assembleInput, encodeInput } from "../../runtime/input/build.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { assertOk } from "./harness.js";

const NOW = Date.UTC(2026, 10, 25, 12);
const SOURCE = `rule kept

limits { members: 10, fanout: 10 }

state {
  count: int = 7
  seen: Map<string max 100, int> max 5 = {}
}

on message(m: Message) {
  state.count = state.count + 1
  let key = m.subject.truncate(100)
  if state.seen.has(key) or state.seen.size < 5 { state.seen.set(key, state.count) }
  send(to: members, subject: "{m.subject} #{state.count} {now.hour}", text: list.name)
}
`;

function code(): string {
  const { bundle, diagnostics } = compileSource("kept.thwonk", SOURCE);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return bundle.code.text;
}

function input(state: unknown = null): ReturnType<typeof encodeInput> {
  const from = "m1@example.org";
  return encodeInput(
    assembleInput({
      now: NOW,
      gas: 1_000_000,
      state: state as Record<string, unknown> | null,
      list: { address: "kept@example.org", name: "Kept" },
      members: [
        { address: from, name: "Member 1", role: "member", joined: NOW - 1000 },
        { address: "m2@example.org", name: "Member 2", role: "owner", joined: NOW - 500 },
      ],
      message: { from, to: ["kept@example.org"], cc: [], subject: "Hi 😀", text: "x", html: null, headers: [["From", from]], attachments: [], date: NOW, messageId: "k@example.org", envelope: { sender: from, recipient: "kept@example.org", isRequest: false, tag: null } },
    }),
  );
}

const STATE = { count: 3, seen: { a: 1, b: 2 } };

async function compiledRun(engine: Engine, text: string): Promise<unknown> {
  const i = input(STATE);
  return JSON.parse(assertOk((await engine.run(text, "kept", "message", i.inputJson, i.members)).result));
}

function handWritten(body: string): string {
  return `${PRELUDE}// hand-written\nfunction __thwonk_run(t, i, ms) {\n${body}\n}\n`;
}

// Every binding of the run state (library.js's `let` line), set to a value that would change a run that read it.
const TRAPS = `
  var trap = function () { throw new Error("a trap from another bundle's run"); };
  var poisoned = Object.create(null, { push: { get: trap }, filter: { get: trap }, length: { get: trap }, forEach: { get: trap } });
  __in = poisoned; __gas = 1e15; __gasLimit = 2e15; __actions = poisoned; __snapshots = poisoned; __st = poisoned;
  __tz = poisoned; __trace = []; __logs = 1e9; __sent = 1e9; __fanout = 0; __lcT = 0; __lcZ = poisoned; __lcF = poisoned;
  __inGivens = true; __givensLeft = 1e15; __G_members = poisoned; __G_list = { address: "evil@example.org", name: "Evil", owners: [] };
  __G_now = 0; __stUnits = -1e12;
  __rule = { triggers: { message: trap }, tests: [], schema: {}, bounds: {}, init: trap, unitGas: 0 };
  return JSON.stringify({ trapped: true });`;

// The driver called with forged definitions: no schema (state neither loaded nor charged), unit gas 0, and a trigger
// that works a million steps without a charge. The run's output says little gas: that is this run's own claim only.
const FORGED = `
  var steps = 0;
  var out = __drive(t, i, ms, { message: function () { for (var k = 0; k < 1e6; k++) steps++; } }, [], {}, {}, function () { return null; }, 0);
  return out;`;

test("a hand-written run that sets every binding of the run state to a trap changes nothing of the compiled bundle's next run", async () => {
  const text = code();
  const alone = await compiledRun(new Engine({ limits: resolveLimits(), strategy: "reuse" }), text);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  assert.deepEqual(await compiledRun(engine, text), alone);
  const i = input(STATE);
  assert.deepEqual(JSON.parse(assertOk((await engine.run(handWritten(TRAPS), "traps", "message", i.inputJson, i.members)).result)), { trapped: true });
  assert.equal(engine.reuse.sharedPreludes, 1, "the hand-written bundle shares the compiled one's context");
  assert.deepEqual(await compiledRun(engine, text), alone, "the compiled bundle's run after the traps");
  assert.equal(engine.stats.instances, 1, "the same context: nothing failed, nothing was dropped");
});

test("the driver called with forged definitions runs the forger's own run only; the compiled bundle beside it is charged as always", async () => {
  const text = code();
  const alone = (await compiledRun(new Engine({ limits: resolveLimits(), strategy: "reuse" }), text)) as { gas: { used: number } };
  assert.ok(alone.gas.used > 0);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  await compiledRun(engine, text);
  const i = input(STATE);
  const forged = JSON.parse(assertOk((await engine.run(handWritten(FORGED), "forged", "message", i.inputJson, i.members)).result)) as { state: unknown; gas: { used: number }; error: unknown };
  assert.deepEqual([forged.error, forged.state, forged.gas.used], [null, {}, 0], "the forger's own claim: its schema had no state, its work no charge");
  // And in the other order, and interleaved: the compiled run neither inherits the forged unit gas nor the empty schema.
  for (let k = 0; k < 3; k++) {
    assert.deepEqual(await compiledRun(engine, text), alone);
    assertOk((await engine.run(handWritten(FORGED), "forged", "message", i.inputJson, i.members)).result);
  }
  assert.equal(engine.reuse.sharedPreludes, 1);
});

test("a bundle that takes the evaluator armed for its load into the run state is refused, and the next runs see neither", async () => {
  const text = code();
  const alone = await compiledRun(new Engine({ limits: resolveLimits(), strategy: "reuse" }), text);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  await compiledRun(engine, text);
  const escape = `${PRELUDE}function __thwonk_run() { return "{}"; }\nreturn __thwonk_run; }); __in = eval; __rule = { unitGas: 0, schema: {}, bounds: {}, triggers: {}, tests: [], init: eval }; __stUnits = eval; (function () {\n`;
  const r = (await engine.run(escape, "escape", "message", "{}")).result;
  assert.ok(!r.ok && /closes the function it is loaded in/.test(r.error.message), JSON.stringify(r));
  const observer = handWritten(`return JSON.stringify([typeof eval, __in, __rule, __stUnits]);`);
  assert.deepEqual(JSON.parse(assertOk((await engine.run(observer, "observer", "message", "{}")).result)), ["undefined", null, null, 0]);
  assert.deepEqual(await compiledRun(engine, text), alone);
});

test("through the pool: a hand-written bundle under the compiled one's codeId, list and members version gets neither its context nor its members", async () => {
  const { createSandboxPool } = await import("../../runtime/sandbox/index.js");
  const pool = createSandboxPool({ workers: 1 });
  try {
    const text = code();
    const i = input(STATE);
    const opts = { list: "kept@example.org", membersVersion: 4 };
    const want = JSON.parse(assertOk(await pool.run(text, "kept", "message", i.inputJson, i.members, opts)));
    // The same codeId, list and version, other code and other members (an impostor): its own code runs, on its own members.
    const evil = { address: "evil@example.org", name: "Evil", role: "owner", joined: "0" };
    const impostor = handWritten(`return JSON.stringify([ms.col("address"), __G_list, __rule]);`);
    assert.deepEqual(JSON.parse(assertOk(await pool.run(impostor, "kept", "message", i.inputJson, evil, opts))), [["evil@example.org"], null, null]);
    for (let k = 0; k < 3; k++) {
      assert.deepEqual(JSON.parse(assertOk(await pool.run(text, "kept", "message", i.inputJson, i.members, opts))), want, "the compiled bundle on its members");
    }
  } finally {
    await pool.close();
  }
});
