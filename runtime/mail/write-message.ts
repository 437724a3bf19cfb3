/**
 * Writes the message a run sends straight to bytes: the header block and
 * the text and HTML bodies, without building nodemailer's MIME tree. The
 * bytes are nodemailer's for the same message (MailComposer with
 * `composerOptions(plan)`, then `build()`): the same field order, the same
 * encoders (RFC 2047 words, quoted-printable, base64, folding at 76), the
 * same multipart boundary (its base given, not drawn at random).
 * test/mail/write-message.test.ts compares the two over random messages.
 *
 * Composing through MailComposer cost a list most of its time on the main
 * thread (a tree of nodes, each header parsed and built again, every
 * address parsed back from an object). Here each field is written once,
 * with a fast path for what most fields are (plain ASCII) and nodemailer's
 * own encoder functions for the rest. What this does not write (an address
 * outside the strict syntax, a field name with a meaning of its own, a body
 * over one encoder slice) gives undefined: the caller composes it with
 * nodemailer.
 */
import { createHash } from "node:crypto";
import type MailComposer from "nodemailer/lib/mail-composer/index.js";
import * as base64 from "nodemailer/lib/base64/index.js";
import * as mimeFuncs from "nodemailer/lib/mime-funcs/index.js";
import { normalizeDomain } from "nodemailer/lib/shared/index.js";
import { encodeQp } from "./serialize.js";

export interface Mailbox {
  name: string;
  address: string;
}

/**
 * One of the builder's own fields. `prepared`: its value is structured and whole as given (List-Id's phrase
 * encoded or quoted already, an address in UTF-8 where RFC 6532 allows it), so it goes as it is, folded at its
 * spaces, never RFC 2047-encoded again (which made a List-Id with a quoted phrase one encoded-word, brackets and
 * all, and a non-ASCII one encoded twice); a line break in it becomes a space.
 */
export interface PlanField {
  key: string;
  value: string;
  prepared?: true;
}

/** A run's message as nodemailer would be given it. */
export interface MessagePlan {
  /** The builder's own fields (List-Id, X-Thwonk-Loop, ...), in order, before From. */
  headers: readonly PlanField[];
  from: Mailbox;
  to: readonly Mailbox[];
  cc?: readonly Mailbox[];
  replyTo?: Mailbox;
  /** Left out when empty. */
  subject: string;
  /** Left out when empty. */
  text: string;
  /** Left out when empty or undefined; with text, the two go in a multipart/alternative. */
  html?: string;
  /** With its angle brackets. */
  messageId: string;
  date: Date | string;
  inReplyTo?: string;
  references?: readonly string[];
  /** What the multipart boundary is made from (the same seed gives the same boundary). */
  boundarySeed: string;
  envelope: { from: string; to: string[] };
}

type ComposerOptions = ConstructorParameters<typeof MailComposer>[0];

/** The shared part of a multipart boundary (nodemailer's `baseBoundary`): 16 hex digits from the seed. */
export function baseBoundary(seed: string): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, 16);
}

/**
 * The plan's base boundary, or undefined when a body holds the boundary made
 * from it (it would end the part early; nodemailer then draws one at random).
 * Quoted-printable writes the boundary's characters as they are and base64
 * has none of `-_`, so a body that holds it encoded holds it as given.
 */
function boundaryOf(p: MessagePlan): string | undefined {
  const base = baseBoundary(p.boundarySeed);
  const boundary = `--_NmP-${base}-Part_1`;
  return p.text.includes(boundary) || p.html?.includes(boundary) ? undefined : base;
}

/** What MailComposer is given for a plan: it then builds the bytes `writeMessage` writes. */
export function composerOptions(p: MessagePlan): ComposerOptions {
  return {
    from: { ...p.from },
    to: p.to.map((m) => ({ ...m })),
    ...(p.cc?.length ? { cc: p.cc.map((m) => ({ ...m })) } : {}),
    ...(p.replyTo ? { replyTo: { ...p.replyTo } } : {}),
    subject: p.subject,
    text: p.text,
    ...(p.html !== undefined ? { html: p.html } : {}),
    messageId: p.messageId,
    date: p.date,
    ...(p.inReplyTo !== undefined ? { inReplyTo: p.inReplyTo } : {}),
    ...(p.references?.length ? { references: [...p.references] } : {}),
    // A prepared field goes prepared: nodemailer writes it as it is, where it would encode it otherwise; folded by
    // nodemailer when ASCII, else as foldAtSpaces folds it (nodemailer's folding breaks at any \s, U+00A0 too).
    headers: p.headers.map((h) => {
      if (!h.prepared) return { key: h.key, value: h.value };
      const v = h.value.replace(NEWLINE, " ");
      const folded = ASCII.test(v) ? undefined : foldAtSpaces(fieldName(h.key) ?? h.key, v);
      return { key: h.key, value: folded === undefined ? { prepared: true, foldLines: true, value: v } : { prepared: true, value: folded } };
    }) as { key: string; value: string }[],
    // The envelope is given to the transport, never written.
    envelope: p.envelope,
    ...(boundaryOf(p) !== undefined ? { baseBoundary: boundaryOf(p) } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** As the quoted-printable encoder's slice: a body up to it is encoded as one piece (serialize.ts). */
const SLICE = 64 * 1024;
const LINE = 76;
// biome-ignore lint/suspicious/noControlCharactersInRegex: nodemailer's test for text it leaves alone
const PLAIN_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\u0080-\uFFFF]/;
const LONG_LINE = /^.{77,}/m;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls nodemailer forces into an encoded word
const HEADER_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls nodemailer drops from a message id
const HEADER_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
/** A header value nodemailer writes as it is: tab and printable ASCII without a quote (and without `=?`, checked apart). */
const PLAIN_VALUE = /^[\t\x20\x21\x23-\x7e]*$/;
const NEWLINE = /\r?\n|\r/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: what NEWLINE and HEADER_CONTROLS replace, together
const ANY_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** The addresses written here (compose.ts's safeAddress); anything else nodemailer writes. */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
// As nodemailer's MimeNode (mime-node/index.js), for ASCII.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const PLAIN_ADDRESS = /^[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+$/;
/** Field names MailComposer sets itself or treats apart: a plan's own headers must not use them. */
const RESERVED = /^(?:from|sender|to|cc|bcc|reply-to|in-reply-to|references|subject|message-id|date|mime-version|otp-token|content-.*)$/i;

/** A field as written: folded when long, with its line break; "" for a blank value, which nodemailer leaves out. */
function fieldLine(key: string, value: string): string {
  if (!value.trim()) return "";
  const line = `${key}: ${value}`;
  return (line.length < LINE ? line : mimeFuncs.foldLines(line, LINE)) + "\r\n";
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character
const ASCII = /^[\x00-\x7f]*$/;

/**
 * A prepared value that is not ASCII (UTF-8, RFC 6532), folded as `KEY: VALUE` would be at 76 but only at its ASCII
 * spaces, never inside a word: JavaScript's \s, which nodemailer's foldLines breaks at, holds U+00A0, U+FEFF and
 * others past ASCII, and a line break before one of them started a line that is no field. (No address holds them
 * now, contract/values.ts INVISIBLE; the fold stays at ASCII spaces whatever the value holds.)
 * The value as written after `KEY: `.
 */
function foldAtSpaces(key: string, value: string): string {
  const words = value.split(" ");
  let line = `${key}: ${words[0]}`;
  let out = "";
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (line.length + 1 + w.length <= LINE || !w) line += ` ${w}`;
    else {
      out += `${line}\r\n`;
      line = ` ${w}`;
    }
  }
  return (out + line).slice(key.length + 2);
}

/**
 * The lines written of frozen plan parts (a list's own fields, its address, a sender as a list's runs give them
 * again and again: runtime/mail/compose.ts), by the part: a frozen part says the same each time. null: not
 * written here (nodemailer composes the message).
 */
const ownLines = new WeakMap<object, string | null>();
const mailboxLines = new Map<string, WeakMap<object, string | null>>();

/** A plan's own field, written (from its frozen object once). */
function ownLine(h: PlanField): string | null {
  const frozen = Object.isFrozen(h);
  const kept = frozen ? ownLines.get(h) : undefined;
  if (kept !== undefined) return kept;
  const key = fieldName(h.key);
  let line: string | null = null;
  if (key !== undefined && h.prepared) {
    const v = h.value.replace(NEWLINE, " ");
    line = ASCII.test(v) || !v.trim() ? fieldLine(key, v) : `${key}: ${foldAtSpaces(key, v)}\r\n`;
  } else if (key !== undefined) line = fieldLine(key, unstructured(h.value));
  if (frozen) ownLines.set(h, line);
  return line;
}

/** An address field's line (`list`: one mailbox or an array of them), from a frozen one once. */
function mailboxLine(field: string, list: Mailbox | readonly Mailbox[]): string | null {
  const frozen = Object.isFrozen(list) && (!Array.isArray(list) || list.every((m) => Object.isFrozen(m)));
  let lines = frozen ? mailboxLines.get(field) : undefined;
  const kept = lines?.get(list);
  if (kept !== undefined) return kept;
  const value = mailboxes(Array.isArray(list) ? (list as readonly Mailbox[]) : [list as Mailbox]);
  const line = value === undefined ? null : fieldLine(field, value);
  if (frozen) {
    if (!lines) mailboxLines.set(field, (lines = new WeakMap()));
    lines.set(list, line);
  }
  return line;
}

/** The message's bytes, or undefined when nodemailer must compose it. */
export function writeMessage(p: MessagePlan): Buffer | undefined {
  let head = "";
  const put = (key: string, value: string): void => {
    head += fieldLine(key, value);
  };
  for (const h of p.headers) {
    const line = ownLine(h);
    if (line === null) return undefined;
    head += line;
  }
  const from = mailboxLine("From", p.from);
  const to = mailboxLine("To", p.to);
  const cc = p.cc ? mailboxLine("Cc", p.cc) : "";
  const replyTo = p.replyTo ? mailboxLine("Reply-To", p.replyTo) : "";
  if (from === null || to === null || cc === null || replyTo === null) return undefined;
  head += from + to + cc + replyTo;
  if (p.inReplyTo) put("In-Reply-To", msgId(p.inReplyTo));
  if (p.references?.length) put("References", references(p.references));
  if (p.subject) put("Subject", unstructured(p.subject));
  if (!p.messageId || !p.date) return undefined;
  put("Message-ID", msgId(p.messageId));
  put("Date", typeof p.date === "string" ? unstructured(p.date) : utcDate(p.date));

  const parts: { type: string; te: string; body: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const content = i === 0 ? p.text : p.html;
    if (!content) continue;
    const part = textPart(content);
    if (!part) return undefined;
    parts.push({ type: i === 0 ? "text/plain; charset=utf-8" : "text/html; charset=utf-8", te: part.te, body: part.body });
  }
  let out: string;
  if (parts.length === 2) {
    const base = boundaryOf(p);
    if (base === undefined) return undefined;
    const boundary = `--_NmP-${base}-Part_1`;
    put("MIME-Version", "1.0");
    put("Content-Type", `multipart/alternative; boundary="${boundary}"`);
    out = `${head}\r\n`;
    parts.forEach((x, i) => {
      out += `${i > 0 ? "\r\n" : ""}--${boundary}\r\nContent-Type: ${x.type}\r\nContent-Transfer-Encoding: ${x.te}\r\n\r\n${x.body}`;
    });
    out += `\r\n--${boundary}--\r\n`;
  } else {
    // No body at all: nodemailer's empty text/plain node, without a charset or a transfer encoding.
    const x = parts[0];
    if (x) put("Content-Transfer-Encoding", x.te);
    put("MIME-Version", "1.0");
    put("Content-Type", x ? x.type : "text/plain");
    out = `${head}\r\n${x ? x.body : ""}`;
  }
  // As build()'s last stage: the message ends with a line break.
  if (!out.endsWith("\n")) out += out.endsWith("\r") ? "\n" : "\r\n";
  // The bodies are 7-bit; a message id may carry what nodemailer writes as UTF-8.
  return Buffer.from(out, "utf-8");
}

/** The last Date written, by its second: a list's messages within a second share it. */
let lastDate = { second: Number.NaN, text: "" };

/** A date as nodemailer writes it (`toUTCString`, GMT as +0000). */
function utcDate(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (second === lastDate.second) return lastDate.text;
  const text = d.toUTCString().replace(/GMT/, "+0000");
  // An invalid date is not kept (NaN never equals the kept second anyway).
  lastDate = { second, text };
  return text;
}

/** A text body as nodemailer encodes it: 7bit when plain ASCII with short lines, else quoted-printable or base64. */
function textPart(content: string): { te: string; body: string } | undefined {
  const plain = !PLAIN_TEXT.test(content);
  if (plain && content.length <= SLICE && !LONG_LINE.test(content)) return { te: "7bit", body: content };
  const bytes = Buffer.from(content, "utf-8");
  if (bytes.length > SLICE) return undefined;
  if (textEncoding(content) === "Q") return { te: "quoted-printable", body: encodeQp(bytes) };
  return { te: "base64", body: base64.wrap(base64.encode(bytes), LINE) };
}

/** Q when the value has more Latin letters than other characters, else B (nodemailer's `_getTextEncoding`). */
function textEncoding(value: string): "Q" | "B" {
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) nonLatin++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
  }
  return nonLatin < latin ? "Q" : "B";
}

/** An unstructured value (Subject, a list field): as it is when plain, else RFC 2047 encoded as nodemailer does. */
function unstructured(value: string): string {
  const v = value.includes("\r") || value.includes("\n") ? value.replace(NEWLINE, " ") : value;
  if (PLAIN_VALUE.test(v) && !v.includes("=?")) return v;
  return HEADER_CONTROL.test(v) ? mimeFuncs.encodeWord(v, textEncoding(v), 52) : mimeFuncs.encodeWords(v, textEncoding(v), 52, true);
}

/** A Message-ID or In-Reply-To value, in angle brackets. */
function msgId(value: string): string {
  // Most ids have no control character: then neither replacement changes them.
  let v = ANY_CONTROL.test(value) ? value.replace(NEWLINE, " ").replace(HEADER_CONTROLS, "") : value;
  if (v.charAt(0) !== "<") v = `<${v}`;
  if (v.charAt(v.length - 1) !== ">") v = `${v}>`;
  return v;
}

/** References: every id in angle brackets, without white space inside them, one space apart. */
function references(values: readonly string[]): string {
  const ids: string[] = [];
  for (const entry of values) {
    const elm = entry.replace(NEWLINE, " ").replace(HEADER_CONTROLS, "").trim();
    for (let id of closeUp(elm).split(/\s+/)) {
      if (id.charAt(0) !== "<") id = `<${id}`;
      if (id.charAt(id.length - 1) !== ">") id = `${id}>`;
      ids.push(id);
    }
  }
  return ids.join(" ").trim();
}

/** The white space inside each `<...>` removed (nodemailer's stripWhitespaceInAngleBrackets). */
function closeUp(value: string): string {
  let result = "";
  let pos = 0;
  for (;;) {
    const open = value.indexOf("<", pos);
    if (open < 0) break;
    const close = value.indexOf(">", open + 1);
    if (close < 0) break;
    result += value.slice(pos, open) + value.slice(open, close + 1).replace(/\s/g, "");
    pos = close + 1;
  }
  return result + value.slice(pos);
}

/** An address list as nodemailer writes it, or undefined for an address outside the strict syntax. */
function mailboxes(list: readonly Mailbox[]): string | undefined {
  const values: string[] = [];
  for (const m of list) {
    if (typeof m.address !== "string" || !ADDRESS.test(m.address) || typeof m.name !== "string") return undefined;
    const at = m.address.indexOf("@");
    const local = m.address.slice(0, at);
    const address = `${DOT_ATOM.test(local) ? local : mimeFuncs.quoteString(local)}@${domain(m.address.slice(at + 1))}`;
    if (!m.name) values.push(PLAIN_ADDRESS.test(address) ? address : `<${address}>`);
    else values.push(`${displayName(m.name)} <${address}>`);
  }
  return values.join(", ");
}

/** A display name: as it is (word characters and spaces), else quoted (printable ASCII), else one encoded word. */
function displayName(name: string): string {
  if (/^[\w ]*$/.test(name)) return name;
  if (/^[\x20-\x7e]*$/.test(name)) return mimeFuncs.quoteString(name);
  return mimeFuncs.encodeWord(name, textEncoding(name), 52);
}

const domains = new Map<string, string>();
/** A domain as nodemailer writes it (lower case, A-labels), remembered: a list writes to few. */
function domain(d: string): string {
  let out = domains.get(d);
  if (out === undefined) {
    try {
      out = normalizeDomain(d, false);
    } catch {
      out = d;
    }
    if (domains.size >= 1024) domains.clear();
    domains.set(d, out);
  }
  return out;
}

const names = new Map<string, string | undefined>();
/** A field name as nodemailer spells it (`List-ID`, `X-Thwonk-Loop`), or undefined for a name it treats apart. */
function fieldName(key: string): string | undefined {
  if (names.has(key)) return names.get(key);
  const spelled = key
    // biome-ignore lint/suspicious/noControlCharactersInRegex: as nodemailer's _normalizeHeaderKey
    .replace(/[\s\x00-\x20\x7f:]/g, "")
    .toLowerCase()
    .replace(/^X-SMTPAPI$|^(MIME|DKIM|ARC|BIMI)\b|^OTP(?=-Token$)|^[a-z]|-(SPF|FBL|ID|MD5)$|-[a-z]/gi, (c) => c.toUpperCase())
    .replace(/^Content-Features$/i, "Content-features");
  const out = spelled && !RESERVED.test(spelled) ? spelled : undefined;
  if (names.size >= 1024) names.clear();
  names.set(key, out);
  return out;
}
