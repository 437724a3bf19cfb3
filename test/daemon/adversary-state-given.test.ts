/**
 * The adversary of state given in a rule's tests (compiler/initial-state.ts givenState, checked by stateRefusals
 * before the run): a record field or a map key named `__proto__` is data like any other (language.md "Keys are
 * data"), and `thwonkc test` must run such a test, not refuse its state.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliIn } from "./helpers.js";

const RULE = `rule g

state {
  r: { __proto__: int, b: int } = { __proto__: 0, b: 0 }
  m: Map<string max 20, int> max 1 = {}
}

on message(_m: Message) {
  state.r.b = state.r.__proto__
}

test "a record given with a field named __proto__" {
  state.r = { __proto__: 7, b: 0 }
  message = { from: "ann@example.org", subject: "x", text: "y" }
  expect state.r.b == 7
}

test "a map given over its max, one key __proto__, is refused" {
  state.m = { "__proto__": 3, "constructor": 4 }
  message = { from: "ann@example.org", subject: "x", text: "y" }
  expect state.m.size == 2
}
`;

test("thwonkc test: a given record with a field __proto__ runs; a given map with a key __proto__ is checked with it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "thwonk-given-"));
  try {
    writeFileSync(join(dir, "g.thwonk"), RULE);
    const r = await cliIn(dir, ["test", "g.thwonk"]);
    assert.match(r.out, /✓ a record given with a field named __proto__/, r.out + r.err);
    assert.match(r.out, /✗ a map given over its max[^\n]*\n[^\n]*TW5070[^\n]*state\.m: 2 entries, over its declared max 1/, r.out + r.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
