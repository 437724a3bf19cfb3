/**
 * context.ts callDirect: the run's one call into the engine without quickjs-emscripten's wrapping, on that
 * library's internals (pinned in package.json). It must give what ctx.callFunction gives: the value, a thrown
 * error, every argument in its place, and a fallback past the arguments its array holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { callDirect, closeSandbox, openSandbox } from "../../runtime/sandbox/context.js";
import { newInstance } from "../../runtime/sandbox/instance.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";

test("callDirect gives what ctx.callFunction gives: values, every argument in place, thrown errors", async () => {
  const limits = resolveLimits();
  const sb = openSandbox(await newInstance(limits.memoryLimitBytes), limits);
  const { ctx } = sb;
  const fn = ctx.unwrapResult(ctx.evalCode("(function () { 'use strict'; if (arguments[0] === 'throw') throw new TypeError('thrown: ' + arguments.length); return JSON.stringify([this === undefined, ...arguments]); })"));
  for (let n = 0; n <= 10; n++) {
    const args = Array.from({ length: n }, (_, i) => (i % 2 ? ctx.newNumber(i) : ctx.newString(`a${i}`)));
    const direct = callDirect(sb, fn, args);
    const wrapped = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, ...args));
    assert.ok(direct.value, `${n} arguments`);
    assert.equal(ctx.getString(direct.value), ctx.getString(wrapped), `${n} arguments`);
    assert.deepEqual(JSON.parse(ctx.getString(direct.value)), [true, ...args.map((_, i) => (i % 2 ? i : `a${i}`))]);
    direct.value.dispose();
    wrapped.dispose();
    for (const a of args) a.dispose();
  }
  for (const n of [1, 9]) {
    const args = [ctx.newString("throw"), ...Array.from({ length: n - 1 }, () => ctx.newNumber(0))];
    const r = callDirect(sb, fn, args);
    assert.ok(r.error, `${n}: an error`);
    assert.deepEqual(ctx.dump(r.error), { name: "TypeError", message: `thrown: ${n}`, stack: ctx.dump(r.error).stack });
    r.error.dispose();
    for (const a of args) a.dispose();
  }
  fn.dispose();
  // Its argument array is freed with the context: QuickJS would abort on a leaked object, not on this, but the
  // context closes cleanly after it was made.
  closeSandbox(sb);
});
