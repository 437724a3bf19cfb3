/**
 * The declaration's collections: `List` and `Map` (stdlib/index.ts
 * assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";

const { size, total, value, add, mul, min, ceilDiv } = cost;

export const collectionTypes: Record<string, TypeDeclSpec> = {
  List: {
    doc: "An ordered list of values. `for x in list` walks its elements.",
    typeParams: ["T"],
    iterates: "T",
    fields: {
      size: { type: "int", doc: "The number of elements.", cost: 1 },
    },
    methods: {
      isEmpty: { doc: "`true` when the list has no elements.", params: [], returns: "bool", walks: [], cost: 1 },
      contains: {
        doc: "`true` when an element equals `x`.",
        params: [{ name: "x", type: "T" }],
        returns: "bool",
        walks: ["self"],
        cost: add(2, mul(size("self"), 2)),
      },
      get: {
        doc: "The element at position `i` (from 0), or none when there is none. `list[i]` is the same.",
        params: [{ name: "i", type: "int" }],
        returns: "T?",
        walks: [],
        cost: 1,
        carries: "elements",
      },
      first: { doc: "The first element, or none when the list is empty.", params: [], returns: "T?", walks: [], cost: 1, carries: "elements" },
      last: { doc: "The last element, or none when the list is empty.", params: [], returns: "T?", walks: [], cost: 1, carries: "elements" },
      join: {
        doc: "The elements joined into one string with `sep` between them.",
        params: [{ name: "sep", type: "string" }],
        returns: "string",
        receiver: "List<string>",
        walks: ["self", "sep"],
        cost: add(5, mul(size("self"), 2), ceilDiv(add(total("self"), mul(size("self"), size("sep"))), 16)),
        resultSize: add(total("self"), mul(size("self"), size("sep"))),
      },
      push: {
        doc: "Adds `x` at the end of the list.",
        params: [{ name: "x", type: "T" }],
        returns: "void",
        walks: [],
        cost: 2,
        mutates: true,
        grows: "element",
      },
      take: {
        doc: "A new list of the first `n` elements (all of them when the list is shorter; none when `n` ≤ 0). The elements themselves are not copied: a list or map inside is the same one (use `copy()` for a list that shares nothing).",
        params: [{ name: "n", type: "int", doc: "How many elements to keep." }],
        returns: "List<T>",
        walks: ["self"],
        cost: add(2, size("self")),
        resultSize: min(size("self"), value("n")),
        carries: "elements",
      },
      copy: {
        doc: "A deep copy: a new list whose lists, maps and records (at every depth) are new too, so changing one never changes the other.",
        params: [],
        returns: "List<T>",
        // Every element, and everything inside the elements, is visited once.
        walks: ["self"],
        cost: add(3, mul(size("self"), 2), ceilDiv(total("self"), 16)),
        carries: "self",
        deepCopy: true,
      },
    },
  },
  Map: {
    doc: "A map from keys to values. `for k in map` walks the keys; `for k, v in map` the keys and their values.",
    typeParams: ["K", "V"],
    iterates: "K",
    fields: {
      size: { type: "int", doc: "The number of entries.", cost: 1 },
    },
    methods: {
      isEmpty: { doc: "`true` when the map has no entries.", params: [], returns: "bool", walks: [], cost: 1 },
      get: {
        doc: "The value for `k`, or none when there is none. `map[k]` is the same.",
        params: [{ name: "k", type: "K" }],
        returns: "V?",
        // A string key is hashed over its whole length (an Address or any other key: a constant).
        walks: ["k"],
        cost: add(3, ceilDiv(size("k"), 16)),
        carries: "values",
      },
      has: {
        doc: "`true` when the map has an entry for `k`.",
        params: [{ name: "k", type: "K" }],
        returns: "bool",
        // A string key is hashed over its whole length (an Address or any other key: a constant).
        walks: ["k"],
        cost: add(3, ceilDiv(size("k"), 16)),
      },
      set: {
        doc: "Sets the value for `k`.",
        params: [
          { name: "k", type: "K" },
          { name: "v", type: "V" },
        ],
        returns: "void",
        // A string key is hashed over its whole length (an Address or any other key: a constant).
        walks: ["k"],
        cost: add(5, ceilDiv(size("k"), 16)),
        mutates: true,
        grows: "entry",
      },
      remove: {
        doc: "Removes the entry for `k`, if any.",
        params: [{ name: "k", type: "K" }],
        returns: "void",
        // A string key is hashed over its whole length (an Address or any other key: a constant).
        walks: ["k"],
        cost: add(5, ceilDiv(size("k"), 16)),
        mutates: true,
      },
      keys: {
        doc: "The keys, in insertion order.",
        params: [],
        returns: "List<K>",
        walks: ["self"],
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "keys",
      },
      values: {
        doc: "The values, in the order of their keys.",
        params: [],
        returns: "List<V>",
        walks: ["self"],
        cost: add(2, size("self")),
        resultSize: size("self"),
        carries: "values",
      },
      copy: {
        doc: "A deep copy: a new map whose lists, maps and records (at every depth) are new too, so changing one never changes the other.",
        params: [],
        returns: "Map<K, V>",
        walks: ["self"],
        cost: add(3, mul(size("self"), 2), ceilDiv(total("self"), 16)),
        carries: "self",
        deepCopy: true,
      },
    },
  },
};
