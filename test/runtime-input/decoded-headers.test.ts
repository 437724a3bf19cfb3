/**
 * Decoded header fields (issue 15): real MIME read by parseEml, the input
 * built as every host builds it (bundleInput), a real compiled rule on real
 * QuickJS. A rule reads names and values decoded (RFC 2047), on one line,
 * and raw values only when it asks for them; what is decoded stays within
 * the limits the raw fields were checked against, and cannot carry a line
 * break into a message the rule sends (composed by runtime/mail/compose.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSource, type Bundle } from "../../compiler/emit/bundle.js";
import { parseEml } from "../../runtime/input/index.js";
import { checkMessage } from "../../runtime/input/limits.js";
import type { MessageJson } from "../../runtime/input/types.js";
import { composeRun } from "../../runtime/mail/compose.js";
import { bundleInput } from "../../runtime/run/input.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { repoRoot } from "../helpers/repo.js";

const words = { describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({ code: e.code, message: JSON.stringify(e.args), line: e.line, column: e.column }) };

function eml(headers: string[], body = "Hello\r\n"): string {
  return [...headers, "To: list@example.org", "Message-ID: <m1@example.org>", "", body].join("\r\n");
}

function compile(body: string, limits = ""): Bundle {
  const src = `rule h\nlimits { members: 3${limits} }\non message(m: Message) {\n${body}\n}\n`;
  const r = compileSource("h.thwonk", src);
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code} ${d.message}`).join("\n"));
  return r.bundle;
}

async function run(b: Bundle, raw: string): Promise<{ result: RunResult; message: MessageJson }> {
  const { message, problems } = await parseEml(raw, { listAddress: "list@example.org", envelope: { mailFrom: "zoe@example.org" } });
  assert.deepEqual(problems, []);
  const input = bundleInput(b, { now: Date.UTC(2026, 10, 25), address: "list@example.org", members: [], state: null, message });
  const result = await runBundle(b, { trigger: "message", input }, words);
  assert.equal(result.error, null, JSON.stringify(result.error));
  return { result, message };
}

const logs = (r: RunResult): string[] => r.actions.filter((a) => a.kind === "log").map((a) => (a as unknown as { text: string }).text);

const READ_ALL = `  log("name=[{m.fromName}]")
  log("note=[{m.headers.get("X-Note") ?? "none"}]")
  log("raw=[{m.headers.raw("X-Note") ?? "none"}]")
  log("all=[{m.headers.all("X-Note").join("|")}]")
  log("from=[{m.headers.get("from") ?? "none"}]")
  let r = m.replyTo
  if r != none {
    log("replyTo=[{r}]")
  } else {
    log("replyTo=[none]")
  }`;

test("a member named Zoë is read as Zoë: fromName, decoded values, raw values, Reply-To", async () => {
  const b = compile(READ_ALL);
  const { result, message } = await run(b, eml([
    "From: =?UTF-8?Q?Zo=C3=AB?= <Zoe@Example.org>",
    "Reply-To: Help Desk <HELP@example.org>, other@example.org",
    "Subject: =?ISO-8859-1?Q?Caf=E9?=",
    "X-Note: =?UTF-8?B?4piVIGNhZsOp?=",
    "  =?UTF-8?Q?_and_more?=",
    "X-Note: plain",
  ]));
  assert.equal(message.fromName, "Zoë");
  assert.equal(message.replyTo, "help@example.org");
  assert.deepEqual(logs(result), [
    "name=[Zoë]",
    "note=[☕ café and more]",
    "raw=[=?UTF-8?B?4piVIGNhZsOp?=  =?UTF-8?Q?_and_more?=]",
    "all=[☕ café and more|plain]",
    "from=[Zoë <Zoe@Example.org>]",
    "replyTo=[help@example.org]",
  ]);
});

test("no name, no Reply-To: fromName is empty and replyTo none; a quoted name is unquoted", async () => {
  const b = compile(READ_ALL);
  const none = await run(b, eml(["From: zoe@example.org"]));
  assert.deepEqual(logs(none.result).filter((l) => /^(name|replyTo|note)=/.test(l)), ["name=[]", "note=[none]", "replyTo=[none]"]);
  const quoted = await run(b, eml(['From: "Zoë \\"Z\\" Ng" <zoe@example.org>', "Reply-To: not an address"]));
  assert.equal(quoted.message.fromName, 'Zoë "Z" Ng');
  assert.equal(quoted.message.replyTo, null);
});

test("malformed encoded words and unknown charsets are kept as written, never garbled", async () => {
  const b = compile(READ_ALL);
  const cases: [string, string][] = [
    ["=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated"],
    ["=?x-no-such-charset?Q?a=FFb?=", "=?x-no-such-charset?Q?a=FFb?="],
    ["=?UTF-8?Q?bad=FFbyte?=", "=?UTF-8?Q?bad=FFbyte?="],
    ["=?UTF-8?X?unknown-encoding?=", "=?UTF-8?X?unknown-encoding?="],
    ["=??Q?no-charset?=", "=??Q?no-charset?="],
    ["a =?UTF-8?Q?ok?= b", "a ok b"],
  ];
  for (const [raw, want] of cases) {
    const { result } = await run(b, eml(["From: zoe@example.org", `X-Note: ${raw}`]));
    assert.equal(logs(result)[1], `note=[${want}]`, raw);
    assert.equal(logs(result)[2], `raw=[${raw}]`, raw);
  }
});

test("a line break smuggled in an encoded word is a space: it cannot start a header of a message the rule sends", async () => {
  const b = compile(`  if m.isAutomated() { return }
  send(to: "ann@example.org", subject: m.headers.get("X-Note") ?? "", text: "From {m.fromName}")
  log(m.headers.get("X-Note") ?? "")`);
  const inject = "=?UTF-8?Q?hi=0D=0ABcc:_evil@example.net=0D=0A=0D=0Abody?=";
  const { result, message } = await run(b, eml([`From: =?UTF-8?Q?Eve=0D=0ABcc=3A_evil=40example.net?= <eve@example.org>`, `X-Note: ${inject}`]));
  assert.equal(message.fromName, "Eve Bcc: evil@example.net");
  assert.equal(logs(result)[0], "hi Bcc: evil@example.net body");
  for (const v of [...(message.decoded ?? []), message.fromName ?? ""]) assert.ok(v === null || !/[\r\n]/.test(v), JSON.stringify(v));
  const out = await composeRun(result.actions, { list: "list@example.org", incoming: { from: message.from, headers: message.headers }, now: Date.UTC(2026, 10, 25), runKey: "k" });
  assert.equal(out.length, 1);
  const head = out[0]!.raw.toString("utf8").split("\r\n\r\n")[0]!;
  assert.ok(!/^bcc:/im.test(head), head);
  assert.deepEqual(out[0]!.envelope.to, ["ann@example.org"]);
});

test("__proto__, constructor and toString are header names like any other", async () => {
  const b = compile(`  log(m.headers.get("__proto__") ?? "none")
  log(m.headers.raw("constructor") ?? "none")
  log(m.headers.get("toString") ?? "none")
  log("{m.headers.has("hasOwnProperty")}")`);
  const { result } = await run(b, eml(["From: zoe@example.org", "__proto__: =?UTF-8?Q?p=C3=A9?=", "Constructor: c"]));
  assert.deepEqual(logs(result), ["pé", "c", "none", "false"]);
});

test("a very long encoded name: decoded within the header limit the raw field was checked against", async () => {
  const b = compile(`  log("{m.fromName.length}")\n  log("{(m.headers.get("From") ?? "").length}")`, ", header: 998");
  // 300 × "ë" as Q-encoded words (=C3=AB, 6 characters each, split to stay within a line), about 1,900 raw characters.
  const words = Array.from({ length: 30 }, () => `=?UTF-8?Q?${"=C3=AB".repeat(10)}?=`).join(" ");
  const raw = eml([`From: ${words} <zoe@example.org>`]);
  const { message: over } = await parseEml(raw, { listAddress: "list@example.org" });
  assert.ok(checkMessage(over, { header: { value: 998, unit: "characters" } }).length > 0, "the raw From is over limits.header: refused whole");
  const fits = Array.from({ length: 13 }, () => `=?UTF-8?Q?${"=C3=AB".repeat(10)}?=`).join(" ");
  const { result, message } = await run(b, eml([`From: ${fits} <zoe@example.org>`]));
  assert.equal(message.fromName, "ë".repeat(130));
  assert.deepEqual(logs(result), ["130", String(130 + " <zoe@example.org>".length)]);
});

test("the input checks refuse decoded values a host did not make: over limits.header, a line break, a count that does not match", () => {
  const base: MessageJson = {
    from: "zoe@example.org", to: [], cc: [], subject: "", text: "", html: null, headers: [["X-Note", "short"]], attachments: [], date: null,
    messageId: "m@x.org", envelope: { sender: null, recipient: "list@example.org", isRequest: false, tag: null },
  };
  const limits = { header: { value: 10, unit: "characters" as const } };
  assert.deepEqual(checkMessage({ ...base, decoded: [null], fromName: "Zoë" }, limits), []);
  assert.match(checkMessage({ ...base, decoded: ["x".repeat(11)] }, limits)[0]!.message, /decoded value of header field 1/);
  assert.match(checkMessage({ ...base, decoded: ["a\r\nBcc: x"] }, limits)[0]!.message, /control character/);
  assert.match(checkMessage({ ...base, decoded: ["a\ud800b"] }, limits)[0]!.message, /half a surrogate pair/);
  assert.deepEqual(checkMessage({ ...base, decoded: ["😀 é"] }, limits), [], "a pair is a character");
  assert.match(checkMessage({ ...base, decoded: [] }, limits)[0]!.message, /1 header fields but 0 decoded values/);
  assert.match(checkMessage({ ...base, fromName: "y".repeat(11) }, limits)[0]!.message, /From display name/);
  assert.equal(checkMessage({ ...base, replyTo: `${"a".repeat(64)}@${"b".repeat(300)}.org` }, limits).length, 1);
});

test("BumpList stores a subscriber's decoded name, read from a real message (examples/bumplist/subscribe.eml)", async () => {
  const dir = join(repoRoot, "examples", "bumplist");
  const r = compileSource(join(dir, "bumplist.thwonk"), readFileSync(join(dir, "bumplist.thwonk"), "utf8"));
  assert.ok(r.bundle, r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const list = "bumplist@lists.localhost";
  const { message, problems } = await parseEml(readFileSync(join(dir, "subscribe.eml")), { listAddress: list, envelope: { mailFrom: "zoe@example.org", rcptTo: "bumplist-request@lists.localhost" } });
  assert.deepEqual(problems, []);
  assert.equal(message.envelope.isRequest, true);
  const input = bundleInput(r.bundle, { now: Date.UTC(2026, 10, 25), address: list, members: [], state: null, message });
  const result = await runBundle(r.bundle, { trigger: "message", input }, words);
  assert.equal(result.error, null);
  const added = result.actions.filter((a) => a.kind === "members.add") as unknown as { address: string; name: string }[];
  assert.deepEqual(added.map((a) => [a.address, a.name]), [["zoe@example.org", "Zoë Ng"]]);
  const page = result.actions.find((a) => a.kind === "publish") as unknown as { html: string };
  assert.match(page.html, /<td>Zoë Ng<\/td>/);
});
