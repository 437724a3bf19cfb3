/**
 * The value rules outside the sandbox, so literals in the source (the
 * compiler) and the input a host builds (runtime/input) become exactly the
 * values the compiled code would make of them (`__addr` in
 * contract/prelude/library.js is the same rule inside the sandbox).
 *
 * Three address checks live here side by side, as they were: `__addr`
 * (the prelude), `canonicalAddress` (inputs and literals' values) and
 * `isValidAddress` (which literals the checker accepts). They do not agree
 * on every string; making them one rule is the state-lifetime issue's.
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

const ADDRESS = /^[^\s@"<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Whether the checker accepts an address literal (TW2xxx invalidAddress). */
export function isValidAddress(s: string): boolean {
  return s.length <= 254 && ADDRESS.test(s) && s.indexOf("@") <= 64;
}
