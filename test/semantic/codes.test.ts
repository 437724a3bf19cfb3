/**
 * One focused case per TW2xxx code: the code is produced exactly where the
 * `⟪` marker stands, and nothing else is reported (apart from the codes a
 * case lists in `also`). A last test fails when a code of the catalog has no
 * case here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { typeMessages } from "../../compiler/diagnostics/catalog/types.js";
import { checkSources } from "../../compiler/program.js";
import { assertMarked, check, found, onMessage, RULE_FILE, TEST_FILE, unmark, where } from "./harness.js";

interface Case {
  code: string;
  name: string;
  src: string;
  also?: string[];
}

const R = "rule r\n";

const cases: Case[] = [
  // ---------------------------------------------------------------- files and declarations
  { code: "TW2002", name: "missing rule", src: "⟪on message(m: Message) { log(m.subject) }\n" },
  { code: "TW2003", name: "second rule", src: `${R}⟪rule s\n` },
  { code: "TW2004", name: "duplicate type", src: `${R}type P = { a: int }\ntype ⟪P = { b: int }\n` },
  { code: "TW2004", name: "duplicate fn", src: `${R}fn f() { }\nfn ⟪f() { }\non message(m: Message) { f()\nlog(m.subject) }\n` },
  { code: "TW2004", name: "duplicate state field", src: `${R}state {\n  n: int\n  ⟪n: int\n}\n` },
  { code: "TW2004", name: "duplicate variable", src: onMessage(`  let a = 1\n  let ⟪a = 2\n  log("{a} {m.subject}")`), also: ["TW2070"] },
  { code: "TW2004", name: "fn named like a stdlib function", src: `${R}fn ⟪send() { }\n` },
  { code: "TW2004", name: "type named like a stdlib type", src: `${R}type ⟪Address = { a: int }\n` },

  // ---------------------------------------------------------------- names
  { code: "TW2010", name: "unknown name", src: onMessage(`  log("{⟪membrs.size} {m.subject}")`) },
  { code: "TW2010", name: "unknown function", src: onMessage(`  ⟪sned(to: m.from, subject: "a", text: "b")`) },
  { code: "TW2011", name: "unknown type", src: `${R}state { a: ⟪Adress? }\n` },
  { code: "TW2012", name: "unknown field", src: onMessage(`  log(m.⟪subjct)`) },
  { code: "TW2012", name: "unknown state field", src: onMessage(`  log(state.⟪count)\n  log(m.subject)`) },
  { code: "TW2013", name: "missing type arguments", src: `${R}state { a: ⟪List max 3 = [] }\n` },
  { code: "TW2013", name: "extra type arguments", src: `${R}state { a: ⟪Address<int>? }\n` },
  { code: "TW2018", name: "map keyed by a record", src: `${R}type P = { a: int }\nstate { m: Map<⟪P, int> max 3 = {} }\n` },
  { code: "TW2014", name: "recursive type", src: `${R}type ⟪Node = { next: Node? }\n` },
  { code: "TW2015", name: "function as a value", src: onMessage(`  let f = ⟪reject\n  log("{f} {m.subject}")`) },
  { code: "TW2016", name: "method without call", src: onMessage(`  if m.⟪isAutomated { return }`) },
  { code: "TW2017", name: "calling a field", src: onMessage(`  log(m.⟪subject())`) },

  // ---------------------------------------------------------------- types of values
  { code: "TW2020", name: "mismatch in let", src: onMessage(`  let n: int = ⟪m.subject\n  log("{n}")`) },
  { code: "TW2020", name: "none to a non-optional", src: onMessage(`  var a: Address = m.from\n  a = ⟪none\n  log("{a}")`) },
  { code: "TW2021", name: "argument type", src: onMessage(`  reply(m, text: ⟪m.to)`) },
  { code: "TW2022", name: "condition not bool", src: onMessage(`  if ⟪m.subject { return }`) },
  { code: "TW2022", name: "where not bool", src: onMessage(`  for a in m.to where ⟪a { log("{a}") }`) },
  { code: "TW2023", name: "optional field access", src: onMessage(`  log("{⟪m.date.day}")`) },
  { code: "TW2023", name: "optional argument", src: onMessage(`  reply(m, text: ⟪m.html)`) },
  { code: "TW2024", name: "action used as a value", src: onMessage(`  let x = ⟪log(m.subject)\n  log("{x}")`) },
  { code: "TW2025", name: "operator types", src: onMessage(`  let d = now ⟪+ now\n  log("{d}")\n  log(m.subject)`) },
  { code: "TW2025", name: "string plus int", src: onMessage(`  log(m.subject ⟪+ 1)`) },
  { code: "TW2026", name: "negating a string", src: onMessage(`  log(⟪-m.subject)`) },
  { code: "TW2027", name: "member compared with address", src: onMessage(`  for x in members where ⟪x != m.from { log(x.name) }`) },
  { code: "TW2028", name: "comparing a non-optional with none", src: onMessage(`  if ⟪m.from == none { return }`) },
  { code: "TW2029", name: "default never used", src: onMessage(`  log(m.subject ⟪?? "x")`) },
  { code: "TW2030", name: "list in a string", src: onMessage(`  log("to {⟪m.to}")`) },
  { code: "TW2031", name: "empty list without a type", src: onMessage(`  let xs = ⟪[]\n  log("{xs.size} {m.subject}")`) },
  { code: "TW2031", name: "empty map without a type", src: onMessage(`  let xs = ⟪{}\n  log("{xs} {m.subject}")`), also: ["TW2030"] },
  { code: "TW2032", name: "record and map keys mixed", src: onMessage(`  let x = ⟪{ a: 1, "b": 2 }\n  log("{x} {m.subject}")`) },
  { code: "TW2033", name: "missing record field", src: `${R}type P = { a: int, b: int }\nstate { p: P = ⟪{ a: 1 } }\n` },
  { code: "TW2034", name: "duplicate record key", src: `${R}type P = { a: int }\nstate { p: P = { a: 1, ⟪a: 2 } }\n` },
  { code: "TW2035", name: "invalid address", src: onMessage(`  if m.from == ⟪"not an address" { return }`) },
  { code: "TW2036", name: "invalid enumeration literal", src: onMessage(`  send(to: m.from, subject: "s", text: "t", from: ⟪"me")`) },
  { code: "TW2037", name: "invalid time zone", src: `${R}settings { timezone: ⟪"Europe/Pariss" }\n` },
  { code: "TW2039", name: "indexing a string", src: onMessage(`  log(⟪m.subject[0])`) },
  { code: "TW2040", name: "type used as a value", src: onMessage(`  log("{⟪Address} {m.subject}")`) },

  // ---------------------------------------------------------------- calls
  { code: "TW2041", name: "unknown named argument", src: onMessage(`  send(to: m.from, ⟪subjct: "s", subject: "s", text: "t")`) },
  { code: "TW2042", name: "missing argument", src: onMessage(`  ⟪reply(m)`) },
  { code: "TW2042", name: "missing argument of a method", src: onMessage(`  log(m.text.⟪truncate())`) },
  { code: "TW2043", name: "argument given twice", src: onMessage(`  reply(m, text: "a", ⟪text: "b")`) },
  { code: "TW2044", name: "positional after named", src: onMessage(`  reply(text: "a", ⟪m)`) },
  { code: "TW2045", name: "too many arguments", src: onMessage(`  reply(m, "a", "b", ⟪"c")`) },
  { code: "TW2046", name: "direct recursion", src: `${R}fn f(n: int): int { return ⟪f(n) }\non message(m: Message) { log("{f(1)} {m.subject}") }\n` },
  {
    code: "TW2046",
    name: "recursion through another function",
    src: `${R}fn f(n: int): int { return g(n) }\nfn g(n: int): int { return ⟪f(n) }\non message(m: Message) { log("{f(1)} {m.subject}") }\n`,
  },
  { code: "TW2047", name: "fn parameter without a type", src: `${R}fn f(⟪a) { log("{a}") }\non message(m: Message) { f(m.subject) }\n` },

  // ---------------------------------------------------------------- statements
  { code: "TW2050", name: "assignment to let", src: onMessage(`  let n = 1\n  ⟪n = 2\n  log("{n} {m.subject}")`) },
  { code: "TW2051", name: "assignment to a parameter", src: onMessage(`  ⟪m = m`) },
  { code: "TW2051", name: "assignment to a stdlib field", src: onMessage(`  ⟪m.subject = "x"`) },
  { code: "TW2051", name: "assignment to a global", src: onMessage(`  ⟪now = now\n  log(m.subject)`) },
  {
    code: "TW2052",
    name: "assignment through an index",
    src: `${R}state { seen: Map<Address, int> max 10 = {} }\non message(m: Message) { ⟪state.seen[m.from] = 1 }\n`,
  },
  { code: "TW2053", name: "push on a let", src: onMessage(`  let xs: List<int> = []\n  xs.⟪push(1)\n  log("{xs.size} {m.subject}")`) },
  { code: "TW2053", name: "push on a stdlib field", src: onMessage(`  m.to.⟪push(m.from)`) },
  { code: "TW2054", name: "changing members while walking them", src: onMessage(`  for x in members { members.⟪remove(x.address) }\n  log(m.subject)`) },
  {
    code: "TW2054",
    name: "changing a state list while walking it",
    src: `${R}state { xs: List<int> max 5 = [] }\non message(m: Message) {\n  for x in state.xs { state.xs.⟪push(x) }\n  log(m.subject)\n}\n`,
  },
  { code: "TW2055", name: "walking a string", src: onMessage(`  for c in ⟪m.subject { log(c) }`) },
  { code: "TW2056", name: "two variables over a list", src: onMessage(`  for ⟪i, a in m.to { log("{i} {a}") }`) },
  { code: "TW2057", name: "break outside a loop", src: onMessage(`  ⟪break\n  log(m.subject)`) },
  { code: "TW2058", name: "return value in a trigger", src: onMessage(`  log(m.subject)\n  return ⟪1`) },
  { code: "TW2058", name: "return value in a void fn", src: `${R}fn f() { return ⟪1 }\non message(m: Message) { f()\n log(m.subject) }\n` },
  { code: "TW2059", name: "return without a value", src: `${R}fn f(): int { ⟪return }\non message(m: Message) { log("{f()} {m.subject}") }\n` },
  { code: "TW2060", name: "missing return", src: `${R}fn ⟪f(b: bool): int { if b { return 1 } }\non message(m: Message) { log("{f(true)} {m.subject}") }\n` },
  { code: "TW2062", name: "expression without effect", src: onMessage(`  ⟪m.subject`) },
  { code: "TW2063", name: "pure call result dropped", src: onMessage(`  ⟪m.subject.upper()`) },

  // ---------------------------------------------------------------- warnings on code
  { code: "TW2070", name: "unused let", src: onMessage(`  let ⟪x = 1\n  log(m.subject)`) },
  { code: "TW2070", name: "unused trigger parameter", src: `${R}on message(⟪m: Message) { log("hi") }\n` },
  { code: "TW2070", name: "unused loop variable", src: onMessage(`  for ⟪a in m.to { log("x") }\n  log(m.subject)`) },
  { code: "TW2070", name: "unused fn parameter", src: `${R}fn f(⟪a: int) { log("x") }\non message(m: Message) { f(1)\n log(m.subject) }\n` },
  { code: "TW2071", name: "code after reject", src: onMessage(`  reject("no")\n  ⟪log(m.subject)`) },
  { code: "TW2071", name: "code after hold in an if whose branches end", src: onMessage(`  if m.isAutomated() { hold("a") } else { return }\n  ⟪log(m.subject)`), also: ["TW2260"] },
  { code: "TW2072", name: "unused fn", src: `${R}fn ⟪f() { log("x") }\n` },

  // ---------------------------------------------------------------- state, limits, settings
  { code: "TW2079", name: "message in state", src: `${R}state { last: ⟪Message? }\n` },
  { code: "TW2080", name: "max 0", src: `${R}state { xs: List<int> max ⟪0 = [] }\n` },
  { code: "TW2081", name: "max on an int", src: `${R}state { n: int max ⟪3 }\n` },
  { code: "TW2082", name: "state Time without a value", src: `${R}state { ⟪t: Time }\n` },
  { code: "TW2083", name: "state initial value not a literal", src: `${R}state { t: Time = ⟪now }\n` },
  { code: "TW2084", name: "unknown limit", src: `${R}limits { ⟪membrs: 10 }\n` },
  { code: "TW2085", name: "limit not positive", src: `${R}limits { members: ⟪0 }\n` },
  { code: "TW2085", name: "limit not a number", src: `${R}limits { members: ⟪"ten" }\n` },
  { code: "TW2086", name: "limit above its ceiling", src: `${R}limits { members: ⟪100000000 }\n` },
  { code: "TW2087", name: "unknown setting", src: `${R}settings { ⟪timezon: "UTC" }\n` },
  { code: "TW2088", name: "setting not a literal", src: `${R}settings { timezone: ⟪1 }\n` },

  // ---------------------------------------------------------------- triggers
  { code: "TW2090", name: "unknown trigger", src: `${R}on ⟪mesage(m: Message) { log(m.subject) }\n` },
  { code: "TW2091", name: "wrong trigger parameter type", src: `${R}on message(m: ⟪string) { log(m) }\n` },
  { code: "TW2092", name: "two on message", src: `${R}on message(m: Message) { log(m.subject) }\non ⟪message(n: Message) { log(n.subject) }\n` },
  { code: "TW2092", name: "two identical schedules", src: `${R}every day { log("a") }\nevery ⟪day at 00:00 { log("b") }\n` },
  { code: "TW2093", name: "unknown schedule unit", src: `${R}every ⟪fortnight { log("a") }\n` },
  { code: "TW2094", name: "at with hour", src: `${R}every hour at ⟪10:00 { log("a") }\n` },
  { code: "TW2096", name: "interval under a minute", src: `${R}every ⟪30s { log("a") }\n` },
  { code: "TW2096", name: "interval not in whole minutes", src: `${R}every ⟪90s { log("a") }\n` },
  { code: "TW2096", name: "interval over a day", src: `${R}every ⟪2d { log("a") }\n` },

  // ---------------------------------------------------------------- tests
  {
    code: "TW2100",
    name: "duplicate test name",
    src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" { expect log }\ntest ⟪"a" { expect log }\n`,
  },
  { code: "TW2101", name: "unknown given", src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" {\n  ⟪foo = 1\n}\n` },
  { code: "TW2102", name: "given twice", src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" {\n  now = 2026-01-01\n  ⟪now = 2026-01-02\n}\n` },
  { code: "TW2103", name: "message file not .eml", src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" {\n  message = ⟪"post.txt"\n}\n` },
  {
    code: "TW2104",
    name: "run of an undeclared schedule",
    src: `${R}every day { log("a") }\ntest "a" {\n  run every ⟪monday\n}\n`,
  },
  {
    code: "TW2105",
    name: "run and message",
    src: `${R}on message(m: Message) { log(m.subject) }\nevery day { log("a") }\ntest "a" {\n  message = { text: "x" }\n  ⟪run every day\n}\n`,
  },
  { code: "TW2106", name: "no on message to run", src: `${R}every day { log("a") }\ntest ⟪"a" {\n  expect log\n}\n` },
  { code: "TW2107", name: "expect an int", src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" {\n  expect ⟪members.size\n}\n` },
  { code: "TW2108", name: "expect no with a condition", src: `${R}on message(m: Message) { log(m.subject) }\ntest "a" {\n  ⟪expect no members.size == 1\n}\n` },
  { code: "TW2109", name: "reject in a scheduled trigger", src: `${R}every day at 08:00 { ⟪reject("no") }\n` },

  // ---------------------------------------------------------------- one name per collection
  { code: "TW2110", name: "a state list given a second name", src: `${R}state { xs: List<int> max 3 = [] }\non message(m: Message) {\n  var ys = ⟪state.xs\n  log("{ys.size} {m.subject}")\n}\n` },
  { code: "TW2110", name: "a parameter returned as a fn's result", src: `${R}fn same(xs: List<int>): List<int> {\n  return ⟪xs\n}\non message(m: Message) {\n  log("{same([1]).size} {m.subject}")\n}\n` },
  { code: "TW2111", name: "a list used after it was moved", src: `${R}on message(m: Message) {\n  var a: List<string> = []\n  let b = a\n  ⟪a.push(m.subject)\n  log("{b.size}")\n}\n` },
  { code: "TW2112", name: "push on a call's result", src: `${R}on message(m: Message) {\n  m.text.split(",").⟪push("x")\n}\n` },

  // ---------------------------------------------------------------- state initial values
  { code: "TW2120", name: "state list initial value over its max", src: `${R}state { xs: List<int> max 2 = ⟪[1, 2, 3] }\n` },
  { code: "TW2120", name: "state string initial value over its max, in characters", src: `${R}state { s: string max 3 = ⟪"😀😀😀😀" }\n` },
  { code: "TW2120", name: "state initial value over a max deep inside", src: `${R}state { ns: List<{ body: string max 3 }> max 2 = [{ body: ⟪"abcd" }] }\n` },
  {
    code: "TW2130",
    name: "a call chain of 17 functions",
    src: `${R}fn ⟪f16(n: int): int { return f15(n) }\n${Array.from({ length: 16 }, (_, i) => `fn f${15 - i}(n: int): int { return ${i === 15 ? "n" : `f${14 - i}(n)`} }\n`).join("")}on message(m: Message) { log("{f16(1)} {m.subject}") }\n`,
  },
  { code: "TW2150", name: "send from the sender in a schedule", src: `${R}every day at 08:00 {\n  send(to: members, subject: "s", text: "t", from: ⟪"sender")\n}\n` },
  { code: "TW2151", name: "a literal publish path that is not one", src: onMessage(`  publish(⟪"a//b.html", m.subject)`) },
  // ---------------------------------------------------------------- constants and limits in code
  { code: "TW2160", name: "a constant that is not a literal", src: onMessage(`  log("{N} {m.subject}")`, `const N = ⟪list.name\n`) },
  { code: "TW2161", name: "`limits` alone", src: onMessage(`  log("{⟪limits} {m.subject}")`) },
  { code: "TW2162", name: "`max` naming no constant", src: `${R}state { xs: List<int> max ⟪N = [] }\n` },
  { code: "TW2163", name: "a constant never used", src: onMessage(`  log(m.subject)`, `const ⟪N = 3\n`) },
  { code: "TW2164", name: "a constant of a list type", src: onMessage(`  log("{N.size} {m.subject}")`, `const N: ⟪List<int> = []\n`) },
  { code: "TW2165", name: "a variable that starts as none without a type", src: onMessage(`  var x = ⟪none\n  log("{x} {m.subject}")`) },
  { code: "TW2260", name: "a hold in a rule that never reads m.approved", src: onMessage(`  if m.isAutomated() {\n    ⟪hold("wait")\n  }\n  hold("again")`) },
  { code: "TW2211", name: "null written for none", src: onMessage(`  if m.date == ⟪null { return }\n  log(m.subject)`) },
  // ---------------------------------------------------------------- sorting and joining lists
  { code: "TW2190", name: "sort on a list of bools", src: onMessage(`  log("{[true].⟪sort().size} {m.subject}")`) },
  { code: "TW2191", name: "sortBy on a list of ints", src: onMessage(`  log("{[1].⟪sortBy("x").size} {m.subject}")`) },
  { code: "TW2192", name: "sortBy with a computed name", src: onMessage(`  log("{members.owners().sortBy(⟪m.subject).size}")`) },
  { code: "TW2193", name: "sortBy naming no field", src: onMessage(`  log("{members.owners().sortBy(⟪"joind").size} {m.subject}")`) },
  { code: "TW2194", name: "sortBy a field of a type that is not ordered", src: onMessage(`  log("{members.owners().sortBy(⟪"role").size} {m.subject}")`) },
  { code: "TW2195", name: "join on a list of members", src: onMessage(`  log(members.owners().⟪join(", "))\n  log(m.subject)`) },
  { code: "TW2270", name: "contains on a list of lists", src: onMessage(`  log("{[[1]].⟪contains([1])} {m.subject}")`) },
];

for (const c of cases) {
  test(`${c.code} ${c.name}`, () => {
    assertMarked(c.code, c.src, c.also);
  });
}

test("TW2001 a test file without its rule file", () => {
  const r = checkSources([{ fileName: "x.test.thwonk", text: 'test "a" { expect log }\n' }], { verify: false });
  assert.deepEqual(r.diagnostics.map(where), ["1:1 TW2001"]);
});

test("TW2005 a declaration in a test file", () => {
  const { text, marks } = unmark('⟪state { n: int }\ntest "a" { expect state.n == 0 }\n');
  const rule = "rule r\non message(m: Message) { log(m.subject) }\n";
  const got = found(rule, text).filter((s) => s.endsWith("TW2005"));
  assert.deepEqual(got, marks.map((m) => `${m} TW2005`));
  const r = check(rule, text);
  assert.ok(r.diagnostics.every((d) => d.span.file === TEST_FILE || d.span.file === RULE_FILE));
});

test("TW2210 contains(...) outside an expected action", () => {
  const { text, marks } = unmark('test "a" {\n  expect send(text: contains("x"))\n  expect state.s == ⟪contains("x")\n}\n');
  const rule = "rule r\nstate { s: string = \"\" }\non message(m: Message) {\n  state.s = m.subject\n  send(to: members, subject: m.subject, text: m.text)\n}\n";
  assert.deepEqual(found(rule, text), marks.map((m) => `${m} TW2210`));
});

test("every TW2xxx code of the catalog has a case here", () => {
  // TW2038: no method is left that only some receivers have (`join` on non-strings has its variant); kept for one that will.
  const covered = new Set([...cases.map((c) => c.code), "TW2001", "TW2005", "TW2038", "TW2210", "TW2999"]);
  const missing = Object.values(typeMessages)
    .map((m) => m.code)
    .filter((code) => !covered.has(code));
  assert.deepEqual(missing, []);
});

test("codes of the catalog are unique and in the TW2xxx band", () => {
  const codes = Object.values(typeMessages).map((m) => m.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^TW2\d{3}$/);
});
