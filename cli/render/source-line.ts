/** Quoting a line of a rule in the output of `run --trace` and `test --coverage`. */

/** A line of source without its `//` comment (a `//` inside a string is kept). */
export function withoutComment(line: string): string {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "\\" && quote) i++;
    else if (ch === '"') quote = !quote;
    else if (!quote && ch === "/" && line[i + 1] === "/") return line.slice(0, i);
  }
  return line;
}
