/**
 * The prelude against the one stdlib declaration: every method, function and
 * getter the stdlib declares has an implementation with the name and arity the
 * emitter calls it by, and the prelude implements nothing the stdlib does not
 * declare. The prelude is evaluated for real (node:vm) to read its functions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { DRIVER, PRELUDE, PRELUDE_CONSTS, PRELUDE_ERRORS, PRELUDE_FUNCTIONS, PRELUDE_GETTERS, PRELUDE_METHODS } from "../../contract/prelude.js";
import { runtimeMessages } from "../../contract/messages.js";
import { stdlib } from "../../stdlib/index.js";
import type { FunctionDecl } from "../../stdlib/decl.js";

/** The arity the emitter calls an implementation with: the receiver, every parameter, then line and column for an action. */
function arity(d: FunctionDecl, method: boolean): number {
  const at = d.capability !== undefined || d.terminates === true ? 2 : 0;
  return (method ? 1 : 0) + d.params.length + (d.shows ? 1 : 0) + at;
}

const lengths: Record<string, number> = (() => {
  const names = [...PRELUDE_METHODS, ...PRELUDE_GETTERS.map((g) => `G$${g}`), ...PRELUDE_FUNCTIONS.map((f) => `F$${f}`)];
  return vm.runInContext(`${PRELUDE}; ({ ${names.map((n) => `${JSON.stringify(n)}: ${n}.length`).join(", ")} })`, vm.createContext({})) as Record<string, number>;
})();

test("every stdlib method has an implementation with its arity, and the prelude has no other", () => {
  const declared: string[] = [];
  for (const [owner, t] of Object.entries(stdlib.types)) {
    for (const [name, d] of Object.entries(t.methods ?? {})) {
      const impl = `${owner}$${name}`;
      declared.push(impl);
      assert.ok(PRELUDE_METHODS.includes(impl), `${owner}.${name} has no implementation ${impl} in contract/prelude/library.js`);
      assert.equal(lengths[impl], arity(d, true), `${impl}: arity`);
    }
  }
  assert.deepEqual([...PRELUDE_METHODS].sort(), declared.sort(), "the prelude implements methods the stdlib does not declare");
});

test("every stdlib function has an implementation F$name with its arity, and the prelude has no other", () => {
  for (const [name, d] of Object.entries(stdlib.functions)) {
    assert.ok(PRELUDE_FUNCTIONS.includes(name), `${name} has no implementation F$${name}`);
    assert.equal(lengths[`F$${name}`], arity(d, false), `F$${name}: arity`);
  }
  assert.deepEqual([...PRELUDE_FUNCTIONS].sort(), Object.keys(stdlib.functions).sort());
});

test("every getter reads a declared field and takes the value alone", () => {
  assert.ok(PRELUDE_GETTERS.length > 0);
  for (const g of PRELUDE_GETTERS) {
    const [owner, field] = g.split("$") as [string, string];
    assert.ok(stdlib.types[owner]?.fields?.[field], `G$${g} reads no declared field ${owner}.${field}`);
    assert.equal(lengths[`G$${g}`], 1, `G$${g}: arity`);
  }
});

test("every error code the prelude and the driver raise is one of PRELUDE_ERRORS, each worded in the runtime messages", () => {
  const raised = new Set([...(PRELUDE + DRIVER).matchAll(/"(TW\d{4})"/g)].map((m) => m[1]!));
  const known = new Set<string>(Object.values(PRELUDE_ERRORS));
  assert.deepEqual([...raised].filter((c) => !known.has(c)), []);
  const worded = new Set(Object.values(runtimeMessages).map((m) => m.code));
  for (const c of known) assert.ok(worded.has(c), c);
});

test("the run state: every `let` binding of the prelude is set back by __reset, and nothing else is", () => {
  const lets = [...PRELUDE.matchAll(/^let (.*);$/gm)].flatMap((m) => m[1]!.split(/,\s*(?=__)/).map((d) => d.split("=")[0]!.trim()));
  const reset = /^const __reset = function \(\) \{(.*)\};$/m.exec(PRELUDE);
  assert.ok(reset, "__reset");
  const set = reset[1]!.split(";").map((s) => s.trim()).filter(Boolean).map((s) => s.split("=")[0]!.trim());
  assert.ok(lets.length > 5);
  assert.deepEqual(set, lets);
  assert.ok(!PRELUDE_CONSTS.some((c) => lets.includes(c)));
});

test("the prelude defines the functions the stdlib declares for values it holds in its own way (atRun), taking the value alone", () => {
  const held = Object.entries(stdlib.types).flatMap(([name, t]) => (t.atRun ? [[name, t.atRun] as const] : []));
  assert.ok(held.some(([name]) => name === "Members"), "Members is held by the prelude in its own way");
  const fns = held.flatMap(([, a]) => [a.size, ...(a.elements ? [a.elements] : [])]);
  const arities = vm.runInContext(`${PRELUDE}; ({ ${fns.map((n) => `${JSON.stringify(n)}: typeof ${n} === "function" ? ${n}.length : -1`).join(", ")} })`, vm.createContext({})) as Record<string, number>;
  for (const f of fns) assert.equal(arities[f], 1, `${f}: a prelude function of one argument`);
});
