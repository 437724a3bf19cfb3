/**
 * Bytes to source text: the one decision every host makes before the core
 * sees a text (the CLI for the files it was given, the language server for
 * the files it reads from disk). Source text is UTF-8 (docs/language.md);
 * bytes that are not are refused, never read through U+FFFD: decoding with
 * replacement checked another rule than the one written (a Latin-1 `é` in a
 * string literal became another string), and edits computed on that text
 * (a format, a rename) would have written the replacement back over it.
 *
 * Pure: the host reads the bytes, this says what they are.
 */
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, syntaxMessages } from "../diagnostics/catalog/index.js";
import { LineMap } from "./lines.js";

/** Where the first malformed sequence starts, as a diagnostic's position says it. */
export interface NotUtf8 {
  /** 1-based line (breaks at `\n`, `\r\n` and a lone `\r`, as the lexer's). */
  line: number;
  /** 1-based column in UTF-16 units, a BOM not counted. */
  col: number;
  /** UTF-16 offset in the text after the BOM, the bytes before the malformed one decoded. */
  offset: number;
  /** The first byte of the malformed sequence. */
  byte: number;
}

export type DecodedSource = { ok: true; text: string } | { ok: false; at: NotUtf8 };

/**
 * The bytes as UTF-8 text, a byte-order mark kept (the host decides whether
 * to drop it: no position counts it, `fmt` writes it back), or where the
 * first byte that is not UTF-8 is.
 */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { ok: false, at: firstInvalidUtf8(bytes) };
  }
}

/** `0xE9`: a byte as the messages show it. */
export function byteHex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** The diagnostic (TW1024) for `file` whose bytes are not UTF-8, at the first malformed byte. */
export function notUtf8Diagnostic(file: string, at: NotUtf8): Diagnostic {
  const span: Span = { file, start: at.offset, end: at.offset + 1, line: at.line, col: at.col, endLine: at.line, endCol: at.col + 1 };
  return makeDiagnostic(syntaxMessages.notUtf8, span, [byteHex(at.byte)]);
}

/**
 * The decoder's text (with replacement) followed until a U+FFFD that the
 * bytes do not spell: the bytes before it are valid, so its offset is the
 * malformed byte's.
 */
function firstInvalidUtf8(bytes: Uint8Array): NotUtf8 {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  let pos = bom ? 3 : 0;
  let at = bom;
  for (const ch of text.slice(bom)) {
    if (ch === "\uFFFD" && !(bytes[pos] === 0xef && bytes[pos + 1] === 0xbf && bytes[pos + 2] === 0xbd)) break;
    pos += utf8Length(ch.codePointAt(0)!);
    at += ch.length;
  }
  const offset = at - bom;
  const map = new LineMap(text.slice(bom));
  return { line: map.line(offset), col: map.col(offset), offset, byte: bytes[pos] ?? 0 };
}

/** How many bytes UTF-8 spends on the code point `cp` (a decoded text holds no lone surrogate). */
function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
