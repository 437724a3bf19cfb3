/**
 * The declaration's scalar and text types: `bool`, `int`, `string` and
 * `Address` (stdlib/index.ts assembles the declaration).
 */
import { cost, type TypeDeclSpec } from "./decl.js";
import { linear, search } from "./costs.js";

const { size, value, add, mul, max, min, ceilDiv } = cost;

export const stringTypes: Record<string, TypeDeclSpec> = {
  bool: {
    doc: "`true` or `false`.",
    maxLength: 5,
    equatable: true,
    interpolates: true,
  },
  int: {
    doc: "A whole number (a safe integer: at most 2^53 − 1 in size). `/` divides rounding toward zero; dividing by zero stops the trigger.",
    equatable: true,
    ordered: true,
    interpolates: true,
    maxLength: 20,
    methods: {
      abs: { doc: "The absolute value.", params: [], returns: "int", walks: [], cost: 1 },
    },
  },
  string: {
    doc: "Unicode text. Every length and position counts characters (Unicode code points: an emoji is one, a lone surrogate is one); nothing splits a character.",
    equatable: true,
    ordered: true,
    interpolates: true,
    fields: {
      // Counting code points is one native scan for surrogates (and one more when there are pairs): a regular
      // expression's scan, several times a copy's time per unit (bench/gas, "string.length (wide)").
      length: { type: "int", doc: "The number of characters (code points): `\"😀a\".length` is 2.", cost: add(1, ceilDiv(size("self"), 4)) },
    },
    methods: {
      isEmpty: { doc: "`true` when the string has no characters.", params: [], returns: "bool", walks: [], cost: 1 },
      truncate: {
        doc: "The first `n` code points of the string (all of it when it is shorter). Never splits a character.",
        params: [{ name: "n", type: "int", doc: "How many code points to keep." }],
        returns: "string",
        walks: ["self"],
        // As `length`: a scan for surrogates, and a skip over code points when there are some.
        cost: add(5, ceilDiv(size("self"), 4)),
        // n code points are at most 2n UTF-16 units.
        resultSize: min(size("self"), mul(value("n"), 2)),
        resultChars: value("n"),
      },
      slice: {
        doc: "The code points from `start` up to (not including) `end`; `end` defaults to the end of the string. Negative positions count from the end.",
        params: [
          { name: "start", type: "int" },
          { name: "end", type: "int", optional: true },
        ],
        returns: "string",
        walks: ["self"],
        // As `truncate`.
        cost: add(5, ceilDiv(size("self"), 4)),
        resultSize: size("self"),
      },
      contains: {
        doc: "`true` when `s` occurs in the string.",
        params: [{ name: "s", type: "string" }],
        returns: "bool",
        walks: ["self", "s"],
        cost: search("s"),
      },
      startsWith: {
        doc: "`true` when the string begins with `prefix`.",
        params: [{ name: "prefix", type: "string" }],
        returns: "bool",
        walks: ["prefix"],
        cost: linear(2, "prefix"),
      },
      endsWith: {
        doc: "`true` when the string ends with `suffix`.",
        params: [{ name: "suffix", type: "string" }],
        returns: "bool",
        walks: ["suffix"],
        cost: linear(2, "suffix"),
      },
      lower: {
        doc: "The string in lower case (Unicode default case mapping; `İ` becomes `i̇`, two characters).",
        params: [],
        returns: "string",
        walks: ["self"],
        // Case mapping outside ASCII (İ, ß, ﬃ) runs about four times slower per unit than a copy: charged for it (bench/gas).
        cost: add(5, ceilDiv(size("self"), 4)),
        // One UTF-16 unit lowers to at most two (U+0130 İ → i + U+0307); an astral character stays two.
        resultSize: mul(size("self"), 2),
      },
      upper: {
        doc: "The string in upper case (Unicode default case mapping; `ß` becomes `SS`, `ﬃ` becomes `FFI`): up to three times as long.",
        params: [],
        returns: "string",
        walks: ["self"],
        // As `lower`.
        cost: add(5, ceilDiv(size("self"), 4)),
        // One UTF-16 unit uppers to at most three (ﬃ → FFI, ΐ → Ϊ́); an astral character stays two.
        resultSize: mul(size("self"), 3),
      },
      trim: {
        doc: "The string without white space at either end.",
        params: [],
        returns: "string",
        walks: ["self"],
        cost: linear(5, "self"),
        resultSize: size("self"),
      },
      split: {
        doc: "The pieces of the string between occurrences of `sep`. An empty `sep` splits into code points.",
        params: [{ name: "sep", type: "string" }],
        returns: "List<string>",
        walks: ["self", "sep"],
        // A part is a new string: a gas for every two it may give (at most one per unit, and one more; about a gas each measured, bench/gas).
        cost: add(search("sep"), ceilDiv(size("self"), 2)),
        resultSize: add(size("self"), 1),
        // The parts are pieces of the string: each, and all of them together, at most as long as it.
        elementSize: size("self"),
        resultTotal: size("self"),
      },
      lines: {
        doc: "The lines of the string (split at `\\n`, `\\r\\n` or `\\r`).",
        params: [],
        returns: "List<string>",
        walks: ["self"],
        // As `split`: a gas for every two lines the string may give.
        cost: add(5, ceilDiv(size("self"), 2)),
        resultSize: add(size("self"), 1),
        elementSize: size("self"),
        resultTotal: size("self"),
      },
      replace: {
        doc: "The string with every occurrence of `old` replaced by `new`. An empty `old` replaces nothing.",
        params: [
          { name: "old", type: "string" },
          { name: "new", type: "string" },
        ],
        returns: "string",
        walks: ["self", "old", "new"],
        cost: add(search("old"), ceilDiv(mul(add(size("self"), 1), size("new")), 16)),
        // Each occurrence of a non-empty `old` (an empty one replaces nothing) becomes `new`.
        resultSize: max(size("self"), mul(size("self"), size("new"))),
      },
      escapeHtml: {
        doc: "The string with `&`, `<`, `>`, `\"` and `'` written as HTML entities, safe to put in a page or an attribute: up to six times as long.",
        params: [],
        returns: "string",
        walks: ["self"],
        // The result is written out, up to six units for one: charged per two units of the string.
        cost: add(5, ceilDiv(size("self"), 2)),
        // `"` → `&quot;`, the longest entity.
        resultSize: mul(size("self"), 6),
      },
      indexOf: {
        doc: "The position (in characters, as `slice` counts them) of the first occurrence of `s`, or none.",
        params: [{ name: "s", type: "string" }],
        returns: "int?",
        walks: ["self", "s"],
        // A hit counts the code points before it: one more pass, as `length`.
        cost: add(search("s"), ceilDiv(size("self"), 4)),
      },
      matches: {
        doc: "`true` when the whole string matches `pattern`, where `*` stands for any characters (none too) and `?` for exactly one; `\\*`, `\\?` and `\\\\` are a literal `*`, `?` and `\\` (Sieve's `:matches`). With `ignoreCase: true`, characters are compared ignoring case (Unicode simple case folding: `É` matches `é`).",
        params: [
          { name: "pattern", type: "string" },
          { name: "ignoreCase", type: "bool", optional: true, doc: "Compare ignoring case; default `false`." },
        ],
        returns: "bool",
        walks: ["self", "pattern"],
        // The pattern is read once, natively, but each run between its stars becomes a regular expression compiled
        // for the call (three units of gas per unit of pattern: `*?*?…` is a run per two units); each run is
        // searched for once, left to right, never again: at worst the string times the pattern, as `contains`, but
        // by a regular expression (whole code points, case folding), about four times slower per step (bench/gas).
        cost: add(5, mul(size("pattern"), 3), ceilDiv(mul(size("self"), add(size("pattern"), 1)), 8)),
        // A run's regular expression, compiled whole: about 70 bytes for each character in a group of its own
        // (`\\𐐀` or `?𐐀`, three units; 24 a unit measured, test/verify/adversary-bounds-memory.test.ts), doubled.
        scratch: add(1024, mul(size("pattern"), 48)),
      },
      toInt: {
        doc: "The string as an int: decimal digits with an optional `+` or `-`, nothing else (no spaces). None when it is not such a number or is outside the int range (±(2^53 − 1)).",
        params: [],
        returns: "int?",
        walks: ["self"],
        // Two regular-expression scans (the form, then leading zeros).
        cost: add(3, ceilDiv(size("self"), 2)),
      },
    },
  },
  Address: {
    doc: "An e-mail address such as `ann+news@example.org`. Two addresses are equal when their local parts are equal and their domains are equal ignoring case. A string literal is accepted where an Address is expected.",
    equatable: true,
    interpolates: true,
    fromStringLiteral: "address",
    maxLength: 320,
    fields: {
      // A local part is bounded by the whole address only (contract/values.ts LOCAL_MAX: 320 less `@a.b`); a tag by that less one.
      local: { type: "string", doc: "The part before `@` (with its `+tag`).", bound: 316 },
      domain: { type: "string", doc: "The part after `@`, in lower case.", bound: 255 },
      tag: { type: "string?", doc: "The `+tag` of the local part (`news` in `ann+news@example.org`), or none.", bound: 315 },
    },
  },
};
