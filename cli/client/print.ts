/**
 * Printing what a server answered, for the client commands: what senders and
 * subscribers wrote (a member's name, an envelope sender, a subject, a
 * rule's state) reaches the admin's terminal, so control characters (C0 and
 * C1: a CSI can clear or rewrite the screen) and bidirectional overrides (a
 * line shown backwards) never go out as they are.
 */
import type { CliIo } from "../io.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is matched
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** On one line and without terminal control characters; cut at `max` characters. */
export function safe(s: string, max = 120): string {
  const one = s.replace(new RegExp(`${UNSAFE.source}+`, "g"), " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** What JSON.stringify leaves as it is of UNSAFE (it escapes C0 in strings; its own line breaks are the indentation's). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** JSON whose strings have no terminal control characters as they are: JSON escapes C0, and this the rest (the same JSON). */
export function safeJson(v: unknown, indent?: number): string {
  return (JSON.stringify(v, null, indent) ?? "null").replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** East Asian Wide and Fullwidth ranges (UAX #11): two terminal columns each. */
const WIDE = /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The columns `s` takes on a terminal: a character and its combining marks take one (`zoe\u0308` is three), a wide
 * one (CJK, Hangul, fullwidth forms, emoji) two; what String.length counts is UTF-16 units, which a table padded by
 * it misaligns.
 */
export function displayWidth(s: string): number {
  let n = 0;
  for (const { segment } of graphemes.segment(s)) n += WIDE.test(segment) || /\p{Extended_Pictographic}/u.test(segment) ? 2 : 1;
  return n;
}

/** `s` padded with spaces to `width` terminal columns, at its end or (`start`) before it. */
export function pad(s: string, width: number, start = false): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return start ? fill + s : s + fill;
}

export const json = (io: CliIo, v: unknown): void => io.stdout.write(`${safeJson(v, 2)}\n`);
export const time = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
