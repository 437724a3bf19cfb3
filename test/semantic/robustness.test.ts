/**
 * The checker never throws on user input and keeps its promises on broken
 * code: no internal errors, at most one error per span. Checked on
 * deterministic mutations (deletions, duplications, stray tokens) of
 * realistic programs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";

const SEEDS = [
  `rule once_a_day
limits { members: 5000 }
type Counter = { count: int, last: Time? }
state {
  lastPost: Map<Address, Time> max 5000 = {}
  counts: Map<Address, Counter> max 5000 = {}
  total: int
}
fn label(c: Counter): string { return "{c.count}" }
on message(m: Message) {
  if m.isAutomated() { return }
  if not members.has(m.from) { reject("Only members may post to {list.address}.") }
  let last = state.lastPost.get(m.from)
  if last != none and last.sameDay(now) {
    reply(m, text: "You have already posted today.")
    return
  }
  state.lastPost.set(m.from, now)
  var c = state.counts.get(m.from) ?? { count: 0, last: none }
  c.count += 1
  state.counts.set(m.from, c)
  for member in members where member.address != m.from {
    send(to: member, subject: m.subject, text: m.text.truncate(140) + label(c))
  }
  for k, v in state.counts { if v.count > 3 { log("{k}") } }
}
every day at 00:00 { state.total = 0 }
test "posts" {
  members = ["ann@example.org"]
  message = { from: "ann@example.org", text: "hi" }
  expect send(to: "ann@example.org")
  expect state.total == 0
}
`,
];

const NOISE = ["{", "}", "(", ")", "[", "]", ":", ".", ",", "=", "?", '"', "none", "1d", "x", "m.", "let", "for", "if", "??", "+", "max"];

test("mutated programs never give an internal error or two errors on one span", () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 400; i++) {
    let t = SEEDS[i % SEEDS.length]!;
    const edits = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < edits; j++) {
      const p = Math.floor(rnd() * t.length);
      const len = Math.floor(rnd() * 10);
      const op = rnd();
      if (op < 0.4) t = t.slice(0, p) + t.slice(p + len);
      else if (op < 0.7) {
        const q = Math.floor(rnd() * t.length);
        t = t.slice(0, p) + t.slice(q, q + len) + t.slice(p);
      } else t = t.slice(0, p) + NOISE[Math.floor(rnd() * NOISE.length)]! + t.slice(p);
    }
    const r = checkSources([{ fileName: "f.thwonk", text: t }], { verify: false });
    const internal = r.diagnostics.filter((d) => d.code === "TW2999");
    assert.deepEqual(internal.map((d) => d.message), [], t);
    const spans = new Set<string>();
    for (const d of r.diagnostics) {
      if (!d.code.startsWith("TW2") || d.severity !== "error") continue;
      const key = `${d.span.start}:${d.span.end}`;
      assert.ok(!spans.has(key), `two errors at ${key} in:\n${t}`);
      spans.add(key);
    }
  }
});
