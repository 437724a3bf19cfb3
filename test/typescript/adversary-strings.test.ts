/**
 * Random string expressions over text that JavaScript and a naive code-point
 * reading tell apart (emoji, a combining accent, NBSP, BOM, U+2028, ß, İ,
 * ǅ, ﬀ, final sigma, commas): the sandbox gives what JavaScript gives, with
 * the stdlib's members read as their names say (`codePointSlice` on code
 * points, `lower` as `toLowerCase`, `truncate(n)` the first n code points).
 * Found sound; kept so that a change to the runtime's strings shows here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { javascript, sandbox } from "./adversary-harness.js";

const ATOMS = ['""', '"a"', '" a "', '"😀"', '"a😀b"', '"\\u00a0x\\u3000"', '"\\ufeffy"', '"e\\u0301"', '","', '"a,b,,c"', '"ß"', '"İ"', '"\\u2028"', '"ǅ"', '"ﬀ"', '"ΑΣ"', '"Z"'];

/** `z + "…"` keeps TypeScript from judging a comparison of two literals (TS2367). */
const atom = fc.constantFrom(...ATOMS).map((a) => `(z + ${a})`);
const str: fc.Memo<string> = fc.memo((d) => {
  if (d <= 1) return atom;
  const s = str(d - 1);
  return fc.oneof(
    atom,
    fc.tuple(s, s).map(([a, b]) => `(${a} + ${b})`),
    s.map((a) => `${a}.trim()`),
    s.map((a) => `\`[\${${a}}]\``),
    fc.tuple(s, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -1, max: 4 })).map(([a, i, j]) => `${a}.codePointSlice(${i}, ${j})`),
    s.map((a) => `${a}.split(",").join("|")`),
    s.map((a) => `${a}.lower()`),
    s.map((a) => `${a}.upper()`),
    fc.tuple(s, fc.integer({ min: 0, max: 3 })).map(([a, n]) => `${a}.truncate(${n})`),
    s.map((a) => `${a}.replaceAll(",", "+")`),
  );
});
const line = fc.oneof(
  str(3).map((s) => `\${${s}}`),
  fc.tuple(str(2), str(2), fc.constantFrom("===", "<", ">=")).map(([a, b, op]) => `\${${a} ${op} ${b}}`),
  fc.tuple(str(2), str(2), fc.constantFrom("startsWith", "endsWith", "contains")).map(([a, b, m]) => `\${${a}.${m}(${b})}`),
  fc.tuple(str(2), str(2)).map(([a, b]) => `\${${a}.codePointIndexOf(${b}) ?? -1} \${${a}.codePointLength}`),
);

test("random string expressions on tricky text: the sandbox gives what JavaScript gives", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), async (lines) => {
      const src = `import { log, type Message } from "thwonk";
export const rule = "strings";
export const limits = { logs: 40 };
export function onMessage(_m: Message) {
  const z = "";
${lines.map((l) => `  log(\`${l}\`);`).join("\n")}
}
`;
      const want = javascript(src);
      assert.deepEqual(await sandbox(src), want, src);
    }),
    { numRuns: 30, seed: 20261207 },
  );
});
