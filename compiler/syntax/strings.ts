/**
 * Scanning of string literals. A string is one line; `{expr}` interpolates
 * (braces nest, and an interpolation may hold strings of its own); escapes
 * are `\n \r \t \" \\ \{ \} \u{1F600}`. The lexer uses `scanString` to find
 * where a string ends; the parser uses the parts it records.
 */

export interface StringTextPart {
  kind: "text";
  /** Offsets in the file, the text's raw source range. */
  start: number;
  end: number;
  /** The text with escapes decoded. */
  value: string;
}

export interface StringInterpPart {
  kind: "interp";
  /** Offsets of the expression between the braces. */
  start: number;
  end: number;
  /** False when the line ended before the closing `}`. */
  closed: boolean;
}

export interface StringProblem {
  /** `notCharacter`: a `\u{hex}` escape whose code point is no character (a surrogate half, or past U+10FFFF). */
  kind: "badEscape" | "notCharacter";
  start: number;
  end: number;
}

export interface StringScan {
  /** Offset of the opening quote. */
  start: number;
  /** Offset just past the string (past the closing quote when there is one). */
  end: number;
  terminated: boolean;
  parts: (StringTextPart | StringInterpPart)[];
  problems: StringProblem[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LF = 10;
const CR = 13;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
  "{": "{",
  "}": "}",
};

/** Scans the string starting at `text[start] === '"'`. */
export function scanString(text: string, start: number): StringScan {
  const parts: (StringTextPart | StringInterpPart)[] = [];
  const problems: StringProblem[] = [];
  let i = start + 1;
  let segStart = i;
  let value = "";
  const flush = (end: number): void => {
    if (end > segStart) parts.push({ kind: "text", start: segStart, end, value });
    value = "";
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      flush(i);
      return { start, end: i + 1, terminated: true, parts, problems };
    }
    if (c === LF || c === CR) break;
    if (c === BACKSLASH) {
      const next = text[i + 1];
      if (next !== undefined && next in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[next];
        i += 2;
        continue;
      }
      if (next === "u") {
        const m = /^u\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(i + 1, i + 11));
        const cp = m ? parseInt(m[1]!, 16) : -1;
        if (m && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
          value += String.fromCodePoint(cp);
          i += 1 + m[0].length;
          continue;
        }
        // Written as an escape, but of no character: the whole escape is the problem (its braces are not an
        // interpolation to read next).
        if (m) {
          problems.push({ kind: "notCharacter", start: i, end: i + 1 + m[0].length });
          i += 1 + m[0].length;
          continue;
        }
      }
      const len = next === undefined || next === "\n" || next === "\r" ? 1 : 2;
      problems.push({ kind: "badEscape", start: i, end: i + len });
      i += len;
      continue;
    }
    if (c === LBRACE) {
      flush(i);
      const interp = scanInterpolation(text, i + 1);
      parts.push({ kind: "interp", start: i + 1, end: interp.end, closed: interp.closed });
      if (!interp.closed) {
        i = interp.end;
        segStart = i;
        break;
      }
      i = interp.end + 1;
      segStart = i;
      continue;
    }
    value += text[i];
    i++;
  }
  flush(i);
  return { start, end: i, terminated: false, parts, problems };
}

/** Finds the `}` that closes an interpolation starting at `start`. */
function scanInterpolation(text: string, start: number): { end: number; closed: boolean } {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return { end: i, closed: false };
    if (c === QUOTE) {
      const inner = scanString(text, i);
      if (!inner.terminated) return { end: inner.end, closed: false };
      i = inner.end;
      continue;
    }
    if (c === LBRACE) depth++;
    else if (c === RBRACE) {
      if (depth === 0) return { end: i, closed: true };
      depth--;
    }
    i++;
  }
  return { end: i, closed: false };
}
