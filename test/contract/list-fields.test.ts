/**
 * The list's own header fields, one definition (contract/list-fields.ts): the prelude's copy
 * (`__listHeaderTexts`, contract/library.js, run in node:vm here; in the real QuickJS sandbox by
 * test/runtime/list-headers.test.ts) gives the same texts for any list, and every mailto URL parses back
 * (WHATWG's URL, decodeURIComponent) to the list's address, holds only what RFC 6068 lets a mailto's address
 * hold unencoded, and fits a line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import fc from "fast-check";
import { PRELUDE } from "../../contract/prelude.js";
import { listFields, listHeaderTexts, mailto, mailtoEncode, MAX_LINE, oneLine, utf8Length } from "../../contract/list-fields.js";
import { ADDRESS_MAX, canonicalAddress, LOCAL_MAX } from "../../contract/values.js";

const prelude = vm.runInContext(`${PRELUDE}; ({ texts: __listHeaderTexts })`, vm.createContext({})) as {
  texts: (address: string, name: string | null | undefined) => Record<string, string>;
};

/** Characters of a local part: ASCII atext (those RFC 6068 wants encoded among them), and past ASCII (RFC 6531) as the one address rule keeps them: marks, emoji sequences. */
const LOCAL_UNITS = [..."abcz09!#$%&'*+/=?^_`{|}~-", "ä", "é", "ß", "δ", "中", "😀", "e\u0301", "👩🏽\u200d💻", "❤\ufe0f", "1\ufe0f\u20e3", "\ufffd"];
const atom = fc.array(fc.constantFrom(...LOCAL_UNITS), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(""));
const domain = fc.constantFrom("example.org", "a.b", "xn--p1ai.xn--p1ai", "mail.example.co.uk", `${"a".repeat(63)}.${"b".repeat(63)}.org`);
/** Canonical list addresses: dot-atoms of those characters, up to ADDRESS_MAX units. */
const listAddress = fc
  .tuple(fc.array(atom, { minLength: 1, maxLength: 4 }), domain)
  .map(([atoms, d]) => `${atoms.join(".")}@${d}`)
  .filter((a) => canonicalAddress(a) === a);
/** The longest: a local part of LOCAL_MAX (or what a longer domain leaves) of one character repeated. */
const longAddress = fc.tuple(fc.constantFrom("a", "%", "?", "ä", "中", "😀", "a%", "é.e"), fc.constantFrom("a.b", "example.org")).map(([c, d]) => {
  const room = ADDRESS_MAX - 1 - d.length;
  let local = c.repeat(Math.ceil(room / c.length)).slice(0, room);
  if (/[\ud800-\udbff]$/.test(local) || local.endsWith(".")) local = local.slice(0, -1);
  return `${local}@${d}`;
});
const names = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom(undefined, "", " \t ", "Line\r\nbreaks\n\n", "=?utf-8?Q?x?=", "x".repeat(300), "😀".repeat(120)));

test("the prelude's list texts are the host's, for any list and name", () => {
  const same = (address: string, name: string | undefined): void => {
    // Compared as JSON: the prelude's objects are of another realm, and the order of the fields counts.
    assert.equal(JSON.stringify(prelude.texts(address, name)), JSON.stringify(listHeaderTexts(address, name)), JSON.stringify([address, name]));
  };
  fc.assert(fc.property(fc.oneof(listAddress, longAddress, fc.string(), fc.string({ unit: "binary" })), names, same), { numRuns: 2000 });
  // Lone surrogates, a missing `@`, an empty side, characters no address holds (contract/values.ts INVISIBLE), and a
  // name the host gives as null.
  for (const a of ["\ud800@example.org", "a\udc00b@example.org", "noat", "@example.org", "a@", "", "a@b@c.d"]) same(a, "N");
  for (const c of ["\u00a0", "\u2028", "\uffff", "\ufeff", "\u202e", "\u200b"]) same(`a${c}b@example.org`, `N${c}ame`);
  assert.equal(JSON.stringify(prelude.texts("a@example.org", null)), JSON.stringify(listHeaderTexts("a@example.org", undefined)));
});

/** The address a mailto URL names (its path, decoded), after checking it is a URI RFC 6068 reads as one address. */
function mailtoAddress(value: string, subject: string | null): string {
  const m = /^<(mailto:[^<>\s]*)>$/.exec(value);
  assert.ok(m, value);
  const url = m[1]!;
  // Only URI characters (RFC 3986), every % a complete escape; the address's own characters plain or escaped.
  assert.match(url, /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/);
  assert.doesNotMatch(url, /%(?![0-9A-F]{2})/);
  const [addr, query] = url.slice("mailto:".length).split("?");
  const at = addr!.split("@");
  assert.equal(at.length, 2, `one @ in ${url}`);
  for (const part of at) assert.match(part, /^(?:[A-Za-z0-9\-._~!$'*+]|%[0-9A-F]{2})+$/, url);
  assert.equal(query, subject === null ? undefined : `subject=${subject}`);
  const u = new URL(url);
  assert.equal(u.protocol, "mailto:");
  assert.equal(u.href, url, "the URL parser finds nothing to encode");
  assert.equal(u.hash, "");
  assert.equal(u.searchParams.get("subject"), subject);
  return decodeURIComponent(u.pathname);
}

test("each mailto parses back to the list's address (RFC 6068), and each URL field fits a line or is left out", () => {
  fc.assert(
    fc.property(fc.oneof(listAddress, longAddress), names, (address, name) => {
      const f = listFields(address, name);
      const at = address.lastIndexOf("@");
      const request = `${address.slice(0, at)}-request${address.slice(at)}`;
      const wellFormed = !/[\ud800-\udfff]/.test(address.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""));
      for (const [value, to, subject] of [[f.post, address, null], [f.help, request, "help"], [f.unsubscribe, request, "unsubscribe"]] as const) {
        const url = mailto(to, subject ?? undefined);
        // Left out exactly when `<URL>` after a fold's space would pass the line.
        assert.equal(value === undefined, url.length + 3 > MAX_LINE, url);
        if (value === undefined) continue;
        assert.ok(value.length + 1 <= MAX_LINE);
        if (wellFormed) assert.equal(mailtoAddress(value, subject), to);
      }
      assert.equal(f.id, `${address.slice(0, at)}.${address.slice(at + 1)}`);
      assert.equal(f.loop, address);
      // List-Id's identifier and the loop field always fit (ADDRESS_MAX units of at most 3 octets).
      assert.ok(utf8Length(`X-Thwonk-Loop: ${f.loop}`) <= MAX_LINE && utf8Length(` <${f.id}>`) <= MAX_LINE);
      assert.equal(f.name, oneLine(name ?? address.slice(0, at), 100) || oneLine(address.slice(0, at), 100));
    }),
    { numRuns: 1500 },
  );
});

test("what RFC 6068 wants encoded is: ? # & = % / and the atext no URI holds; non-ASCII as UTF-8", () => {
  assert.equal(mailtoEncode("a?b#c&d=e%f/g"), "a%3Fb%23c%26d%3De%25f%2Fg");
  assert.equal(mailtoEncode("x^y`z{w}|v~u!$'*+-._"), "x%5Ey%60z%7Bw%7D%7Cv~u!$'*+-._");
  assert.equal(mailtoEncode("ännä.😀"), "%C3%A4nn%C3%A4.%F0%9F%98%80");
  assert.equal(mailtoEncode("\ud800x"), "%EF%BF%BDx", "a lone surrogate is U+FFFD, as TextEncoder writes it");
  assert.equal(mailto("a&b@example.org", "help"), "mailto:a%26b@example.org?subject=help");
  assert.deepEqual(listHeaderTexts("ännä.😀@example.org", "Ünï"), {
    "List-Id": "Ünï <ännä.😀.example.org>",
    "List-Post": "<mailto:%C3%A4nn%C3%A4.%F0%9F%98%80@example.org>",
    "List-Unsubscribe": "<mailto:%C3%A4nn%C3%A4.%F0%9F%98%80-request@example.org?subject=unsubscribe>",
    "X-Thwonk-Loop": "ännä.😀@example.org",
  });
  // A name that is empty or only blanks: the local part, as the From shows.
  assert.equal(listHeaderTexts("x@example.org", " \t")["List-Id"], "x <x.example.org>");
  for (const s of ["😀\u00e4\u4e2d\ud800\udc00", "\ud800", "a\udfffb"]) assert.equal(utf8Length(s), Buffer.byteLength(s), s);
});

test("at the longest, the URL fields that fit stay and the others are left out", () => {
  // 316 `%` (each %25): the three fit, List-Unsubscribe by 8 octets.
  const pct = listFields(`${"%".repeat(LOCAL_MAX)}@a.b`, "N");
  assert.ok(pct.post && pct.help && pct.unsubscribe);
  assert.equal(pct.unsubscribe.length + 1, 990);
  // 316 `ä` (each %C3%A4): none fits; List-Id and the loop field still do.
  const wide = listFields(`${"ä".repeat(LOCAL_MAX)}@a.b`, "N");
  assert.deepEqual([wide.post, wide.help, wide.unsubscribe], [undefined, undefined, undefined]);
  assert.deepEqual(Object.keys(listHeaderTexts(`${"ä".repeat(LOCAL_MAX)}@a.b`, "N")), ["List-Id", "X-Thwonk-Loop"]);
});
