/**
 * The one outgoing-message builder: a run's send, reply and forward actions
 * become the RFC 5322 messages that go on the wire, with their SMTP
 * envelope. The daemon (runtime/daemon/outbox.ts) composes them before a
 * run commits, and `thwonkc run --write DIR` writes the same bytes, so what
 * a user sees in a dry run is what the relay gets. docs/mail-out.md lists
 * what reaches the wire for each action.
 *
 * Nothing a rule or a sender wrote reaches a header unchecked: text (a
 * subject, a display name, a list name) loses its control characters (CR
 * and LF among them) and is RFC 2047-encoded when it is not plain ASCII;
 * addresses and message ids must match a strict syntax or are left out.
 * The builder writes every header itself; it reads from an action's
 * `headers` only the threading ids, and checks them like any other input.
 */
import { createHash } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import addressparser from "nodemailer/lib/addressparser/index.js";
import * as mimeFuncs from "nodemailer/lib/mime-funcs/index.js";
import { canonicalAddress, type RunAction } from "../../contract/index.js";
import { listFields, oneLine } from "../../contract/list-fields.js";
import { bareMailbox } from "../input/decode.js";
import { readOriginal, spliceForward, type Original } from "./forward.js";
import { withHtmlFooter, withTextFooter } from "./footer.js";
import { serializeTree, type MimeTreeNode } from "./serialize.js";
import { composerOptions, type Mailbox, type MessagePlan, type PlanField, writeMessage } from "./write-message.js";

/** Every message a list sends carries it (its value: the list's address); mail that comes back with it is not run again. */
export const LOOP_HEADER = "X-Thwonk-Loop";
/** How many lists a message has passed through: each list's mail carries the count it got plus one. */
export const HOPS_HEADER = "X-Thwonk-Hops";
/** A message that passed more lists than this is not run (a loop between lists that each see only their own loop header). */
export const DEFAULT_HOP_LIMIT = 10;
/** As Postfix's hopcount_limit: a message with more Received fields than this is looping between servers. */
export const RECEIVED_LIMIT = 50;

/** How a post "from the sender" names its author. */
export type FromMode = "munge" | "keep";

export interface ListMailSettings {
  /**
   * `munge` (the default, DMARC-safe): From is the list's address with the
   * author's name (`"Ann via list" <list@domain>`), so the list's domain
   * answers for it. `keep`: From is the author's own, as written (mail from
   * a domain with a DMARC policy of reject may then be refused).
   */
  fromMode: FromMode;
}

export const DEFAULT_LIST_SETTINGS: ListMailSettings = { fromMode: "munge" };

/** The message the run handled, as far as the outgoing mail needs it. */
export interface IncomingMail {
  /** Its From address (canonical), null when it has none. */
  from: string | null;
  /** Every header field, [name, raw unfolded value]. */
  headers: readonly (readonly [string, string])[];
  /** The message as received (a forward keeps its body byte for byte); without it a forward is composed again from its text and HTML. */
  raw?: Buffer;
}

export interface ComposeContext {
  /** The list's address. */
  list: string;
  /** Its name for people (List-Id's phrase, "Ann via NAME"); default the address's local part. */
  listName?: string;
  incoming: IncomingMail | null;
  now: number;
  /** Stable for the run: Message-IDs are `thwonk.RUNKEY.N@domain`, N the action's index. */
  runKey: string;
  settings?: Partial<ListMailSettings>;
  /** Compose every message with nodemailer instead of the direct writer (write-message.ts): the oracle the tests and bench/delivery/compose.js compare it with. */
  viaNodemailer?: boolean;
}

export interface OutgoingMessage {
  /** The action's index in the run (from 1). */
  index: number;
  /** The Message-ID, without angle brackets. */
  messageId: string;
  envelope: { from: string; to: string[] };
  /** Recipients left out because they are not addresses (never sent to, never put in an SMTP command). */
  refused: string[];
  action: RunAction;
  /** The message as it goes on the wire. */
  raw: Buffer;
}

const MAIL_KINDS = new Set(["send", "reply", "forward"]);

export function isMailAction(a: RunAction): boolean {
  return MAIL_KINDS.has(a.kind);
}

// A conservative address: what an SMTP command can carry, without spaces, controls, brackets or quotes. Its local
// part may pass 64 (RFC 5321 4.5.3.1: a sender with one is answered); the whole fits a path (254, safeAddress).
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
/** A path's longest address in octets (RFC 5321 4.5.3.1.3: 256 with the angle brackets). */
const PATH_OCTETS = 254;
const MSG_ID = /^[\x21-\x3b\x3d\x3f-\x7e]{1,250}@[\x21-\x3b\x3d\x3f-\x7e]{1,250}$/;

/**
 * An address that is safe in a header and an SMTP command, or undefined. Past ASCII, the address rule's own
 * (contract/values.ts: a local part of RFC 6531's characters, none invisible; an ASCII domain) as it is written,
 * at most a path's octets in UTF-8: mail to it needs SMTPUTF8, which the relay's client asks for (a relay
 * without it is not given that recipient, recorded failed: daemon/delivery.ts), and the Maildir writes it in UTF-8. Members
 * may have such addresses, so a rule's send to them must reach them (it was left out without a word).
 */
export function safeAddress(s: unknown): string | undefined {
  if (typeof s !== "string" || s.length > PATH_OCTETS) return undefined;
  if (ADDRESS.test(s)) return s;
  return s.trim() === s && Buffer.byteLength(s) <= PATH_OCTETS && canonicalAddress(s) !== undefined ? s : undefined;
}

/** Text for a header: no control characters (a CR or LF would start a new header), one line, at most `max` code points. */
export const headerText: (s: string, max?: number) => string = oneLine;

/** Text that spells an RFC 2047 encoded-word, which every reader would decode instead of showing. */
const ENCODED_WORD = /=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/;

/** Header text as the rule wrote it: when it spells an encoded-word, encoded whole, so that it reads as written. */
export function literally(text: string): string {
  return ENCODED_WORD.test(text) ? mimeFuncs.encodeWord(text, "Q", 52) : text;
}

/**
 * A display name as written: one that holds `=?` is encoded whole. Readers decode encoded-words even inside a
 * quoted name, and leniently (mailparser reads `=?utf-8?Q? via ?=`, spaces and all), so any `=?` could start one.
 */
export function literalName(text: string): string {
  return text.includes("=?") ? mimeFuncs.encodeWord(text, "Q", 52) : text;
}

/** A display name or List-Id phrase: an atom sequence as it is, else a quoted string, else RFC 2047 encoded words. */
export function phrase(name: string): string {
  const t = headerText(name, 200);
  if (ENCODED_WORD.test(t)) return literally(t);
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$/.test(t)) return t;
  if (/^[\x20-\x7e]*$/.test(t)) return `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return mimeFuncs.encodeWords(t, "Q", 52, true);
}

/** The list's bounce address, the envelope sender of everything it sends: `LIST-bounces@domain`. */
export function bounceAddress(list: string): string {
  const at = list.lastIndexOf("@");
  return `${list.slice(0, at)}-bounces@${list.slice(at + 1)}`;
}

const HOPS_NAME = HOPS_HEADER.toLowerCase();

/** The hop count a message carries: the largest X-Thwonk-Hops, and its Received fields. */
export function hopCount(headers: readonly (readonly [string, string])[]): { hops: number; received: number } {
  let hops = 0;
  let received = 0;
  for (let i = 0; i < headers.length; i++) {
    // Indexed, not destructured: destructuring an array goes through its iterator.
    const n = headers[i]![0];
    const v = headers[i]![1];
    // Only a name of the right length is lower-cased to compare (most are neither).
    if (n.length === 8 && n.toLowerCase() === "received") received++;
    else if (n.length === HOPS_NAME.length && n.toLowerCase() === HOPS_NAME && /^\s*\d{1,6}\s*$/.test(v)) hops = Math.max(hops, Number(v));
  }
  return { hops, received };
}

/** Why a message must not run (a loop between lists or servers), or undefined. */
export function overHopLimit(headers: readonly (readonly [string, string])[], limit = DEFAULT_HOP_LIMIT): string | undefined {
  const { hops, received } = hopCount(headers);
  if (hops > limit) return `it has passed through ${hops} lists (${HOPS_HEADER}), over the limit of ${limit}`;
  if (received > RECEIVED_LIMIT) return `it has ${received} Received fields, over the limit of ${RECEIVED_LIMIT}`;
  return undefined;
}

/** A stable run key for a dry run: the same rule, message and time give the same Message-IDs. */
export function dryRunKey(...parts: (string | Buffer | number)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "number" ? String(p) : p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function headerValue(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const key = name.toLowerCase();
  // Only a name of the right length is lower-cased to compare.
  for (let i = 0; i < headers.length; i++) {
    const n = headers[i]![0];
    if (n.length === key.length && n.toLowerCase() === key) return headers[i]![1];
  }
  return undefined;
}

/** The message ids in a field (`<a@b> <c@d>`), the valid ones, at most `max` (the newest kept). */
export function msgIds(value: unknown, max = 20): string[] {
  if (typeof value !== "string") return [];
  const ids = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!).filter((id) => MSG_ID.test(id));
  return ids.slice(-max);
}

interface Person {
  name: string;
  address: string;
}

/**
 * The text of each Person whose name is written encoded (it spells an encoded-word): readers decode encoded-words
 * even inside a quoted display name, so a name `=?utf-8?Q?Ann=0D=0ABcc...?=` (a sender's own name encoded twice, or
 * a list's name) would show as `Ann`, a line break and `Bcc: ...`. Encoded whole, it shows as written.
 */
const plainNames = new WeakMap<Person, string>();

/** A Person whose name shows as `text` (encoded whole when it spells an encoded-word). */
function shown(text: string, address: string): Person {
  const name = literalName(text);
  const person = { name, address };
  if (name !== text) plainNames.set(person, text);
  return person;
}

/** The text a Person's name shows. */
const plainName = (p: Person): string => plainNames.get(p) ?? p.name;

/** The incoming From as a name and address (the name read from the header, checked like any text). */
function author(incoming: IncomingMail | null): Person | undefined {
  const address = safeAddress(incoming?.from ?? undefined);
  if (!address || !incoming) return undefined;
  const raw = headerValue(incoming.headers, "from");
  // A sender writes the same From each time: its name is read once (the answer depends on the address and the field alone).
  const key = raw === undefined || raw.length > 256 ? undefined : `${address}\u0000${raw}`;
  const kept = key === undefined ? undefined : authors.get(key);
  if (kept) return kept;
  const person = authorNow(address, raw);
  if (key !== undefined) {
    if (authors.size >= 1024) authors.clear();
    authors.set(key, Object.freeze(person));
  }
  return person;
}

const authors = new Map<string, Person>();

function authorNow(address: string, raw: string | undefined): Person {
  let name = "";
  if (raw !== undefined) {
    const parsed = bareMailbox(raw) ?? (addressparser(raw, { flatten: true }) as { name?: string; address?: string }[]);
    const hit = parsed.find((p) => p.address?.toLowerCase() === address.toLowerCase()) ?? parsed[0];
    name = decodeWords(hit?.name ?? "");
  }
  return shown(headerText(name, 100), address);
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`) in a display name, decoded; an unknown charset or a bad word stays as written. */
export function decodeWords(s: string): string {
  return s.replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=(?:\s+(?==\?))?/g, (whole, charset: string, enc: string, text: string) => {
    try {
      const bytes =
        enc.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, hx: string) => String.fromCharCode(parseInt(hx, 16))), "latin1");
      return new TextDecoder(charset.replace(/\*.*$/, ""), { fatal: false }).decode(bytes);
    } catch {
      return whole;
    }
  });
}

const CHECKS = { safeAddress, headerText, decodeWords, msgIds, literalName };

/** The run's mail actions as wire messages (actions without a valid recipient send nothing). */
export async function composeRun(actions: readonly RunAction[], ctx: ComposeContext): Promise<OutgoingMessage[]> {
  return composeRunNow(actions, ctx);
}

/**
 * composeRun, answered at once when every message is written directly (write-message.ts), as all are but a plan the
 * direct writer leaves to nodemailer: the daemon composes each run's mail, and a promise and an await for each of its
 * messages cost the event loop more than writing a short one. A promise only when one went through nodemailer.
 */
export function composeRunNow(actions: readonly RunAction[], ctx: ComposeContext): OutgoingMessage[] | Promise<OutgoingMessage[]> {
  return composeFrom(actions, ctx, 0, [], undefined);
}

/** The messages of actions `from` on, after `out` (those before); a promise once one goes through nodemailer. */
function composeFrom(actions: readonly RunAction[], ctx: ComposeContext, from: number, out: OutgoingMessage[], run: RunFacts | undefined): OutgoingMessage[] | Promise<OutgoingMessage[]> {
  for (let i = from; i < actions.length; i++) {
    const a = actions[i]!;
    if (!isMailAction(a)) continue;
    const to: string[] = [];
    const refused: string[] = [];
    // Repeats are looked for only among more than one recipient.
    const seen = a.to.length > 1 ? new Set<string>() : undefined;
    for (const r of a.to) {
      const ok = safeAddress(r);
      if (!ok) refused.push(String(r));
      else if (!seen) to.push(ok);
      else {
        const key = ok.toLowerCase();
        if (!seen.has(key)) (seen.add(key), to.push(ok));
      }
    }
    if (to.length === 0) continue;
    run ??= { sender: author(ctx.incoming), hops: ctx.incoming ? hopCount(ctx.incoming.headers).hops + 1 : 1 };
    const m = composeOne(a, i + 1, to, refused, ctx, run);
    // Through nodemailer: awaited, and the actions after it composed after it, in order, as composeRun always did.
    if (m instanceof Promise) return composeAfter(m, actions, ctx, i + 1, out, run);
    out.push(m);
  }
  return out;
}

async function composeAfter(m: Promise<OutgoingMessage>, actions: readonly RunAction[], ctx: ComposeContext, from: number, out: OutgoingMessage[], run: RunFacts): Promise<OutgoingMessage[]> {
  out.push(await m);
  return composeFrom(actions, ctx, from, out, run);
}

/** What every message of a run reads from the incoming mail, read once. */
interface RunFacts {
  sender: Person | undefined;
  /** The hop count its messages carry. */
  hops: number;
}

/** What a list's messages say of the list itself: the same for each of its runs. */
interface ListFacts {
  domain: string;
  listName: string;
  bounce: string;
  /** The list's own fields (List-Id, List-Post, List-Help, List-Unsubscribe) and its loop field, frozen: write-message.ts writes each once. */
  fields: readonly Readonly<PlanField>[];
  loop: Readonly<PlanField>;
  /** The list as a mailbox, and as the To of its posts. */
  person: Person;
  to: readonly Mailbox[];
  /** "NAME via LIST" for each sender seen (a sender's Person is kept: author()). */
  via: WeakMap<Person, Person>;
}

/** Fields every list writes the same, frozen (write-message.ts writes a frozen field once). */
const field = (key: string, value: string): Readonly<PlanField> => Object.freeze({ key, value });
/**
 * The list's own fields, whole as written here (List-Id's phrase encoded or quoted already, its identifier and the
 * loop field's address in UTF-8 for a list at a non-ASCII address: RFC 6532), so the writer encodes nothing again.
 */
const prepared = (key: string, value: string): Readonly<PlanField> => Object.freeze({ key, value, prepared: true as const });
const AUTO_REPLIED = field("Auto-Submitted", "auto-replied");
const AUTO_GENERATED = field("Auto-Submitted", "auto-generated");
const PRECEDENCE = field("Precedence", "list");
const HOPS = Array.from({ length: 64 }, (_, i) => field(HOPS_HEADER, String(i)));

const listFacts = new Map<string, ListFacts>();

/** The list's facts, worked out once per list address and name. */
function factsOf(list: string, name: string | undefined): ListFacts {
  const key = name === undefined ? list : `${list}\u0000${name}`;
  let f = listFacts.get(key);
  if (f) return f;
  const own = listFields(list, name);
  const listName = own.name;
  const person: Person = Object.freeze(shown(listName, list));
  // The list's fields as contract/list-fields.ts decides them: List-Id's phrase encoded when it must be, its
  // identifier (and the loop field) in UTF-8 for a list at a non-ASCII address (RFC 6532: its mail goes with
  // SMTPUTF8), the mailto URLs percent-encoded (RFC 6068), a URL field that cannot fit a line left out.
  const fields = [prepared("List-Id", `${phrase(listName)} <${own.id}>`)];
  if (own.post !== undefined) fields.push(prepared("List-Post", own.post));
  if (own.help !== undefined) fields.push(prepared("List-Help", own.help));
  if (own.unsubscribe !== undefined) fields.push(prepared("List-Unsubscribe", own.unsubscribe));
  f = {
    domain: list.slice(list.lastIndexOf("@") + 1),
    listName,
    bounce: bounceAddress(list),
    fields: Object.freeze(fields),
    loop: prepared(LOOP_HEADER, list),
    person,
    to: Object.freeze([person]),
    via: new WeakMap(),
  };
  if (listFacts.size >= 4096) listFacts.clear();
  listFacts.set(key, f);
  return f;
}

/** A promise only when the message went through nodemailer (composeRunNow). */
function composeOne(a: RunAction, index: number, to: string[], refused: string[], ctx: ComposeContext, run: RunFacts): OutgoingMessage | Promise<OutgoingMessage> {
  // As `{ ...DEFAULT_LIST_SETTINGS, ...ctx.settings }` reads it, without the copy.
  const fromMode = ctx.settings !== undefined && Object.hasOwn(ctx.settings, "fromMode") ? ctx.settings.fromMode : DEFAULT_LIST_SETTINGS.fromMode;
  const list = ctx.list;
  const facts = factsOf(list, ctx.listName);
  const { domain, listName } = facts;
  const messageId = `thwonk.${ctx.runKey}.${index}@${domain}`;
  const listPerson = facts.person;
  const sender = run.sender;

  // From and Reply-To (docs/mail-out.md): the list speaks for itself; a post "from the sender" is the author's.
  let from: Person = listPerson;
  let replyTo: Person | undefined;
  const who = (w: unknown): Person | undefined => (w === "list" ? listPerson : w === "sender" ? sender : undefined);
  const onBehalf = a.kind === "forward" || (a.kind === "send" && a["from"] === "sender");
  if (onBehalf && sender) {
    if (fromMode === "keep") from = sender;
    else {
      // Kept per list for a kept sender (frozen: author()), so the writer writes its From once.
      const kept = Object.isFrozen(sender) ? facts.via.get(sender) : undefined;
      from = kept ?? shown(`${plainName(sender) || sender.address.replace("@", " at ")} via ${listName}`, list);
      if (!kept && Object.isFrozen(sender)) facts.via.set(sender, Object.freeze(from));
    }
  }
  if (a.kind === "send" && a["replyTo"] != null) replyTo = who(a["replyTo"]);
  // A reply thwonkd writes itself to a list's -request address (runtime/daemon/requests.ts) names the address that
  // answers it; a rule's reply (the prelude's F$reply) has no such field.
  else if (a.kind === "reply" && typeof a["replyAddress"] === "string") {
    const address = safeAddress(a["replyAddress"]);
    if (address !== undefined) replyTo = { name: "", address };
  }
  // A munged From would send a member's answer to the list: unless the rule said where answers go, they go to the author.
  else if (onBehalf && sender && fromMode === "munge") replyTo = sender;

  // At most 900 characters: an unbroken run of them still fits a header line of 998 octets after `Subject: `.
  const subject = literally(headerText(typeof a["subject"] === "string" ? a["subject"] : "", 900));
  const footer = a.kind === "forward" && typeof a["footer"] === "string" && a["footer"] !== "" ? a["footer"] : null;
  // A forward keeps the message it forwards (runtime/mail/forward.ts); without its bytes it is composed again from its text.
  const original: Original | undefined = a.kind === "forward" && ctx.incoming?.raw ? readOriginal(ctx.incoming.raw, CHECKS) : undefined;
  let text = typeof a["text"] === "string" ? a["text"] : "";
  let html = typeof a["html"] === "string" ? a["html"] : undefined;
  if (footer !== null && !original) {
    text = withTextFooter(text, footer);
    if (html !== undefined) html = withHtmlFooter(html, footer);
  }
  text = crlf(text);
  if (html !== undefined) html = crlf(html);
  const hops = run.hops;
  const given = (a["headers"] ?? {}) as Record<string, unknown>;

  const headers: Readonly<PlanField>[] = [...facts.fields];
  if (a.kind === "reply") headers.push(AUTO_REPLIED);
  else if (!ctx.incoming) headers.push(AUTO_GENERATED);
  if (a.kind !== "reply") headers.push(PRECEDENCE);
  headers.push(facts.loop);
  headers.push(HOPS[hops] ?? { key: HOPS_HEADER, value: String(hops) });

  // Threading: a reply (and a send with `thread: m`) answers the message; a forward keeps the thread it was in.
  let inReplyTo: string[] = [];
  let references: string[] = [];
  const answers = a.kind === "reply" ? msgIds(given["In-Reply-To"]).slice(-1) : a.kind === "send" && typeof a["thread"] === "string" && MSG_ID.test(a["thread"]) ? [a["thread"]] : [];
  if (answers.length) {
    inReplyTo = answers;
    references = a.kind === "reply" ? msgIds(given["References"]) : answers;
    // Answering the message being handled: its own References come first (RFC 5322 3.6.4), so the whole thread is named.
    if (ctx.incoming && msgIds(headerValue(ctx.incoming.headers, "message-id"), 1)[0] === answers[0]) {
      const before = msgIds(headerValue(ctx.incoming.headers, "references")).filter((r) => r !== answers[0]);
      references = [...before, answers[0]!].slice(-20);
    }
  } else if (a.kind === "forward" && ctx.incoming) {
    inReplyTo = original ? original.inReplyTo : msgIds(headerValue(ctx.incoming.headers, "in-reply-to")).slice(-1);
    references = original ? original.references : msgIds(headerValue(ctx.incoming.headers, "references"));
  }
  // A forward is the author's message passed on: it keeps its Message-ID (members' answers thread with the author's copy) and Date.
  const sentId = original?.messageId ?? messageId;

  // Persons go in as they are (a Person is a Mailbox; the writer reads them, nodemailer's options copy them).
  const plan: MessagePlan = {
    headers,
    from,
    to: a.kind === "reply" ? to.map((t) => ({ name: "", address: t })) : original?.to.length ? original.to : facts.to,
    subject,
    // A forward's body is the original's, spliced in after the header is written.
    text: original ? "" : text,
    messageId: `<${sentId}>`,
    date: original?.date ?? new Date(ctx.now),
    // The same run and action give the same boundary: a retry sends the bytes that were committed.
    boundarySeed: `${ctx.runKey}.${index}`,
    // The envelope is given to the transport, never written: nodemailer would otherwise add no Bcc, but be explicit.
    envelope: { from: facts.bounce, to },
  };
  if (original?.cc.length) plan.cc = original.cc;
  if (replyTo) plan.replyTo = replyTo;
  if (html !== undefined && !original) plan.html = html;
  if (inReplyTo.length) plan.inReplyTo = `<${inReplyTo[0]}>`;
  if (references.length) plan.references = references.map((r) => `<${r}>`);
  const direct = !ctx.viaNodemailer && writeMessage(plan);
  const done = (written: Buffer): OutgoingMessage => {
    const raw = original ? spliceForward(written, original, footer, CHECKS) : written;
    return { index, messageId: sentId, envelope: { from: facts.bounce, to }, refused, action: a, raw };
  };
  return direct ? done(direct) : viaNodemailer(plan).then(done);
}

/**
 * A body's line breaks all CRLF: a rule's text may hold a CR or an LF alone (`"\r"` in a string, a mix pasted in), which
 * a 7bit part kept as it was: the Maildir file had lines ending three ways, and a CR alone on the wire is what RFC 5321
 * 2.3.8 forbids (SMTP smuggling reads it as an end of line). Only the relay's client and the DKIM signer made them CRLF,
 * so an unsigned file in the outbox kept them.
 */
const BREAK = /\r\n?|\n/g;
const crlf = (s: string): string => (s.includes("\r") || s.includes("\n") ? s.replace(BREAK, "\r\n") : s);

/** The bytes nodemailer composes for a plan: its tree written at once (serialize.ts), or built the streaming way. */
async function viaNodemailer(plan: MessagePlan): Promise<Buffer> {
  const tree = new MailComposer(composerOptions(plan)).compile();
  return serializeTree(tree as unknown as MimeTreeNode) ?? (await new Promise<Buffer>((resolve, reject) => tree.build((err, b) => (err ? reject(err) : resolve(b)))));
}
