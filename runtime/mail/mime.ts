/**
 * Reading a message's MIME structure without changing its bytes, for a
 * forward that keeps the original (runtime/mail/forward.ts). A message is
 * handled as a "binary string" (latin1: one character per byte), so a part
 * that is not changed goes out byte for byte: a multipart body is split at
 * its delimiter lines into parts given by their offsets, and only the parts
 * that change are written again.
 */
import * as mimeFuncs from "nodemailer/lib/mime-funcs/index.js";
import * as qp from "nodemailer/lib/qp/index.js";

/** A header field, its value unfolded (the line breaks of its folding removed). */
export interface Field {
  name: string;
  value: string;
}

/** An entity (a message or a body part) as bytes: its header lines and its body. */
export interface Entity {
  /** The header lines as written (folded), without the blank line after them; "" when it has none. */
  head: string;
  fields: Field[];
  body: string;
}

/** Every line ending as CRLF, the canonical form on the wire (a bare LF or CR in a header would end it elsewhere). */
export function crlf(s: string): string {
  return s.replace(/\r\n|\r|\n/g, "\r\n");
}

/** The header fields of a head: a line that starts with a space or tab continues the field before it; a line that is neither is dropped. */
export function parseFields(head: string): Field[] {
  const out: Field[] = [];
  for (const line of head.split("\r\n")) {
    if (/^[ \t]/.test(line)) {
      const last = out[out.length - 1];
      if (last) last.value += line;
      continue;
    }
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/.exec(line);
    if (m) out.push({ name: m[1]!, value: m[2]!.replace(/^[ \t]+/, "") });
  }
  return out;
}

/** An entity's head and body (the text in CRLF form). */
export function splitEntity(s: string): Entity {
  if (s.startsWith("\r\n")) return { head: "", fields: [], body: s.slice(2) };
  const end = s.indexOf("\r\n\r\n");
  const head = end < 0 ? s : s.slice(0, end);
  return { head, fields: parseFields(head), body: end < 0 ? "" : s.slice(end + 4) };
}

/** The first field called `name` (ignoring case). */
export function field(fields: readonly Field[], name: string): string | undefined {
  const key = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === key)?.value;
}

export interface ContentType {
  /** `type/subtype`, in lower case. */
  type: string;
  params: Record<string, string>;
}

/** A Content-Type (or Content-Disposition) value; a missing or unreadable one is `text/plain` (RFC 2045). */
export function contentType(value: string | undefined, fallback = "text/plain"): ContentType {
  if (value === undefined) return { type: fallback, params: {} };
  const parsed = mimeFuncs.parseHeaderValue(value) as { value: string; params: Record<string, string> };
  const type = parsed.value.trim().toLowerCase();
  const params: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(parsed.params)) params[k.toLowerCase()] = v;
  return { type: /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : fallback, params };
}

/** A Content-Type or Content-Disposition written again from its parts (parameters quoted or RFC 2231-encoded as they need). */
export function writeContentType(ct: ContentType): string {
  return mimeFuncs.buildHeaderValue({ value: ct.type, params: ct.params });
}

/** A part's offsets in the multipart body it is in: [start, end) of its text (head and body), without the CRLF before the next delimiter. */
export interface PartSpan {
  start: number;
  end: number;
}

/**
 * The parts of a multipart body (RFC 2046 5.1.1): a delimiter is a line
 * `--BOUNDARY` (padding allowed after it), the close delimiter
 * `--BOUNDARY--`; the CRLF before a delimiter belongs to it. Without a
 * close delimiter the last part runs to the end. Undefined when the body
 * has no delimiter at all.
 */
export function multipartSpans(body: string, boundary: string): PartSpan[] | undefined {
  const quoted = boundary.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  const re = new RegExp(`(^|\\r\\n)--${quoted}(--)?[ \\t]*(?=\\r\\n|$)`, "g");
  const spans: PartSpan[] = [];
  let open = -1;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (open >= 0) spans.push({ start: open, end: m.index });
    if (m[2]) return spans;
    const after = m.index + m[0].length;
    open = Math.min(body.length, after + 2);
  }
  if (open < 0) return undefined;
  spans.push({ start: open, end: body.length });
  return spans;
}

export type Cte = "7bit" | "8bit" | "binary" | "quoted-printable" | "base64";

/** A Content-Transfer-Encoding, or undefined for one this builder does not know (x-uuencode: the part is not touched). */
export function transferEncoding(value: string | undefined): Cte | undefined {
  const v = (value ?? "7bit").trim().toLowerCase();
  return v === "7bit" || v === "8bit" || v === "binary" || v === "quoted-printable" || v === "base64" ? v : undefined;
}

/** A part's body as its bytes. */
export function decodeBody(body: string, cte: Cte): Buffer {
  if (cte === "base64") return Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ""), "base64");
  if (cte === "quoted-printable") {
    // Blanks at the end of a line were added in transport (RFC 2045 6.7); trimmed line by line, in linear time.
    const soft = body.split("\r\n").map(trimBlanksEnd).join("\r\n").replace(/=\r\n/g, "");
    return Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_m, hx: string) => String.fromCharCode(parseInt(hx, 16))), "latin1");
  }
  return Buffer.from(body, "latin1");
}

/** A line without the spaces and tabs at its end (in linear time: `/[ \t]+$/` is quadratic on a long run of blanks). */
export function trimBlanksEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** Bytes in a transfer encoding (lines of at most 76 characters for base64 and quoted-printable), as a binary string. */
export function encodeBody(bytes: Buffer, cte: Cte): string {
  if (cte === "base64") return (bytes.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
  if (cte === "quoted-printable") return qp.wrap(qp.encode(bytes), 76);
  return bytes.toString("latin1");
}

/** Whether bytes can go as they are in 7bit (ASCII, no NUL, lines of at most 998 octets) or 8bit (any byte but NUL, same lines). */
export function fitsAs(bytes: Buffer, cte: "7bit" | "8bit"): boolean {
  let line = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0 || (cte === "7bit" && b > 0x7f)) return false;
    if (b === 0x0a || b === 0x0d) line = 0;
    else if (++line > 998) return false;
  }
  return true;
}
