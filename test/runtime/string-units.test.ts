/**
 * Characters are code points (issue 15): every length and position of the
 * stdlib counts them, on real QuickJS with the real prelude. Property tests
 * over text made of the pieces that break unit-counting code: emoji (a
 * surrogate pair), a family emoji (code points joined by U+200D), combining
 * marks, lone surrogates of both halves (which join into a pair when a high
 * one meets a low one), and characters whose case mapping changes length.
 * The reference is Node's own code-point view (`Array.from`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { preludeCalls, type PreludeCall } from "./prelude-calls.js";

const PIECES = ["a", "b", "x", " ", "é", "e\u0301", "😀", "👨‍👩‍👧", "\ud83d", "\ude00", "İ", "ß", "*", "?", "\\"];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((xs) => xs.join(""));
const cps = (s: string): string[] => Array.from(s);
const OPTS = { numRuns: 40 };

/** Each string's results for several calls, in one run of the sandbox. */
async function each<T>(xs: T[], calls: (x: T) => PreludeCall[]): Promise<unknown[][]> {
  const all = xs.map(calls);
  const flat = await preludeCalls(all.flat());
  let at = 0;
  return all.map((c) => flat.slice(at, (at += c.length)));
}

/** Where x first occurs in s, counting code points and matching whole ones only; null when nowhere. */
function refIndexOf(s: string, x: string): number | null {
  const a = cps(s), b = cps(x);
  for (let i = 0; i + b.length <= a.length; i++) if (b.every((c, j) => a[i + j] === c)) return i;
  return null;
}

test("length counts code points; slice(0, length) is the string; slice(0, length - 1) drops one whole character", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 20 }), async (xs) => {
      const rs = await each(xs, (s) => [["G$string$length", s], ["string$slice", s, 0, cps(s).length], ["string$slice", s, 0, cps(s).length - 1], ["string$slice", s, -1, null], ["string$truncate", s, cps(s).length]]);
      xs.forEach((s, i) => {
        const [len, whole, allButLast, last, trunc] = rs[i]!;
        assert.equal(len, cps(s).length, JSON.stringify(s));
        assert.equal(whole, s);
        assert.equal(trunc, s);
        assert.equal(allButLast, cps(s).slice(0, -1).join(""), JSON.stringify(s));
        assert.equal(last, cps(s).slice(-1).join(""), JSON.stringify(s));
      });
    }),
    OPTS,
  );
});

test("length(a + b) is length(a) + length(b), but for a lone high surrogate meeting a lone low one: they join into one character", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 20 }), async (pairs) => {
      const rs = await each(pairs, ([a, b]) => [["G$string$length", a], ["G$string$length", b], ["G$string$length", a + b]]);
      pairs.forEach(([a, b], i) => {
        const [la, lb, lab] = rs[i] as number[];
        const joins = /[\ud800-\udbff]$/.test(a) && /^[\udc00-\udfff]/.test(b) ? 1 : 0;
        assert.equal(lab, la! + lb! - joins, JSON.stringify([a, b]));
      });
    }),
    OPTS,
  );
});

test("indexOf counts code points, finds whole characters only, and agrees with slice, contains, startsWith and endsWith", async () => {
  // Needles cut from the text (so they are often found) and made up (often not), lone halves included.
  const cases = fc.tuple(text, fc.nat(12), fc.nat(4), text).map(([s, from, len, other]) => {
    const c = cps(s);
    return [s, len === 0 ? other.slice(0, 3) : c.slice(from % (c.length + 1), (from % (c.length + 1)) + len).join("")] as [string, string];
  });
  const lone = fc.tuple(text, fc.constantFrom("\ud83d", "\ude00", "a\ud83d", "\ude00b")).map(([s, x]) => [s, x] as [string, string]);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(cases, lone), { minLength: 1, maxLength: 25 }), async (xs) => {
      const rs = await each(xs, ([s, x]) => [["string$indexOf", s, x], ["G$string$length", x], ["string$contains", s, x]]);
      const follow: PreludeCall[] = [];
      xs.forEach(([s, x], i) => {
        const [at, lx, has] = rs[i]!;
        const want = refIndexOf(s, x);
        assert.equal(at, want, `indexOf(${JSON.stringify(s)}, ${JSON.stringify(x)})`);
        assert.equal(has, want !== null, `contains(${JSON.stringify(s)}, ${JSON.stringify(x)})`);
        if (typeof at === "number") follow.push(["string$slice", s, at, at + (lx as number)]);
      });
      const sliced = await preludeCalls(follow);
      const found = xs.filter((_, i) => typeof rs[i]![0] === "number");
      found.forEach(([, x], i) => assert.equal(sliced[i], x, `slice at indexOf gives the needle ${JSON.stringify(x)}`));
      const ends = await each(xs, ([s, x]) => [["string$startsWith", s, x], ["string$endsWith", s, x]]);
      xs.forEach(([s, x], i) => {
        const a = cps(s), b = cps(x);
        assert.equal(ends[i]![0], b.every((c, j) => a[j] === c) && b.length <= a.length, `startsWith(${JSON.stringify(s)}, ${JSON.stringify(x)})`);
        assert.equal(ends[i]![1], b.every((c, j) => a[a.length - b.length + j] === c) && b.length <= a.length, `endsWith(${JSON.stringify(s)}, ${JSON.stringify(x)})`);
      });
    }),
    OPTS,
  );
});

test("split and replace never cut a pair: a lone half is found only where it stands alone", async () => {
  const [parts, replaced, plain, count] = await preludeCalls([
    ["string$split", "a😀b\ude00c", "\ude00"],
    ["string$replace", "😀\ude00😀", "\ude00", "-$&-"],
    ["string$split", "a,b,,c", ","],
    ["G$string$length", "\ude00\ud83d"],
  ]);
  assert.deepEqual(parts, ["a😀b", "c"]);
  assert.equal(replaced, "😀-$&-😀", "a `$` in the replacement is itself");
  assert.deepEqual(plain, ["a", "b", "", "c"]);
  assert.equal(count, 2, "a low then a high surrogate are two characters");
});

test("slice with negative and out-of-range positions counts code points from the end", async () => {
  const s = "a😀é\u0301👨‍👩‍👧";
  const c = cps(s);
  const ps = [-20, -8, -3, -1, 0, 1, 2, 3, 5, 8, 20];
  const calls: PreludeCall[] = [];
  for (const a of ps) for (const b of [...ps, null]) calls.push(["string$slice", s, a, b]);
  const got = await preludeCalls(calls);
  calls.forEach((call, i) => {
    const [, , a, b] = call as [string, string, number, number | null];
    assert.equal(got[i], c.slice(a, b ?? undefined).join(""), `slice(${a}, ${b})`);
  });
});
