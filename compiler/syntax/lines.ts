/**
 * Lines and columns of offsets in a text. Tokens carry offsets only; a
 * position is computed where a span is made. Lines break at `\n`, `\r\n`
 * and `\r`; columns count UTF-16 units from 1.
 */
export class LineMap {
  /** Offsets at which lines start; starts[0] === 0. */
  private readonly starts: number[] = [0];
  /** The line of the last lookup (lookups mostly move forward a little). */
  private last = 0;

  constructor(readonly text: string) {
    const starts = this.starts;
    if (text.indexOf("\r") < 0) {
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
  }

  /** The 0-based index of the line holding `offset` (NaN for NaN). */
  index(offset: number): number {
    const s = this.starts;
    const n = s.length;
    const i = this.last;
    if (offset >= s[i]!) {
      if (i + 1 === n || offset < s[i + 1]!) return i;
      if (i + 2 === n || offset < s[i + 2]!) return (this.last = i + 1);
    }
    if (Number.isNaN(offset)) return NaN;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }

  /** The 1-based line of `offset`. */
  line(offset: number): number {
    return this.index(offset) + 1;
  }

  /** The 1-based column of `offset`. */
  col(offset: number): number {
    return this.colAt(offset, this.index(offset));
  }

  /** The 1-based column of `offset`, on the line of 0-based index `i` (see index). */
  colAt(offset: number, i: number): number {
    return Number.isNaN(i) ? NaN : offset - this.starts[i]! + 1;
  }

  /** How many lines the text has. */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The offset where the last line starts. */
  get lastLineStart(): number {
    return this.starts[this.starts.length - 1]!;
  }
}

/**
 * How the line holding `offset` is written, for a fix that writes a line
 * beside it: its indentation (the blanks that start it, up to `offset`, as
 * written: tabs stay tabs) and the line break that ends it (`\r\n` in a file
 * written with CRLF); on a last line without one, the text's first line
 * break, and `\n` in a text of one line.
 */
export function lineLayout(text: string, offset: number): { indent: string; eol: string } {
  let start = Math.min(offset, text.length);
  while (start > 0 && text[start - 1] !== "\n" && text[start - 1] !== "\r") start--;
  let end = start;
  while (end < offset && (text[end] === " " || text[end] === "\t")) end++;
  const breaks = /\r\n|\n|\r/g;
  breaks.lastIndex = start;
  const eol = breaks.exec(text)?.[0] ?? /\r\n|\n|\r/.exec(text)?.[0] ?? "\n";
  return { indent: text.slice(start, end), eol };
}
