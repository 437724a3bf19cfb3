/**
 * Keys are data: any string is a map key, a record field or a state field,
 * whatever Object.prototype has under that name. Real compiled rules in the
 * real sandbox; the state each run saves is the next run's input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileSource } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, reusedPool, ruleErrorWords } from "../helpers/run-input.js";

const MAPS = `rule keys

limits { subject: 100 }

state {
  seen: Map<string max 200, int> max 50 = {}
  gone: Map<string max 200, int> max 50 = {}
}

on message(m: Message) {
  let k = m.subject
  if state.seen.has(k) {
    state.seen.set(k, (state.seen.get(k) ?? 0) + 1)
    if state.gone.size < 50 {
      state.gone.set(k, 1)
    }
    state.gone.remove(k)
  } else if state.seen.size < 50 {
    state.seen.set(k, 1)
  }
  log("{k}={state.seen.get(k) ?? 0} {state.seen.has(k)} {state.gone.has(k)}")
}
`;

const bundle = (() => {
  const r = compileSource("keys.thwonk", MAPS);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics.map((d) => d.message)));
  return r.bundle;
})();

/** `reused`: on the file's reused engine (the daemon pool's way, reusedPool), where a key that leaked into a prototype would show in later runs; else in a fresh sandbox. */
async function run(subject: string, state: unknown, reused = false): Promise<{ log: string; state: Record<string, Record<string, number>> }> {
  const input = handInput({ state, limits: { members: 2, logs: 3, page: 20, subject: 100 } }, { subject });
  const r = await runBundle(bundle, { trigger: "message", input: input as never, ...(reused ? { pool: reusedPool(bundle) } : {}) }, ruleErrorWords);
  assert.equal(r.error, null, `subject ${JSON.stringify(subject)}: ${JSON.stringify(r.error)}`);
  // The state goes through JSON between runs, as the daemon stores it.
  return { log: String(r.actions[0]?.["text"]), state: JSON.parse(JSON.stringify(r.state)) };
}

const hostile = ["toString", "hasOwnProperty", "__proto__", "constructor", "valueOf", "__defineGetter__", "isPrototypeOf", "", "prototype"];

test("names Object.prototype has are map keys like any other, across a save and a load", async () => {
  for (const k of hostile) {
    const first = await run(k, null);
    assert.equal(first.log, `${k}=1 true false`);
    assert.deepEqual(Object.keys(first.state["seen"]!), [k]);
    assert.equal(Object.getOwnPropertyDescriptor(first.state["seen"], k)?.value, 1);
    const second = await run(k, first.state);
    assert.equal(second.log, `${k}=2 true false`, `second run of ${JSON.stringify(k)}`);
    assert.equal(Object.getOwnPropertyDescriptor(second.state["seen"], k)?.value, 2);
  }
});

test("any string round-trips as a key through set, get, has, remove and saved state", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(fc.constantFrom(...hostile), fc.string({ maxLength: 20 }), fc.string({ unit: "binary", maxLength: 8 })), { minLength: 1, maxLength: 6 }), async (keys) => {
      let state: unknown = null;
      const counts = new Map<string, number>();
      for (const raw of keys) {
        // Subjects are one line; the language's keys are whatever the subject holds.
        const k = raw.replace(/[\r\n]/g, " ");
        const r = await run(k, state, true);
        counts.set(k, (counts.get(k) ?? 0) + 1);
        assert.equal(r.log, `${k}=${counts.get(k)} true false`);
        state = r.state;
      }
      const saved = (state as Record<string, Record<string, number>>)["seen"]!;
      assert.deepEqual(new Map(Object.entries(saved)), counts);
      assert.deepEqual(Object.keys((state as Record<string, object>)["gone"]!), []);
    }),
    { numRuns: 25 },
  );
});

const RECORDS = `rule rec

type Box = { __proto__: int, toString: string max 10, constructor: int }

state {
  __proto__: int = 0
  hasOwnProperty: Box = { __proto__: 1, toString: "x", constructor: 5 }
}

on message(m: Message) {
  state.__proto__ += 1
  let c = state.hasOwnProperty
  state.hasOwnProperty = { __proto__: c.__proto__ + 1, toString: "y", constructor: c.constructor }
  log("{state.__proto__} {state.hasOwnProperty.__proto__} {state.hasOwnProperty.toString} {state.hasOwnProperty.constructor}")
}
`;

test("record and state fields named __proto__, toString, constructor, hasOwnProperty are fields", async () => {
  const r = compileSource("rec.thwonk", RECORDS);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics.map((d) => d.message)));
  let state: unknown = null;
  for (const want of ["1 2 y 5", "2 3 y 5"]) {
    const out = await runBundle(r.bundle, { trigger: "message", input: handInput({ state }) as never }, ruleErrorWords);
    assert.equal(out.error, null, JSON.stringify(out.error));
    assert.equal(out.actions[0]?.["text"], want);
    state = JSON.parse(JSON.stringify(out.state));
    assert.deepEqual(Object.keys(state as object), ["__proto__", "hasOwnProperty"]);
  }
});
