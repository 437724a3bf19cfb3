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
 * guarantee: most say which refusal stops it). An attempt that BROKE the
 * promise is a test that fails today, with a comment naming the hole and
 * the smallest input; it passes once the verifier refuses the rule (or the
 * rule runs within its bounds).
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
