/**
 * Each limit of a run, with real QuickJS in this thread (runOnce: the same
 * engine the workers use): what stops hostile code, and the code it gets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOnce, type SandboxResult } from "../../runtime/sandbox/index.js";
import { assertEcho, assertFails, assertOk, bundle, ECHO, gasBundle } from "./harness.js";

const run = (code: string, input = "{}", limits = {}): Promise<SandboxResult> => runOnce(code, "message", input, limits);
/** For tests of other limits: a time limit that a loaded machine does not reach first. */
const SLOW_OK = { timeLimitMs: 10_000 };

test("a well-behaved bundle gets its trigger and input and returns its JSON", async () => {
  assertEcho(await run(ECHO, '{"n":1}'), 1);
});

test("an infinite loop is stopped by the time backstop (TW5004)", async () => {
  const r = await run(bundle("for (;;) {}"), "{}", { timeLimitMs: 200 });
  assertFails(r, "TW5004", /200 ms/);
  assert.ok(r.wallMs >= 150 && r.wallMs < 5000, `stopped after ${r.wallMs} ms`);
});

test("a loop with a catch-all around it is stopped all the same (TW5004)", async () => {
  assertFails(await run(bundle("for (;;) { try { for (;;) {} } catch (e) {} finally { continue; } }"), "{}", { timeLimitMs: 200 }), "TW5004");
});

test("catastrophic regex backtracking is stopped by the time backstop (TW5004)", async () => {
  assertFails(await run(bundle("return String(/(a+)+$/.test('a'.repeat(40) + '!'));"), "{}", { timeLimitMs: 200 }), "TW5004");
});

test("compiled-style gas code that runs out gets TW5001, within the time limit", async () => {
  // Gas, not the clock: a run the gas did not stop would end at its time limit as TW5004.
  const r = await run(gasBundle("for (;;) charge(1);"), "{}", { timeLimitMs: 5000 });
  assertFails(r, "TW5001");
});

test("out of gas cannot be caught: try/catch/finally around it is still TW5001", async () => {
  const body = `
    for (let k = 0; k < 10; k++) {
      try { for (;;) charge(1); } catch (e) { continue; } finally { return '"escaped"'; }
    }
    return '"escaped"';`;
  assertFails(await run(gasBundle(body)), "TW5001");
});

test("calling the hook and returning before the interrupt comes is still TW5001", async () => {
  assertFails(await run(bundle("__host_outOfGas(); return '\"done\"';")), "TW5001");
});

test("the out-of-gas hook cannot be replaced or removed", async () => {
  assertFails(await run(bundle("__host_outOfGas = () => {}; return '1';")), "TW5005", /read-only/);
  assertFails(await run(bundle("delete globalThis.__host_outOfGas; return '1';")), "TW5005");
  // QuickJS lets defineProperty change a frozen global's value; the run is failed for it.
  assertFails(await run(bundle("Object.defineProperty(globalThis, '__host_outOfGas', { value: () => {} }); return '1';")), "TW5005", /redefined the global `__host_outOfGas`/);
});

test("deep recursion overflows the stack limit (TW5003)", async () => {
  assertFails(await run(bundle("function f(n) { return f(n + 1) + 1; } return String(f(0));"), "{}", SLOW_OK), "TW5003", /64 KiB/);
});

test("deeply nested input JSON overflows the stack limit (TW5003), not the host", async () => {
  assertFails(await run(bundle("return JSON.stringify(JSON.parse(i));"), "[".repeat(200_000), SLOW_OK), "TW5003");
});

test("a memory bomb of many small strings is stopped at the memory limit (TW5002)", async () => {
  const r = await run(bundle("const a = []; for (;;) a.push('x'.repeat(1000) + a.length);"), "{}", { ...SLOW_OK, memoryLimitBytes: 8 << 20 });
  assertFails(r, "TW5002", /8 MiB/);
});

test("ArrayBuffers, which QuickJS's own accounting misses, are stopped at the limit too (TW5002)", async () => {
  assertFails(await run(bundle("const a = []; for (;;) a.push(new ArrayBuffer(1 << 20));"), "{}", { ...SLOW_OK, memoryLimitBytes: 8 << 20 }), "TW5002");
});

test("huge strings passed to built-ins are a clean TW5002", async () => {
  assertFails(await run(bundle("return 'x'.repeat(1e9);"), "{}", SLOW_OK), "TW5002");
  assertFails(await run(bundle("return 'xy'.padEnd(2 ** 29, 'z');"), "{}", SLOW_OK), "TW5002");
  assertFails(await run(bundle("let s = 'x'; for (;;) s = s + s;"), "{}", SLOW_OK), "TW5002");
  assertFails(await run(bundle("return JSON.stringify(new Array(1e7).fill('abc'));"), "{}", SLOW_OK), "TW5002");
  assertFails(await run(bundle("const parts = []; for (let k = 0; k < 64; k++) parts.push('y'.repeat(4e6)); return parts.join('');"), "{}", SLOW_OK), "TW5002");
});

test("an input larger than the memory limit is TW5002", async () => {
  assertFails(await run(ECHO, JSON.stringify("x".repeat(12 << 20)), { ...SLOW_OK, memoryLimitBytes: 8 << 20 }), "TW5002");
});

test("an error the code throws is TW5005 with its message and the thwonkLine/thwonkColumn it carries", async () => {
  const r = await run(bundle("const e = new RangeError('no such member'); e.thwonkLine = 12; e.thwonkColumn = 5; throw e;"));
  assertFails(r, "TW5005", /RangeError: no such member/);
  assert.ok(!r.ok && r.error.line === 12 && r.error.column === 5);
  assertFails(await run(bundle("throw 42;")), "TW5005", /threw an error: 42/);
  assertFails(await run(bundle("null.x;")), "TW5005", /TypeError/);
});

test("reading a thrown value runs none of the code's getters", async () => {
  // A getter run would loop until the time limit: TW5004, not the thrown value's TW5005.
  const r = await run(bundle("throw { get message() { for (;;) {} }, name: 'Trap' };"), "{}", { timeLimitMs: 5000 });
  assertFails(r, "TW5005", /Trap/);
});

test("malformed bundles are TW5005: syntax error, no __thwonk_run, a result that is not a string", async () => {
  assertFails(await run("function __thwonk_run( {"), "TW5005", /SyntaxError/);
  assertFails(await run("function other() {}"), "TW5005", /defines no function `__thwonk_run`/);
  assertFails(await run(bundle("return 5;")), "TW5005", /type number/);
  assertFails(await run("async function __thwonk_run() { return '1'; }"), "TW5005", /type object/);
});

test("limits the engine cannot honour are refused when asked for", async () => {
  await assert.rejects(run(ECHO, "{}", { stackLimitBytes: 1 << 20 }), /at most 65536/);
  await assert.rejects(run(ECHO, "{}", { timeLimitMs: 0 }), /positive integer/);
});

test("a run after each hostile one in the same thread is correct", async () => {
  for (const hostile of [bundle("for (;;) {}"), bundle("return 'x'.repeat(1e9);"), bundle("function f() { f(); } f();")]) {
    await run(hostile, "{}", { timeLimitMs: 200 });
    assertEcho(await run(ECHO, '{"n":2}'), 2);
  }
  assertOk(await run(bundle("return '\"fine\"';")));
});

test("the sandbox's codes are the catalog's TW5001–TW5006, in order", async () => {
  const { sandboxMessages } = await import("../../runtime/sandbox/index.js");
  assert.deepEqual(Object.values(sandboxMessages).map((m) => m.code), ["TW5001", "TW5002", "TW5003", "TW5004", "TW5005", "TW5006"]);
});

test("running out of memory cannot be caught: a run that caught it and returned is TW5002 all the same", async () => {
  const code = bundle("let a = []; try { for (;;) a.push('x'.repeat(1e5) + a.length); } catch (e) { a = null; return JSON.stringify('caught ' + e); } return '1';");
  assertFails(await run(code, "{}", { memoryLimitBytes: 8 * 2 ** 20 }), "TW5002");
});
