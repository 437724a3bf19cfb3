/**
 * The declaration's members and list: `Role`, `Member`, `Members` and
 * `ListInfo` (stdlib/index.ts assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";

const { size, add, mul, ceilDiv } = cost;

/** A token's text: the expiry in base 36 (at most 11 digits of a safe integer, and a sign), a dot, the MAC in base64url (43). */
const TOKEN_LENGTH = 56;

/**
 * What `sign` and `verify` hold while the host computes the MAC: the text as JSON (up to six characters a unit, two
 * bytes each once one is wide) and the UTF-8 copy the host reads it from (up to six bytes a unit): 18 a unit, and
 * room (a text of control characters needed 55 MiB of a bound of 47 without it).
 */
const HOST_TEXT_SCRATCH = add(1024, mul(size("text"), 24));

export const memberTypes: Record<string, TypeDeclSpec> = {
  Role: {
    doc: "A member's role: `\"member\"`, `\"moderator\"` or `\"owner\"`.",
    literals: ["member", "moderator", "owner"],
    maxLength: 9,
    equatable: true,
    interpolates: true,
  },
  Member: {
    doc: "A member of the list.",
    fields: {
      address: { type: "Address", doc: "The member's address." },
      name: { type: "string", doc: "The member's name (empty when unknown).", bound: 256 },
      role: { type: "Role", doc: "The member's role." },
      joined: { type: "Time", doc: "When the member joined." },
      bounces: {
        type: "int",
        doc: "How many delivery failures (bounces: RFC 3464 reports of a permanent failure) were recorded for the member since they joined; 0 for a member added in this run.",
      },
    },
  },
  Members: {
    doc: "The members of the list (at most `limits.members`). `for m in members` walks them as Member records, in the order they joined.",
    iterates: "Member",
    atRun: { size: "G$Members$size", elements: "__mlist" },
    fields: {
      size: { type: "int", doc: "The number of members.", cost: 1 },
    },
    methods: {
      has: {
        doc: "`true` when `a` is a member.",
        params: [{ name: "a", type: "Address" }],
        returns: "bool",
        walks: [],
        cost: 3,
      },
      get: {
        doc: "The member with address `a`, or none.",
        params: [{ name: "a", type: "Address" }],
        returns: "Member?",
        walks: [],
        cost: 3,
        carries: "elements",
      },
      owners: {
        doc: "The members whose role is `owner`.",
        params: [],
        returns: "List<Member>",
        walks: ["self"],
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "elements",
      },
      add: {
        doc: "Subscribes `a` (with an optional display name, kept to its first 256 UTF-16 code units). Does nothing when `a` is already a member; a list already at `limits.members` is an error.",
        params: [
          { name: "a", type: "Address" },
          { name: "name", type: "string", optional: true },
        ],
        returns: "void",
        walks: [],
        // The address checked and canonicalised, the member recorded and indexed (calibration: about 13 µs a call).
        cost: 50,
        mutates: true,
        capability: "members.add",
      },
      remove: {
        doc: "Unsubscribes `a`. Does nothing when `a` is not a member.",
        params: [{ name: "a", type: "Address" }],
        returns: "void",
        walks: [],
        cost: 20,
        mutates: true,
        capability: "members.remove",
      },
    },
  },
  ListInfo: {
    doc: "The list this rule runs for.",
    fields: {
      address: { type: "Address", doc: "The list's address." },
      name: { type: "string", doc: "The list's display name.", bound: 256 },
      owners: { type: "List<Address>", doc: "The addresses of the list's owners.", bound: "members" },
    },
    methods: {
      // The host computes the MAC (runtime/sandbox/tokens.ts): the text crosses into it once, as JSON (up to 6 units a unit).
      sign: {
        doc: "A token for `text` that only this list can make, valid until `expires` (for a double opt-in: mail it, and `verify` the token that comes back). An HMAC-SHA256 over the list's address, the expiry and the text with a secret key of the list that rules never see; letters, digits, `.`, `-` and `_` only, at most 56 characters, so it fits in a subject or a link. `thwonkc run` and `thwonkc test` sign with a fixed, public test key.",
        params: [
          { name: "text", type: "string", doc: "What the token vouches for, such as the address to subscribe." },
          { name: "expires", type: "Time", doc: "Until when `verify` accepts it, such as `now + 3d`." },
        ],
        returns: "string",
        walks: ["text"],
        cost: add(40, ceilDiv(size("text"), 4)),
        scratch: HOST_TEXT_SCRATCH,
        resultSize: TOKEN_LENGTH,
      },
      verify: {
        doc: "`true` when `token` is one this list made with `sign` for exactly this `text`, and its expiry is not before `now`; `false` for any other token (another list's or text's, altered, cut short, expired). Compared in constant time.",
        params: [
          { name: "token", type: "string" },
          { name: "text", type: "string" },
        ],
        returns: "bool",
        walks: ["token", "text"],
        cost: add(40, ceilDiv(size("token"), 16), ceilDiv(size("text"), 4)),
        scratch: HOST_TEXT_SCRATCH,
      },
    },
  },
};
