/**
 * Saved state in one spelling, so `thwonkc run` shows only real changes: a
 * state file may write an instant `2026-11-25T09:00:00Z` and the run save it
 * `2026-11-25T09:00:00.000Z`, or an address in capitals; both are the same
 * value. Walks the field's descriptor (contract/state.ts); a value that does
 * not fit it is left as it is.
 */
import type { StateDescriptor } from "../../contract/state.js";
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

export function normalizeSaved(d: StateDescriptor, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof d === "string") return scalar(d, v);
  if (d[0] === "opt") return normalizeSaved(d[1], v);
  if (d[0] === "list") return Array.isArray(v) ? v.map((x) => normalizeSaved(d[1], x)) : v;
  if (typeof v !== "object" || Array.isArray(v)) return v;
  const out: Record<string, unknown> = Object.create(null);
  const o = v as Record<string, unknown>;
  if (d[0] === "map") {
    for (const k of Object.keys(o)) out[String(typeof d[1] === "string" ? scalar(d[1], k) : k)] = normalizeSaved(d[2], o[k]);
    return out;
  }
  for (const k of Object.keys(o)) out[k] = Object.hasOwn(d[1], k) ? normalizeSaved(d[1][k]!, o[k]) : o[k];
  return out;
}
