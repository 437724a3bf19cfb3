/**
 * Parts of a run's input that stay the same from run to run of a list (its limits, the list itself, the time
 * zone's offset table), kept in a reused context parsed and frozen (lockdown.ts `keep`), and passed to the
 * run beside the rest of the input, which is all the engine parses per run. QuickJS parses numbers slowly:
 * these parts are most of an input's numbers. The input is split only when it is one JSON object, and only for
 * code whose `__thwonk_run` takes the parts (KEPT_SIGNATURE); the run sees the same input either way.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { SandboxError } from "./types.js";

/** The input's top-level members kept. */
const KEPT_KEYS: ReadonlySet<string> = new Set(["tz", "list", "limits"]);

/** The driver's entry point when it takes the kept parts (contract/prelude/driver.js). */
export const KEPT_SIGNATURE = "function __thwonk_run(name, inputJson, members, kept) {";

/** The input without the kept parts, and the kept parts as one JSON object; undefined when it has none or cannot be split. */
export function splitInput(inputJson: string): { runJson: string; keptJson: string } | undefined {
  const members = jsonMembers(inputJson);
  if (!members) return undefined;
  let runJson = "";
  let keptJson = "";
  for (let k = 0; k < members.length; k += 3) {
    const text = inputJson.slice(members[k]!, members[k + 2]!);
    const key = inputJson.slice(members[k]! + 1, members[k + 1]! - 1);
    // A key with an escape may be a kept key written otherwise: its value must not land in the other part.
    if (key.includes("\\")) return undefined;
    if (KEPT_KEYS.has(key)) keptJson += (keptJson ? "," : "{") + text;
    else runJson += (runJson ? "," : "{") + text;
  }
  if (keptJson === "" || keptJson.length > MAX_KEPT_CHARS) return undefined;
  return { runJson: runJson ? runJson + "}" : "{}", keptJson: keptJson + "}" };
}

// A JSON text's tokens, each matched where the last ended (sticky): JSON's grammar exactly, so that a text splits
// only when it is JSON, and each part is JSON that parses to what that part of the whole parsed to.
const SPACE = / */y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a raw control character in a string is not JSON
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters looked for
const CONTROL = /[\u0000-\u001f]/;

/**
 * The top-level members of a JSON object text, as triples [where the key starts, where it ends (after its closing
 * quote), where the member's value ends]. Undefined when the text is not one JSON object.
 */
function jsonMembers(s: string): number[] | undefined {
  // A raw control character is not JSON inside a string, and JSON.stringify writes none between tokens: such a
  // text is not split, and strings then need no look for one.
  if (CONTROL.test(s)) return undefined;
  backslash = -2;
  const out: number[] = [];
  let i = skip(s, 0);
  if (s.charCodeAt(i) !== 0x7b) return undefined;
  i = skip(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) return skip(s, i + 1) === s.length ? out : undefined;
  for (;;) {
    const keyStart = i;
    const keyEnd = str(s, i);
    if (keyEnd < 0) return undefined;
    i = skip(s, keyEnd);
    if (s.charCodeAt(i) !== 0x3a) return undefined;
    const end = value(s, skip(s, i + 1));
    if (end < 0) return undefined;
    out.push(keyStart, keyEnd, end);
    i = skip(s, end);
    const c = s.charCodeAt(i);
    if (c === 0x7d) return skip(s, i + 1) === s.length ? out : undefined;
    if (c !== 0x2c) return undefined;
    i = skip(s, i + 1);
  }
}

/** The end of the JSON value at `i` (objects and arrays walked with a stack of their closers), or -1. */
function value(s: string, i: number): number {
  const closers: number[] = [];
  for (;;) {
    const c = s.charCodeAt(i);
    let end: number;
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      const j = skip(s, i + 1);
      if (s.charCodeAt(j) === close) end = j + 1;
      else {
        closers.push(close);
        i = j;
        if (close === 0x7d) {
          const k = str(s, i);
          if (k < 0) return -1;
          i = skip(s, k);
          if (s.charCodeAt(i) !== 0x3a) return -1;
          i = skip(s, i + 1);
        }
        continue;
      }
    } else if (c === 0x22) end = str(s, i);
    else if (c === 0x74 || c === 0x66 || c === 0x6e) end = match(LITERAL, s, i);
    else end = match(NUMBER, s, i);
    if (end < 0) return -1;
    // After a value: close what it ends, or go on to the next element or member.
    for (;;) {
      if (closers.length === 0) return end;
      const j = skip(s, end);
      const c2 = s.charCodeAt(j);
      if (c2 === closers[closers.length - 1]) {
        closers.pop();
        end = j + 1;
        continue;
      }
      if (c2 !== 0x2c) return -1;
      i = skip(s, j + 1);
      if (closers[closers.length - 1] === 0x7d) {
        const k = str(s, i);
        if (k < 0) return -1;
        i = skip(s, k);
        if (s.charCodeAt(i) !== 0x3a) return -1;
        i = skip(s, i + 1);
      }
      break;
    }
  }
}

/** Where the next backslash is at or after the last string read (-2: not looked for yet): most strings have none. */
let backslash = -2;

/** The end of the JSON string at `i`, or -1: found by its closing quote when no backslash comes before it. */
function str(s: string, i: number): number {
  if (s.charCodeAt(i) !== 0x22) return -1;
  const close = s.indexOf('"', i + 1);
  if (close < 0) return -1;
  if (backslash !== -1 && backslash < i) backslash = s.indexOf("\\", i);
  return backslash === -1 || backslash > close ? close + 1 : match(STRING, s, i);
}

function match(re: RegExp, s: string, i: number): number {
  re.lastIndex = i;
  return re.test(s) ? re.lastIndex : -1;
}

function skip(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c !== 0x20) return i; // as JSON.stringify writes: no spaces
  SPACE.lastIndex = i;
  SPACE.test(s);
  return SPACE.lastIndex;
}

/** Kept parts per bundle in a context: a few lists' worth, each some hundreds of characters; longer ones are not kept. */
const MAX_KEPT = 32;
export const MAX_KEPT_CHARS = 4096;
/** The share of a context's memory limit the kept parts of one bundle may take, in characters. */
export const KEPT_PARTS_SHARE = 1 / 256;

type Made = { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError };

/** A loaded bundle's kept parts (engine.ts), by their JSON, least recently used first. */
export class KeptParts {
  private readonly parts = new Map<string, QuickJSHandle>();
  private chars = 0;

  /** The handle of these parts, made by `make` unless kept; then the least recently used beyond the count or `maxChars` go. */
  take(keptJson: string, maxChars: number, make: (json: string) => Made): Made {
    const kept = this.parts.get(keptJson);
    if (kept) {
      this.parts.delete(keptJson);
      this.parts.set(keptJson, kept);
      return { ok: true, handle: kept };
    }
    const made = make(keptJson);
    if (!made.ok) return made;
    this.parts.set(keptJson, made.handle);
    this.chars += keptJson.length;
    for (const [json, handle] of this.parts) {
      if (json === keptJson || (this.parts.size <= MAX_KEPT && this.chars <= maxChars)) break;
      this.parts.delete(json);
      this.chars -= json.length;
      handle.dispose();
    }
    return made;
  }

  /** Gives every handle back (the bundle is evicted from a context that stays). */
  dispose(): void {
    for (const handle of this.parts.values()) handle.dispose();
    this.parts.clear();
    this.chars = 0;
  }
}
