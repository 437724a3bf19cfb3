/**
 * Adversary: VERP addresses (runtime/daemon/verp.ts) for members past ASCII, at the edges of RFC 5321's bounds,
 * counted in octets: over random members (characters of one to four octets in UTF-8, NFC and NFD, domains in
 * punycode) of random lists (ASCII and not, domains up to 200 characters), each VERP address made is either the plain
 * bounce address or one whose local part is at most 64 octets and whose whole is at most a path's 254 octets and what
 * thwonkd's ingress takes (253 UTF-16 units), and it reads back to its list, the member and a tag that verifies.
 * The bounds are met exactly: members whose VERP local part is 64 octets get VERP, 65 the plain address.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { domainToASCII } from "node:url";
import { canonicalAddress } from "../../contract/values.js";
import { bounceTarget, verpAddress, verpTagVerifies } from "../../runtime/daemon/verp.js";
import { bounceAddress } from "../../runtime/mail/compose.js";
import { rand as rng } from "../properties/inputs.js";

const KEY = "k".repeat(64);


const CHARS = ["a", "z", "0", "-", "+", "=", "\u00e9", "e\u0301", "\u00df", "\u0416", "\u7528", "\u6237", "\u{1F600}", "\u{20000}", "\u0915\u094D"];

function member(r: () => number): string | undefined {
  const n = 1 + Math.floor(r() * 40);
  let local = "";
  for (let i = 0; i < n; i++) local += CHARS[Math.floor(r() * CHARS.length)];
  const domain = r() < 0.5 ? "example.org" : domainToASCII(`${"\u00e4".repeat(1 + Math.floor(r() * 8))}.example`);
  return canonicalAddress(`${local}@${domain}`);
}

function list(r: () => number): string {
  const labels = Array.from({ length: 1 + Math.floor(r() * 4) }, () => "d".repeat(1 + Math.floor(r() * 50)));
  const local = r() < 0.3 ? "\u00e4nn\u00e4" : "l".repeat(1 + Math.floor(r() * 10));
  return `${local}@${labels.join(".")}.org`;
}

test("every VERP address made fits 64 octets before the @ and a path in all, and reads back to its member (20,000 random members and lists)", () => {
  let verp = 0;
  for (let seed = 1; seed <= 20_000; seed++) {
    const r = rng(seed);
    const l = list(r);
    const m = member(r);
    if (m === undefined) continue;
    const a = verpAddress(l, m, KEY);
    if (a === bounceAddress(l)) continue;
    verp++;
    const at = a.lastIndexOf("@");
    assert.ok(Buffer.byteLength(a.slice(0, at)) <= 64, `seed ${seed}: local part of ${Buffer.byteLength(a.slice(0, at))} octets: ${a}`);
    assert.ok(Buffer.byteLength(a) <= 254 && a.length <= 253, `seed ${seed}: ${Buffer.byteLength(a)} octets, ${a.length} units: ${a}`);
    const t = bounceTarget(a, (x) => (x.toLowerCase() === l.toLowerCase() ? l : undefined));
    assert.ok(t && t.verp !== null && t.tag !== null, `seed ${seed}: ${a} reads back`);
    assert.equal(t.list, l);
    assert.equal(canonicalAddress(t.verp), m, `seed ${seed}`);
    assert.ok(verpTagVerifies(KEY, l, m, t.tag), `seed ${seed}: the tag verifies`);
    // A relay may lower-case the whole address (`ß` upper-cased is `SS`: no relay may do that to a local part).
    const lower = bounceTarget(a.toLowerCase(), () => l)!;
    assert.ok(verpTagVerifies(KEY, l, canonicalAddress(lower.verp!)!, lower.tag!), `seed ${seed}: lower case`);
  }
  assert.ok(verp > 5_000, `VERP used for ${verp} of them`);
});

test("the 64-octet bound is met exactly: a local part of 64 octets gets VERP, 65 the plain address", () => {
  const l = "l@example.org";
  // `l-bounces+TAG-` is 19 octets; `=example.org` 12: 33 left for the member's local part.
  const at64 = `${"\u00e9".repeat(16)}a@example.org`;
  const at65 = `${"\u00e9".repeat(17)}@example.org`;
  const v = verpAddress(l, at64, KEY);
  assert.equal(Buffer.byteLength(v.slice(0, v.lastIndexOf("@"))), 64);
  assert.equal(verpAddress(l, at65, KEY), "l-bounces@example.org", "65 octets (35 characters): plain");
});
