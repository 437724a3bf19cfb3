/**
 * Numbers as messages show them: `1,234,567`. By hand, because the first
 * `toLocaleString` of a process loads ICU's number data (about 25 ms, most
 * of a cold `thwonkc check`); anything but a safe integer goes through Intl.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString("en-US");
  const s = String(Math.abs(n));
  const head = s.length % 3 || 3;
  let out = s.slice(0, head);
  for (let i = head; i < s.length; i += 3) out += "," + s.slice(i, i + 3);
  return n < 0 || Object.is(n, -0) ? "-" + out : out;
}
