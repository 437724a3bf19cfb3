/**
 * The value rules outside the sandbox, so literals in the source (the
 * compiler), the input a host builds (runtime/input) and the compiled code
 * (`__addr` and `F$publish` in contract/prelude/library.js, which mirror the
 * rules here; test/contract/values.test.ts checks they agree) make the same
 * values of the same text. docs/language.md ("Addresses", "Publish paths")
 * states them for rule authors.
 */

/** RFC 5322 atext and, as RFC 6531 allows, any character past U+009F: what a dot-atom's parts are made of. */
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\uffff-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~\u00a0-\uffff-]+)*$/;
/** Host names (RFC 1123): labels of letters, digits and inner hyphens, two at least, the last starting with a letter. */
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A unit past ASCII (a surrogate half too). */
const NOT_ASCII = /[\u0080-\uffff]/;

/** Half of a surrogate pair alone (with `u`, a pair is one code point, and only a lone half is in category Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What a local part may not hold though LOCAL admits it: characters a reader cannot see or that change how the text
 * around them is shown, so `ann<U+200B>@example.org` would pass for `ann@example.org` and a U+202E would turn a From
 * line or a members list around. RFC 6532 3.1/3.2 ask for NFC and discourage such characters; Unicode's UTS #39
 * leaves them out of identifiers (Identifier_Status Restricted); the big providers refuse them in mailbox names.
 * Letters, marks, numbers, punctuation, symbols and emoji stay. The set is written out (not as
 * `\p{Default_Ignorable_Code_Point}` or `\p{Z}`, which grow with Unicode versions) so the host and QuickJS, each with
 * its own Unicode tables, agree, and an engine update changes no address:
 * - the separators (category Z): U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000;
 * - the default ignorables: soft hyphen U+00AD, U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, U+17B4,
 *   U+17B5, the Mongolian selectors U+180B–U+180F, U+200B–U+200F (zero-width space, non-joiner, joiner, the marks),
 *   U+2060–U+206F (word joiner, invisible operators, the isolates U+2066–U+2069), the variation selectors
 *   U+FE00–U+FE0F, U+FEFF, U+FFF0–U+FFF8, U+1BCA0–U+1BCA3, U+1D173–U+1D17A and U+E0000–U+E0FFF (tags and the
 *   selectors past U+E0100);
 * - the bidirectional controls: U+200E, U+200F and the isolates among those, U+061C, and the embeddings and
 *   overrides U+202A–U+202E;
 * - the interlinear annotation marks U+FFF9–U+FFFB (they hide what they wrap), the blank braille pattern U+2800 (it is
 *   drawn as a space), private use (U+E000–U+F8FF, planes 15 and 16: drawn as anything, or nothing) and the
 *   noncharacters (U+FDD0–U+FDEF and the last two of every plane: `\p{Noncharacter_Code_Point}`, fixed for good).
 * Emoji sequences keep their joiner and selector, where they are seen (the pictographs around a joiner are drawn as
 * one; family and profession emoji are such sequences): U+200D between two pictographs (`\p{Extended_Pictographic}`,
 * which Unicode reserved ahead, so it does not move either), the first maybe with a skin tone or U+FE0F (👩🏽‍💻, 🏳️‍🌈),
 * and U+FE0F after a pictograph (❤️) or between a digit, `#` or `*` and the keycap U+20E3 (1️⃣). Anywhere else they
 * are invisible too, and refused.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is refused on its own, U+034F (a mark) too
  /[\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200c\u200e\u200f\u2028-\u202f\u205f-\u206f\u2800\u3000\u3164\ue000-\uf8ff\ufe00-\ufe0e\ufeff\uffa0\ufff0-\ufffb\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}\u{f0000}-\u{10ffff}]|\p{Noncharacter_Code_Point}|(?<!\p{Extended_Pictographic}[\u{1f3fb}-\u{1f3ff}\ufe0f]?)\u200d|\u200d(?!\p{Extended_Pictographic})|(?<!\p{Extended_Pictographic}|[0-9#*])\ufe0f|(?<!\p{Extended_Pictographic})\ufe0f(?!\u20e3)/u;

/** The longest address, in UTF-16 units (of its canonical form: lower case and NFC). */
export const ADDRESS_MAX = 320;
/**
 * NFC makes text at most this many times shorter in UTF-16 units (a character of four in NFD, such as U+1F82 `ᾂ`,
 * is one; a CJK compatibility ideograph past U+FFFF is one unit in the BMP), and lower-casing makes none shorter:
 * a trimmed string longer than NORMALISED_FROM × ADDRESS_MAX is no address, told before it is normalised.
 */
const NORMALISED_FROM = 4;
/** The longest local part an address can have within ADDRESS_MAX: `@` and the shortest host name (`a.b`) take 4. */
export const LOCAL_MAX = ADDRESS_MAX - 4;

/**
 * The one address rule: `local@domain` with a dot-atom local part (RFC 5322
 * atext, or any character past U+009F as RFC 6531 allows, but none that
 * INVISIBLE names: no separator, invisible character or bidirectional
 * control) and a host name of
 * two labels or more, at most 255 long (so `ann@localhost`, `ann@exa_mple.org`,
 * controls, spaces, quotes and a second `@` are not addresses), 320 UTF-16
 * units at most in all (the stdlib's Address bound), and well formed (half of
 * a surrogate pair alone has no UTF-8: no client could write it). The local part has no
 * bound of its own: RFC 5321 4.5.3.1 asks servers to take local parts past 64
 * where they can, and a sender whose address has one is still a sender (read
 * as no address, its mail was taken for a bounce and never answered). The
 * whole bound leaves it at most 316 (`LOCAL_MAX`, the shortest host name
 * being `a.b`), which the stdlib's `local` and `tag` bounds assume.
 * Surrounding white space is ignored. The canonical form is the whole
 * address in lower case, then in Unicode Normalization Form C (NFC, as RFC
 * 6532 3.1 asks): mail clients capitalise local parts differently and no real
 * mailbox tells `Ann@` from `ann@`, and one client writes `é` as U+00E9 where
 * another writes `e` + U+0301, so membership, equality, map keys and
 * de-duplication all compare it. The rule is applied to the canonical form
 * (its length, its characters: U+037E GREEK QUESTION MARK is `;` in NFC, so
 * refused), and canonicalAddress(canonicalAddress(s)) is canonicalAddress(s).
 * Undefined when `s` is not an address.
 */
export function canonicalAddress(s: string): string | undefined {
  const trimmed = s.trim();
  if (trimmed.length > NORMALISED_FROM * ADDRESS_MAX) return undefined;
  // Lower case first, then NFC: lower-casing can leave text unnormalised (`İ` is `i` + U+0307, which must go after a
  // mark of a lower combining class), and NFC of lower-case text is lower case, so the result is a fixed point.
  const lower = trimmed.toLowerCase();
  // ASCII (most addresses, each message's several) is its own NFC and holds nothing INVISIBLE or LONE_SURROGATE names.
  const ascii = !NOT_ASCII.test(lower);
  const t = ascii ? lower : lower.normalize("NFC");
  if (t.length > ADDRESS_MAX) return undefined;
  const at = t.indexOf("@");
  if (at < 1 || t.length - at - 1 > 255 || (!ascii && LONE_SURROGATE.test(t))) return undefined;
  const local = t.slice(0, at);
  return LOCAL.test(local) && (ascii || !INVISIBLE.test(local)) && DOMAIN.test(t.slice(at + 1)) ? t : undefined;
}

/** Whether the checker accepts an address literal (TW2xxx invalidAddress): exactly the addresses the runtime loads. */
export function isValidAddress(s: string): boolean {
  return canonicalAddress(s) !== undefined;
}

/** The longest publish path, in characters. */
export const MAX_PUBLISH_PATH = 200;
const PATH = /^(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+$/;

/**
 * The one publish path rule: `name.ext` or `dir/.../name.ext`, 200
 * characters at most. Folders are letters, digits, `_` and `-`; the file
 * name is the same with one or more `.ext` after it. So no path is empty,
 * absolute, ends in `/`, has an empty part (`a//b`), a hidden part
 * (`.htaccess`, `.git`) or `..`; and since a file's name always has a dot
 * and a folder's never does, no path is both a file and a folder
 * (`posts` and `posts/1.html`). Case is kept, and paths differing only in
 * case are different pages. Returns the path, or undefined when it is not one.
 */
export function canonicalPublishPath(path: string): string | undefined {
  return path.length <= MAX_PUBLISH_PATH && PATH.test(path) ? path : undefined;
}

/**
 * How deep a JSON document the host reads (a bundle, a state file) may nest. Every state type a rule can
 * declare is far shallower; a deeper document is refused before anything walks it recursively (JSON.stringify,
 * hashing, the prelude's loader), which would overflow the stack at a few thousand levels.
 */
export const MAX_JSON_DEPTH = 100;

/** The nesting depth of a parsed JSON value, counted without recursion, stopping once it passes `max`. */
export function jsonDepth(value: unknown, max = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > max) return deepest;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === "object") stack.push([x, d]);
  }
  return deepest;
}
