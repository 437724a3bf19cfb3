/**
 * The list's own fields on the wire (runtime/mail/compose.ts from contract/list-fields.ts), read back from real
 * composed messages: every mailto percent-encoded (RFC 6068) and parsing back to the list's address, for local
 * parts with `? # & = % /`, with what no URI holds, and not ASCII (RFC 6531); List-Id's phrase encoded once and its
 * identifier, like X-Thwonk-Loop and From, in UTF-8 for a list at a non-ASCII address (RFC 6532), read back by
 * ingress's own header reader; no line over 998 octets, a URL field that cannot fit left out; a one-click copy keeps
 * the mailto. Fixed lists and a property over generated ones (fast-check), composed by the direct writer and by
 * nodemailer, parsed by mailparser.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { domainToUnicode } from "node:url";
import fc from "fast-check";
import { simpleParser } from "mailparser";
import type { RunAction } from "../../contract/index.js";
import { listFields, MAX_LINE } from "../../contract/list-fields.js";
import { ADDRESS_MAX, canonicalAddress, LOCAL_MAX } from "../../contract/values.js";
import { withOneClick } from "../../runtime/daemon/personal.js";
import { readHeaders } from "../../runtime/input/headers.js";
import { composeRun, decodeWords, phrase } from "../../runtime/mail/compose.js";

const at = { line: 1, column: 1 };
const NOW = Date.UTC(2026, 11, 7, 6, 0, 0);
const ACTIONS: RunAction[] = [
  { kind: "send", to: ["bob@example.org"], subject: "Hello", text: "Body", html: null, from: "list", replyTo: null, at },
  { kind: "send", to: ["bob@example.org"], subject: "Hello", text: "Body", html: "<p>Body</p>", from: "sender", replyTo: null, at },
  { kind: "reply", to: ["ann@example.org"], subject: "Re: Hi", text: "Thanks", html: null, headers: { "In-Reply-To": "<m1@example.org>" }, at },
  { kind: "forward", to: ["cy@example.org"], subject: "Hi", text: "Body", html: null, footer: "bye", messageId: "m1@example.org", at },
];

/** Whether a text is ASCII (as many UTF-8 octets as UTF-16 units). */
const isAscii = (s: string): boolean => Buffer.byteLength(s) === s.length;

const URL_FIELDS = [
  ["list-post", "post", null],
  ["list-help", "help", "help"],
  ["list-unsubscribe", "unsubscribe", "unsubscribe"],
] as const;

/** What a list's message must show of its fields (one message, raw). */
async function check(raw: Buffer, list: string, name: string | undefined): Promise<void> {
  const own = listFields(list, name);
  const end = raw.indexOf("\r\n\r\n");
  const headBytes = raw.subarray(0, end);
  assert.equal(new TextDecoder("utf-8", { fatal: true }).decode(headBytes).length > 0, true, "the header is UTF-8");
  // Every line within 998 octets (RFC 5322 2.1.1).
  for (const line of headBytes.toString("latin1").split("\r\n")) assert.ok(line.length <= MAX_LINE, `a line of ${line.length} octets: ${line.slice(0, 60)}`);
  const fields = readHeaders(raw).fields;
  const get = (n: string): string[] => fields.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v.trim());
  // Bytes past ASCII only where the list's address is, and only for a list at a non-ASCII address.
  const ascii = isAscii(list);
  for (const [k, v] of fields) {
    if (isAscii(v)) continue;
    assert.ok(!ascii && ["list-id", "x-thwonk-loop", "from", "to", "reply-to"].includes(k.toLowerCase()), `${k}: ${v}`);
  }
  // List-Id: the phrase written once (an atom, quoted, or encoded-words that decode to the name), the identifier as written.
  const [listId, ...more] = get("list-id");
  assert.equal(more.length, 0);
  const unfolded = listId!.replace(/\s+/g, " ");
  assert.equal(unfolded, `${phrase(own.name)} <${own.id}>`.replace(/\s+/g, " "));
  if (/^=\?/.test(unfolded)) assert.equal(decodeWords(unfolded), `${own.name} <${own.id}>`.replace(/\s+/g, " "));
  assert.deepEqual(get("x-thwonk-loop"), [list], "the loop field reads back as the list on ingress");
  const i = list.lastIndexOf("@");
  const request = `${list.slice(0, i)}-request${list.slice(i)}`;
  for (const [field, key, subject] of URL_FIELDS) {
    const value = get(field);
    if (own[key] === undefined) {
      assert.deepEqual(value, [], `${field} left out when it cannot fit`);
      continue;
    }
    assert.deepEqual(value, [own[key]]);
    const u = new URL(own[key].slice(1, -1));
    assert.equal(u.protocol, "mailto:");
    assert.equal(decodeURIComponent(u.pathname), key === "post" ? list : request);
    assert.equal(u.searchParams.get("subject"), subject);
  }
  const p = await simpleParser(raw);
  const read = p.headers.get("list") as { post?: { mail?: string } } | undefined;
  assert.equal(read?.post?.mail === undefined, own.post === undefined, "mailparser finds List-Post as a mailto");
  // From is the list's address, in UTF-8 as written (the fields read as ingress reads them; mailparser trims U+FEFF).
  // nodemailer writes the domain of an address with a non-ASCII local part in U-labels (RFC 6532 allows either).
  const i0 = list.lastIndexOf("@");
  const fromAddress = ascii ? list : `${list.slice(0, i0)}@${domainToUnicode(list.slice(i0 + 1))}`;
  // No address has a space past ASCII (U+00A0, U+FEFF: the one address rule refuses them), where nodemailer would
  // fold From and start a line that no field starts: From always reads back.
  assert.ok(get("from")[0]!.endsWith(` <${fromAddress}>`), get("from")[0]);
  if (!/xn--/.test(list)) assert.equal(p.from?.value[0]?.address, list);
  // A one-click copy keeps the mailto beside its link (it read an encoded-word before, and dropped it).
  const oneClick = withOneClick(raw, "https://lists.example.org/unsubscribe/TOKEN").toString("utf-8");
  const unsub = /^List-Unsubscribe:((?:.*)(?:\r\n[ \t].*)*)/im.exec(oneClick)?.[1]?.replace(/\r\n/g, "");
  assert.equal(unsub, ` <https://lists.example.org/unsubscribe/TOKEN>${own.unsubscribe ? `, ${own.unsubscribe}` : ""}`);
}

async function composeAll(list: string, name: string | undefined, viaNodemailer = false) {
  const incoming = { from: "ann@example.org", headers: [["From", "Ann <ann@example.org>"], ["Message-ID", "<m1@example.org>"]] as [string, string][] };
  return composeRun(ACTIONS, { list, listName: name, now: NOW, runKey: "k1", incoming, viaNodemailer });
}

const LISTS: [string, string | undefined][] = [
  ["a?b#c&d=e%f/g@example.org", "Specials"],
  ["x^y`z{w}|v~u!$'*+@example.org", undefined],
  ["ännä.😀@example.org", "Ünïcode list"],
  ["δοκιμή+tag@example.org", "=?utf-8?Q?Not_a_word?="],
  ["news@example.org", ""],
  // Marks and emoji sequences (a joiner, a selector, a keycap), long enough that the From line folds.
  [`${"q\u0301👩🏽\u200d💻".repeat(12)}❤\ufe0f.1\ufe0f\u20e3@example.org`, "Sequences"],
  // No address holds a space past ASCII now, but a name may: a fold there (JavaScript's \s) would start a line that
  // is no field.
  ["ännä.blanks@example.org", `${"a\u00a0".repeat(40)}b\ufeffc\u2028d\u3000e\u200b\u202ef`],
  [`${"%".repeat(LOCAL_MAX)}@a.b`, "Percent"],
  [`${"ä".repeat(LOCAL_MAX)}@a.b`, "Wide"],
  [`${"中".repeat(LOCAL_MAX)}@a.b`, "中文"],
  [`${"😀".repeat(LOCAL_MAX / 2)}@a.b`, "Astral"],
  [`${"é".repeat(ADDRESS_MAX - 1 - 253)}@${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.${"d".repeat(63)}`, "Long domain"],
];

test("each list's fields on send, reply and forward: mailto parsing back, UTF-8 where the address is, no line over 998", async () => {
  for (const [list, name] of LISTS) {
    assert.equal(canonicalAddress(list), list);
    const direct = await composeAll(list, name);
    const nodemailer = await composeAll(list, name, true);
    assert.equal(direct.length, ACTIONS.length);
    for (let k = 0; k < direct.length; k++) {
      assert.ok(direct[k]!.raw.equals(nodemailer[k]!.raw), `${list}: the direct writer's bytes are nodemailer's (message ${k + 1})`);
      await check(direct[k]!.raw, list, name);
    }
  }
});

test("no list is at an address with a space past ASCII, where nodemailer would fold From into a line that is no field", async () => {
  for (const c of ["\u00a0", "\ufeff", "\u2028", "\u2029", "\u3000", "\u202f", "\u200b"]) {
    const list = `${"a".repeat(40)}${c}b@example.org`;
    assert.equal(canonicalAddress(list), undefined, JSON.stringify(list));
  }
});

test("the mailto of a list with specials is exactly as RFC 6068 writes it; a non-ASCII list's is never an encoded-word", async () => {
  const [m] = await composeAll("a?b#c&d=e%f/g@example.org", "S");
  const head = m!.raw.toString("latin1");
  assert.match(head, /\r\nList-Post: <mailto:a%3Fb%23c%26d%3De%25f%2Fg@example\.org>\r\n/);
  assert.match(head, /\r\nList-Help:\r\n <mailto:a%3Fb%23c%26d%3De%25f%2Fg-request@example\.org\?subject=help>\r\n/);
  const [e] = await composeAll("ännä.😀@example.org", "Ünïcode list");
  const eai = e!.raw.toString("utf-8");
  assert.match(eai, /^List-ID: =\?UTF-8\?Q\?=C3=9Cn=C3=AFcode_list\?= <ännä\.😀\.example\.org>\r\n/);
  assert.match(eai, /\r\nList-Post: <mailto:%C3%A4nn%C3%A4\.%F0%9F%98%80@example\.org>\r\n/);
  assert.match(eai, /\r\nX-Thwonk-Loop: ännä\.😀@example\.org\r\n/);
  assert.match(eai, /\r\nFrom: =\?UTF-8\?Q\?=C3=9Cn=C3=AFcode_list\?= <ännä\.😀@example\.org>\r\n/);
  assert.doesNotMatch(eai.slice(0, eai.indexOf("\r\n\r\n")), /=\?UTF-8\?Q\?=3D=3F|=\?UTF-8\?Q\?=3Cmailto/i, "nothing encoded twice, no URL encoded");
});

const LOCAL_UNITS = [..."abz09!#$%&'*+/=?^_`{|}~-", "ä", "ß", "δ", "中", "😀", "q\u0301", "👩🏽\u200d💻", "❤\ufe0f", "1\ufe0f\u20e3"];
const atom = fc.array(fc.constantFrom(...LOCAL_UNITS), { minLength: 1, maxLength: 10 }).map((cs) => cs.join(""));
const listAddress = fc
  .tuple(fc.array(atom, { minLength: 1, maxLength: 4 }), fc.constantFrom("example.org", "a.b", "xn--p1ai.xn--p1ai"), fc.nat({ max: 300 }), fc.constantFrom("a", "%", "ä", "😀"))
  .map(([atoms, d, pad, c]) => {
    // Some of them long: a run of one character, cut to what ADDRESS_MAX leaves.
    let local = atoms.join(".") + c.repeat(pad);
    local = local.slice(0, ADDRESS_MAX - 1 - d.length);
    if (/[\ud800-\udbff]$/.test(local)) local = local.slice(0, -1);
    return `${local}@${d}`;
  })
  .filter((a) => canonicalAddress(a) === a);

test("property: any list's composed messages show its fields as they must be", async () => {
  await fc.assert(
    fc.asyncProperty(listAddress, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (list, name) => {
      const [m, , reply] = await composeAll(list, name);
      await check(m!.raw, list, name);
      await check(reply!.raw, list, name);
    }),
    { numRuns: 120, reporter: (r) => { if (r.failed) throw new Error(`${JSON.stringify(r.counterexample)}: ${r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance)}`); } },
  );
});
