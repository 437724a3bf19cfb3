/**
 * Constants (`const CAPACITY = 10`) and limits read in code
 * (`limits.members`) through every phase: parsed losslessly, checked,
 * verified with their values (a room proof and a `truncate` bound read the
 * number), and run: `thwonkc test` on real QuickJS sees the values.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../compiler/program.js";
import { parseFile } from "../../compiler/syntax/parser.js";
import { isSyntaxNode, printSyntax } from "../../compiler/syntax/parser/tree.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { assertClean, found } from "./harness.js";

const verified = (text: string): string[] =>
  checkSources([{ fileName: "rule.thwonk", text }]).diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.code}`);

test("a constant is usable as a value, a state `max` and a limit; `limits.X` reads a limit", () => {
  const r = assertClean(`rule c
const CAPACITY = 3
const OWNER: Address = "owner@example.org"
const WAIT = 2h
const START = 2026-01-01T00:00:00Z
const LOUD = true
const BIG = 2 * 1024
limits { members: CAPACITY, text: BIG }
state { posts: Map<Address, int> max CAPACITY = {} }
on message(m: Message) {
  if m.isAutomated() or not LOUD or now < START {
    return
  }
  if state.posts.has(m.from) or state.posts.size < limits.members {
    state.posts.set(m.from, 1)
  }
  reply(m, text: "{OWNER} {WAIT} {limits.text}")
}
`);
  const model = r.units[0]!.check.model;
  assert.equal(model.state.find((f) => f.name === "posts")!.max, 3);
  assert.equal(model.limits.get("members")!.value, 3);
  assert.equal(model.limits.get("text")!.value, 2048);
});

test("constants are refused where they cannot be: not literal, wrong type, reassigned, bare `limits`, unknown limit", () => {
  assert.deepEqual(found(`rule c
const A = "x{list.name}"
const B: List<int> = []
const C = 3
const C = 4
on message(m: Message) {
  C = 5
  log("{A} {B} {limits} {limits.nope} {m.subject}")
}
`), ["2:11 TW2160", "3:10 TW2164", "4:7 TW2163", "5:7 TW2004", "7:3 TW2051", "8:17 TW2161", "8:33 TW2084"]);
});

test("the verifier uses a constant's value: a room proof and a truncate bound", () => {
  const rule = (members: number, max: number, cut: string): string => `rule c
const CUT = ${cut}
limits { members: ${members} }
state {
  posts: Map<Address, int> max ${max} = {}
  note: string max 20 = ""
}
on message(m: Message) {
  if state.posts.has(m.from) or state.posts.size < limits.members {
    state.posts.set(m.from, 1)
  }
  state.note = m.text.truncate(CUT)
}
`;
  assert.deepEqual(verified(rule(10, 10, "20")), []);
  // The limit is 10 but the map holds 5: `size < limits.members` is no proof of room.
  assert.ok(verified(rule(10, 5, "20")).some((d) => d.endsWith("TW3006")), verified(rule(10, 5, "20")).join());
  // 21 characters do not fit a `string max 20`.
  assert.ok(verified(rule(10, 10, "21")).some((d) => d.endsWith("TW3005")), verified(rule(10, 10, "21")).join());
});

test("`const` and `max NAME` round-trip through the concrete tree, with their own node", () => {
  const text = "rule c\n// the room\nconst  CAPACITY : int = 10 // ten\nstate { xs: List<int> max CAPACITY = [] }\n";
  const { syntax, diagnostics } = parseFile("rule.thwonk", text);
  assert.deepEqual(diagnostics, []);
  assert.equal(printSyntax(syntax.root), text);
  const decl = syntax.root.children.find((c) => isSyntaxNode(c) && c.kind === "ConstDecl");
  assert.ok(decl && isSyntaxNode(decl));
  assert.deepEqual(decl.children.map((c) => c.kind), ["Const", "Identifier", "Colon", "TypeRef", "Eq", "IntLiteral"]);
});

test("thwonkc test runs constants and limits on QuickJS", async () => {
  const t = tempDir({
    "c.thwonk": `rule c
const CAPACITY = 2
const HELLO = "Welcome"
limits { members: CAPACITY }
state { seen: int = 0 }
on message(m: Message) {
  state.seen += CAPACITY
  log("{HELLO} {limits.members} {limits.text}")
}

test "the values are the declared ones" {
  message = { subject: "hi", text: "x" }
  expect state.seen == CAPACITY
  expect state.seen == limits.members
  expect log(text: "Welcome 2 100000")
}
`,
  });
  try {
    const r = await runCli(["test", t.dir], { cwd: t.dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 passed, 0 failed/);
  } finally {
    t.remove();
  }
});
