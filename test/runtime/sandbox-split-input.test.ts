/**
 * splitInput (runtime/sandbox/kept-input.ts) read as its adversary: messages whose members take every default's
 * text and near misses of it, repeated and escaped keys, nested envelopes, unicode and brackets in strings, and
 * text cut anywhere. What must hold: parsing the two parts gives the whole's members, the message's with only
 * members that read as their absence left out; or the input is left whole.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitInput } from "../../runtime/sandbox/kept-input.js";

// What a left-out member reads as (contract/prelude/library.js `__message`).
const ABSENT: Record<string, unknown> = { cc: [], html: null, attachments: [], fromName: "", replyTo: null, date: null, approved: false };
const ENVELOPE_ABSENT: Record<string, unknown> = { isRequest: false, tag: null };

/** The message as the driver reads it: a member missing is its default. */
function read(message: unknown): unknown {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return message;
  const m = { ...ABSENT, ...(message as Record<string, unknown>) };
  if (!("decoded" in m) || (Array.isArray(m["decoded"]) && (m["decoded"] as unknown[]).every((x) => x === null))) m["decoded"] = "all null";
  const e = m["envelope"];
  if (e !== null && typeof e === "object" && !Array.isArray(e)) m["envelope"] = { ...ENVELOPE_ABSENT, ...(e as Record<string, unknown>) };
  return m;
}

let seed = 7;
const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
const VALUES: readonly unknown[] = [null, false, true, 0, "", "null", "[]", [], [null], [null, null], [null, 1], ["x"], {}, { tag: null }, "}{][\\\"", "😀\u2028", -1.5e-7, "false"];

function randomMessage(): Record<string, unknown> {
  const m: Record<string, unknown> = { from: pick(["a@b.org", "\"}", ""]) };
  for (const k of ["cc", "html", "attachments", "fromName", "replyTo", "date", "approved", "decoded", "text", "__proto__", "to"]) if (rand(3)) m[k] = pick(VALUES);
  if (rand(4)) {
    const e: Record<string, unknown> = {};
    for (const k of ["sender", "recipient", "isRequest", "tag"]) if (rand(3)) e[k] = pick(VALUES);
    m["envelope"] = rand(5) ? e : pick(VALUES);
  }
  return m;
}

test("splitInput against random messages: the parts read as the whole", () => {
  for (let n = 0; n < 3000; n++) {
    const whole: Record<string, unknown> = { gas: 1, list: { address: "l@b.org", name: "x" }, state: pick(VALUES), message: randomMessage(), fanout: 3 };
    if (rand(2)) whole["tz"] = [[0, 60]];
    const json = JSON.stringify(whole);
    const split = splitInput(json);
    assert.ok(split, json);
    const rest = JSON.parse(split.restJson) as Record<string, unknown>;
    const kept = JSON.parse(split.keptJson) as Record<string, unknown>;
    assert.deepEqual(Object.keys({ ...rest, ...kept }).sort(), Object.keys(whole).sort(), json);
    assert.deepEqual(kept["list"], whole["list"]);
    assert.deepEqual(read(rest["message"]), read(JSON.parse(json)["message"]), json);
    assert.ok(split.restJson.length + split.keptJson.length <= json.length + 1, "never longer");
  }
});

test("splitInput: repeated or escaped keys in the message or its envelope leave it as written", () => {
  const cases = [
    '{"cc":[],"from":"a","cc":["x"]}',
    '{"html":null,"html":"<b>"}',
    '{"envelope":{"isRequest":false,"isRequest":true}}',
    '{"envelope":{"t\\u0061g":1,"tag":null}}',
    '{"\\u0063c":["x"],"cc":[]}',
    '{"envelope":{},"envelope":{"tag":"x"},"cc":[]}',
  ];
  for (const m of cases) assert.equal(splitInput(`{"list":1,"message":${m}}`)?.restJson, `{"message":${m}}`, m);
  // A key repeated that no default names: the members that read as their absence still go.
  assert.equal(splitInput('{"list":1,"message":{"to":[1],"cc":[],"to":[2]}}')?.restJson, '{"message":{"to":[1],"to":[2]}}');
  // Members kept side by side stay one run; one left out between them is cut with its comma.
  assert.equal(splitInput('{"list":1,"message":{"a":1,"cc":[],"b":2,"c":3,"html":null}}')?.restJson, '{"message":{"a":1,"b":2,"c":3}}');
  assert.equal(splitInput('{"list":1,"message":{"cc":[],"html":null}}')?.restJson, '{"message":{}}');
  assert.equal(splitInput('{"list":1,"message":{"envelope":{"tag":null,"isRequest":false}}}')?.restJson, '{"message":{"envelope":{}}}');
});

test("splitInput: text cut anywhere or with more after it is left whole or cut as the whole reads", () => {
  const json = JSON.stringify({ gas: 1, tz: [[0, 1]], list: { a: "}" }, message: { cc: [], envelope: { tag: null, s: "{" }, decoded: [null] }, limits: { x: 1 } });
  for (let k = 0; k < json.length; k++) {
    for (const bad of [json.slice(0, k), json.slice(0, k) + "}", json.slice(0, k) + "x" + json.slice(k)]) {
      let whole: unknown;
      try {
        whole = JSON.parse(bad);
      } catch {
        whole = undefined;
      }
      const split = splitInput(bad);
      if (split === undefined) continue;
      let parts: Record<string, unknown> | undefined;
      try {
        parts = { ...JSON.parse(split.restJson), ...JSON.parse(split.keptJson) };
      } catch {
        parts = undefined;
      }
      // Text the whole cannot be read as is not read as anything else by the parts.
      if (whole === undefined) assert.equal(parts, undefined, bad);
      else assert.deepEqual(read((parts as Record<string, unknown>)["message"]), read((whole as Record<string, unknown>)["message"]), bad);
    }
  }
});

// The packed form (kept-input.ts PACKED): the input's members by their place, for a message's run as the daemon gives it.
const PACKED_KEYS = ["gas", "now", "state", "fanout", "from", "to", "subject", "text", "headers", "date", "messageId", "sender", "recipient"];

// A generator of its own for these (32-bit arithmetic: every low bit varies).
let packSeed = 11;
const rnd = (n: number): number => {
  packSeed = (Math.imul(packSeed, 1664525) + 1013904223) >>> 0;
  return (packSeed >>> 8) % n;
};
const choose = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

/** A message the host could give, or a near miss of one: every member the packed form holds, in any order, with others that read as their absence or not. */
function packableInput(): string {
  const parts: [string, unknown][] = [["from", choose(["a@b.org", "", null, 1])], ["to", choose([[], ["x@y.org"], "x"])], ["subject", choose(["s", "", "}{"])], ["text", choose(["t\n", "", "😀"])],
    ["headers", choose([[], [["X-A", "1"]], [["__proto__", "x"], ["Subject", "s"]]])], ["messageId", choose(["1@b", ""])]];
  if (rnd(3)) parts.push(["date", choose([null, 1796551200000, "2026-12-06T10:00:00Z"])]);
  const env: [string, unknown][] = [["sender", choose(["a@b.org", null, ""])], ["recipient", choose(["l@b.org", "l-request+t@b.org"])]];
  if (rnd(2)) env.push(["isRequest", rnd(4) === 0]);
  if (rnd(2)) env.push(["tag", rnd(4) ? null : "t"]);
  if (rnd(8) === 0) env.splice(rnd(env.length), 1);
  if (rnd(10) === 0) env.push([choose(["sender", "recipient", "extra"]), "z"]);
  parts.push(["envelope", Object.fromEntries(env.sort(() => rnd(3) - 1))]);
  for (const [k, v, other] of [["cc", [], ["c@d"]], ["html", null, "<b>"], ["attachments", [], [{ size: 1 }]], ["fromName", "", "N"], ["replyTo", null, "r@s"], ["approved", false, true], ["decoded", [null, null], ["x"]]] as [string, unknown, unknown][]) {
    if (rnd(2)) parts.push([k, rnd(6) ? v : other]);
  }
  if (rnd(10) === 0) parts.splice(rnd(parts.length), 1);
  if (rnd(12) === 0) parts.push([choose(["from", "text", "date", "envelope", "cc", "other"]), "again"]);
  parts.sort(() => rnd(3) - 1);
  const message = `{${parts.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
  const top: [string, string][] = [["gas", "10"], ["now", "1"], ["tz", "[[0,60]]"], ["list", '{"address":"l@b.org"}'], ["state", choose(["null", '{"a":1}'])], ["limits", '{"x":1}'], ["message", message], ["fanout", "3"]];
  if (rnd(10) === 0) top.splice(rnd(top.length), 1);
  if (rnd(10) === 0) top.push([choose(["trace", "members", "gas", "message"]), choose(["true", message])]);
  return `{${top.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

test("splitInput packs a message's run as the whole reads, and leaves any other input as the object form has it", () => {
  let packedCount = 0;
  for (let n = 0; n < 4000; n++) {
    const json = packableInput();
    const split = splitInput(json, true);
    const plain = splitInput(json);
    assert.ok(split && plain, json);
    assert.equal(split.keptJson, plain.keptJson, json);
    if (!split.restJson.startsWith("[")) {
      assert.equal(split.restJson, plain.restJson, json);
      continue;
    }
    packedCount++;
    const values = JSON.parse(split.restJson) as unknown[];
    assert.equal(values.length, PACKED_KEYS.length, json);
    const at = (k: string): unknown => values[PACKED_KEYS.indexOf(k)];
    // The whole as JSON.parse reads it (a repeated key: its last value), without the kept parts.
    const whole = JSON.parse(json) as Record<string, unknown>;
    const rest = JSON.parse(plain.restJson) as Record<string, unknown>;
    assert.deepEqual(Object.keys(rest).sort(), ["fanout", "gas", "message", "now", "state"], json);
    for (const k of ["gas", "now", "state", "fanout"]) assert.deepEqual(at(k), whole[k], `${k}: ${json}`);
    const message = { from: at("from"), to: at("to"), subject: at("subject"), text: at("text"), headers: at("headers"), messageId: at("messageId"), date: at("date"),
      envelope: { sender: at("sender"), recipient: at("recipient") } };
    assert.deepEqual(read(message), read(whole["message"]), json);
    // Each member it holds was in the message as written, once (the date may be absent: none).
    const written = whole["message"] as Record<string, unknown>;
    for (const k of ["from", "to", "subject", "text", "headers", "messageId"]) assert.ok(k in written, `${k}: ${json}`);
    for (const k of ["sender", "recipient"]) assert.ok(k in (written["envelope"] as Record<string, unknown>), `${k}: ${json}`);
  }
  assert.ok(packedCount > 500 && packedCount < 3900, `${packedCount} of 4000 packed`);
});
