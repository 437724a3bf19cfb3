/**
 * The parts of a run's input that stay the same from run to run of a list: the time zone's offsets (`tz`), the
 * list's address, name and owners (`list`) and the rule's limits (`limits`); runtime/input/json-parts.ts keeps
 * their JSON on the host's side. A reused context (engine.ts) keeps them parsed and frozen per list, as it keeps
 * the members (kept-members.ts), so that a run parses only what changes: its time, state and message. A kept part
 * is used only while its text is the very text of the run's input; the driver (contract/prelude/driver.js) puts
 * the parts back into the parsed input, which is then what parsing the whole of it gave, frozen where kept.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { looseTopMembers } from "./splice.js";
import type { SandboxError } from "./types.js";

/** The top-level keys kept. */
export const KEPT_KEYS: ReadonlySet<string> = new Set(["tz", "list", "limits"]);

/** Lists kept per context (least recently used first out), and their characters (a share of the memory limit). */
const MAX_KEPT_LISTS = 1024;
export const KEPT_INPUT_SHARE = 1 / 64;

/**
 * The input cut in two: `keptJson` the object of its kept keys, `restJson` of all others, each member as the input
 * wrote it and in its order (the message without the members that read as their absence: `compact`), so that
 * parsing the two gives the members parsing the whole gives, as the driver reads them. Undefined for an
 * input this cannot cut so (not an object written without spaces between its members, a key with an escape in it,
 * text that ends too soon) or without a kept key: such an input is parsed whole. Only the top level is read: a
 * string is skipped to its closing quote, anything nested to its closing bracket (JSON.parse then reads each part).
 */
export function splitInput(json: string): { keptJson: string; restJson: string } | undefined {
  const top = looseTopMembers(json);
  if (!top) return undefined;
  let kept = "";
  let rest = "";
  for (const m of top) {
    // An escaped key could spell a kept one: what it means is left to JSON.parse of the whole.
    if (m.key.includes("\\")) return undefined;
    const text = m.key === "message" ? `"message":${compact(json.slice(m.start, m.end), MESSAGE_DEFAULTS)}` : json.slice(m.keyStart, m.end);
    if (KEPT_KEYS.has(m.key)) kept += (kept === "" ? "{" : ",") + text;
    else rest += (rest === "" ? "{" : ",") + text;
  }
  if (kept === "") return undefined;
  return { keptJson: kept + "}", restJson: rest === "" ? "{}" : rest + "}" };
}

/**
 * A message's members that read as their absence does (contract/prelude/library.js `__message`: a missing `cc` is
 * no addresses, a missing `html` none, and so on; `decoded` all nulls is no field decoded), by their text as the
 * host writes them. Left out of the JSON a run parses: QuickJS's JSON.parse costs about half a microsecond per
 * member. The envelope's likewise.
 */
const MESSAGE_DEFAULTS: ReadonlyMap<string, string> = new Map([
  ["cc", "[]"],
  ["html", "null"],
  ["attachments", "[]"],
  ["fromName", '""'],
  ["replyTo", "null"],
  ["date", "null"],
  ["approved", "false"],
]);
const ENVELOPE_DEFAULTS: ReadonlyMap<string, string> = new Map([
  ["isRequest", "false"],
  ["tag", "null"],
]);
const ALL_NULL = /^\[(?:null(?:,null)*)?\]$/;

/** An object's text without its members that read as their absence; as it is when it is not one this reads so (an escaped or repeated key). */
function compact(text: string, defaults: ReadonlyMap<string, string>): string {
  const top = looseTopMembers(text);
  if (!top) return text;
  let out = "";
  const seen: string[] = [];
  for (const m of top) {
    if (m.key.includes("\\") || seen.includes(m.key)) return text;
    seen.push(m.key);
    const value = text.slice(m.start, m.end);
    if (defaults.get(m.key) === value) continue;
    if (defaults === MESSAGE_DEFAULTS && m.key === "decoded" && ALL_NULL.test(value)) continue;
    const member = defaults === MESSAGE_DEFAULTS && m.key === "envelope" ? `"envelope":${compact(value, ENVELOPE_DEFAULTS)}` : text.slice(m.keyStart, m.end);
    out += (out === "" ? "{" : ",") + member;
  }
  return out === "" ? "{}" : out + "}";
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
