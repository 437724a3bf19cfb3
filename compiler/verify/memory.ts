/**
 * The memory model (docs/cost-model.md, "Memory"): a conservative upper
 * bound, in bytes, of what a value of a given shape takes in the sandbox's
 * QuickJS (the 32-bit WebAssembly build: 8-byte values, NaN-boxed numbers),
 * and of its JSON text, the form in which input, state and actions cross
 * the sandbox's boundary. Checked against the engine's real heap: every
 * example trigger and adversarial rules run at their worst inputs with the
 * heap limit set to the bound (test/verify/memory-peaks.test.ts), and
 * bench/memory/peaks.js measures how far each bound is above the run's need.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import { str, type Shape } from "./shapes.js";
import * as S from "./sym.js";
import type { Sym } from "./sym.js";

export const BYTES = Object.freeze({
  /** A string: JSString header (16) and allocator overhead, rounded up. */
  string: 32,
  /** Per UTF-16 unit: 2, as if every string were wide (a latin1 one takes 1). */
  unit: 2,
  /** An array: the JSObject and its allocation. */
  list: 96,
  /** Per element: an 8-byte value, twice, for the capacity an array grows into (×1.5 and slack). */
  element: 16,
  /** An object (a record, the rule's or the stdlib's): the JSObject, its shape and property array. */
  record: 128,
  /** Per field: the property (8), the shape's entry (8) and growth slack. */
  field: 24,
  /** A Map. */
  map: 160,
  /** Per entry: QuickJS's map record (two links, key, value, its own header) and the hash table's share. */
  entry: 72,
  /** Anything without insides (a number, a bool, a time): the value, and a box for a time or an interval. */
  scalar: 64,
  /** One action the run records (a log, a publish, a member change), besides its arguments: its record. */
  action: 256,
  /**
   * What a message action (send, reply, forward) carries besides: the list
   * headers (List-Id, List-Post, List-Unsubscribe, X-Thwonk-Loop: the list's
   * name, 256 units, and its address, 320, about 1,316 units) as strings and
   * as outgoing JSON (6 characters a unit, 3 bytes each). The two mailto
   * URLs are percent-encoded (contract/list-fields.ts), ASCII, at most 997
   * characters each (a longer one is left out): about 2,000 units of one
   * byte and one JSON character each, within what the address in them counted.
   * Measured missing before: 10,000 sends ran out of a bound that counted 256
   * (test/verify/memory-peaks.test.ts).
   */
  messageHeaders: 28 * 1024,
});

/**
 * The engine's own part, before the rule's values: the context, the
 * lockdown, the prelude, and the rule's compiled code (a share per
 * character of source: its bytecode, and the source QuickJS keeps for
 * `Function.prototype.toString`).
 */
export const ENGINE_BYTES = 4 * 1024 * 1024;
export const SOURCE_BYTES_PER_CHAR = 64;

/** JSON text of a value: at most 6 characters per UTF-16 unit (`\u0001`), quotes, separators, a field's name. */
const JSON_PER_UNIT = 6;
const JSON_SCALAR = 32;
const JSON_FIELD = 40;

/** The bytes of a value of this shape, at its bound. */
export function bytesOf(s: Shape, depth = 0): Sym {
  if (depth > 16) return S.num(BYTES.scalar);
  switch (s.t) {
    case "scalar":
      return S.num(BYTES.scalar);
    case "str":
      return S.add(S.num(BYTES.string), S.mul(S.num(BYTES.unit), s.len));
    case "list":
      // The parts of a split string: their summed length is known, tighter than count × the longest.
      if (s.total && s.elem.t === "str") {
        return S.add(S.num(BYTES.list), S.mul(s.count, S.num(BYTES.element + BYTES.string)), S.mul(S.num(BYTES.unit), S.min(s.total, S.mul(s.count, s.elem.len))));
      }
      return S.add(S.num(BYTES.list), S.mul(s.count, S.add(S.num(BYTES.element), bytesOf(s.elem, depth + 1))));
    case "map":
      return S.add(S.num(BYTES.map), S.mul(s.count, S.add(S.num(BYTES.entry), bytesOf(s.key, depth + 1), bytesOf(s.value, depth + 1))));
    case "rec":
      return S.add(S.num(BYTES.record), ...[...s.fields.values()].map((f) => S.add(S.num(BYTES.field), bytesOf(f, depth + 1))));
  }
}

/** The characters of a value's JSON text, at its bound. */
export function jsonCharsOf(s: Shape, depth = 0): Sym {
  if (depth > 16) return S.num(JSON_SCALAR);
  switch (s.t) {
    case "scalar":
      return S.num(JSON_SCALAR);
    case "str":
      return S.add(S.num(2), S.mul(S.num(JSON_PER_UNIT), s.len));
    case "list":
      return S.add(S.num(2), S.mul(s.count, S.add(S.ONE, jsonCharsOf(s.elem, depth + 1))));
    case "map":
      return S.add(S.num(2), S.mul(s.count, S.add(S.num(2), jsonCharsOf(s.key, depth + 1), jsonCharsOf(s.value, depth + 1))));
    case "rec":
      return S.add(S.num(2), ...[...s.fields.values()].map((f) => S.add(S.num(JSON_FIELD), jsonCharsOf(f, depth + 1))));
  }
}

/**
 * What a value costs when it crosses the boundary as JSON: the parsed
 * value, the JSON string inside the engine (2 bytes a character: one wide
 * character makes the whole string wide) and its UTF-8 copy on the way
 * in or out (up to 3 bytes a character).
 */
export function crossingBytesOf(s: Shape): Sym {
  return S.add(bytesOf(s), S.mul(S.num(2), jsonCharsOf(s)));
}

/**
 * What a value costs on its way out: as crossingBytesOf, and the UTF-8 copy
 * the host reads. That copy takes at most one byte per character jsonCharsOf
 * counts: an escaped unit is 6 ASCII characters (6 bytes), any other unit at
 * most 3 bytes of UTF-8 but counted as 6 characters; structure and digits are
 * ASCII. (bench/memory/peaks.js measures the runs.)
 */
export function outgoingBytesOf(s: Shape): Sym {
  return S.add(bytesOf(s), S.mul(S.num(3), jsonCharsOf(s)));
}

/** The characters of a value's strings (and 32 per scalar): the members cross as newline-joined columns, not JSON. */
export function textUnitsOf(s: Shape, depth = 0): Sym {
  if (depth > 16) return S.num(32);
  switch (s.t) {
    case "scalar":
      return S.num(32);
    case "str":
      return S.add(S.ONE, s.len);
    case "list":
      return S.mul(s.count, textUnitsOf(s.elem, depth + 1));
    case "map":
      return S.mul(s.count, S.add(textUnitsOf(s.key, depth + 1), textUnitsOf(s.value, depth + 1)));
    case "rec":
      return S.addAll([...s.fields.values()].map((f) => textUnitsOf(f, depth + 1)));
  }
}

/** The members: their records, and the columns' strings (2 bytes a unit) with their UTF-8 copies on the way in (3). */
export function rosterBytesOf(s: Shape): Sym {
  return S.add(bytesOf(s), S.mul(S.num(5), textUnitsOf(s)));
}

/** A recorded action: its arguments as they cross back to the host, the action's own record, and a message's list headers. */
export function actionBytesOf(args: Iterable<Shape>, sendsMail: boolean): Sym {
  const parts: Sym[] = [S.num(BYTES.action + (sendsMail ? BYTES.messageHeaders : 0))];
  for (const a of args) parts.push(outgoingBytesOf(a));
  return S.addAll(parts);
}

/** A part of a trigger's memory bound, for the report and the dominant part of a refusal. */
export interface MemoryPart {
  /** `the message`, `state`, `values built`, `actions`, ... (where it is made aside: `made`) */
  what: string;
  bytes: number;
  line: number | undefined;
  /** Where a value kept or built is made (a local's declaration, an expression). */
  made?: Span;
}

/** A part in words, with where it is made as `place` writes a position: `a value built at line 12`, `` `xs` (line 4) ``. */
export function partText(p: MemoryPart, place: (s: Span) => string): string {
  if (!p.made) return p.what;
  return p.what === "a value built" ? `${p.what} at ${place(p.made)}` : `${p.what} (${place(p.made)})`;
}

/** "1.5 MiB": bytes as people read them (binary units, as the limit's default is written). */
export function formatBytes(b: number): string {
  if (b < 1024) return `${b} bytes`;
  const units = ["KiB", "MiB", "GiB"];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/**
 * The message's header fields (Headers has no fields of its own to shape): each crosses in as its name and its
 * value as written, at most `limits.header` units each, and its value decoded by the host (runtime/input/decode.ts,
 * issue 15), no longer than the raw one. The name (printable ASCII) and the decoded value (no control characters)
 * are at most 2 JSON characters a unit (`\\`, `\"`), the raw value 6. Inside, the prelude indexes the values by
 * name twice (decoded and raw).
 */
export function headerFieldsBytes(count: Sym, units: Sym): Sym {
  const strings = S.mul(S.num(3), bytesOf(str(units)));
  const json = S.add(S.num(16), S.mul(S.num(JSON_PER_UNIT + 2 + 2), units));
  const index = S.mul(S.num(2), S.add(S.num(BYTES.map), S.mul(count, S.num(BYTES.entry + BYTES.list + BYTES.element))));
  return S.add(S.mul(count, S.add(S.num(2 * BYTES.list + 3 * BYTES.element), strings, S.mul(S.num(2), json))), index);
}
