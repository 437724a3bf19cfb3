/**
 * Mail to postmaster@ (RFC 5321 §4.5.1: every domain a server takes mail for
 * must take mail for its postmaster). A domain of thwonkd's lists, and its own (`--domain`), has no one
 * to read it unless a list is deployed at postmaster@ itself (that list gets
 * it, as any list its mail); otherwise it is kept for whoever runs the server
 * in a Maildir, DATA/postmaster (tmp/, new/, cur/), made durable before the
 * 250: any mail reader opens it. It is never run by a rule and never answered.
 */
import { mkdirSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Logger } from "./log.js";
import { daemonMessages as M, say } from "./messages.js";
import type { Answer, Delivery } from "./runner.js";

/**
 * `postmaster@DOMAIN` (canonical, lower case) when `rcpt` is the postmaster of one of `domains`; `postmaster` for
 * `RCPT TO:<Postmaster>` without a domain, which every SMTP server must take (RFC 5321 4.1.1.3, 4.5.1); else undefined.
 */
export function postmasterAddress(rcpt: string, domains: () => Iterable<string>): string | undefined {
  const a = rcpt.trim().replace(/^<(.*)>$/, "$1").toLowerCase();
  if (a === "postmaster") return a;
  const at = a.lastIndexOf("@");
  // The local part first: the domains are looked at only for the postmaster, not for every unknown recipient.
  if (a.slice(0, at) !== "postmaster") return undefined;
  const domain = a.slice(at + 1);
  for (const d of domains()) if (d === domain) return a;
  return undefined;
}

export class PostmasterMailbox {
  readonly dir: string;
  private seq = 0;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    this.dir = join(dataDir, "postmaster");
  }

  /** Writes the message to tmp/, syncs it, renames it into new/ and syncs new/: on the disk before its 250. */
  async keep(d: Delivery, to: string): Promise<Answer> {
    const name = `${d.receivedAt}.P${process.pid}Q${++this.seq}.${hostname().replace(/[/:]/g, "_")}`;
    // What a delivering agent puts on top: where the message was delivered, and its return path (none for a bounce);
    // UTF-8, as the message is (a return path may be past ASCII, RFC 6531).
    const head = Buffer.from(`Return-Path: <${d.mailFrom ?? ""}>\r\nDelivered-To: ${to}\r\n`, "utf8");
    const tmp = join(this.dir, "tmp", name);
    try {
      for (const sub of ["tmp", "new", "cur"]) mkdirSync(join(this.dir, sub), { recursive: true });
      const f = await open(tmp, "wx", 0o600);
      try {
        await f.writev([head, d.raw]);
        await f.datasync();
      } finally {
        await f.close();
      }
      await rename(tmp, join(this.dir, "new", name));
      const dir = await open(join(this.dir, "new"), "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      this.log.error({ err, to }, "mail to the postmaster could not be kept");
      return { code: 451, message: `4.3.0 ${say(M.postmasterNotKept, to, err instanceof Error ? err.message : String(err))}` };
    }
    this.log.info({ to, from: d.mailFrom, file: join(this.dir, "new", name) }, "mail to the postmaster kept");
    return { code: 250, message: `2.0.0 kept for the postmaster` };
  }
}
