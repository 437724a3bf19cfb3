/**
 * The top-level header fields of a raw message, in order, as written:
 * unfolded (RFC 5322 §2.2.3: a line break before white space is removed)
 * but not decoded (encoded words stay as they are). We read them ourselves
 * rather than from mailparser's `headerLines`, which decodes bytes as
 * Latin-1 and so garbles UTF-8 header fields (RFC 6532).
 */
import { Buffer } from "node:buffer";

export interface HeaderBlock {
  fields: [string, string][];
  problems: string[];
  /** Where the header block ends: the start of the empty line after it, or the message's length. */
  end: number;
}

/** printable US-ASCII except ":" (RFC 5322 ftext) */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Where the header block ends: the first empty line (or the end of the message). */
function headerEnd(raw: Buffer): number {
  if (raw[0] === 0x0a) return 0;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 0;
  // The first LF followed by LF or CRLF: a header block is short, so it is scanned for here, byte by byte.
  const n = raw.length;
  for (let i = raw.indexOf(0x0a); i >= 0 && i < n; i = raw.indexOf(0x0a, i + 1)) {
    const next = raw[i + 1];
    if (next === 0x0a || (next === 0x0d && raw[i + 2] === 0x0a)) return i + 1;
  }
  return n;
}

/** UTF-8 when the bytes are valid UTF-8 (RFC 6532), otherwise Latin-1 so no byte is lost. */
function decode(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, "latin1");
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1;
  }
}

export function readHeaders(raw: Buffer): HeaderBlock {
  const end = headerEnd(raw);
  const head = raw.toString("latin1", 0, end);
  const fields: [string, string][] = [];
  const problems: string[] = [];
  // The field being read: its first line's number, and its text (continuation lines joined as they come).
  let text: string | undefined;
  let start = 1;
  const finish = (lineNo: number): void => {
    if (text === undefined) return;
    const t = text;
    text = undefined;
    const colon = t.indexOf(":");
    const name = colon < 0 ? "" : t.slice(0, colon).trimEnd();
    if (!FIELD_NAME.test(name)) {
      problems.push(`header line ${lineNo} is not a header field (${JSON.stringify(t.slice(0, 40))}); it was ignored`);
      return;
    }
    fields.push([name, decode(t.slice(colon + 1).trim())]);
  };
  // Lines split at LF, a CR before it dropped (as split(/\r?\n/) did); a last empty line is not one.
  let i = 0;
  for (let at = 0; at <= head.length; i++) {
    const nl = head.indexOf("\n", at);
    // The last piece, after the last LF: nothing (not a line), or a line without its end (a CR in it kept).
    if (nl < 0 && at === head.length) break;
    const line = nl < 0 ? head.slice(at) : head.slice(at, nl > at && head.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl);
    at = nl < 0 ? head.length + 1 : nl + 1;
    if (i === 0 && /^From (?!\s*:)/.test(line)) continue; // an mbox separator line, not a field
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) {
      if (text !== undefined) text += line;
      else problems.push(`header line ${i + 1} continues a field that does not exist; it was ignored`);
      continue;
    }
    finish(start);
    text = line;
    start = i + 1;
  }
  finish(start);
  return { fields, problems, end };
}
