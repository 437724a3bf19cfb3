/**
 * A function whose return type TypeScript infers: the lowering reads
 * types off the syntax, so without one written the core took the function
 * for one that returns nothing and refused each `return x` (TW2058, "Write
 * just `return`") and each use of its result (TW2024), advice that breaks
 * the rule. It is refused at the function's name (TW7011) with the type
 * TypeScript inferred; written out, the function runs as JavaScript runs it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HEAD, refusedAt, same } from "./adversary-harness.js";

test("a function returning a value without its return type is TW7011 at its name, with the type to write", () => {
  const src = `${HEAD}function half(n: int) { // here
  if (n > 0) {
    return n / 2;
  }
  return undefined;
}
function big(n: int) { // there
  return n > 2;
}
export function onMessage(_m: Message) {
  log(\`\${half(4) ?? -1} \${big(3)}\`);
}
`;
  const d = refusedAt(src, "TW7011", "// here");
  assert.match(d.message, /function half\(…\): number \| undefined/);
  assert.match(refusedAt(src, "TW7011", "// there").message, /function big\(…\): boolean/);
});

test("with the return type written, the same functions run as in JavaScript", async () => {
  await same(
    "  log(`${half(4) ?? -1} ${half(-4) ?? -1} ${big(3)} ${big(2)}`);\n  nothing();",
    `function half(n: int): int | undefined {
  if (n > 0) {
    return n / 2;
  }
  return undefined;
}
function big(n: int): boolean {
  return n > 2;
}
function nothing() {
  log("nothing");
  return;
}
`,
  );
});
