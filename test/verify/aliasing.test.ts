/**
 * The holes of the verifier that mutation and aliasing opened (issue 8,
 * hole 1), each tried on real QuickJS: a rule is either refused by `check`
 * with the code that says why, or it verifies and runs within its bound on
 * the input that would have broken it (text at its limit, built to make
 * the most parts, lines or characters).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/emit/bundle.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const words = ruleErrorWords;

function input(text: string, subject = "hi"): Record<string, unknown> {
  return handInput({ members: [{ address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 0, 1) }], limits: { members: 10, text: 2000 } }, { subject, text });
}

function codes(src: string): string[] {
  return compileSource("t.thwonk", src).diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

/** Verifies `src` and runs it on each text: every run must end without an error (out of gas included). */
async function holds(src: string, texts: string[]): Promise<RunResult[]> {
  const r = compileSource("t.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n"));
  const out: RunResult[] = [];
  for (const text of texts) {
    const run = await runBundle(r.bundle, { trigger: "message", input: input(text) }, words);
    assert.equal(run.error, null, `${JSON.stringify(run.error)} with gas ${run.gas.used} of ${run.gas.bound}`);
    assert.ok(run.gas.used <= run.gas.bound);
    out.push(run);
  }
  return out;
}

const HEAD = "rule t\nlimits { members: 10, text: 2000, logs: 1000 }\n";
const commas = ",".repeat(2000);
const lines = "\n".repeat(1999) + "x";
const long = "y".repeat(2000);

test("Map.set grows a local map: a value set and read back keeps its size", async () => {
  await holds(`${HEAD}on message(m: Message) {
  var box: Map<int, string> = {}
  box.set(0, m.text)
  let parts = (box.get(0) ?? "").split(",")
  for p in parts {
    log("{p.length}")
  }
}`, [commas, long]);
});

const SMALL = "rule t\nlimits { members: 10, text: 500, logs: 1000 }\n";

test("growth through a record field path and inside a record field", async () => {
  await holds(`${SMALL}on message(m: Message) {
  var r = { name: "", items: [""] }
  for l in m.text.lines() {
    r.name += "ab"
    r.items.push(l)
  }
  log("{r.name.split("").size} {r.items.size}")
}`, [lines.slice(-500), long.slice(-500)]);
});

test("a string? that starts as none and grows in a loop", async () => {
  await holds(`${SMALL}on message(m: Message) {
  var s: string? = none
  for l in m.text.split(",") {
    s = (s ?? "") + "ab"
  }
  log("{(s ?? "").split("").size}")
}`, [commas.slice(-500)]);
});

test("a list nested in a list: the inner lists keep their sizes", async () => {
  await holds(`${HEAD}on message(m: Message) {
  var xss: List<List<string>> = []
  xss.push(m.text.split(","))
  xss.push(m.subject.split(","))
  var n = 0
  for xs in xss {
    for x in xs {
      n += x.length + 1
    }
  }
  log("{n}")
}`, [commas, long]);
});

test("two strings growing from each other in one loop verify (no internal error) and stay within the bound", async () => {
  await holds(`rule t
limits { text: 100 }
on message(m: Message) {
  var a = ""
  var b = "x"
  for l in m.text.lines() {
    a = a + b
    b = b + "z"
  }
  log("{a.length}")
}`, [lines.slice(-100)]);
  assert.deepEqual(codes(`${HEAD}on message(m: Message) {
  var a = "x"
  var b = "y"
  for l in m.text.lines() {
    a = a + b
    b = b + a
  }
  log("{a.length} {b.length}")
}`), ["TW3004", "TW3004"]);
});

test("a fn returning an element of a split from inside a loop", async () => {
  await holds(`${HEAD}fn pick(t: string): string {
  for w in t.split(",") {
    if w.length > 3 {
      return w
    }
  }
  return ""
}
on message(m: Message) {
  let p = pick(m.text)
  log("{p.split("").size}")
}`, [commas, long, "," + long.slice(1)]);
});

test("a second name for a collection is refused; a move is not", () => {
  assert.deepEqual(codes(`rule t
state { l: List<string max 10> max 5 = [] }
on message(m: Message) {
  var a = state.l
  a.push("x")
}`), ["TW2110"]);
  assert.deepEqual(codes(`rule t
on message(m: Message) {
  var a: List<string> = []
  let b = a
  a.push(m.subject)
  log("{b.size}")
}`), ["TW2111"]);
  assert.deepEqual(codes(`rule t
state { l: List<string max 10> max 5 = [] }
on message(m: Message) {
  var a: List<string max 10> = []
  a.push("x")
  state.l = a
}`), []);
  // Stored in state inside a loop, from outside it: every iteration would store the same list.
  assert.deepEqual(codes(`rule t
state { l: List<string max 10> max 5 = [] }
on message(m: Message) {
  var a: List<string max 10> = []
  for w in m.subject.split(" ") {
    state.l = a
  }
}`), ["TW2110"]);
  // A fn may not hand out its parameter or a state field; it may hand out its own local.
  assert.deepEqual(codes(`rule t
state { l: List<string max 10> max 5 = [] }
fn same(xs: List<string max 10>): List<string max 10> {
  return xs
}
fn fresh(): List<string max 10> {
  var out: List<string max 10> = []
  out.push("a")
  return out
}
on message(m: Message) {
  var a = same(state.l)
  var b = fresh()
  b.push("b")
  log("{a.size} {b.size}")
}`), ["TW2110"]);
  // An element or a call's result cannot be changed in place.
  assert.deepEqual(codes(`rule t
state { m: Map<string max 5, List<int> max 3> max 3 = {} }
on message(m: Message) {
  (state.m.get("a") ?? []).push(1)
}`), ["TW2112"]);
});

test("writes into state are proven to fit, and growing writes to have room", () => {
  const st = `rule t
type Note = { body: string max 10 }
state {
  last: string max 10 = ""
  subjects: List<string max 10> max 5 = []
  notes: Map<string max 20, Note> max 5 = {}
  nested: Map<string max 5, List<string max 3> max 2> max 2 = {}
}
`;
  assert.deepEqual(codes(`${st}on message(m: Message) {
  state.last = m.subject
  state.last += "x"
  if state.subjects.size < 5 {
    state.subjects.push(m.subject)
  }
  if state.notes.has("k") {
    state.notes.set("k", { body: m.text })
  }
  if state.nested.size < 2 {
    state.nested.set("k", ["abcd"])
  }
}`), ["TW3005", "TW3005", "TW3005", "TW3005", "TW3005"]);
  assert.deepEqual(codes(`${st}on message(m: Message) {
  state.last = m.subject.truncate(10)
  if state.subjects.size < 5 {
    state.subjects.push(m.subject.truncate(10))
  }
  if state.notes.has(m.subject) or state.notes.size < 5 {
    state.notes.set("k", { body: m.text.truncate(10) })
  }
  if state.nested.isEmpty() {
    state.nested.set("k", ["abc"])
  }
}`), ["TW3006"]);
  // Room is used up by a write, and not carried into a loop.
  assert.deepEqual(codes(`${st}on message(m: Message) {
  if state.subjects.size >= 5 {
    return
  }
  state.subjects.push("a")
  state.subjects.push("b")
  if state.subjects.size < 3 {
    for w in m.subject.split(" ") {
      state.subjects.push("c")
    }
  }
  for w in m.subject.split(" ") where state.subjects.size < 5 {
    state.subjects.push("d")
  }
}`), ["TW3006", "TW3006"]);
});

test("a has(k) guard holds for that k only: a `let k` in an inner block is another key", () => {
  assert.deepEqual(codes(`rule t
state { m: Map<string max 20, int> max 3 = {} }
on message(m: Message) {
  let k = "a"
  if state.m.has(k) {
    let k = m.subject.truncate(20)
    state.m.set(k, 1)
  }
  if state.m.has(k) {
    state.m.set(k, 2)
  }
}`), ["TW3006"]);
});
