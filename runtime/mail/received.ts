/**
 * The Received field thwonkd adds to mail it accepts (RFC 5321 4.4), before
 * the message is stored: it is the message's trace through this hop, kept
 * when a rule forwards it, and counted by the hop limit
 * (compose.ts overHopLimit). What the client said (its HELO name) is
 * reduced to the characters a domain or an address literal has, so it
 * cannot end the field or add another. The rule reads the message without
 * it (ownTraceLength): its limits are the sender's message's, as sent.
 */

/** What the SMTP session knows of the client (smtp-server's session, as far as the field needs it). */
export interface ReceivedSession {
  /** The HELO/EHLO/LHLO argument. */
  hostNameAppearsAs?: string;
  /** The client's name by reverse DNS, or its address in brackets. */
  clientHostname?: string;
  remoteAddress?: string;
  /** SMTP, ESMTP, ESMTPS, LMTP, ... */
  transmissionType?: string;
  id?: string;
  envelope?: { rcptTo?: readonly { address: string }[] };
}

function name(s: string | undefined): string | undefined {
  if (typeof s !== "string") return undefined;
  const t = s.trim();
  return /^[A-Za-z0-9.\-_:[\]]{1,255}$/.test(t) ? t : undefined;
}

function ip(s: string | undefined): string | undefined {
  if (typeof s !== "string") return undefined;
  const t = s.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(t)) return `[${t}]`;
  if (/^[0-9a-f:.]{2,45}$/i.test(t) && t.includes(":")) return `[IPv6:${t}]`;
  return undefined;
}

/** The last date written, by its second: messages that arrive within a second share it. */
let lastDate = { second: Number.NaN, text: "" };

/** A date as RFC 5322 writes it, in UTC. */
export function rfc5322Date(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === lastDate.second) return lastDate.text;
  const text = new Date(ms).toUTCString().replace(/GMT$/, "+0000");
  // An invalid time is not kept (NaN never equals the kept second anyway).
  lastDate = { second, text };
  return text;
}

/** The field's value: `from HELO (NAME [IP]) by HOST (thwonkd) with PROTOCOL id ID for <RCPT>; DATE`. */
export function receivedValue(s: ReceivedSession, by: string, at: number): string {
  return `${receivedHead(s, by)}; ${rfc5322Date(at)}`;
}

/** The value before `; DATE` (it has no `; ` of its own: every part is reduced to characters without a space). */
function receivedHead(s: ReceivedSession, by: string): string {
  const helo = name(s.hostNameAppearsAs) ?? "unknown";
  const addr = ip(s.remoteAddress);
  const rdns = name(s.clientHostname);
  const seen = [rdns && rdns !== addr ? rdns : undefined, addr].filter(Boolean).join(" ");
  const protocol = /^[A-Z]{1,12}$/.test(s.transmissionType ?? "") ? s.transmissionType! : "SMTP";
  const id = /^[A-Za-z0-9.-]{1,64}$/.test(s.id ?? "") ? ` id ${s.id}` : "";
  const rcpts = s.envelope?.rcptTo ?? [];
  // One recipient is named (RFC 5321 allows it); more would tell each of them the others. Only an ASCII one: the
  // field is written a byte a character (receivedBefore), and a local part past ASCII (RFC 6531) is not named.
  const one = rcpts.length === 1 && /^[!#-;=?-[\]-~]{1,254}@[A-Za-z0-9.-]{1,253}$/.test(rcpts[0]!.address) ? ` for <${rcpts[0]!.address}>` : "";
  return `from ${helo}${seen ? ` (${seen})` : ""} by ${name(by) ?? "thwonkd"} (thwonkd) with ${protocol}${id}${one}`;
}

/** The message with a Received field before its first line. */
export function withReceived(raw: Buffer, s: ReceivedSession, by: string, at: number): Buffer {
  return receivedBefore([raw], s, by, at);
}

/** What a field head was written from, and the head. */
interface KeptHead {
  helo?: string;
  client?: string;
  remote?: string;
  type?: string;
  id?: string;
  rcpt?: string;
  rcpts: number;
  by: string;
  head: string;
}

/** Each session's last field head: a connection's messages share it (connections interleave, so one per session). */
const heads = new WeakMap<object, KeptHead>();

/** receivedHead, kept while the session says the same (its fields are read each time, not trusted to stay). */
function keptHead(s: ReceivedSession, by: string): string {
  const rcpts = s.envelope?.rcptTo ?? [];
  const rcpt = rcpts.length === 1 ? rcpts[0]!.address : undefined;
  const k = heads.get(s);
  if (
    k !== undefined &&
    k.helo === s.hostNameAppearsAs &&
    k.client === s.clientHostname &&
    k.remote === s.remoteAddress &&
    k.type === s.transmissionType &&
    k.id === s.id &&
    k.rcpts === rcpts.length &&
    k.rcpt === rcpt &&
    k.by === by
  )
    return k.head;
  const head = receivedHead(s, by);
  // Only strings are kept to compare (a value of another type is written again each time).
  const all = [s.hostNameAppearsAs, s.clientHostname, s.remoteAddress, s.transmissionType, s.id, rcpt].every((v) => v === undefined || typeof v === "string");
  if (all) heads.set(s, { helo: s.hostNameAppearsAs, client: s.clientHostname, remote: s.remoteAddress, type: s.transmissionType, id: s.id, rcpt, rcpts: rcpts.length, by, head });
  else heads.delete(s);
  return head;
}

/** withReceived of the message's chunks as they came (SMTP DATA), copied once. */
export function receivedBefore(chunks: readonly Buffer[], s: ReceivedSession, by: string, at: number): Buffer {
  // Folded before the date, so the line stays short (RFC 5322 2.1.1).
  const field = `Received: ${keptHead(s, by)};\r\n\t${rfc5322Date(at)}\r\n`;
  // The field written straight into the message's one buffer (latin1: a byte a character), the chunks after it.
  let size = field.length;
  for (const c of chunks) size += c.length;
  const out = Buffer.allocUnsafe(size);
  let offset = out.write(field, 0, "latin1");
  for (const c of chunks) offset += c.copy(out, offset);
  return out;
}

/** The field receivedBefore writes, as its first line and its folded date line (each part as it writes it). */
const OWN_TRACE = /^Received: from [^\r\n;]{1,1200} \(thwonkd\) with [A-Z]{1,12}[^\r\n;]{0,600};\r\n\t[^\r\n]{1,40}\r\n/;

/**
 * The bytes of the Received field receivedBefore put before a stored message (0 when it starts with no such field).
 * A rule reads the message after it: the limits it declares (`size`, `headers`) are the sender's message's, which
 * a sender can keep to; counted with thwonkd's own field, a message at the limit was refused, with numbers the
 * sender never sent. A replay or an approval reads the stored message the same way, so every run of it sees the same.
 */
export function ownTraceLength(raw: Buffer): number {
  const m = OWN_TRACE.exec(raw.toString("latin1", 0, Math.min(raw.length, 2048)));
  return m ? m[0].length : 0;
}
