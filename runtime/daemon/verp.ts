/**
 * VERP addresses (docs/mail-out.md, "Per recipient"): a list's mail to one
 * member leaves with the envelope sender
 * `LOCAL-bounces+TAG-MLOCAL=MDOMAIN@DOMAIN`, where MLOCAL@MDOMAIN is the
 * member and TAG is 8 characters of base32 (a-z, 2-7): the first 40 bits
 * of an HMAC-SHA256, under the list's own key (the one `list.sign` uses,
 * store table `list_secrets`), of the list and the member in lower case.
 * Anyone can write to the bounce address, but only the list can make the
 * tag: a report to a VERP address counts against the member it names only
 * when its tag verifies (bounces.ts), so nobody can name another member by
 * changing the address. Addresses compare without case (a relay may
 * lower-case the whole address), so the tag is read without case too.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ADDRESS_MAX } from "../../contract/index.js";
import { INGRESS_ADDRESS_MAX } from "./smtp.js";
import { bounceAddress, safeAddress } from "../mail/compose.js";

/** The tag's length: 8 base32 characters, 40 bits (a forger's guess is right once in 10^12). */
export const VERP_TAG_LENGTH = 8;
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const TAGGED = new RegExp(`^([a-z2-7]{${VERP_TAG_LENGTH}})-(.+)$`, "i");

/**
 * A tag a list's key makes of `text`: the first 5 × `length` bits of its HMAC-SHA256, in base32 (a-z, 2-7), most
 * significant first. VERP's tags and the -request address's confirmations (requests.ts) are both this.
 */
export function macTag(key: string, text: string, length: number): string {
  const mac = createHmac("sha256", key).update(text, "utf8").digest();
  const bytes = Math.ceil((length * 5) / 8);
  let n = BigInt(`0x${mac.subarray(0, bytes).toString("hex")}`) >> BigInt(bytes * 8 - length * 5);
  let out = "";
  for (let i = 0; i < length; i++) {
    out = BASE32[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out;
}

/** Whether `got` is the tag `want` (any case, as relays may change it; compared in constant time). */
export function sameTag(want: string, got: string): boolean {
  const w = Buffer.from(want, "latin1");
  const g = Buffer.from(got.toLowerCase(), "latin1");
  return g.length === w.length && timingSafeEqual(g, w);
}

/** The tag of `member` on `list` under the list's key (the text signed starts with its own first line, so no `list.sign` token is one). */
export function verpTag(key: string, list: string, member: string): string {
  return macTag(key, `thwonk-verp-1\n${list.toLowerCase()}\n${member.toLowerCase()}`, VERP_TAG_LENGTH);
}

/** Whether `tag` is the list's tag for `member` (any case; compared in constant time). */
export function verpTagVerifies(key: string, list: string, member: string, tag: string): boolean {
  return sameTag(verpTag(key, list, member), tag);
}

/** The longest local part of a VERP address: RFC 5321's (4.5.3.1.1, 64 octets), which relays may hold senders to. */
export const VERP_LOCAL_MAX = 64;
/**
 * The longest VERP address: it is an address (ADDRESS_MAX), it fits an SMTP path (RFC 5321 4.5.3.1.3: 256 octets
 * with its angle brackets, 254 without), and thwonkd's own ingress takes mail at it, whose SMTP parser
 * (smtp-server) refuses an address over 253 with 501: a report to a longer one would never reach bounces.ts.
 */
export const VERP_ADDRESS_MAX = Math.min(ADDRESS_MAX, INGRESS_ADDRESS_MAX);

/**
 * `LOCAL-bounces+TAG-MLOCAL=MDOMAIN@DOMAIN` for a recipient; the plain bounce address when that would not fit
 * (a local part over VERP_LOCAL_MAX, an address over VERP_ADDRESS_MAX or outside compose.ts safeAddress): a long
 * member or list address keeps its mail, without VERP (docs/daemon.md, "Addresses at their longest").
 */
export function verpAddress(list: string, recipient: string, key: string): string {
  const plain = bounceAddress(list);
  const at = plain.lastIndexOf("@");
  const r = recipient.lastIndexOf("@");
  if (r < 1) return plain;
  const verp = `${plain.slice(0, at)}+${verpTag(key, list, recipient)}-${recipient.slice(0, r)}=${recipient.slice(r + 1)}${plain.slice(at)}`;
  // The local part's bound is in octets (a member past ASCII has characters of two to four in UTF-8).
  return verp.length <= VERP_ADDRESS_MAX && Buffer.byteLength(verp.slice(0, verp.lastIndexOf("@"))) <= VERP_LOCAL_MAX && safeAddress(verp) ? verp : plain;
}

/** What a bounce address names: the list, and for a VERP address the member and the tag it carries (null when it has none). */
export interface BounceTarget {
  list: string;
  verp: string | null;
  tag: string | null;
}

/**
 * Which list's bounce address `rcpt` is (`LIST-bounces@` or a VERP form), the member a VERP address names and
 * its tag; undefined when it is none. `isList` says whether an address is a deployed list. A VERP address
 * without a tag (`+ann=example.org`, the form before tags) names a member with tag null: it verifies for nobody.
 * The name is cut at each `+` from the last, as lists are found (Runner.resolve): a list at `a+b@` has the
 * bounce address `a+b-bounces@`.
 */
export function bounceTarget(rcpt: string, isList: (address: string) => string | undefined): BounceTarget | undefined {
  const address = rcpt.replace(/^<(.*)>$/, "$1");
  const at = address.lastIndexOf("@");
  if (at < 1) return undefined;
  const domain = address.slice(at + 1);
  const local = address.slice(0, at);
  for (let end = local.length; end > 0; end = local.lastIndexOf("+", end - 1)) {
    const name = local.slice(0, end);
    if (!/-bounces$/i.test(name) || name.length <= 8) continue;
    const list = isList(`${name.slice(0, -8)}@${domain}`);
    if (list === undefined) continue;
    if (end === local.length) return { list, verp: null, tag: null };
    const extension = local.slice(end + 1);
    const tagged = TAGGED.exec(extension);
    const named = tagged ? tagged[2]! : extension;
    const eq = named.lastIndexOf("=");
    const member = eq > 0 ? safeAddress(`${named.slice(0, eq)}@${named.slice(eq + 1)}`) : undefined;
    if (member === undefined) return { list, verp: null, tag: null };
    return { list, verp: member, tag: tagged ? tagged[1]!.toLowerCase() : null };
  }
  return undefined;
}
