/** Shared bits of the sandbox tests: hostile bundles are hand-written JavaScript. */
import assert from "node:assert/strict";
import type { SandboxResult } from "../../runtime/sandbox/index.js";

/** A bundle whose `__thwonk_run` body is `body` (trigger in `t`, input JSON in `i`). */
export function bundle(body: string, prelude = ""): string {
  return `${prelude}\nfunction __thwonk_run(t, i) {\n${body}\n}\n`;
}

/** The style of gas check the compiler emits: a counter, the hook, a spin the hook's interrupt ends. */
export function gasBundle(body: string, gas = 1000): string {
  return bundle(body, `let gas = ${gas};\nfunction charge(n) { gas -= n; if (gas < 0) { __host_outOfGas(); for (;;) {} } }`);
}

/** Echoes its trigger and input: the "next run is correct" probe. */
export const ECHO = bundle("return JSON.stringify({ t, input: JSON.parse(i), x: ({}).x === undefined ? null : 'polluted' });");

export function assertOk(r: SandboxResult): string {
  assert.ok(r.ok, `expected success, got ${JSON.stringify(r)}`);
  return r.output;
}

export function assertFails(r: SandboxResult, code: string, pattern?: RegExp): void {
  assert.ok(!r.ok, `expected ${code}, got success: ${JSON.stringify(r)}`);
  assert.equal(r.error.code, code, `expected ${code}: ${JSON.stringify(r.error)}`);
  if (pattern) assert.match(r.error.message, pattern);
}

export function assertEcho(r: SandboxResult, n: number): void {
  assert.deepEqual(JSON.parse(assertOk(r)), { t: "message", input: { n }, x: null });
}
