/**
 * Valid programs check without any diagnostic, and the semantic model says
 * what later phases and the language server need.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { CallExpr, Expr, Ident, OnDecl } from "../../compiler/syntax/ast.js";
import { checkSources } from "../../compiler/program.js";
import { typeToString } from "../../compiler/semantic/checker.js";
import { stdlib } from "../../stdlib/index.js";
import { assertClean, check } from "./harness.js";
import { repoRoot } from "../helpers/repo.js";

const SKETCH = `rule once_a_day

limits { members: 5000 }

state {
  lastPost: Map<Address, Time> max 5000 = {}
}

on message(m: Message) {
  if not members.has(m.from) {
    reject("Only members may post to {list.address}.")
  }
  let last = state.lastPost.get(m.from)          // Time?  (none when absent)
  if last != none and last.sameDay(now) {
    reply(m, text: "You have already posted today.")
    return
  }
  state.lastPost.set(m.from, now)
  for member in members where member.address != m.from {
    send(to: member, subject: m.subject, text: m.text.truncate(140))
  }
}

every day at 00:00 { log("midnight") }
`;

const FULL = `rule everything

limits { members: 500, fanout: 500 }
settings { timezone: "Europe/Paris" }

type Counter = { count: int, last: Time? }

state {
  total: int
  counts: Map<Address, Counter> max 500 = {}
  names: List<string max 100> max 50 = []
  since: Time = 2026-01-01T00:00:00Z
  note: string? = none
}

fn greeting(name: string): string {
  if name.isEmpty() {
    return "Hello"
  }
  return "Hello {name}"
}

fn bump(a: Address) {
  var c = state.counts.get(a) ?? { count: 0, last: none }
  c.count += 1
  c.last = now
  state.counts.set(a, c)
}

on message(m: Message) {
  if m.isAutomated() { return }
  if not members.has(m.from) and not m.approved {
    hold("Only members may post to {list.address}.")
  }
  state.total += 1
  bump(m.from)
  let sent = m.date ?? now
  log("sent {sent}, {now - sent} ago")
  for member in members where member.address != m.from {
    send(to: member, subject: m.subject, text: greeting(member.name) + "\\n" + m.text.truncate(140), from: "sender", replyTo: "list")
  }
  for k, v in state.counts {
    if v.count > 10 and k != m.from { log("{k} is busy") }
  }
  send(to: ["a@example.org", "b@example.org"], subject: "x", text: "y")
  send(to: members.owners(), subject: "x", text: "y", html: m.html)
  if now.weekday == "monday" { log("monday") }
  let d = 2h + 30m * 2
  if d > 1h and -d < 0m { log("long {d}") }
  for line in m.text.lines() where line.startsWith(">") { log(line) }
  let owner = members.get(m.from)
  if owner == none { return }
  if owner.role == "owner" { log("owner {owner.name}") }
  let first = m.to.first()
  if first != none { forward(m, to: first) }
  let words = m.subject.split(" ")
  log(words.join(", ") + " {words.size} {m.to[0] ?? list.address}")
  if m.envelope.isRequest and m.envelope.tag == "subscribe" {
    members.add(m.from, name: "new")
  }
  publish("{now.date}.html", m.html ?? "<p>{m.text}</p>")
  state.note = m.subject
  log(state.note)
  log("{min(1, 2) + max(3, 4)} {m.attachments.size} {m.headers.get("List-Id") ?? ""}")
}

every day at 00:00 {
  for a in state.counts {
    let c = state.counts[a]
    if c != none and c.last != none and now - c.last > 7d { members.remove(a) }
  }
}

every monday at 9:30 { log("weekly") }
every 15m { log("tick") }

test "a member posts" {
  members = ["ann@example.org", { address: "bob@example.org", name: "Bob", role: "owner" }]
  now = 2026-11-25T12:00:00Z
  state.total = 3
  message = { from: "ann@example.org", subject: "hi", text: "hello", headers: { "List-Id": "<x>" }, to: ["list@example.org"] }
  expect send(to: "bob@example.org", subject: "hi")
  expect no reply
  expect state.total == 4
}

test "midnight" {
  run every day at 00:00
  expect no members.remove
}

test "from a file" {
  message = "post.eml"
  expect no hold
}
`;

test("the brief's sketch (with member.address) is clean", () => {
  assertClean(SKETCH);
});

test("a program using most of the language is clean", () => {
  assertClean(FULL);
});

test("a test file sees the rule's state and triggers", () => {
  assertClean(
    SKETCH,
    `test "second post" {\n  members = ["ann@example.org"]\n  state.lastPost = { "ann@example.org": 2026-11-25T08:00:00Z }\n  now = 2026-11-25T12:00:00Z\n  message = { from: "ann@example.org" }\n  expect reply\n}\n`,
  );
});

test("the examples check clean", () => {
  const dir = join(repoRoot, "examples");
  if (!existsSync(dir)) return;
  const sources: { fileName: string; text: string }[] = [];
  for (const ex of readdirSync(dir)) {
    const sub = join(dir, ex);
    if (!existsSync(sub) || !readdirSync(sub).length) continue;
    for (const f of readdirSync(sub)) if (f.endsWith(".thwonk")) sources.push({ fileName: `${ex}/${f}`, text: readFileSync(join(sub, f), "utf8") });
  }
  const r = checkSources(sources, { verify: false });
  const problems = r.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.col} ${d.code} ${d.message}`);
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------- the model

function model(src: string) {
  const r = check(src);
  const unit = r.units[0]!;
  return { r, m: unit.check.model, file: unit.rule };
}

function findExpr(m: ReturnType<typeof model>["m"], pred: (e: Expr) => boolean): Expr[] {
  return [...m.types.keys()].filter(pred);
}

test("the model gives the type of expressions", () => {
  const { m } = model(SKETCH);
  const last = findExpr(m, (e) => e.kind === "CallExpr" && e.callee.kind === "MemberExpr" && e.callee.name.name === "get");
  assert.equal(last.length, 1);
  assert.equal(typeToString(m.types.get(last[0]!)!), "Time?");
  // After `last != none`, `last` is a Time.
  const narrowed = findExpr(m, (e) => e.kind === "MemberExpr" && e.name.name === "sameDay");
  assert.equal(narrowed.length, 0, "a method callee is not a value");
  const lastUses = findExpr(m, (e) => e.kind === "Ident" && e.name === "last").map((e) => typeToString(m.types.get(e)!));
  assert.deepEqual(lastUses.sort(), ["Time", "Time?"]);
});

test("the model maps identifiers to their symbols and declaring spans", () => {
  const { m } = model(SKETCH);
  const uses = [...m.symbols.entries()].filter(([id]) => id.name === "last");
  assert.equal(uses.length, 3); // the declaration and two uses
  const sym = uses[0]![1];
  assert.ok(uses.every(([, s]) => s === sym));
  assert.equal(sym.kind, "let");
  assert.equal(sym.span?.line, 13);
  const stateField = [...m.symbols.entries()].find(([id, s]) => id.name === "lastPost" && s.kind === "state" && id.span.line === 13);
  assert.ok(stateField, "state.lastPost resolves to the state field");
  assert.equal(stateField[1].span?.line, 6);
});

test("the model gives state fields with their types and bounds", () => {
  const { m } = model(FULL);
  const byName = new Map(m.state.map((s) => [s.name, s]));
  assert.deepEqual([...byName.keys()], ["total", "counts", "names", "since", "note"]);
  assert.equal(typeToString(byName.get("counts")!.type), "Map<Address, Counter> max 500");
  assert.equal(byName.get("counts")!.max, 500);
  assert.equal(byName.get("names")!.max, 50);
  const names = byName.get("names")!.type;
  assert.ok(names.kind === "named" && names.args[0]!.kind === "named" && names.args[0]!.max === 100);
  assert.equal(byName.get("total")!.max, undefined);
});

test("the model gives every limit, declared or default, and settings", () => {
  const { m } = model(FULL);
  assert.equal(m.limits.get("members")!.value, 500);
  assert.equal(m.limits.get("members")!.declared?.line, 3);
  assert.equal(m.limits.get("text")!.value, stdlib.limits["text"]!.default);
  assert.equal(m.limits.get("text")!.declared, undefined);
  assert.equal(m.limits.size, Object.keys(stdlib.limits).length);
  assert.equal(m.settings.get("timezone")!.value, "Europe/Paris");
});

test("the model gives triggers, fns, calls and capabilities", () => {
  const { m } = model(FULL);
  assert.deepEqual(
    m.triggers.map((t) => (t.kind === "on" ? `on ${t.event}` : `every ${t.schedule.text}`)),
    ["on message", "every day at 00:00", "every monday at 09:30", "every 15m"],
  );
  assert.deepEqual([...m.fns.keys()], ["greeting", "bump"]);
  assert.equal(typeToString(m.fns.get("greeting")!.sig.returns), "string");
  const calls = [...m.calls.entries()];
  const send = calls.find(([, t]) => t.kind === "function" && t.name === "send");
  assert.ok(send && send[1].kind === "function" && send[1].decl === stdlib.functions["send"]);
  const truncate = calls.find(([, t]) => t.kind === "method" && t.name === "truncate");
  assert.ok(truncate && truncate[1].kind === "method" && truncate[1].owner === "string" && truncate[1].decl === stdlib.types["string"]!.methods!["truncate"]);
  const bump = calls.find(([, t]) => t.kind === "fn");
  assert.ok(bump && bump[1].kind === "fn" && bump[1].fn.name === "bump");
  assert.deepEqual(
    [...m.capabilities.keys()].sort(),
    ["forward", "hold", "log", "members.add", "members.remove", "publish", "requests", "send", "state.write"],
  );
  const on = m.triggers[0]!;
  assert.ok(on.kind === "on" && on.param?.name === "m" && typeToString(on.paramType!) === "Message");
});

test("operators resolve to their stdlib declarations", () => {
  const { m } = model(FULL);
  const ops = [...m.operators.values()].map((o) => `${o.left} ${o.op} ${o.right}`);
  for (const o of ["Time - Time", "Duration + Duration", "Duration * int", "Duration > Duration", "int > int", "string + string"]) {
    assert.ok(ops.includes(o), o);
  }
});

test("loops record what they walk", () => {
  const { m } = model(FULL);
  const loops = [...m.loops.values()].map((l) => `${typeToString(l.element)}${l.value ? ", " + typeToString(l.value) : ""}`);
  assert.deepEqual(loops, ["Member", "Address, Counter", "string", "Address"]);
});

test("tests record the trigger they run and their expectations", () => {
  const { m } = model(FULL);
  assert.deepEqual(
    m.tests.map((t) => [t.name, t.trigger?.kind === "every" ? t.trigger.schedule.text : t.trigger?.kind]),
    [["a member posts", "on"], ["midnight", "day at 00:00"], ["from a file", "on"]],
  );
  const expectations = [...m.expectations.values()].map((e) => `${e.negated ? "no " : ""}${e.target.kind === "fn" ? e.target.fn.name : e.target.name}`);
  assert.deepEqual(expectations, ["send", "no reply", "no remove", "no hold"]);
  // capabilities come from the rule's code, not from its tests
  const { m: m2 } = model(`rule r\non message(m: Message) { log(m.subject) }\ntest "t" { expect no send }\n`);
  assert.deepEqual([...m2.capabilities.keys()], ["log"]);
});

test("string literals convert to Address where one is expected", () => {
  const { m } = model(SKETCH.replace('text: "You have already posted today."', 'text: "x"') + `test "t" {\n  message = { from: "ann@example.org" }\n  expect reply\n}\n`);
  const lits = findExpr(m, (e) => e.kind === "StringLit" && e.parts.length === 1 && e.parts[0]!.kind === "StringText" && e.parts[0]!.value === "ann@example.org");
  assert.equal(lits.length, 1);
  assert.equal(typeToString(m.types.get(lits[0]!)!), "Address");
});

test("a call's named arguments map to the parameters of a fn", () => {
  const { m, file } = model(`rule r\nfn f(a: int): int { return a }\non message(m: Message) { log("{f(a: 1)} {m.subject}") }\n`);
  const on = file.decls.find((d): d is OnDecl => d.kind === "OnDecl")!;
  assert.ok(on);
  const argName = [...m.symbols.entries()].filter(([id, s]) => id.name === "a" && s.kind === "param").map(([id]) => (id as Ident).span.line);
  assert.deepEqual(argName.sort(), [2, 2, 3]);
  const call = [...m.calls.keys()].find((c: CallExpr) => c.callee.kind === "Ident" && c.callee.name === "f");
  assert.ok(call);
});

test("checking never throws; a broken stdlib declaration gives an internal error", async () => {
  const { checkRule } = await import("../../compiler/semantic/checker.js");
  const { parseFile } = await import("../../compiler/syntax/parser.js");
  const file = parseFile("x.thwonk", "rule r\n").file;
  const broken = { ...stdlib, globals: undefined } as unknown as typeof stdlib;
  const r = checkRule(file, [], broken);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["TW2999"]);
});
