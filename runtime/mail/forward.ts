/**
 * `forward` keeps the original message: its body goes out byte for byte
 * (attachments, HTML, signatures), with the footer when the rule gives one
 * (runtime/mail/footer.ts), under the header the builder writes
 * (runtime/mail/compose.ts: From, Reply-To, Subject, the list headers).
 * Of the original's header it keeps, each checked and written again, never
 * copied as it came: the trace (`Received`), `To` and `Cc`, `Date`,
 * `Message-ID`, `In-Reply-To` and `References` (so a member's answer
 * threads with the author's copy), and the top-level `Content-*` fields the
 * body needs. Everything else (the author's DKIM signature, which the new
 * From and Subject break, `Return-Path`, `Bcc`, read-receipt requests,
 * another list's headers, `Authentication-Results` anyone could have
 * written) is left out.
 */
import { domainToASCII } from "node:url";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { type Footed, footEntity, foldField, isSealed, wrapWithFooter } from "./footer.js";
import { fitEntity } from "./long-lines.js";
import { contentType, crlf, type Entity, field, type Field, fitsAs, splitEntity, transferEncoding, writeContentType } from "./mime.js";

/** The parts of the original a forward keeps, read from its bytes. */
export interface Original {
  entity: Entity;
  /** Its trace fields, folded again (a field with a non-ASCII byte or a word too long for a line is left out). */
  received: string[];
  to: { name: string; address: string }[];
  cc: { name: string; address: string }[];
  /** Its Message-ID (without brackets) when well-formed. */
  messageId?: string;
  /** Its Date as written when it is plain ASCII and a date, else as read (written again in UTC). */
  date?: Date | string;
  inReplyTo: string[];
  references: string[];
  /** Its Auto-Submitted value when it says it was sent by a program (RFC 3834): kept, so no auto-responder answers the forward. */
  autoSubmitted?: string;
}

export interface Checks {
  safeAddress(s: unknown): string | undefined;
  headerText(s: string, max?: number): string;
  decodeWords(s: string): string;
  msgIds(value: unknown, max?: number): string[];
  /** A display name holding `=?`, encoded whole (readers decode encoded-words even in a quoted name). */
  literalName(text: string): string;
}

/** A Date as RFC 5322 writes it (with an optional comment after the zone): kept as the author wrote it. */
const RFC5322_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ?)?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|UT|GMT|[ECMP][SD]T)(?: \([ -'*-~]{0,40}\))?$/;
/** At most this many addresses of the original's To and Cc are kept (each). */
const MAX_ADDRESSES = 100;
/** At most this many Received fields are kept (the hop limit refuses more than 50 at ingress). */
const MAX_RECEIVED = 60;

function fieldText(value: string): string {
  const bytes = Buffer.from(value, "latin1");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

/** `local@domain` with its domain in ASCII (IDNA, `xn--`) when it is written past ASCII; else as it is. */
function asciiDomain(address: string | undefined): string | undefined {
  const at = address?.lastIndexOf("@") ?? -1;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character: only a domain past it is converted
  if (address === undefined || at < 1 || /^[\x00-\x7f]*$/.test(address.slice(at + 1))) return address;
  const ascii = domainToASCII(address.slice(at + 1));
  return ascii ? `${address.slice(0, at)}@${ascii}` : address;
}

function addresses(fields: readonly Field[], name: string, c: Checks): { name: string; address: string }[] {
  const out: { name: string; address: string }[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (f.name.toLowerCase() !== name) continue;
    const parsed = addressparser(fieldText(f.value), { flatten: true }) as { name?: string; address?: string }[];
    for (const p of parsed) {
      // A domain the author wrote in Unicode (RFC 6532) is kept in ASCII, as every address is written: a co-recipient
      // at `用户@例子.广告` was left out, and a member's reply-all missed them.
      const address = c.safeAddress(p.address) ?? c.safeAddress(asciiDomain(p.address));
      if (!address || seen.has(address.toLowerCase()) || out.length >= MAX_ADDRESSES) continue;
      seen.add(address.toLowerCase());
      out.push({ name: c.literalName(c.headerText(c.decodeWords(p.name ?? ""), 100)), address });
    }
  }
  return out;
}

/** The original message, from the bytes thwonkd received (its line endings made CRLF). */
export function readOriginal(raw: Buffer, c: Checks): Original {
  const entity = splitEntity(crlf(raw.toString("latin1")));
  const received: string[] = [];
  for (const f of entity.fields) {
    if (f.name.toLowerCase() !== "received" || received.length >= MAX_RECEIVED) continue;
    const v = f.value.replace(/[ \t]+/g, " ").trim();
    if (!/^[\x20-\x7e]{1,4000}$/.test(v) || v.split(" ").some((w) => w.length > 900)) continue;
    received.push(foldField("Received", v).join("\r\n"));
  }
  const id = c.msgIds(field(entity.fields, "message-id"), 1)[0];
  const dateText = field(entity.fields, "date");
  const t = dateText !== undefined && dateText.length < 200 ? Date.parse(dateText.replace(/\([^()]*\)/g, " ")) : Number.NaN;
  // A date the author's clock could have written: from 1970 to 10,000 years on.
  const readable = Number.isFinite(t) && t >= 0 && t < 253402300800000;
  const date = !readable ? undefined : RFC5322_DATE.test(dateText!.trim()) ? dateText!.trim() : new Date(t);
  const auto = field(entity.fields, "auto-submitted")?.trim().toLowerCase();
  const autoSubmitted = auto !== undefined && /^auto-(?:generated|replied|notified)$/.test(auto) ? auto : undefined;
  return {
    entity,
    received,
    ...(autoSubmitted ? { autoSubmitted } : {}),
    to: addresses(entity.fields, "to", c),
    cc: addresses(entity.fields, "cc", c),
    ...(id ? { messageId: id } : {}),
    ...(date ? { date } : {}),
    inReplyTo: c.msgIds(field(entity.fields, "in-reply-to")).slice(-1),
    references: c.msgIds(field(entity.fields, "references")),
  };
}

/** The top-level Content-* fields of the original, checked and written again (what its body needs to be read). */
function contentFields(fields: readonly Field[], c: Checks, type?: string): string[] {
  const out: string[] = [];
  const ct = field(fields, "content-type");
  out.push(...foldField("Content-Type", type ?? writeContentType(contentType(ct))));
  const cte = transferEncoding(field(fields, "content-transfer-encoding"));
  const rawCte = field(fields, "content-transfer-encoding")?.trim();
  if (cte !== undefined && rawCte !== undefined) out.push(`Content-Transfer-Encoding: ${cte}`);
  else if (rawCte !== undefined && /^x-[A-Za-z0-9-]{1,60}$/i.test(rawCte)) out.push(`Content-Transfer-Encoding: ${rawCte}`);
  const disposition = field(fields, "content-disposition");
  if (disposition !== undefined) out.push(...foldField("Content-Disposition", writeContentType(contentType(disposition, "inline"))));
  const lang = field(fields, "content-language")?.trim();
  if (lang !== undefined && /^[A-Za-z0-9-]{1,35}(?:, ?[A-Za-z0-9-]{1,35}){0,9}$/.test(lang)) out.push(`Content-Language: ${lang}`);
  const cid = c.msgIds(field(fields, "content-id"), 1)[0];
  if (cid) out.push(`Content-ID: <${cid}>`);
  return out;
}

/** The content header lines for a body that changed: the original's, with the new Content-Type and transfer encoding. */
function changedFields(fields: readonly Field[], c: Checks, f: Footed): string[] {
  const head = contentFields(fields, c, f.contentType);
  if (f.cte !== undefined) {
    const i = head.findIndex((l) => /^Content-Transfer-Encoding:/i.test(l));
    if (i >= 0) head[i] = `Content-Transfer-Encoding: ${f.cte}`;
    else head.splice(1, 0, `Content-Transfer-Encoding: ${f.cte}`);
  }
  return head;
}

/** The fields as the changed body has them: its Content-Type and transfer encoding replaced. */
function withChanges(fields: readonly Field[], f: Footed): Field[] {
  const drop = new Set([...(f.contentType !== undefined ? ["content-type"] : []), ...(f.cte !== undefined ? ["content-transfer-encoding"] : [])]);
  return [
    ...fields.filter((x) => !drop.has(x.name.toLowerCase())),
    ...(f.contentType !== undefined ? [{ name: "Content-Type", value: f.contentType }] : []),
    ...(f.cte !== undefined ? [{ name: "Content-Transfer-Encoding", value: f.cte }] : []),
  ];
}

/** A body changed by `first`, then fitted to lines of 998 octets (long-lines.ts): what both change. */
function fitted(fields: readonly Field[], first: Footed | undefined, body: string): Footed | undefined {
  const at = first ? withChanges(fields, first) : [...fields];
  const fit = fitEntity({ head: "", fields: at, body: first?.body ?? body });
  if (!fit) return first;
  const contentType = fit.contentType ?? first?.contentType;
  const cte = fit.cte ?? first?.cte;
  return { body: fit.body, ...(contentType !== undefined ? { contentType } : {}), ...(cte !== undefined ? { cte } : {}) };
}

/** The forwarded body (footer added when there is one, no line over 998 octets) and the content header lines it goes with. */
export function forwardBody(o: Original, footer: string | null, c: Checks): { head: string[]; body: string } {
  const { fields, body } = o.entity;
  const ct = contentType(field(fields, "content-type"));
  if (!footer) {
    const fit = fitted(fields, undefined, body);
    return fit ? { head: changedFields(fields, c, fit), body: fit.body } : { head: contentFields(fields, c), body };
  }
  const footed = isSealed(ct) ? undefined : footEntity(o.entity, footer);
  if (footed) {
    const f = fitted(fields, footed, body)!;
    return { head: changedFields(fields, c, f), body: f.body };
  }
  // Sealed, or nothing in it takes a footer (an image alone, a forwarded message): the footer goes beside it.
  const wrapped = wrapWithFooter(contentFields(fields, c), body, footer);
  const wrapper: Field[] = [{ name: "Content-Type", value: wrapped.contentType }];
  const fit = fitted(wrapper, undefined, wrapped.body);
  const out = fit?.body ?? wrapped.body;
  const eight = !fitsAs(Buffer.from(out, "latin1"), "7bit");
  return { head: [...foldField("Content-Type", fit?.contentType ?? wrapped.contentType), ...(eight ? ["Content-Transfer-Encoding: 8bit"] : [])], body: out };
}

/**
 * The forward as it goes on the wire: the header the builder composed
 * (`built`, a message with an empty body) without its Content-* fields,
 * the original's trace fields before it, its content fields after it, and
 * the forwarded body.
 */
export function spliceForward(built: Buffer, o: Original, footer: string | null, c: Checks): Buffer {
  const text = built.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  const lines: string[] = [];
  let skipping = false;
  for (const line of text.slice(0, end).split("\r\n")) {
    if (/^[ \t]/.test(line)) {
      if (!skipping) lines.push(line);
      continue;
    }
    skipping = /^content-/i.test(line);
    if (!skipping) lines.push(line);
  }
  const { head, body } = forwardBody(o, footer, c);
  const auto = o.autoSubmitted && !lines.some((l) => /^auto-submitted:/i.test(l)) ? [`Auto-Submitted: ${o.autoSubmitted}`] : [];
  return Buffer.from([...o.received, ...lines, ...auto, ...head].join("\r\n") + "\r\n\r\n" + body, "latin1");
}
