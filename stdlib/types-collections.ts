/**
 * The declaration's collections: `List` and `Map` (stdlib/index.ts
 * assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";

const { size, total, value, add, mul, min, ceilDiv, log2 } = cost;

/**
 * A stable merge sort of `self` (contract/prelude/library.js `__msort`): at
 * most ⌈log₂(n + 1)⌉ passes, each moving every element once and comparing
 * each at most once; strings compared over at most their lengths. The base
 * and the factors are calibrated (bench/gas/calibrate.js).
 */
const sortCost = (perCompare: number) =>
  add(4, mul(size("self"), add(2, mul(perCompare, log2(size("self"))))), ceilDiv(mul(total("self"), log2(size("self"))), 16));

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
        walks: ["self", "x"],
        // Each element is compared as `==` compares strings, over the shorter length (at most x's, and the element's):
        // charged 2 an element only, 1,000 copies of a text of 100,000 emoji searched 1,000 times took twice the clock.
        cost: add(2, mul(size("self"), 2), ceilDiv(min(total("self"), mul(size("self"), size("x"))), 16)),
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
      sort: {
        doc: "A new list of the same elements in ascending order (numbers and times from the smallest, earliest, durations from the shortest; strings by their UTF-16 units, as `<` compares them); equal elements keep their order (a stable sort). The list itself is not changed. On lists of `int`, `string`, `Address`, `Time` and `Duration`.",
        params: [],
        returns: "List<T>",
        walks: ["self"],
        cost: sortCost(3),
        resultSize: size("self"),
        carries: "elements",
      },
      sortBy: {
        doc: "A new list of the same records in ascending order of the field named `field` (a string literal naming a field of type `int`, `string`, `Address`, `Time` or `Duration`, checked when the rule is); records with equal fields keep their order (a stable sort). The list itself is not changed.",
        params: [{ name: "field", type: "string", doc: "The name of the field to sort by, as a literal: `sortBy(\"joined\")`." }],
        returns: "List<T>",
        walks: ["self"],
        cost: sortCost(4),
        resultSize: size("self"),
        carries: "elements",
      },
      slice: {
        doc: "A new list of the elements from position `start` up to (not including) `end`; `end` defaults to the end of the list. Negative positions count from the end (`slice(-3)` is the last three). The elements themselves are not copied, as with `take`.",
        params: [
          { name: "start", type: "int" },
          { name: "end", type: "int", optional: true },
        ],
        returns: "List<T>",
        walks: ["self"],
        cost: add(3, size("self")),
        resultSize: size("self"),
        carries: "elements",
      },
      remove: {
        doc: "Removes every element equal to `x` (as `contains` compares), keeping the others in their order; nothing when there is none. Changes the list, as `push` does.",
        params: [{ name: "x", type: "T" }],
        returns: "void",
        walks: ["self"],
        cost: add(3, mul(size("self"), 3), ceilDiv(total("self"), 32)),
        mutates: true,
      },
      joinValues: {
        doc: "The elements as they read in a string (`{x}`: an int as digits, a Time as `2026-11-25T09:00:00+01:00`, a Duration as `3d`, an Address as itself) joined into one string with `sep` between them. Written `join(sep)`, on lists of `int`, `bool`, `Address`, `Time` and `Duration`.",
        params: [{ name: "sep", type: "string" }],
        returns: "string",
        alias: "join",
        shows: true,
        walks: ["self", "sep"],
        // A Time read as text is the dearest element (a calendar date and an offset): charged for all.
        cost: add(5, mul(size("self"), 24), ceilDiv(add(total("self"), mul(size("self"), size("sep"))), 16)),
        // Each element's text is its own length (an Address) or at most 32 units (stdlib maxLength of Time and Duration, 20 for an int).
        resultSize: add(total("self"), mul(size("self"), add(size("sep"), 32))),
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
