/**
 * Declared state bounds are never exceeded at run time (TW5012), on real
 * QuickJS: every write into state is checked, before it is stored, against
 * every `max` in the place's declared type, at any depth; the whole state is
 * checked once more before a run's state goes back to the host.
 *
 * The rules are emitted from the checker's model and run with ample gas: the
 * point is the code the emitter writes for each write form, whatever the
 * static checks say of the write (a write the verifier refuses must still be
 * refused here, should it ever get through).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import { boundsOf, emitRule } from "../../compiler/emit/emitter.js";
import { PRELUDE } from "../../contract/prelude.js";
import { runOnce } from "../../runtime/sandbox/index.js";
import { assertOk, bundle } from "./harness.js";

interface Out {
  error: { code: string; args: unknown[]; line: number; column: number } | null;
  state: Record<string, unknown> | null;
  actions: unknown[];
}

function code(src: string): string {
  const r = checkSources([{ fileName: "t.thwonk", text: src }]);
  const unit = r.units[0];
  assert.ok(unit, "a rule");
  const syntax = r.diagnostics.filter((d) => d.severity === "error" && /^TW1/.test(d.code));
  assert.deepEqual(syntax, [], "parses");
  assert.equal(unit.check.model.triggers.length, 1, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return emitRule(unit.rule, unit.check.model).code;
}

async function run(src: string, subject: string, state: Record<string, unknown> | null = null): Promise<Out> {
  const input = {
    gas: 1e9, fanout: 100, now: Date.UTC(2026, 10, 25, 12), tz: [],
    list: { address: "news@example.org", name: "News", owners: [] }, members: [], state,
    limits: { members: 3, logs: 3, page: 20 },
    message: {
      from: "ann@example.org", to: ["news@example.org"], cc: [], subject, text: "Some text", html: null,
      headers: [["From", "ann@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "ann@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
  return JSON.parse(assertOk(await runOnce(code(src), "message", JSON.stringify(input)))) as Out;
}

const rule = (state: string, body: string): string => `rule s\nstate { ${state} }\non message(m: Message) {\n  ${body}\n}\n`;

const E3 = "😀😀😀"; // three characters, six UTF-16 units
const E4 = "😀😀😀😀";

/** The run stopped with TW5012 at `line:column` (the write), naming `place`, its max and the count it would reach; nothing kept. */
function over(r: Out, place: string, max: number, n: number, line: number | null, column?: number): void {
  assert.equal(r.error?.code, "TW5012", JSON.stringify(r));
  assert.deepEqual(r.error!.args, [place, max, n]);
  if (line === null) assert.equal(r.error!.line, 0, "the backstop has no place in the source");
  else assert.deepEqual([r.error!.line, r.error!.column], [line, column]);
  assert.equal(r.state, null, "no state goes back");
  assert.deepEqual(r.actions, [], "no action goes out");
}

test("state.x = v: a string counts characters; 3 emoji fit `string max 3`, 4 do not", async () => {
  const src = rule(`s: string max 3 = ""`, `state.s = m.subject`);
  assert.deepEqual((await run(src, E3)).state, { s: E3 });
  over(await run(src, E4), "s", 3, 4, 4, 3);
  // Within twice its max in UTF-16 units a string is counted by the run's last check, not at the write (library.js __stbad).
  over(await run(src, "abcd"), "s", 3, 4, null);
  over(await run(src, "abcdefg"), "s", 3, 7, 4, 3);
});

test("state.x += v: the new string is checked", async () => {
  const src = rule(`s: string max 3 = "a"`, `state.s += m.subject`);
  assert.deepEqual((await run(src, "😀😀")).state, { s: "a😀😀" });
  over(await run(src, E3), "s", 3, 4, 4, 3);
});

test("state.x.f = v and state.x = { ... }: record fields are checked", async () => {
  const fieldWrite = rule(`r: { body: string max 3, n: int } = { body: "", n: 0 }`, `state.r.body = m.subject`);
  assert.deepEqual((await run(fieldWrite, E3)).state, { r: { body: E3, n: 0 } });
  over(await run(fieldWrite, E4), "r.body", 3, 4, 4, 3);
  const whole = rule(`r: { body: string max 3, n: int } = { body: "", n: 0 }`, `state.r = { body: m.subject, n: 1 }`);
  over(await run(whole, E4), "r.body", 3, 4, 4, 3);
});

test("state.x.push(v): the new count and the pushed element, at every depth", async () => {
  const src = rule(`notes: List<string max 3> max 2 = []`, `state.notes.push(m.subject)`);
  assert.deepEqual((await run(src, E3, { notes: ["a"] })).state, { notes: ["a", E3] });
  over(await run(src, "x", { notes: ["a", "b"] }), "notes", 2, 3, 4, 3);
  over(await run(src, E4, { notes: ["a"] }), "notes[1]", 3, 4, 4, 3);
  const records = rule(`notes: List<{ body: string max 3 }> max 2 = []`, `state.notes.push({ body: m.subject })`);
  over(await run(records, E4), "notes[0].body", 3, 4, 4, 3);
});

test("state.x.set(k, v): a new key adds one to the count; keys and values are checked", async () => {
  const src = rule(`box: Map<string max 5, string max 3> max 2 = {}`, `state.box.set("k", m.subject)`);
  assert.deepEqual((await run(src, E3)).state, { box: { k: E3 } });
  over(await run(src, E4), 'box["k"]', 3, 4, 4, 3);
  over(await run(src, "x", { box: { a: "1", b: "2" } }), "box", 2, 3, 4, 3);
  assert.deepEqual((await run(src, "x", { box: { a: "1", k: "2" } })).state, { box: { a: "1", k: "x" } }, "a key already there adds nothing");
  const keys = rule(`box: Map<string max 5, int> max 2 = {}`, `state.box.set(m.subject, 1)`);
  assert.deepEqual((await run(keys, "😀😀😀😀😀")).state, { box: { "😀😀😀😀😀": 1 } });
  over(await run(keys, "😀😀😀😀😀😀"), 'box (the key "😀😀😀😀😀😀")', 5, 6, 4, 3);
});

test("writes through record-field paths: state.a.b.push(v), state.a.b.set(k, v)", async () => {
  const push = rule(`a: { b: List<string max 3> max 2, n: int } = { b: [], n: 0 }`, `state.a.b.push(m.subject)`);
  assert.deepEqual((await run(push, E3)).state, { a: { b: [E3], n: 0 } });
  over(await run(push, E4), "a.b[0]", 3, 4, 4, 3);
  over(await run(push, "x", { a: { b: ["1", "2"], n: 0 } }), "a.b", 2, 3, 4, 3);
  const set = rule(`a: { c: { m: Map<string, string max 3> max 1 } } = { c: { m: {} } }`, `state.a.c.m.set("k", m.subject)`);
  over(await run(set, E4), 'a.c.m["k"]', 3, 4, 4, 3);
});

test("nested collections: a list inside a map, its count and its strings", async () => {
  const src = rule(`m: Map<string, List<string max 3> max 2> max 5 = {}`, `state.m.set("k", [m.subject])`);
  assert.deepEqual((await run(src, E3)).state, { m: { k: [E3] } });
  over(await run(src, E4), 'm["k"][0]', 3, 4, 4, 3);
  const many = rule(`m: Map<string, List<string max 3> max 2> max 5 = {}`, `state.m.set("k", [m.subject, m.subject, m.subject])`);
  over(await run(many, "a"), 'm["k"]', 2, 3, 4, 3);
  const whole = rule(`notes: List<{ body: string max 3 }> max 5 = []`, `state.notes = [{ body: "ok" }, { body: m.subject }]`);
  over(await run(whole, E4), "notes[1].body", 3, 4, 4, 3);
});

test("the backstop: state that went over its bounds another way fails the run, naming the field", async () => {
  // A list stored into state and then grown through its other name: no write to state checks the push.
  const alias = rule(`notes: List<string max 3> max 2 = []`, `var xs: List<string> = []\n  state.notes = xs\n  xs.push(m.subject)`);
  over(await run(alias, E4), "notes[0]", 3, 4, null);
  assert.deepEqual((await run(alias, E3)).state, { notes: [E3] });
  // State loaded over its bounds (stored by an older compiler) is not given back over them either.
  const untouched = rule(`notes: List<string max 3> max 2 = [], n: int = 0`, `state.n += 1`);
  over(await run(untouched, "x", { notes: ["a", "b", "c"], n: 0 }), "notes", 2, 3, null);
  assert.deepEqual((await run(untouched, "x", { notes: ["a", E3], n: 0 })).state, { notes: ["a", E3], n: 1 });
});

test("a failed write leaves the value as it was: the checks run before the write", async () => {
  // The prelude's checks, driven directly on descriptors made from real types.
  const list = JSON.stringify(boundsOf({ kind: "named", name: "List", args: [{ kind: "named", name: "string", args: [], max: 3 }], max: 2 }));
  const map = JSON.stringify(boundsOf({ kind: "named", name: "Map", args: [{ kind: "named", name: "string", args: [] }, { kind: "named", name: "string", args: [], max: 3 }], max: 1 }));
  const body = `
    var l = ["a"], m = new Map([["a", "1"]]), out = [];
    var attempt = function (f) { try { f(); out.push("ok"); } catch (e) { out.push(e.code + " " + JSON.stringify(e.args)); } };
    attempt(function () { __stpush(${list}, l, "${E4}", "xs", 1, 1); List$push(l, "${E4}"); });
    attempt(function () { __stpush(${list}, l, "b", "xs", 1, 1); List$push(l, "b"); });
    attempt(function () { __stpush(${list}, l, "c", "xs", 1, 1); List$push(l, "c"); });
    attempt(function () { __stset(${map}, m, "b", "1", "m", 1, 1); Map$set(m, "b", "1"); });
    attempt(function () { __stset(${map}, m, "a", "${E4}", "m", 1, 1); Map$set(m, "a", "${E4}"); });
    attempt(function () { __stset(${map}, m, "a", "2", "m", 1, 1); Map$set(m, "a", "2"); });
    return JSON.stringify({ out: out, l: l, m: Array.from(m) });`;
  const r = JSON.parse(assertOk(await runOnce(bundle(body, PRELUDE), "message", "{}"))) as { out: string[]; l: string[]; m: [string, string][] };
  assert.deepEqual(r.out, [
    'TW5012 ["xs[1]",3,4]', "ok", 'TW5012 ["xs",2,3]',
    'TW5012 ["m",1,2]', 'TW5012 ["m[\\"a\\"]",3,4]', "ok",
  ]);
  assert.deepEqual(r.l, ["a", "b"]);
  assert.deepEqual(r.m, [["a", "2"]]);
});

test("fields without any max are not checked, and nothing is emitted for them", async () => {
  const src = rule(`n: int = 0, tags: List<string> = []`, `state.n += 1\n  state.tags.push(m.subject)`);
  assert.doesNotMatch(code(src).split("// rule s")[1]!, /__stput\(|__stpush\(|__stset\(/);
  assert.deepEqual((await run(src, E4)).state, { n: 1, tags: [E4] });
});
