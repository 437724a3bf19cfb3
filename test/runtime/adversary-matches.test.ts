/**
 * Issue 15's adversary on `matches`: the pattern's own cost. Each run between
 * stars is a regular expression compiled for the call, and the pattern was
 * read character by character in interpreted code, at ⌈pattern/2⌉ gas: a
 * pattern of many short runs (`*?*?…`, `*!*!…`) or of escapes made a unit of
 * gas cost 15–60 times the reference operation (bench/gas), past the time
 * limit's NS_PER_GAS. Now the pattern is cut natively and charged three per
 * unit. Checked here: every such pattern at the longest text runs within its
 * bound and the clock its bound gives, and the charge per unit of pattern is
 * what the table says (not the old half); and the native reading keeps the
 * semantics: escapes of every regular-expression character, lone surrogate
 * halves written apart never joining into one character.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../runtime/sandbox/engine.js";
import { resolveLimits } from "../../runtime/sandbox/types.js";
import { compileCase, GAS_CASES, runCase, TEXT_MAX } from "./gas-cases.js";
import { preludeCalls } from "./prelude-calls.js";

const engine = new Engine({ limits: resolveLimits({}), strategy: "reuse", cacheSize: 2 });

for (const c of GAS_CASES.filter((x) => x.name.startsWith("string.matches (pattern "))) {
  test(`adversary: ${c.name} at the longest text runs within its bound and its clock`, async () => {
    const cc = compileCase(c);
    assert.ok(cc.bundle, `refused: ${cc.refused?.join("; ")}`);
    const r = await runCase(engine, cc, undefined, c.name);
    assert.equal(r.error, null, `${c.name}: ${r.error}`);
    assert.ok(r.gasUsed <= cc.bound, `${c.name}: used ${r.gasUsed} over ${cc.bound}`);
    // Two calls on an empty string: the pattern's term alone, three per unit.
    assert.ok(r.gasUsed >= 2 * 3 * TEXT_MAX, `${c.name}: used ${r.gasUsed}, under three per unit of the pattern`);
  });
}

test("adversary: matches read natively keeps its meaning (escapes of regular-expression characters, lone halves apart)", async () => {
  const cases: [string, string, boolean, boolean][] = [
    ["$()*+.?[\\]^{|}/-", "$()\\*+.\\?[\\\\]^{|}/-", false, true],
    ["a.b", "a.b", false, true],
    ["axb", "a.b", false, false],
    ["(?:x)", "(?:x)", false, true],
    ["x", "(?:x)", false, false],
    ["[ab]", "[ab]", false, true],
    ["a", "[ab]", false, false],
    ["a{2}", "a{2}", false, true],
    ["aa", "a{2}", false, false],
    ["a|b", "a|b", false, true],
    ["a", "a|b", false, false],
    ["^$", "^$", false, true],
    ["", "^$", false, false],
    ["\\d", "\\\\d", false, true],
    ["d", "\\d", false, true],
    ["1", "\\d", false, false],
    ["\u{1F600}", "\ud83d\\\ude00", false, false],
    ["\ud83d\ude00", "\ud83d\\\ude00", false, false],
    ["\ud83d", "\ud83d", false, true],
    ["\ud83dx\ude00", "\ud83d?\ude00", false, true],
    ["\u{1F600}", "\ud83d?\ude00", false, false],
    ["ABC.def", "abc\\.DEF", true, true],
    ["Σ", "ς", true, true],
    ["İ", "i", true, false],
    ["ß", "SS", true, false],
    ["a\nb", "a?b", false, true],
    ["a\r\nb", "a*b", false, true],
    ["", "", false, true],
    ["x", "\\", false, false],
    ["\\", "\\", false, true],
  ];
  const got = await preludeCalls(cases.map(([s, p, ic]) => ["string$matches", s, p, ic]));
  cases.forEach(([s, p, ic, want], i) => assert.equal(got[i], want, `${JSON.stringify(s)}.matches(${JSON.stringify(p)}, ignoreCase: ${ic})`));
});
