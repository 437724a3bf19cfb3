import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile, parseTypeText } from "../../compiler/syntax/parser.js";
import type * as A from "../../compiler/syntax/ast.js";

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
  send(to: members, subject: m.subject, text: m.text.truncate(140))
}

every day at 00:00 { log("midnight") }
`;

function codes(src: string): string[] {
  return parseFile("t.thwonk", src).diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`);
}

function body(file: A.SourceFile, i: number): A.Stmt[] {
  const d = file.decls[i]!;
  assert.ok(d.kind === "OnDecl" || d.kind === "EveryDecl" || d.kind === "FnDecl", `decl ${i} has a body`);
  return d.body.stmts;
}

test("the brief's sketch parses without diagnostics", () => {
  const r = parseFile("sketch.thwonk", SKETCH);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.file.decls.map((d) => d.kind), ["RuleDecl", "LimitsDecl", "StateDecl", "OnDecl", "EveryDecl"]);
  assert.equal(body(r.file, 3).length, 5);
  assert.equal(r.file.comments.length, 1);
  assert.match(r.file.comments[0]!.text, /Time\?/);
});

test("spans are 1-based, UTF-16, end-exclusive", () => {
  const r = parseFile("s.thwonk", 'rule x\non message(m) {\n  log("😀é") + zz\n}\n');
  const stmt = body(r.file, 1)[0]!;
  assert.equal(stmt.kind, "ExprStmt");
  const bin = (stmt as A.ExprStmt).expr as A.BinaryExpr;
  assert.equal(bin.kind, "BinaryExpr");
  // `log("😀é")` : the emoji is two UTF-16 code units.
  assert.deepEqual([bin.left.span.line, bin.left.span.col, bin.left.span.endCol], [3, 3, 13]);
  assert.deepEqual([bin.right.span.col, bin.right.span.endCol], [16, 18]);
  assert.equal(bin.right.span.end - bin.right.span.start, 2);
});

test("precedence: ?? < or < and < comparison < + < *", () => {
  const r = parseFile("p.thwonk", "rule x\nfn f() { let v = a ?? b or c and d == e + f * g }");
  const init = (body(r.file, 1)[0] as A.LetStmt).init as A.BinaryExpr;
  const shape = (e: A.Expr): string =>
    e.kind === "BinaryExpr" ? `(${shape(e.left)} ${e.op} ${shape(e.right)})` : e.kind === "Ident" ? e.name : e.kind;
  assert.equal(shape(init), "(a ?? (b or (c and (d == (e + (f * g))))))");
  const r2 = parseFile("p.thwonk", "rule x\nfn f() { let v = a - b - c }");
  assert.equal(shape((body(r2.file, 1)[0] as A.LetStmt).init), "((a - b) - c)");
});

test("string interpolation: parts, nested strings, escapes", () => {
  const r = parseFile("s.thwonk", 'rule x\nfn f() { log("a {b.c} \\{d\\} {"in {1}"} \\u{1F600}") }');
  assert.deepEqual(r.diagnostics, []);
  const call = (body(r.file, 1)[0] as A.ExprStmt).expr as A.CallExpr;
  const str = call.args[0]!.value as A.StringLit;
  assert.deepEqual(str.parts.map((p) => p.kind), ["StringText", "MemberExpr", "StringText", "StringLit", "StringText"]);
  assert.equal((str.parts[2] as A.StringText).value, " {d} ");
  assert.equal((str.parts[4] as A.StringText).value, " 😀");
  const inner = str.parts[3] as A.StringLit;
  assert.equal(inner.parts[1]!.kind, "IntLit");
  // Positions of an interpolated expression are its place in the file.
  const member = str.parts[1] as A.MemberExpr;
  assert.deepEqual([member.span.line, member.span.col], [2, 18]);
});

test("literals: durations, times, clocks, ints with underscores", () => {
  const r = parseFile("l.thwonk", "rule x\nfn f() { let a = 90m\n let b = 2026-11-25T09:30:00+01:00\n let c = 1_000 }\nevery monday at 09:30 { }");
  assert.deepEqual(r.diagnostics, []);
  const [a, b, c] = body(r.file, 1) as A.LetStmt[];
  assert.equal((a!.init as A.DurationLit).ms, 90 * 60_000);
  assert.equal((b!.init as A.TimeLit).ms, Date.UTC(2026, 10, 25, 8, 30));
  assert.equal((c!.init as A.IntLit).value, 1000);
  const every = r.file.decls[2] as A.EveryDecl;
  assert.equal(every.schedule.unit?.name, "monday");
  assert.equal(every.schedule.at?.minutes, 9 * 60 + 30);
});

test("soft keywords are names where the grammar expects a name", () => {
  const r = parseFile("k.thwonk", "rule x\nfn f(type: int) { let max = state.type + type\n  expect(max) }");
  assert.deepEqual(r.diagnostics, []);
});

test("a call or index must start on the same line", () => {
  const r = parseFile("n.thwonk", "rule x\nfn f() {\n  let a = b\n  (c)\n}");
  assert.deepEqual(body(r.file, 1).map((s) => s.kind), ["LetStmt", "ExprStmt"]);
});

test("five mistakes give five diagnostics, and the rest of the tree is intact", () => {
  const src = [
    "rule five",
    "on message(m: Message) {",
    "  let = 1",                                   // 1: missing name
    '  send(to: m.from, subject: "a" text: "b")',  // 2: missing comma
    '  log("unclosed)',                            // 3: unterminated string
    "  if m.subject = \"x\" { hold(\"no\") }",      // 4: = in a condition
    "  log(m.text)",
    "}",
    "every day at 24:00 { log(\"x\") }",           // 5: bad clock
    "on message(m2) { log(\"after\") }",
  ].join("\n");
  const r = parseFile("five.thwonk", src);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`),
    ["3:7 TW1003", "4:33 TW1003", "5:7 TW1002", "6:16 TW1016", "9:14 TW1011"],
  );
  assert.deepEqual(r.file.decls.map((d) => d.kind), ["RuleDecl", "OnDecl", "EveryDecl", "OnDecl"]);
  const stmts = body(r.file, 1);
  assert.deepEqual(stmts.map((s) => s.kind), ["LetStmt", "ExprStmt", "ExprStmt", "IfStmt", "ExprStmt"]);
  const last = stmts[4] as A.ExprStmt;
  assert.equal(((last.expr as A.CallExpr).callee as A.Ident).name, "log");
  assert.equal(body(r.file, 3).length, 1);
});

test("a missing closing brace is reported where the next declaration starts", () => {
  const r = parseFile("b.thwonk", 'rule x\non message(m) {\n  log("a")\nevery day { log("b") }\n');
  assert.deepEqual(r.diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`), ["3:11 TW1015"]);
  assert.equal(r.diagnostics[0]!.related[0]!.span.line, 2);
  assert.deepEqual(r.file.decls.map((d) => d.kind), ["RuleDecl", "OnDecl", "EveryDecl"]);
});

test("stray tokens are reported once per run", () => {
  assert.deepEqual(codes("rule x\n) ) )\non message(m) { ] ] log(\"a\") }"), ["2:1 TW1005", "3:17 TW1006"]);
});

test("reserved words as names, lexer errors, unclosed comments", () => {
  assert.deepEqual(codes("rule x\nfn f() { let for = 1 }"), ["2:14 TW1012"]);
  assert.deepEqual(codes("rule x # y"), ["1:8 TW1001", "1:10 TW1005"]);
  assert.deepEqual(codes("rule x\n/* never closed"), ["2:1 TW1008"]);
});

test("10,000 consecutive bad lines end in diagnostics, not a crash", () => {
  const bad = Array.from({ length: 10_000 }, () => "  let = = (").join("\n");
  const r = parseFile("bad.thwonk", `rule x\non message(m) {\n${bad}\n}\n`);
  assert.ok(r.diagnostics.length > 0);
  assert.ok(r.diagnostics.every((d) => d.code.startsWith("TW1")));
  const top = Array.from({ length: 10_000 }, () => "= = =").join("\n");
  assert.ok(parseFile("bad2.thwonk", `rule x\n${top}\n`).diagnostics.length > 0);
});

test("nesting that exhausts the stack is a diagnostic", () => {
  const deep = "(".repeat(20_000) + "1" + ")".repeat(20_000);
  const r = parseFile("deep.thwonk", `rule x\nfn f() { let a = ${deep} }\nfn g() { log("still parsed") }`);
  assert.ok(r.diagnostics.some((d) => d.code === "TW1018"), JSON.stringify(r.diagnostics.slice(0, 2)));
  assert.equal(r.file.decls.at(-1)!.kind, "FnDecl");
});

test("test blocks: givens, run and expect clauses", () => {
  const r = parseFile("t.thwonk", [
    "rule x",
    'test "second post" {',
    '  members = ["ann@example.org"]',
    "  state.count = 3",
    "  now = 2026-11-25T12:00:00Z",
    '  message = { from: "ann@example.org", subject: "hi", text: "x" }',
    "  run every day at 00:00",
    '  expect reply(to: "ann@example.org")',
    "  expect no send",
    "  expect state.count == 4",
    "}",
  ].join("\n"));
  assert.deepEqual(r.diagnostics, []);
  const t = r.file.decls[1] as A.TestDecl;
  assert.deepEqual(t.clauses.map((c) => c.kind), [
    "GivenClause", "GivenClause", "GivenClause", "GivenClause", "RunClause", "ExpectClause", "ExpectClause", "ExpectClause",
  ]);
  assert.equal((t.clauses[6] as A.ExpectClause).negated, true);
});

test("parseTypeText reads stdlib type strings", () => {
  const t = parseTypeText("Map<Address, List<string max 200>> max 50") as A.TypeRef;
  assert.equal(t.kind, "TypeRef");
  assert.equal(t.name.name, "Map");
  assert.equal((t.max as A.IntLit | undefined)?.value, 50);
  assert.equal((t.args[1] as A.TypeRef).args[0]!.kind, "TypeRef");
  assert.equal((parseTypeText("string?") as A.TypeRef).optional, true);
  assert.equal(parseTypeText("Map<"), undefined);
  assert.equal(parseTypeText("int int"), undefined);
});

test("a comment that runs to the end of a file ending with a newline (never closed) ends at the end of its last line, whatever the line ends", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    const text = ["rule r", 'on message(_m: Message) {', '  log("x") /* 😀 begun', "  and 😀 never ended", ""].join(eol);
    const d = parseFile("a.thwonk", text).diagnostics.find((x) => x.code === "TW1008");
    assert.ok(d, JSON.stringify(eol));
    // Before: 4:2, two units into the last line ("  and 😀 never ended" is 20 units long) whatever its length.
    assert.deepEqual([d.span.line, d.span.col, d.span.endLine, d.span.endCol], [3, 12, 4, 21], JSON.stringify(eol));
    const comment = parseFile("a.thwonk", text).file.comments.at(-1)!;
    assert.deepEqual([comment.span.endLine, comment.span.endCol], [4, 21], JSON.stringify(eol));
  }
  // Its only line break: it ends on its own line.
  const one = parseFile("a.thwonk", "rule r /* x\n").diagnostics.find((x) => x.code === "TW1008")!;
  assert.deepEqual([one.span.line, one.span.col, one.span.endLine, one.span.endCol], [1, 8, 1, 12]);
});

test("a string in single quotes with their escapes (`'it\\'s'`, `'a\\\\'`): one diagnostic, and its fix gives the string in double quotes, which parses", () => {
  const cases: [string, string][] = [
    ["'it\\'s {m.subject}'", "\"it's {m.subject}\""],
    ["'a\\\\'", '"a\\\\"'],
    ["'a\\\\\\'b'", "\"a\\\\'b\""],
    ["'tab\\there'", '"tab\\there"'],
  ];
  for (const [written, fixed] of cases) {
    const text = `rule r\non message(m: Message) {\n  log(${written})\n}\n`;
    const errors = parseFile("a.thwonk", text).diagnostics.filter((d) => d.severity === "error");
    // Before: `'it\'s ...'` closed at `\'`: four errors after it, and a fix to `"it\"`, a string never closed.
    assert.deepEqual(errors.map((d) => d.code), ["TW1023"], written);
    const edit = errors[0]!.fix!.edits[0]!;
    assert.equal(edit.newText, fixed, written);
    const after = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
    assert.deepEqual(parseFile("a.thwonk", after).diagnostics.filter((d) => d.severity === "error"), [], after);
  }
});

test("an unindented statement that starts with a soft keyword (`state.x = 1`) is a statement, not a new declaration", () => {
  // Valid code, as copied from a doc or written without indentation: the keyword is a name there.
  const src = [
    "rule x",
    "state { n: int = 0, xs: List<int> max 5 = [] }",
    "on message(m: Message) {",
    "state.n = 1",
    "state.n += 2",
    "state.xs.push(state.n)",
    "var type = 3",
    "type = 4",
    "type -= 1",
    "var max = [1]",
    "max[0]",
    "every(1)",
    "}",
    "every day at 00:00 {",
    "state.n = 0",
    "}",
  ].join("\n");
  const r = parseFile("u.thwonk", src);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.file.decls.map((d) => d.kind), ["RuleDecl", "StateDecl", "OnDecl", "EveryDecl"]);
  assert.deepEqual(body(r.file, 2).map((s) => s.kind), ["AssignStmt", "AssignStmt", "ExprStmt", "LetStmt", "AssignStmt", "AssignStmt", "LetStmt", "ExprStmt", "ExprStmt"]);
  // A declaration at the start of a line still ends a block whose `}` is missing.
  assert.deepEqual(codes('rule x\non message(m) {\n  log("a")\nstate { n: int = 0 }\non message(m) { state.n = 1 }\n'), ["3:11 TW1015"]);
  assert.deepEqual(codes('rule x\non message(m) {\n  log("a")\ntype T = { a: int }\nfn f() { }\n'), ["3:11 TW1015"]);
});
