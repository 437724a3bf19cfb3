/**
 * The machine-applicable fixes of the newcomers' messages: applied to the
 * source as an editor would (every edit of the fix, from the end), the
 * program checks without that error — and, for these cases, without any.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";

const FILE = "r.thwonk";

function diagnostics(text: string): Diagnostic[] {
  return checkSources([{ fileName: FILE, text }]).diagnostics;
}

/** The source with the fix of the first diagnostic of `code` applied. */
function applyFix(text: string, code: string): string {
  const d = diagnostics(text).find((x) => x.code === code);
  assert.ok(d, `no ${code} in ${JSON.stringify(diagnostics(text).map((x) => x.code))}`);
  assert.ok(d.fix, `${code} has no fix`);
  const edits = [...d.fix.edits].sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

function fixedClean(text: string, code: string): string {
  let out = text;
  // Each diagnostic of the code fixed in turn, as a user would click through them.
  for (let i = 0; i < 10 && diagnostics(out).some((d) => d.code === code); i++) out = applyFix(out, code);
  const left = diagnostics(out).filter((d) => d.severity === "error");
  assert.deepEqual(left.map((d) => `${d.code} ${d.message}`), [], out);
  return out;
}

const rule = (body: string, head = ""): string => `rule r\n${head}\non message(m: Message) {\n${body}\n}\n`;

test("TW2023 on a call checked in its `if`: bound with let before the if, used by name", () => {
  const head = "state { lastPost: Map<Address, Time> max 100 = {} }\n";
  const src = rule(`  if m.isAutomated() {\n    return\n  }\n  if state.lastPost.get(m.from) != none and m.subject != "" {\n    reply(m, text: "Last: {state.lastPost.get(m.from).date} at {state.lastPost.get(m.from).hour}")\n  }\n  if state.lastPost.has(m.from) or state.lastPost.size < 100 {\n    state.lastPost.set(m.from, now)\n  }`, head);
  const out = fixedClean(src, "TW2023");
  assert.match(out, /\n {2}let lastPost = state\.lastPost\.get\(m\.from\)\n {2}if lastPost != none and m\.subject != "" \{\n {4}reply\(m, text: "Last: \{lastPost\.date\} at \{lastPost\.hour\}"\)/);
});

test("no bind fix for an else-if or a name already taken: the message alone", () => {
  const head = "state { lastPost: Map<Address, Time> max 100 = {} }\n";
  const elseIf = rule(`  if m.subject == "" {\n    return\n  } else if state.lastPost.get(m.from) != none {\n    log("{state.lastPost.get(m.from).date}")\n  }\n  state.lastPost.set(m.from, now)`, head);
  assert.equal(diagnostics(elseIf).find((d) => d.code === "TW2023")?.fix, undefined);
  const taken = rule(`  let lastPost = 1\n  if state.lastPost.get(m.from) != none {\n    log("{lastPost} {state.lastPost.get(m.from).date}")\n  }\n  state.lastPost.set(m.from, now)`, head);
  assert.equal(diagnostics(taken).find((d) => d.code === "TW2023")?.fix, undefined);
});

test("did you mean, with letters swapped, across names, fields, state fields, record keys and arguments", () => {
  const head = "type Entry = { who: Address, count: int }\nstate {\n  entries: List<Entry> max 10 = []\n}\n";
  const src = rule(`  if state.entires.size < 10 {\n    state.entries.push({ woh: m.from, count: 1 })\n  }\n  sned(to: memebrs, subjcet: m.sbuject, text: m.text)`, head);
  let out = src;
  for (let i = 0; i < 12 && diagnostics(out).some((d) => d.severity === "error" && d.fix); i++) {
    const d = diagnostics(out).find((x) => x.severity === "error" && x.fix)!;
    out = applyFix(out, d.code);
  }
  assert.deepEqual(diagnostics(out).filter((d) => d.severity === "error").map((d) => d.message), [], out);
  assert.match(out, /state\.entries\.size < 10/);
  assert.match(out, /\{ who: m\.from, count: 1 \}/);
  assert.match(out, /send\(to: members, subject: m\.subject, text: m\.text\)/);
});

test("other languages' forms: !, &&, ||, ===, x++, 'quotes', null, var x = none — each fix applied leaves a clean rule", () => {
  const head = "state { count: int = 0 }\n";
  const src = rule(`  var oldest = none\n  for member in members {\n    if oldest == null || member.joined < oldest.joined {\n      oldest = member\n    }\n  }\n  if !m.isAutomated() && m.subject === 'hello' {\n    state.count++\n  }\n  log("{oldest?.address ?? ""}")`, head).replace('log("{oldest?.address ?? ""}")', 'if oldest != none {\n    log(oldest.name)\n  }');
  let out = src;
  for (let i = 0; i < 12 && diagnostics(out).some((d) => d.severity === "error" && d.fix); i++) {
    const d = diagnostics(out).find((x) => x.severity === "error" && x.fix)!;
    out = applyFix(out, d.code);
  }
  assert.deepEqual(diagnostics(out).filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), [], out);
  assert.match(out, /var oldest: Member\? = none/);
  assert.match(out, /if not m\.isAutomated\(\) and m\.subject == "hello" \{\n {4}state\.count \+= 1/);
  assert.match(out, /oldest == none or member\.joined/);
});

/** The diagnostics of a rule and its NAME.test.thwonk, checked together as thwonkc and the editor check them. */
function withTests(ruleText: string, testText: string): Diagnostic[] {
  return checkSources([
    { fileName: FILE, text: ruleText },
    { fileName: "r.test.thwonk", text: testText },
  ]).diagnostics;
}

test("TW2023 in a test block: the bind fix is offered there too, and applied the tests check clean", () => {
  const ruleText = rule(`  if state.lastPost.has(m.from) or state.lastPost.size < 100 {\n    state.lastPost.set(m.from, now)\n  }\n  state.day += 1`, "state {\n  lastPost: Map<Address, Time> max 100 = {}\n  day: int = 0\n}\n");
  const testText = [
    'test "the day of the last post" {',
    '  state.lastPost = { "ann@example.org": 2026-11-24T10:00:00Z }',
    '  if state.lastPost.get("ann@example.org") != none {',
    '    state.day = state.lastPost.get("ann@example.org").day',
    "  }",
    '  message = { from: "ann@example.org", subject: "Hi" }',
    "  expect state.day == 25",
    "}",
    "",
  ].join("\r\n");
  let out = testText;
  for (let i = 0; i < 5; i++) {
    const d = withTests(ruleText, out).find((x) => x.code === "TW2023");
    if (!d) break;
    assert.ok(d.fix, "the fix is offered in the test file");
    assert.equal(d.span.file, "r.test.thwonk");
    for (const e of [...d.fix.edits].sort((a, b) => b.span.start - a.span.start)) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  }
  assert.deepEqual(withTests(ruleText, out).filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), [], out);
  // Its own line, indented as the `if`, with the file's \r\n.
  assert.ok(
    out.includes('\r\n  let lastPost = state.lastPost.get("ann@example.org")\r\n  if lastPost != none {\r\n    state.day = lastPost.day\r\n  }\r\n'),
    JSON.stringify(out),
  );
});

test("in a test block, no bind fix where the test declares the name later, or a helper has it", () => {
  const ruleText = rule("  state.day += 1", "state {\n  lastPost: Map<Address, Time> max 100 = {}\n  day: int = 0\n}\n");
  const ifClause = '  if state.lastPost.get("ann@example.org") != none {\n    state.day = state.lastPost.get("ann@example.org").day\n  }\n';
  const later = `test "t" {\n${ifClause}  let lastPost = 3\n  state.day = lastPost\n}\n`;
  assert.equal(withTests(ruleText, later).find((d) => d.code === "TW2023")?.fix, undefined);
  const helper = `fn lastPost(): int {\n  return 1\n}\n\ntest "t" {\n${ifClause}  state.day = lastPost()\n}\n`;
  const d = withTests(ruleText, helper).find((x) => x.code === "TW2023");
  assert.ok(d, JSON.stringify(withTests(ruleText, helper).map((x) => x.message)));
  assert.equal(d.fix, undefined);
  // Another test's `let` of the name is no obstacle: each test is a scope of its own.
  const other = `test "one" {\n  let lastPost = 3\n  state.day = lastPost\n}\n\ntest "two" {\n${ifClause}}\n`;
  assert.ok(withTests(ruleText, other).find((x) => x.code === "TW2023")?.fix);
});
