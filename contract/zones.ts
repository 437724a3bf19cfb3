/**
 * Which time zones exist: the one rule the checker (a rule's
 * `settings { timezone }`) and the runtime (the zone a run is given) share.
 * A zone is known when this host's ICU (Node's Intl) knows it; the zone data's
 * version goes into every bundle (manifest.zoneData).
 */

/** Answers of isKnownTimeZone (making a DateTimeFormat costs milliseconds; the answer never changes). */
const known = new Map<string, boolean>();

/** The canonical zone names, read once: far cheaper than a first DateTimeFormat (which loads a zone's rules). */
let canonical: ReadonlySet<string> | undefined;

export function isKnownTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  canonical ??= new Set(knownTimeZones());
  if (canonical.has(zone)) return true;
  // An alias ("Asia/Calcutta") or a mistake: ask ICU itself.
  let ok = known.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    if (known.size < 1000) known.set(zone, ok);
  }
  return ok;
}

/** The zone names this host knows (for "did you mean" suggestions). */
export function knownTimeZones(): string[] {
  const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return f ? [...f("timeZone"), "UTC"] : ["UTC"];
}
