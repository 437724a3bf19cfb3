/**
 * The stdlib's newer items from a `.ts` rule: `matches` (with `ignoreCase`),
 * `toInt`, `m.fromName`, `m.replyTo`, `m.approved`, decoded `headers.get` and
 * `headers.raw`, lists' `sorted`/`sortedBy` (the rule's `sort`/`sortBy`),
 * `slice`, `remove` and `join` on lists of ints and times, `list.sign` and
 * `list.verify`, `forward(…, subject:, footer:)`, `send(…, thread: m)` and
 * `Member.bounces`. Each pair below is a `.ts` rule and the `.thwonk` rule it
 * means; both are compiled through the one entry and run in the real sandbox
 * on the same inputs, and must give the same actions (and the lines asserted
 * here), the same bound formulas, and gas within the bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSource } from "../../compiler/index.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const NOW = Date.UTC(2026, 10, 25, 12);

const MESSAGE = {
  subject: "Re: 42 Ünïcode 😀",
  text: "-17",
  fromName: "Zoë Ann",
  replyTo: "answers@example.org",
  approved: true,
  headers: [
    ["From", "=?UTF-8?Q?Zo=C3=AB?= <ann@example.org>"],
    ["X-Tag", "=?UTF-8?Q?caf=C3=A9?="],
  ],
  decoded: [null, "café"],
};

const MEMBERS = [
  { address: "ann@example.org", name: "Ann", role: "owner", joined: Date.UTC(2026, 2, 1), bounces: 2 },
  { address: "bob@example.org", name: "Bob", role: "member", joined: Date.UTC(2026, 0, 1), bounces: 0 },
  { address: "cy@example.org", name: "Cy", role: "member", joined: Date.UTC(2026, 1, 1), bounces: 5 },
];

async function run(fileName: string, source: string, message: Record<string, unknown> = MESSAGE) {
  const { bundle, diagnostics } = compileSource(fileName, source);
  assert.ok(bundle, `${fileName}:\n${diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n")}`);
  const input = handInput({ now: NOW, members: MEMBERS, limits: { members: 10, logs: 20, page: 20 } }, message);
  const r = await runBundle(bundle, { trigger: "message", input }, ruleErrorWords);
  assert.equal(r.error, null, JSON.stringify(r.error));
  assert.ok(r.gas.used <= r.gas.bound, `${fileName}: gas ${r.gas.used} over its bound ${r.gas.bound}`);
  const formulas = bundle.manifest.triggers.map((t) => JSON.stringify([t.name, t.gasBound, t.fanoutBound, (t.cost as { gas: { formula: string } }).gas.formula]));
  return { actions: r.actions.map(({ at: _at, ...rest }) => rest), formulas };
}

/** The .ts rule and its .thwonk meaning: the same actions, the same bounds; the log lines as JavaScript's names promise. */
async function twins(ts: string, thwonk: string, logs: string[]): Promise<void> {
  const a = await run("pair.ts", ts);
  const b = await run("pair.thwonk", thwonk);
  assert.deepEqual(a.actions, b.actions);
  assert.deepEqual(a.formulas, b.formulas);
  assert.deepEqual(a.actions.filter((x) => x.kind === "log").map((x) => x["text"]), logs);
}

test("strings: matches (and ignoreCase), toInt, code points, codePoints() and split on a literal", async () => {
  await twins(
    `import { log, type Message } from "thwonk";
export const rule = "pair";
export const limits = { logs: 20 };
export function onMessage(m: Message) {
  log(\`\${m.subject.matches("re: *")} \${m.subject.matches("re: *", true)} \${m.subject.matches("Re: ?? *")}\`);
  log(\`\${(m.text.toInt() ?? 0) + 1} \${m.subject.toInt() ?? -1}\`);
  log(\`\${m.subject.codePointLength} \${m.subject.codePointSlice(-1)} \${m.subject.codePointIndexOf("😀") ?? -1}\`);
  log(m.subject.codePoints().slice(-3).join("|") + " " + m.subject.split(" ").join("_"));
}
`,
    `rule pair
limits { logs: 20 }
on message(m: Message) {
  log("{m.subject.matches("re: *")} {m.subject.matches("re: *", ignoreCase: true)} {m.subject.matches("Re: ?? *")}")
  log("{(m.text.toInt() ?? 0) + 1} {m.subject.toInt() ?? -1}")
  log("{m.subject.length} {m.subject.slice(-1)} {m.subject.indexOf("😀") ?? -1}")
  log(m.subject.split("").slice(-3).join("|") + " " + m.subject.split(" ").join("_"))
}
`,
    ["false true true", "-16 -1", "16 😀 15", "e| |😀 Re:_42_Ünïcode_😀"],
  );
});

test("the message: fromName, replyTo, approved, decoded headers.get and headers.raw", async () => {
  await twins(
    `import { log, type Message } from "thwonk";
export const rule = "pair";
export const limits = { logs: 20 };
export function onMessage(m: Message) {
  log(\`\${m.fromName} \${m.replyTo ?? m.from} \${m.approved}\`);
  log(\`\${m.headers.get("x-tag") ?? ""} \${m.headers.raw("X-Tag") ?? ""} \${m.headers.get("From") ?? ""}\`);
}
`,
    `rule pair
limits { logs: 20 }
on message(m: Message) {
  log("{m.fromName} {m.replyTo ?? m.from} {m.approved}")
  log("{m.headers.get("x-tag") ?? ""} {m.headers.raw("X-Tag") ?? ""} {m.headers.get("From") ?? ""}")
}
`,
    ["Zoë Ann answers@example.org true", "café =?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?Zo=C3=AB?= <ann@example.org>"],
  );
});

test("lists: sorted and sortedBy (a new list), slice, remove, and join on ints and times; Member.bounces", async () => {
  await twins(
    `import { log, members, type int, type List, type Member, type Message, type Time } from "thwonk";
export const rule = "pair";
export const limits = { logs: 20, members: 10 };
export function onMessage(m: Message) {
  const ns: List<int, 10> = [10, 9, 100, 1, 9];
  const up = ns.sorted();
  ns.remove(9);
  log(\`\${up.join(",")} \${ns.join(",")} \${up.slice(1, -1).join(",")}\`);
  let names = "";
  let bounces = 0;
  const times: List<Time, 10> = [];
  const all: List<Member, 10> = [];
  for (const x of members) all.push(x);
  for (const x of all.sortedBy("joined")) {
    names += x.name;
    bounces += x.bounces;
    times.push(x.joined);
  }
  log(\`\${names} \${bounces} \${times.sorted().join(" ")}\`);
}
`,
    `rule pair
limits { logs: 20, members: 10 }
on message(m: Message) {
  var ns: List<int> max 10 = [10, 9, 100, 1, 9]
  let up = ns.sort()
  ns.remove(9)
  log("{up.join(",")} {ns.join(",")} {up.slice(1, -1).join(",")}")
  var names = ""
  var bounces = 0
  var times: List<Time> max 10 = []
  var all: List<Member> max 10 = []
  for x in members {
    all.push(x)
  }
  for x in all.sortBy("joined") {
    names += x.name
    bounces += x.bounces
    times.push(x.joined)
  }
  log("{names} {bounces} {times.sort().join(" ")}")
}
`,
    ["1,9,9,10,100 10,100,1 9,9,10", "BobCyAnn 7 2026-01-01T00:00:00Z 2026-02-01T00:00:00Z 2026-03-01T00:00:00Z"],
  );
});

test("actions: list.sign and list.verify, forward with subject and footer, send in a thread", async () => {
  await twins(
    `import { days, forward, list, log, members, now, send, type Message } from "thwonk";
export const rule = "pair";
export const limits = { logs: 20, members: 10 };
export function onMessage(m: Message) {
  const token = list.sign(m.from.local, now.plus(days(3)));
  log(\`\${list.verify(token, m.from.local)} \${list.verify(token, "bob")} \${list.verify(\`\${token}x\`, m.from.local)}\`);
  forward(m, members, { subject: \`[news] \${m.subject}\`, footer: "-- \\nbye" });
  send({ to: m.from, subject: "Thanks", text: \`token \${token}\`, thread: m });
}
`,
    `rule pair
limits { logs: 20, members: 10 }
on message(m: Message) {
  let token = list.sign(m.from.local, now + 3d)
  log("{list.verify(token, m.from.local)} {list.verify(token, "bob")} {list.verify("{token}x", m.from.local)}")
  forward(m, to: members, subject: "[news] {m.subject}", footer: "-- \\nbye")
  send(to: m.from, subject: "Thanks", text: "token {token}", thread: m)
}
`,
    ["true false false"],
  );
  const { actions } = await run("pair.ts", `import { forward, members, type Message } from "thwonk";
export const rule = "pair";
export const limits = { members: 10 };
export function onMessage(m: Message) {
  forward(m, members, { footer: "-- bye" });
}
`);
  const fwd = actions.find((a) => a.kind === "forward");
  assert.ok(fwd, JSON.stringify(actions));
  assert.equal(fwd["footer"], "-- bye");
});
