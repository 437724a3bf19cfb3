/**
 * What changes per recipient when a list's mail goes out one transaction per
 * member (docs/mail-out.md, "Per recipient"): with `oneClick` the
 * List-Unsubscribe field gains the member's signed https URL and
 * List-Unsubscribe-Post (RFC 8058); with `verp` the envelope sender names
 * the member (`LIST-bounces+TAG-ann=example.org@domain`, TAG the list's HMAC
 * of the member: verp.ts), so a bounce says whom it is about even when the
 * report does not, and nobody else can make one that does. Either makes each recipient a
 * transaction of its own; a list with neither keeps batched transactions.
 * Then the message is DKIM-signed with the list domain's key, after these
 * changes, so the signature covers them.
 */
import { bounceAddress } from "../mail/compose.js";
import type { DkimKeys } from "./dkim.js";
import { MAX_LINE, ONE_CLICK_FIELD } from "./unsubscribe.js";
import { verpAddress } from "./verp.js";
import type { MemberJson } from "../../contract/index.js";

export interface PersonalOptions {
  dkim: DkimKeys;
  /** The list's settings: VERP and one-click (thwonkd's config). */
  verp: (list: string) => boolean;
  oneClick: (list: string) => boolean;
  /** The member's one-click URL (unsubscribe.ts), signed for this subscription. */
  unsubscribeUrl: (list: string, member: string, joined: number) => string;
  /**
   * The list's own key (store `tokenKey`), under which its VERP addresses are tagged (verp.ts); undefined when no list
   * is deployed at the address (a removed list's mail still delivered: its key is dropped, so it leaves untagged).
   */
  listKey: (list: string) => Promise<string | undefined>;
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
  /**
   * Each list's key, read once: it does not change while the list lives (the store keeps the first one made). A
   * removal drops it (forget): a list deployed there again has a new key, and its mail must not be tagged under the old.
   */
  private readonly keys = new Map<string, Promise<string | undefined>>();

  constructor(private readonly o: PersonalOptions) {}

  private listKey(list: string): Promise<string | undefined> {
    const k = list.toLowerCase();
    let key = this.keys.get(k);
    if (!key) {
      const made = this.o.listKey(list);
      key = made;
      this.keys.set(k, made);
      // No key (no list there now) and a failed read are not kept: the next delivery asks again.
      made.then(
        (v) => {
          if (v === undefined && this.keys.get(k) === made) this.keys.delete(k);
        },
        () => {
          if (this.keys.get(k) === made) this.keys.delete(k);
        },
      );
    }
    return key;
  }

  /** The list was removed (Daemon.removeList): its key is gone, and a list deployed there again has its own. */
  forget(list: string): void {
    this.keys.delete(list.toLowerCase());
  }

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
      if (this.o.verp(list)) {
        const key = await this.listKey(list);
        if (key !== undefined) from = verpAddress(list, rcpt, key);
      }
      if (this.o.oneClick(list)) {
        const m = await this.o.member(list, rcpt);
        if (m) out = withOneClick(raw, this.o.unsubscribeUrl(list, m.address, m.joined));
      }
    }
    // Signed here, not by nodemailer's transport: its signer leaves fields that could be added unsigned (dkim-sign.ts).
    return { from, raw: await this.o.dkim.sign(list, out) };
  }
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
  const first = ONE_CLICK_FIELD(url);
  // A line past 998 octets (RFC 5322 2.1.1) is never written: a link that long (an address past what main.ts's bound
  // on --public-url leaves room for) is left out, and the member keeps the mailto field the message had.
  if (first.length + (mailto ? 1 : 0) > MAX_LINE) return raw;
  const fields = [`${first}${mailto ? `,\r\n <${mailto}>` : ""}`, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"];
  const at = out.indexOf("\u0000");
  if (at >= 0) out.splice(at, 1, ...fields);
  else out.push(...fields);
  return Buffer.concat([Buffer.from(out.join("\r\n") + "\r\n", "latin1"), raw.subarray(end + 2)]);
}

export { bounceTarget, verpAddress } from "./verp.js";
