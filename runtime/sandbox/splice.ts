/**
 * The state of a run's input JSON replaced without parsing and writing the
 * whole input again (chain.ts). The result must be byte for byte
 * `JSON.stringify({ ...JSON.parse(inputJson), state })`: the daemon takes a
 * run given ahead only when its input is the very text its turn builds
 * (runtime/daemon/ahead.ts). Splicing gives that only when the input is
 * already what JSON.stringify writes (its fixed point): no whitespace, each
 * number, string and key as JSON.stringify writes it, no key twice in an
 * object, integer keys first in ascending order (the order JSON.parse's
 * objects keep). The host's inputs are (runtime/input/json-parts.ts); any
 * other is refused here, and the caller parses and writes it as before.
 */

/** A top-level member of a canonical input: its key, where its key starts, where its value starts and ends. */
export interface Member {
  key: string;
  keyStart: number;
  start: number;
  end: number;
}

/** The top-level members of an input as JSON.stringify writes an object, in order; undefined for any other text. */
export function topMembers(json: string): Member[] | undefined {
  if (json.charCodeAt(0) !== OPEN_BRACE) return undefined;
  const scan = new Scan(json);
  return scan.object(0, 0, true) === json.length ? scan.top : undefined;
}

/**
 * The top-level members of an object as the host writes one (no spaces between its members), read without
 * checking what they hold: a string is skipped to its closing quote, anything nested to its closing bracket.
 * Undefined for text this cannot read so (not an object, text that ends too soon, a space between members).
 * For JSON that is not so written, what it gives need not be what JSON.parse reads: kept-input.ts then refuses
 * escaped keys, and a run chained on it (chain.ts withStateAhead) is used only when its text is the host's own.
 */
export function looseTopMembers(json: string): Member[] | undefined {
  const n = json.length;
  if (n < 2 || json.charCodeAt(0) !== OPEN_BRACE || json.charCodeAt(n - 1) !== CLOSE_BRACE) return undefined;
  const top: Member[] = [];
  if (n === 2) return top;
  let i = 1;
  for (;;) {
    if (json.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = looseStringEnd(json, i);
    if (keyEnd < 0 || json.charCodeAt(keyEnd) !== COLON) return undefined;
    const end = looseValueEnd(json, keyEnd + 1);
    if (end < 0) return undefined;
    top.push({ key: json.slice(i + 1, keyEnd - 1), keyStart: i, start: keyEnd + 1, end });
    if (end === n - 1) return top;
    i = end + 1;
  }
}

/** The index after the string whose opening quote is at `i`, or -1. */
export function looseStringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    let k = q - 1;
    while (s.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index of the comma or closing brace that ends the top-level value starting at `i`, or -1. */
export function looseValueEnd(s: string, i: number): number {
  const n = s.length;
  let depth = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = looseStringEnd(s, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return c === CLOSE_BRACE ? i : -1;
      depth--;
    } else if (c === COMMA && depth === 0) return i;
    i++;
  }
  return -1;
}

/** Where the top-level `state` value lies in a canonical input, or undefined (not canonical, no `state`, not an object). */
export function stateSpan(json: string): { start: number; end: number } | undefined {
  return topMembers(json)?.find((m) => m.key === "state");
}

/** The input with its top-level state replaced by `stateJson` (JSON.stringify of it), or undefined when it cannot be spliced. */
export function spliceState(json: string, stateJson: string | undefined): string | undefined {
  if (stateJson === undefined) return undefined; // JSON.stringify leaves the key out
  const span = stateSpan(json);
  return span ? json.slice(0, span.start) + stateJson + json.slice(span.end) : undefined;
}

/** The JSON characters the scanners here and in kept-input.ts look for. */
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
/** Deeper values are left to JSON.parse (no recursion limit to reach here). */
const MAX_DEPTH = 200;
const FAIL = -1;

/** An object's keys so far: a few compared one by one, many kept in a set. */
class Keys {
  private list: string[] = [];
  private set: Set<string> | undefined;
  /** False when the key came before. */
  add(key: string): boolean {
    if (this.set) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    if (this.list.includes(key)) return false;
    this.list.push(key);
    if (this.list.length > 16) this.set = new Set(this.list);
    return true;
  }
}

class Scan {
  readonly top: Member[] = [];
  constructor(private readonly s: string) {}

  /** The index after the canonical value at `i`, or FAIL. */
  value(i: number, depth: number): number {
    const c = this.s.charCodeAt(i);
    if (c === OPEN_BRACE) return this.object(i, depth + 1, false);
    if (c === OPEN_BRACKET) return this.array(i, depth + 1);
    if (c === QUOTE) return this.string(i);
    if (c === 0x74) return this.s.startsWith("true", i) ? i + 4 : FAIL;
    if (c === 0x66) return this.s.startsWith("false", i) ? i + 5 : FAIL;
    if (c === 0x6e) return this.s.startsWith("null", i) ? i + 4 : FAIL;
    return this.number(i);
  }

  object(i: number, depth: number, top: boolean): number {
    if (depth > MAX_DEPTH) return FAIL;
    const { s } = this;
    i++;
    if (s.charCodeAt(i) === CLOSE_BRACE) return i + 1;
    // Keys as written (canonical strings are one text per value, so text equality is key equality).
    const keys = new Keys();
    let named = false; // a key that is not an array index came: no index key may follow
    let lastIndex = -1;
    for (;;) {
      if (s.charCodeAt(i) !== QUOTE) return FAIL;
      const keyEnd = this.string(i);
      if (keyEnd === FAIL || s.charCodeAt(keyEnd) !== COLON) return FAIL;
      const key = s.slice(i + 1, keyEnd - 1);
      const index = arrayIndex(key);
      if (index >= 0) {
        if (named || index <= lastIndex) return FAIL;
        lastIndex = index;
      } else named = true;
      if (!keys.add(key)) return FAIL;
      const start = keyEnd + 1;
      const end = this.value(start, depth);
      if (end === FAIL) return FAIL;
      if (top) this.top.push({ key, keyStart: i, start, end });
      const c = s.charCodeAt(end);
      if (c === CLOSE_BRACE) return end + 1;
      if (c !== COMMA) return FAIL;
      i = end + 1;
    }
  }

  array(i: number, depth: number): number {
    if (depth > MAX_DEPTH) return FAIL;
    const { s } = this;
    i++;
    if (s.charCodeAt(i) === CLOSE_BRACKET) return i + 1;
    for (;;) {
      const end = this.value(i, depth);
      if (end === FAIL) return FAIL;
      const c = s.charCodeAt(end);
      if (c === CLOSE_BRACKET) return end + 1;
      if (c !== COMMA) return FAIL;
      i = end + 1;
    }
  }

  /** A string as JSON.stringify writes it: only `"` `\` and control characters escaped, short forms where it has them. */
  string(i: number): number {
    const { s } = this;
    const n = s.length;
    for (i++; i < n; i++) {
      // Character by character: most strings are short, where a regular expression per string costs more.
      const c = s.charCodeAt(i);
      if (c === QUOTE) return i + 1;
      if (c < 0x20) return FAIL;
      if (c === BACKSLASH) {
        const e = s.charCodeAt(++i);
        if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) continue;
        if (e !== 0x75) return FAIL; // `\/` and anything else: JSON.stringify never writes them
        // \u00XX in lower case, for a control character without a short form; escaped surrogates are left to JSON.parse.
        const hex = s.slice(i + 1, i + 5);
        if (!/^00[01][0-9a-f]$/.test(hex)) return FAIL;
        const code = parseInt(hex, 16);
        if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return FAIL;
        i += 4;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        // A lone surrogate is written escaped by JSON.stringify: only whole pairs stand as they are.
        if (c >= 0xdc00) return FAIL;
        const low = s.charCodeAt(i + 1);
        if (!(low >= 0xdc00 && low <= 0xdfff)) return FAIL;
        i++;
      }
    }
    return FAIL;
  }

  /** A number as JSON.stringify writes it (its shortest form; never -0, which it writes as 0). */
  number(i: number): number {
    const { s } = this;
    let j = i;
    for (;;) {
      const c = s.charCodeAt(j);
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) j++;
      else break;
    }
    if (j === i) return FAIL;
    // A whole number of at most 15 digits, no leading zero, not -0: what JSON.stringify writes for it, told without
    // converting it (most numbers in an input are such: times, gas, limits).
    const neg = s.charCodeAt(i) === 0x2d ? 1 : 0;
    const digits = j - i - neg;
    if (digits >= 1 && digits <= 15 && (digits === 1 ? !(neg && s.charCodeAt(i + 1) === 0x30) : s.charCodeAt(i + neg) !== 0x30)) {
      let k = i + neg;
      while (k < j && s.charCodeAt(k) >= 0x30 && s.charCodeAt(k) <= 0x39) k++;
      if (k === j) return j;
    }
    const text = s.slice(i, j);
    return String(Number(text)) === text ? j : FAIL;
  }
}

/** The key's value as an array index (which JS objects order first, ascending), or -1. */
function arrayIndex(key: string): number {
  const n = key.length;
  if (n === 0 || n > 10) return -1;
  const first = key.charCodeAt(0);
  if (first < 0x30 || first > 0x39 || (first === 0x30 && n > 1)) return -1;
  for (let k = 1; k < n; k++) {
    const c = key.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return -1;
  }
  const v = Number(key);
  return v <= 4294967294 ? v : -1;
}
