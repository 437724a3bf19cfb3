/**
 * Issue 12: a run the sandbox stops (TW5002 memory, TW5004 time, TW5005 an engine error) reports the gas it had
 * really used, not its bound, and an engine error (a TypeError) its .thwonk line. Real bundles, real QuickJS; the
 * faults are provoked by hand-editing a compiled bundle (a verified rule has none of its own).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { runBundle } from "../../runtime/run/run-rule.js";

const WORDS = { describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: e.code, line: e.line, column: e.column }) };

// Line 8 sends after a loop that does real work: a fault there comes after gas was spent.
const SOURCE = `rule work

limits { members: 10, fanout: 10, text: 1000 }

on message(m: Message) {
  var s = ""
  for x in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] { s = s + "ab" }
  send(to: m.from, subject: s, text: "done")
}
`;

function compiled(): Bundle {
  const { bundle, diagnostics } = compileSource("work.thwonk", SOURCE);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return bundle;
}

const input = {
  message: { from: "ann@example.org", to: ["work@example.org"], subject: "hi", text: "hello", messageId: "x@example.org" },
  members: [{ address: "ann@example.org", name: "Ann" }],
  list: { address: "work@example.org", name: "work" },
  now: "2026-11-25T12:00:00Z",
};

/** The bundle with `inject` put at the start of the first generated line mapped to .thwonk line `line` (line count kept). */
function faultAt(b: Bundle, line: number, inject: string): Bundle {
  const js = b.code.sourceMap.find((m) => m[1] === line);
  assert.ok(js, `no generated line for .thwonk line ${line}`);
  const lines = b.code.text.split("\n");
  lines[js[0] - 1] = inject + lines[js[0] - 1];
  return { ...b, code: { ...b.code, text: lines.join("\n") } };
}

test("an intact run reports its gas (the reference for the failures below)", async () => {
  const r = await runBundle(compiled(), { trigger: "message", input }, WORDS);
  assert.equal(r.error, null);
  assert.ok(r.gas.used > 0 && r.gas.used < r.gas.bound, `gas ${r.gas.used} of ${r.gas.bound}`);
});

test("a TypeError after some work: TW5005 with the gas used and the .thwonk line", async () => {
  const b = compiled();
  const ok = await runBundle(b, { trigger: "message", input }, WORDS);
  const r = await runBundle(faultAt(b, 8, "(void 0).x;"), { trigger: "message", input }, WORDS);
  assert.equal(r.error?.code, "TW5005", JSON.stringify(r.error));
  assert.equal(r.error?.line, 8);
  assert.ok(r.gas.used > 0 && r.gas.used < r.gas.bound, `gas ${r.gas.used} of ${r.gas.bound}`);
  // The loop ran in full before the fault: most of the intact run's gas, none of the send's.
  assert.ok(r.gas.used <= ok.gas.used, `${r.gas.used} > ${ok.gas.used}`);
});

test("memory exhausted after some work: TW5002 with the gas used, below the bound", async () => {
  const b = compiled();
  // After the loop, a string too large for the run's memory limit (the sandbox enforces it whatever the verifier said).
  const r = await runBundle(faultAt(b, 8, 'var __big = "x".repeat(1 << 20); __big = __big.repeat(64);'), { trigger: "message", input, limits: { memoryLimitBytes: 8 << 20 } }, WORDS);
  assert.equal(r.error?.code, "TW5002", JSON.stringify(r.error));
  assert.ok(r.gas.used > 0 && r.gas.used < r.gas.bound, `gas ${r.gas.used} of ${r.gas.bound}`);
});

test("the time limit after some work: TW5004 with the gas used, below the bound", async () => {
  const b = compiled();
  const r = await runBundle(faultAt(b, 8, "for(;;){}"), { trigger: "message", input, limits: { timeLimitMs: 200 } }, WORDS);
  assert.equal(r.error?.code, "TW5004", JSON.stringify(r.error));
  assert.ok(r.gas.used > 0 && r.gas.used < r.gas.bound, `gas ${r.gas.used} of ${r.gas.bound}`);
});

test("out of gas reports the bound", async () => {
  const b = compiled();
  const r = await runBundle(faultAt(b, 8, "for(;;){__g(1000);}"), { trigger: "message", input }, WORDS);
  assert.equal(r.error?.code, "TW5001", JSON.stringify(r.error));
  assert.equal(r.gas.used, r.gas.bound);
});
