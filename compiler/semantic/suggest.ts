/** "Did you mean ...?" — the closest known name by edit distance. */
import type { Fix, Span } from "../diagnostics/diagnostic.js";

/**
 * Edit distance (insertions, deletions, substitutions, and a swap of two
 * neighbouring characters, the commonest typo: `woh` for `who`), case-sensitive.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, sub);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The machine-applicable edit of a "did you mean": `span` replaced by `to` (a string literal's quotes included by the caller). */
export function renameFix(span: Span, to: string | undefined, text: string = to ?? ""): { fix?: Fix } {
  return to === undefined ? {} : { fix: { description: `Change to ${text.includes("`") ? text : `\`${text}\``}`, edits: [{ span, newText: text }] } };
}

/**
 * The candidate closest to `name`, if it is close enough to be a typo: at
 * most a third of the name's length away (at least 1, at most 3), or equal
 * ignoring case. Ties go to the first candidate.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= limit ? best : undefined;
}
