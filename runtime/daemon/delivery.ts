/**
 * Delivery to a relay (`thwonkd --relay smtp://HOST:PORT`), at least once.
 * Each committed outbox row is split into batches of at most `batch`
 * recipients, stored as pending deliveries in the transaction that marks
 * the row done. Each batch is one SMTP transaction (envelope sender: the
 * list's bounce address); after the relay's 250 the batch is marked sent in
 * one store transaction, so after a crash only the transactions in flight
 * are sent again, byte for byte (the same Message-ID). Per recipient and per
 * transaction: a 4xx or a relay that cannot be reached is tried again with
 * exponential backoff (retryMin, doubling, at most retryMax) until
 * `deadAfter` from the plan, then it is a dead letter; a 5xx is recorded
 * and not tried again. An address past ASCII (RFC 6531) goes only to a
 * relay that offers SMTPUTF8: nodemailer sends it to any relay, and one
 * without SMTPUTF8 (Postfix's smtp-sink, an old MTA) takes it and loses or
 * garbles the copy later, so such a recipient is failed here (TW6154).
 */
import { Coalesced } from "./coalesce.js";
import nodemailer, { type Transporter } from "nodemailer";
import SMTPConnection from "nodemailer/lib/smtp-connection/index.js";
import { parseConnectionUrl } from "nodemailer/lib/shared/index.js";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { bounceAddress } from "../mail/compose.js";
import type { Logger } from "./log.js";
import type { Personal } from "./personal.js";
import { daemonMessages as M, say } from "./messages.js";
import type { RelayHandOff } from "./outbox.js";
import type { DeliveryPart, DeliveryRow, OutboxRow, Store } from "./store/types.js";

export interface RelayOptions {
  /** `smtp://HOST:PORT` (nodemailer's connection URL; `smtps://` for TLS, query options such as `?ignoreTLS=true`). */
  url: string;
  store: Store;
  log: Logger;
  clock: () => number;
  /** Most recipients in one SMTP transaction. */
  batch: number;
  /** Backoff: the first wait after a temporary failure (ms), doubled each attempt up to retryMax. */
  retryMin: number;
  retryMax: number;
  /** A batch not delivered this long after it was planned (ms) is a dead letter. */
  deadAfter: number;
  /** SMTP connections at once. */
  connections?: number;
  /** Per-recipient headers, VERP and DKIM signing (personal.ts); without it, batches go as composed, unsigned. */
  personal?: Personal;
  /**
   * Plans what it takes but sends nothing until start(): thwonkd's start (main.ts) runs mail before its HTTP port,
   * which one-click links name, is known.
   */
  held?: boolean;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

/** Splits recipients into transactions of at most `size`. */
export function batches(recipients: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < recipients.length; i += size) out.push(recipients.slice(i, i + size));
  return out;
}

/** The wait before attempt `attempts + 1`: retryMin doubled per attempt made, at most retryMax. */
export function backoff(attempts: number, min: number, max: number): number {
  return Math.min(max, min * 2 ** Math.max(0, attempts - 1));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character: an address with none else needs no SMTPUTF8
const ASCII = /^[\x00-\x7f]*$/;

/** Whether an EHLO reply's lines (without their codes) offer SMTPUTF8. */
const offersUtf8 = (lines: readonly string[]): boolean => lines.some((l) => /^SMTPUTF8\b/i.test(l.trim()));

export class RelayDelivery implements RelayHandOff {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private held: boolean;
  /** Whether the relay offers SMTPUTF8, as its last EHLO said (a probe's, or a transaction's); undefined until asked. */
  private utf8: boolean | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(private readonly o: RelayOptions) {
    this.held = o.held === true;
    const connections = o.connections ?? 4;
    this.transport = nodemailer.createTransport({
      url: o.url,
      pool: true,
      maxConnections: connections,
      maxMessages: Infinity,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    } as SMTPTransport.Options);
  }

  async take(rows: OutboxRow[]): Promise<void> {
    await this.o.store.planDeliveries(
      rows.map((r) => ({ outboxId: r.id, batches: batches(r.recipients, this.o.personal?.perRecipient(r.address) ? 1 : this.o.batch) })),
      this.o.clock(),
    );
    void this.kick();
  }

  private readonly passes = new Coalesced(
    () => this.pass(),
    (err) => this.o.log.error({ err }, "delivery to the relay failed; it is tried again at the next commit or start"),
    () => !this.stopped,
  );

  /** Delivers what is due, now or right after the pass in progress; then waits for the next due time. */
  kick(): Promise<void> {
    if (this.stopped || this.held) return Promise.resolve();
    return this.passes.kick(() => this.arm());
  }

  /** Sends from now on (a relay made `held`), what is due first. */
  start(): Promise<void> {
    this.held = false;
    return this.kick();
  }

  /** Waits for the transactions in flight (their outcome is recorded), then closes the connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.passes.current;
    this.transport.close();
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const next = await this.o.store.nextDeliveryAt();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === null) return;
    const wait = Math.max(0, Math.min(next - this.o.clock(), 2 ** 31 - 1));
    this.timer = setTimeout(() => void this.kick(), wait);
    this.timer.unref?.();
  }

  private async pass(): Promise<void> {
    const width = this.o.connections ?? 4;
    while (!this.stopped) {
      const due = await this.o.store.dueDeliveries(this.o.clock(), width * 8);
      if (due.length === 0) return;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(width, due.length) }, async () => {
          while (next < due.length && !this.stopped) await this.attempt(due[next++]!);
        }),
      );
    }
  }

  /**
   * Whether the relay offers SMTPUTF8: its last EHLO's answer, or a connection's of its own that says EHLO and quits
   * (nodemailer's, with the pool's options, so TLS and STARTTLS are as for the mail). A relay that cannot be reached
   * throws, as a transaction would: the batch is tried again.
   */
  private relayUtf8(): Promise<boolean> {
    if (this.utf8 !== undefined) return Promise.resolve(this.utf8);
    this.probing ??= new Promise<boolean>((resolve, reject) => {
      const c = new SMTPConnection({ ...parseConnectionUrl(this.o.url), connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 });
      // Every error, not the first only: one after the answer (a reset at QUIT) would otherwise be unhandled.
      c.on("error", (err) => {
        c.close();
        reject(err);
      });
      c.connect(() => {
        // nodemailer reads the EHLO's extensions into this list (it adds SMTPUTF8 to MAIL FROM from it) and shows them only after a transaction.
        const ext = (c as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? [];
        c.quit();
        resolve(offersUtf8(ext));
      });
    }).finally(() => (this.probing = undefined));
    return this.probing.then((v) => (this.utf8 ??= v));
  }

  /** One SMTP transaction for a batch, and its outcome recorded in one store transaction. */
  private async attempt(d: DeliveryRow): Promise<void> {
    const attempts = d.attempts + 1;
    let parts: DeliveryPart[];
    // The recipients the relay is not given (TW6154), and those it is.
    const refused: DeliveryPart[] = [];
    let to = d.recipients;
    try {
      const p = (await this.o.personal?.prepare(d.address, d.recipients, d.raw)) ?? { from: bounceAddress(d.address), raw: d.raw };
      // RFC 6531 3.2: an address past ASCII goes only to a relay that offers SMTPUTF8; else its recipient fails here.
      if ((!ASCII.test(p.from) || !to.every((r) => ASCII.test(r))) && !(await this.relayUtf8())) {
        const wide = ASCII.test(p.from) ? to.filter((r) => !ASCII.test(r)) : to;
        const why = ASCII.test(p.from) ? "the recipient's address is past ASCII" : `its envelope sender ${p.from} is past ASCII`;
        refused.push({ recipients: wide, status: "failed", attempts, code: null, response: say(M.relayNoUtf8, why) });
        to = to.filter((r) => !wide.includes(r));
      }
      if (to.length === 0) parts = [];
      else {
        const info = await this.transport.sendMail({ envelope: { from: p.from, to }, raw: p.raw });
        const ehlo = (info as unknown as { ehlo?: string[] }).ehlo;
        if (ehlo) this.utf8 = offersUtf8(ehlo);
        const rejected = ((info as unknown as { rejectedErrors?: SmtpError[] }).rejectedErrors ?? []).filter((e) => e.recipient);
        const code = Number(/^\d{3}/.exec(info.response ?? "")?.[0] ?? 250);
        const gone = new Set(rejected.map((e) => e.recipient!.toLowerCase()));
        parts = [{ recipients: to.filter((r) => !gone.has(r.toLowerCase())), status: "sent", attempts, code, response: info.response ?? null }];
        parts.push(...this.perRecipient(d, rejected, attempts));
      }
    } catch (e) {
      const err = e as SmtpError;
      if (err.rejectedErrors?.length && err.rejectedErrors.every((r) => r.recipient)) parts = this.perRecipient(d, err.rejectedErrors, attempts);
      else parts = [this.failure(d, to, attempts, err)];
    }
    parts.push(...refused);
    await this.o.store.settleDelivery(d, parts, this.o.clock());
    for (const p of parts) {
      const at = { list: d.address, messageId: d.messageId, recipients: p.recipients.length, attempts, code: p.code };
      if (p.status === "sent") this.o.log.info(at, "delivered to the relay");
      else if (p.status === "pending") this.o.log.warn({ ...at, response: p.response, next: new Date(p.nextAt!).toISOString() }, "the relay did not take it now; it is tried again");
      else if (p.status === "dead") this.o.log.warn({ ...at, response: p.response }, "given up (a dead letter)");
      else this.o.log.warn({ ...at, response: p.response }, refused.includes(p) ? "not handed to the relay (it does not offer SMTPUTF8)" : "the relay refused it");
    }
  }

  /** The recipients the relay refused at RCPT, by their answers: 4xx again later, 5xx recorded. */
  private perRecipient(d: DeliveryRow, rejected: SmtpError[], attempts: number): DeliveryPart[] {
    const hard = rejected.filter((e) => (e.responseCode ?? 0) >= 500);
    const soft = rejected.filter((e) => (e.responseCode ?? 0) < 500);
    const parts: DeliveryPart[] = [];
    // One part per distinct answer, so each recipient keeps the relay's words about it.
    const byAnswer = new Map<string, SmtpError[]>();
    for (const e of hard) byAnswer.set(e.response ?? "", [...(byAnswer.get(e.response ?? "") ?? []), e]);
    for (const [response, es] of byAnswer) {
      const code = es[0]!.responseCode ?? 550;
      parts.push({ recipients: es.map((e) => e.recipient!), status: "failed", attempts, code, response: say(M.relayRefused, code, response) });
    }
    if (soft.length) parts.push(this.failure(d, soft.map((e) => e.recipient!), attempts, soft[0]!));
    return parts;
  }

  /** A whole transaction that failed: 5xx recorded; 4xx or no answer tried again, or dead after the window. */
  private failure(d: DeliveryRow, recipients: string[], attempts: number, err: SmtpError): DeliveryPart {
    const code = err.responseCode ?? null;
    const words = err.response ?? `${err.code ?? "error"}: ${err.message}`;
    if (code !== null && code >= 500) return { recipients, status: "failed", attempts, code, response: say(M.relayRefused, code, words) };
    const now = this.o.clock();
    const nextAt = now + backoff(attempts, this.o.retryMin, this.o.retryMax);
    if (nextAt - d.createdAt > this.o.deadAfter) {
      return { recipients, status: "dead", attempts, code, response: say(M.deadLetter, `${Math.round(this.o.deadAfter / 1000)} s`, words) };
    }
    return { recipients, status: "pending", attempts, nextAt, code, response: words };
  }
}
