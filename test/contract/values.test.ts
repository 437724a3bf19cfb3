/**
 * The one address rule (contract/values.ts) and the one publish path rule,
 * against the prelude's copies (`__addr`, `F$publish`), the checker, the
 * members reader and the message reader: the same text is the same address
 * everywhere. The prelude is run in node:vm for a large corpus and in the
 * real QuickJS sandbox for a sample.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import fc from "fast-check";
import { PRELUDE } from "../../contract/prelude.js";
import { ADDRESS_MAX, canonicalAddress, canonicalPublishPath, isValidAddress, LOCAL_MAX } from "../../contract/values.js";
import { stdlib } from "../../stdlib/index.js";
import { checkSources, compileSource } from "../../compiler/index.js";
import { readMembers } from "../../runtime/input/members.js";
import { parseEml } from "../../runtime/input/eml.js";
import { runBundle } from "../../runtime/run/run-rule.js";
import { handInput, ruleErrorWords } from "../helpers/run-input.js";

const preludeContext = vm.createContext({});
const prelude = vm.runInContext(`${PRELUDE}; ({ addr: __addr })`, preludeContext) as { addr: (s: string) => string | null };
/** The prelude's publish: true when it accepts the path. */
const preludePublishes = vm.runInContext(
  `(function (p) { __in = { limits: { page: 10 } }; __actions = []; try { F$publish(p, "x", 1, 1); return true; } catch (e) { if (e.code !== "TW5016") throw e; return false; } })`,
  preludeContext,
) as (p: string) => boolean;

/**
 * One character of each class the local part refuses (contract/values.ts INVISIBLE): every separator, every default
 * ignorable range (ends and a middle), the bidirectional controls, the interlinear marks, U+2800, private use and
 * noncharacters, in each plane they come in.
 */
const INVISIBLE_UNITS = [
  "\u00a0", "\u1680", "\u2000", "\u2005", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
  "\u00ad", "\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u17b4", "\u17b5", "\u180b", "\u180e", "\u180f", "\u200b", "\u200c",
  "\u2060", "\u2062", "\u2064", "\u2065", "\ufe00", "\ufe0e", "\ufeff", "\ufff0", "\ufff8", "\u{1bca0}", "\u{1bca3}", "\u{1d173}", "\u{1d17a}",
  "\u{e0000}", "\u{e0001}", "\u{e0020}", "\u{e007f}", "\u{e0100}", "\u{e01ef}", "\u{e0fff}",
  "\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
  "\ufff9", "\ufffa", "\ufffb", "\u2800", "\ue000", "\uf8ff", "\u{f0000}", "\u{ffffd}", "\u{100000}", "\u{10fffd}",
  "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\u{1fffe}", "\u{1ffff}", "\u{7fffe}", "\u{effff}", "\u{10ffff}",
];
/** Characters the local part keeps: letters and marks of several scripts, symbols, emoji and their sequences' parts in place. */
const KEPT_UNITS = ["é", "e\u0308", "ß", "Ж", "用", "م", "ש", "न्", "ᠮ", "€", "©", "\ufffd", "😀", "❤\ufe0f", "1\ufe0f\u20e3", "👩🏽\u200d💻", "🏳\ufe0f\u200d🌈", "🏽", "🇫🇷"];

const NOT_ADDRESSES = [
  "ann@localhost", "ann@exa_mple.org", "ann\x7f@example.org", "ann\0@example.org", "ann@b@example.org", "ann@example.org\0",
  "@example.org", "ann@", "ann", "ann @example.org", "\"ann\"@example.org", "ann..lee@example.org", ".ann@example.org",
  "ann.@example.org", "ann@-example.org", "ann@example-.org", "ann@example..org", "ann@.example.org", "ann@example.org.",
  "ann@example.123", "ann\u0085@example.org", "ann@exämple.org", "<ann@example.org>", `${"a".repeat(309)}@example.org`,
  `${"a".repeat(317)}@a.b`,
  `ann@${"a".repeat(64)}.org`, `ann@${"abcdefghi.".repeat(26)}org`,
  // Half of a surrogate pair alone is no character: it has no UTF-8, so no SMTP client can write the address.
  "ann\ud800@example.org", "ann\udc00@example.org", "\ude00😀@example.org", "😀\ud83d@example.org",
  // Nothing a reader cannot see, nor what turns the text around it (contract/values.ts INVISIBLE): one of each class.
  ...INVISIBLE_UNITS.map((c) => `ann${c}lee@example.org`),
  // The joiner and the emoji selector only inside an emoji sequence.
  "ann\u200d@example.org", "\u200dann@example.org", "ann\u200dlee@example.org", "😀\u200dann@example.org", "ann\u200d😀@example.org",
  "😀\u200d\u200d😀@example.org", "😀.\u200d😀@example.org", "😀\u200d.😀@example.org", "a🏽\u200d😀@example.org", "ann\ufe0f@example.org",
  "\ufe0f@example.org", "\ufe0f😀@example.org", "a.\ufe0f\u20e3@example.org", "a\ufe0f\u20e3@example.org", "1\ufe0f@example.org", "😀\ufe0e@example.org", "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}@example.org",
];
const ADDRESSES: [string, string][] = [
  ["ann@example.org", "ann@example.org"], ["Ann@Example.ORG", "ann@example.org"], [" ann@example.org\t", "ann@example.org"],
  ["ann.lee+tag@mail.example.co.uk", "ann.lee+tag@mail.example.co.uk"], ["o'brien@example.ie", "o'brien@example.ie"],
  ["a@xn--p1ai.xn--p1ai", "a@xn--p1ai.xn--p1ai"], ["x{y}|z~@e-x.io", "x{y}|z~@e-x.io"], ["Ännä.😀@example.org", "ännä.😀@example.org"], [`${"a".repeat(64)}@example.org`, `${"a".repeat(64)}@example.org`],
  // A local part past 64 (RFC 5321 4.5.3.1: servers should take it), up to what the whole's 320 leaves.
  [`${"A".repeat(65)}@example.org`, `${"a".repeat(65)}@example.org`], [`${"a".repeat(308)}@example.org`, `${"a".repeat(308)}@example.org`],
  [`${"a".repeat(316)}@a.b`, `${"a".repeat(316)}@a.b`],
  // Letters, marks, numbers, symbols and emoji of every kind stay, and white space around the whole is trimmed.
  ["Zoë.Ñandú@example.org", "zoë.ñandú@example.org"], ["zoe\u0308@example.org", "zoe\u0308@example.org"], ["ПОЧТА@example.org", "почта@example.org"],
  ["用户@example.org", "用户@example.org"], ["مريم@example.org", "مريم@example.org"], ["שרה@example.org", "שרה@example.org"], ["नमस्ते@example.org", "नमस्ते@example.org"],
  ["ᠮᠣᠩᠭᠣᠯ@example.org", "ᠮᠣᠩᠭᠣᠯ@example.org"], ["a€£¥©®™°±§¶•…–—«»¿¡@example.org", "a€£¥©®™°±§¶•…–—«»¿¡@example.org"], ["x\ufffc\ufffd@example.org", "x\ufffc\ufffd@example.org"],
  ["\u00a0ann@example.org\u2028", "ann@example.org"], ["\ufeffann@example.org\u3000", "ann@example.org"],
  ["❤\ufe0f@example.org", "❤\ufe0f@example.org"], ["1\ufe0f\u20e3@example.org", "1\ufe0f\u20e3@example.org"], ["#\u20e3@example.org", "#\u20e3@example.org"],
  ["👩🏽\u200d💻@example.org", "👩🏽\u200d💻@example.org"], ["🏳\ufe0f\u200d🌈@example.org", "🏳\ufe0f\u200d🌈@example.org"],
  ["👨\u200d👩\u200d👧\u200d👦.x@example.org", "👨\u200d👩\u200d👧\u200d👦.x@example.org"], ["👨\u200d⚕\ufe0f@example.org", "👨\u200d⚕\ufe0f@example.org"],
  ["❤\ufe0f\u200d🔥@example.org", "❤\ufe0f\u200d🔥@example.org"], ["👨\u200d🦰@example.org", "👨\u200d🦰@example.org"], ["🇫🇷🏽@example.org", "🇫🇷🏽@example.org"],
  ["\u{1fff0}\u{1fffd}@example.org", "\u{1fff0}\u{1fffd}@example.org"],
];

test("the address rule: what is not an address, and each address's canonical form", () => {
  for (const s of NOT_ADDRESSES) {
    assert.equal(canonicalAddress(s), undefined, JSON.stringify(s));
    assert.equal(isValidAddress(s), false, JSON.stringify(s));
    assert.equal(prelude.addr(s), null, JSON.stringify(s));
  }
  for (const [s, c] of ADDRESSES) {
    assert.equal(canonicalAddress(s), c, JSON.stringify(s));
    assert.equal(prelude.addr(s), c, JSON.stringify(s));
  }
});

test("the stdlib's bounds on an address and its parts hold for every address the rule takes", () => {
  const address = stdlib.types["Address"]!;
  assert.equal(address.maxLength, ADDRESS_MAX);
  const longest = `${"a".repeat(LOCAL_MAX)}@a.b`;
  assert.equal(canonicalAddress(longest), longest);
  assert.equal(canonicalAddress(`a${longest}`), undefined);
  // `+` first: the whole local part but one is the tag.
  assert.equal(address.fields?.["local"]?.bound, LOCAL_MAX);
  assert.equal(address.fields?.["tag"]?.bound, LOCAL_MAX - 1);
  assert.equal(stdlib.types["Envelope"]!.fields?.["tag"]?.bound, LOCAL_MAX - 1);
});

const atext = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."abcXYZ09!#$%&'*+/=?^_`{|}~-.@ \t\"<>\x7f\0_äK".split("")) },
  { weight: 1, arbitrary: fc.constantFrom(...INVISIBLE_UNITS, ...KEPT_UNITS, "\u200d", "\ufe0f", "\u20e3", "\u{1f3fb}") },
);
const addressLike = fc
  .tuple(fc.string({ unit: atext, maxLength: 12 }), fc.constantFrom("@", "@@", ""), fc.string({ unit: fc.constantFrom(..."abcAZ09-._".split("")), maxLength: 12 }), fc.constantFrom(".org", ".IO", ".1", "", ".x-y"))
  .map(([l, at, d, tld]) => `${l}${at}${d}${tld}`);
/** A host name of `n` characters, 3 or more: labels of at most 63, the last `b`. */
const hostOf = (n: number): string => {
  const labels: string[] = [];
  for (let left = n - 2; left > 0; ) {
    const take = left <= 63 ? left : Math.min(63, left - 2);
    labels.push("a".repeat(take));
    left -= take + 1;
  }
  return [...labels, "b"].join(".");
};
/**
 * Addresses about their longest: local parts up to LOCAL_MAX + 1 and wholes around ADDRESS_MAX (either side of each
 * bound, in characters of one and two UTF-16 units, a dot or two among them), on the shortest host name and longer.
 */
const longAddressLike = fc
  .tuple(
    fc.string({ unit: atext, maxLength: 4 }),
    fc.integer({ min: 60, max: LOCAL_MAX + 1 }),
    fc.constantFrom("x", "K", "ä", "😀", "a.", "a.."),
    fc.constantFrom(3, 4, 11, ADDRESS_MAX - 1 - 64, 255, 256).map(hostOf),
  )
  .map(([head, n, fill, host]) => `${(head + fill.repeat(n)).slice(0, n)}@${host}`);
const corpus = fc.oneof(addressLike, longAddressLike, fc.string(), fc.string({ unit: "binary" }));

test("contract and prelude agree on every string (node:vm, a large corpus), and canonical forms are fixed points", () => {
  fc.assert(
    fc.property(corpus, (s) => {
      const c = canonicalAddress(s);
      assert.equal(prelude.addr(s), c ?? null);
      if (c !== undefined) assert.equal(canonicalAddress(c), c);
    }),
    { numRuns: 5000 },
  );
});

test("contract and the prelude in real QuickJS agree (a message's To, read by the compiled code)", async () => {
  const r = compileSource("fwd.thwonk", "rule fwd\n\non message(m: Message) {\n  forward(m, to: m.to)\n}\n");
  assert.ok(r.bundle);
  const samples = fc.sample(corpus, 300).concat(NOT_ADDRESSES, ADDRESSES.map(([s]) => s));
  for (let i = 0; i < samples.length; i += 90) {
    const batch = samples.slice(i, i + 90);
    // By hand, as a host that did not canonicalise: the compiled code reads each through __addr.
    const out = await runBundle(r.bundle, { trigger: "message", input: handInput({}, { to: batch }) as never }, ruleErrorWords);
    assert.equal(out.error, null);
    const want = [...new Set(batch.map((s) => canonicalAddress(s)).filter((c) => c !== undefined))];
    assert.deepEqual(out.actions[0]?.to ?? [], want);
  }
});

test("the checker accepts an address literal exactly when the runtime loads it", () => {
  // (A lone surrogate cannot be in a source file, which is UTF-8 (TW1024), nor in a literal's escapes (TW1007).)
  for (const s of [...NOT_ADDRESSES.filter((x) => !/[\0\x7f"\\\t]|\p{Cs}/u.test(x)), ...ADDRESSES.map(([x]) => x.trim())]) {
    const src = `rule lit\n\non message(m: Message) {\n  send(to: ${JSON.stringify(s)}, subject: "s", text: "t")\n}\n`;
    const codes = checkSources([{ fileName: "lit.thwonk", text: src }]).diagnostics.map((d) => d.code);
    assert.equal(codes.includes("TW2035"), canonicalAddress(s) === undefined, `${JSON.stringify(s)}: ${codes.join(" ")}`);
  }
});

test("members, senders and recipients follow the same rule; members compare without case", async () => {
  const text = ["ann@localhost", "Ann Lee <Ann@Example.org>", "ann@example.org", "bob@exa_mple.org", "carl\x7f@example.org", "x@y@example.org", "dee@example.org"].join("\n");
  const r = readMembers(text);
  assert.deepEqual(r.members.map((m) => m.address), ["ann@example.org", "dee@example.org"]);
  assert.deepEqual(r.problems.map((p) => p.line), [1, 3, 4, 5, 6]);
  assert.match(r.problems[1]!.message, /already listed \(line 2\)/);
  const eml = "From: Ann <ANN@example.org>\r\nTo: a@localhost, b@exa_mple.org, C@Example.org, c@example.org\r\nSubject: s\r\n\r\nt\r\n";
  const m = await parseEml(eml, { envelope: { mailFrom: "<x@localhost>" } });
  assert.equal(m.message.from, "ann@example.org");
  assert.deepEqual(m.message.to, ["c@example.org"]);
  assert.equal(m.message.envelope.sender, null);
});

test("publish paths: one rule, with no file that is also a folder", () => {
  for (const p of ["index.html", "2026/11/25.html", "posts/1.html", "a_b/c-d/e.tar.gz", "_/x.html"]) {
    assert.equal(canonicalPublishPath(p), p);
    assert.equal(preludePublishes(p), true, p);
  }
  for (const p of ["posts/", "a//b.html", "a/.htaccess", "_/.git/config", "posts", "/index.html", "../x.html", "a/../b.html", "a/b..html", "a b.html", "a.html/", "", "x.", `${"a".repeat(200)}.html`, "dir.d/x.html", "ä.html"]) {
    assert.equal(canonicalPublishPath(p), undefined, p);
    assert.equal(preludePublishes(p), false, p);
  }
  fc.assert(
    fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9_.-]{0,6}$/), { minLength: 1, maxLength: 4 }), (parts) => {
      const path = parts.join("/");
      assert.equal(preludePublishes(path), canonicalPublishPath(path) !== undefined, path);
      if (canonicalPublishPath(path) === undefined) return;
      // A valid path's folders are never a valid path: `posts` then `posts/1.html` cannot both be pages.
      for (let i = 1; i < parts.length; i++) assert.equal(canonicalPublishPath(parts.slice(0, i).join("/")), undefined);
    }),
  );
});
