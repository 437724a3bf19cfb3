/**
 * An adversary's attempts on the verifier's promise (issue 8): a rule that
 * `check` accepts never runs out of gas (TW5001), never sends past its
 * fan-out bound (TW5030), never stores over-bound state or fails because a
 * state collection is full (TW5012), and `check` itself never crashes and
 * does polynomial work.
 *
 * Every attempt compiles with the core and, when accepted, runs on real
 * QuickJS on the worst input built for it, with state carried from run to
 * run. An attempt that held is a passing test (it documents the
 * guarantee: most say which refusal stops it). The attempts named BREAK
 * once broke the promise (a move undone in one branch, room used up by a
 * fn called in the condition, a shadowed `has` key, a call tree passing new
 * shapes); each comment names the hole and the smallest input, and each
 * now passes because the verifier refuses the rule or bounds it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";

const WORDS = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }),
};

interface Msg {
  text?: string;
  subject?: string;
  members?: number;
}

const LIMITS = { members: 10, text: 2000 };

function input(msg: Msg, state: Record<string, unknown> | null, limits: Record<string, number>): Record<string, unknown> {
  const members = Array.from({ length: msg.members ?? 1 }, (_, i) => ({ address: `m${i}@example.org`, name: "M", role: i === 0 ? "owner" : "member", joined: Date.UTC(2026, 0, 1) }));
  return {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: ["m0@example.org"] },
    members,
    state,
    limits,
    message: {
      from: "m0@example.org", to: ["news@example.org"], cc: [], subject: msg.subject ?? "hi", text: msg.text ?? "x", html: null,
      headers: [["From", "m0@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "m0@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
}

function compile(src: string): { bundle?: Bundle; codes: string[]; text: string } {
  const r = compileSource("t.thwonk", src);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  return { bundle: r.bundle ?? undefined, codes: errors.map((d) => d.code), text: errors.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message.split("\n")[0]}`).join("\n") };
}

/** `check` refuses `src` with exactly these error codes (an attempt that held). */
function refused(src: string, codes: string[]): void {
  const r = compile(src);
  assert.equal(r.bundle, undefined, "the rule was accepted");
  assert.deepEqual(r.codes, codes, r.text);
}

/**
 * The promise on `src`: either `check` refuses it (without an internal
 * error), or every run of `msgs` in order, state carried, ends without
 * TW5001/TW5012/TW5030 or any other stop, within the gas and fan-out bounds.
 */
async function promise(src: string, msgs: Msg[], limits: Record<string, number> = LIMITS): Promise<"refused" | RunResult[]> {
  const r = compile(src);
  assert.ok(!r.codes.some((c) => /^TW\d999$/.test(c)), `check crashed: ${r.text}`);
  if (!r.bundle) return "refused";
  const t = r.bundle.manifest.triggers.find((x) => x.name === "message")!;
  let state: Record<string, unknown> | null = null;
  const out: RunResult[] = [];
  for (const [i, msg] of msgs.entries()) {
    const run = await runBundle(r.bundle, { trigger: "message", input: input(msg, state, limits) }, WORDS);
    assert.equal(run.error, null, `run ${i}: ${run.error?.code} ${run.error?.message} at line ${run.error?.line}, gas ${run.gas.used} of ${run.gas.bound}, fan-out bound ${t.fanoutBound}`);
    assert.ok(run.gas.used <= run.gas.bound);
    const sent = run.actions.filter((a) => a.kind === "send").reduce((n, a) => n + a.to.length, 0);
    assert.ok(sent <= t.fanoutBound, `run ${i}: sent ${sent} > fan-out bound ${t.fanoutBound}`);
    state = run.state;
    out.push(run);
  }
  return out;
}

const HEAD = "rule t\nlimits { members: 10, text: 2000, logs: 1000 }\n";
const commas = ",".repeat(2000);

// ================================================================== BREAKS (fail today)

/*
 * BREAK 1: a move is forgotten on every path when the moved variable is
 * reassigned on one. ownership.ts keeps moves in one flow-insensitive map
 * (ctx.moves): `b = a` records the move, and `a = []` in the other branch
 * (statements.ts, forgetMove) deletes it for the rest of the program. After
 * the `if`, on the path where the branch with the move ran, `a` and `b` are
 * the same list, and `a` is usable again: pushes through `a` grow `b`
 * behind the verifier's back (it holds `b` as the empty list it was). The
 * moves must be joined over paths: moved after the `if` when moved on
 * either branch and not reassigned on that same branch (a loop that may
 * run zero times is such a branch).
 */
test("BREAK 1a: a move in one branch, a reassignment in the other: a second name grows the list (TW5001)", async () => {
  // Smallest input: subject "hi", a text of 2,000 commas (the bound is 24,292; the nested loop over `b` needs ~4 million).
  await promise(`${HEAD}on message(m: Message) {
  var a: List<string> = []
  var b: List<string> = []
  if m.subject == "hi" {
    b = a
  } else {
    a = []
  }
  for p in m.text.split(",") {
    a.push(p)
  }
  var n = 0
  for x in b {
    for y in b {
      n += 1
    }
  }
  log("{n}")
}`, [{ text: commas, subject: "hi" }]);
});

test("BREAK 1b: the same hole stores over-bound state (TW5012)", async () => {
  // Subject "hi": `b` is believed empty, so `state.l = b` is proven to fit; it holds 3 entries, max 2.
  await promise(`${HEAD}state { l: List<string max 10> max 2 = [] }
on message(m: Message) {
  var a: List<string max 10> = []
  var b: List<string max 10> = []
  if m.subject == "hi" {
    b = a
  } else {
    a = []
  }
  a.push("1")
  a.push("2")
  a.push("3")
  state.l = b
}`, [{ subject: "hi" }]);
});

test("BREAK 1c: the same hole sends past the fan-out bound (TW5030)", async () => {
  // Ten members, subject "hi": the fan-out bound of `send(to: b)` is 0 (b is "empty"), it sends to 10.
  // The unused branch pays for the send's per-recipient gas, so the run reaches the send.
  await promise(`${HEAD}on message(m: Message) {
  var a: List<Address> = []
  var b: List<Address> = []
  if m.subject == "hi" {
    b = a
  } else {
    a = []
    for l in m.text.lines() {
      log(l)
    }
  }
  for mem in members {
    a.push(mem.address)
  }
  send(to: b, subject: "s", text: "t")
}`, [{ subject: "hi", members: 10 }]);
});

test("BREAK 1d: a reassignment in a branch not taken (or a loop run zero times) after the move", async () => {
  // No else needed: the move is unconditional, the reassignment conditional; subject "hi", 2,000 commas.
  await promise(`${HEAD}on message(m: Message) {
  var a: List<string> = []
  var b = a
  if m.subject == "reset" {
    a = []
  }
  for p in m.text.split(",") {
    a.push(p)
  }
  var n = 0
  for x in b {
    for y in b {
      n += 1
    }
  }
  log("{n}")
}`, [{ text: commas, subject: "hi" }]);
  await promise(`${HEAD}on message(m: Message) {
  var a: List<string> = []
  var b = a
  for w in m.subject.split(" ") where w == "never" {
    a = []
  }
  for p in m.text.split(",") {
    a.push(p)
  }
  var n = 0
  for x in b {
    for y in b {
      n += 1
    }
  }
  log("{n}")
}`, [{ text: commas, subject: "hi" }]);
});

/*
 * BREAK 2: room proven by the left operand of `and` survives a call in the
 * right operand that writes state. writes.ts roomOf reads the condition
 * syntactically and analyze.ts (ifStmt) gives the then-branch
 * `either(frame.room, room.t)` after the condition was evaluated, so the
 * `frame.room = NO_ROOM` that fnCall sets while the condition is analysed
 * is overwritten. A fact must be dropped when anything after it in the
 * condition (a fn call, on the evaluation order of `and`/`or`) may write
 * state; or roomOf must stop at the first operand holding a fn call.
 */
test("BREAK 2a: `if state.l.size < 2 and fill()` where fill pushes: the push after it overflows (TW5012)", async () => {
  // Run 1 (subject "one") leaves one entry; run 2: size 1 < 2, fill() pushes the second, the rule pushes a third.
  await promise(`${HEAD}state { l: List<int> max 2 = [] }
fn fill(): bool {
  if state.l.size < 2 {
    state.l.push(1)
  }
  return true
}
on message(m: Message) {
  if m.subject == "one" {
    if state.l.isEmpty() {
      state.l.push(0)
    }
    return
  }
  if state.l.size < 2 and fill() {
    state.l.push(2)
  }
}`, [{ subject: "one" }, { subject: "two" }]);
});

test("BREAK 2b: `if state.mp.has(k) and drop(k)` where drop removes k and sets another key: a full map, wedged", async () => {
  // The very first run fails (TW5012 at the `set`), and so does every later one: the rule is wedged.
  await promise(`${HEAD}state { mp: Map<string max 20, int> max 1 = {} }
fn drop(k: string): bool {
  state.mp.remove(k)
  if state.mp.isEmpty() {
    state.mp.set("other", 1)
  }
  return true
}
on message(m: Message) {
  let k = "a"
  if state.mp.isEmpty() {
    state.mp.set(k, 0)
  }
  if state.mp.has(k) and drop(k) {
    state.mp.set(k, 1)
  }
}`, [{}, {}]);
});

/*
 * BREAK 3: `has(k)` proves room for `set(k, ...)` by the key's TEXT
 * (writes.ts immutableKeyText returns exprText), not by the symbol it
 * names. A `let` in the branch may shadow the key: `let k = ...` inside
 * `if state.mp.has(k)` names a different value with the same text, and the
 * set of that new key into a full map is accepted. The identity must be
 * the symbols (and field path), e.g. `sym.id` + fields.
 */
test("BREAK 3a: a shadowing `let k` inside `if state.mp.has(k)`: a new key into a full map wedges the rule", async () => {
  // Run 1 (subject "a") fills the map with "a"; run 2 (subject "b"): has("a") is true, set("b") makes 2 entries, max 1,
  // and every later run with another subject fails the same way.
  await promise(`${HEAD}state { mp: Map<string max 20, int> max 1 = {} }
on message(m: Message) {
  let k = "a"
  if state.mp.isEmpty() {
    state.mp.set(k, 0)
  }
  if state.mp.has(k) {
    let k = m.subject.truncate(20)
    state.mp.set(k, 1)
  }
}`, [{ subject: "a" }, { subject: "b" }]);
});

test("BREAK 3b: the same through a record field of a shadowed record (`r.k`)", async () => {
  await promise(`${HEAD}state { mp: Map<string max 20, int> max 1 = {} }
on message(m: Message) {
  let r = { k: "a" }
  if state.mp.isEmpty() {
    state.mp.set("a", 0)
  }
  if state.mp.has(r.k) {
    let r = { k: m.subject.truncate(20) }
    state.mp.set(r.k, 1)
  }
}`, [{ subject: "a" }, { subject: "b" }]);
});

/*
 * BREAK 4: check's work is exponential in a call chain whose calls pass
 * different shapes. analyze.ts fnCall memoises a fn per distinct argument
 * shapes (shapeKey); `f{i}(a, b)` calling `f{i+1}(a + b, b)` and
 * `f{i+1}(b + "x", a)` gives every call a new pair of shapes, so the memo
 * never hits: the steps double per level (33, 77, 165, 341, 693, 1393,
 * 2767, 5441 for depths 2..9), the formulas grow with them, and the time
 * explodes (depth 9: ~1 s; depth 11: over 100 s; the chain limit TW2130
 * allows 16). A hostile rule of 16 small fns hangs `check`. A fn needs one
 * analysis with symbolic parameters (a summary instantiated per call), or
 * a memo that widens the shapes after a few distinct ones.
 */
function shapeChain(depth: number): string {
  let s = "rule t\nlimits { members: 10, text: 30, logs: 1000 }\n";
  for (let i = 1; i <= depth; i++) {
    const body = i < depth ? `  log(f${i + 1}(a + b, b))\n  log(f${i + 1}(b + "x", a))\n` : "";
    s += `fn f${i}(a: string, b: string): string {\n${body}  return a.truncate(1)\n}\n`;
  }
  return `${s}on message(m: Message) {\n  log(f1(m.text, m.subject))\n}\n`;
}

test("BREAK 4: a chain of fns passing new shapes on each call: check's steps double with every fn", async () => {
  const { checkSources } = await import("../../compiler/program.js");
  const steps = (d: number): number => checkSources([{ fileName: "t.thwonk", text: shapeChain(d) }]).units[0]!.verify!.steps;
  const ns = [3, 5, 7];
  const ms = ns.map(steps);
  for (let i = 1; i < ns.length; i++) {
    const allowed = (ns[i]! / ns[i - 1]!) ** 2 * 1.2;
    assert.ok(ms[i]! / ms[i - 1]! <= allowed, `depth ${ns[i - 1]} → ${ns[i]}: steps ${ms.join(", ")} (allowed ×${allowed.toFixed(2)} per step)`);
  }
});

// ================================================================== HELD (the guarantee, documented)

test("held: a value doubled in a loop through any route is refused (TW3004)", () => {
  const loop = (decl: string, body: string): string => `${HEAD}${decl}on message(m: Message) {\n${body}\n}`;
  const cases: [string, string][] = [
    ["fn f(s: string): string {\n  return s + s\n}\n", `  var s = "x"\n  for l in m.text.lines() {\n    s = f(s)\n  }\n  log("{s.length}")`],
    ["", `  var mp: Map<int, string> = {}\n  mp.set(0, "x")\n  for l in m.text.lines() {\n    let v = mp.get(0) ?? ""\n    mp.set(0, v + v)\n  }\n  log("{mp.size}")`],
    ["", `  var xs: List<string> = ["x"]\n  for l in m.text.lines() {\n    let j = xs.join("")\n    xs.push(j)\n  }\n  log("{xs.size}")`],
    ["", `  var r = { a: "x" }\n  for l in m.text.lines() {\n    r = { a: r.a + r.a }\n  }\n  log("{r.a.length}")`],
    ["", `  var s = "x"\n  for l in m.text.lines() {\n    s = s.upper()\n  }\n  log("{s.length}")`],
    ["", `  var s = "x"\n  for l in m.text.lines() {\n    s = s.escapeHtml()\n  }\n  log("{s.length}")`],
    ["", `  var s = "aa"\n  for l in m.text.lines() {\n    s = s.replace("a", s)\n  }\n  log("{s.length}")`],
    ["", `  var s = "ab"\n  for l in m.text.lines() {\n    s = s.split("").join(s)\n  }\n  log("{s.length}")`],
    ["", `  var s = "x"\n  for l in m.text.lines() {\n    if l == "" {\n      s = s + s\n      continue\n    }\n    s += "y"\n  }\n  log("{s.length}")`],
    ["", `  var s: string? = "x"\n  for l in m.text.lines() {\n    s = (s ?? "") + (s ?? "y")\n  }\n  log("{(s ?? "").length}")`],
    ["", `  var s = "x"\n  for l in m.text.lines() {\n    s = "{s}{s}"\n  }\n  log("{s.length}")`],
    ["fn dbl(s: string): string {\n  var out = \"\"\n  for c in s.split(\"\") {\n    out += \"{c}{c}\"\n  }\n  return out\n}\n", `  var s = "x"\n  for l in m.text.lines() {\n    s = dbl(s)\n  }\n  log("{s.length}")`],
    ["", `  var mp: Map<string, int> = {}\n  mp.set("a", 1)\n  for l in m.text.lines() {\n    for k in mp.keys() {\n      mp.set("{k}1", 1)\n    }\n  }\n  log("{mp.size}")`],
    ["", `  var xs: List<string> = ["x"]\n  for l in m.text.lines() {\n    for x in xs.copy() {\n      xs.push(x)\n    }\n  }\n  log("{xs.size}")`],
  ];
  for (const [decl, body] of cases) {
    const r = compile(loop(decl, body));
    assert.equal(r.bundle, undefined, body);
    assert.ok(r.codes.includes("TW3004"), `${body}\n${r.text}`);
  }
});

test("held: second names through records, fn results, `??`, map values and values() are refused", () => {
  refused(`${HEAD}on message(m: Message) {
  var r = { items: [""] }
  var xs = r.items
  log("{xs.size}")
}`, ["TW2110"]);
  refused(`${HEAD}fn wrap(xs: List<string>): { items: List<string> } {
  return { items: xs }
}
on message(m: Message) {
  var a: List<string> = []
  var r = wrap(a)
  a.push("x")
  log("{r.items.size}")
}`, ["TW2110"]);
  refused(`${HEAD}on message(m: Message) {
  var a: List<string> = []
  var mp: Map<string, List<string>> = {}
  mp.set("k", a)
  a.push("x")
  log("{mp.size}")
}`, ["TW2111"]);
  refused(`${HEAD}on message(m: Message) {
  var mp: Map<string, List<string>> = {}
  mp.set("k", [])
  var vs = mp.values()
  log("{vs.size}")
}`, ["TW2110"]);
  refused(`${HEAD}on message(m: Message) {
  var a: List<string>? = []
  var b = a ?? []
  for p in m.text.split(",") {
    (a ?? []).push(p)
  }
  log("{b.size}")
}`, ["TW2111", "TW2112"]);
});

test("held: guards that do not guard are refused (TW3006)", () => {
  const st = `${HEAD}state { l: List<int> max 2 = [] }\n`;
  refused(`${st}on message(m: Message) {
  if state.l.size >= 2 {
    if m.subject == "x" {
      return
    }
  }
  state.l.push(1)
}`, ["TW3006"]);
  refused(`${st}on message(m: Message) {
  if state.l.size < 2 {
    state.l = [1, 2]
    state.l.push(3)
  }
}`, ["TW3006"]);
  refused(`${st}fn f(): bool {
  if state.l.size < 2 {
    state.l.push(1)
  }
  return false
}
on message(m: Message) {
  if f() or state.l.size < 2 {
    state.l.push(2)
  }
  if not (state.l.size >= 2 or f()) {
    state.l.push(3)
  }
}`, ["TW3006", "TW3006"]); // the second: f() ran after the size test, and may have filled the list
  refused(`${st}on message(m: Message) {
  if state.l.size < 2 or m.subject == "x" {
    state.l.push(1)
  }
}`, ["TW3006"]);
});

test("held: remove then set of a key proven present or with room; a state collection written while a fn walks it", async () => {
  const r = await promise(`${HEAD}state { mp: Map<string max 20, int> max 1 = {} }
on message(m: Message) {
  let k = m.subject.truncate(20)
  if state.mp.has(k) or state.mp.size < 1 {
    state.mp.remove(k)
    state.mp.set(k, 1)
  }
}`, [{ subject: "a" }, { subject: "a" }, { subject: "b" }]);
  assert.notEqual(r, "refused");
  const w = await promise(`${HEAD}state { mp: Map<string max 20, int> max 5 = {} }
fn walk(xs: Map<string max 20, int>) {
  for k, v in xs {
    state.mp.remove(k)
    if state.mp.size < 5 {
      state.mp.set("{k}x".truncate(20), v + 1)
    }
  }
}
on message(m: Message) {
  if state.mp.size < 5 {
    state.mp.set("a", 1)
  }
  walk(state.mp)
  log("{state.mp.size}")
}`, [{}, {}, {}]);
  assert.notEqual(w, "refused");
});

test("held: characters and UTF-16 units: truncated astral text, concatenated, fits its `string max`", async () => {
  const r = await promise(`${HEAD}state {
  s: string max 10 = ""
  t: string max 20 = ""
}
on message(m: Message) {
  state.s = m.subject.truncate(5) + m.subject.truncate(5)
  state.t = m.subject.truncate(10).lower().truncate(20)
}`, [{ subject: "😀".repeat(500), text: "𝔸".repeat(2000) }, { subject: "İ".repeat(500) }]);
  assert.notEqual(r, "refused");
  // Interpolation counts every part: 3 + 1 + 6 characters is not 10 when the parts are bounded in units.
  refused(`${HEAD}state { t: string max 10 = "" }
on message(m: Message) {
  state.t = "{m.subject.truncate(3)}-{m.text.truncate(6)}"
}`, ["TW3005"]);
});

test("held: exits in nested blocks and fns, continue/break, truncate and `??` growth, fns in loops: within the bound", async () => {
  const L = { members: 10, text: 30 };
  const H = "rule t\nlimits { members: 10, text: 30, logs: 1000 }\n";
  const texts = [",".repeat(30), "\n".repeat(30), "a,".repeat(15), "ab\n".repeat(10)].map((text) => ({ text }));
  for (const body of [
    `fn g(s: string) {\n  if s == "stop" {\n    hold("x")\n  }\n}\non message(m: Message) {\n  for l in m.text.split(",") {\n    g(l)\n    log(l)\n  }\n  reject("no")\n}`,
    `on message(m: Message) {\n  let parts = m.text.split(",")\n  let j = parts.join("--")\n  if j.length > 3 {\n    let k = j.split("-")\n    for x in k {\n      if x == "" {\n        return\n      }\n    }\n  }\n  log(j)\n}`,
    `on message(m: Message) {\n  var s: string? = none\n  var t = ""\n  for l in m.text.split(",") {\n    s = ((s ?? "") + "{l}xy").truncate(50)\n    t = t + (s ?? "") + "{s ?? ""}"\n  }\n  log("{t.length}")\n  for c in t.split("") {\n    log(c)\n  }\n}`,
    `fn ext(xs: List<string>, s: string): List<string> {\n  var out = xs.copy()\n  out.push(s)\n  out.push(s)\n  return out\n}\non message(m: Message) {\n  var xs: List<string> = []\n  for l in m.text.split(",") {\n    xs = ext(xs, l)\n  }\n  var n = 0\n  for x in xs {\n    for y in xs {\n      n += 1\n    }\n  }\n  log("{n}")\n}`,
    `on message(m: Message) {\n  var b: List<string> = []\n  for p in m.text.split(",") {\n    var a: List<string> = []\n    a.push(p)\n    b = a\n    break\n  }\n  b.push("x")\n  log("{b.size}")\n}`,
  ]) {
    const r = await promise(H + body, texts, L);
    assert.notEqual(r, "refused", body);
  }
});

test("BREAK 2c: the same hole in a loop's `where`: `where state.l.size < 2 and fill()`", async () => {
  // Run 1 (subject "one") leaves one entry; run 2 (subject "two"): fill() pushes the second, the body a third (TW5012).
  await promise(`${HEAD}state { l: List<int> max 2 = [] }
fn fill(): bool {
  if state.l.size < 2 {
    state.l.push(1)
  }
  return true
}
on message(m: Message) {
  if m.subject == "one" {
    if state.l.isEmpty() {
      state.l.push(0)
    }
    return
  }
  for w in m.subject.split(" ") where state.l.size < 2 and fill() {
    state.l.push(2)
  }
}`, [{ subject: "one" }, { subject: "two" }]);
});

test("held: a state-writing fn in the argument of a guarded push or set clears the room (TW3006)", () => {
  refused(`${HEAD}state { l: List<int> max 2 = [] }
fn fill(): int {
  if state.l.size < 2 {
    state.l.push(1)
  }
  return 5
}
on message(m: Message) {
  if state.l.size < 2 {
    state.l.push(fill())
  }
}`, ["TW3006"]);
  refused(`${HEAD}state { mp: Map<string max 20, int> max 1 = {} }
fn other(): int {
  state.mp.remove("a")
  if state.mp.isEmpty() {
    state.mp.set("b", 1)
  }
  return 1
}
on message(m: Message) {
  let k = "a"
  if state.mp.has(k) {
    state.mp.set(k, other())
  }
}`, ["TW3006"]);
});
