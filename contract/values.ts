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

/** Half of a surrogate pair alone (with `u`, a pair is one code point, and only a lone half is in category Cs). */
const LONE_SURROGATE = /\p{Cs}/u;

/** The longest address, in UTF-16 units. */
export const ADDRESS_MAX = 320;
/** The longest local part an address can have within ADDRESS_MAX: `@` and the shortest host name (`a.b`) take 4. */
export const LOCAL_MAX = ADDRESS_MAX - 4;

/**
 * The one address rule: `local@domain` with a dot-atom local part (RFC 5322
 * atext, or any character past U+009F as RFC 6531 allows) and a host name of
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
 * address in lower case: mail clients capitalise local parts differently and
 * no real mailbox tells `Ann@` from `ann@`, so membership, equality, map keys
 * and de-duplication all compare it. Undefined when `s` is not an address.
 */
export function canonicalAddress(s: string): string | undefined {
  const t = s.trim().toLowerCase();
  if (t.length > ADDRESS_MAX) return undefined;
  const at = t.indexOf("@");
  if (at < 1 || t.length - at - 1 > 255 || LONE_SURROGATE.test(t)) return undefined;
  return LOCAL.test(t.slice(0, at)) && DOMAIN.test(t.slice(at + 1)) ? t : undefined;
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
