/**
 * A forwarded body that keeps every line within 998 octets (RFC 5322
 * 2.1.1, RFC 5321 4.5.3.1.6): the original may carry longer ones (an 8bit
 * HTML part written on one line, a binary attachment, a broken mailer), and
 * a relay refuses such a message or breaks its lines for it. Only the parts
 * that hold a long line are written again, every other byte kept:
 *
 * - a leaf part is encoded again: text in quoted-printable, anything else in
 *   base64 (a part already in one of those, with lines too long, is decoded
 *   and encoded again in it, lines of 76); a part in a transfer encoding
 *   this builder cannot decode goes in base64 as `application/octet-stream`
 *   (its bytes kept, as a file);
 * - a multipart is opened and each part fitted, its preamble and epilogue
 *   (which no reader shows) dropped when they hold a long line, a delimiter
 *   line with long padding written without it; a `message/rfc822` part is
 *   opened too (it cannot be encoded: RFC 2046 5.2.1);
 * - a part header field with a long line is folded again (its parameters
 *   split as RFC 2231 allows), or left out when it cannot be;
 * - the signed part of a multipart/signed is never changed (its signature
 *   covers its bytes, and RFC 1847 signers send it in 7 bits): the
 *   signature part beside it may be re-encoded, which changes no byte of the
 *   signature itself. So does an S/MIME `application/pkcs7-mime` part: its
 *   transfer encoding is not signed.
 *
 * A part written again never holds a delimiter of a multipart it is in (it
 * goes in base64 then, which has no `-`).
 */
import { createHash } from "node:crypto";
import { foldField, rewritePart, type Footed } from "./footer.js";
import { contentType, type ContentType, type Cte, decodeBody, encodeBody, type Entity, field, parseFields, splitEntity, transferEncoding, writeContentType } from "./mime.js";

/** The longest line SMTP and RFC 5322 take, without its CRLF. */
export const MAX_LINE = 998;
/** How deep multiparts and messages are opened; a part nested deeper goes in base64 as a file. */
const MAX_DEPTH = 16;

/** Whether text (lines ending in CRLF) has a line over 998 octets between `from` and `to`. */
export function hasLongLine(s: string, from = 0, to = s.length): boolean {
  let start = from;
  while (start <= to) {
    let nl = s.indexOf("\r\n", start);
    if (nl < 0 || nl > to) nl = to;
    if (nl - start > MAX_LINE) return true;
    start = nl + 2;
  }
  return false;
}

/**
 * What must change in an entity so no line of its body is over 998 octets, or undefined when none is. `bounds`:
 * the boundaries of the multiparts it is in.
 */
export function fitEntity(e: Entity, bounds: readonly string[] = [], depth = 0): Footed | undefined {
  if (!hasLongLine(e.body)) return undefined;
  const ct = contentType(field(e.fields, "content-type"));
  const given = field(e.fields, "content-transfer-encoding");
  const cte = transferEncoding(given);
  if (depth > MAX_DEPTH) return asFile(e.body, bounds);
  const opaque = cte === "7bit" || cte === "8bit" || cte === "binary";
  if (ct.type.startsWith("multipart/") && opaque) {
    const m = fitMultipart(e.body, ct, bounds, depth);
    if (m) return m;
  }
  if ((ct.type === "message/rfc822" || ct.type === "message/global") && opaque) {
    const inner = splitEntity(e.body);
    const body = writePart(inner, fitEntity(inner, bounds, depth + 1));
    if (!hasLongLine(body)) return { body };
  }
  if (cte === undefined) return asFile(e.body, bounds);
  const text = ct.type.startsWith("text/");
  const bytes = decodeBody(e.body, cte);
  const enc: Cte = cte === "base64" || cte === "quoted-printable" ? cte : text ? "quoted-printable" : "base64";
  return encoded(bytes, enc, e.body, bounds, cte);
}

/** Bytes in `enc` (base64 instead when the text would hold a delimiter of an enclosing multipart), ending in CRLF when `was` did. */
function encoded(bytes: Buffer, enc: Cte, was: string, bounds: readonly string[], cte: Cte | undefined, type?: string): Footed {
  let body = encodeBody(bytes, enc);
  if (enc !== "base64" && bounds.some((b) => body.startsWith(`--${b}`) || body.includes(`\r\n--${b}`))) {
    enc = "base64";
    body = encodeBody(bytes, enc);
  }
  if (/\r\n$/.test(was) && !body.endsWith("\r\n")) body += "\r\n";
  return { body, ...(enc !== cte ? { cte: enc } : {}), ...(type !== undefined ? { contentType: type } : {}) };
}

/** A part that cannot be fitted as what it is (nested too deep, an unknown transfer encoding): its bytes, as they are encoded, a file in base64 (without its name: the bytes are not what the name says). */
function asFile(body: string, bounds: readonly string[]): Footed {
  return encoded(Buffer.from(body, "latin1"), "base64", body, bounds, undefined, "application/octet-stream");
}

/** An entity written again: its header fields folded where a line is too long, and what `f` changes. */
function writePart(e: Entity, f: Footed | undefined): string {
  const head = fitHead(e.head);
  if (!f && head === e.head) return e.head === "" ? `\r\n${e.body}` : `${e.head}\r\n\r\n${e.body}`;
  return rewritePart({ ...e, head }, f ?? { body: e.body });
}

/** A part's header with each field that has a line over 998 octets folded again (Content-Type and Content-Disposition written again, long parameters split), or left out when it cannot be. */
export function fitHead(head: string): string {
  if (!hasLongLine(head)) return head;
  const groups: string[][] = [];
  for (const line of head.split("\r\n")) {
    if (/^[ \t]/.test(line) && groups.length > 0) groups[groups.length - 1]!.push(line);
    else groups.push([line]);
  }
  const out: string[] = [];
  for (const g of groups) {
    if (g.every((l) => l.length <= MAX_LINE)) {
      out.push(...g);
      continue;
    }
    const f = parseFields(g.join("\r\n"))[0];
    if (!f) continue;
    const key = f.name.toLowerCase();
    const value = key === "content-type" ? writeContentType(contentType(f.value)) : key === "content-disposition" ? writeContentType(contentType(f.value, "inline")) : f.value;
    const folded = foldField(f.name, value);
    if (folded.every((l) => l.length <= MAX_LINE)) out.push(...folded);
  }
  return out.join("\r\n");
}

/** The delimiters of a multipart body: where each line starts and ends (its CRLF before it not included), and whether it closes. */
function delimiters(body: string, boundary: string): { start: number; end: number; close: boolean }[] {
  const quoted = boundary.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  const re = new RegExp(`(^|\\r\\n)--${quoted}(--)?[ \\t]*(?=\\r\\n|$)`, "g");
  const out: { start: number; end: number; close: boolean }[] = [];
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out.push({ start: m.index + m[1]!.length, end: m.index + m[0].length, close: m[2] !== undefined });
    if (m[2]) break;
  }
  return out;
}

/** A multipart with each part fitted; undefined when it has no delimiter (it is fitted as a leaf then). */
function fitMultipart(body: string, ct: ContentType, bounds: readonly string[], depth: number): Footed | undefined {
  const boundary = ct.params["boundary"];
  if (!boundary) return undefined;
  const delims = delimiters(body, boundary);
  if (delims.length === 0) return undefined;
  // A boundary too long for its delimiter line (RFC 2046 allows 70) is replaced by one made from what it encloses.
  let b = boundary;
  if (boundary.length + 4 > MAX_LINE) {
    for (let n = 0; b === boundary || body.includes(`--${b}`); n++) b = `thwonk-${createHash("sha256").update(String(n)).update(body, "latin1").digest("hex").slice(0, 32)}`;
  }
  const inner = [...bounds, b];
  const signed = ct.type === "multipart/signed";
  const first = delims[0]!;
  const preamble = first.start >= 2 ? body.slice(0, first.start - 2) : "";
  let out = preamble === "" || hasLongLine(preamble) ? "" : `${preamble}\r\n`;
  for (let i = 0; i < delims.length; i++) {
    const d = delims[i]!;
    const line = body.slice(d.start, d.end);
    out += b === boundary && line.length <= MAX_LINE ? line : `--${b}${d.close ? "--" : ""}`;
    if (d.close) {
      const epilogue = body.slice(d.end);
      out += hasLongLine(epilogue) ? (epilogue.startsWith("\r\n") ? "\r\n" : "") : epilogue;
      break;
    }
    // What follows the delimiter up to the next one: CRLF, the part, and the CRLF that belongs to the next delimiter.
    const next = delims[i + 1];
    const end = next ? next.start : body.length;
    const segment = body.slice(d.end, end);
    if ((signed && i === 0) || (b === boundary && !hasLongLine(segment))) {
      out += segment;
      continue;
    }
    const text = body.slice(Math.min(d.end + 2, end), next ? Math.max(d.end + 2, next.start - 2) : end);
    const e = splitEntity(text);
    out += `\r\n${writePart(e, fitEntity(e, inner, depth + 1))}${next ? "\r\n" : ""}`;
  }
  if (b === boundary) return { body: out };
  return { body: out, contentType: writeContentType({ type: ct.type, params: { ...ct.params, boundary: b } }) };
}
