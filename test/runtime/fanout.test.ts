/**
 * Fan-out enforced at run time (TW5030), on real QuickJS with real compiled
 * bundles: every run gets its trigger's fan-out bound from the manifest, and
 * an action that would take the run's messages past it stops the run before
 * it is recorded. The count the prelude makes for each action kind and
 * recipient form is measured here against the verifier's count for the same
 * call: lowering the bound one below the count a run makes must stop it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { runOnce } from "../../runtime/sandbox/index.js";

const words = { describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }) };

function compile(body: string): Bundle {
  const src = `rule f\nlimits { members: 3 }\non message(m: Message) {\n  if m.isAutomated() { return }\n  ${body}\n}\n`;
  const r = compileSource("t.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n"));
  return r.bundle;
}

const MEMBERS = [
  { address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 0, 1) },
  { address: "bob@example.org", name: "Bob", role: "member", joined: Date.UTC(2026, 0, 1) },
  { address: "cy@example.org", name: "Cy", role: "member", joined: Date.UTC(2026, 0, 1) },
];

function input(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    now: Date.UTC(2026, 10, 25, 12),
    tz: [],
    list: { address: "news@example.org", name: "News", owners: ["ann@example.org"] },
    members: MEMBERS,
    state: null,
    limits: { members: 3, logs: 3, page: 20, fanout: 10_000 },
    message: {
      from: "bob@example.org", to: ["news@example.org"], cc: [], subject: "Hello", text: "Some text", html: null,
      headers: [["From", "bob@example.org"]], attachments: [], date: null, messageId: "m1@example.org",
      envelope: { sender: "bob@example.org", recipient: "news@example.org", isRequest: false, tag: null },
    },
    ...extra,
  };
}

/** The bundle with its `message` trigger's fan-out bound set to `bound`, as a host that lowered it would run it. */
function withFanout(b: Bundle, bound: number): Bundle {
  return { ...b, manifest: { ...b.manifest, triggers: b.manifest.triggers.map((t) => ({ ...t, fanoutBound: bound })) } };
}

const fanoutOf = (b: Bundle): number => b.manifest.triggers.find((t) => t.name === "message")!.fanoutBound;

async function run(b: Bundle, extra: Record<string, unknown> = {}): Promise<RunResult> {
  return runBundle(b, { trigger: "message", input: input(extra) }, words);
}

const messagesOf = (r: RunResult): number => r.actions.reduce((n, a) => n + (["send", "reply", "forward"].includes(a.kind) ? a.to.length : 0), 0);

/**
 * Each action kind and recipient form: the verifier's bound for the rule, and the messages the run sends
 * (fewer than the verifier counted only where the recipients repeat or the members are fewer than the limit).
 */
const FORMS: { name: string; body: string; bound: number; sent: number }[] = [
  { name: "send to members", body: `send(to: members, subject: "x", text: "y")`, bound: 3, sent: 3 },
  { name: "send to a list of addresses", body: `send(to: ["a@example.org", "b@example.org"], subject: "x", text: "y")`, bound: 2, sent: 2 },
  { name: "send to a list with duplicates (each address once)", body: `send(to: ["a@example.org", "a@example.org", "b@example.org"], subject: "x", text: "y")`, bound: 3, sent: 2 },
  { name: "send to an address", body: `send(to: m.from, subject: "x", text: "y")`, bound: 1, sent: 1 },
  { name: "send to a Member", body: `let who = members.get(m.from)\n  if who != none { send(to: who, subject: "x", text: "y") }`, bound: 1, sent: 1 },
  { name: "send to the owners (members.owners())", body: `send(to: members.owners(), subject: "x", text: "y")`, bound: 3, sent: 1 },
  { name: "send to list.owners", body: `send(to: list.owners, subject: "x", text: "y")`, bound: 3, sent: 1 },
  { name: "reply", body: `reply(m, "thanks")`, bound: 1, sent: 1 },
  { name: "forward to members", body: `forward(m, members)`, bound: 3, sent: 3 },
  { name: "forward to a list", body: `forward(m, ["a@example.org", "b@example.org"])`, bound: 2, sent: 2 },
  { name: "several actions add up", body: `reply(m, "thanks")\n  send(to: ["a@example.org", "b@example.org"], subject: "x", text: "y")\n  forward(m, m.from)`, bound: 4, sent: 4 },
];

for (const f of FORMS) {
  test(`fan-out: ${f.name} counts ${f.sent} of the verifier's ${f.bound}; one bound lower stops the run (TW5030)`, async () => {
    const b = compile(f.body);
    assert.equal(fanoutOf(b), f.bound, "the verifier's bound");
    const honest = await run(b);
    assert.equal(honest.error, null, "at its own bound the rule runs");
    assert.equal(messagesOf(honest), f.sent, "messages the run sends");
    const exact = await run(withFanout(b, f.sent));
    assert.equal(exact.error, null, "a bound equal to the run's messages lets it through");
    const lower = await run(withFanout(b, f.sent - 1));
    assert.equal(lower.error?.code, "TW5030");
    assert.deepEqual(lower.actions, [], "nothing is sent");
    assert.equal(lower.state, null, "nothing is stored");
    assert.ok(lower.error?.line !== null && lower.error!.line >= 5, "the error points at an action of the rule");
    assert.equal(JSON.parse(lower.error!.message)[0], f.sent - 1, "the bound it names");
  });
}

test("fan-out: TW5030 points at the action that crosses the bound, with the bound and the count", async () => {
  const b = compile(`reply(m, "thanks")\n  send(to: members, subject: "x", text: "y")`);
  const r = await run(withFanout(b, 3));
  assert.equal(r.error?.code, "TW5030");
  assert.deepEqual([r.error?.line, r.error?.column], [6, 3]);
  assert.deepEqual(JSON.parse(r.error!.message), [3, 4]);
});

test("fan-out: members the run changed count when it sends to all members", async () => {
  const b = compile(`members.remove("cy@example.org")\n  members.add("dee@example.org", "Dee")\n  send(to: members, subject: "x", text: "y")`);
  const ok = await run(b);
  assert.equal(ok.error, null);
  assert.equal(messagesOf(ok), 3);
  const over = await run(withFanout(b, 2));
  assert.equal(over.error?.code, "TW5030");
  assert.deepEqual(over.actions, []);
});

test("fan-out: a run's input without a fan-out bound falls back to limits.fanout; a bad one is refused (TW5017)", async () => {
  const b = compile(`send(to: members, subject: "x", text: "y")`);
  const direct = async (extra: Record<string, unknown>): Promise<{ error: { code: string; args: unknown[] } | null }> => {
    const r = await runOnce(b.code.text, "message", JSON.stringify({ ...input(extra), gas: 1_000_000 }));
    assert.ok(r.ok, JSON.stringify(r));
    return JSON.parse(r.output) as { error: { code: string; args: unknown[] } | null };
  };
  assert.equal((await direct({})).error, null, "limits.fanout 10,000");
  assert.equal((await direct({ limits: { members: 3, fanout: 2 } })).error?.code, "TW5030");
  assert.equal((await direct({ fanout: 2 })).error?.code, "TW5030", "the input's own bound wins over limits.fanout");
  assert.equal((await direct({ fanout: 3 })).error, null);
  for (const bad of [-1, 1.5, "3", null]) {
    assert.equal((await direct({ fanout: bad })).error?.code, "TW5017", `fanout ${JSON.stringify(bad)}`);
  }
  assert.equal((await direct({ limits: { members: 3 } })).error?.code, "TW5017", "no bound at all");
});
