/**
 * parseEml and checkMessage on a recorded corpus
 * (test/golden/corpus/eml.json and eml-limits.json, `THWONK_BLESS=1`
 * records them again): the message a rule sees, key for key and in the same
 * order (its JSON is recorded), with its problems and refusals, and the
 * words a message is refused with under any limits, kept or not, frozen
 * limits or not. Field names in any case, repeated, folded; encoded words;
 * addresses good and bad; dates in every form; unicode beyond the BMP (a
 * code point is counted once, two UTF-16 units); limits at, just under and
 * far under what a message carries.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseEml } from "../../runtime/input/eml.js";
import { checkMessage, type RuleLimits } from "../../runtime/input/limits.js";
import { keepJson } from "../../runtime/input/json-parts.js";
import { checkCorpus, draw } from "../helpers/corpus.js";

const word = fc.constantFrom("ann", "Bob", "zoë", "☕", "😀", "=?utf-8?Q?Zo=C3=AB?=", "=?utf-8?B?8J+YgA==?=", "=?x-unknown?Q?a?=", "a,b", '"q"', "(c)", "<", ">", "@", "", " ");
const text = fc.array(word, { maxLength: 6 }).map((w) => w.join(" "));
const address = fc.constantFrom("ann@example.org", "Bob@Example.ORG", "list@lists.localhost", "list-request@lists.localhost", "x@", "not an address", "zoë@example.org", `${"a".repeat(70)}@example.org`, "");
const mailbox = fc.oneof(
  address,
  fc.tuple(text, address).map(([n, a]) => `${n} <${a}>`),
  fc.tuple(text, address).map(([n, a]) => `"${n}" <${a}>`),
  fc.array(address, { minLength: 1, maxLength: 4 }).map((a) => a.join(", ")),
  fc.constantFrom("undisclosed-recipients:;", "group: a@b.c, d@e.f;"),
);
const date = fc.constantFrom(
  "Sun,  6 Dec 2026 14:53:38 +0000 (UTC)",
  "Sun, 6 Dec 2026 14:53:38 +0100",
  "6 Dec 26 14:53 EST",
  "Mon, 31 Feb 2026 10:00:00 +0000",
  "2026-12-06T14:53:38Z",
  "yesterday",
  "Sun, 06 Dec 2026 25:00:00 +0000",
  "",
);
const name = (n: string) => fc.constantFrom(n, n.toUpperCase(), n.toLowerCase(), n[0]!.toUpperCase() + n.slice(1).toLowerCase());
const field = fc.oneof(
  fc.tuple(name("From"), mailbox).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("To"), mailbox).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("Cc"), mailbox).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("Reply-To"), mailbox).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("Subject"), text).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("Date"), date).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(name("Message-ID"), fc.constantFrom("<a.1@vm>", "a.2@vm", "<b@c> (comment)", "", "<😀@x>")).map(([n, v]) => `${n}: ${v}`),
  fc.tuple(fc.constantFrom("X-Note", "Received", "X-Thwonk-Hops", "Cc2", "Fro", "Subjects"), text).map(([n, v]) => `${n}: ${v}`),
  fc.constantFrom("Content-Type: text/plain; charset=utf-8", "Content-Type: text/html", "X-Folded: one\r\n two", "Subject: folded\r\n on", "bad line"),
);
const messages = fc
  .record({ fields: fc.array(field, { maxLength: 10 }), body: fc.array(text, { maxLength: 4 }) })
  .map(({ fields, body }) => `${fields.join("\r\n")}\r\n\r\n${body.join("\r\n")}\r\n`);

/** Limits around what generated messages carry (each absent sometimes: the stdlib's default then). */
const limits = fc
  .record(
    {
      header: fc.integer({ min: 1, max: 120 }),
      headers: fc.integer({ min: 0, max: 12 }),
      recipients: fc.integer({ min: 0, max: 6 }),
      subject: fc.integer({ min: 0, max: 40 }),
      text: fc.integer({ min: 0, max: 80 }),
      html: fc.integer({ min: 0, max: 80 }),
      size: fc.integer({ min: 50, max: 2000 }),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const out: RuleLimits = {};
    for (const [k, v] of Object.entries(r)) out[k] = { value: v, unit: k === "size" ? "bytes" : k === "recipients" ? "addresses" : k === "headers" ? "fields" : "characters" } as RuleLimits[string];
    return out;
  });

const envelopes = [
  { mailFrom: "from@example.org", rcptTo: "list+tag@lists.localhost" },
  { mailFrom: null, rcptTo: "list@lists.localhost" },
  { mailFrom: "<>", rcptTo: "LIST-request@lists.localhost" },
  { mailFrom: "<Ann@Example.org>" },
  { rcptTo: "list-request+x@lists.localhost" },
  {},
  { mailFrom: "not an address", rcptTo: "nor this" },
  { mailFrom: "from@example.org", rcptTo: "other@elsewhere.org" },
];
/** The options of reading `i`: the envelopes in turn (a list's envelopes repeat: kept ones are given again). */
const options = (l: RuleLimits | undefined, i: number) => ({
  listAddress: i % 3 === 0 ? "list@lists.localhost" : "List@Lists.Localhost",
  envelope: envelopes[i % envelopes.length]!,
  ...(l ? { limits: l } : {}),
});

/** What a reading gave, one output per key (the keys in order). */
const outputs = (value: object) => Object.entries(value).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);

test("parseEml gives the recorded message, problems and refusals, key for key", async () => {
  const cases = [];
  for (const [i, [text, l]] of draw(fc.tuple(messages, fc.option(limits, { nil: undefined })), 300, 7201).entries()) {
    const raw = Buffer.from(text, "utf8");
    const o = options(l, i);
    const now = await parseEml(raw, o);
    cases.push({ input: [text, l ?? null, i], outputs: outputs(now) });
  }
  checkCorpus("eml", cases);
});

test("checkMessage refuses a message with the recorded words, kept or not, frozen limits or not", async () => {
  const cases = [];
  for (const [i, [text, l, freeze]] of draw(fc.tuple(messages, limits, fc.boolean()), 300, 7202).entries()) {
    const raw = Buffer.from(text, "utf8");
    const { message, size } = await parseEml(raw, options(undefined, i));
    const rule = freeze ? Object.freeze(l) : l;
    const first = checkMessage(message, rule, size);
    keepJson(message);
    assert.deepEqual(checkMessage(message, rule, size), first, "kept");
    assert.deepEqual(checkMessage(message, rule, size), first, "asked again");
    cases.push({ input: [text, l, freeze, i], outputs: [JSON.stringify(first)] });
  }
  checkCorpus("eml-limits", cases);
});

test("checkMessage on hand-made messages: surrogate pairs count once, lone halves and long values as recorded", () => {
  const pair = "😀";
  const base = { from: "a@b.c", to: [], cc: [], subject: "", text: "", html: null, headers: [] as [string, string][], attachments: [], date: null, messageId: "", envelope: { sender: null, recipient: "list@b.c", isRequest: false, tag: null } };
  const rule: RuleLimits = { subject: { value: 3, unit: "characters" }, header: { value: 4, unit: "characters" }, text: { value: 2, unit: "characters" } };
  const cases = [];
  for (const subject of ["", "abc", "abcd", pair.repeat(3), pair.repeat(4), `${pair}\uD800ab`]) {
    for (const h of [[], [["X", pair.repeat(4)]], [["X", pair.repeat(5)]], [["Xyzab", "a"]], [["Message-ID", "<a@b>"]]] as [string, string][][]) {
      const m = { ...base, subject, text: subject, headers: h, messageId: pair.repeat(5), decoded: h.map(() => `${pair}\u0001`), fromName: pair.repeat(5) };
      const now = checkMessage(m, rule, 10);
      cases.push({ input: [subject, h], outputs: [JSON.stringify(now)] });
    }
  }
  checkCorpus("eml-hand-made", cases);
});
