/**
 * compiler/query.ts on real checked rules: the node and symbol at an offset
 * (inside a name, just after it, between tokens, in a test file) and every
 * reference of a symbol, across the rule and its test file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources, nodeAt, nodePathAt, referencesOf, type CheckedUnit } from "../../compiler/index.js";

const RULE = `rule q
state {
  count: int = 0
}
fn double(x: int): int {
  return x + x
}
on message(m: Message) {
  let n = double(state.count)
  state.count = n + 1
  log("seen {n}: {m.subject}")
  log(m.subject)
}
`;
const TESTS = `test "counts" {
  state.count = 3
  message = { from: "ann@example.org", subject: "s", text: "t" }
  expect state.count == 7
}
`;

function unit(): CheckedUnit {
  const r = checkSources([
    { fileName: "q.thwonk", text: RULE },
    { fileName: "q.test.thwonk", text: TESTS },
  ]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === "error"), []);
  return r.units[0]!;
}

/** The offset of the `k`-th occurrence of `needle` in `text`, plus `delta`. */
function at(text: string, needle: string, k = 0, delta = 0): number {
  let i = -1;
  for (let j = 0; j <= k; j++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `${needle} #${k}`);
  }
  return i + delta;
}

test("the name at an offset, and the symbol it refers to", () => {
  const u = unit();
  const inside = nodeAt(u, "q.thwonk", at(RULE, "double(state", 0, 2))!;
  assert.equal(inside.node.kind, "Ident");
  assert.equal(inside.symbol?.kind, "fn");
  assert.equal(inside.symbol?.name, "double");
  assert.equal(inside.path[0]!.kind, "SourceFile");
  assert.deepEqual(inside.path.slice(1, 2).map((n) => n.kind), ["OnDecl"]);
  assert.ok(inside.path.some((n) => n.kind === "CallExpr"), "the call contains the name");

  // The cursor just after a name is on that name.
  const after = nodeAt(u, "q.thwonk", at(RULE, "let n", 0, 5))!;
  assert.equal(after.node.kind, "Ident");
  assert.equal(after.symbol?.kind, "let");

  // A state field through `state.count`.
  const field = nodeAt(u, "q.thwonk", at(RULE, "state.count = n", 0, 8))!;
  assert.equal(field.symbol?.kind, "state");
  assert.equal(field.symbol?.name, "count");

  // Between the tokens of a block: no name, no symbol.
  const blank = nodeAt(u, "q.thwonk", at(RULE, "\n  let n", 0, 1))!;
  assert.notEqual(blank.node.kind, "Ident");
  assert.equal(blank.symbol, undefined);

  // In the test file, and in a file that is not the unit's.
  const inTest = nodeAt(u, "q.test.thwonk", at(TESTS, "count == 7", 0, 1))!;
  assert.equal(inTest.symbol, field.symbol);
  assert.equal(nodeAt(u, "other.thwonk", 3), undefined);
});

test("references of a symbol, its declaration included, in both files", () => {
  const u = unit();
  const where = (s: ReturnType<typeof referencesOf>): string[] => s.map((i) => `${i.span.file}:${i.span.line}:${i.span.col}`);

  const n = nodeAt(u, "q.thwonk", at(RULE, "let n", 0, 4))!.symbol!;
  assert.deepEqual(where(referencesOf(u, n)), ["q.thwonk:9:7", "q.thwonk:10:17", "q.thwonk:11:14"]);

  const x = nodeAt(u, "q.thwonk", at(RULE, "x + x", 0, 4))!.symbol!;
  assert.equal(x.kind, "param");
  assert.deepEqual(where(referencesOf(u, x)), ["q.thwonk:5:11", "q.thwonk:6:10", "q.thwonk:6:14"]);

  const count = nodeAt(u, "q.thwonk", at(RULE, "count: int", 0, 1))!.symbol!;
  assert.equal(count.kind, "state");
  assert.deepEqual(where(referencesOf(u, count)), ["q.thwonk:3:3", "q.thwonk:9:24", "q.thwonk:10:9", "q.test.thwonk:2:9", "q.test.thwonk:4:16"]);

  // A stdlib function: its calls, no declaration in the rule.
  const log = nodeAt(u, "q.thwonk", at(RULE, "log(m.subject)", 0, 1))!.symbol!;
  assert.equal(log.kind, "function");
  assert.deepEqual(where(referencesOf(u, log)), ["q.thwonk:11:3", "q.thwonk:12:3"]);
});

test("the node path follows the tree down to the innermost node", () => {
  const u = unit();
  const path = nodePathAt(u.rule, at(RULE, "n + 1", 0, 0));
  const kinds = path.map((p) => p.kind);
  assert.equal(kinds[0], "SourceFile");
  assert.equal(kinds[kinds.length - 1], "Ident");
  assert.ok(kinds.includes("BinaryExpr"), kinds.join(" > "));
  for (let i = 1; i < path.length; i++) {
    assert.ok(path[i - 1]!.span.start <= path[i]!.span.start && path[i]!.span.end <= path[i - 1]!.span.end, "each node lies inside its parent");
  }
  // Before the first declaration and past the end: the file itself.
  assert.deepEqual(nodePathAt(u.rule, RULE.length + 10).map((p) => p.kind), ["SourceFile"]);
});
