/**
 * Saved state in one spelling, so `thwonkc run` shows only real changes: a
 * state file may write an instant `2026-11-25T09:00:00Z` and the run save it
 * `2026-11-25T09:00:00.000Z`, or an address in capitals; both are the same
 * value. Walks the field's type (contract/state.ts); a value that does
 * not fit it is left as it is.
 */
import type { StateType } from "../../contract/state.js";
import { canonicalAddress } from "../../contract/values.js";

function instant(v: unknown): unknown {
  const t = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : Number.NaN;
  return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : v;
}

function scalar(d: string, v: unknown): unknown {
  if (d === "time") return instant(v);
  if (d === "address" && typeof v === "string") return canonicalAddress(v) ?? v;
  return v;
}

export function normalizeSaved(t: StateType, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  switch (t.kind) {
    case "time":
    case "address":
      return scalar(t.kind, v);
    case "opt":
      return normalizeSaved(t.of, v);
    case "list":
      return Array.isArray(v) ? v.map((x) => normalizeSaved(t.of, x)) : v;
    case "map":
    case "rec": {
      if (typeof v !== "object" || Array.isArray(v)) return v;
      const out: Record<string, unknown> = Object.create(null);
      const o = v as Record<string, unknown>;
      if (t.kind === "map") {
        for (const k of Object.keys(o)) out[String(scalar(t.key.kind, k))] = normalizeSaved(t.value, o[k]);
      } else {
        for (const k of Object.keys(o)) out[k] = Object.hasOwn(t.fields, k) ? normalizeSaved(t.fields[k]!, o[k]) : o[k];
      }
      return out;
    }
    default:
      return v;
  }
}
