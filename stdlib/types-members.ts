/**
 * The declaration's members and list: `Role`, `Member`, `Members` and
 * `ListInfo` (stdlib/index.ts assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";

const { size, add } = cost;

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
  },
};
