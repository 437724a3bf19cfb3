/**
 * Outgoing mail. A run's send, reply and forward actions are composed into
 * RFC 5322 messages (nodemailer's MailComposer) before the run commits, with
 * a Message-ID and a Maildir file name chosen then, so the bytes are part of
 * the commit. After the commit the outbox rows are written out; without a
 * relay (this version) each becomes one file in Maildir layout under
 * DIR/outbox: written to tmp/, synced, renamed into new/, then the row is
 * marked done. A restart writes the rows not marked done; a file already in
 * new/ or cur/ is not written again, so each committed row is written once.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import MailComposer from "nodemailer/lib/mail-composer/index.js";
import type { RunAction } from "../../contract/index.js";
import type { OutgoingMail, Store } from "./store/types.js";
import type { Logger } from "./log.js";

/** The header every message a list sends carries (the compiled code adds it too): mail that comes back with it is not run again. */
export const LOOP_HEADER = "X-Thwonk-Loop";
/** The envelope recipients of a message in the outbox (there is no envelope in a Maildir file). */
export const RECIPIENTS_HEADER = "X-Thwonk-Recipients";

export interface ComposeContext {
  list: string;
  /** The sender of the message the run handled (its From), for `from: "sender"`; null for a schedule. */
  sender: string | null;
  now: number;
}

const MAIL_KINDS = new Set(["send", "reply", "forward"]);

export function isMailAction(a: RunAction): boolean {
  return MAIL_KINDS.has(a.kind);
}

function pick(who: unknown, ctx: ComposeContext): string | undefined {
  if (who === null || who === undefined) return undefined;
  if (who === "list") return ctx.list;
  if (who === "sender") return ctx.sender ?? ctx.list;
  return typeof who === "string" ? who : undefined;
}

/** The run's mail actions as messages, with stable ids and file names. */
export async function composeAll(actions: readonly RunAction[], ctx: ComposeContext): Promise<OutgoingMail[]> {
  const out: OutgoingMail[] = [];
  const stamp = `${ctx.now.toString(36)}.${randomBytes(6).toString("hex")}`;
  const domain = ctx.list.slice(ctx.list.lastIndexOf("@") + 1);
  const host = hostname().replace(/[/:]/g, "_");
  let i = 0;
  for (const a of actions) {
    if (!isMailAction(a) || a.to.length === 0) continue;
    i++;
    const messageId = `thwonk.${stamp}.${i}@${domain}`;
    const file = `${ctx.now}.T${stamp}_${i}.${host}`;
    out.push({ file, messageId, recipients: [...a.to], action: a, raw: await compose(a, ctx, messageId) });
  }
  return out;
}

function compose(a: RunAction, ctx: ComposeContext, messageId: string): Promise<Buffer> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((a["headers"] as Record<string, unknown> | undefined) ?? {})) if (typeof v === "string") headers[k] = v;
  headers[LOOP_HEADER] ??= ctx.list;
  headers[RECIPIENTS_HEADER] = a.to.join(", ");
  const from = a.kind === "reply" ? ctx.list : a.kind === "forward" ? (ctx.sender ?? ctx.list) : (pick(a["from"], ctx) ?? ctx.list);
  const replyTo = a.kind === "send" ? pick(a["replyTo"], ctx) : undefined;
  const to = a.kind === "reply" ? a.to.join(", ") : ctx.list;
  const text = typeof a["text"] === "string" ? (a["text"] as string) : undefined;
  const html = typeof a["html"] === "string" ? (a["html"] as string) : undefined;
  const mail = new MailComposer({
    from,
    to,
    ...(replyTo ? { replyTo } : {}),
    subject: typeof a["subject"] === "string" ? (a["subject"] as string) : "",
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    messageId: `<${messageId}>`,
    date: new Date(ctx.now),
    headers,
    envelope: { from: ctx.list, to: a.to },
  });
  return new Promise((resolve, reject) => mail.compile().build((err, raw) => (err ? reject(err) : resolve(raw))));
}

export class MaildirOutbox {
  private running: Promise<void> | undefined;
  private again = false;
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly store: Store,
    private readonly log: Logger,
  ) {
    this.dir = join(dataDir, "outbox");
    for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(this.dir, sub), { recursive: true });
  }

  /** Writes what is pending, now or right after the write in progress. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.flush();
        } while (this.again);
      } catch (err) {
        this.log.error({ err }, "writing the outbox failed; it is tried again at the next commit or start");
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async flush(): Promise<void> {
    for (;;) {
      const rows = await this.store.pendingOutbox(200);
      if (rows.length === 0) return;
      for (const r of rows) {
        const target = join(this.dir, "new", r.file);
        if (existsSync(target) || existsSync(join(this.dir, "cur", r.file))) continue;
        const tmp = join(this.dir, "tmp", r.file);
        const fd = openSync(tmp, "w");
        try {
          writeSync(fd, r.raw);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, target);
      }
      const dirFd = openSync(join(this.dir, "new"), "r");
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
      await this.store.markOutboxDone(rows.map((r) => r.id));
      this.log.debug({ written: rows.length }, "outbox written");
    }
  }
}
