/**
 * What changes per recipient when a list's mail goes out one transaction per
 * member (docs/mail-out.md, "Per recipient"): with `oneClick` the
 * List-Unsubscribe field gains the member's signed https URL and
 * List-Unsubscribe-Post (RFC 8058); with `verp` the envelope sender names
 * the member (`LIST-bounces+ann=example.org@domain`), so a bounce says whom
 * it is about even when the report does not. Either makes each recipient a
 * transaction of its own; a list with neither keeps batched transactions.
 * Then the message is DKIM-signed with the list domain's key, after these
 * changes, so the signature covers them.
 */
import { bounceAddress, safeAddress } from "../mail/compose.js";
import type { DkimKeys } from "./dkim.js";
import type { MemberJson } from "../../contract/index.js";

export interface PersonalOptions {
  dkim: DkimKeys;
  /** The list's settings: VERP and one-click (thwonkd's config). */
  verp: (list: string) => boolean;
  oneClick: (list: string) => boolean;
  /** The member's one-click URL (unsubscribe.ts), signed for this subscription. */
  unsubscribeUrl: (list: string, member: string, joined: number) => string;
  /** A member of the list, or undefined (the recipient of a reply may be none). */
  member: (list: string, address: string) => Promise<MemberJson | undefined>;
}

export interface Prepared {
  /** The envelope sender. */
  from: string;
  /** Signed with the list domain's key, when it has one. */
  raw: Buffer;
}

export class Personal {
  constructor(private readonly o: PersonalOptions) {}

  /** Whether the list's mail goes one recipient per transaction. */
  perRecipient(list: string): boolean {
    return this.o.verp(list) || this.o.oneClick(list);
  }

  /** The transaction for a batch: its envelope sender, its bytes (the member's headers when it has one recipient), its signing key. */
  async prepare(list: string, recipients: readonly string[], raw: Buffer): Promise<Prepared> {
    let from = bounceAddress(list);
    let out = raw;
    if (recipients.length === 1 && this.perRecipient(list)) {
      const rcpt = recipients[0]!;
      if (this.o.verp(list)) from = verpAddress(list, rcpt);
      if (this.o.oneClick(list)) {
        const m = await this.o.member(list, rcpt);
        if (m) out = withOneClick(raw, this.o.unsubscribeUrl(list, m.address, m.joined));
      }
    }
    // Signed here, not by nodemailer's transport: its signer leaves fields that could be added unsigned (dkim-sign.ts).
    return { from, raw: await this.o.dkim.sign(list, out) };
  }
}

/** `LIST-bounces+LOCAL=DOMAIN@listdomain` for a recipient; the plain bounce address when that would not be an address (a local part over 64). */
export function verpAddress(list: string, recipient: string): string {
  const plain = bounceAddress(list);
  const at = plain.lastIndexOf("@");
  const r = recipient.lastIndexOf("@");
  if (r < 1) return plain;
  const verp = `${plain.slice(0, at)}+${recipient.slice(0, r)}=${recipient.slice(r + 1)}${plain.slice(at)}`;
  return safeAddress(verp) && verp.lastIndexOf("@") <= 64 ? verp : plain;
}

/**
 * Which list's bounce address `rcpt` is (`LIST-bounces@` or `LIST-bounces+LOCAL=DOMAIN@`), and the member a VERP
 * address names; undefined when it is none. `isList` says whether an address is a deployed list.
 */
export function bounceTarget(rcpt: string, isList: (address: string) => string | undefined): { list: string; verp: string | null } | undefined {
  const address = rcpt.replace(/^<(.*)>$/, "$1");
  const at = address.lastIndexOf("@");
  if (at < 1) return undefined;
  const domain = address.slice(at + 1);
  const local = address.slice(0, at);
  const plus = local.indexOf("+");
  const base = plus < 0 ? local : local.slice(0, plus);
  if (!/-bounces$/i.test(base) || base.length <= 8) return undefined;
  const list = isList(`${base.slice(0, -8)}@${domain}`);
  if (list === undefined) return undefined;
  let verp: string | null = null;
  if (plus >= 0) {
    const tag = local.slice(plus + 1);
    const eq = tag.lastIndexOf("=");
    const member = eq > 0 ? safeAddress(`${tag.slice(0, eq)}@${tag.slice(eq + 1)}`) : undefined;
    verp = member ?? null;
  }
  return { list, verp };
}

/**
 * The message with the member's one-click URL: its List-Unsubscribe field (folded or not) becomes
 * `<URL>, <the mailto it had>` and List-Unsubscribe-Post follows it (RFC 8058); the body is untouched.
 */
export function withOneClick(raw: Buffer, url: string): Buffer {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return raw;
  const head = raw.subarray(0, end + 2).toString("latin1");
  const lines = head.split("\r\n").slice(0, -1);
  const out: string[] = [];
  let mailto: string | undefined;
  let placed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^list-unsubscribe(-post)?\s*:/i.test(line)) {
      let value = line.slice(line.indexOf(":") + 1);
      while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i]!;
      if (/^list-unsubscribe\s*:/i.test(line)) {
        mailto ??= /<(mailto:[^>]*)>/i.exec(value)?.[1];
        if (!placed) (out.push("\u0000"), (placed = true));
      }
      continue;
    }
    out.push(line);
  }
  const fields = [`List-Unsubscribe: <${url}>${mailto ? `,\r\n <${mailto}>` : ""}`, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"];
  const at = out.indexOf("\u0000");
  if (at >= 0) out.splice(at, 1, ...fields);
  else out.push(...fields);
  return Buffer.concat([Buffer.from(out.join("\r\n") + "\r\n", "latin1"), raw.subarray(end + 2)]);
}
