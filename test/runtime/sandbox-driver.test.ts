/**
 * The driver is part of the prelude (contract/prelude/driver.js): a context
 * compiles it once and every bundle loaded there calls it with its own
 * definitions (contract/prelude.ts RULE_ENTRY). What must hold: no bundle can
 * change the driver or see another bundle's definitions or run state, names a
 * rule shadows stay its own, a trigger name is never something a rule's
 * object inherits, and a run after a failed one is as if it ran first; and an
 * engine error is still placed at its .thwonk line. Real compiled bundles and
 * hand-written hostile ones after the real prelude, on real QuickJS.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { PRELUDE, RULE_ENTRY } from "../../contract/index.js";
import { assembleInput, encodeInput } from "../../runtime/input/build.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits, type ContextStrategy } from "../../runtime/sandbox/types.js";
import { describeSandboxError } from "../../runtime/testing/errors.js";
import { assertOk } from "./harness.js";

const NOW = Date.UTC(2026, 10, 25, 12);

// A rule with state (schema, bounds, initial value) and two triggers: what the driver reads of a rule. Line 13 divides
// by the subject's length: a subject of "" fails the run with TW5010.
const SOURCE = `rule counted

limits { members: 10, fanout: 10 }

state {
  count: int = 42
  subjects: List<string max 200> max 3 = []
}

on message(m: Message) {
  state.count = state.count + 1
  if state.subjects.size < 3 { state.subjects.push(m.subject.truncate(200)) }
  let per = 100 / m.subject.length
  send(to: members, subject: "{m.subject} #{state.count} {per}", text: m.text)
}

every day at 00:00 {
  state.subjects = []
}
`;

function compiled(source = SOURCE): Bundle {
  const { bundle, diagnostics } = compileSource("counted.thwonk", source);
  assert.ok(bundle, diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return bundle;
}

function input(subject = "Hello", gas = 1_000_000): { inputJson: string; members?: ReturnType<typeof encodeInput>["members"] } {
  const from = "m1@example.org";
  return encodeInput(
    assembleInput({
      now: NOW,
      gas,
      members: [{ address: from, name: "Member 1", role: "member", joined: NOW - 1000 }],
      message: { from, to: ["list@example.org"], cc: [], subject, text: "A post ünïcödé 😀", html: null, headers: [["From", from]], attachments: [], date: NOW, messageId: "t@example.org", envelope: { sender: from, recipient: "list@example.org", isRequest: false, tag: null } },
    }),
  );
}

type Out = { actions: { kind: string; subject?: string }[]; state: Record<string, unknown> | null; error: { code: string; args: unknown[] } | null; gas: { used: number } };

async function run(engine: Engine, code: string, id: string, trigger = "message", inp = input()): Promise<Out> {
  return JSON.parse(assertOk((await engine.run(code, id, trigger, inp.inputJson, inp.members)).result)) as Out;
}

/** A hand-written rule part after the real prelude: `body` is its `__thwonk_run`'s, returning a JSON string. */
function handWritten(body: string, extra = ""): string {
  return `${PRELUDE}// hand-written\n${extra}\nfunction __thwonk_run(t, i) {\n${body}\n}\n`;
}

/** What a run sees of the driver's run state and of names other bundles define, before it does anything. */
const OBSERVE = `({
  rule: __rule, members: __G_members, list: __G_list, now: __G_now, units: __stUnits,
  others: [typeof __triggers, typeof __tests, typeof __stateSchema, typeof __stateBounds, typeof __stateInit, typeof __stateUnitGas, typeof __SB, typeof __trigger_0],
})`;
const CLEAN = { rule: null, members: null, list: null, now: 0, units: 0, others: Array(8).fill("undefined") };

test("a compiled bundle's code is the prelude (with the driver) and its own part, which starts with its entry point", () => {
  const code = compiled().code.text;
  assert.ok(code.startsWith(PRELUDE));
  const own = code.slice(PRELUDE.length);
  assert.equal(own.split("\n")[1], RULE_ENTRY);
  assert.ok(own.length < 2000, `the rule's own part is ${own.length} characters`);
  assert.ok(!/__stLoad|__runTrigger|__begin = /.test(own), "no driver function in the rule's own part");
});

for (const strategy of ["reuse", "fresh"] as ContextStrategy[]) {
  test(`a rule cannot change the driver's functions or data; the bundle beside it runs as before (${strategy})`, async () => {
    const engine = new Engine({ limits: resolveLimits(), strategy });
    const b = compiled();
    const first = await run(engine, b.code.text, "counted");
    assert.equal(first.error, null);
    assert.deepEqual(first.actions.map((a) => a.subject), ["Hello #43 20"]);
    const attempts = [
      "__drive = function () { return '{}'; }",
      "__runTrigger = function () { return null; }",
      "__begin = null",
      "__result = function () { return 'x'; }",
      "__stLoad = function (d, v) { return v; }",
      "__GIVENS_GAS = 1",
      "__drive.x = 1",
      "Object.defineProperty(__runTrigger, 'x', { value: 1 })",
      "__drive.prototype.x = 1",
      "Object.setPrototypeOf(__stLoad, null)",
      "__PATTERN_FIELDS.a = 'x'",
      "delete __PATTERN_FIELDS.a",
      "__stSave.call = function () {}",
    ];
    const hostile = handWritten(
      `var out = [];\n${attempts.map((a) => `try { ${a}; out.push("changed: " + ${JSON.stringify(a)}); } catch (e) { out.push(e instanceof TypeError ? "refused" : String(e)); }`).join("\n")}\nreturn JSON.stringify(out);`,
    );
    const refused = JSON.parse(assertOk((await engine.run(hostile, "hostile", "message", "{}")).result)) as string[];
    assert.deepEqual(refused, attempts.map(() => "refused"));
    const again = await run(engine, b.code.text, "counted");
    assert.deepEqual(again, first, "the same run gives the same result after the hostile one");
    if (strategy === "reuse") assert.equal(engine.reuse.sharedPreludes, 1, "the hostile bundle was loaded into the compiled one's context");
  });
}

test("a rule cannot see another bundle's definitions or run state, after a run that succeeded, failed as a rule, or stopped", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const b = compiled();
  const observer = handWritten(`return JSON.stringify(${OBSERVE});`);
  // The observer can call the driver's functions, but they have no rule to run: its own definitions are none.
  const prober = handWritten(`var out = [];
try { out.push(__runTrigger("message", null)); } catch (e) { out.push(e instanceof TypeError ? "no rule" : String(e)); }
try { __stateOver({}); out.push("bounds read"); } catch (e) { out.push(e instanceof TypeError ? "no rule" : String(e)); }
return JSON.stringify(out);`);
  const look = async (id: string): Promise<void> => {
    assert.deepEqual(JSON.parse(assertOk((await engine.run(observer, "observer", "message", "{}")).result)), CLEAN, `after ${id}`);
    assert.deepEqual(JSON.parse(assertOk((await engine.run(prober, "prober", "message", "{}")).result)), ["no rule", "no rule"], `after ${id}`);
  };
  assert.equal((await run(engine, b.code.text, "counted")).error, null);
  await look("a run");
  // A rule error (division by zero at line 13): the run returns its error, the context stays.
  const failed = await run(engine, b.code.text, "counted", "message", input(""));
  assert.equal(failed.error?.code, "TW5010");
  await look("a rule error");
  assert.deepEqual([engine.stats.loads, engine.reuse.sharedPreludes], [3, 2], "all three in one context");
  // Out of gas: the sandbox stops the run and drops the context with every bundle in it.
  const stopped = await engine.run(b.code.text, "counted", "message", input("Hello", 50).inputJson, input().members);
  assert.ok(!stopped.result.ok);
  assert.equal(stopped.result.error.code, "TW5001");
  await look("a stopped run");
  // And the bundle itself runs as if it ran first.
  const after = await run(engine, b.code.text, "counted");
  assert.equal(after.error, null);
  assert.deepEqual(after.actions.map((a) => a.subject), ["Hello #43 20"]);
  assert.deepEqual(after.state, { count: 43, subjects: ["Hello"] });
});

test("names a rule's code shadows (the driver's, the run state's) stay its own: the driver runs it as it runs the compiled rule", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const b = compiled();
  const want = await run(engine, b.code.text, "counted");
  const shadows = [
    "var __rule = { triggers: {}, tests: [], schema: {}, bounds: {}, init: null, unitGas: 1e9 };",
    "var __stUnits = 1e12;",
    "var __runTrigger = function () { throw new Error('shadowed __runTrigger ran'); };",
    "var __begin = function () { throw new Error('shadowed __begin ran'); };",
    "var __result = function () { return '{\"shadowed\":true}'; };",
    "var __stLoad = null, __stSave = null, __loadState = null, __saveState = null, __stateOver = null;",
    "function __reset() { throw new Error('shadowed __reset ran'); }",
    "var __G_now = -1, __G_list = { address: 'x@y' };",
  ].join("\n");
  const code = b.code.text + shadows + "\n";
  const got = await run(engine, code, "shadowing");
  assert.equal(engine.stats.preludes, engine.stats.loads, "loaded with the shared prelude");
  // __G_now and __G_list are read through the rule's own (shadowed) names only where the rule reads them; this rule does not.
  assert.deepEqual(got, want);
});

test("a trigger name is one of the rule's own triggers, never what its object inherits (TW5018)", async () => {
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const b = compiled();
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf"]) {
    const out = await run(engine, b.code.text, "counted", name);
    assert.equal(out.error?.code, "TW5018", `${name}: ${JSON.stringify(out)}`);
    assert.deepEqual(out.actions, []);
  }
  assert.equal((await run(engine, b.code.text, "counted", "every day at 00:00")).error, null);
  // A hand-written rule whose triggers inherit one: the inherited one does not run either.
  const inherits = `${PRELUDE}// hand-written
var ran = false;
var __triggers = Object.create({ inherited: function () { ran = true; } });
__triggers.own = function () { ran = true; };
var __tests = [], __stateSchema = Object.create(null), __stateBounds = Object.create(null), __stateUnitGas = 1;
function __stateInit() { return null; }
function __thwonk_run(t, i, m) { var r = JSON.parse(__drive(t, i, m, __triggers, __tests, __stateSchema, __stateBounds, __stateInit, __stateUnitGas)); return JSON.stringify({ code: r.error && r.error.code, ran: ran }); }
`;
  const inp = input();
  const res = async (t: string): Promise<unknown> => JSON.parse(assertOk((await engine.run(inherits, "inherits", t, inp.inputJson, inp.members)).result));
  assert.deepEqual(await res("inherited"), { code: "TW5018", ran: false });
  assert.deepEqual(await res("own"), { code: null, ran: true });
});

test("an engine error is placed at its .thwonk line, in a context shared with other bundles and when the code loads whole", async () => {
  const b = compiled();
  // `(void 0).x` at the start of the generated line of .thwonk line 13, the line count kept.
  const js = b.code.sourceMap.find((m) => m[1] === 13)!;
  const lines = b.code.text.split("\n");
  lines[js[0] - 1] = "(void 0).x;" + lines[js[0] - 1];
  const faulty = lines.join("\n");
  // The prelude changed in one character (its line count kept): not recognised, so loaded whole.
  const whole = faulty.replace('"use strict";', "'use strict';");
  assert.ok(!whole.startsWith(PRELUDE));
  for (const [name, code, second] of [["shared", faulty, true], ["whole", whole, false]] as const) {
    const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
    if (second) assert.equal((await run(engine, compiled(SOURCE.replace("= 42", "= 43")).code.text, "other")).error, null);
    const r = (await engine.run(code, name, "message", input().inputJson, input().members)).result;
    assert.ok(!r.ok);
    assert.equal(r.error.code, "TW5005");
    const placed = describeSandboxError(r.error, b.code.sourceMap, r.jsLines);
    assert.deepEqual([placed.line, placed.column], [13, 3], `${name}: ${JSON.stringify(placed)} ${JSON.stringify(r.jsLines)}`);
    assert.equal(engine.stats.preludes, second ? 2 : 0, name);
    if (second) assert.equal(engine.reuse.sharedPreludes, 1);
  }
});
