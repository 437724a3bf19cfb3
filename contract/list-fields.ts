/**
 * The list's own header fields (List-Id, List-Post, List-Help, List-Unsubscribe, X-Thwonk-Loop), decided once:
 * runtime/mail/compose.ts writes them on the wire from `listFields`, runtime/run/list-headers.ts adds
 * `listHeaderTexts` to a run's send and forward actions, and the prelude's `__listHeaderTexts`
 * (contract/prelude/library.js, which cannot import this) is a copy for a reply's; test/contract/list-fields.test.ts
 * checks the copy against this for many lists. docs/mail-out.md ("The list's own fields") says what they are.
 *
 * - A mailto URL (RFC 6068 2) has its address percent-encoded: every character outside RFC 3986's unreserved ones
 *   and the sub-delims RFC 6068 leaves alone (`! $ ' * +`) as its UTF-8 octets, so `? # & = % /` and the atext
 *   characters no URI may hold (`^ ` { | }`) cannot end the address or start a query, and a non-ASCII local part
 *   (RFC 6531) is the `%XX` of its UTF-8, never an RFC 2047 encoded-word, which no one reads inside a URL.
 * - List-Id's identifier (RFC 2919) and X-Thwonk-Loop are the address as written: a list at a non-ASCII address
 *   sends only with SMTPUTF8 (its bounce address is the envelope sender, its address the From), so they go in
 *   UTF-8 (RFC 6532) as From does, and X-Thwonk-Loop reads back as the list on ingress.
 * - No line passes 998 octets (RFC 5322 2.1.1). A URL field is folded only before its `<` (RFC 2369 2: nothing may
 *   be inserted inside the brackets), so one whose `<URL>` with the fold's space would pass the line is left out.
 */

/** RFC 5322 2.1.1: a line of a message is at most 998 octets, its CRLF aside. */
export const MAX_LINE = 998;

/** Text for a header: no control characters (a CR or LF would start a new header), one line, at most `max` code points. */
export function oneLine(s: string, max = MAX_LINE): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
  // No more code points than UTF-16 units: a text that short is within `max` without counting.
  if (one.length <= max) return one;
  const cps = Array.from(one);
  return cps.length <= max ? one : cps.slice(0, max).join("");
}

/** The ASCII characters a mailto's address keeps as they are (RFC 6068 2): unreserved, and `! $ ' * +`. */
const PLAIN = /^[A-Za-z0-9\-._~!$'*+]*$/;
const HEX = "0123456789ABCDEF";
const pct = (b: number): string => `%${HEX[b >> 4]}${HEX[b & 15]}`;

/** Text percent-encoded for a mailto URL (RFC 6068 2): each character but the plain ones as its UTF-8 octets (a lone surrogate as U+FFFD's). */
export function mailtoEncode(s: string): string {
  if (PLAIN.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out += PLAIN.test(s[i]!) ? s[i] : pct(c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x800) out += pct(0xc0 | (c >> 6)) + pct(0x80 | (c & 63));
    else if (c < 0x10000) out += pct(0xe0 | (c >> 12)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
    else out += pct(0xf0 | (c >> 18)) + pct(0x80 | ((c >> 12) & 63)) + pct(0x80 | ((c >> 6) & 63)) + pct(0x80 | (c & 63));
  }
  return out;
}

/** A mailto URL for an address (split at its last `@`), with a subject when given: `mailto:LOCAL@DOMAIN?subject=S`. */
export function mailto(address: string, subject?: string): string {
  const at = address.lastIndexOf("@");
  const url = `mailto:${mailtoEncode(address.slice(0, at))}@${mailtoEncode(address.slice(at + 1))}`;
  return subject === undefined ? url : `${url}?subject=${mailtoEncode(subject)}`;
}

/** The octets of a text's UTF-8 (a lone surrogate as three, U+FFFD's). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) (n += 2), i++;
    else n += 2;
  }
  return n;
}

/** A URL field's value, `<URL>`, or undefined when it could not be written within a line (folded before its `<`). */
function urlField(url: string): string | undefined {
  // The URL is ASCII (percent-encoded): its octets are its characters. A fold puts a space before it.
  return url.length + 3 <= MAX_LINE ? `<${url}>` : undefined;
}

/** The list's fields, as a reader sees them once decoded (List-Id's phrase is written encoded when it must be). */
export interface ListFields {
  /** List-Id's phrase, and the name the list's From shows: its name on one line, at most 100 characters; its local part (as far) when that is empty. */
  name: string;
  /** List-Id's identifier, without its brackets: `LOCAL.DOMAIN`, the address as written (UTF-8 when it is not ASCII). */
  id: string;
  /** `<mailto:LIST>`: List-Post's value; undefined when it cannot fit a line. */
  post: string | undefined;
  /** `<mailto:LOCAL-request@DOMAIN?subject=help>`: List-Help's value; undefined when it cannot fit a line. */
  help: string | undefined;
  /** `<mailto:LOCAL-request@DOMAIN?subject=unsubscribe>`: List-Unsubscribe's value; undefined when it cannot fit a line. */
  unsubscribe: string | undefined;
  /** X-Thwonk-Loop's value: the list's address. */
  loop: string;
}

/** The fields of the list at `address` named `name` (undefined: no name; its local part then). */
export function listFields(address: string, name: string | undefined): ListFields {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const request = `${local}-request@${domain}`;
  return {
    name: oneLine(name ?? local, 100) || oneLine(local, 100),
    id: `${local}.${domain}`,
    post: urlField(mailto(address)),
    help: urlField(mailto(request, "help")),
    unsubscribe: urlField(mailto(request, "unsubscribe")),
    loop: address,
  };
}

/**
 * The texts a run's send, forward and reply actions carry as their `headers` (what `thwonkc run` and a test show):
 * List-Id as `NAME <ID>`, List-Post and List-Unsubscribe (each only when it is sent), X-Thwonk-Loop. The prelude's
 * `__listHeaderTexts` is a copy of this.
 */
export function listHeaderTexts(address: string, name: string | undefined): Record<string, string> {
  const f = listFields(address, name);
  const out: Record<string, string> = { "List-Id": `${f.name} <${f.id}>` };
  if (f.post !== undefined) out["List-Post"] = f.post;
  if (f.unsubscribe !== undefined) out["List-Unsubscribe"] = f.unsubscribe;
  out["X-Thwonk-Loop"] = f.loop;
  return out;
}
