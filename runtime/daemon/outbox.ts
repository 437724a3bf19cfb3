/**
 * Outgoing mail. A run's send, reply and forward actions are composed into
 * the messages that go on the wire (runtime/mail/compose.ts, the one
 * builder) before the run commits, with a Message-ID and a Maildir file
 * name chosen then, so the bytes are part of the commit. After the commit
 * the outbox rows are handed on: to the relay when thwonkd has one
 * (delivery.ts), else each becomes one file in Maildir layout under
 * DIR/outbox, in batches (outbox-writer.ts): the batch's files written to
 * tmp/, synced, renamed into new/, new/ synced, then the rows marked done.
 * A restart hands on the rows not marked done; a file already in new/ or
 * cur/ is not written again, so each committed row is written once.
 *
 * The rows come from the store until a pass finds none pending (the rows
 * left by an earlier process); from then on the group commit hands each
 * group's rows over from memory (`committed`), so a row is not read back
 * from the store it was just written to, after waiting a little for the
 * next groups (GATHER_MS). A failed pass goes back to the store.
 */
import { Coalesced } from "./coalesce.js";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { OutboxWriter, type WriteFile } from "./outbox-writer.js";
import { hostname } from "node:os";
import { join } from "node:path";
import type { RunAction } from "../../contract/index.js";
import { bounceAddress, composeRunNow, isMailAction, LOOP_HEADER, type ComposeContext as MailContext, type IncomingMail, type ListMailSettings, type OutgoingMessage } from "../mail/compose.js";
import type { OutboxRow, OutgoingMail, Store } from "./store/types.js";
import type { Logger } from "./log.js";

export { isMailAction, LOOP_HEADER };
/** Rows handed on at a time. */
const BATCH = 200;
/**
 * How long a group's rows wait for more before they are written to the Maildir, and how many are written at once
 * without waiting: a batch's durability point (the sync of new/, the mark of its rows, the hand-over to the
 * writer's thread) costs about as much CPU as writing a few files, and the group commit hands over a group at a
 * time (a few rows under load). Not for a relay, which batches on its own.
 */
const GATHER_MS = 25;
const GATHER_ROWS = 64;
/**
 * The bytes of committed rows held in memory for the Maildir at most. A Maildir slower than the mail coming in (a
 * slow disk, a folder where a reader deletes many files) would otherwise hold every row since it fell behind: past
 * this the rows are let go, as they are durable in the store already, and read back from it in their turn.
 */
export const FRESH_BYTES = 32 * 2 ** 20;
/** The envelope recipients of a message in the Maildir (a file has no envelope); never on the wire. */
export const RECIPIENTS_HEADER = "X-Thwonk-Recipients";

export interface ComposeContext {
  list: string;
  /** The message the run handled; null for a schedule. */
  incoming: IncomingMail | null;
  now: number;
  settings?: Partial<ListMailSettings>;
}

/** Unique to this process (random) and to each run in it (a count): part of every run key. */
const PROCESS_KEY = randomBytes(6).toString("hex");
let runs = 0;
const HOST = hostname().replace(/[/:]/g, "_");

/** The run's mail actions as wire messages, with stable ids (`thwonk.RUNKEY.N@domain`) and file names. */
export async function composeAll(actions: readonly RunAction[], ctx: ComposeContext): Promise<OutgoingMail[]> {
  return composeAllNow(actions, ctx);
}

/** composeAll, answered at once unless a message went through nodemailer (composeRunNow); may throw. */
export function composeAllNow(actions: readonly RunAction[], ctx: ComposeContext): OutgoingMail[] | Promise<OutgoingMail[]> {
  const runKey = `${ctx.now.toString(36)}.${PROCESS_KEY}${(runs++).toString(36)}`;
  const now = ctx.now;
  const c: MailContext = { list: ctx.list, incoming: ctx.incoming, now, runKey };
  if (ctx.settings) c.settings = ctx.settings;
  const messages = composeRunNow(actions, c);
  return messages instanceof Promise ? messages.then((m) => outgoing(m, now, runKey)) : outgoing(messages, now, runKey);
}

function outgoing(messages: OutgoingMessage[], now: number, runKey: string): OutgoingMail[] {
  const out: OutgoingMail[] = [];
  for (const m of messages) out.push({ file: `${now}.T${runKey}_${m.index}.${HOST}`, messageId: m.messageId, recipients: m.envelope.to, action: m.action, raw: m.raw });
  return out;
}

const HAS_RECIPIENTS = new RegExp(`(^|\\r\\n)${RECIPIENTS_HEADER}:`, "i");

/** The Maildir file of a row: its envelope as Return-Path and the recipients header, then the wire message. */
export function maildirBytes(r: Pick<OutboxRow, "address" | "recipients" | "raw">): Buffer {
  const head = maildirHead(r, true);
  return head === "" ? r.raw : Buffer.concat([Buffer.from(head, "utf8"), r.raw]);
}

/**
 * What goes in front of a row's message in its file (UTF-8, as the message is: a list's or a member's address may
 * be past ASCII, RFC 6531): its envelope, or nothing when `old` (a row from the
 * store, maybe written by an older build) and its header block already names its recipients. A row composed by
 * this process never does (runtime/mail/compose.ts writes no such field), so its header block is not read.
 */
function maildirHead(r: Pick<OutboxRow, "address" | "recipients" | "raw">, old: boolean): string {
  if (old) {
    const scanned = Math.min(r.raw.length, 64 * 1024);
    const end = r.raw.subarray(0, scanned).indexOf("\r\n\r\n");
    if (HAS_RECIPIENTS.test(r.raw.subarray(0, end < 0 ? scanned : end).toString("latin1"))) return "";
  }
  return `Return-Path: <${bounceAddress(r.address)}>\r\n${RECIPIENTS_HEADER}: ${r.recipients.join(",\r\n ")}\r\n`;
}

/** Where committed rows go after the commit when thwonkd has a relay (delivery.ts). */
export interface RelayHandOff {
  /** Takes the rows over (in one store transaction marks them done); delivery happens later. */
  take(rows: OutboxRow[]): Promise<void>;
}

export class MaildirOutbox {
  readonly dir: string;

  /** Rows let go to the store because too many bytes waited in memory (FRESH_BYTES), and the bytes waiting now. */
  readonly stats = { letGo: 0, freshBytes: 0 };

  constructor(
    dataDir: string,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly maxFreshBytes = FRESH_BYTES,
    /**
     * Resolves once what the store holds now is on the disk (GroupCommitter.synced): a group's rows are readable from
     * its transaction on, before its sync, and a row handed on before a sync that then fails would be mail sent for a
     * message answered 451, which its sender sends again.
     */
    private readonly durable: () => Promise<void> = () => Promise.resolve(),
    /** The writer's: `syncfs: false` syncs each file even where their file system could be synced once (outbox-writer.ts). */
    writerOptions: { syncfs?: boolean } = {},
  ) {
    this.writer = new OutboxWriter(writerOptions);
    this.dir = join(dataDir, "outbox");
    for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(this.dir, sub), { recursive: true });
  }

  private readonly writes = new Coalesced(
    () => this.flush(),
    (err) => {
      this.log.error({ err }, "writing the outbox failed; it is tried again shortly, and at the next commit or start");
      this.retryLater();
    },
  );

  /** After a failed pass: another one soon (1 s, doubling to a minute), so a quiet list's acknowledged mail is not left waiting for the next commit. */
  private retry: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private closed = false;

  private retryLater(): void {
    if (this.retry || this.closed) return;
    this.retryMs = Math.min(Math.max(this.retryMs * 2, 1000), 60_000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.kick();
    }, this.retryMs);
    this.retry.unref();
  }

  /** Writes what is pending, now or right after the write in progress. */
  kick(): Promise<void> {
    clearTimeout(this.gather);
    this.gather = undefined;
    return this.writes.kick();
  }

  /** Set while committed rows wait for more (GATHER_MS). */
  private gather: NodeJS.Timeout | undefined;

  private relay: RelayHandOff | undefined;

  /** Signs each file for its list's domain before it is written (dkim.ts); undefined: unsigned. */
  sign: ((address: string, raw: Buffer) => Promise<Buffer>) | undefined;

  /** From now on, committed rows go to the relay instead of the Maildir. */
  useRelay(relay: RelayHandOff): void {
    this.relay = relay;
  }

  private async flush(): Promise<void> {
    try {
      await this.pass();
      this.retryMs = 0;
    } catch (err) {
      // A row may now have its file but not its mark: look again before writing, reading the rows from the store. A
      // new catch-up, whose look (outbox-writer.ts) is taken after that file reached new/.
      this.catchUp++;
      this.backToStore();
      throw err;
    }
  }

  /**
   * committed() threw for a group (GroupCommitter): its rows, pending in the store, may be neither in memory nor read
   * back yet. The next pass reads the store (looking for each file before it writes), as after rows were let go.
   */
  handOffFailed(err: unknown): void {
    this.log.error({ err }, "the outbox could not take a committed group's mail from memory; it reads it back from the store");
    this.backToStore();
    void this.kick();
  }

  /** A group's rows, durable in the store: handed on from memory once the store's backlog is done. */
  committed(rows: OutboxRow[]): void {
    if (rows.length === 0) return;
    for (const r of rows) {
      this.fresh.push(r);
      this.stats.freshBytes += r.raw.length;
    }
    if (this.stats.freshBytes > this.maxFreshBytes) {
      this.stats.letGo += this.fresh.length;
      this.backToStore();
      this.log.warn({ letGo: this.stats.letGo }, "the outbox falls behind the mail coming in: its rows are let go from memory and read back from the store");
    }
    if (this.relay || this.fresh.length >= GATHER_ROWS) return void this.kick();
    if (this.gather || this.closed) return;
    this.gather = setTimeout(() => void this.kick(), GATHER_MS);
    this.gather.unref();
  }

  private async pass(): Promise<void> {
    while (!this.caughtUp) {
      const letGo = this.backs;
      // Bounded by bytes as the rows in memory are: rows let go are read back a little at a time, not BATCH whatever their size.
      const rows = await this.store.pendingOutbox(BATCH, this.maxFreshBytes);
      if (rows.length) await this.durable();
      if (rows.length === 0) {
        // Rows let go while the read was on its way back may be newer than what it saw: they are read, not dropped.
        if (letGo !== this.backs) continue;
        this.caughtUp = true;
        this.catchUp++;
        this.writer.forget();
        break;
      }
      for (const r of rows) this.storeSeen = Math.max(this.storeSeen, r.id);
      await this.handOn(rows, true);
    }
    // The rows here when the pass began, no more: those handed over while it writes wait for more in their turn
    // (committed() set their timer), so that under load a batch is GATHER_ROWS or GATHER_MS of rows, not the few
    // committed during the last batch's write, each batch a wake of the writer's thread and of this one.
    for (let left = this.fresh.length; left > 0; ) {
      const batch = this.fresh.splice(0, Math.min(BATCH, left));
      // Empty when the rows were let go meanwhile (backToStore): the next pass reads them from the store.
      if (batch.length === 0) break;
      left -= batch.length;
      for (const r of batch) this.stats.freshBytes -= r.raw.length;
      // A group's rows are readable from its commit on but handed over after its disk sync: a read of the store may
      // have handed on those up to the highest id it read (ids only grow), which must not be handed on again.
      const rows = batch.filter((r) => r.id > this.storeSeen);
      if (rows.length) await this.handOn(rows, false);
    }
  }

  /** `stored`: rows read from the store (maybe an older build's), else rows this process committed. */
  private async handOn(rows: OutboxRow[], stored: boolean): Promise<void> {
    if (this.relay) return this.relay.take(rows);
    await this.write(rows, stored);
    await this.store.markOutboxDone(rows.map((r) => r.id));
    this.log.debug({ written: rows.length }, "outbox written");
  }

  /**
   * Set once no row was pending: every row committed before this start has been handed on, so a row seen from now
   * on was committed by this process and has no file yet (the look for one is only needed for older rows).
   */
  private caughtUp = false;
  /**
   * The catch-up the store's rows are read for, until caughtUp: its batches share one look at new/ and cur/, taken at
   * its first (outbox-writer.ts), not one each. A new one after it, and after a failed pass (whose batch may have
   * left files in new/ unmarked, taken since that look). Rows let go (backToStore) do not need one: they were not
   * handed to the writer, so have no file.
   */
  private catchUp = 1;
  /** Counts the let-gos (backToStore): a read of the store that began before the last one cannot say it is caught up. */
  private backs = 0;

  /** The rows in memory let go: a row may have its file but not its mark, or none yet; the next pass reads the store and looks before it writes. */
  private backToStore(): void {
    this.backs++;
    this.caughtUp = false;
    this.fresh = [];
    this.stats.freshBytes = 0;
  }

  /** Rows committed and handed over, not yet handed on; and the highest id a read of the store handed on. */
  private fresh: OutboxRow[] = [];
  private storeSeen = 0;

  private readonly writer: OutboxWriter;

  /** How the writer makes its files durable (outbox-writer.ts): for the log and /v1/health. */
  get durability(): string {
    return this.relay ? "none: mail goes to the relay (no Maildir is written)" : this.writer.durability;
  }

  /** Each row's file, in one batch on the writer's thread (outbox-writer.ts); not again if new/ or cur/ has it. */
  private async write(rows: OutboxRow[], stored: boolean): Promise<void> {
    const files: WriteFile[] = [];
    for (const r of rows) {
      const raw = this.sign ? await this.sign(r.address, r.raw) : r.raw;
      files.push({ name: r.file, head: maildirHead({ address: r.address, recipients: r.recipients, raw }, stored), bytes: raw });
    }
    return this.writer.write(this.dir, this.caughtUp ? false : this.catchUp, files);
  }

  /** Stops the writer's thread (after the last kick). */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearTimeout(this.gather);
    return this.writer.close();
  }
}
