/**
 * A footer added to a message's body without disturbing the rest of it:
 * appended to the text and HTML parts of its main body (decoded from
 * quoted-printable or base64, written in the part's charset, encoded
 * again), every other part (attachments, inline images, a forwarded
 * message) left byte for byte. A signed or encrypted message
 * (multipart/signed, multipart/encrypted, application/pkcs7-mime) is not
 * opened: the caller wraps it with the footer as a part of its own
 * (`wrapWithFooter`), so its signature still verifies.
 */
import { createHash } from "node:crypto";
import { asciiCompatible, canonicalCharset, decodeIn, encodeIn } from "./charset.js";
import { contentType, type ContentType, crlf, decodeBody, trimBlanksEnd, encodeBody, type Entity, field, fitsAs, multipartSpans, splitEntity, transferEncoding, writeContentType, type Cte } from "./mime.js";

/** How deep multiparts are opened looking for the body (a message nested deeper gets the footer as a part of its own). */
const MAX_DEPTH = 16;
/** How many parts of one message take the footer (alternatives: a text and an HTML, rarely more); a message of many would multiply it. */
const MAX_FOOTED = 8;

/** What changed in an entity: its new body, and its Content-Type and transfer encoding when they changed. */
export interface Footed {
  body: string;
  contentType?: string;
  cte?: Cte;
}

const SEALED = new Set(["multipart/signed", "multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime"]);

/** A signed or encrypted entity, which must not change (its footer goes beside it). */
export function isSealed(ct: ContentType): boolean {
  return SEALED.has(ct.type);
}

/** The footer's HTML: escaped, its lines broken with `<br>`, every character outside ASCII a character reference (so it fits any charset). */
export function footerHtml(footer: string): string {
  const esc = footer
    .replace(/\r\n|\r/g, "\n")
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: tab and newline are the footer's own
    .replace(/[^\x09\x0a\x20-\x7e]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
  return `<div class="thwonk-footer" style="margin-top:1em">${esc.split("\n").join("<br>\r\n")}</div>\r\n`;
}

/** Plain text with the footer after a blank line, in the text's own line endings. */
export function withTextFooter(text: string, footer: string): string {
  const eol = text.includes("\n") && !text.includes("\r\n") ? "\n" : "\r\n";
  const body = text === "" || /[\r\n]$/.test(text) ? text : text + eol;
  return `${body}${text === "" ? "" : eol}${footer.replace(/\r\n|\r|\n/g, eol)}${eol}`;
}

/** HTML with the footer before its last `</body>` (or at its end when it has none). */
export function withHtmlFooter(html: string, footer: string): string {
  const tag = footerHtml(footer);
  // The last `</body>`, found in one pass (a lookahead for "no other after it" would scan the rest at each one).
  let at = -1;
  for (const m of html.matchAll(/<\/body\s*>/gi)) at = m.index;
  return at < 0 ? html + (/[\r\n]$/.test(html) || html === "" ? "" : "\r\n") + tag : html.slice(0, at) + tag + html.slice(at);
}

function isAttachment(e: Entity, ct: ContentType): boolean {
  const disposition = contentType(field(e.fields, "content-disposition"), "inline");
  return disposition.type === "attachment" || ct.params["name"] !== undefined || disposition.params["filename"] !== undefined;
}

/**
 * The footer added to the entity's main body, or undefined when nothing in
 * it can take one (a sealed entity, an attachment, an unknown charset or
 * transfer encoding). `bounds` are the boundaries of the multiparts it is
 * in: a part written again never contains one of their delimiters.
 */
export function footEntity(e: Entity, footer: string, bounds: readonly string[] = [], depth = 0, left = { parts: MAX_FOOTED }): Footed | undefined {
  const ct = contentType(field(e.fields, "content-type"));
  if (isSealed(ct) || depth > MAX_DEPTH || left.parts <= 0) return undefined;
  if (ct.type.startsWith("multipart/")) return footMultipart(e, ct, footer, bounds, depth, left);
  if ((ct.type === "text/plain" || ct.type === "text/html") && !isAttachment(e, ct)) {
    const f = footText(e, ct, footer, bounds);
    if (f) left.parts--;
    return f;
  }
  return undefined;
}

function footMultipart(e: Entity, ct: ContentType, footer: string, bounds: readonly string[], depth: number, left: { parts: number }): Footed | undefined {
  const boundary = ct.params["boundary"];
  if (!boundary) return undefined;
  const spans = multipartSpans(e.body, boundary);
  if (!spans || spans.length === 0) return undefined;
  const inner = [...bounds, boundary];
  const sub = ct.type.slice("multipart/".length);
  // Which children take the footer: every alternative; the root of a related; else the first that can (the body before the attachments).
  let order = spans.map((_, i) => i);
  if (sub === "related") order = [relatedRoot(e.body, spans, ct.params["start"])];
  const replaced = new Map<number, string>();
  for (const i of order) {
    const span = spans[i]!;
    const child = splitEntity(e.body.slice(span.start, span.end));
    const f = footEntity(child, footer, inner, depth + 1, left);
    if (!f) continue;
    replaced.set(i, rewritePart(child, f));
    if (sub !== "alternative") break;
  }
  if (replaced.size === 0) return undefined;
  let body = "";
  let pos = 0;
  for (const [i, text] of [...replaced].sort((a, b) => a[0] - b[0])) {
    body += e.body.slice(pos, spans[i]!.start) + text;
    pos = spans[i]!.end;
  }
  return { body: body + e.body.slice(pos) };
}

function relatedRoot(body: string, spans: readonly { start: number; end: number }[], start: string | undefined): number {
  if (start === undefined) return 0;
  const i = spans.findIndex((s) => field(splitEntity(body.slice(s.start, s.end)).fields, "content-id")?.trim() === start.trim());
  return Math.max(i, 0);
}

/**
 * A footer for `format=flowed` text (RFC 3676): a line ending in a space
 * would join the next one, so its lines lose their trailing spaces (the
 * signature separator `-- ` keeps its own), and a line starting with a
 * space, `>` or `From ` is space-stuffed.
 */
export function flowedFooter(footer: string): string {
  return footer
    .split(/\r\n|\r|\n/)
    .map((l) => (l === "-- " ? l : trimBlanksEnd(l)))
    .map((l) => (/^(?: |>|From )/.test(l) ? ` ${l}` : l))
    .join("\n");
}

function footText(e: Entity, ct: ContentType, given: string, bounds: readonly string[]): Footed | undefined {
  const cte = transferEncoding(field(e.fields, "content-transfer-encoding"));
  const cs = canonicalCharset(ct.params["charset"]);
  if (cte === undefined || cs === undefined) return undefined;
  const html = ct.type === "text/html";
  const footer = !html && ct.params["format"]?.toLowerCase() === "flowed" ? flowedFooter(given) : given;
  // Text in its canonical form, lines ending in CRLF (RFC 2046 4.1.1), so no bare LF reaches the wire in 7bit or quoted-printable.
  const decoded = decodeBody(e.body, cte);
  const bytes = asciiCompatible(cs) ? Buffer.from(crlf(decoded.toString("latin1")), "latin1") : decoded;
  let out: Buffer | undefined;
  let charset = ct.params["charset"];
  // In the part's own charset when the footer fits it: the text's bytes stay as they were.
  if (html && asciiCompatible(cs)) {
    const text = bytes.toString("latin1");
    out = Buffer.from(withHtmlFooter(text, footer), "latin1");
  } else if (!html && asciiCompatible(cs)) {
    const tail = encodeIn(withTextFooter("", footer), cs);
    if (tail) {
      const last = bytes.length ? bytes[bytes.length - 1] : undefined;
      const sep = bytes.length === 0 ? "" : last === 0x0a ? "\r\n" : "\r\n\r\n";
      out = Buffer.concat([bytes, Buffer.from(sep, "latin1"), tail]);
    }
  }
  if (!out) {
    // The footer does not fit the charset (or the charset is not ASCII's): the text becomes UTF-8.
    const text = crlf(decodeIn(bytes, cs));
    out = Buffer.from(html ? withHtmlFooter(text, footer) : withTextFooter(text, footer), "utf8");
    charset = "utf-8";
  }
  // The part keeps its transfer encoding when the result can go in it; 7bit or 8bit text that no longer fits becomes quoted-printable.
  let enc: Cte = cte === "binary" ? "8bit" : cte;
  if ((enc === "7bit" || enc === "8bit") && !fitsAs(out, enc)) enc = "quoted-printable";
  let body = encodeBody(out, enc);
  // A line of the new text that reads as a delimiter of an enclosing multipart would end it early: base64 has no `-`.
  if (bounds.some((b) => body.startsWith(`--${b}`) || body.includes(`\r\n--${b}`) || body.includes(`\n--${b}`))) {
    enc = "base64";
    body = encodeBody(out, enc);
  }
  if (/\r\n$/.test(e.body) && !body.endsWith("\r\n")) body += "\r\n";
  const changedType = charset !== ct.params["charset"];
  return {
    body,
    ...(changedType ? { contentType: writeContentType({ type: ct.type, params: { ...ct.params, charset: "utf-8" } }) } : {}),
    ...(enc !== cte ? { cte: enc } : {}),
  };
}

/** A body part written again: its head with a new Content-Type and transfer encoding when they changed, every other field as it was. */
export function rewritePart(e: Entity, f: Footed): string {
  let head = e.head;
  if (f.contentType !== undefined || f.cte !== undefined) {
    const drop = new Set([...(f.contentType !== undefined ? ["content-type"] : []), ...(f.cte !== undefined ? ["content-transfer-encoding"] : [])]);
    const kept: string[] = [];
    let skipping = false;
    for (const line of head === "" ? [] : head.split("\r\n")) {
      if (/^[ \t]/.test(line)) {
        if (!skipping) kept.push(line);
        continue;
      }
      skipping = drop.has(line.slice(0, Math.max(0, line.indexOf(":"))).trim().toLowerCase());
      if (!skipping) kept.push(line);
    }
    if (f.contentType !== undefined) kept.push(...foldField("Content-Type", f.contentType));
    if (f.cte !== undefined) kept.push(`Content-Transfer-Encoding: ${f.cte}`);
    head = kept.join("\r\n");
  }
  return head === "" ? `\r\n${f.body}` : `${head}\r\n\r\n${f.body}`;
}

/** A header field folded at spaces into lines of about 76 characters (a word longer than a line stays whole); runs of blanks become one space. */
export function foldField(name: string, value: string): string[] {
  const words = value.replace(/[ \t]+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = `${name}:`;
  let n = 0;
  for (const w of words) {
    if (line.length + 1 + w.length > 76 && n > 0) {
      lines.push(line);
      line = "";
    }
    line += ` ${w}`;
    n++;
  }
  lines.push(line);
  return lines;
}

/**
 * A sealed (or otherwise untouchable) message's body with the footer beside
 * it: multipart/mixed, the original entity (its Content-* fields and its
 * body, byte for byte) as the first part, the footer as a text/plain part.
 */
export function wrapWithFooter(contentFields: readonly string[], body: string, footer: string): { contentType: string; body: string } {
  const text = Buffer.from(withTextFooter("", footer), "utf8");
  const enc: Cte = fitsAs(text, "7bit") ? "7bit" : "quoted-printable";
  const encoded = encodeBody(text, enc);
  // A boundary from a hash of what it encloses: neither the message nor the footer can contain it (each would have to contain its own hash).
  let boundary = "";
  for (let n = 0; boundary === "" || body.includes(`--${boundary}`) || encoded.includes(`--${boundary}`); n++) {
    boundary = `thwonk-${createHash("sha256").update(String(n)).update("\0").update(body, "latin1").update("\0").update(encoded).digest("hex").slice(0, 32)}`;
  }
  const head = contentFields.length ? `${contentFields.join("\r\n")}\r\n\r\n` : "\r\n";
  const footerPart = `Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: ${enc}\r\n\r\n${encoded}`;
  return {
    contentType: writeContentType({ type: "multipart/mixed", params: { boundary } }),
    body: `--${boundary}\r\n${head}${body}\r\n--${boundary}\r\n${footerPart}\r\n--${boundary}--\r\n`,
  };
}
