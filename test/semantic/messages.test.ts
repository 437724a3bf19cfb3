/**
 * What the diagnostics say and offer: suggestions by edit distance, fixes,
 * spans, and the rules that decide when something is reported at all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { closest, editDistance } from "../../compiler/semantic/suggest.js";
import { assertClean, check, found, onMessage } from "./harness.js";

function messages(src: string, testFile?: string): string[] {
  return check(src, testFile).diagnostics.map((d) => d.message);
}

test("edit distance and closest names", () => {
  assert.equal(editDistance("membrs", "members"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(closest("membrs", ["members", "now", "list"]), "members");
  assert.equal(closest("Members", ["members"]), "members");
  assert.equal(closest("xyz", ["members", "now"]), undefined);
  assert.equal(closest("a", ["a"]), undefined, "the name itself is not a suggestion");
});

test("an unknown name suggests the closest one in scope", () => {
  assert.deepEqual(messages(onMessage(`  log("{membrs.size} {m.subject}")`)), ["`membrs` is not defined. Did you mean `members`?"]);
});

test("local variables are suggested too", () => {
  assert.deepEqual(messages(onMessage(`  let subject = m.subject\n  log(subjet)`)), [
    "The variable `subject` is never used. Remove it, or name it `_subject` to say that is intended.",
    "`subjet` is not defined. Did you mean `subject`?",
  ]);
});

test("an unknown field suggests a field of the type", () => {
  assert.deepEqual(messages(onMessage(`  log(m.subjct)`)), ["`Message` has no field or method `subjct`. Did you mean `subject`?"]);
});

test("an unknown type suggests a declared or stdlib type", () => {
  assert.deepEqual(messages(`rule r\nstate { a: Adress? }\n`), ["There is no type called `Adress`. Did you mean `Address`?"]);
});

test("an unknown named argument suggests a parameter and lists them", () => {
  assert.deepEqual(messages(onMessage(`  reply(m, txt: "a")`)), [
    "`reply` has no parameter `txt`. Did you mean `text`? Its parameters are `m`, `text` and `subject`.",
  ]);
});

test("missing arguments are named with their types", () => {
  assert.deepEqual(messages(onMessage(`  send(to: m.from)`)), ["`send` needs `subject: string` and `text: string`. Add them to the call."]);
});

test("a wrong argument type says expected and found", () => {
  assert.deepEqual(messages(onMessage(`  send(to: m.from, subject: m.subject, text: m.html)`)), [
    "`m.html` is `string?` and may be none, so it cannot be used as the argument `text` of `send`. Check it first (`if m.html != none { ... }`) or give a default with `??`.",
  ]);
  assert.deepEqual(messages(onMessage(`  send(to: m.from, subject: m.subject, text: m.date)`)), [
    "The argument `text` of `send` must be `string`, but this is `Time?`.",
  ]);
  assert.deepEqual(messages(onMessage(`  send(to: 5, subject: m.subject, text: "x")`)), [
    "The argument `to` of `send` must be `Recipients`, but this is `int`.",
  ]);
});

test("assigning to a `let` offers to declare it with `var`", () => {
  const r = check(onMessage(`  let n = 1\n  n = 2\n  log("{n} {m.subject}")`));
  assert.equal(r.diagnostics.length, 1);
  const d = r.diagnostics[0]!;
  assert.equal(d.code, "TW2050");
  assert.match(d.message, /declare it with `var`/i);
  assert.ok(d.fix);
  assert.equal(d.fix.edits.length, 1);
  const edit = d.fix.edits[0]!;
  assert.equal(edit.newText, "var");
  assert.deepEqual([edit.span.line, edit.span.col, edit.span.endCol], [4, 3, 6]);
});

test("a leading underscore silences unused-variable warnings", () => {
  assertClean(`rule r\non message(_m: Message) {\n  let _x = 1\n  for _a in members { log("x") }\n}\n`);
});

test("unreachable code is reported once, over all the statements after the end", () => {
  const r = check(onMessage(`  hold("wait {m.approved}")\n  log(m.subject)\n  log("b")`));
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span.line, d.span.col, d.span.endLine]), [["TW2071", 5, 3, 6]]);
  assert.match(r.diagnostics[0]!.message, /after `hold\(\.\.\.\)`/);
});

test("terminating functions come from the declaration's `terminates` flag", () => {
  // `reject` ends the trigger; `log` does not.
  assert.deepEqual(found(onMessage(`  reject("no")\n  log(m.subject)`)), ["5:3 TW2071"]);
  assertClean(onMessage(`  log("a")\n  log(m.subject)`));
});

test("break and continue end their block", () => {
  assert.deepEqual(found(onMessage(`  for a in m.to {\n    break\n    log("{a}")\n  }\n  log(m.subject)`)), ["6:5 TW2071"]);
});

test("an `if` without `else` does not end the block", () => {
  assertClean(onMessage(`  if m.isAutomated() { return }\n  log(m.subject)`));
});

test("a `let` in a body cannot redeclare a parameter or loop variable", () => {
  assert.deepEqual(found(`rule r\nfn f(a: int): int {\n  let a = 2\n  return a\n}\non message(m: Message) { log("{f(1)} {m.subject}") }\n`), ["3:7 TW2004"]);
  assert.deepEqual(found(onMessage(`  for a in m.to {\n    let a = 1\n    log("{a}")\n  }\n  log(m.subject)`)), ["5:9 TW2004"]);
});

test("shadowing in a nested block is allowed", () => {
  assertClean(onMessage(`  let a = 1\n  if a > 0 {\n    let a = "x"\n    log(a)\n  }\n  log(m.subject)`));
});

test("one error per span: a mistake is not reported twice", () => {
  // `membrs` is unknown; its use in a condition and a string gives no second error.
  assert.deepEqual(found(onMessage(`  if membrs.has(m.from) { log("{membrs}") }`)), ["4:6 TW2010", "4:33 TW2010"]);
  // an error type does not cascade through members, calls, operators and arguments
  assert.deepEqual(found(onMessage(`  let x = membrs.get(m.from).name.upper() + "!"\n  send(to: x, subject: x, text: x)`)), ["4:11 TW2010"]);
});

test("syntax errors do not cascade into type errors", () => {
  const r = check(onMessage(`  let x = * 2\n  log("{x} {m.subject}")`));
  assert.ok(r.diagnostics.every((d) => d.code.startsWith("TW1")), r.diagnostics.map((d) => d.code).join(", "));
});

test("mutating a `let` list offers `var`", () => {
  const r = check(onMessage(`  let xs: List<Address> = []\n  xs.push(m.from)\n  log("{xs.size}")`));
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["TW2053"]);
  assert.equal(r.diagnostics[0]!.fix?.edits[0]?.newText, "var");
});

test("comparing a Member with an Address suggests its address field", () => {
  assert.deepEqual(messages(onMessage(`  for x in members where x != m.from { log(x.name) }`)), [
    "`Member` and `Address` cannot be compared with `==` or `!=`. Did you mean `x.address`?",
  ]);
});

test("an enumeration literal suggests the closest allowed value", () => {
  assert.deepEqual(messages(onMessage(`  send(to: m.from, subject: "s", text: "t", replyTo: "sendr")`)), [
    '`"sendr"` is not a `SendFrom`: it must be one of `"list"` or `"sender"`. Did you mean `sender`?',
  ]);
});

test("a method used as a field says to call it", () => {
  assert.deepEqual(messages(onMessage(`  if m.isAutomated { return }`)), [
    "`isAutomated` is a method of `Message`, not a field: call it, as in `m.isAutomated()`.",
  ]);
});

test("`+` between text and a value suggests interpolation", () => {
  assert.deepEqual(messages(onMessage(`  log("n = " + members.size)\n  log(m.subject)`)), [
    '`+` cannot be applied to `string` and `int`. To put a value into text, use interpolation: `"...{members.size}"`.',
  ]);
});

test("a time zone typo suggests a real zone", () => {
  assert.deepEqual(messages(`rule r\nsettings { timezone: "Europe/Pariss" }\n`), [
    '`"Europe/Pariss"` is not an IANA time zone name. Write one such as `"Europe/Paris"`, `"America/New_York"` or `"UTC"`. Did you mean `Europe/Paris`?',
  ]);
});

test("a missing rule is reported on line 1", () => {
  const r = check(`on message(m: Message) { log(m.subject) }\n`);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span.line, d.span.col]), [["TW2002", 1, 1]]);
});
