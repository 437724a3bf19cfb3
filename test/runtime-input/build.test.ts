/**
 * buildInput: the JSON `__thwonk_run` reads, its defaults and its refusals;
 * then real .eml files through real compiled rules in the real sandbox.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSources } from "../../compiler/program.js";
import { emitRule } from "../../compiler/emit/emitter.js";
import { runOnce } from "../../runtime/sandbox/index.js";
import {
  assembleInput,
  buildInput,
  formatRuntimeError,
  InputRefused,
  parseEml,
  readMembers,
  ruleLimitsOf,
  type RuleLimits,
} from "../../runtime/input/index.js";
import { repoRoot } from "../helpers/repo.js";

const NOW = Date.UTC(2026, 2, 3, 9, 30);
const fixture = (name: string): Buffer => readFileSync(join(repoRoot, "test", "runtime-input", "fixtures", name));

test("defaults: the list, no members, no state, gas = the budget, UTC, every limit in runtime units", () => {
  const input = JSON.parse(buildInput({ now: NOW }));
  assert.deepEqual(Object.keys(input), ["gas", "now", "tz", "list", "members", "state", "limits"]);
  assert.equal(input.gas, 1_000_000);
  assert.equal(input.now, NOW);
  assert.deepEqual(input.tz, [[-8.64e15, 0]]);
  assert.deepEqual(input.list, { address: "list@example.org", name: "list", owners: [] });
  assert.deepEqual(input.members, { address: "", name: "", role: "", joined: "" });
  assert.equal(input.state, null);
  assert.equal(input.limits.subject, 500);
  assert.equal(input.limits.members, 1000);
});

test("now as a Date or an ISO string; the clock only when none is given", () => {
  assert.equal(assembleInput({ now: new Date(NOW) }).now, NOW);
  assert.equal(assembleInput({ now: "2026-03-03T09:30:00Z" }).now, NOW);
  const before = Date.now();
  const t = assembleInput().now;
  assert.ok(t >= before && t <= Date.now());
});

test("the time zone table spans the years around now, and its first offset stands for everything before", () => {
  const { tz } = assembleInput({ now: NOW, timeZone: "Europe/Paris" });
  assert.deepEqual(tz[0], [-8.64e15, 60]);
  assert.deepEqual(tz.slice(1, 3), [[Date.UTC(2025, 2, 30, 1), 120], [Date.UTC(2025, 9, 26, 1), 60]]);
  assert.deepEqual(tz.at(-1), [Date.UTC(2027, 9, 31, 1), 60]);
});

test("owners default to the members whose role is owner; names and given owners are kept", () => {
  const { members } = readMembers('[{"address":"ann@example.org","role":"owner"},"bob@example.org"]');
  assert.deepEqual(assembleInput({ now: NOW, members }).list.owners, ["ann@example.org"]);
  assert.deepEqual(assembleInput({ now: NOW, members, list: { address: "Talk@Example.org", name: "Talk", owners: ["x@EXAMPLE.org"] } }).list, {
    address: "talk@example.org", name: "Talk", owners: ["x@example.org"],
  });
});

test("members go in columns joined by newlines, names kept on one line", () => {
  const members = readMembers("Ann Example <ann@example.org>\nbob@example.org\n", { joined: NOW }).members;
  members[1]!.name = "Bob\nNewline";
  const input = JSON.parse(buildInput({ now: NOW, members }));
  assert.deepEqual(input.members, {
    address: "ann@example.org\nbob@example.org",
    name: "Ann Example\nBob Newline",
    role: "member\nmember",
    joined: `${NOW}\n${NOW}`,
  });
});

test("an input over a limit is refused with every reason, and nothing is built", async () => {
  const { message, size } = await parseEml(fixture("alternative.eml"));
  const limits: RuleLimits = { subject: { value: 10, unit: "characters" }, members: { value: 1, unit: "members" } };
  const members = readMembers("a@example.org\nb@example.org\n").members;
  let refused: InputRefused | undefined;
  try {
    buildInput({ now: NOW, message, messageSize: size, limits, members, timeZone: "Nowhere/Special" });
  } catch (e) {
    refused = e as InputRefused;
  }
  assert.ok(refused instanceof InputRefused);
  assert.deepEqual(refused.problems.map((p) => p.code), ["TW5021", "TW5020", "TW5023"]);
  assert.match(refused.message, /TW5020 The message was refused: its subject is 28 characters, over `limits.subject` = 10 characters/);
  assert.throws(() => buildInput({ now: "not a time" }), /TW5017/);
  assert.throws(() => buildInput({ now: NOW, gas: -1 }), /TW5017/);
  assert.throws(() => buildInput({ now: NOW, list: { address: "nope" } }), /TW5024/);
});

// ---------------------------------------------------------------- end to end: real mail, real rules, the real sandbox

function compile(fileName: string, text: string): { code: string; limits: RuleLimits } {
  const unit = checkSources([{ fileName, text }]).units[0]!;
  const errors = unit.check.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, [], `${fileName} compiles`);
  return { code: emitRule(unit.rule, unit.check.model).code, limits: ruleLimitsOf(unit.check.model.limits) };
}

async function run(code: string, trigger: string, inputJson: string): Promise<{ actions: Record<string, unknown>[]; error: { code: string; args: unknown[]; line: number; column: number } | null }> {
  const r = await runOnce(code, trigger, inputJson);
  assert.ok(r.ok, JSON.stringify(r));
  return JSON.parse(r.output);
}

const PROBE = `rule probe
settings { timezone: "Europe/Paris" }
on message(m: Message) {
  log("{m.from}|{m.subject}|{m.to.size}|{m.cc.size}|{m.attachments.size}|{m.envelope.isRequest}|{now.hour}:{now.minute}|{m.messageId}")
  let d = m.date
  if d != none {
    log("date {d.date} {d.hour}:{d.minute}")
  }
  log("header {m.headers.get("x-note") ?? "none"}")
}
`;

test("a parsed .eml reaches the rule as sent: addresses, decoded subject, envelope, now in the rule's zone", async () => {
  const { code, limits } = compile("probe.thwonk", PROBE);
  const { message, size } = await parseEml(fixture("alternative.eml"), { envelope: { rcptTo: "list-request@example.org" } });
  const out = await run(code, "message", buildInput({ now: NOW, timeZone: "Europe/Paris", message, messageSize: size, limits }));
  assert.equal(out.error, null);
  assert.deepEqual(out.actions.map((a) => a["text"]), [
    "ann.lee@example.com|Minutes of the March meeting|1|2|0|true|10:30|20260303091500.1234@mail.example.com",
    "date 2026-03-03 10:15",
    "header none",
  ]);
});

test("across the spring change in Paris, the rule's clock jumps from 01:59 to 03:00", async () => {
  const { code } = compile("probe.thwonk", PROBE);
  const { message } = await parseEml(fixture("folded.eml"));
  const hours: string[] = [];
  for (const now of [Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 2, 29, 1, 0)]) {
    const out = await run(code, "message", buildInput({ now, timeZone: "Europe/Paris", message }));
    hours.push(String(out.actions[0]!["text"]).split("|")[6]!);
    assert.equal(out.actions[2]!["text"], "header café ☕ in UTF-8");
  }
  assert.deepEqual(hours, ["1:59", "3:0"]);
});

test("the subscribe example: a real request mail to list-request@ subscribes the sender", async () => {
  const src = readFileSync(join(repoRoot, "examples", "subscribe", "subscribe.thwonk"), "utf8");
  const { code, limits } = compile("subscribe.thwonk", src);
  const raw = "From: Zoe Park <zoe@example.net>\r\nTo: talk-request@example.org\r\nSubject: subscribe\r\nMessage-ID: <sub-1@example.net>\r\n\r\n\r\n";
  const { message } = await parseEml(raw, { listAddress: "talk@example.org", envelope: { mailFrom: "zoe@example.net", rcptTo: "talk-request@example.org" } });
  const members = readMembers("ann@example.org\n", { joined: NOW }).members;
  const out = await run(code, "message", buildInput({ now: NOW, list: { address: "talk@example.org", name: "Talk" }, members, message, limits }));
  assert.equal(out.error, null);
  assert.deepEqual(out.actions.map((a) => a["kind"]), ["members.add", "reply"]);
  assert.equal(out.actions[0]!["address"], "zoe@example.net");
  assert.deepEqual(out.actions[1]!["to"], ["zoe@example.net"]);
});

test("a runtime error raised by compiled code comes back in words at its .thwonk line", async () => {
  const src = 'rule divide\non message(m: Message) {\n  let n = m.to.size - m.to.size\n  log("{100 / n}")\n}\n';
  const { code } = compile("divide.thwonk", src);
  const { message } = await parseEml(fixture("alternative.eml"));
  const out = await run(code, "message", buildInput({ now: NOW, message }));
  assert.ok(out.error);
  const e = formatRuntimeError(out.error, "divide.thwonk");
  assert.equal(e.code, "TW5010");
  assert.equal(e.line, 4);
  assert.match(e.message, /divided by zero/);
});
