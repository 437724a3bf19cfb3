/**
 * Compile-time versions of the prelude's value rules, so literals in the
 * source become exactly the values the runtime would make of them.
 */

/** `Ann@Example.ORG` → `Ann@example.org`; undefined when it is not an address. Mirrors the prelude's `__addr`. */
export function canonicalAddress(s: string): string | undefined {
  const t = s.trim();
  const at = t.lastIndexOf("@");
  if (at <= 0 || at === t.length - 1 || t.length > 320 || /[\s<>(),;:"[\]\\]/.test(t)) return undefined;
  const local = t.slice(0, at);
  const domain = t.slice(at + 1).toLowerCase();
  if (local.length > 64 || domain.length > 255 || !domain.includes(".") || /^\.|\.\.|\.$/.test(domain)) return undefined;
  return `${local}@${domain}`;
}
