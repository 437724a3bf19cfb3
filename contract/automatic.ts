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
  /** Whether this value (as markerValue reads it) marks the message automatic. */
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

/** How much of a marker's value is read. */
export const MARKER_READ = 256;

/**
 * A marker's value as RFC 3834 reads `Auto-Submitted` (`[CFWS] keyword [CFWS] *(";" parameter)`), the de facto
 * markers read alike: its comments (nested, with quoted pairs) and everything from the first `;` outside them left
 * out, trimmed. So `no (sent by a person)` is `no`, and `auto-replied; owner-email="a@b"` is `auto-replied`. One
 * pass over the value's first MARKER_READ characters (a marker is a word: the rest is a comment or a parameter, and
 * the prelude walks it a character a step), as the prelude's `__markerValue` makes it (the two agree:
 * test/contract/automatic.test.ts).
 */
export function markerValue(value: string): string {
  let out = "";
  let depth = 0;
  let from = 0;
  const end = Math.min(value.length, MARKER_READ);
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    if (depth > 0) {
      if (c === 0x5c) i++; // a quoted pair: the next character is only that
      else if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) from = i + 1;
    } else if (c === 0x28) {
      out += value.slice(from, i);
      depth = 1;
    } else if (c === 0x3b) {
      out += value.slice(from, i);
      return out.trim();
    }
  }
  return (depth > 0 ? out : out + value.slice(from, end)).trim();
}

/**
 * The first marker that says the message with these header fields is automatic, or undefined. Each value is read as
 * the rule reads it (`m.headers.get`): decoded where `decoded` has it (runtime/input/decode.ts), so a marker written
 * in an encoded word is the same marker to both.
 */
export function automaticMarker(headers: readonly (readonly [string, string])[], decoded?: readonly (string | null)[]): AutomaticMarker | undefined {
  for (const marker of AUTOMATIC_MARKERS)
    for (let i = 0; i < headers.length; i++) {
      const [name, raw] = headers[i]!;
      if (name.toLowerCase() === marker.field && marker.marks(markerValue(decoded?.[i] ?? raw))) return marker;
    }
  return undefined;
}
