/**
 * `matches(pattern, ignoreCase?)` and `toInt()` (issue 15) on real QuickJS
 * with the real prelude, each against an independent reference: for
 * `matches`, the backtracking regular expression the pattern stands for
 * (fine on small inputs, which is all it is given here); for `toInt`,
 * BigInt. Then the cost: compiled rules whose worst inputs (a pattern of
 * many stars on a long text that almost matches) run within the gas bound
 * the verifier gave them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileSource } from "../../compiler/emit/bundle.js";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { compileCase, runCase, TEXT_MAX, type GasCase } from "./gas-cases.js";
import { preludeCalls } from "./prelude-calls.js";

/** The expression `pattern` stands for: `*` any characters, `?` one, `\` makes the next one itself. */
function reference(pattern: string, ignoreCase: boolean): RegExp {
  let src = "";
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === "\\") src += lit(cs[++i] ?? "\\");
    else if (c === "*") src += "[\\s\\S]*";
    else if (c === "?") src += "[\\s\\S]";
    else src += lit(c);
  }
  return new RegExp(`^(?:${src})$`, ignoreCase ? "ui" : "u");
}
const lit = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;

const ALPHABET = ["a", "b", "A", "B", "é", "É", "😀", "\ud83d", "\ude00", "*", "?", "\\", "k", "\u212a"];
const str = (max: number) => fc.array(fc.constantFrom(...ALPHABET), { maxLength: max }).map((xs) => xs.join(""));
const pattern = fc.array(fc.constantFrom("a", "b", "A", "é", "😀", "*", "*", "?", "\\", "\\*", "\\?", "\ud83d", "\ude00", "k"), { maxLength: 8 }).map((xs) => xs.join(""));

test("matches agrees with the regular expression the pattern stands for (with and without ignoreCase)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(str(10), pattern, fc.boolean()), { minLength: 1, maxLength: 40 }), async (cases) => {
      const got = await preludeCalls(cases.map(([s, p, ic]) => ["string$matches", s, p, ic]));
      cases.forEach(([s, p, ic], i) => {
        assert.equal(got[i], reference(p, ic).test(s), `${JSON.stringify(s)}.matches(${JSON.stringify(p)}, ignoreCase: ${ic})`);
      });
    }),
    { numRuns: 60 },
  );
});

test("matches: the cases Sieve's :matches documents, escapes, code points and case", async () => {
  const cases: [string, string, boolean | null, boolean][] = [
    ["", "", null, true],
    ["", "*", null, true],
    ["", "?", null, false],
    ["a", "", null, false],
    ["[list] hello", "[list]*", null, true],
    ["hello", "h*o", null, true],
    ["ho", "h*o", null, true],
    ["hello", "h?llo", null, true],
    ["hllo", "h?llo", null, false],
    ["a*b", "a\\*b", null, true],
    ["axb", "a\\*b", null, false],
    ["a?b", "a\\?b", null, true],
    ["a\\b", "a\\\\b", null, true],
    ["a\\", "a\\", null, true],
    ["😀", "?", null, true],
    ["😀😀", "?", null, false],
    ["é", "?", null, true],
    ["e\u0301", "?", null, false],
    ["HELLO", "hello", null, false],
    ["HELLO", "hello", true, true],
    ["HELLO", "hello", false, false],
    ["Éric", "éric", true, true],
    ["abcabc", "*abc", null, true],
    ["abab", "*ab*ab", null, true],
    ["abab", "*ab*ab*ab", null, false],
    ["aaa", "a*a*a", null, true],
    ["aa", "a*a*a", null, false],
    ["x[(.+)]$", "x[(.+)]$", null, true],
    ["unsubscribe me", "unsubscribe*", null, true],
    ["Re: Re: news", "re:*", true, true],
    ["what?", "*\\?", null, true],
    ["what!", "*\\?", null, false],
    ["[News] hello", "[news]*", true, true],
  ];
  const got = await preludeCalls(cases.map(([s, p, ic]) => (ic === null ? ["string$matches", s, p] : ["string$matches", s, p, ic])));
  cases.forEach(([s, p, ic, want], i) => assert.equal(got[i], want, `${JSON.stringify(s)}.matches(${JSON.stringify(p)}${ic === null ? "" : `, ignoreCase: ${ic}`})`));
});

test("toInt reads optional sign and decimal digits within ±(2^53 − 1), and nothing else", async () => {
  const MAX = 2n ** 53n - 1n;
  const ref = (s: string): number | null => {
    if (!/^[+-]?[0-9]+$/.test(s)) return null;
    const n = BigInt(s);
    return n > MAX || n < -MAX ? null : Number(n);
  };
  const digits = fc.array(fc.constantFrom("0", "1", "5", "9"), { minLength: 0, maxLength: 20 }).map((xs) => xs.join(""));
  const numberish = fc.tuple(fc.constantFrom("", "+", "-", " ", "--", "0x", "٣"), digits, fc.constantFrom("", "", " ", ".5", "e3", "\n", "0")).map(([a, b, c]) => a + b + c);
  const edges = ["9007199254740991", "9007199254740992", "-9007199254740991", "-9007199254740992", "09007199254740991", "0000000000000000000000000001", "-0", "+0", "0", "", "+", "-", "1_000", "١٢", "1e3", "Infinity", "NaN", " 1", "1 ", "99999999999999999999"];
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(numberish, fc.constantFrom(...edges), fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(String)), { minLength: 1, maxLength: 50 }), async (xs) => {
      const got = await preludeCalls(xs.map((s) => ["string$toInt", s]));
      xs.forEach((s, i) => {
        assert.equal(got[i], ref(s), `${JSON.stringify(s)}.toInt()`);
        if (got[i] === 0) assert.ok(Object.is(got[i], 0), "never -0");
      });
    }),
    { numRuns: 40 },
  );
});

const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse" });

/** A case at the largest text: the rule runs within the gas bound check gave it, and uses at least half of it (the cost is not a wild overcharge). */
async function withinBound(c: GasCase): Promise<{ used: number; bound: number }> {
  const cc = compileCase(c);
  assert.ok(cc.bundle, `refused: ${cc.refused?.join("; ")}`);
  const r = await runCase(engine, cc, undefined, c.name);
  assert.equal(r.error, null, `${c.name}: ${r.error}`);
  assert.ok(r.gasUsed <= cc.bound, `${c.name}: used ${r.gasUsed} gas over its bound ${cc.bound}`);
  return { used: r.gasUsed, bound: cc.bound };
}

const L = `text: ${TEXT_MAX}, subject: 2000, budget: 100000000`;
const aaa = "a".repeat(TEXT_MAX);

test("a pathological pattern (*a*a*a*a*b) on the longest text stays within its gas bound, and is charged for its walk", async () => {
  const { used, bound } = await withinBound({ name: "matches *a*a*a*a*b", limits: L, pre: "var n = 0", body: 'if m.text.matches("*a*a*a*a*b") { n = n + 1 }', text: aaa, reps: 3 });
  // Linear in the text: 3 calls over a million characters each charged, not a constant.
  assert.ok(used > (3 * TEXT_MAX) / 32, `used ${used}: each call is charged by the text's length`);
  assert.ok(used <= bound);
});

test("a long run of literals that almost matches everywhere, with ignoreCase, stays within its gas bound", async () => {
  const subject = "a".repeat(699) + "b";
  await withinBound({ name: "matches near miss", limits: "text: 100000, subject: 700, budget: 100000000", pre: "var n = 0", body: "if m.text.matches(\"*{m.subject}*\", ignoreCase: true) { n = n + 1 }", text: "a".repeat(100_000), subject, reps: 1 });
});

test("toInt on the longest text is charged by its length", async () => {
  const { used } = await withinBound({ name: "toInt long", limits: L, pre: "var n = 0", body: "n = n + (m.text.toInt() ?? 0)", text: "0".repeat(TEXT_MAX - 1) + "7", reps: 3 });
  assert.ok(used > (3 * TEXT_MAX) / 16, `used ${used}: each call is charged by the text's length`);
});

test("matches and toInt type-check as declared: a bool, an int? that must be checked before use", () => {
  const ok = compileSource("t.thwonk", `rule t\non message(m: Message) {\n  if m.subject.matches("[news]*", ignoreCase: true) { log("tagged") }\n  let n = m.subject.toInt() ?? 0\n  log("{n + 1}")\n}\n`);
  assert.ok(ok.bundle, ok.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const bad = compileSource("t.thwonk", `rule t\non message(m: Message) {\n  let n = m.subject.toInt()\n  log("{n + 1}")\n}\n`);
  assert.equal(bad.bundle, undefined);
  assert.ok(bad.diagnostics.some((d) => d.severity === "error"));
});
