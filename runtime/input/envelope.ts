/**
 * The SMTP envelope as the rule sees it: who handed the message over
 * (MAIL FROM) and which form of the list's address it was sent to (RCPT TO:
 * `list@`, `list-request@`, `list+tag@`).
 */
import { canonicalAddress } from "../../contract/values.js";
import type { EnvelopeJson } from "./types.js";

export interface EnvelopeGiven {
  /** MAIL FROM. Undefined: the From address stands in. Null, "" or "<>": a bounce (no sender). */
  mailFrom?: string | null;
  /** RCPT TO. Undefined: the list address. */
  rcptTo?: string;
}

const unbracket = (s: string): string => s.trim().replace(/^<(.*)>$/, "$1").trim();

/**
 * The envelopes read without a problem, by what they were read from: a list's mail comes from few senders to few
 * of its addresses. Frozen: messages share them (each message is frozen whole once parsed: runner.ts keepJson).
 */
const envelopes = new Map<string, EnvelopeJson>();

export function readEnvelope(given: EnvelopeGiven, from: string | null, listAddress: string, problems: string[]): EnvelopeJson {
  const { mailFrom, rcptTo } = given;
  // Each part marked by its kind (absent, null, or the text), so no two inputs share a key.
  const key =
    (typeof mailFrom === "string" || mailFrom === undefined || mailFrom === null) && (typeof rcptTo === "string" || rcptTo === undefined)
      ? `${mailFrom === undefined ? "u" : mailFrom === null ? "n" : `s${mailFrom}`}\u0000${rcptTo === undefined ? "u" : `s${rcptTo}`}\u0000${from === null ? "n" : `s${from}`}\u0000${listAddress}`
      : undefined;
  const kept = key === undefined || key.length > 1400 ? undefined : envelopes.get(key);
  if (kept) return kept;
  const count = problems.length;
  const e = readEnvelopeNow(given, from, listAddress, problems);
  if (key !== undefined && key.length <= 1400 && problems.length === count) {
    if (envelopes.size >= 1024) envelopes.clear();
    envelopes.set(key, Object.freeze(e));
  }
  return e;
}

function readEnvelopeNow(given: EnvelopeGiven, from: string | null, listAddress: string, problems: string[]): EnvelopeJson {
  let sender: string | null = from;
  if (given.mailFrom === null || (given.mailFrom !== undefined && unbracket(given.mailFrom) === "")) sender = null;
  else if (given.mailFrom !== undefined) {
    sender = canonicalAddress(unbracket(given.mailFrom)) ?? null;
    if (sender === null) problems.push(`the envelope sender ${JSON.stringify(given.mailFrom)} is not an address; the message is treated as a bounce`);
  }
  let recipient = listAddress;
  if (given.rcptTo !== undefined) {
    const r = canonicalAddress(unbracket(given.rcptTo));
    if (r === undefined) problems.push(`the envelope recipient ${JSON.stringify(given.rcptTo)} is not an address; the list address is used`);
    else recipient = r;
  }
  return { sender, recipient, ...addressForm(recipient, listAddress) };
}

/**
 * `list-request+x@d` → isRequest, tag "x"; local parts compare without case, as mail servers do. Read against the
 * list's own local part, which may hold a `+` or end in `-request` itself (a list at `a+b@` beside `a@`: `a+b+c@`
 * is its tag "c", `a+b-request@` its request address); a recipient that is no form of it, by its first `+`.
 */
export function addressForm(recipient: string, listAddress: string): { isRequest: boolean; tag: string | null } {
  const at = recipient.lastIndexOf("@");
  const local = recipient.slice(0, at);
  const listAt = listAddress.lastIndexOf("@");
  const listLocal = listAddress.slice(0, listAt).toLowerCase();
  const sameDomain = recipient.slice(at + 1).toLowerCase() === listAddress.slice(listAt + 1).toLowerCase();
  if (sameDomain && local.toLowerCase().startsWith(listLocal)) {
    const form = /^(-request)?(?:\+(.*))?$/is.exec(local.slice(listLocal.length));
    if (form) return { isRequest: form[1] !== undefined, tag: form[2] ?? null };
  }
  const plus = local.indexOf("+");
  const base = plus < 0 ? local : local.slice(0, plus);
  const isRequest = sameDomain && base.toLowerCase() === `${listLocal}-request`;
  return { isRequest, tag: plus < 0 ? null : local.slice(plus + 1) };
}
