/**
 * Parts of a run's input that stay the same from run to run of a list (its limits, the list itself, the time
 * zone's offset table), kept in a reused context parsed and frozen (lockdown.ts `keep`), and passed to the
 * run beside the rest of the input, which is all the engine parses per run. QuickJS parses numbers slowly:
 * these parts are most of an input's numbers. The input is split only when it is as JSON.stringify writes it
 * (splice.ts), and only for code whose `__thwonk_run` takes the parts (KEPT_SIGNATURE); the run sees the same
 * input either way.
 */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { topMembers } from "./splice.js";
import type { SandboxError } from "./types.js";

/** The input's top-level members kept. */
const KEPT_KEYS: ReadonlySet<string> = new Set(["tz", "list", "limits"]);

/** The driver's entry point when it takes the kept parts (contract/prelude/driver.js). */
export const KEPT_SIGNATURE = "function __thwonk_run(name, inputJson, members, kept) {";

/** The input without the kept parts, and the kept parts as one JSON object; undefined when it has none or cannot be split. */
export function splitInput(inputJson: string): { runJson: string; keptJson: string } | undefined {
  const members = topMembers(inputJson);
  if (!members?.some((m) => KEPT_KEYS.has(m.key))) return undefined;
  let keptChars = 0;
  for (const m of members) if (KEPT_KEYS.has(m.key)) keptChars += m.end - m.keyStart + 1;
  if (keptChars > MAX_KEPT_CHARS) return undefined;
  let runJson = "";
  let keptJson = "";
  for (const m of members) {
    const text = inputJson.slice(m.keyStart, m.end);
    if (KEPT_KEYS.has(m.key)) keptJson += (keptJson ? "," : "{") + text;
    else runJson += (runJson ? "," : "{") + text;
  }
  return { runJson: runJson ? runJson + "}" : "{}", keptJson: keptJson + "}" };
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
