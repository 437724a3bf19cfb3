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

/**
 * The canonical form is NFC, after lower case (RFC 6532 3.1): each text as one client or another writes it, and the
 * one address it is. Composed and decomposed Latin, Vietnamese with two marks in either order, Greek with three,
 * Hangul syllables and their jamo, Devanagari and Hebrew (composition exclusions: NFC keeps them decomposed),
 * singletons (the Kelvin and Ångström signs, a CJK compatibility ideograph), and the capital dotted I, whose lower
 * case (`i` + U+0307) must be put back in order after a mark of a lower class.
 */
const NFC_PAIRS: [string, string][] = [
  ["e\u0301@example.org", "\u00e9@example.org"], ["E\u0301@example.org", "\u00e9@example.org"], ["\u00c9@example.org", "\u00e9@example.org"],
  ["jose\u0301.nun\u0303ez@example.org", "jos\u00e9.nu\u00f1ez@example.org"], ["A\u030angstro\u0308m@example.org", "\u00e5ngstr\u00f6m@example.org"],
  ["e\u0323\u0302@example.org", "\u1ec7@example.org"], ["e\u0302\u0323@example.org", "\u1ec7@example.org"], ["\u00ea\u0323@example.org", "\u1ec7@example.org"],
  ["\u1ec6@example.org", "\u1ec7@example.org"], ["\u03b1\u0313\u0300\u0345@example.org", "\u1f82@example.org"], ["\u1f8a@example.org", "\u1f82@example.org"],
  ["\u1112\u1161\u11ab\u1100\u1173\u11af@example.org", "\ud55c\uae00@example.org"], ["\ud55c\uae00@example.org", "\ud55c\uae00@example.org"],
  ["\u0958@example.org", "\u0915\u093c@example.org"], ["\ufb2c@example.org", "\u05e9\u05bc\u05c1@example.org"], ["\u05e9\u05c1\u05bc@example.org", "\u05e9\u05bc\u05c1@example.org"],
  ["\u212a\u212b@example.org", "k\u00e5@example.org"], ["\uf900@example.org", "\u8c48@example.org"], ["\u{2f800}@example.org", "\u4e3d@example.org"],
  ["\u0130@example.org", "i\u0307@example.org"], ["\u0130\u0316@example.org", "i\u0316\u0307@example.org"], ["a\u0301\u0316@example.org", "\u00e1\u0316@example.org"],
  // Decomposed past 320 units, 320 once composed (NFC is at most four times shorter: the bound is on the canonical form).
  [`${"\u03b1\u0313\u0300\u0345".repeat(308)}@example.org`, `${"\u1f82".repeat(308)}@example.org`], [`${"e\u0301".repeat(308)}@example.org`, `${"\u00e9".repeat(308)}@example.org`],
];

/**
 * What NFC and lower case compose, reorder and change: bases, combining marks of several classes (1, 7, 9, 220, 230,
 * 232, 240), precomposed letters, Hangul jamo and syllables, composition exclusions, singletons and the letters whose
 * lower case is longer or depends on what follows (`İ`, final `Σ`).
 */
const COMPOSING_UNITS = [
  "e", "E", "a", "i", "I", "o", "\u03b1", "\u0391", "\u03a3", "\u0130", "\u0131", "\u00e9", "\u00c9", "\u00ea", "\u1ec7", "\u1f82", "\u1f8a", "\u00c5", "\u212b", "\u212a",
  "\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u030a", "\u0307", "\u0313", "\u0345", "\u0323", "\u0316", "\u0334", "\u093c", "\u094d", "\u035c", "\u302c",
  "\u1100", "\u1112", "\u1161", "\u1173", "\u11a8", "\u11ab", "\u11af", "\uac00", "\ud55c", "\u0915", "\u0958", "\ufb2c", "\u05e9", "\u05bc", "\u05c1",
  "\u037e", "\u2000", "\uf900", "\u{2f800}", "\u{1d15e}", "\u{11099}", "\u{110ba}", "\u{1109a}",
];

const NOT_ADDRESSES = [
  // What NFC makes of a character is held to the rule: U+037E is `;`, U+2000 the space U+2002; and so is the length.
  "ann\u037e@example.org", "ann\u2000@example.org", `${"\u0958".repeat(160)}@example.org`, `${"\u03b1\u0313\u0300\u0345".repeat(309)}@example.org`,
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
  ["Zoë.Ñandú@example.org", "zoë.ñandú@example.org"], ["zoe\u0308@example.org", "zo\u00eb@example.org"], ["ПОЧТА@example.org", "почта@example.org"],
  ["用户@example.org", "用户@example.org"], ["مريم@example.org", "مريم@example.org"], ["שרה@example.org", "שרה@example.org"], ["नमस्ते@example.org", "नमस्ते@example.org"],
  ["ᠮᠣᠩᠭᠣᠯ@example.org", "ᠮᠣᠩᠭᠣᠯ@example.org"], ["a€£¥©®™°±§¶•…–—«»¿¡@example.org", "a€£¥©®™°±§¶•…–—«»¿¡@example.org"], ["x\ufffc\ufffd@example.org", "x\ufffc\ufffd@example.org"],
  ["\u00a0ann@example.org\u2028", "ann@example.org"], ["\ufeffann@example.org\u3000", "ann@example.org"],
  ["❤\ufe0f@example.org", "❤\ufe0f@example.org"], ["1\ufe0f\u20e3@example.org", "1\ufe0f\u20e3@example.org"], ["#\u20e3@example.org", "#\u20e3@example.org"],
  ["👩🏽\u200d💻@example.org", "👩🏽\u200d💻@example.org"], ["🏳\ufe0f\u200d🌈@example.org", "🏳\ufe0f\u200d🌈@example.org"],
  ["👨\u200d👩\u200d👧\u200d👦.x@example.org", "👨\u200d👩\u200d👧\u200d👦.x@example.org"], ["👨\u200d⚕\ufe0f@example.org", "👨\u200d⚕\ufe0f@example.org"],
  ["❤\ufe0f\u200d🔥@example.org", "❤\ufe0f\u200d🔥@example.org"], ["👨\u200d🦰@example.org", "👨\u200d🦰@example.org"], ["🇫🇷🏽@example.org", "🇫🇷🏽@example.org"],
  ["\u{1fff0}\u{1fffd}@example.org", "\u{1fff0}\u{1fffd}@example.org"],
  ...NFC_PAIRS,
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
  { weight: 2, arbitrary: fc.constantFrom(...COMPOSING_UNITS) },
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

test("an address written composed or decomposed is one address, in both copies of the rule", () => {
  fc.assert(
    fc.property(corpus, (s) => {
      const c = canonicalAddress(s.normalize("NFC"));
      for (const form of [s.normalize("NFD"), s.normalize("NFKC") === s.normalize("NFC") ? s : s.normalize("NFC")]) {
        assert.equal(canonicalAddress(form), c, JSON.stringify(form));
        assert.equal(prelude.addr(form), c ?? null, JSON.stringify(form));
      }
      if (c !== undefined) assert.equal(c, c.normalize("NFC"));
    }),
    { numRuns: 3000 },
  );
});

/**
 * The host's NFC and lower case (Node's ICU) and the sandbox's (QuickJS's own tables) are the same on every code point:
 * its decompositions (NFD, NFC), its combining class (whether it is put before U+0334, class 1, and after U+0345,
 * class 240, both in NFD and NFC), its lower case, alone and after `İ`. Each engine has its own Unicode version (both
 * Unicode 17 today): where one knew a character the other did not (a new combining mark, a new capital), an address
 * with it would be two addresses, one in the host and another in a rule; this test fails on the update that does it.
 */
test("QuickJS and the host normalise and lower-case every code point alike", async () => {
  const { newQuickJSWASMModuleFromVariant } = await import("quickjs-emscripten-core");
  const variant = (await import("@jitl/quickjs-wasmfile-release-sync")).default as never;
  const vm = (await newQuickJSWASMModuleFromVariant(variant)).newContext();
  const per = `function (lo, hi) { var out = [];
    for (var c = lo; c < hi; c++) { if (c >= 0xd800 && c < 0xe000) continue; var m = String.fromCodePoint(c);
      out.push(m.normalize("NFD") + "|" + m.normalize("NFC") + "|" + m.toLowerCase() + "|" + ("a" + m + "\u0334").normalize("NFD") + "|" + ("a\u0345" + m).normalize("NFC") + "|" + ("\u0130" + m).toLowerCase().normalize("NFC")); }
    return out.join("\\n"); }`;
  const inQuickJs = vm.unwrapResult(vm.evalCode(`(${per})`));
  const inHost = new Function(`return (${per})`)() as (lo: number, hi: number) => string;
  try {
    // Planes 0 to 3 and 14 (planes 4 to 13 have no character yet; 15 and 16 are private use, which no address has),
    // from U+0001: U+0000 would end the C string the text leaves QuickJS as.
    const blocks: [number, number][] = [];
    for (let lo = 1; lo < 0x40000; lo += 0x8000) blocks.push([lo, Math.min(lo + 0x8000, 0x40000)]);
    blocks.push([0xe0000, 0xf0000]);
    for (const [lo, hi] of blocks) {
      const h = vm.unwrapResult(vm.callFunction(inQuickJs, vm.undefined, vm.newNumber(lo), vm.newNumber(hi)));
      const got = vm.getString(h);
      h.dispose();
      const want = inHost(lo, hi);
      if (got !== want) {
        const a = got.split("\n"), b = want.split("\n"), i = a.findIndex((x, k) => x !== b[k]);
        assert.fail(`block U+${lo.toString(16)}: line ${i}: ${JSON.stringify(a[i])} in QuickJS, ${JSON.stringify(b[i])} in the host`);
      }
    }
  } finally {
    inQuickJs.dispose();
    vm.dispose();
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
