/**
 * The state of a chained run's input spliced in (runtime/sandbox/splice.ts, chain.ts withState): always byte for
 * byte what parsing the input and writing it again with the new state gives, and spliced (not parsed) for every
 * input the host builds. Adversaries: `__proto__` keys, unicode and lone surrogates, integer keys, duplicate keys,
 * numbers in other forms, whitespace, `"state":` inside strings, deep nesting, a huge state, text that is not JSON.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stateAfter, stateOf, withState, withStateAhead } from "../../runtime/sandbox/chain.js";
import { spliceState, stateSpan, topMembers } from "../../runtime/sandbox/splice.js";
import { encodeRun } from "../../runtime/run/run-rule.js";
import { bundleInput } from "../../runtime/run/input.js";
import { parseEml } from "../../runtime/input/index.js";
import { compileSource } from "../../compiler/index.js";
import { createSandboxPool } from "../../runtime/sandbox/pool.js";
import type { RunAhead, SandboxResult } from "../../runtime/sandbox/types.js";
import { bundle } from "./harness.js";

/** What withState did before the splice: the reference. */
function reference(inputJson: string, state: unknown): string {
  const input = JSON.parse(inputJson) as Record<string, unknown>;
  input["state"] = state;
  return JSON.stringify(input);
}

function same(inputJson: string, state: unknown): void {
  let want: string | Error;
  try {
    want = reference(inputJson, state);
  } catch (e) {
    want = e as Error;
  }
  // The chain carries a state as JSON.stringify writes it (chain.ts).
  const stateJson = JSON.stringify(state);
  if (want instanceof Error) {
    assert.throws(() => withState(inputJson, stateJson), { name: want.name });
    return;
  }
  assert.equal(withState(inputJson, stateJson), want, `input ${inputJson.slice(0, 200)}`);
}

const STATES: unknown[] = [
  null,
  {},
  { n: 1 },
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
  { "🎉": "emoji ✉️ and a lone \ud800 surrogate", "\u2028": "line separator", "\0": "nul" },
  { "2": "b", "1": "a", b: 1, a: 2 },
  [1, -0, 1e21, 1e-7, 0.1, 2 ** 53],
  "a string state",
  { huge: "x".repeat(2_000_000), list: Array.from({ length: 20_000 }, (_, i) => ({ i, k: `key${i}` })) },
];

test("host-built inputs are spliced, byte for byte what parsing and writing them again gives", async () => {
  const r = compileSource("forward.thwonk", 'rule forward\n\nlimits { members: 10, fanout: 10 }\n\nstate { count: int = 0 }\n\non message(m: Message) {\n  send(to: members, subject: m.subject, text: m.text)\n}\n');
  assert.ok(r.bundle, r.diagnostics.map((d) => d.message).join("; "));
  const bundle = r.bundle!;
  const raw =
    'From: "Zoë 🎉" <zoe@example.org>\r\nTo: list@example.org\r\nSubject: =?UTF-8?B?' +
    Buffer.from('"state": {} \u2028 \\ 🎉').toString("base64") +
    "?=\r\n__proto__: polluted\r\nconstructor: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
    '"state":{"seen":{}} \u0001 ✉️ \\"\r\n';
  const { message } = await parseEml(raw, { listAddress: "list@example.org" });
  const members = [{ address: "a@example.org", name: "A \u2028 🎉", role: "member" as const, joined: 1 }];
  for (const state of [null, { count: 3, more: JSON.parse('{"__proto__":1,"é":2,"10":3,"2":4}') }]) {
    const { inputJson } = encodeRun(bundle, "message", bundleInput(bundle, { now: 1_800_000_000_000, address: "list@example.org", members, state, message, messageSize: raw.length }));
    assert.ok(stateSpan(inputJson), "the host's input is spliced, not parsed");
    for (const s of STATES) {
      same(inputJson, s);
      assert.notEqual(spliceState(inputJson, JSON.stringify(s)), undefined);
    }
    assert.equal(stateOf(inputJson), JSON.stringify(JSON.parse(inputJson).state));
  }
});

test("inputs JSON.stringify would write otherwise are parsed and written as before", () => {
  const inputs = [
    '{"state":null, "x":1}', // whitespace
    ' {"state":null}',
    '{"state":null}\n',
    '{"x":"a\\/b","state":null}', // an escape JSON.stringify does not write
    '{"x":"\\u0041","state":null}',
    '{"x":"\\u001F","state":null}', // upper-case hex
    '{"x":"\\u000a","state":null}', // a short form exists
    '{"x":"\\ud83c\\udf89","state":null}', // an escaped pair
    '{"x":"\\ud800","state":null}', // an escaped lone surrogate (JSON.stringify writes it so; left to JSON.parse)
    '{"x":"\ud800","state":null}', // a lone surrogate as is
    '{"x":"\udc00\ud800","state":null}',
    '{"x":"\ud800a","state":null}',
    '{"x":"\udc00\udc00","state":null}',
    '{"x":"\ud83c\udf89 a pair","state":null}',
    '{"x":1.0,"state":null}',
    '{"x":-0,"state":null}',
    '{"x":1E5,"state":null}',
    '{"x":1e21,"state":null}',
    '{"x":100000000000000000000000,"state":null}',
    '{"x":0.10,"state":null}',
    '{"x":01,"state":null}',
    '{"state":1,"state":2}', // duplicate keys: the last value, in the first place
    '{"x":{"a":1,"a":2},"state":null}',
    '{"b":1,"1":2,"state":null}', // integer keys come first once parsed
    '{"2":1,"1":2,"state":null}',
    '{"4294967295":1,"1":2,"state":null}', // not an array index: stays in place
    '{"01":1,"1":2,"state":null}',
    '{"__proto__":{"x":1},"state":{"__proto__":2}}',
    '{"x":"\\"state\\":1","state":[1,{"state":2}]}',
    '{"x":"tab\there","state":null}', // a raw control character: not JSON
    '{"x":1}', // no state: it is added at the end
    "[1]",
    '"state"',
    "{}",
    '{"state":}',
    '{"state":null',
    "",
    '{"state":tru}',
    '{"state":nul,"x":1}',
    `{"deep":${"[".repeat(500)}${"]".repeat(500)},"state":null}`,
    `{"deep":${'{"a":'.repeat(300)}1${"}".repeat(300)},"state":null}`,
    `{"many":{${Array.from({ length: 50 }, (_, i) => `"k${i % 40}":${i}`).join(",")}},"state":null}`,
  ];
  for (const input of inputs) for (const s of STATES.slice(0, 7)) same(input, s);
  assert.equal(stateOf('{"x":1}'), "null");
  assert.equal(stateOf('{"state":null}'), "null");
  assert.equal(stateOf('{"state":1,"state":2}'), "2");
  assert.equal(stateOf('{"state": {"b":1, "a":[1.50]}}'), '{"b":1,"a":[1.5]}');
  assert.equal(stateOf('{"state":{"__proto__":{"x":1}}}'), '{"__proto__":{"x":1}}');
});

test("random JSON, written canonically and not: the splice agrees with parsing and writing again", () => {
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor(seed / 65536) % n);
  const pieces = ["a", "state", "__proto__", "0", "1", "10", "é", "🎉", "\ud800", "\u2028", '"', "\\", "\n", "\u0001", "/", " "];
  const text = (): string => Array.from({ length: rand(4) }, () => pieces[rand(pieces.length)]).join("");
  const value = (depth: number): unknown => {
    const k = rand(depth > 3 ? 4 : 7);
    if (k === 0) return null;
    if (k === 1) return [0, -0, 1.5, 1e21, -3e-9, 2 ** 60][rand(6)];
    if (k === 2) return text();
    if (k === 3) return rand(2) === 0;
    if (k === 4) return Array.from({ length: rand(4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rand(5); i > 0; i--) Object.defineProperty(o, text(), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
    return o;
  };
  // Ways of writing the same JSON that JSON.stringify does not use.
  const perturb = (s: string): string => {
    const i = rand(s.length + 1);
    const variants = [s.slice(0, i) + " " + s.slice(i), s.replace(/:0/, ":0.0"), s.replace(/"a"/, '"\\u0061"'), s.replace(/\//, "\\/"), s];
    return variants[rand(variants.length)]!;
  };
  let spliced = 0;
  for (let n = 0; n < 3000; n++) {
    const input = value(0) as Record<string, unknown>;
    const obj = input && typeof input === "object" && !Array.isArray(input) ? input : { v: input };
    if (rand(4) !== 0) obj["state"] = value(1);
    const canonical = JSON.stringify(obj);
    const state = value(0);
    same(canonical, state);
    same(perturb(canonical), state);
    // Escaped lone surrogates are left to JSON.parse (splice.ts): such inputs are not spliced.
    if (Object.hasOwn(obj, "state") && state !== undefined && !/\\ud[89a-f]/.test(canonical)) {
      assert.notEqual(spliceState(canonical, JSON.stringify(state)), undefined, canonical);
      spliced++;
    }
  }
  assert.ok(spliced > 1000);
});

test("through a worker: each chained run's input is the one parsing and writing gives, a failed run's state skipped", async () => {
  // The run's state is what its input's `next` says (a JSON text); `fail` ends it with an error (its state not kept).
  const RULE = bundle(`
    const input = JSON.parse(i);
    if (input.next === "fail") return JSON.stringify({ actions: [], state: { no: 1 }, error: { code: "TW5020" }, gas: { used: 1 } });
    return JSON.stringify({ actions: [], state: JSON.parse(input.next), error: null, gas: { used: 1 } });
  `);
  const nexts = [
    '{"__proto__":{"polluted":true},"n":1}',
    '{"é🎉":"\\u2028 \\ud800 lone","10":1,"2":2}',
    "fail",
    JSON.stringify({ big: "y".repeat(1_000_000) }),
    '{"last":true}',
  ];
  const pool = createSandboxPool({ workers: 1 });
  try {
    const built = (next: string): string => JSON.stringify({ gas: 5, now: 1, list: { address: "l@example.org" }, state: { stale: true }, message: { subject: '"state":{} ✉️', next }, next });
    const got: Promise<{ inputJson: string; result: SandboxResult } | undefined>[] = [];
    const ahead: RunAhead[] = nexts.slice(1).map((n) => {
      let done!: (r: { inputJson: string; result: SandboxResult } | undefined) => void;
      got.push(new Promise((r) => (done = r)));
      return { inputJson: built(n), timeLimitMs: 5000, done };
    });
    const first = await pool.run(RULE, "next", "message", built(nexts[0]!), undefined, { timeLimitMs: 5000, list: "l@example.org", ahead });
    assert.ok(first.ok);
    assert.ok(topMembers(first.output), "QuickJS writes JSON as JSON.stringify does: the state is read as text");
    const ran = await Promise.all(got);
    let state = JSON.parse(first.output).state;
    for (const [k, r] of ran.entries()) {
      assert.ok(r?.result.ok, `run ${k + 1} ran`);
      assert.equal(r.inputJson, reference(built(nexts[k + 1]!), state));
      const out = JSON.parse(r.result.output);
      if (!out.error) state = out.state;
    }
    assert.equal(Object.getPrototypeOf(JSON.parse(ran[1]!.inputJson).state), Object.prototype);
    assert.deepEqual(Object.keys(JSON.parse(ran[0]!.inputJson).state), ["__proto__", "n"]);
  } finally {
    await pool.close();
  }
});

/** What stateAfter did before it read the state's text: the reference. */
function referenceAfter(before: unknown, output: string): { state: unknown } | undefined {
  let out: { state?: unknown; error?: unknown; actions?: { kind?: unknown }[] };
  try {
    out = JSON.parse(output) as typeof out;
  } catch {
    return undefined;
  }
  if (out.actions?.some((a) => a.kind === "members.add" || a.kind === "members.remove")) return undefined;
  return { state: !out.error && out.state ? out.state : before };
}

test("the state after a run, read as text, is what parsing the output gave, written as JSON.stringify writes it", () => {
  const before = { n: 0, "🎉": "\u2028" };
  const outputs: string[] = [];
  const states: unknown[] = ["absent", null, 0, false, "", {}, [], { n: 1 }, "text", 1, true, JSON.parse('{"__proto__":{"x":1},"2":"b","1":"a"}'), { kind: "members.add", address: "x@example.org" }];
  const errors: unknown[] = [undefined, null, 0, false, "", { code: "TW5020" }, "failed"];
  const actionLists: unknown[] = [
    [],
    [{ kind: "send", text: '"kind":"members.add" in a text' }],
    [{ kind: "members.add", address: "a@example.org" }],
    [{ kind: "log" }, { kind: "members.remove", address: "a@example.org" }],
    [{ kind: "members.added" }],
  ];
  for (const state of states) for (const error of errors) for (const actions of actionLists) {
    const o: Record<string, unknown> = { actions, gas: { used: 1 } };
    if (state !== "absent") o["state"] = state;
    if (error !== undefined) o["error"] = error;
    const canonical = JSON.stringify(o);
    outputs.push(canonical, JSON.stringify(o, null, 1), canonical.replace(/"gas"/, '"gas":1,"gas"'));
  }
  outputs.push('{"actions":[],"error":null}', "{}", "not json", '{"state":{"a":1}', '{"state":1.0}', '{"state":{"a":1,"a":2}}', '{"error":null,"state":{"a":-0}}');
  for (const output of outputs) {
    const want = referenceAfter(before, output);
    const got = stateAfter(JSON.stringify(before), { ok: true, output, wallMs: 0 });
    assert.deepEqual(got, want === undefined ? undefined : { stateJson: JSON.stringify(want.state) }, output);
  }
  assert.equal(stateAfter("null", { ok: false, error: { code: "TW5004", message: "time" }, wallMs: 0 }), undefined);
});

test("withStateAhead: the host's inputs give withState's text; any other gives JSON whose state is the new one", () => {
  const inputs = [
    '{"gas":1,"now":2,"state":null,"message":{"text":"\\"state\\":1 }{ ][","headers":[["State","x"]]},"fanout":0}',
    '{"state":{"a":[1,{"state":2}]},"x":"tab"}',
    '{"x":1.0,"state":null}', // not as JSON.stringify writes it: what runs differs from the host's text, so it is not used
    '{"state":null, "x":1}',
    '{"state":1,"state":2}',
    '{"x":1}',
    '{"x":"\\\\","state":3}',
    '{"x":"\\\\\\"","state":3}',
    '{"state":}',
    "[1]",
  ];
  for (const inputJson of inputs) {
    for (const s of [null, { n: 1 }, JSON.parse('{"__proto__":{"x":1}}')]) {
      const stateJson = JSON.stringify(s);
      let exact: string | undefined;
      try {
        exact = withState(inputJson, stateJson);
      } catch {
        continue; // not JSON: whatever runs, it is not the host's text, which is the only one used
      }
      const got = withStateAhead(inputJson, stateJson);
      if (topMembers(inputJson)) assert.equal(got, exact, inputJson);
      assert.deepEqual(JSON.parse(got), JSON.parse(exact), inputJson);
    }
  }
});
