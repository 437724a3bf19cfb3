/**
 * What makes a message automatic: mail that must not be answered automatically. One notion for the product: the
 * stdlib's `m.isAutomated()` (the prelude's `__automated`, contract/prelude/library.js, which
 * test/contract/automatic.test.ts runs against this table) and thwonkd's -request address (runtime/daemon/requests.ts).
 *
 * RFC 3834's `Auto-Submitted`, and the de facto markers of the auto-responders that do not write it (vacation
 * programs, Exchange's out-of-office, ticket systems; the list in "Detecting automatically generated emails",
 * https://www.arp242.net/autoreply.html). An auto-responder marked only by one of those, answered, answers the answer:
 * a ping-pong, and one writing to a -request confirmation's Reply-To would confirm a forger's unsubscribe.
 */

/** One marker: the header field, and which of its values say the message is automatic (any field of that name). */
export interface AutomaticMarker {
  field: string;
  /** Whether this value (trimmed) marks the message automatic. */
  marks: (value: string) => boolean;
  /** What it is, in words: why a message it marks is not answered. */
  what: string;
}

/** `Precedence` values that say bulk or automatic mail (`auto_reply` is written by some vacation programs). */
export const AUTOMATIC_PRECEDENCE = /^(bulk|list|junk|auto_reply)$/i;
/** `X-Auto-Response-Suppress` (Exchange, MS-OXCMAIL) values that ask for no automatic reply: All, OOF, AutoReply. */
export const SUPPRESS_AUTO_REPLY = /(^|,)\s*(all|oof|autoreply)\s*(,|$)/i;

export const AUTOMATIC_MARKERS: readonly AutomaticMarker[] = [
  { field: "auto-submitted", marks: (v) => v.toLowerCase() !== "no", what: "automatic mail (Auto-Submitted, RFC 3834)" },
  { field: "precedence", marks: (v) => AUTOMATIC_PRECEDENCE.test(v), what: "bulk, list or automatic mail (Precedence)" },
  { field: "x-autoreply", marks: (v) => v.toLowerCase() !== "no", what: "an automatic reply (X-Autoreply)" },
  { field: "x-autorespond", marks: () => true, what: "an automatic reply (X-Autorespond)" },
  { field: "x-auto-response-suppress", marks: (v) => SUPPRESS_AUTO_REPLY.test(v), what: "mail that asks for no automatic reply (X-Auto-Response-Suppress)" },
  { field: "list-id", marks: () => true, what: "mail from a mailing list (List-Id)" },
];

/** The first marker that says the message with these header fields is automatic, or undefined. */
export function automaticMarker(headers: readonly (readonly [string, string])[]): AutomaticMarker | undefined {
  for (const marker of AUTOMATIC_MARKERS)
    for (const [name, value] of headers) if (name.toLowerCase() === marker.field && marker.marks(value.trim())) return marker;
  return undefined;
}
