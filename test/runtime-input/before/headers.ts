/** The previous header reader, kept as the oracle of headers-before.test.ts. */
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
  const lf = raw.indexOf("\n\n");
  const crlf = raw.indexOf("\n\r\n");
  const ends = [lf, crlf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) + 1 : raw.length;
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
  const lines = head.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const fields: [string, string][] = [];
  const problems: string[] = [];
  let current: string[] | undefined;
  const finish = (lineNo: number): void => {
    if (!current) return;
    const text = current.join("");
    current = undefined;
    const colon = text.indexOf(":");
    const name = colon < 0 ? "" : text.slice(0, colon).trimEnd();
    if (!FIELD_NAME.test(name)) {
      problems.push(`header line ${lineNo} is not a header field (${JSON.stringify(text.slice(0, 40))}); it was ignored`);
      return;
    }
    fields.push([name, decode(text.slice(colon + 1).trim())]);
  };
  let start = 1;
  lines.forEach((line, i) => {
    if (i === 0 && /^From (?!\s*:)/.test(line)) return; // an mbox separator line, not a field
    if (/^[ \t]/.test(line)) {
      if (current) current.push(line);
      else problems.push(`header line ${i + 1} continues a field that does not exist; it was ignored`);
      return;
    }
    finish(start);
    current = [line];
    start = i + 1;
  });
  finish(start);
  return { fields, problems, end };
}
