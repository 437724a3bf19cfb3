/**
 * The parts of a run's input that stay the same from run to run of a list
 * (its limits, the time zone's offset table) are frozen when made and their
 * JSON kept beside them, so that encoding a run's input writes only what
 * changed (the message, the state, the time). The output is byte for byte
 * JSON.stringify's (test/runtime/input-reuse.test.ts): the daemon compares
 * inputs as text (runtime/daemon/ahead.ts).
 */
const jsonOf = new WeakMap<object, string>();

/** Freezes `v` (its nested objects too) and keeps its JSON: for values no run changes. */
export function keepJson<T extends object>(v: T): T {
  deepFreeze(v);
  jsonOf.set(v, JSON.stringify(v));
  return v;
}

/** Whether `v` was kept (keepJson): frozen through, so what is worked out from it holds. */
export function isKept(v: object): boolean {
  return jsonOf.has(v);
}

/** JSON.stringify(o) for a plain object whose values may be kept parts. */
export function stringifyParts(o: Record<string, unknown>): string {
  let out = "";
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (out ? "," : "{") + JSON.stringify(k) + ":" + keptJson(v);
  }
  return out ? out + "}" : "{}";
}

/** JSON.stringify(v) for a value that is not undefined, a function or a symbol: the kept JSON of a kept part. */
export function keptJson(v: unknown): string {
  const kept = typeof v === "object" && v !== null ? jsonOf.get(v) : undefined;
  return kept ?? JSON.stringify(v);
}

function deepFreeze(v: unknown): void {
  if (typeof v !== "object" || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  else for (const k in v) deepFreeze((v as Record<string, unknown>)[k]);
}
