/**
 * The input parts a reused context keeps per list (runtime/sandbox/kept-input.ts): the time zone's offsets, the
 * list, the rule's limits. A run must see exactly what parsing its whole input gives, whatever the runs before it
 * kept, and no run may change what the next one reads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import type { Bundle } from "../../compiler/index.js";
import { PRELUDE } from "../../contract/index.js";
import { canonicalAddress } from "../../contract/values.js";
import { assembleInput } from "../../runtime/input/build.js";
import { bundleLimits } from "../../runtime/run/input.js";
import { encodeRun } from "../../runtime/run/run-rule.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { splitInput } from "../../runtime/sandbox/kept-input.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { assertFails, assertOk } from "./harness.js";

const SOURCE = `rule probe

limits { members: 10 }

on message(m: Message) {
  log("{list.name}|{list.address}|{list.owners.size}|{now.hour}|{m.headers.get("__proto__") ?? "-"}|{m.headers.has("constructor")}")
}
`;

function compiled(source: string): Bundle {
  const r = compileSource("probe.thwonk", source);
  assert.ok(r.bundle, JSON.stringify(r.diagnostics));
  return r.bundle;
}

interface Given {
  address?: string;
  name?: string;
  zone?: string;
  owners?: string[];
  headers?: [string, string][];
}

const NOW = Date.parse("2026-12-06T10:00:00Z");

function input(bundle: Bundle, g: Given = {}): ReturnType<typeof encodeRun> {
  const address = g.address ?? "list@example.org";
  const members = [{ address: "a@example.org", name: "A", role: "member" as const, joined: NOW }];
  const run = assembleInput({
    now: NOW,
    timeZone: g.zone ?? "UTC",
    list: { address, name: g.name ?? "list", ...(g.owners ? { owners: g.owners } : {}) },
    members,
    state: null,
    limits: bundleLimits(bundle),
    message: {
      from: "a@example.org",
      to: [address],
      cc: [],
      subject: "hi",
      text: "",
      html: null,
      headers: g.headers ?? [["Subject", "hi"]],
      attachments: [],
      date: NOW,
      messageId: "1@example.org",
      envelope: { sender: "a@example.org", recipient: address, isRequest: false, tag: null },
    },
  });
  return encodeRun(bundle, "message", run);
}

/** The run's log line, run in `engine` (reused context) and, for reference, whole in a fresh one. */
async function logged(engine: Engine, bundle: Bundle, g: Given = {}): Promise<string> {
  const enc = input(bundle, g);
  const options = { list: g.address ?? "list@example.org", timeLimitMs: enc.timeLimitMs };
  const out = JSON.parse(assertOk((await engine.run(bundle.code.text, bundle.sha256, "message", enc.inputJson, enc.members, options)).result));
  const fresh = new Engine({ limits: resolveLimits(), strategy: "fresh" });
  const whole = JSON.parse(assertOk((await fresh.run(bundle.code.text, bundle.sha256, "message", enc.inputJson, enc.members, options)).result));
  assert.deepEqual(out, whole, "a reused context gives what the whole input gives");
  return out.actions.find((a: { kind: string }) => a.kind === "log").text;
}

test("a list's input parts are parsed once, and a run sees them as its own input has them", async () => {
  const bundle = compiled(SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  assert.equal(await logged(engine, bundle), "list|list@example.org|0|10|-|false");
  assert.equal(await logged(engine, bundle), "list|list@example.org|0|10|-|false");
  assert.equal(engine.keptInputs, 1, "the second run parsed none of them");
  // A part that changes between runs of the list (its name, its owners, the zone's table): read again.
  assert.equal(await logged(engine, bundle, { name: "renamed" }), "renamed|list@example.org|0|10|-|false");
  assert.equal(await logged(engine, bundle, { name: "renamed", owners: ["o@example.org", "p@example.org"] }), "renamed|list@example.org|2|10|-|false");
  assert.equal(await logged(engine, bundle, { name: "renamed", zone: "Asia/Tokyo" }), "renamed|list@example.org|0|19|-|false");
  assert.equal(await logged(engine, bundle, { name: "renamed" }), "renamed|list@example.org|0|10|-|false");
  assert.equal(engine.keptInputs, 5);
});

test("lists taking turns in one context each get their own parts", async () => {
  const bundle = compiled(SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  for (let k = 0; k < 3; k++) {
    assert.equal(await logged(engine, bundle, { address: "one@example.org", name: "one" }), "one|one@example.org|0|10|-|false");
    assert.equal(await logged(engine, bundle, { address: "two@example.org", name: "two", zone: "America/New_York" }), "two|two@example.org|0|5|-|false");
  }
  assert.equal(engine.keptInputs, 2, "each list's parts kept beside the other's");
  assert.equal(engine.stats.loads, 1);
});

test("header names are data: `__proto__` and `constructor` are names like any other", async () => {
  const bundle = compiled(SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const headers: [string, string][] = [["__proto__", "x"], ["Constructor", "y"], ["__PROTO__", "z"]];
  assert.equal(await logged(engine, bundle, { headers }), "list|list@example.org|0|10|x|true");
  assert.equal(await logged(engine, bundle), "list|list@example.org|0|10|-|false");
});

/** A hand-written rule part after the real prelude: reads the kept parts, then tries to change them. */
function hostile(attempt: string): string {
  return `${PRELUDE}// hand-written
function __thwonk_run(t, i) {
  __drive; // the prelude's scope: its run state is in reach
  var input = JSON.parse(i);
  var kept = __kept;
  // A packed input (kept-input.ts PACKED) holds the message's subject at 6.
  var packed = Array.isArray(input);
  var seen = JSON.stringify({ kept: kept !== null, tz: kept && kept.tz, list: kept && kept.list, fanout: kept && kept.limits && kept.limits.fanout, frozen: kept !== null && Object.isFrozen(kept) && Object.isFrozen(kept.list) && Object.isFrozen(kept.list.owners) && Object.isFrozen(kept.tz[0]), rest: packed ? "packed" : Object.keys(input) });
  if (packed ? input[6] === "pollute" : input.message && input.message.subject === "pollute") { ${attempt} }
  return seen;
}
`;
}

test("no run can change the parts kept for the next", async () => {
  const bundle = compiled(SOURCE);
  const attempts = [
    "__kept.list.name = 'x';",
    "__kept.list.owners.push('x@example.org');",
    "__kept.tz[0][1] = 60;",
    "__kept.limits.fanout = 1;",
    "Object.defineProperty(__kept.list, 'name', { value: 'x' });",
    "Object.setPrototypeOf(__kept.list, { name: 'x' });",
    "__kept.extra = 1;",
  ];
  for (const attempt of attempts) {
    const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
    const code = hostile(attempt);
    const plain = input(bundle, { owners: ["o@example.org"] });
    const polluting = plain.inputJson.replace('"subject":"hi"', '"subject":"pollute"');
    const first = JSON.parse(assertOk((await engine.run(code, "hostile", "message", plain.inputJson, plain.members, { list: "l" })).result));
    assert.deepEqual(first, {
      kept: true,
      tz: [[-8640000000000000, 0]],
      list: { address: "list@example.org", name: "list", owners: ["o@example.org"] },
      fanout: 10000,
      frozen: true,
      rest: "packed",
    });
    assertFails((await engine.run(code, "hostile", "message", polluting, plain.members, { list: "l" })).result, "TW5005", /TypeError/);
    const after = JSON.parse(assertOk((await engine.run(code, "hostile", "message", plain.inputJson, plain.members, { list: "l" })).result));
    assert.deepEqual(after, first, attempt);
  }
});

const MESSAGE_SOURCE = `rule message

limits { members: 10 }

on message(m: Message) {
  var shown = "dated"
  if m.date == none {
    shown = "no date"
  }
  var sender = "bounce"
  if m.envelope.sender != none {
    sender = "{m.envelope.sender}"
  }
  var reply = "-"
  if m.replyTo != none {
    reply = "{m.replyTo}"
  }
  log("{m.cc.size}|{m.html ?? "-"}|{m.attachments.size}|{m.envelope.isRequest}|{m.envelope.tag ?? "-"}|{sender}|{reply}|{m.fromName}|{m.approved}|{shown}|{m.headers.get("X-A") ?? "-"}")
}
`;

test("a message's members that read as their absence are left out of what a run parses: the rule reads the same", async () => {
  const bundle = compiled(MESSAGE_SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const base = input(bundle);
  const message = JSON.parse(base.inputJson).message;
  const variants: Record<string, unknown>[] = [
    {},
    { cc: ["c@example.org"], html: "<p>x</p>", attachments: [{ filename: null, contentType: "text/plain", size: 3 }], fromName: "Zoë", replyTo: "r@example.org", date: null, approved: true },
    { decoded: [null], headers: [["X-A", "=?UTF-8?Q?x?="]] },
    { decoded: ["ẍ"], headers: [["X-A", "=?UTF-8?Q?x?="]] },
    { envelope: { sender: null, recipient: "list@example.org", isRequest: true, tag: "t" } },
    { envelope: { sender: "a@example.org", recipient: "list@example.org", isRequest: false, tag: null }, fromName: "", replyTo: null, cc: [], html: null },
  ];
  const seen = new Set<string>();
  for (const v of variants) {
    const json = base.inputJson.replace(JSON.stringify(message), JSON.stringify({ ...message, ...v }));
    const options = { list: "list@example.org", timeLimitMs: base.timeLimitMs };
    const kept = JSON.parse(assertOk((await engine.run(bundle.code.text, bundle.sha256, "message", json, base.members, options)).result));
    const whole = JSON.parse(assertOk((await new Engine({ limits: resolveLimits(), strategy: "fresh" }).run(bundle.code.text, bundle.sha256, "message", json, base.members, options)).result));
    assert.deepEqual(kept, whole, JSON.stringify(v));
    seen.add(kept.actions[0].text);
  }
  assert.equal(seen.size, 5, "the variants read differently (the first and last are the same message)");
});

test("splitInput leaves out of the message only members whose text reads as their absence", () => {
  const message = { from: "a@b.org", to: [], cc: [], html: null, attachments: [], fromName: "", replyTo: null, date: null, approved: false, decoded: [null, null], envelope: { sender: null, recipient: "l@b.org", isRequest: false, tag: null }, messageId: "" };
  const split = splitInput(JSON.stringify({ list: {}, message }));
  assert.ok(split);
  assert.deepEqual(JSON.parse(split.restJson).message, { from: "a@b.org", to: [], envelope: { sender: null, recipient: "l@b.org" }, messageId: "" });
  // Not read so (a repeated or escaped key): left as it is.
  for (const m of ['{"cc":["x"],"cc":[]}', '{"c\\u0063":[]}', '{"envelope":{"tag":1,"tag":null}}', "null", '"x"']) {
    assert.equal(splitInput(`{"list":1,"message":${m}}`)?.restJson, `{"message":${m}}`, m);
  }
});

test("splitInput: the two parts parse to the members of the whole, or the input is left whole", () => {
  const cases: unknown[] = [
    { gas: 1, tz: [[0, 60]], list: { address: "a@b.c", name: "x\"}],{", owners: [] }, state: { "__proto__": 1, s: "\\\"" }, limits: { fanout: 3 }, message: { text: "}{][\\\\\"" } },
    { tz: [], list: null, limits: {} },
    { limits: 1, a: [1, [2, [3, { tz: 4 }]]], b: "tz", c: true, d: null, e: -1.5e-7 },
    { "__proto__": { tz: 1 }, tz: "\u2028\ud83d\ude00", list: "\\" },
  ];
  for (const c of cases) {
    const json = JSON.stringify(c);
    const split = splitInput(json);
    assert.ok(split, json);
    const whole = JSON.parse(json) as Record<string, unknown>;
    const merged = { ...JSON.parse(split.restJson), ...JSON.parse(split.keptJson) } as Record<string, unknown>;
    assert.deepEqual(merged, whole, json);
    assert.deepEqual(Object.keys(JSON.parse(split.keptJson)), Object.keys(whole).filter((k) => ["tz", "list", "limits"].includes(k)));
  }
  // Left whole: nothing kept, spaces between members, an escaped key (it may spell a kept one), text cut short or with more after.
  for (const json of ['{"a":1}', "{}", '{ "tz":1}', '{"t\\u007a":1,"tz":2}', '{"tz":[1,2}', '{"tz":1', '{"tz":1}x', '{"tz":"a}', "[1]", '"tz"', ""]) {
    assert.equal(splitInput(json), undefined, json);
  }
});

test("an input whose parts are not JSON fails as the whole would, and the context is not kept", async () => {
  const bundle = compiled(SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const ok = input(bundle);
  const deep = ok.inputJson.replace('"tz":', `"tz":${"[".repeat(100000)}${"]".repeat(100000)},"x":`);
  const r = (await engine.run(bundle.code.text, bundle.sha256, "message", deep, ok.members, { list: "l" })).result;
  assert.ok(!r.ok && (r.error.code === "TW5003" || r.error.code === "TW5002"), JSON.stringify(r));
  assertOk((await engine.run(bundle.code.text, bundle.sha256, "message", ok.inputJson, ok.members, { list: "l" })).result);
});

test("addresses kept by string: the same answers, first time or kept, for keys that are names of Object's own", async () => {
  const strings = ["__proto__", "constructor", "__proto__@example.org", "Constructor@Example.ORG", " toString@x.org ", "a@b", "", "x".repeat(400) + "@example.org", " ".repeat(300) + "a@example.org"];
  for (let k = 0; k < 300; k++) strings.push(`user${k}@Example.org`);
  const code = `${PRELUDE}// hand-written\nfunction __thwonk_run(t, i) { var xs = JSON.parse(i); return JSON.stringify([xs.map(__addr), xs.map(__addr)]); }\n`;
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const want = strings.map((s) => canonicalAddress(s) ?? null);
  for (let run = 0; run < 2; run++) {
    const [first, again] = JSON.parse(assertOk((await engine.run(code, "addresses", "message", JSON.stringify(strings))).result));
    assert.deepEqual(first, want);
    assert.deepEqual(again, want);
  }
});

const EVERY_FIELD_SOURCE = `rule fields

limits { members: 10 }

on message(m: Message) {
  var shown = "no date"
  if m.date != none {
    shown = "dated {m.date.hour}"
  }
  var sender = "bounce"
  if m.envelope.sender != none {
    sender = "{m.envelope.sender}"
  }
  log("{m.from}|{m.to.size}|{m.subject}|{m.text}|{m.messageId}|{m.envelope.recipient}|{m.headers.get("X-A") ?? "-"}|{m.headers.get("__proto__") ?? "-"}|{shown}|{sender}|{m.cc.size}|{m.html ?? "-"}|{m.attachments.size}|{m.envelope.isRequest}|{m.envelope.tag ?? "-"}|{m.fromName}|{m.approved}|{m.isAutomated()}")
}
`;

test("a message's run packed (kept-input.ts PACKED) reads as its whole input does, field by field", async () => {
  const bundle = compiled(EVERY_FIELD_SOURCE);
  const engine = new Engine({ limits: resolveLimits(), strategy: "reuse" });
  const base = input(bundle);
  const message = JSON.parse(base.inputJson).message;
  let seed = 5;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 8) % n;
  };
  const choose = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const seen = new Set<string>();
  let packed = 0;
  for (let n = 0; n < 60; n++) {
    const m: Record<string, unknown> = {
      ...message,
      from: choose(["a@example.org", "B@Example.ORG", "not an address", ""]),
      to: choose([[], ["list@example.org"], ["x@example.org", "y@example.org"]]),
      subject: choose(["hi", "", "Ünïcode 😀"]),
      text: choose(["", "body\n", "x".repeat(300)]),
      headers: choose([[], [["X-A", "1"]], [["__proto__", "p"], ["Auto-Submitted", "auto-replied"]], [["List-Id", "<x>"], ["x-a", "2"]]]),
      date: choose([null, NOW, NOW + 3_600_000]),
      messageId: choose(["1@example.org", ""]),
      envelope: { sender: choose(["a@example.org", null, "S@Example.org"]), recipient: choose(["list@example.org", "list-request@example.org", "list+t@example.org"]), isRequest: false, tag: null },
    };
    if (rnd(4) === 0) delete m["date"];
    // Now and then one member that the packed form does not hold: the object form, read the same.
    if (rnd(5) === 0) Object.assign(m, choose([{ cc: ["c@example.org"] }, { html: "<p>x</p>" }, { fromName: "Zoë" }, { approved: true }, { replyTo: "r@example.org" }]));
    const json = base.inputJson.replace(JSON.stringify(message), JSON.stringify(m));
    assert.notEqual(json, base.inputJson);
    if (splitInput(json, true)?.restJson.startsWith("[")) packed++;
    const options = { list: "list@example.org", timeLimitMs: base.timeLimitMs };
    const kept = JSON.parse(assertOk((await engine.run(bundle.code.text, bundle.sha256, "message", json, base.members, options)).result));
    const whole = JSON.parse(assertOk((await new Engine({ limits: resolveLimits(), strategy: "fresh" }).run(bundle.code.text, bundle.sha256, "message", json, base.members, options)).result));
    assert.deepEqual(kept, whole, JSON.stringify(m));
    seen.add(kept.actions[0].text);
  }
  assert.ok(packed >= 30, `${packed} of 60 packed`);
  assert.ok(seen.size >= 40, `only ${seen.size} different readings`);
});
