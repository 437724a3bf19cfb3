/**
 * Flow narrowing of optional values: after `x != none` (in `if`, `and`
 * chains, `where`), after guards that end the trigger (`return`, `reject`,
 * `hold`), and where it must stop (assignments, loops, calls of `fn`s that
 * may write state).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClean, found, onMessage } from "./harness.js";

const STATE = "\nstate {\n  last: Time?\n}\n";

test("`if x != none` narrows inside the branch", () => {
  assertClean(onMessage(`  let s = m.envelope.sender\n  if s != none { log("{s.domain}") }`));
});

test("`if x == none` narrows the else branch", () => {
  assertClean(onMessage(`  let s = m.envelope.sender\n  if s == none { log("bounce") } else { log(s.domain) }`));
});

test("`and` chains narrow their right side", () => {
  assertClean(onMessage(`  let d = m.date\n  if d != none and d.year > 2000 and d.month == 1 { log("january") }`));
});

test("`or` narrows its right side when the left is false", () => {
  assertClean(onMessage(`  let d = m.date\n  if d == none or d.year < 2000 { return }\n  log("{d.year}")`));
});

test("`not (x == none)` narrows", () => {
  assertClean(onMessage(`  let d = m.date\n  if not (d == none) { log("{d.year}") }`));
});

test("an early return narrows what follows", () => {
  assertClean(onMessage(`  let d = m.date\n  if d == none { return }\n  log("{d.year}")`));
});

test("reject and hold guards narrow what follows (they end the trigger)", () => {
  assertClean(onMessage(`  let d = m.date\n  if d == none { reject("no date") }\n  let e = m.envelope.sender\n  if e == none { hold("bounce {m.approved}") }\n  log("{d.year} {e.local}")`));
});

test("fields are narrowed too", () => {
  assertClean(onMessage(`  if m.date != none { log("{m.date.year}") }\n  if m.envelope.sender != none { log(m.envelope.sender.domain) }`));
});

test("state fields are narrowed", () => {
  assertClean(onMessage(`  if state.last != none and state.last.year > 2000 { log("{state.last} {m.subject}") }`, STATE));
});

test("comparing with a value proves it is set", () => {
  assertClean(onMessage(`  let t = m.envelope.tag\n  if t == "news" { log(t.upper()) }`));
});

test("narrowing does not leak out of the branch", () => {
  assert.deepEqual(found(onMessage(`  let d = m.date\n  if d != none { log("{d.year}") }\n  log("{d.year}")`)), ["6:9 TW2023"]);
});

test("narrowing joins: set on both branches stays set", () => {
  assertClean(onMessage(`  var d = m.date\n  if d == none { d = now } else { log("had one") }\n  log("{d.year}")`));
});

test("assigning none (or an optional) forgets the narrowing", () => {
  assert.deepEqual(
    found(onMessage(`  var d = m.date\n  if d != none {\n    d = m.date\n    log("{d.year}")\n  }`)),
    ["7:11 TW2023"],
  );
});

test("assigning a value narrows", () => {
  assertClean(onMessage(`  var d: Time? = none\n  d = now\n  log("{d.year} {m.subject}")`));
});

test("a `var` declared with a value starts set", () => {
  assertClean(onMessage(`  var d: Time? = now\n  log("{d.year} {m.subject}")`));
});

test("a loop that assigns a place forgets what was known about it", () => {
  assert.deepEqual(
    found(onMessage(`  var d = m.date\n  if d == none { return }\n  for a in m.to {\n    log("{d.year} {a}")\n    d = none\n  }`)),
    ["7:11 TW2023"],
  );
});

test("`where` narrows the loop body", () => {
  assertClean(onMessage(`  for a in m.attachments where a.filename != none { log(a.filename.lower()) }`));
});

test("calling a fn forgets what was known about state (the fn may write it)", () => {
  const src = `rule r\nstate { last: Time? }\nfn touch() { state.last = none }\non message(m: Message) {\n  if state.last == none { return }\n  touch()\n  log("{state.last.year} {m.subject}")\n}\n`;
  assert.deepEqual(found(src), ["7:9 TW2023"]);
});

test("?? gives a value", () => {
  assertClean(onMessage(`  let d = m.date ?? now\n  log("{d.year}")`));
});

test("?? with an optional default stays optional", () => {
  assert.deepEqual(found(onMessage(`  let d = m.date ?? m.date\n  log("{d.year}")`)), ["5:9 TW2023"]);
});
