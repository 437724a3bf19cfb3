/**
 * The parts of a run's input that stay the same from run to run of a list: the time zone's offsets (`tz`), the
 * list's address, name and owners (`list`) and the rule's limits (`limits`); runtime/input/json-parts.ts keeps
 * their JSON on the host's side. A reused context (engine.ts) keeps them parsed and frozen per list, as it keeps
 * the members (kept-members.ts), so that a run parses only what changes: its time, state and message. A kept part
 * is used only while its text is the very text of the run's input; the driver (contract/prelude/driver.js) puts
 * the parts back into the parsed input, which is then what parsing the whole of it gave, frozen where kept.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { SandboxError } from "./types.js";

/** The top-level keys kept. */
export const KEPT_KEYS: ReadonlySet<string> = new Set(["tz", "list", "limits"]);

/** Lists kept per context (least recently used first out), and their characters (a share of the memory limit). */
const MAX_KEPT_LISTS = 1024;
export const KEPT_INPUT_SHARE = 1 / 64;

/**
 * The input cut in two: `keptJson` the object of its kept keys, `restJson` of all others, each member as the input
 * wrote it and in its order, so that parsing the two gives the members parsing the whole gives. Undefined for an
 * input this cannot cut so (not an object written without spaces between its members, a key with an escape in it,
 * text that ends too soon) or without a kept key: such an input is parsed whole. Only the top level is read: a
 * string is skipped to its closing quote, anything nested to its closing bracket (JSON.parse then reads each part).
 */
export function splitInput(json: string): { keptJson: string; restJson: string } | undefined {
  const n = json.length;
  if (n < 2 || json.charCodeAt(0) !== OPEN_BRACE || json.charCodeAt(n - 1) !== CLOSE_BRACE) return undefined;
  let kept = "";
  let rest = "";
  let i = 1;
  for (;;) {
    if (json.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(json, i);
    if (keyEnd < 0 || json.charCodeAt(keyEnd) !== COLON) return undefined;
    const key = json.slice(i + 1, keyEnd - 1);
    // An escaped key could spell a kept one: what it means is left to JSON.parse of the whole.
    if (key.includes("\\")) return undefined;
    const end = valueEnd(json, keyEnd + 1);
    if (end < 0) return undefined;
    const text = json.slice(i, end);
    if (KEPT_KEYS.has(key)) kept += (kept === "" ? "{" : ",") + text;
    else rest += (rest === "" ? "{" : ",") + text;
    if (end === n - 1) break;
    i = end + 1;
  }
  if (kept === "") return undefined;
  return { keptJson: kept + "}", restJson: rest === "" ? "{}" : rest + "}" };
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The index after the string whose opening quote is at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let k = q - 1;
    while (s.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index of the comma or closing brace that ends the top-level value starting at `i` (the value's text is before it), or -1. */
function valueEnd(s: string, i: number): number {
  const n = s.length;
  let depth = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return c === CLOSE_BRACE ? i : -1;
      depth--;
    } else if (c === COMMA && depth === 0) return i;
    i++;
  }
  return -1;
}

type Made = { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError };

export class KeptInputs {
  /** Each list's kept parts (key: the list, "" for runs that name none), least recently used first. */
  private readonly lists = new Map<string, { json: string; handle: QuickJSHandle }>();
  private chars = 0;

  /** The list's kept parts for a run whose parts are `json`: the kept ones when their text is the same, else made by `make` and kept. */
  take(listKey: string, json: string, make: (json: string) => Made): Made {
    const kept = this.lists.get(listKey);
    this.lists.delete(listKey);
    if (kept && kept.json === json) {
      this.lists.set(listKey, kept);
      return { ok: true, handle: kept.handle };
    }
    if (kept) this.drop(kept);
    const made = make(json);
    if (!made.ok) return made;
    this.lists.set(listKey, { json, handle: made.handle });
    this.chars += json.length;
    return made;
  }

  /** Drops the least recently used lists' parts beyond the count or the characters; the last run's stay. */
  trim(maxChars: number): void {
    for (const [list, kept] of this.lists) {
      if (this.lists.size <= 1 || (this.lists.size <= MAX_KEPT_LISTS && this.chars <= maxChars)) break;
      this.lists.delete(list);
      this.drop(kept);
    }
  }

  /** Gives every kept handle back (the bundle is evicted from a context that stays). */
  dispose(): void {
    for (const kept of this.lists.values()) kept.handle.dispose();
    this.lists.clear();
    this.chars = 0;
  }

  private drop(kept: { json: string; handle: QuickJSHandle }): void {
    kept.handle.dispose();
    this.chars -= kept.json.length;
  }
}
