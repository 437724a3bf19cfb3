/**
 * Mail in, over SMTP or LMTP (smtp-server). Recipients are checked at RCPT:
 * an address without a list gets 550 (never a relay); with SMTP a second
 * list in one transaction gets 452 4.5.3, so the answer to DATA is that one
 * list's. The rule runs while the client waits after DATA: its reject is the
 * answer (550 5.7.1), and a 250 comes only after the run's commit. With
 * LMTP each recipient gets its own answer after DATA.
 */
import { domainToASCII, domainToUnicode } from "node:url";
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { canonicalAddress } from "../../contract/values.js";
import { receivedBefore } from "../mail/received.js";
import type { Daemon } from "./daemon.js";
import type { Logger } from "./log.js";
import { daemonMessages as M, say } from "./messages.js";
import type { Answer } from "./runner.js";

export const DEFAULT_SIZE = 10 * 1024 * 1024;
/**
 * How long a message may take to arrive after DATA. It is held in memory meanwhile, and a client that sends a byte a
 * minute (each byte restarts smtp-server's idle timer) would keep its share of the in-flight budget for ever: past
 * this the message is let go and answered 451 4.4.2 at its end. 10 MB in 10 minutes is 17 KB/s.
 */
export const DATA_DEADLINE_MS = 10 * 60_000;
/** Recipients in one transaction at most, RFC 5321's least (LMTP: SMTP takes one list a transaction); each is a delivery of its own. */
export const MAX_RECIPIENTS = 100;

/**
 * The bytes of mail taken in and not yet answered, across listeners. A message is held whole in memory from its
 * first byte until its run's commit is answered; past `limit` (a flood of large messages over many connections) a
 * message is not kept: the rest of its bytes are read and dropped, and it gets 452 4.3.1, which a sender retries.
 */
export class InFlight {
  bytes = 0;
  /** The most bytes in flight since the start. */
  peak = 0;
  constructor(readonly limit: number) {}
}

/**
 * A message's bytes as they come, copied into blocks: smtp-server hands a message on in pieces as small as the line
 * before each escape dot or a byte of a TCP segment, and a Buffer kept for each would cost tens of times the bytes the
 * budget counts. A block grows with the message (1 KiB, doubling to 64 KiB), so one barely begun holds little.
 */
class Blocks {
  private full: Buffer[] = [];
  private last: Buffer | undefined;
  private used = 0;
  private total = 0;

  push(c: Buffer): void {
    for (let at = 0; at < c.length; ) {
      if (this.last === undefined || this.used === this.last.length) {
        if (this.last) this.full.push(this.last);
        this.last = Buffer.allocUnsafe(Math.min(64 * 1024, Math.max(1024, this.total)));
        this.used = 0;
      }
      const n = c.copy(this.last, this.used, at);
      this.used += n;
      this.total += n;
      at += n;
    }
  }

  /** Every byte, in order. */
  buffers(): Buffer[] {
    return this.last ? [...this.full, this.last.subarray(0, this.used)] : this.full;
  }

  clear(): void {
    this.full = [];
    this.last = undefined;
    this.used = 0;
    this.total = 0;
  }
}

export interface IngressOptions {
  daemon: Daemon;
  log: Logger;
  lmtp?: boolean;
  /** The largest message in bytes (SIZE, enforced while streaming); default 10 MB. */
  size?: number;
  /** The name in the greeting. */
  name?: string;
  /** Most connections at once (smtp-server's maxClients: past it, 421); default unlimited. */
  maxConnections?: number;
  /** The budget of bytes in flight, shared by the listeners; default none. */
  inFlight?: InFlight;
  /** DATA_DEADLINE_MS unless a test says. */
  dataDeadlineMs?: number;
}

export interface Ingress {
  server: SMTPServer;
  listen(host: string, port: number): Promise<number>;
  /** New connections and transactions get 421 from now on. */
  refuseNew(): void;
  /** Resolves once every message taken in so far is answered (an LMTP message's recipients are delivered one by one). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An envelope address as lists and Addresses are written (contract/values.ts): its domain in ASCII, and its local
 * part without quotes it does not need. smtp-server hands a domain on decoded to Unicode (`xn--bcher-kva` becomes
 * `bücher`, whether the client wrote it so or not): without this a list at an A-label domain took no mail at all,
 * and a sender at one was read as no address, a bounce. An SMTPUTF8 client's Unicode domain comes to the same
 * list. A quoted local part is the same local part unquoted (RFC 5321 4.1.2: `"foo"@` is `foo@`) when it is a
 * dot-atom without its quotes; one that needs them (a space, an `@`) stays as it is, and reaches no list.
 */
export function envelopeAddress(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 0) return address;
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, so most domains are left as they are
  if (!/^[\x00-\x7f]*$/.test(domain)) domain = domainToASCII(domain) || domain;
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(local);
  if (quoted) {
    const bare = quoted[1]!.replace(/\\(.)/gs, "$1");
    if (canonicalAddress(`${bare}@${domain}`) !== undefined) local = bare;
  }
  return `${local}@${domain}`;
}

/** A recipient as the transaction tells them apart: the address as lists are written, canonical (without case, NFC). */
function recipientKey(address: string): string {
  const e = envelopeAddress(address);
  return canonicalAddress(e) ?? e.toLowerCase();
}

/**
 * The longest envelope address the ingress takes: smtp-server answers 501 past it (RFC 5321 4.5.3.1.3: a path is at
 * most 256 octets with its angle brackets), counted as the client wrote it (its domain maybe in punycode).
 */
export const INGRESS_ADDRESS_MAX = 253;

/** The longest list address: its `-request` and `-bounces` addresses, 8 longer, must reach the ingress too. */
export const LIST_ADDRESS_MAX = INGRESS_ADDRESS_MAX - "-bounces".length;

/**
 * An address's length as a client may write it: the longest of its domain as given, in punycode and as its U-label
 * (SMTPUTF8). The U-label is mostly the shorter, but not for characters past U+FFFF: two UTF-16 units each, which
 * smtp-server counts, against about one in punycode (40 of U+20000: 88 units, `xn--j50iaaaa…` 55).
 */
export function wireLength(address: string): number {
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1);
  return at + 1 + Math.max(domain.length, domainToASCII(domain).length, domainToUnicode(domain).length);
}

/**
 * A reply's text as it goes on the wire. smtp-server writes a reply as UTF-8, whatever the client said. A client
 * that said SMTPUTF8 in this transaction (RFC 6531: `MAIL FROM:<...> SMTPUTF8`) gets the text as it is, in UTF-8:
 * the address it wrote, a rule's reason in its own language. Any other client gets an ASCII rendering: RFC 5321
 * (4.2, `textstring`) has reply text in ASCII, and a client that did not ask for UTF-8 writes such bytes where it
 * keeps the reply (a bounce, a log) as it likes, mostly one character a byte (latin1: `Ã¼` for `ü`). Each
 * character past ASCII is written `\u{HEX}`, as a .thwonk string writes it (`Nö` is `N\u{F6}`), so an address in
 * the text still names that address, never another one (`u` for `ü` would); domains are in ASCII already
 * (`envelopeAddress`, `xn--`). Before MAIL FROM (the greeting, 421 at connect) there is no transaction: ASCII.
 */
export function replyText(text: string, utf8: boolean): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every character past ASCII, none of it
  const full = utf8 ? text : text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
  return Buffer.byteLength(full) <= REPLY_TEXT_MAX ? full : cutReply(full);
}

/**
 * A reply line's text at most: RFC 5321 4.5.3.1.5 bounds a reply line at 512 octets with its code, the space after
 * it and the CRLF (a rule's reason written `\u{HEX}`, or a TW6001 naming a long address, passed it). The whole
 * text stays in the run record and the log.
 */
export const REPLY_TEXT_MAX = 512 - 4 - 2;

/** `text` cut to REPLY_TEXT_MAX octets with `...` at the end, never inside a character or a `\u{HEX}`. */
function cutReply(text: string): string {
  const room = REPLY_TEXT_MAX - 3;
  let octets = 0;
  let end = 0;
  for (const piece of text.match(/\\u\{[0-9A-F]+\}|[\s\S]/gu) ?? []) {
    octets += Buffer.byteLength(piece);
    if (octets > room) break;
    end += piece.length;
  }
  return `${text.slice(0, end)}...`;
}

/** Whether this transaction's replies may be UTF-8: its MAIL FROM said SMTPUTF8 (smtp-server keeps it per transaction). */
const saidUtf8 = (session: SMTPServerSession): boolean => session.envelope?.smtpUtf8 === true;

/** A refusal, its text as `replyText` writes it (`utf8`: this transaction said SMTPUTF8). */
function smtpError(code: number, message: string, utf8 = false): Error & { responseCode: number } {
  return Object.assign(new Error(replyText(message, utf8)), { responseCode: code });
}

export function createIngress(o: IngressOptions): Ingress {
  const size = o.size ?? DEFAULT_SIZE;
  const dataDeadlineMs = o.dataDeadlineMs ?? DATA_DEADLINE_MS;
  let closing = false;
  // Messages taken in and not yet answered, and who waits for there to be none (settled()).
  let answering = 0;
  const onSettled: (() => void)[] = [];
  const answered = (): void => {
    if (--answering === 0) for (const r of onSettled.splice(0)) r();
  };
  // Each accepted recipient's list by its address without case, as smtp-server keeps the recipients: one entry an
  // address, a repeated RCPT in the first one's place (so not by the order of the RCPT commands); and the address
  // of each RCPT command answered 250, in order, a repeated one too: LMTP answers each of those after DATA
  // (RFC 2033 4.2), and a client given fewer answers waits for the missing one and reads the next command's.
  const transactions = new WeakMap<SMTPServerSession, { lists: Map<string, string>; accepted: string[] }>();
  const server = new SMTPServer({
    lmtp: o.lmtp ?? false,
    size,
    name: o.name ?? "thwonkd",
    banner: "thwonkd",
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    closeTimeout: 5000,
    ...(o.maxConnections ? { maxClients: o.maxConnections } : {}),
    // Each recipient is kept until the transaction ends and gets a delivery of the message, and anyone can name as
    // many bounce addresses (LIST-bounces+ANY@) as they like: past this many, 452 (RFC 5321 asks for at least 100).
    maxRecipients: MAX_RECIPIENTS,
    onConnect(_session, cb) {
      if (closing) return cb(smtpError(421, `4.3.2 ${say(M.shuttingDown)}`));
      cb();
    },
    onMailFrom(_address, session, cb) {
      if (closing) return cb(smtpError(421, `4.3.2 ${say(M.shuttingDown)}`, saidUtf8(session)));
      transactions.set(session, { lists: new Map(), accepted: [] });
      cb();
    },
    onRcptTo(address: SMTPServerAddress, session, cb) {
      const rcpt = envelopeAddress(address.address);
      // A list's address, or the postmaster of a domain of the lists (RFC 5321 §4.5.1), which is kept, not run.
      const list = o.daemon.resolve(rcpt) ?? o.daemon.postmasterOf(rcpt);
      if (list === undefined) return cb(smtpError(550, `5.1.1 ${say(M.noList, rcpt)}`, saidUtf8(session)));
      const tx = transactions.get(session) ?? { lists: new Map<string, string>(), accepted: [] };
      transactions.set(session, tx);
      const seen = tx.lists;
      const key = recipientKey(address.address);
      // The address again (another case, or its domain spelled the other way): smtp-server keeps it once, so the
      // message is delivered once; a 452 would have the client send it again, and the list run it twice.
      if (seen.has(key)) {
        tx.accepted.push(key);
        return cb();
      }
      const first: string | undefined = seen.values().next().value;
      // The postmaster is no list (postmasterOf answers only where none is deployed): a refusal must not call it one.
      const kept = (l: string): boolean => o.daemon.postmasterOf(l) !== undefined;
      if (!o.lmtp && first !== undefined && first !== list && (kept(first) || kept(list))) {
        return cb(smtpError(452, `4.5.3 ${say(M.postmasterApart, rcpt, first)}`, saidUtf8(session)));
      }
      if (!o.lmtp && first !== undefined && first !== list) return cb(smtpError(452, `4.5.3 ${say(M.secondList, rcpt, first)}`, saidUtf8(session)));
      if (!o.lmtp && first !== undefined) return cb(smtpError(452, `4.5.3 ${say(M.secondAddress, rcpt, first)}`, saidUtf8(session)));
      seen.set(key, list);
      tx.accepted.push(key);
      cb();
    },
    onData(stream: SMTPServerDataStream, session, cb) {
      const chunks = new Blocks();
      // Read now: smtp-server starts the next transaction's envelope once the answer is given.
      const utf8 = saidUtf8(session);
      const budget = o.inFlight;
      // This message's bytes counted in the budget, given back once it is answered or its client is gone.
      let held = 0;
      let dropped = false;
      let ended = false;
      let late = false;
      const release = (): void => {
        if (budget) budget.bytes -= held;
        held = 0;
      };
      const deadline = setTimeout(() => {
        if (ended || dropped) return;
        late = dropped = true;
        chunks.clear();
        release();
      }, dataDeadlineMs);
      deadline.unref();
      stream.on("data", (c: Buffer) => {
        if (dropped) return;
        // Past SIZE or the budget, the message is not kept: the rest is read and dropped, and the answer says why.
        if (stream.sizeExceeded || (budget && budget.bytes + c.length > budget.limit)) {
          dropped = true;
          chunks.clear();
          return release();
        }
        chunks.push(c);
        if (budget) {
          held += c.length;
          budget.bytes += c.length;
          if (budget.bytes > budget.peak) budget.peak = budget.bytes;
        }
      });
      stream.on("close", () => {
        clearTimeout(deadline);
        if (!ended) release();
      });
      const tx = transactions.get(session);
      /** LMTP: one answer for each RCPT answered 250, in order (a repeated address gets its address's answer). */
      const each = <T>(byRecipient: (key: string) => T): T[] => (tx?.accepted ?? session.envelope.rcptTo.map((r) => recipientKey(r.address))).map(byRecipient);
      const refuse = (err: Error): void => (o.lmtp ? cb(null, each(() => err) as never) : cb(err));
      stream.on("end", () => {
        ended = true;
        clearTimeout(deadline);
        if (stream.sizeExceeded) return refuse(smtpError(552, `5.3.4 ${say(M.tooBig, size)}`, utf8));
        if (late) return refuse(smtpError(451, `4.4.2 ${say(M.tooSlow, dataDeadlineMs / 60_000)}`, utf8));
        if (dropped) return refuse(smtpError(452, `4.3.1 ${say(M.inFlightFull, budget!.limit)}`, utf8));
        const receivedAt = o.daemon.clock();
        // Stored with this hop's trace field (runtime/mail/received.ts), as every MTA that accepts a message adds one.
        const raw = receivedBefore(chunks.buffers(), session, o.name ?? "thwonkd", receivedAt);
        // The bytes are in `raw` now: not kept beside it while the run waits, or the message would take twice what it counts.
        chunks.clear();
        const mailFrom = session.envelope.mailFrom ? (session.envelope.mailFrom.address && envelopeAddress(session.envelope.mailFrom.address)) || null : null;
        const rcpts = session.envelope.rcptTo;
        const found = tx?.lists;
        const deliver = (i: number): Promise<Answer> => {
          const r = rcpts[i]!;
          const rcptTo = envelopeAddress(r.address);
          return o.daemon.deliver({ address: found?.get(recipientKey(r.address)) ?? o.daemon.resolve(rcptTo)!, rcptTo, mailFrom, raw, receivedAt }).catch(failed);
        };
        answering++;
        /** The answer given: the message's bytes leave the budget, and one fewer message waits for its answer. */
        const reply = (give: () => void): void => {
          release();
          give();
          answered();
        };
        // SMTP: one list per transaction (onRcptTo), so the one answer to DATA is its run's.
        if (!o.lmtp) {
          void deliver(0).then((a) => reply(() => (a.code === 250 ? cb(null, replyText(a.message, utf8)) : cb(smtpError(a.code, a.message, utf8)))));
          return;
        }
        // One recipient after the other: each delivery reads the message on its own (the rule's parse, a bounce
        // report's), so recipients at once would hold that many readings of a message the budget counts once.
        void (async () => {
          const answers = new Map<string, Answer>();
          // smtp-server keeps an address once by its text without case; `"foo"@` beside `foo@` is one recipient too.
          for (let i = 0; i < rcpts.length; i++) {
            const key = recipientKey(rcpts[i]!.address);
            if (!answers.has(key)) answers.set(key, await deliver(i));
          }
          return answers;
        })().then((answers) =>
          reply(() =>
            cb(
              null,
              each((key) => {
                const a = answers.get(key) ?? { code: 451, message: `4.3.0 ${say(M.commitFailed, "no delivery was made for this recipient")}` };
                return a.code === 250 ? replyText(a.message, utf8) : smtpError(a.code, a.message, utf8);
              }) as never,
            ),
          ),
        );
      });
    },
  });
  function failed(err: unknown): Answer {
    o.log.error({ err }, "a delivery failed");
    return { code: 451, message: `4.3.0 ${say(M.commitFailed, err instanceof Error ? err.message : String(err))}` };
  }
  // Logged once listening: a failure to listen is the start's own error (main.ts, TW6026), not said twice.
  let listening = false;
  server.on("error", (err) => listening && o.log.error({ err }, "SMTP server error"));
  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          listening = true;
          const a = server.server.address();
          resolve(typeof a === "object" && a ? a.port : port);
        });
      });
    },
    refuseNew() {
      closing = true;
    },
    settled() {
      return answering === 0 ? Promise.resolve() : new Promise((r) => onSettled.push(r));
    },
    close() {
      closing = true;
      return new Promise((r) => server.close(() => r()));
    },
  };
}
