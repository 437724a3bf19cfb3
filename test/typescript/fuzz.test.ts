/**
 * The TypeScript front end never throws and never fails inside: the twins
 * cut, spliced and salted with constructs from elsewhere in the language
 * (fast-check), each checked through the one entry, give diagnostics at
 * positions inside the text and no internal error (TW7999, TW2999, TW3999).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { checkSources } from "../../compiler/index.js";
import { repoRoot } from "../helpers/repo.js";

const TWINS = ["trim140", "once_a_day", "daily_or_out", "bumplist"].map((n) => readFileSync(join(repoRoot, "examples", n, `${n}.ts`), "utf8"));

const SALT = [
  "while (true) {}",
  "for (;;) {}",
  "try { } catch { }",
  "class A {}",
  "async function f() { await 1; }",
  "const x = globalThis;",
  "const y = require('fs');",
  "import('x');",
  "const z = m as any;",
  "`${`${`${1}`}`}`",
  "new Proxy({}, {});",
  "Reflect.get({}, 'a');",
  "label: for (const a of members) { break label; }",
  "function* g() { yield 1; }",
  "const { a, b } = m;",
  "x?.y?.z",
  "(() => 1)()",
  "delete state.x;",
  "typeof m === 'string'",
  "1n",
  "/re/g",
  "enum E { A }",
  "namespace N {}",
  "declare const q: any;",
  "export default 1;",
  "export * from 'thwonk';",
  "every(\"\", () => {});",
  "every(\"day at 25:99\", () => {});",
  "time(\"\")",
  "days(1e400)",
  "new Map([[1]])",
  "new List<string, -1>()",
  "state.__proto__ = 1;",
  "// @ts-ignore",
  "/* @ts-nocheck */",
  "const undefined = 1;",
  "const o = { __proto__: 1, [\"__proto__\"]: 2 };",
  "m.subject.replace(\"a\", \"$&\");",
  "m.subject.replaceAll(\"\", m.text);",
  "declare function foo(): void;",
  "function g(this: number) {}",
  "m.constructor.constructor('return this')()",
  "\u0000",
  "}}}",
  "{{{",
  "`",
  "'unterminated",
  "/*",
  "@decorator",
  "<T,>(x: T) => x",
  "😀 = 1",
];

const mutated = fc.record({
  base: fc.integer({ min: 0, max: TWINS.length - 1 }),
  edits: fc.array(
    fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.nat({ max: 40 }), salt: fc.integer({ min: -1, max: SALT.length - 1 }) }),
    { minLength: 1, maxLength: 3 },
  ),
});

test("mutated TypeScript rules: diagnostics, never an exception or an internal error", () => {
  fc.assert(
    fc.property(mutated, ({ base, edits }) => {
      let text = TWINS[base]!;
      for (const e of edits) {
        const at = Math.floor(e.at * text.length);
        text = text.slice(0, at) + (e.salt >= 0 ? SALT[e.salt]! : "") + text.slice(at + e.cut);
      }
      const r = checkSources([{ fileName: "fuzz.ts", text }]);
      const internal = r.diagnostics.filter((d) => /^TW\d999$/.test(d.code));
      assert.deepEqual(internal.map((d) => d.message), [], text);
      for (const d of r.diagnostics) {
        assert.ok(d.span.start >= 0 && d.span.end <= text.length && d.span.start <= d.span.end, `${d.code} at ${d.span.start}-${d.span.end} of ${text.length}`);
        assert.ok(d.message.length > 0);
      }
    }),
    { numRuns: 120, seed: 20261206 },
  );
});
