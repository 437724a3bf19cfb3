/**
 * The prelude runs once per context (runtime/sandbox/bundle.ts) and the
 * members' columns are kept between runs (engine.ts): neither may become a
 * way for one run to leave something for the next. The rule parts here are
 * hand-written JavaScript after the real prelude, as a hostile bundle would be.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource } from "../../compiler/emit/bundle.js";
import { DRIVER, PRELUDE, PRELUDE_CONSTS, type HandMadeInput, type RunInput } from "../../contract/index.js";
import { assembleInput, encodeInput } from "../../runtime/input/build.js";
import type { MemberJson } from "../../runtime/input/types.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { createSandboxPool, runOnce } from "../../runtime/sandbox/index.js";
import { resolveLimits, type ContextStrategy } from "../../runtime/sandbox/types.js";
import { repoRoot } from "../helpers/repo.js";
import { assertFails, assertOk } from "./harness.js";

/** What a run sees of the prelude's state and objects before it does anything. */
const OBSERVE = `JSON.stringify({
  calls: ++calls,
  state: [__in, __gas, __gasLimit, __actions.length, Object.keys(__actions).length, __snapshots.size, __st, __tz.length, __trace, __logs, __sent, __fanout],
  fnProp: typeof F$send.x, protoProp: typeof __g.prototype.x, stop: Object.keys(__STOP), weekday: __WEEKDAYS[0],
  truncate: string$truncate("abcdef", 3), reset: typeof __reset, evaluator: typeof eval,
})`;
const CLEAN = {
  calls: 1,
  state: [null, 0, 0, 0, 0, 0, null, 0, null, 0, 0, 0],
  fnProp: "undefined", protoProp: "undefined", stop: ["stop"], weekday: "sunday", truncate: "abc", reset: "function", evaluator: "undefined",
};

/** A rule part after the real prelude: observes first, then (when asked to) tries to leave something behind. */
function hostile(attempt: string, extra = ""): string {
  return `${PRELUDE}// hand-written\nlet calls = 0;\n${extra}\nfunction __thwonk_run(t, i) {\n  const seen = ${OBSERVE};\n  if (i === '"pollute"') { try { ${attempt} } catch (e) {} }\n  return seen;\n}\n`;
}

const ATTEMPTS: { name: string; attempt: string; extra?: string }[] = [
  { name: "the run state", attempt: "__in = 1; __gas = 5; __gasLimit = 5; __actions.push(1); __actions.x = 1; __snapshots.set(1, 1); __st = {}; __tz.push([0, 60]); __trace = []; __logs = 9; __sent = 9; __fanout = 9;" },
  { name: "the run state, replaced", attempt: "__actions = [1]; __snapshots = new Map([[1, 1]]); __tz = [[0, 60]];" },
  { name: "a property on a prelude function", attempt: "F$send.x = 1;" },
  { name: "defineProperty on a prelude function", attempt: "Object.defineProperty(F$send, 'x', { value: 1 });" },
  { name: "a prelude function's prototype", attempt: "__g.prototype.x = 1;" },
  { name: "a prelude constant", attempt: "__STOP.more = 1;" },
  { name: "a prelude array", attempt: "__WEEKDAYS[0] = 'x';" },
  { name: "a prelude binding", attempt: "string$truncate = () => 'x';" },
  { name: "the reset function", attempt: "__reset = () => {};" },
  { name: "the shared prelude's evaluator", attempt: "eval('__gas = 7'); (0, eval)('__logs = 9');" },
  { name: "the shared prelude's loader bindings", attempt: "__code = 'x'; __r = null;" },
  { name: "the reset function, shadowed", attempt: "__logs = 9; __tz = [[0, 60]];", extra: "function __reset() {}" },
];

for (const strategy of ["reuse", "fresh"] as ContextStrategy[]) {
  test(`nothing a run does to the prelude reaches the next run (${strategy})`, async () => {
    const engine = new Engine({ limits: resolveLimits(), strategy });
    for (const { name, attempt, extra } of ATTEMPTS) {
      const code = hostile(attempt, extra);
      assert.deepEqual(JSON.parse(assertOk((await engine.run(code, name, "message", '"pollute"')).result)), CLEAN, `${name}: first run`);
      for (let k = 0; k < 2; k++) {
        assert.deepEqual(JSON.parse(assertOk((await engine.run(code, name, "message", '"check"')).result)), CLEAN, `${strategy}: after ${name}`);
      }
    }
    assert.equal(engine.stats.preludes, engine.stats.loads, "every bundle was loaded with its prelude run once");
    if (strategy === "reuse") assert.equal(engine.stats.loads, ATTEMPTS.length, "each bundle's context was reused");
  });
}

test("a rule part that closes the function it is loaded in is refused, whichever function it closes", async () => {
  const escapes = [
    // Out of the rule's function into the prelude's scope, which outlives runs.
    "function __thwonk_run() { return JSON.stringify(++stash); }\nreturn __thwonk_run; }; let stash = 0; const __rule2 = function () {",
    // Out of both, to the script's top level.
    "function __thwonk_run() { return JSON.stringify(++stash); }\nreturn __thwonk_run; }; return [__rule, __rule]; }); let stash = 0; (void function () { void function () {",
    // Out of the rule's function inside the shared prelude's evaluation: the evaluation's last value is another function.
    "function __thwonk_run() { return JSON.stringify(++stash); }\nreturn __thwonk_run; }); let stash = 0; (function () {",
    // The same, taking the evaluator while it is armed for the load.
    "function __thwonk_run() { return JSON.stringify(typeof kept); }\nreturn __thwonk_run; }); const kept = eval; (function () {",
  ];
  for (const strategy of ["reuse", "fresh"] as ContextStrategy[]) {
    const engine = new Engine({ limits: resolveLimits(), strategy });
    for (const rest of escapes) {
      const r = (await engine.run(PRELUDE + rest + "\n", `escape:${rest}`, "message", "{}")).result;
      assert.ok(!r.ok, `accepted: ${rest}`);
      // Refused either as code that closes its function, or because it does not parse in the framing it tried to leave.
      assert.match(r.error.message, /closes the function it is loaded in|SyntaxError/, rest);
    }
    const last = await runOnce(PRELUDE + escapes[2] + "\n", "message", "{}");
    assert.ok(!last.ok);
    assert.match(last.error.message, /closes the function it is loaded in/);
  }
});

test("the prelude's top level declares the run state with let and everything else with const", () => {
  const declarations = PRELUDE.split("\n").filter((l) => /^(var|let|const|function|class)\b/.test(l));
  const lets = declarations.filter((l) => l.startsWith("let "));
  assert.equal(lets.length, 1, lets.join("\n"));
  assert.deepEqual(declarations.filter((l) => !l.startsWith("let ") && !l.startsWith("const ")), []);
  // Every const is frozen when the prelude has run (the line that does it names them all).
  assert.ok(PRELUDE_CONSTS.length > 100);
  assert.ok(PRELUDE.trimEnd().endsWith(`[${PRELUDE_CONSTS.join(", ")}].forEach(function (v) { Object.freeze(v); if (typeof v === "function" && v.prototype) Object.freeze(v.prototype); });`));
});

// ---------------------------------------------------------------- members apart from the input

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12);

function members(n: number, suffix = ""): MemberJson[] {
  return Array.from({ length: n }, (_, i) => ({
    address: `m${i}@example.org`,
    name: i % 3 === 0 ? `Zoë 😀 ${i}${suffix}` : `Member ${i}${suffix}`,
    role: i === 0 ? ("owner" as const) : ("member" as const),
    joined: NOW - (i + 1) * DAY,
  }));
}

function exampleBundle(name: string): string {
  const src = readFileSync(join(repoRoot, "examples", name, `${name}.thwonk`), "utf8");
  const r = compileSource(`${name}.thwonk`, src);
  assert.ok(r.bundle, name);
  return r.bundle.code.text;
}

/** A message from member 1 (or a stranger) to the list. */
function inputFor(ms: ReturnType<typeof members>, from = "m1@example.org"): RunInput | HandMadeInput {
  const input = assembleInput({
    now: NOW, members: ms, gas: 10_000_000,
    message: { from, to: ["list@example.org"], cc: [], subject: "Hello", text: "A post with ünïcödé 😀 ".repeat(20), html: null, headers: [["From", from]], attachments: [], date: NOW, messageId: "t@example.org", envelope: { sender: from, recipient: "list@example.org", isRequest: false, tag: null } },
  });
  return input;
}

test("members given apart from the input give every example the same result as members in the JSON", async () => {
  for (const name of ["trim140", "moderated", "once_a_day", "archive", "bumplist", "subscribe"]) {
    const code = exampleBundle(name);
    for (const from of ["m1@example.org", "stranger@example.org", "m0@example.org"]) {
      const input = inputFor(members(40), from);
      const apart = encodeInput(input);
      assert.ok(apart.members, "the columns go apart");
      assert.equal((JSON.parse(apart.inputJson) as { members?: unknown }).members, undefined);
      const a = assertOk(await runOnce(code, "message", JSON.stringify(input)));
      const b = assertOk(await runOnce(code, "message", apart.inputJson, {}, apart.members));
      assert.equal(b, a, `${name}, from ${from}`);
    }
  }
});

test("a reused context keeps the members while they stay the same, and sees every change", async () => {
  const code = exampleBundle("moderated");
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const run = async (ms: ReturnType<typeof members>, from: string): Promise<string> => {
    const { inputJson, members: cols } = encodeInput(inputFor(ms, from));
    return assertOk((await engine.run(code, "moderated", "message", inputJson, cols)).result);
  };
  const held = (out: string): boolean => (JSON.parse(out) as { actions: { kind: string }[] }).actions.some((a) => a.kind === "hold");
  assert.equal(held(await run(members(5), "m4@example.org")), false);
  assert.equal(held(await run(members(5), "m4@example.org")), false);
  assert.equal(engine.stats.members, 1, "the same members are passed in once");
  // m4 leaves: the next run holds m4's post.
  assert.equal(held(await run(members(4), "m4@example.org")), true);
  assert.equal(engine.stats.members, 2);
  // A change in one name only is a change too.
  const renamed = members(4);
  renamed[2]!.name = "Someone Else";
  await run(renamed, "m1@example.org");
  assert.equal(engine.stats.members, 3);
});

test("a run cannot change the members kept for the next run", async () => {
  const code = `function __thwonk_run(t, i, m) {
    const seen = JSON.stringify([m.col("address"), m.col("joined"), m.pos("b@example.org"), m.pos("c@example.org"), Object.isFrozen(m), Object.isFrozen(m.col("name"))]);
    if (i === '"pollute"') {
      const tries = [() => { m.col("address")[0] = "evil@example.org"; }, () => { m.col("name").push("X"); }, () => { m.col.x = 1; },
        () => { m.pos = () => 0; }, () => m.col("__proto__"), () => m.col("constructor"), () => { Object.defineProperty(m, "x", { value: 1 }); }];
      for (const f of tries) { try { f(); } catch (e) {} }
      for (let k = 0; k < 10; k++) m.pos("a@example.org"); // past the scans: the index is built
    }
    return seen;
  }`;
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const cols = { address: "a@example.org\nb@example.org", name: "A\nB", role: "owner\nmember", joined: "1\n2" };
  const first = assertOk((await engine.run(code, "m", "message", '"pollute"', cols)).result);
  assert.deepEqual(JSON.parse(first), [["a@example.org", "b@example.org"], [1, 2], 1, -1, true, true]);
  for (let k = 0; k < 2; k++) assert.equal(assertOk((await engine.run(code, "m", "message", '"check"', cols)).result), first);
  assert.equal(engine.stats.members, 1);
  assertFails((await engine.run("function __thwonk_run(t, i, m) { return m.col('toString'); }", "n", "message", "{}", cols)).result, "TW5005", /no member column/);
});

test("members with a NUL stay in the input JSON; long multi-byte text crosses into the engine intact", async () => {
  const withNul = encodeInput({ gas: 1, members: { address: "a@example.org", name: "A\u0000B", role: "member", joined: "1" } });
  assert.equal(withNul.members, undefined);
  assert.match(withNul.inputJson, /A\\u0000B/);
  const text = "é😀\u2028ü ".repeat(2000);
  const echo = "function __thwonk_run(t, i, m) { return JSON.stringify([JSON.parse(i), m.col('name')[0]]); }";
  const r = assertOk(await runOnce(echo, "message", JSON.stringify(text), {}, { address: "", name: text, role: "", joined: "" }));
  assert.deepEqual(JSON.parse(r), [text, text]);
});

test("the pool passes members apart and reuses them", async () => {
  const pool = createSandboxPool({ workers: 1 });
  try {
    const code = exampleBundle("trim140");
    const { inputJson, members: cols } = encodeInput(inputFor(members(50)));
    const outs = [];
    for (let k = 0; k < 3; k++) outs.push(assertOk(await pool.run(code, "trim140", "message", inputJson, cols)));
    assert.equal(new Set(outs).size, 1);
    const sent = (JSON.parse(outs[0]!) as { actions: { kind: string; toMembers: boolean }[] }).actions;
    assert.deepEqual(sent.map((a) => [a.kind, a.toMembers]), [["send", true]]);
    assertFails(await pool.run(code, "trim140", "message", inputJson.replace('"m1@example.org"', '"m1@example.org'), cols), "TW5005");
  } finally {
    await pool.close();
  }
});

// ---------------------------------------------------------------- one prelude per context

test("bundles in one context share its prelude, each keeping its own code and gas", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const rule = (k: number): string => `${PRELUDE}// bundle ${k}\nlet mine = ${k};\nfunction __thwonk_run(t, i) {\n  __gas = __gasLimit = 1000; __gas -= ${k};\n  return JSON.stringify({ mine: mine++, used: __gasLimit - __gas, gas: __gas });\n}\n`;
  for (let round = 0; round < 2; round++) {
    for (let k = 1; k <= 5; k++) {
      assert.deepEqual(JSON.parse(assertOk((await engine.run(rule(k), `b${k}`, "message", "{}")).result)), { mine: k, used: k, gas: 1000 - k }, `bundle ${k}, round ${round}`);
    }
  }
  assert.equal(engine.stats.loads, 5);
  assert.equal(engine.reuse.sharedPreludes, 4, "the prelude ran once for the five bundles");
});

test("an engine error in a bundle loaded into a shared prelude is placed at the bundle's own line, as the driver reads it", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const prelude = PRELUDE.split("\n").length - 1;
  // The driver's own pattern (driver.js __runTrigger) reads the frame's line.
  const code = (k: number): string => `${PRELUDE}// bundle ${k}\nfunction __thwonk_run(t, i) {\n  try {\n    null.x;\n  } catch (e) { return JSON.stringify(/(?:bundle\\.js|<input>):(\\d+)/.exec(e.stack)[1]); }\n}\n`;
  assert.equal(JSON.parse(assertOk((await engine.run(code(1), "first", "message", "{}")).result)), String(prelude + 4));
  assert.equal(JSON.parse(assertOk((await engine.run(code(2), "second", "message", "{}")).result)), String(prelude + 4));
  assert.equal(engine.reuse.sharedPreludes, 1);
  assert.match(DRIVER, /\(\?:bundle\\\.js\|<input>\):\(\\d\+\)/);
});
