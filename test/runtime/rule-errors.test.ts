/**
 * What the compiled code itself enforces at run time, on real QuickJS: the
 * runtime errors of the prelude (TW5010–TW5018), the headers a list sets on
 * outgoing mail, and that no value from a rule can inject a header.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { handInput } from "../helpers/run-input.js";

const words = { describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }) };

function compile(src: string): Bundle {
  const r = compileSource("t.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n"));
  return r.bundle;
}

/** Two members: Ann (an owner) and Bob. */
function input(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return handInput({
    members: [
      { address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 0, 1) },
      { address: "bob@example.org", name: "Bob", role: "member", joined: Date.UTC(2026, 0, 1) },
    ],
    ...extra,
  });
}

async function run(src: string, extra: Record<string, unknown> = {}, trigger = "message"): Promise<RunResult> {
  return runBundle(compile(src), { trigger, input: input(extra) }, words);
}

test("division by zero and integer overflow stop the run (TW5010, TW5011) and undo it", async () => {
  const div = await run(`rule d
state { n: int = 0 }
on message(m: Message) {
  state.n = 1
  log("before")
  let x = 10 / (m.subject.length - 5)
  log("{x}")
}`);
  assert.equal(div.error?.code, "TW5010");
  assert.deepEqual([div.error?.line, div.error?.column], [6, 11]);
  assert.deepEqual(div.actions, []);
  assert.equal(div.state, null);
  const big = await run(`rule o
on message(m: Message) {
  var x = 9007199254740000
  x = x * 1000
  log("{x}")
}`);
  assert.equal(big.error?.code, "TW5011");
});

test("a state write past max is refused before it can run (TW3006); the run-time check behind it is in state-bounds.test", () => {
  const r = compileSource("t.thwonk", `rule s
state { seen: Map<Address, int> max 1 = {} }
on message(m: Message) {
  state.seen.set(m.from, 1)
  state.seen.set("other@example.org", 2)
}`);
  assert.equal(r.bundle, undefined);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["TW3006", "TW3006"]);
});

test("members.add past limits.members is an error (TW5013)", async () => {
  const r = await run(`rule f
limits { members: 2 }
on message(m: Message) {
  members.add("carol@example.org", "Carol")
}`);
  assert.equal(r.error?.code, "TW5013");
});

test("log lines, page size and paths are bounded (TW5014, TW5015, TW5016)", async () => {
  const logs = await run(`rule l
limits { logs: 3 }
on message(m: Message) {
  log("1")
  log("2")
  log("3")
  log("4")
}`);
  assert.equal(logs.error?.code, "TW5014");
  const page = await run(`rule p
limits { page: 20 }
on message(m: Message) {
  publish("index.html", "<p>{m.text}</p> and more than twenty characters")
}`);
  assert.equal(page.error?.code, "TW5015");
  const path = await run(`rule q
on message(m: Message) {
  publish("../{m.subject}.html", "x")
}`);
  assert.equal(path.error?.code, "TW5016");
});

test("an unknown trigger is an error (TW5018)", async () => {
  const b = compile(`rule t
on message(m: Message) { log("x") }`);
  const r = await runBundle(b, { trigger: "every day at 03:00", input: input() }, words);
  assert.equal(r.error?.code, "TW5018");
});

test("outgoing mail carries the list's headers; replies are marked automatic", async () => {
  const r = await run(`rule h
limits { members: 10 }
on message(m: Message) {
  if m.isAutomated() { return }
  send(to: members, subject: "[News] {m.subject}", text: m.text)
  reply(m, text: "Thanks")
}`);
  assert.equal(r.error, null);
  const [send, reply] = r.actions;
  assert.equal(send!.kind, "send");
  assert.deepEqual(send!.to, ["ann@example.org", "bob@example.org"]);
  const h = send!["headers"] as Record<string, string>;
  assert.equal(h["List-Id"], "News <news.example.org>");
  assert.equal(h["List-Post"], "<mailto:news@example.org>");
  assert.equal(h["List-Unsubscribe"], "<mailto:news-request@example.org?subject=unsubscribe>");
  assert.equal(h["X-Thwonk-Loop"], "news@example.org");
  assert.equal(reply!.kind, "reply");
  assert.deepEqual(reply!.to, ["ann@example.org"]);
  assert.equal((reply!["headers"] as Record<string, string>)["Auto-Submitted"], "auto-replied");
  assert.equal((reply!["headers"] as Record<string, string>)["In-Reply-To"], "<m1@example.org>");
});

test("no value from a rule can inject a header (CR/LF)", async () => {
  const r = await run(`rule i
on message(m: Message) {
  send(to: m.from, subject: "Re: {m.subject}", text: "body\\nwith lines")
}`, { message: { ...(input()["message"] as object), subject: "Hi\r\nBcc: victim@example.com\r\n\r\nspam" } });
  assert.equal(r.error, null);
  const subject = r.actions[0]!["subject"] as string;
  assert.ok(!/[\r\n]/.test(subject), JSON.stringify(subject));
  assert.equal(r.actions[0]!["text"], "body\nwith lines");
});

test("the same input gives the same gas and actions; gas stays under the bound", async () => {
  const src = `rule g
limits { members: 10 }
on message(m: Message) {
  var names: List<string> = []
  for member in members where member.address != m.from {
    names.push(member.name)
  }
  send(to: members, subject: "{names.size} others", text: names.join(", "))
}`;
  const a = await run(src);
  const b = await run(src);
  assert.equal(a.error, null);
  assert.deepEqual(a, b);
  assert.ok(a.gas.used > 0 && a.gas.used <= a.gas.bound, `${a.gas.used} / ${a.gas.bound}`);
});
