/**
 * The adversary of the bounds, on times at the calendar's edges: a verified
 * rule's state must always be saved and loaded again. A Time is a number of
 * milliseconds; `Time ± Duration` was not checked, and a Date (which saves a
 * time as ISO text) holds ±8.64e15 ms only, so a time the rule pushed past
 * it failed the run as an engine error (TW5005, RangeError) when the state
 * was saved, and every run after it when the time came from state. Now
 * `t ± d` outside the years 0000–9999 is the rule's overflow (TW5011, as an
 * int's), and a time the host gave outside them (a member's `joined` is any
 * safe integer) is saved as the calendar's nearest end, as it reads.
 * Real compiler, real QuickJS through runBundle.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { emitRule } from "../../compiler/emit/emitter.js";
import { checkSources } from "../../compiler/program.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { ruleErrorWords as WORDS } from "../helpers/run-input.js";
import { bundleOf } from "./adversary-bounds-helpers.js";

function input(state: Record<string, unknown> | null, joined: number): Record<string, unknown> {
  return {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: ["m0@example.org"] },
    members: [{ address: "m0@example.org", name: "M", role: "owner", joined }],
    state,
    limits: { members: 10 },
    message: {
      from: "m0@example.org", to: ["news@example.org"], cc: [], subject: "hi", text: "x", html: null,
      headers: [["From", "m0@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "m0@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
  };
}

test("a time pushed a little further each run never fails the run as an engine error (Date range at save)", async () => {
  // 30,000,000 days are about 82,000 years: runs 1–3 used to save years 84,000 … 248,000, run 4 failed at save
  // (RangeError past ±8.64e15 ms), and so did every run after, the time coming back from state.
  const b = bundleOf(`rule t
limits { members: 10 }
state {
  t: Time? = none
  at: Map<Time, int> max 4 = {}
}
on message(m: Message) {
  let t = (state.t ?? now) + 30000000d
  state.t = t
  if state.at.size < 4 {
    state.at.set(t, 1)
  }
}
`);
  let state: Record<string, unknown> | null = null;
  const codes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await runBundle(b, { trigger: "message", input: input(state, Date.UTC(2026, 0, 1)) }, WORDS);
    codes.push(run.error?.code ?? "ok");
    assert.ok(run.error === null || run.error.code === "TW5011", `run ${i}: ${run.error?.code} ${run.error?.message}`);
    if (run.error === null) state = run.state;
  }
  // Past 9999 the addition itself stops the run, the rule's overflow, and the state stays as it was.
  assert.deepEqual(codes, ["TW5011", "TW5011", "TW5011", "TW5011", "TW5011"]);
});

test("Time ± Duration within the years 0000–9999 runs; one step past either end is TW5011", async () => {
  const b = bundleOf(`rule t
limits { members: 10 }
state {
  t: Time? = none
}
on message(m: Message) {
  var t = state.t ?? now
  t -= 738000d
  state.t = t
}
`);
  // 2026-11-25 less 738,000 days is in the year 6 (about 2,020 years back); the next step is before the year 0.
  const first = await runBundle(b, { trigger: "message", input: input(null, 0) }, WORDS);
  assert.equal(first.error, null, `${first.error?.code} ${first.error?.message}`);
  assert.match(String(first.state?.["t"]), /^0006-/);
  const second = await runBundle(b, { trigger: "message", input: input(first.state, 0) }, WORDS);
  assert.equal(second.error?.code, "TW5011");
});

test("a member's `joined` past the Date range (a safe integer the host takes) is saved as the calendar's end", async () => {
  const b = bundleOf(`rule t
limits { members: 10 }
state {
  joined: Time? = none
  byJoined: Map<Time, string max 320> max 10 = {}
}
on message(m: Message) {
  let me = members.get(m.from)
  if me != none {
    state.joined = me.joined
    if state.byJoined.size < 10 {
      state.byJoined.set(me.joined, "{me.address}")
    }
  }
}
`);
  const run = await runBundle(b, { trigger: "message", input: input(null, 9_000_000_000_000_000) }, WORDS);
  assert.equal(run.error, null, `${run.error?.code} ${run.error?.message}`);
  assert.equal(run.state?.["joined"], "9999-12-31T23:59:59.999Z");
  assert.deepEqual(Object.keys(run.state?.["byJoined"] as object), ["9999-12-31T23:59:59.999Z"]);
  const again = await runBundle(b, { trigger: "message", input: input(run.state, 9_000_000_000_000_000) }, WORDS);
  assert.equal(again.error, null, `${again.error?.code} ${again.error?.message}`);
});

test("run --trace shows a member whose `joined` is past the Date range (it threw a RangeError in the trace)", async () => {
  const src = `rule t
limits { members: 10 }
on message(m: Message) {
  let me = members.get(m.from)
  if me != none {
    log("{me.address}")
  }
}
`;
  const b = bundleOf(src);
  const unit = checkSources([{ fileName: "t.thwonk", text: src }]).units[0]!;
  const code = emitRule(unit.rule, unit.check.model, { trace: true }).code;
  const run = await runBundle(b, { trigger: "message", input: { ...input(null, 9_000_000_000_000_000), trace: true }, code }, WORDS);
  assert.equal(run.error, null, `${run.error?.code} ${run.error?.message}`);
  assert.ok(JSON.stringify(run.trace).includes("9999-12-31T23:59:59.999Z"), JSON.stringify(run.trace));
});
