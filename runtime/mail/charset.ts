/**
 * A footer written in a text part's own charset. The part's bytes are never
 * decoded and encoded again when the footer fits its charset: the footer's
 * bytes are appended. When it does not fit (a `☕` in an ISO-8859-1 part),
 * the part's text is decoded and the part becomes UTF-8.
 */

// WHATWG's single-byte encodings (their canonical names, as TextDecoder's `encoding` gives them).
const SINGLE_BYTE = new Set([
  "ibm866",
  "iso-8859-2",
  "iso-8859-3",
  "iso-8859-4",
  "iso-8859-5",
  "iso-8859-6",
  "iso-8859-7",
  "iso-8859-8",
  "iso-8859-8-i",
  "iso-8859-10",
  "iso-8859-13",
  "iso-8859-14",
  "iso-8859-15",
  "iso-8859-16",
  "koi8-r",
  "koi8-u",
  "macintosh",
  "windows-874",
  "windows-1250",
  "windows-1251",
  "windows-1252",
  "windows-1253",
  "windows-1254",
  "windows-1255",
  "windows-1256",
  "windows-1257",
  "windows-1258",
  "x-mac-cyrillic",
]);
// Multi-byte encodings in which every ASCII byte stands for itself (an ASCII footer can be appended as is).
const ASCII_SUPERSET = new Set(["gbk", "gb18030", "big5", "euc-jp", "iso-2022-jp", "shift_jis", "euc-kr"]);
// Labels WHATWG reads as windows-1252 but that promise ASCII only: a byte over 0x7f is not theirs to write.
const ASCII_LABELS = new Set(["us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "iso-ir-6", "cp367", "ibm367"]);

/** The charset as TextDecoder knows it, `ascii` for the ASCII labels, or undefined when unknown. */
export function canonicalCharset(label: string | undefined): string | undefined {
  const l = (label ?? "us-ascii").trim().toLowerCase();
  if (ASCII_LABELS.has(l)) return "ascii";
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return undefined;
  }
}

const reverse = new Map<string, Map<number, number>>();

function reverseMap(cs: string): Map<number, number> {
  let map = reverse.get(cs);
  if (!map) {
    map = new Map();
    const d = new TextDecoder(cs);
    for (let b = 0xff; b >= 0; b--) {
      const c = d.decode(Uint8Array.of(b));
      if (c.length === 1 && c !== "\ufffd") map.set(c.charCodeAt(0), b);
    }
    reverse.set(cs, map);
  }
  return map;
}

/** `text` in charset `cs` (canonical), or undefined when a character of it has no byte there. */
export function encodeIn(text: string, cs: string): Buffer | undefined {
  if (cs === "utf-8") return Buffer.from(text, "utf8");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included
  const ascii = /^[\x00-\x7f]*$/.test(text);
  if (ascii && (cs === "ascii" || SINGLE_BYTE.has(cs) || ASCII_SUPERSET.has(cs))) return Buffer.from(text, "latin1");
  if (!SINGLE_BYTE.has(cs)) return undefined;
  const map = reverseMap(cs);
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const b = map.get(text.charCodeAt(i));
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}

/** Whether an ASCII string can be searched for (`</body>`) in the charset's bytes as ASCII. */
export function asciiCompatible(cs: string): boolean {
  return cs === "ascii" || cs === "utf-8" || SINGLE_BYTE.has(cs) || ASCII_SUPERSET.has(cs);
}

/** Bytes in a known charset as text (a malformed sequence becomes U+FFFD). */
export function decodeIn(bytes: Buffer, cs: string): string {
  return new TextDecoder(cs === "ascii" ? "windows-1252" : cs).decode(bytes);
}
