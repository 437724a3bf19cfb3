/**
 * The one message shape most mail to a list has, read without mailparser:
 * a single text/plain part in 7-bit or 8-bit transfer encoding whose header
 * block and body are printable US-ASCII (with tabs and line breaks). For it,
 * mailparser's result is known exactly (test/runtime-input/plain-text.test.ts
 * compares the two on generated messages): the text is the body with each
 * CRLF made LF, the subject the first Subject field trimmed. Anything else,
 * or anything in doubt (an encoded word, a folded or tabbed Subject, a
 * Content-Disposition, a parameter besides the charset, two Subject or
 * Content-Type fields, a CR alone in the header block, an mbox line, a line
 * that is not a field), returns undefined and is read by mailparser.
 * mailparser's stream pipeline is about a third of the CPU the daemon spends
 * on a message; this reading is a few scans of the bytes.
 */
import type { Buffer } from "node:buffer";

/** What parseEml reads from mailparser's result. */
export interface MimeParts {
  subject?: string | undefined;
  text?: string | undefined;
  html?: string | false | undefined;
  attachments?: { filename?: string | undefined; contentType: string; size?: number | undefined }[];
  textConversionError?: Error | undefined;
}

const CONTENT_TYPE = /^text\/plain(?:\s*;\s*charset=(?:us-ascii|"us-ascii"|utf-8|"utf-8"))?$/i;
const TRANSFER = /^(?:7bit|8bit)$/i;

/** Printable US-ASCII, tab, CR and LF only, from `start` to `end`. */
function plain(raw: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = raw[i]!;
    if (c > 0x7e || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return false;
  }
  return true;
}

/**
 * mailparser's subject, text, HTML and attachments for a plain message, or undefined when the message is not one.
 * `fields` and `headEnd` are readHeaders' for the same bytes (headers.ts), read without problems.
 */
export function plainTextParts(raw: Buffer, fields: readonly (readonly [string, string])[], headEnd: number): MimeParts | undefined {
  if (raw.length === 0 || raw[0] === 0x0d || raw[0] === 0x0a || raw[0] === 0x20 || raw[0] === 0x09) return undefined;
  // mbox's "From " separator line: readHeaders skips it, mailparser may not.
  if (raw[0] === 0x46 && raw.toString("latin1", 0, 5) === "From ") return undefined;
  let subject: string | undefined;
  let subjects = 0;
  let types = 0;
  let transfers = 0;
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]![0];
    const value = fields[i]![1];
    // Only names of a length looked at here are lower-cased (most fields are none of them).
    const n = name.length;
    if (n !== 7 && n !== 12 && n !== 25 && n !== 19) continue;
    switch (name.toLowerCase()) {
      case "subject":
        if (subjects++ > 0) return undefined;
        subject = value;
        break;
      case "content-type":
        if (types++ > 0 || !CONTENT_TYPE.test(value)) return undefined;
        break;
      case "content-transfer-encoding":
        if (transfers++ > 0 || !TRANSFER.test(value)) return undefined;
        break;
      case "content-disposition":
        return undefined;
    }
  }
  if (!plain(raw, 0, raw.length) || loneCr(raw, headEnd)) return undefined;
  if (subject !== undefined && (subject.includes("=?") || subject.includes("\t") || subjectFolded(raw, headEnd))) return undefined;
  // The body starts after the empty line that ends the header block.
  let body = headEnd;
  if (raw[body] === 0x0d && raw[body + 1] === 0x0a) body += 2;
  else if (raw[body] === 0x0a) body += 1;
  const text = body < raw.length ? raw.toString("latin1", body).replace(/\r\n/g, "\n") : undefined;
  const s = subject?.trim();
  return { subject: s === "" ? undefined : s, text, attachments: [] };
}

/** Whether the header block has a CR that does not end a line (mailparser may break the line there, readHeaders does not). */
function loneCr(raw: Buffer, headEnd: number): boolean {
  for (let i = raw.indexOf(0x0d); i >= 0 && i < headEnd; i = raw.indexOf(0x0d, i + 1)) if (raw[i + 1] !== 0x0a) return true;
  return false;
}

/** Whether the first Subject field goes on over more than one line (mailparser unfolds it its own way). */
function subjectFolded(raw: Buffer, headEnd: number): boolean {
  const head = raw.toString("latin1", 0, headEnd);
  const at = /(?:^|\n)subject:/i.exec(head);
  if (!at) return true;
  const nl = head.indexOf("\n", at.index + 1);
  if (nl < 0) return false;
  const next = head.charCodeAt(nl + 1);
  return next === 0x20 || next === 0x09;
}
