/**
 * A raw message (.eml, RFC 5322 + MIME) → the `message` the compiled code
 * reads. Never throws on bad mail: it returns what could be read and says
 * what could not, so the daemon can decide (and log) instead of crashing.
 * Given the rule's limits, it checks them while it reads, so the work is
 * bounded by the limits, never by the message: the size and the header
 * block are measured before any field is parsed (a message over them is
 * `refused`, unparsed), and addresses stop being collected one past
 * `limits.recipients` (enough for checkMessage to refuse it). Reading is
 * linear in the message's size.
 */
import { Buffer } from "node:buffer";
import { convert } from "html-to-text";
import { simpleParser } from "mailparser";
import { canonicalAddress } from "../../contract/values.js";
import { decodeHeaders, LONE_HALF, mailboxAddress, parseMailboxes, type Mailbox } from "./decode.js";
import { readEnvelope, type EnvelopeGiven } from "./envelope.js";
import { readHeaders } from "./headers.js";
import { parseMailDate } from "./maildate.js";
import { plainTextParts, type MimeParts } from "./plain-text.js";
import { checkHeaderFields, checkSize, maxRecipients, type RuleLimits } from "./limits.js";
import type { AttachmentJson, InputProblem, MessageJson } from "./types.js";

export const DEFAULT_LIST_ADDRESS = "list@example.org";
const MAX_HTML_TO_TEXT = 4_000_000;
/** As mailparser: html-to-text's recursive walk overflows the stack at about 2000 levels. */
const MAX_HTML_DEPTH = 1000;

export interface EmlOptions {
  /** The list's address: the default envelope recipient, and what `-request`/`+tag` are read against. */
  listAddress?: string;
  envelope?: EnvelopeGiven;
  /** HTML longer than this (UTF-16 units) is not converted to text, to bound the work; default 4,000,000. */
  maxHtmlToText?: number;
  /** The rule's limits: checked while reading (see above). Without them nothing is refused and every address is read. */
  limits?: RuleLimits;
  /** Read every message with mailparser, a plain one too (plain-text.ts): what the tests compare the plain reading with. */
  alwaysMailparser?: boolean;
}

export interface ParsedEml {
  message: MessageJson;
  /** The raw message's size in bytes (for `limits.size`). */
  size: number;
  /** What could not be read, in words; empty for a well-formed message. */
  problems: string[];
  /** With `limits`: why the message may not be run, found before it was parsed; `message` is then empty. */
  refused: InputProblem[];
}

export async function parseEml(raw: Buffer | Uint8Array | string, options: EmlOptions = {}): Promise<ParsedEml> {
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const listAddress = canonicalAddress(options.listAddress ?? DEFAULT_LIST_ADDRESS) ?? DEFAULT_LIST_ADDRESS;
  const { fields, problems, end } = readHeaders(bytes);
  if (options.limits) {
    const refused = [...checkSize(bytes.length, options.limits), ...checkHeaderFields(fields, options.limits)];
    if (refused.length) return { message: emptyMessage(fields, listAddress), size: bytes.length, problems, refused };
  }
  const cap = { left: options.limits ? maxRecipients(options.limits) + 1 : Number.POSITIVE_INFINITY };
  const f = readFields(fields);

  // A plain message (one text/plain part, ASCII) is read directly: mailparser's result for it is known (plain-text.ts).
  let mail: MimeParts | undefined = problems.length || options.alwaysMailparser ? undefined : plainTextParts(bytes, fields, end);
  if (!mail) {
    try {
      // keepCidLinks: the HTML as sent (inlining images as data: URLs would inflate it past `limits.html`).
      mail = await simpleParser(bytes, {
        keepCidLinks: true,
        skipTextToHtml: true,
        checksumAlgo: false,
        maxHtmlLengthToParse: options.maxHtmlToText ?? MAX_HTML_TO_TEXT,
      });
    } catch (e) {
      problems.push(`the MIME structure could not be parsed (${e instanceof Error ? e.message : String(e)}); only the header fields were read`);
    }
  }
  if (mail?.textConversionError) problems.push(`the HTML part could not be converted to text (${mail.textConversionError.message}); the text is empty`);
  const html = typeof mail?.html === "string" ? mail.html : null;

  // The From field is parsed once: for its address here, and for its display name (decode.ts) when it is the only one.
  const fromBoxes = mailboxesOf(f.from);
  const fromList = addresses("From", fromBoxes, problems, { left: 1 });
  if (fromList.length === 0) problems.push("the message has no readable From address");
  const from = fromList[0] ?? null;
  const to = addresses("To", mailboxesOf(f.to), problems, cap);
  const cc = addresses("Cc", mailboxesOf(f.cc), problems, cap);
  const subject = readSubject(mail?.subject, f.subject, problems);
  const text = readText(mail, html, options.maxHtmlToText ?? MAX_HTML_TO_TEXT, problems);
  const attachments = mail?.attachments?.length
    ? mail.attachments.map(
        // A file name decoded from a UTF-16 word may hold half a surrogate pair: U+FFFD for it, as text the host reads never has one.
        (a): AttachmentJson => ({ filename: a.filename?.replace(/\p{Cs}/gu, "\uFFFD") ?? null, contentType: a.contentType || "application/octet-stream", size: a.size ?? 0 }),
      )
    : [];
  const date = readDate(f.date, problems);
  const envelope = readEnvelope(options.envelope ?? {}, from, listAddress, problems);
  const decoded = decodeHeaders(fields, from, f.from.length === 1 ? fromBoxes : undefined, f);
  // Made in one literal, keys in this order: its JSON is the input's (the daemon compares inputs as text).
  const message: MessageJson = {
    from,
    to,
    cc,
    subject,
    text,
    html,
    headers: fields,
    attachments,
    date,
    messageId: readMessageId(f.messageId),
    envelope,
    decoded: decoded.decoded,
    fromName: decoded.fromName,
    replyTo: decoded.replyTo,
  };
  return { message, size: bytes.length, problems, refused: [] };
}

/** The values parseEml reads of the header fields, found in one pass (each name lower-cased once). */
export interface FieldValues {
  from: string[];
  to: string[];
  cc: string[];
  subject: string | undefined;
  date: string | undefined;
  messageId: string | undefined;
  /** The first From and Reply-To values (decode.ts). */
  firstFrom: string | undefined;
  replyTo: string | undefined;
}

function readFields(fields: readonly (readonly [string, string])[]): FieldValues {
  const out: FieldValues = { from: [], to: [], cc: [], subject: undefined, date: undefined, messageId: undefined, firstFrom: undefined, replyTo: undefined };
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]![0];
    const value = fields[i]![1];
    // Only names of a length read here are lower-cased (most fields are none of them).
    switch (name.length) {
      case 2: {
        const n = name.toLowerCase();
        if (n === "to") out.to.push(value);
        else if (n === "cc") out.cc.push(value);
        break;
      }
      case 4: {
        const n = name.toLowerCase();
        if (n === "from") {
          out.from.push(value);
          out.firstFrom ??= value;
        } else if (n === "date") out.date ??= value;
        break;
      }
      case 7:
        if (out.subject === undefined && name.toLowerCase() === "subject") out.subject = value;
        break;
      case 8:
        if (out.replyTo === undefined && name.toLowerCase() === "reply-to") out.replyTo = value;
        break;
      case 10:
        if (out.messageId === undefined && name.toLowerCase() === "message-id") out.messageId = value;
        break;
    }
  }
  return out;
}

function emptyMessage(headers: [string, string][], listAddress: string): MessageJson {
  return {
    from: null, to: [], cc: [], subject: "", text: "", html: null, headers, attachments: [], date: null, messageId: "",
    envelope: { sender: null, recipient: listAddress, isRequest: false, tag: null },
  };
}

/**
 * mailparser's text, or the HTML as text when the message has no text part:
 * mailparser converts only a top-level or `alternative` HTML part, not one
 * inside multipart/related or multipart/mixed.
 */
function readText(mail: MimeParts | undefined, html: string | null, max: number, problems: string[]): string {
  const text = mail?.text ?? "";
  if (text.trim() !== "" || html === null || mail?.textConversionError) return text;
  if (html.length > max) {
    problems.push(`the HTML part is too long to convert to text (${html.length} characters); the text is empty`);
    return "";
  }
  try {
    return convert(html, { limits: { maxDepth: MAX_HTML_DEPTH } });
  } catch (e) {
    problems.push(`the HTML part could not be converted to text (${e instanceof Error ? e.message : String(e)}); the text is empty`);
    return "";
  }
}

/** The decoded subject; the raw one when an encoded word in it is broken (decoding gave U+FFFD, or half a surrogate pair). */
function readSubject(decoded: string | undefined, raw: string | undefined, problems: string[]): string {
  if (decoded === undefined) return raw ?? "";
  if (raw !== undefined && ((decoded.includes("\uFFFD") && !raw.includes("\uFFFD")) || LONE_HALF.test(decoded))) {
    problems.push("the Subject has an encoded word that could not be decoded; it is kept as written");
    return raw;
  }
  return decoded;
}

/** The mailboxes of an address field's values (groups flattened), as mailparser reads them; none without a value. */
function mailboxesOf(headerValues: string[]): Mailbox[] {
  return headerValues.length === 0 ? [] : parseMailboxes(headerValues);
}

/**
 * Every mailbox of the header fields, canonical, each once; the unreadable ones are reported
 * and left out. At most `cap.left` are kept (shared by To and Cc): past it the message is over its limit anyway.
 */
function addresses(field: string, parsed: readonly Mailbox[], problems: string[], cap: { left: number }): string[] {
  const out: string[] = [];
  // Most fields hold one mailbox: a set to find repeats in is made only for more.
  const seen = parsed.length > 1 ? new Set<string>() : undefined;
  const bad: string[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const a = parsed[i]!;
    if (cap.left <= 0) break;
    const c = a.address ? mailboxAddress(a.address) : undefined;
    if (c === undefined) bad.push(a.address || a.name || "(empty)");
    else if (!seen?.has(c)) {
      seen?.add(c);
      out.push(c);
      cap.left--;
    }
  }
  if (bad.length) problems.push(`${field}: not an address, left out: ${bad.map((b) => JSON.stringify(b)).join(", ")}`);
  return out;
}

/** `<id@host> (comment)` → `id@host`; a value without brackets as it is. */
function readMessageId(value: string | undefined): string {
  if (value === undefined) return "";
  return (/<([^<>]*)>/.exec(value)?.[1] ?? value).trim();
}

/** The Date header as epoch ms; null when missing or unreadable. */
function readDate(value: string | undefined, problems: string[]): number | null {
  if (value === undefined) return null;
  const t = parseMailDate(value);
  if (t === undefined) {
    problems.push(`the Date header ${JSON.stringify(value)} could not be read; the date is none`);
    return null;
  }
  return t;
}
