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

const NOT_ADDRESSES = [
  "ann@localhost", "ann@exa_mple.org", "ann\x7f@example.org", "ann\0@example.org", "ann@b@example.org", "ann@example.org\0",
  "@example.org", "ann@", "ann", "ann @example.org", "\"ann\"@example.org", "ann..lee@example.org", ".ann@example.org",
  "ann.@example.org", "ann@-example.org", "ann@example-.org", "ann@example..org", "ann@.example.org", "ann@example.org.",
  "ann@example.123", "ann\u0085@example.org", "ann@exämple.org", "<ann@example.org>", `${"a".repeat(309)}@example.org`,
  `${"a".repeat(317)}@a.b`,
  `ann@${"a".repeat(64)}.org`, `ann@${"abcdefghi.".repeat(26)}org`,
];
const ADDRESSES: [string, string][] = [
  ["ann@example.org", "ann@example.org"], ["Ann@Example.ORG", "ann@example.org"], [" ann@example.org\t", "ann@example.org"],
  ["ann.lee+tag@mail.example.co.uk", "ann.lee+tag@mail.example.co.uk"], ["o'brien@example.ie", "o'brien@example.ie"],
  ["a@xn--p1ai.xn--p1ai", "a@xn--p1ai.xn--p1ai"], ["x{y}|z~@e-x.io", "x{y}|z~@e-x.io"], ["Ännä.😀@example.org", "ännä.😀@example.org"], [`${"a".repeat(64)}@example.org`, `${"a".repeat(64)}@example.org`],
  // A local part past 64 (RFC 5321 4.5.3.1: servers should take it), up to what the whole's 320 leaves.
  [`${"A".repeat(65)}@example.org`, `${"a".repeat(65)}@example.org`], [`${"a".repeat(308)}@example.org`, `${"a".repeat(308)}@example.org`],
  [`${"a".repeat(316)}@a.b`, `${"a".repeat(316)}@a.b`],
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

const atext = fc.constantFrom(..."abcXYZ09!#$%&'*+/=?^_`{|}~-.@ \t\"<>\x7f\0_äK".split(""));
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
  for (const s of [...NOT_ADDRESSES.filter((x) => !/[\0\x7f"\\\t]/.test(x)), ...ADDRESSES.map(([x]) => x.trim())]) {
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
