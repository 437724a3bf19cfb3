/**
 * Sizes of built-in results, on real QuickJS: for every stdlib method,
 * function and field whose result is a string or a collection (enumerated
 * from the declaration: a new one without a case here fails, naming it),
 * the prelude's implementation runs on adversarial inputs at the largest
 * allowed sizes — strings of astral, case-growing, HTML-special and
 * separator characters at their limits, collections at their counts — and
 * on random ones (fast-check), and the actual result (its size, each
 * element's, their total) must be within the bound the declaration gives,
 * evaluated on the actual arguments' sizes. Message, member and envelope
 * fields are read from inputs the host accepts (runtime/input/limits.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PRELUDE, PRELUDE_FUNCTIONS, PRELUDE_GETTERS, PRELUDE_METHODS } from "../../compiler/emit/prelude.js";
import { evalBound, numberDomain } from "../../stdlib/cost-eval.js";
import type { CostExpr, FunctionDecl } from "../../stdlib/decl.js";
import { stdlib } from "../../stdlib/index.js";
import { resultsWithoutBounds } from "../../compiler/verify/shapes.js";
import { assembleInput } from "../../runtime/input/build.js";
import type { RuleLimits } from "../../runtime/input/limits.js";
import type { MemberJson, MessageJson } from "../../runtime/input/types.js";
import { runOnce } from "../../runtime/sandbox/index.js";

// ---------------------------------------------------------------- what has a size

/** Every method, function and field whose result is a string or a collection (or an address, a string at run time). */
function sizedResults(): string[] {
  const sized = (type: string): boolean => /^(string|Address|List<.*>|Map<.*>)\??$/.test(type);
  const out: string[] = [];
  for (const [t, spec] of Object.entries(stdlib.types)) {
    for (const [m, f] of Object.entries(spec.methods ?? {})) if (sized(f.returns)) out.push(`${t}.${m}`);
    for (const [m, f] of Object.entries(spec.fields ?? {})) if (sized(f.type)) out.push(`${t}.${m}`);
  }
  for (const [name, f] of Object.entries(stdlib.functions)) if (sized(f.returns)) out.push(name);
  return out;
}

// ---------------------------------------------------------------- adversarial values

const WORST = ["😀", "ﬃ", "ß", "ΐ", "İ", "\"", "&", "<", "'", " ", "\n", "\r\n", ",", "a", "\u00a0", "\u2028"];

/** `n` code points of `c` (a character, or a few). */
const rep = (c: string, n: number): string => Array.from({ length: n }, () => c).join("").slice(0, c.length * n);

const cp = (s: string): number => Array.from(s).length;

/** Strings of up to `maxCp` code points drawn from the worst characters (a CRLF counts as one "character" here: two code points). */
const strArb = (maxCp: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...WORST), { maxLength: maxCp }).map((xs) => {
    let s = "";
    for (const x of xs) if (cp(s + x) <= maxCp) s += x;
    return s;
  });

/** Explicit worst strings of exactly `n` code points (or as close as a two-point CRLF allows). */
function worstStrings(n: number): string[] {
  return [...WORST.filter((c) => c !== "\r\n").map((c) => rep(c, n)), rep("\r\n", Math.floor(n / 2)), "", rep("😀ﬃ", Math.floor(n / 2))];
}

// ---------------------------------------------------------------- the runtime's own measures

/** A value in JSON for the QuickJS side: maps as `{ $map: [[k, v], ...] }`. */
type J = string | number | boolean | null | J[] | { $map: [J, J][] } | { [k: string]: J };

/** `total(x)` as stdlib/decl.ts defines it (and the prelude's `__total` measures). */
function weight(v: J): number {
  if (typeof v === "string") return v.length;
  if (v === null) return 0;
  if (Array.isArray(v)) return v.length + total(v);
  if (typeof v === "object" && "$map" in v) return (v.$map as [J, J][]).length + total(v);
  if (typeof v === "object") return Object.values(v).reduce<number>((n, x) => n + weight(x), 0);
  return 1;
}
function total(v: J): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + weight(x), 0);
  if (v !== null && typeof v === "object" && "$map" in v) return (v.$map as [J, J][]).reduce<number>((n, [, x]) => n + weight(x), 0);
  return 0;
}
function sizeOf(v: J): number {
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === "object" && "$map" in v) return (v.$map as [J, J][]).length;
  return 1;
}

// ---------------------------------------------------------------- cases

const LIMITS: RuleLimits = {
  subject: { value: 40, unit: "characters" },
  text: { value: 120, unit: "characters" },
  html: { value: 120, unit: "characters" },
  header: { value: 50, unit: "characters" },
  headers: { value: 6, unit: "items" },
  recipients: { value: 6, unit: "items" },
  attachments: { value: 3, unit: "items" },
  members: { value: 5, unit: "members" },
};

/** A limit as the bounds read it: in UTF-16 units (two per character) for a `characters` limit. */
function limitUnits(name: string): number {
  const l = LIMITS[name] ?? { value: stdlib.limits[name]!.default, unit: stdlib.limits[name]!.unit };
  return l.unit === "characters" ? 2 * l.value : l.value;
}

/** One call of a method or function: the receiver (for methods) and the arguments by parameter name. */
interface Call {
  self?: J;
  args: Record<string, J>;
}

/** How to build a receiver on the QuickJS side: plain JSON, a Map, headers or members. */
type Wrap = "plain" | "map" | "headers" | "members";

interface MethodCase {
  wrap: Wrap;
  calls: () => Call[];
}

const N = 40;
const listArb = fc.array(strArb(12), { maxLength: 8 });
const sample = <T>(a: fc.Arbitrary<T>, n = 25, seed = 7): T[] => fc.sample(a, { numRuns: n, seed });
const strings = (): string[] => [...worstStrings(N), ...sample(strArb(N))];
const nested = (): J[] => [
  [["a", "😀😀"], [], ["ß"]],
  [{ $map: [["k", ["x", "yy"]]] }],
  [{ a: ["x"], b: { $map: [[1, "zz"]] }, c: 3 }],
  [[[["deep"]]]],
];

const METHOD_CASES: Record<string, MethodCase> = {
  "string.truncate": { wrap: "plain", calls: () => strings().flatMap((s) => [-3, 0, 1, 7, N, 3 * N].map((n) => ({ self: s, args: { n } }))) },
  "string.slice": {
    wrap: "plain",
    calls: () => strings().flatMap((s) => [[0, null], [-5, null], [3, 10], [-10, -2], [N, 2 * N], [5, 1]].map(([a, b]) => ({ self: s, args: { start: a!, end: b! } }))),
  },
  "string.lower": { wrap: "plain", calls: () => strings().map((s) => ({ self: s, args: {} })) },
  "string.upper": { wrap: "plain", calls: () => strings().map((s) => ({ self: s, args: {} })) },
  "string.trim": { wrap: "plain", calls: () => strings().map((s) => ({ self: s, args: {} })) },
  "string.escapeHtml": { wrap: "plain", calls: () => strings().map((s) => ({ self: s, args: {} })) },
  "string.lines": { wrap: "plain", calls: () => strings().map((s) => ({ self: s, args: {} })) },
  "string.split": {
    wrap: "plain",
    calls: () => strings().flatMap((s) => ["", " ", ",", "\n", "😀", "ab", s].map((sep) => ({ self: s, args: { sep } }))),
  },
  "string.replace": {
    wrap: "plain",
    calls: () =>
      strings().flatMap((s) =>
        [["", "xyz"], ["a", ""], ["😀", "&&&&"], [" ", rep("😀", 9)], ["ß", "ss"], [s, s]].map(([o, n]) => ({ self: s, args: { old: o!, new: n! } })),
      ),
  },
  "List.join": {
    wrap: "plain",
    calls: () => [...sample(listArb), Array.from({ length: 8 }, () => rep("😀", 12)), [], [""]].flatMap((l) => ["", ", ", rep("ﬃ", 5)].map((sep) => ({ self: l, args: { sep } }))),
  },
  "List.take": {
    wrap: "plain",
    calls: () => [...sample(listArb), ...nested(), []].flatMap((l) => [-1, 0, 1, 3, 100].map((n) => ({ self: l, args: { n } }))),
  },
  "List.copy": { wrap: "plain", calls: () => [...sample(listArb), ...nested(), []].map((l) => ({ self: l, args: {} })) },
  "List.sort": { wrap: "plain", calls: () => [...sample(listArb), [3, 1, 2, 1], [], ["😀", "a", "ﬃ"]].map((l) => ({ self: l, args: {} })) },
  "List.sortBy": {
    wrap: "plain",
    calls: () => [[{ k: 2, v: ["x"] }, { k: 1, v: [] }, { k: 2, v: ["y", "z"] }], []].map((l) => ({ self: l, args: { field: "k" } })),
  },
  "List.slice": {
    wrap: "plain",
    calls: () => [...sample(listArb), ...nested(), []].flatMap((l) => [[0, null], [-5, null], [3, 10], [-10, -2], [1, 100], [5, 1]].map(([a, b]) => ({ self: l, args: { start: a!, end: b! } }))),
  },
  // The expiry at every extreme of a safe integer (its base-36 text the longest, with a sign), texts of every kind.
  "ListInfo.sign": {
    wrap: "plain",
    calls: () =>
      [-9007199254740991, 9007199254740991, 0, -1, 253402300799999].flatMap((expires) =>
        ["", "ann@example.org", rep("😀", 40), "\ud800"].map((text) => ({ self: { address: `${rep("x", 64)}@example.org` }, args: { text, expires } })),
      ),
  },
  // Each kind at its longest text: the most negative int, the latest time, the longest duration.
  "List.joinValues": {
    wrap: "plain",
    calls: () =>
      [
        [[-9007199254740991, 0, 42], "plain"],
        [[true, false], "plain"],
        [[253402300799999, -62167219200000, 0], "time"],
        [[9007199254740991, -9007199254740991, 1], "duration"],
        [[], "time"],
      ].flatMap(([l, shown]) => ["", ", ", rep("ﬃ", 5)].map((sep) => ({ self: l as J, args: { sep, shown: shown as J } }))),
  },
  "Map.keys": { wrap: "map", calls: () => maps().map((m) => ({ self: m, args: {} })) },
  "Map.values": { wrap: "map", calls: () => maps().map((m) => ({ self: m, args: {} })) },
  "Map.copy": { wrap: "map", calls: () => maps().map((m) => ({ self: m, args: {} })) },
  "Headers.get": { wrap: "headers", calls: () => headerSets().flatMap((h) => ["Received", "received", "X-None"].map((name) => ({ self: h, args: { name } }))) },
  "Headers.all": { wrap: "headers", calls: () => headerSets().flatMap((h) => ["Received", "RECEIVED", "X-None"].map((name) => ({ self: h, args: { name } }))) },
  "Headers.raw": { wrap: "headers", calls: () => headerSets().flatMap((h) => ["Received", "RECEIVED", "X-None"].map((name) => ({ self: h, args: { name } }))) },
  "Members.owners": { wrap: "members", calls: () => [memberList(5, "owner"), memberList(5, "member"), memberList(0, "owner")].map((ms) => ({ self: ms as unknown as J, args: {} })) },
};

function maps(): { $map: [J, J][] }[] {
  return [
    { $map: [] },
    { $map: Array.from({ length: 8 }, (_, i) => [rep("😀", i + 1), rep("ﬃ", 10)] as [J, J]) },
    { $map: [["a", [["x"], ["yy", "😀"]]], ["b", []]] },
    ...sample(fc.uniqueArray(fc.tuple(strArb(8), strArb(8)), { maxLength: 8, selector: (e) => e[0] })).map((xs) => ({ $map: xs as [J, J][] })),
  ];
}

/** Header fields at the limits: `headers` fields, each value `header` characters of a worst character. */
function headerSets(): [string, string][][] {
  const n = LIMITS["headers"]!.value;
  const len = LIMITS["header"]!.value;
  return ["😀", "ﬃ", "a", "\""].map((c) => Array.from({ length: n }, (_, i) => [i % 2 ? "Received" : "received", rep(c, len)] as [string, string]));
}

function memberList(n: number, role: MemberJson["role"]): MemberJson[] {
  return Array.from({ length: n }, (_, i) => ({ address: `${rep("x", 60)}${i}@${rep("d", 60)}.example.org`, name: rep("😀", 128), role, joined: 0, bounces: 0 }));
}

// ---------------------------------------------------------------- running on QuickJS

/** Runs every call of one method in one sandbox and returns each result as JSON (maps as `$map`). */
async function runCalls(impl: string, wrap: Wrap, paramNames: string[], calls: Call[]): Promise<J[]> {
  const code = `${PRELUDE}
const __wrap = function (w, v) {
  if (w === "map") return __unjson(v);
  if (w === "headers") return __headers(v);
  if (w === "members") return __members(v);
  return __unjson(v);
};
const __unjson = function (v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(__unjson);
  if (v.$map) { var m = new Map(); v.$map.forEach(function (e) { m.set(__unjson(e[0]), __unjson(e[1])); }); return m; }
  var r = {}; Object.keys(v).forEach(function (k) { r[k] = __unjson(v[k]); }); return r;
};
const __tojson = function (v) {
  if (v instanceof Map) return { $map: Array.from(v).map(function (e) { return [__tojson(e[0]), __tojson(e[1])]; }) };
  if (Array.isArray(v)) return v.map(__tojson);
  if (v !== null && typeof v === "object") { var r = {}; Object.keys(v).forEach(function (k) { r[k] = __tojson(v[k]); }); return r; }
  return v === undefined ? null : v;
};
// Headers as the test gave them (the prelude's own index beside them is not the receiver's value).
const __shown = function (s) { return ${JSON.stringify(wrap)} === "headers" ? { fields: __tojson(s.fields) } : __tojson(s); };
function __thwonk_run(t, i) {
  var calls = JSON.parse(i);
  __in = { now: 0, limits: {}, list: { address: "list@example.org" } };
  return JSON.stringify(calls.map(function (c) {
    var self = c.self === undefined ? undefined : __wrap(${JSON.stringify(wrap)}, c.self);
    var args = ${JSON.stringify(paramNames)}.map(function (p) { return c.args[p] === undefined ? null : __unjson(c.args[p]); });
    var r = self === undefined ? ${impl}.apply(null, args) : ${impl}.apply(null, [self].concat(args));
    // The receiver must come out unchanged (a copy shares nothing with it; take makes a fresh list).
    if (self !== undefined && r !== self && (Array.isArray(r) || r instanceof Map)) { if (Array.isArray(r)) r.push("MUTATED"); else r.set("MUTATED", 1); var after = __shown(self); if (Array.isArray(r)) r.pop(); else r.delete("MUTATED"); return { r: __tojson(r), after: after }; }
    return { r: __tojson(r), after: self === undefined ? null : __shown(self) };
  }));
}
`;
  const r = await runOnce(code, "message", JSON.stringify(calls), { timeLimitMs: 20_000 });
  assert.ok(r.ok, `${impl}: ${JSON.stringify(r)}`);
  const out = JSON.parse(r.output) as { r: J; after: J }[];
  return out.map((o, k) => {
    // Members' receivers are records in; the others must be unchanged by the call.
    const before = wrap === "headers" ? { fields: calls[k]!.self! } : calls[k]!.self;
    if (wrap !== "members" && before !== undefined) assert.deepEqual(o.after, before, `${impl} changed its receiver`);
    return o.r;
  });
}

/** The declared bounds of one call, evaluated on its actual sizes. */
function boundsOf(decl: FunctionDecl, call: Call, wrap: Wrap) {
  const self = wrap === "members" ? (call.self as unknown as MemberJson[]).length : undefined;
  const sizes = {
    size: (n: string): number => (n === "self" ? self ?? sizeOf(call.self!) : sizeOf(call.args[n] ?? null)),
    total: (n: string): number => total(n === "self" ? call.self! : call.args[n] ?? null),
    limit: limitUnits,
    value: (n: string): number => Math.max(0, call.args[n] as number),
  };
  const ev = (e: CostExpr | undefined): number | undefined => (e === undefined ? undefined : evalBound(e, sizes, numberDomain));
  return { size: ev(decl.resultSize), element: ev(decl.elementSize), total: ev(decl.resultTotal) };
}

/** The receiver's values a `carries` result may be made of. */
function carried(self: J, carries: NonNullable<FunctionDecl["carries"]>, wrap: Wrap): J[] {
  if (wrap === "members") return (self as unknown as MemberJson[]).map((m) => ({ ...m }) as unknown as J);
  if (carries === "self") return [self];
  if (Array.isArray(self)) return self;
  const entries = (self as { $map: [J, J][] }).$map;
  return carries === "keys" ? entries.map((e) => e[0]) : entries.map((e) => e[1]);
}

// ---------------------------------------------------------------- the tests

test("the declaration bounds every string and collection result it has", () => {
  assert.deepEqual(resultsWithoutBounds(stdlib), []);
});

test("every sized method has a case here (a new one must add its worst inputs)", () => {
  const fields = new Set(FIELD_CHECKS.map((f) => f.name));
  const missing = sizedResults().filter((n) => !(n in METHOD_CASES) && !fields.has(n) && !(n in FUNCTION_CASES));
  assert.deepEqual(missing, [], "add a case for each to test/verify/result-sizes.test.ts");
});

const FUNCTION_CASES: Record<string, () => Call[]> = {
  address: () => [...strings(), `${rep("a", 64)}@${rep("İ", 120)}.org`, `${rep("x", 64)}@${rep("d", 250)}.org`, "a@b.c", "a+tag@b.org"].map((s) => ({ args: { s } })),
};

for (const [name, mc] of Object.entries(METHOD_CASES)) {
  test(`result sizes on QuickJS: ${name}`, async () => {
    const [owner, method] = name.split(".") as [string, string];
    const decl = stdlib.types[owner]!.methods![method]!;
    assert.ok(PRELUDE_METHODS.includes(`${owner}$${method}`));
    const calls = mc.calls();
    const results = await runCalls(`${owner}$${method}`, mc.wrap, [...decl.params.map((p) => p.name), ...(decl.shows ? ["shown"] : [])], calls);
    let reached = 0;
    results.forEach((r, k) => {
      const call = calls[k]!;
      const b = boundsOf(decl, call, mc.wrap);
      const where = `${name}(${JSON.stringify(call.args).slice(0, 60)}) on ${JSON.stringify(call.self).slice(0, 60)}`;
      if (decl.carries === "self") {
        assert.deepEqual(r, call.self, `${where}: a copy equals its receiver`);
        return;
      }
      if (r === null) return;
      if (typeof r === "string") {
        assert.ok(b.size !== undefined, `${where}: no bound`);
        assert.ok(r.length <= b.size, `${where}: length ${r.length} > bound ${b.size}`);
        if (r.length === b.size && b.size > 0) reached++;
        return;
      }
      if (decl.carries && !Array.isArray(r)) {
        assert.ok(carried(call.self!, decl.carries, mc.wrap).some((x) => JSON.stringify(x) === JSON.stringify(r)), `${where}: not one of the receiver's values`);
        return;
      }
      assert.ok(Array.isArray(r), `${where}: ${JSON.stringify(r)}`);
      assert.ok(b.size !== undefined && r.length <= b.size, `${where}: count ${r.length} > bound ${b.size}`);
      if (b.element !== undefined) for (const x of r) assert.ok(typeof x === "string" && x.length <= b.element, `${where}: element ${JSON.stringify(x)} over ${b.element}`);
      if (b.total !== undefined) assert.ok(total(r) <= b.total, `${where}: total ${total(r)} > ${b.total}`);
      if (decl.carries) {
        const pool = carried(call.self!, decl.carries, mc.wrap).map((x) => JSON.stringify(x));
        for (const x of r) assert.ok(pool.includes(JSON.stringify(x)), `${where}: ${JSON.stringify(x)} is not one of the receiver's values`);
      } else if (b.element === undefined) {
        assert.fail(`${where}: elements made by the call without an elementSize`);
      }
      if (r.length === b.size && b.size > 0) reached++;
    });
    // The worst cases reach some bounds exactly: the inputs are adversarial, not merely small.
    if (["string.upper", "string.lower", "string.escapeHtml", "string.truncate", "string.split", "Headers.all", "List.join"].includes(name)) {
      assert.ok(reached > 0, `${name}: no input reached its bound`);
    }
  });
}

test("result sizes on QuickJS: address(s)", async () => {
  const calls = FUNCTION_CASES["address"]!();
  const results = await runCalls("F$address", "plain", ["s"], calls);
  const max = stdlib.types["Address"]!.maxLength!;
  results.forEach((r, k) => {
    if (r === null) return;
    assert.ok(typeof r === "string" && r.length <= max, `address(${JSON.stringify(calls[k]!.args["s"])}) = ${JSON.stringify(r)}: over ${max}`);
  });
  assert.ok(results.some((r) => r !== null), "some addresses were read");
});

// ---------------------------------------------------------------- fields of inputs the host accepts

interface FieldCheck {
  name: string;
  /** A JS expression over `m` (the message), `ms` (the members), `a` (an address), `t` (a time) reading the field. */
  read: string;
}

const FIELD_CHECKS: FieldCheck[] = [
  { name: "Address.local", read: "G$Address$local(m.from)" },
  { name: "Address.domain", read: "G$Address$domain(m.from)" },
  { name: "Address.tag", read: "G$Address$tag(m.from)" },
  { name: "Time.weekday", read: "G$Time$weekday(t)" },
  { name: "Time.date", read: "G$Time$date(t)" },
  { name: "Envelope.tag", read: "m.envelope.tag" },
  { name: "Envelope.sender", read: "m.envelope.sender" },
  { name: "Envelope.recipient", read: "m.envelope.recipient" },
  { name: "Message.from", read: "m.from" },
  { name: "Member.address", read: "__mlist(ms).map(function (x) { return x.address; })" },
  { name: "ListInfo.address", read: "list.address" },
  { name: "Attachment.filename", read: "m.attachments.map(function (x) { return x.filename; })" },
  { name: "Attachment.contentType", read: "m.attachments.map(function (x) { return x.contentType; })" },
  { name: "Message.to", read: "m.to" },
  { name: "Message.cc", read: "m.cc" },
  { name: "Message.subject", read: "m.subject" },
  { name: "Message.text", read: "m.text" },
  { name: "Message.html", read: "m.html" },
  { name: "Message.attachments", read: "m.attachments" },
  { name: "Message.messageId", read: "m.messageId" },
  { name: "Member.name", read: "__mlist(ms).map(function (x) { return x.name; })" },
  { name: "ListInfo.name", read: "list.name" },
  { name: "ListInfo.owners", read: "list.owners" },
  { name: "Message.fromName", read: "m.fromName" },
  { name: "Message.replyTo", read: "m.replyTo" },
];

/** A message at every limit, with the worst character `c`, that the host accepts. */
function worstMessage(c: string): MessageJson {
  const l = (n: string): number => LIMITS[n]!.value;
  const local = `${rep("x", 40)}+${rep("t", 23)}`;
  const from = `${local}@${rep("d", 250)}.org`;
  const addrs = Array.from({ length: l("recipients") / 2 }, (_, i) => `${rep("r", 60)}${i}@${rep("e", 251)}.org`);
  return {
    from, to: addrs, cc: addrs, subject: rep(c, l("subject")), text: rep(c, l("text")), html: rep(c, l("html")),
    headers: Array.from({ length: l("headers") }, (_, i) => [i === 0 ? "Message-ID" : "X-Long", rep(c, l("header"))] as [string, string]),
    attachments: Array.from({ length: l("attachments") }, () => ({ filename: rep(c, l("header")), contentType: rep(c, l("header")), size: 1 })),
    date: 0, messageId: rep(c, l("header")),
    envelope: { sender: from, recipient: `list+${rep("t", 59)}@example.org`, isRequest: false, tag: rep("t", 59) },
    // What the host decodes: at most as long as the raw values, checked against limits.header too.
    decoded: Array.from({ length: l("headers") }, () => rep(c, l("header"))),
    fromName: rep(c, l("header")),
    replyTo: from,
  };
}

test("fields of inputs at the limits are within their declared bounds, on QuickJS", async () => {
  const rows: { field: string; c: string; value: J }[] = [];
  for (const c of ["😀", "ﬃ", "\"", "a"]) {
    const input = assembleInput({
      now: Date.UTC(2026, 8, 30), limits: LIMITS, message: worstMessage(c),
      members: Array.from({ length: 5 }, (_, i) => ({ address: `m${i}@example.org`, name: rep(c === "😀" ? "😀" : "ß", c === "😀" ? 128 : 256), role: "owner" as const, joined: 0 })),
      list: { address: "list@example.org", name: rep("😀", 128), owners: Array.from({ length: 5 }, (_, i) => `o${i}@example.org`) },
    });
    const code = `${PRELUDE}
function __thwonk_run(t0, i) {
  var input = JSON.parse(i); __in = input;
  var m = __message(input.message), ms = __members(input.members), list = input.list;
  var out = {};
  ${FIELD_CHECKS.map((f) => `out[${JSON.stringify(f.name)}] = [${["Date.UTC(9999, 11, 31)", "Date.UTC(2026, 8, 30)", "-1e16", "1e16"].map((t) => `(function (t) { return ${f.read}; })(${t})`).join(", ")}];`).join("\n  ")}
  return JSON.stringify(out);
}
`;
    const { members, ...rest } = input;
    const r = await runOnce(code, "message", JSON.stringify({ ...rest, members: { address: members.address.split("\n"), name: members.name.split("\n"), role: members.role.split("\n"), joined: members.joined.split("\n").map(Number) } }));
    assert.ok(r.ok, JSON.stringify(r));
    for (const [field, values] of Object.entries(JSON.parse(r.output) as Record<string, J[]>)) for (const v of values) rows.push({ field, c, value: v });
  }
  for (const { field, c, value } of rows) {
    const [owner, name] = field.split(".") as [string, string];
    const decl = stdlib.types[owner]!.fields![name]!;
    // An address has the length its type declares (320); other strings and lists their field's bound.
    const declared = decl.bound ?? stdlib.types[decl.type.replace(/\?$/, "")]?.maxLength;
    assert.ok(declared !== undefined, `${field}: no bound`);
    const bound = typeof declared === "number" ? declared : limitUnits(declared);
    const isList = decl.type.startsWith("List<");
    // Elements of a list field are values with a declared length (Address: 320) or records bounded field by field (checked above).
    const elemMax = isList ? stdlib.types[decl.type.slice(5, -1)]?.maxLength : undefined;
    if (value === null) continue;
    if (Array.isArray(value) && !isList) {
      // A field read of every element of a list (attachment names, member names).
      for (const x of value) if (x !== null) assert.ok(typeof x === "string" && x.length <= bound, `${field} (${c}): ${JSON.stringify(x).slice(0, 40)} is ${(x as string).length} > ${bound}`);
      continue;
    }
    const size = sizeOf(value);
    assert.ok(size <= bound, `${field} (${c}): size ${size} > bound ${bound}`);
    if (isList && elemMax !== undefined) for (const x of value as J[]) assert.ok(typeof x === "string" && x.length <= elemMax, `${field}: element over ${elemMax}`);
  }
});

test("every function the prelude implements is declared (the cases above reach them by name)", () => {
  for (const name of Object.keys(FUNCTION_CASES)) assert.ok(PRELUDE_FUNCTIONS.includes(name), name);
  for (const f of FIELD_CHECKS) {
    const [owner, name] = f.name.split(".") as [string, string];
    assert.ok(stdlib.types[owner]?.fields?.[name], f.name);
  }
  assert.ok(PRELUDE_GETTERS.length > 0);
});

test("a cost never reads an argument's value; a result bound reads only int arguments' values, inside a min", () => {
  const problems: string[] = [];
  const reads = (e: CostExpr, inMin: boolean, out: { name: string; inMin: boolean }[]): void => {
    if (typeof e === "number") return;
    if ("value" in e) out.push({ name: e.value, inMin });
    else if ("ceilDiv" in e) reads(e.ceilDiv, inMin, out);
    else for (const k of ["add", "mul", "max", "min", "log2"] as const) if (k in e) (e as Record<string, CostExpr[]>)[k]!.forEach((x) => reads(x, inMin || k === "min", out));
  };
  const check = (where: string, f: FunctionDecl): void => {
    for (const [what, e] of [["cost", f.cost], ["fanout", f.fanout]] as const) {
      const out: { name: string; inMin: boolean }[] = [];
      if (e !== undefined) reads(e, false, out);
      if (out.length) problems.push(`${where} ${what} reads value(${out[0]!.name})`);
    }
    for (const e of [f.resultSize, f.elementSize, f.resultTotal]) {
      const out: { name: string; inMin: boolean }[] = [];
      if (e !== undefined) reads(e, false, out);
      for (const r of out) {
        if (!r.inMin) problems.push(`${where}: value(${r.name}) outside a min has no bound when the argument is not a literal`);
        if (f.params.find((p) => p.name === r.name)?.type !== "int") problems.push(`${where}: value(${r.name}) of a parameter that is not an int`);
      }
    }
  };
  for (const [t, spec] of Object.entries(stdlib.types)) for (const [m, f] of Object.entries(spec.methods ?? {})) check(`${t}.${m}`, f);
  for (const [name, f] of Object.entries(stdlib.functions)) check(name, f);
  assert.deepEqual(problems, []);
});
