/** Counting characters the way the language does: Unicode code points, so a surrogate pair is one. */

const PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

export function codePoints(s: string): number {
  const pairs = s.match(PAIR);
  return s.length - (pairs ? pairs.length : 0);
}
