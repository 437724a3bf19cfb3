/**
 * What a rule can reach and what it can keep: no host objects, no string
 * evaluation, no clock or randomness, nothing that survives into the next
 * run, whichever context strategy is used.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runOnce, type SandboxResult } from "../../runtime/sandbox/index.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits, type ContextStrategy } from "../../runtime/sandbox/types.js";
import { assertEcho, assertFails, assertOk, bundle, ECHO } from "./harness.js";

const run = (code: string, input = "{}"): Promise<SandboxResult> => runOnce(code, "message", input);
const value = async (expr: string): Promise<unknown> => JSON.parse(assertOk(await run(bundle(`return JSON.stringify(${expr});`))));

test("host objects are absent: require, process, fetch, timers, console, module loading", async () => {
  const names = ["require", "process", "fetch", "setTimeout", "setInterval", "setImmediate", "queueMicrotask",
    "console", "print", "std", "os", "module", "exports", "Buffer", "WebAssembly", "performance", "WeakRef", "FinalizationRegistry"];
  const types = await value(`[${names.map((n) => `typeof ${n}`).join(", ")}]`);
  assert.deepEqual(types, names.map(() => "undefined"));
  assertFails(await run(bundle("return import('fs');")), "TW5005");
});

test("the global object holds only the language's built-ins, the out-of-gas hook and the two token functions (which hold no key)", async () => {
  const names = (await value("Object.getOwnPropertyNames(globalThis)")) as string[];
  const unexpected = names.filter((n) => !/^[A-Z]/.test(n) && !["globalThis", "parseInt", "parseFloat", "isNaN", "isFinite",
    "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "escape", "unescape", "eval", "undefined", "__host_outOfGas", "__host_sign", "__host_verify"].includes(n));
  assert.deepEqual(unexpected, []);
});

test("string evaluation throws: eval, Function, and every function constructor reached through syntax", async () => {
  for (const expr of [
    "eval('1')",
    "(0, eval)('1')",
    "Function('return this')()",
    "new Function('return 1')",
    "(function () {}).constructor('return this')()",
    "(() => {}).constructor('return 1')",
    "(function* () {}).constructor('yield 1')",
    "(async function () {}).constructor('return 1')",
    "(async function* () {}).constructor('return 1')",
    "Reflect.construct(Function, ['return 1'])",
    "Object.getPrototypeOf(function () {}).constructor('return 1')",
  ]) {
    assertFails(await run(bundle(`return String(${expr});`)), "TW5005", /not available in a Thwonk rule/);
  }
});

test("no way to the global object beyond globalThis itself: `this` is undefined everywhere", async () => {
  assert.deepEqual(await value("[typeof this, (function () { return typeof this; })(), (() => typeof this)()]"), ["undefined", "undefined", "undefined"]);
  assertFails(await run(bundle("return typeof arguments.callee;")), "TW5005");
  assertFails(await run(bundle("with ({}) {} return '1';")), "TW5005", /SyntaxError/);
});

test("the clock and randomness are closed: Date.now, new Date(), Date(), Math.random throw", async () => {
  for (const expr of ["Date.now()", "new Date()", "Date()", "Math.random()"]) {
    assertFails(await run(bundle(`return String(${expr});`)), "TW5005", /not available|read the clock/);
  }
});

test("Date computes from given times, in UTC whatever the host's time zone", async () => {
  const saved = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    assert.notEqual(new Date(0).getTimezoneOffset(), 0, "the host is off UTC for this test");
    const got = await value(`(() => { const d = new Date(Date.UTC(2024, 0, 1, 23, 30)); return [
      d.getHours(), d.getDate(), d.getTimezoneOffset(), String(d), new Date(2024, 0, 1).getTime(),
      new Date('2024-01-01T10:00:00Z').getTime(), Date.parse('2024-01-01'), new Date(d).getTime() === d.getTime()]; })()`);
    assert.deepEqual(got, [23, 1, 0, "2024-01-01T23:30:00.000Z", Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 10), Date.UTC(2024, 0, 1), true]);
    // A string without a zone would be read in the host's zone: refused.
    assertFails(await run(bundle("return String(new Date('2024-01-01T10:00').getTime());")), "TW5005", /no time zone/);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test("every intrinsic a rule can reach is frozen, including those only syntax reaches", async () => {
  const frozen = await value(`[
    globalThis, Object.prototype, Array.prototype, String.prototype, Function.prototype, JSON, Math, Reflect,
    Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())),
    Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(async function* () {}),
    Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(new Map().entries()), Object.getPrototypeOf(/x/g[Symbol.matchAll]('x')),
    Object.getPrototypeOf(Uint8Array), Promise.prototype, Error.prototype, Date.prototype, RegExp.prototype,
    Object.getOwnPropertyDescriptor(Function.prototype, 'caller').get,
  ].map(Object.isFrozen)`);
  assert.ok(Array.isArray(frozen) && frozen.every((f) => f === true), JSON.stringify(frozen));
});

test("bundle code that closes the function it is loaded in is refused", async () => {
  const escape = "function __thwonk_run() { return '1'; }\n}); let shared = 0; (function () { function __thwonk_run() { return String(shared++); } return __thwonk_run;";
  assertFails(await run(escape), "TW5005", /closes the function it is loaded in/);
  assertFails(await run("return 1; }), (function () {"), "TW5005");
});

test("a top-level declaration shadowing a built-in is harmless (it is local to the bundle)", async () => {
  assertOk(await run("function isNaN() { return 'mine'; }\nfunction __thwonk_run() { return JSON.stringify(isNaN()); }"));
});

/**
 * Attempts to leave something behind for the next run of the same bundle.
 * Each runs inside a try/catch, so the run itself succeeds and, with the
 * reuse strategy, its context is kept for the next run, unless the engine
 * must drop it (`drops`): a run that redefined a global (QuickJS lets
 * defineProperty change a frozen global; the run is failed for it) or left a
 * promise job queued.
 */
const POLLUTERS: { name: string; attempt: string; drops?: boolean }[] = [
  { name: "Object.prototype.x", attempt: "Object.prototype.x = 1;" },
  { name: "defineProperty on Object.prototype", attempt: "Object.defineProperty(Object.prototype, 'x', { value: 1 });" },
  { name: "__proto__ of a literal", attempt: "({}).__proto__.x = 1;" },
  { name: "Array.prototype.concat", attempt: "Array.prototype.concat = function () { return 'polluted'; };" },
  { name: "String.prototype.trim", attempt: "String.prototype.trim = () => 'polluted';" },
  { name: "JSON.stringify", attempt: "JSON.stringify = () => '\"polluted\"';" },
  { name: "Symbol.iterator", attempt: "Array.prototype[Symbol.iterator] = function* () {};" },
  { name: "a new global", attempt: "globalThis.leak = 1;" },
  { name: "an assigned global", attempt: "Math = {};" },
  { name: "the global object's prototype", attempt: "Object.setPrototypeOf(globalThis, { x: 1 });" },
  { name: "the iterator prototype", attempt: "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).x = 1;" },
  { name: "the generator prototype", attempt: "Object.getPrototypeOf(function* () {}).prototype.x = 1;" },
  { name: "a top-level binding", attempt: "calls += 100;" },
  { name: "a redefined global", attempt: "Object.defineProperty(globalThis, 'Math', { value: { x: 1 } });", drops: true },
  { name: "a promise job", attempt: "Promise.resolve().then(() => { Object.prototype.x = 1; });", drops: true },
];

const OBSERVE = "JSON.stringify({ calls, x: ({}).x ?? null, trim: ' a '.trim(), arr: [1].concat([2]), spread: [...[3]], leak: typeof globalThis.leak, math: typeof Math.max })";
const CLEAN = { calls: 1, x: null, trim: "a", arr: [1, 2], spread: [3], leak: "undefined", math: "function" };

async function pollutionDoesNotLeak(strategy: ContextStrategy): Promise<void> {
  const engine = new Engine({ limits: resolveLimits(), strategy });
  for (const { name, attempt, drops } of POLLUTERS) {
    const code = `let calls = 0;\nfunction __thwonk_run(t, i) {\n  calls++;\n  if (i === '"pollute"') { try { ${attempt} } catch (e) {} }\n  return ${OBSERVE};\n}`;
    const loads = engine.stats.loads;
    await engine.run(code, name, "message", '"pollute"');
    for (let k = 0; k < 2; k++) {
      const { result } = await engine.run(code, name, "message", '"check"');
      assert.deepEqual(JSON.parse(assertOk(result)), CLEAN, `${strategy}: after ${name}`);
    }
    if (strategy === "reuse") {
      assert.equal(engine.stats.loads - loads, drops ? 2 : 1, `${name}: the context was ${drops ? "not dropped" : "not reused"}`);
    }
    assertEcho((await engine.run(ECHO, "echo", "message", '{"n":3}')).result, 3);
  }
}

test("prototype pollution and global tricks do not reach the next run (fresh contexts)", async () => {
  await pollutionDoesNotLeak("fresh");
});

test("prototype pollution and global tricks do not reach the next run (reused context)", async () => {
  await pollutionDoesNotLeak("reuse");
});

test("bundles that share a context: what one run tries to leave behind does not reach another bundle's run", async () => {
  for (const { name, attempt, drops } of POLLUTERS) {
    const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
    const code = (pollute: boolean): string =>
      `let calls = 0;\nfunction __thwonk_run(t, i) {\n  calls++;\n  if (${pollute} && i === '"pollute"') { try { ${attempt} } catch (e) {} }\n  return ${OBSERVE};\n}`;
    const observe = async (): Promise<Record<string, unknown>> => {
      const { calls: _, ...seen } = JSON.parse(assertOk((await engine.run(code(false), `${name}: observer`, "message", '"check"')).result)) as Record<string, unknown>;
      return seen;
    };
    const { calls: _, ...clean } = CLEAN;
    assert.deepEqual(await observe(), clean, `${name}: before`);
    await engine.run(code(true), `${name}: polluter`, "message", '"pollute"');
    assert.equal(engine.stats.instances, 1, `${name}: the two bundles were loaded in one context`);
    assert.deepEqual(await observe(), clean, `${name}: the other bundle, after`);
    assert.deepEqual(await observe(), clean, `${name}: the other bundle, again`);
    // A run that had to be failed drops the context for every bundle in it: the observer was loaded again.
    assert.equal(engine.stats.loads, drops ? 3 : 2, `${name}: loads`);
  }
});

/**
 * The check after each run (lockdown.ts `intact`) reads every global by its name. QuickJS lets defineProperty (and
 * a class field on an object a base constructor returned) change a frozen global's value: whichever global a run
 * changes, by whichever of those ways, the run fails for it, and the next run in the same engine does not see it.
 */
test("redefining any global, by any of the ways QuickJS allows, fails the run and never reaches the next one", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const keysCode = bundle("return JSON.stringify(Reflect.ownKeys(globalThis).map((k) => typeof k === 'symbol' ? ['symbol', k.description] : ['string', k]));");
  const keys = JSON.parse(assertOk((await engine.run(keysCode, "keys", "message", "{}")).result)) as [string, string][];
  assert.ok(keys.length >= 60, `only ${keys.length} globals`);
  assert.ok(keys.some(([kind]) => kind === "symbol"), "no symbol-keyed global to try");
  const keyExpr = ([kind, name]: [string, string]): string =>
    kind === "symbol" ? `Reflect.ownKeys(globalThis).find((k) => typeof k === 'symbol' && k.description === ${JSON.stringify(name)})` : JSON.stringify(name);
  const ways = [
    "Object.defineProperty(G, K, { value: { planted: 1 } });",
    "Reflect.defineProperty(G, K, { value: { planted: 1 } });",
    "Object.defineProperties(G, { [K]: { value: { planted: 1 } } });",
    "Object.defineProperty(G, K, { value: { planted: 1 }, writable: false, enumerable: false, configurable: false });",
    "class Base { constructor() { return G; } } class Field extends Base { [K] = { planted: 1 }; } new Field();",
  ];
  // Everything the run uses after its attempt is taken before it: the attempt may have replaced any global.
  const planted = "const v = G[K]; return S(v !== null && typeof v === 'object' && v.planted === 1);";
  let changed = 0;
  for (const key of keys) {
    const head = `const G = globalThis, S = JSON.stringify, K = ${keyExpr(key)};`;
    for (const [w, way] of ways.entries()) {
      const name = `${key[0]} ${key[1]}, way ${w}`;
      const { result } = await engine.run(bundle(`${head}\ntry { ${way} } catch (e) {}\n${planted}`), `plant ${name}`, "message", "{}");
      if (result.ok) {
        // QuickJS refused this way for this global: nothing changed, nothing to find.
        assert.equal(result.output, "false", `${name}: a changed global went unnoticed`);
      } else {
        changed++;
        assertFails(result, "TW5005", /redefined the global/);
      }
      const seen = await engine.run(bundle(`${head}\n${planted}`), `observe ${name}`, "message", "{}");
      assert.equal(assertOk(seen.result), "false", `${name}: the next run saw the planted value`);
    }
  }
  // The ways do change globals on this QuickJS (else this test checks nothing).
  assert.ok(changed >= keys.length, `only ${changed} changes made`);
});
