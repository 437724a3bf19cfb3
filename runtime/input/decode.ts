/**
 * What a rule reads of the header fields, decoded by the host before the run
 * (issue 15), so the sandbox sees plain text: each field's value with its
 * RFC 2047 encoded words decoded (`=?UTF-8?Q?Zo=C3=AB?=` → `Zoë`), the From
 * header's display name, and the Reply-To address. The raw values stay as
 * they were read (unfolded, runtime/input/headers.ts) for `headers.raw`.
 *
 * A decoded value is one line of text: a control character an encoded word
 * carries (CR, LF, NUL, a tab) becomes a space, so nothing decoded can start
 * a header of a message a rule sends (and its JSON has no escapes but `\\`
 * and `\"`, which the memory bound counts on: compiler/verify/memory.ts). It is never longer than the raw value (an encoded word is longer
 * than what it encodes), so it fits the limits the raw value was checked
 * against; a value whose decoding would be longer, or would bring in U+FFFD
 * (a broken word, an unknown charset) or half a surrogate pair (a UTF-16 or
 * UTF-32 word can carry one; text the host reads never has one), is kept as
 * written. A display name gets U+FFFD for such a half.
 */
import { domainToASCII } from "node:url";
import libmime from "libmime";
import { parseAddressHeader } from "mailparser";
import { canonicalAddress } from "../../contract/values.js";
import { codePoints } from "./chars.js";

/**
 * A header field's address, canonical: one whose domain is written in Unicode (a UTF-8 header field, RFC 6532) with
 * that domain in ASCII (`ann@bücher.example` is `ann@xn--bcher-kva.example`), as every Address is written; without
 * it the From of such a message was no address, so neither a member's post nor the list's own mail was known.
 */
export function mailboxAddress(address: string): string | undefined {
  const c = canonicalAddress(address);
  if (c !== undefined) return c;
  const at = address.lastIndexOf("@");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character: only a domain outside it is converted
  if (at < 1 || /^[\x00-\x7f]*$/.test(address.slice(at + 1))) return undefined;
  const ascii = domainToASCII(address.slice(at + 1).trim());
  return ascii ? canonicalAddress(`${address.slice(0, at)}@${ascii}`) : undefined;
}

/** What parseEml adds to a message besides its raw header fields. */
export interface DecodedHeaders {
  /** The decoded value of each field, null where it is the raw value itself (nothing to decode). */
  decoded: (string | null)[];
  fromName: string;
  replyTo: string | null;
}

const ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a decoded control character is what is removed
export const CONTROLS = /[\u0000-\u001f\u007f]+/g;
/** Half a surrogate pair, alone (a pair is one code point under `u`, never matched). */
export const LONE_HALF = /\p{Cs}/u;

/** One value decoded, or undefined when it is best kept as written. */
export function decodeValue(raw: string): string | undefined {
  if (!ENCODED_WORD.test(raw)) return undefined;
  let out: string;
  try {
    out = libmime.decodeWords(raw);
  } catch {
    return undefined;
  }
  out = out.replace(CONTROLS, " ");
  if (out === raw) return undefined;
  if (out.includes("\uFFFD") && !raw.includes("\uFFFD")) return undefined;
  if (LONE_HALF.test(out)) return undefined;
  if (codePoints(out) > codePoints(raw)) return undefined;
  return out;
}

/** A display name as text: decoded by the address parser, one line, no longer than the field it came from. */
function oneLine(name: string, raw: string): string {
  if (name === "") return "";
  const t = name.replace(CONTROLS, " ").replace(/\p{Cs}/gu, "\uFFFD").trim();
  return codePoints(t) > codePoints(raw) ? "" : t;
}

/** A mailbox as mailparser's address parser gives it. */
export interface Mailbox {
  name?: string;
  address?: string;
}

/**
 * The decoded values, the From display name and the Reply-To address of a message's header fields.
 * `fromBoxes`: the first From field's mailboxes when the caller has parsed them already (`mailboxes` of its value).
 */
export function decodeHeaders(
  fields: readonly (readonly [string, string])[],
  from: string | null,
  fromBoxes?: readonly Mailbox[],
  firsts?: { firstFrom: string | undefined; replyTo: string | undefined },
): DecodedHeaders {
  const decoded: (string | null)[] = [];
  // Most values have no encoded word: `=?` is looked for before the pattern.
  for (let i = 0; i < fields.length; i++) decoded.push(fields[i]![1].includes("=?") ? (decodeValue(fields[i]![1]) ?? null) : null);
  const first = (name: string): string | undefined => fields.find(([n]) => n.toLowerCase() === name)?.[1];
  const fromValue = firsts ? firsts.firstFrom : first("from");
  const replyTo = firsts ? firsts.replyTo : first("reply-to");
  return { decoded, fromName: nameOf(fromValue, from, fromBoxes), replyTo: addressOf(replyTo) };
}

/** The name of the From mailbox whose address is `from` (the first one otherwise); "" when it has none. */
function nameOf(raw: string | undefined, from: string | null, parsed?: readonly Mailbox[]): string {
  if (raw === undefined) return "";
  const boxes = parsed ?? mailboxes(raw);
  const hit = boxes.find((b) => b.address !== undefined && mailboxAddress(b.address) === from) ?? boxes[0];
  return oneLine(hit?.name ?? "", raw);
}

/** The first readable address of Reply-To, canonical; null when there is none. */
function addressOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  for (const b of mailboxes(raw)) {
    const c = b.address ? mailboxAddress(b.address) : undefined;
    if (c !== undefined) return c;
  }
  return null;
}

function mailboxes(raw: string): Mailbox[] {
  try {
    return parseMailboxes([raw]);
  } catch {
    return [];
  }
}

/** A field value that is one bare address, `a@b` or `<a@b>`, of the characters mailparser gives back as they are. */
const BARE = /^[ \t]*(?:<([A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9][A-Za-z0-9.-]*)>|([A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9][A-Za-z0-9.-]*))[ \t]*$/;

/**
 * The mailboxes of address field values (groups flattened), each value's in turn, as mailparser's
 * parseAddressHeader gives them without decoding punycode; a value that is one bare address is read directly
 * (the same mailbox: test/runtime-input/mailboxes.test.ts).
 */
export function parseMailboxes(values: readonly string[]): Mailbox[] {
  const out: Mailbox[] = [];
  for (const v of values) {
    const bare = bareMailbox(v);
    if (bare) out.push(bare[0]!);
    else for (const m of parseAddressHeader([v], { flatten: true, decodePunycode: false }).value as Mailbox[]) out.push(m);
  }
  return out;
}

/** A field value that is one bare address: the one mailbox an address parser reads of it (mailparser's, nodemailer's), without one. */
export function bareMailbox(value: string): [{ address: string; name: string }] | undefined {
  const m = BARE.exec(value);
  return m ? [{ address: m[1] ?? m[2]!, name: "" }] : undefined;
}
