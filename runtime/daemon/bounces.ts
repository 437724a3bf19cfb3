/**
 * Bounces. Every list's mail leaves with its bounce address as the envelope
 * sender (`LIST-bounces@domain`, or with VERP `LIST-bounces+TAG-ann=
 * example.org@domain`: verp.ts), so what the world cannot deliver comes
 * back there. Mail to it never reaches the rule and is never answered: it
 * is read as a delivery status report (RFC 3464: multipart/report with a
 * message/delivery-status part), and each recipient whose Action is
 * `failed` with a 5.x.x Status is recorded against the member it names
 * (the VERP address, else the report's Original-Recipient, else its
 * Final-Recipient), in one run of trigger `bounce`. A member's `bounces`
 * (the stdlib's `Member.bounces`) is the number of distinct messages
 * reported since they joined (a report about a message already recorded
 * for them, sent again by an MTA or a forger, is dropped); a rule decides
 * what to do with it.
 *
 * Anyone can write to the bounce address, and a made-up report must not
 * unsubscribe a member. A VERP address counts only when its TAG, an HMAC
 * of the member under the list's own key, verifies: nobody but the list can
 * make the address of another member (a report to one that does not verify
 * is logged as unverified and counts nothing). And every report counts
 * only when it names a message this list sent to that member: the
 * Message-ID of the returned original headers (RFC 3464's third part,
 * which Postfix, Exim, Exchange and the large mailbox providers send), or
 * the report's In-Reply-To or References, found in the outbox for that
 * recipient since they joined (a forward's id is its author's, which it keeps). Without VERP
 * a member who received a post knows its Message-ID, and the post went to
 * every member under that one id, so a member can still forge a report
 * about another; a rule that acts on bounces should want a few. Reports
 * about addresses that are not members, delays (`delayed`, 4.x.x),
 * reports naming no original message and mail that is not a report are
 * dropped (250, logged).
 */
import { simpleParser, type Attachment } from "mailparser";
import { canonicalAddress } from "../../contract/index.js";
import { mailboxAddress } from "../input/decode.js";
import type { Daemon } from "./daemon.js";
import { daemonMessages as M, say } from "./messages.js";
import { type Answer, type Delivery, ListGone } from "./runner.js";
import type { BounceEntry } from "./store/types.js";
import { type BounceTarget, verpAddress, verpTagVerifies } from "./verp.js";
import { bounceAddress } from "../mail/compose.js";

/** One per-recipient block of a delivery status report. */
export interface DsnRecipient {
  finalRecipient: string | null;
  originalRecipient: string | null;
  action: string;
  status: string;
  diagnostic: string;
}

export interface Dsn {
  recipients: DsnRecipient[];
  /** The Message-IDs of the returned original message's headers, then the report's In-Reply-To and References (none when it has neither). */
  originalIds: string[];
}

/** A report's size is bounded by the daemon's message size; its fields by this many recipients. */
const MAX_RECIPIENTS = 1000;
/** How many of a report's returned Message-IDs are looked up in the outbox. */
const MAX_IDS = 4;

/** The report in a message, or undefined when it holds no message/delivery-status part. */
export async function readDsn(raw: Buffer): Promise<Dsn | undefined> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, keepDeliveryStatus: true });
  const parts: Attachment[] = parsed.attachments ?? [];
  const status = parts.find((a) => /^message\/(global-)?delivery-status$/i.test(a.contentType));
  if (!status) return undefined;
  // The per-message group names no recipient and is left out by recipientOf: not skipped by place, so a report that
  // leaves it out (some MTAs do) keeps its first recipient.
  const recipients = statusBlocks(status.content.toString("utf8"))
    .map(recipientOf)
    .filter((r): r is DsnRecipient => r !== undefined)
    .slice(0, MAX_RECIPIENTS);
  const originalIds: string[] = [];
  for (const a of parts) {
    if (!/^(message\/(global-)?rfc822|text\/rfc822-headers|message\/global-headers)$/i.test(a.contentType)) continue;
    const head = a.content.subarray(0, 64 * 1024).toString("latin1").split(/\r?\n\r?\n/)[0] ?? "";
    const m = /^message-id:\s*(?:\r?\n[ \t]+)?<([^<>\s]+)>/im.exec(head);
    if (m && m[1]!.length <= 998) originalIds.push(m[1]!);
  }
  // Some MTAs return no headers but thread the report with the message (In-Reply-To, References): the outbox checks those the same way.
  for (const v of [parsed.inReplyTo, ...[parsed.references ?? []].flat().reverse()]) {
    const id = typeof v === "string" ? /^\s*<([^<>\s]+)>\s*$/.exec(v)?.[1] : undefined;
    if (id && id.length <= 998 && !originalIds.includes(id)) originalIds.push(id);
  }
  return { recipients, originalIds };
}

/** The report's field groups (RFC 3464 2.1: the per-message fields, then one group per recipient), each a map of lower-case names. */
export function statusBlocks(text: string): Map<string, string>[] {
  // A line of only blanks separates groups, as an empty one does (RFC 5322 would read it as folding; reports that have
  // one mean a separator, and folding it would merge two recipients' fields, the second's lost to the first's).
  const unfolded = text.replace(/\r\n/g, "\n").replace(/\n[ \t]+(?=\n|$)/g, "\n").replace(/\n[ \t]+/g, " ");
  return unfolded
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split("\n")) {
        const m = /^([A-Za-z0-9-]{1,76})\s*:\s*(.*)$/.exec(line);
        if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim().slice(0, 1000));
      }
      return fields;
    })
    .filter((f) => f.size > 0);
}

/**
 * `rfc822; ann@example.org` or `utf-8; ann@example.org` → the address (other address types are not mail addresses).
 * `utf-8` is RFC 6533's type for an address past ASCII (a message/global-delivery-status), its characters as they are
 * or written `\x{HEX}` (3: EmbeddedUnicodeChar).
 */
function typedAddress(v: string | undefined): string | null {
  if (v === undefined) return null;
  const m = /^\s*(rfc822|utf-8)\s*;\s*<?([^<>\s]+?)>?\s*$/i.exec(v);
  if (!m) return null;
  let address = m[2]!;
  if (m[1]!.toLowerCase() === "utf-8") {
    address = address.replace(/\\x\{([0-9A-Fa-f]{2,6})\}/g, (x, hex: string) => {
      const c = Number.parseInt(hex, 16);
      return c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) ? String.fromCodePoint(c) : x;
    });
  }
  // An MTA names a recipient as it was sent or as written (RFC 6531): a domain in Unicode is the member's in ASCII.
  return mailboxAddress(address) ?? null;
}

function recipientOf(f: Map<string, string>): DsnRecipient | undefined {
  const finalRecipient = typedAddress(f.get("final-recipient"));
  const originalRecipient = typedAddress(f.get("original-recipient"));
  if (finalRecipient === null && originalRecipient === null) return undefined;
  return {
    finalRecipient,
    originalRecipient,
    action: (f.get("action") ?? "").toLowerCase(),
    status: /^\s*(\d\.\d{1,3}\.\d{1,3})/.exec(f.get("status") ?? "")?.[1] ?? "",
    diagnostic: (f.get("diagnostic-code") ?? "").slice(0, 500),
  };
}

/** A permanent failure: Action failed and a 5.x.x Status (RFC 3463). */
export function isHardFailure(r: DsnRecipient): boolean {
  return r.action === "failed" && r.status.startsWith("5.");
}

/**
 * Mail that reached a list's bounce address: recorded per member and answered 250; the rule does not run and
 * nothing is sent back (MAIL FROM:<> or not).
 */
export async function receiveBounce(daemon: Daemon, d: Delivery, target: BounceTarget): Promise<Answer> {
  const ignored = (why: string): Answer => {
    daemon.log.info({ list: target.list, mailFrom: d.mailFrom, why }, "mail to the bounce address dropped");
    return { code: 250, message: `2.0.0 ${say(M.bounceIgnored, why)}` };
  };
  let dsn: Dsn | undefined;
  try {
    dsn = await readDsn(d.raw);
  } catch {
    dsn = undefined;
  }
  if (!dsn) return ignored("it is not a delivery status report (no message/delivery-status part)");
  // The list's key, while it is there: removed while the report was read, it has none (and must not be made one,
  // which the next list deployed at the address would inherit); refused as mail to no list (ListGone: 550).
  const listKey = (): Promise<string> => (daemon.listAt(target.list) === undefined ? Promise.reject(new ListGone(target.list)) : daemon.store.tokenKey(target.list));
  if (target.verp !== null && (target.tag === null || !verpTagVerifies(await listKey(), target.list, target.verp, target.tag))) {
    // Anyone can write to any VERP address; only the list can tag one. Logged as a forgery would be, and not counted.
    daemon.log.warn({ list: target.list, rcptTo: d.rcptTo, named: target.verp, mailFrom: d.mailFrom }, "a bounce report to a VERP address whose tag does not verify: unverified, not counted");
    return ignored(`it was sent to a VERP address naming ${target.verp} whose tag the list did not make (unverified)`);
  }
  if (dsn.originalIds.length === 0) return ignored("it names no original message (no returned headers with a Message-ID, no In-Reply-To), so it cannot be checked");
  // Any id, not only the list's own `thwonk.` ones: a forward goes out under its author's Message-ID. The outbox
  // says whether the list sent it to the member; a report names one message, a few ids at most are looked up.
  const ours = [...new Set(dsn.originalIds)].slice(0, MAX_IDS);
  const failed = dsn.recipients.filter(isHardFailure);
  if (failed.length === 0) return ignored("it reports no permanent failure (Action: failed with a 5.x.x Status)");
  let named = target.verp !== null ? [{ address: target.verp, r: failed[0]!, verp: true }] : failed.map((r) => ({ address: (r.originalRecipient ?? r.finalRecipient)!, r, verp: false }));
  if (target.verp === null && daemon.verpLists(target.list)) {
    // On a VERP list each member's mail leaves with a sender that names them, and their bounces go there: a report
    // to the plain address can only be about a member whose VERP address would not fit (it went out plain), or forged.
    const key = await listKey();
    const plain = bounceAddress(target.list);
    named = named.filter((n) => verpAddress(target.list, n.address, key) === plain);
    if (named.length === 0) return ignored("on a VERP list a report must come to the VERP address of whom it is about, not the plain bounce address");
  }
  return daemon.runner.withList(target.list, async (bundle) => {
    // Whom each reported message went to, read once: a report may name a thousand members of a list of many more.
    const sent = new Map<string, Map<string, number>>();
    for (const id of ours) sent.set(id, await daemon.store.sentRecipients(target.list, id));
    const entries: BounceEntry[] = [];
    const seen = new Set<string>();
    for (const n of named) {
      // Members are kept canonical (NFC): a VERP address made before that names one as written then.
      const m = await daemon.store.member(target.list, canonicalAddress(n.address) ?? n.address);
      if (!m || seen.has(m.address.toLowerCase())) continue;
      // Sent to this subscription: a report about mail to one they left (an MTA's last word after days of retries) is not theirs.
      const messageId = ours.find((id) => (sent.get(id)!.get(m.address) ?? Number.NEGATIVE_INFINITY) >= m.joined);
      if (messageId === undefined) {
        daemon.log.info({ list: target.list, member: m.address, ids: ours }, "a bounce report about a message the list did not send to this member since they joined: not counted");
        continue;
      }
      // A report sent again (an MTA's retry, or a flood of one forged report) is neither counted nor recorded again.
      if ((await daemon.store.bounces(target.list, m.address)).some((b) => b.messageId === messageId && b.at >= m.joined)) {
        daemon.log.info({ list: target.list, member: m.address, messageId }, "a bounce report about a message already recorded for this member: not counted again");
        continue;
      }
      seen.add(m.address.toLowerCase());
      entries.push({ member: m.address, status: n.r.status, action: n.r.action, diagnostic: n.r.diagnostic, at: d.receivedAt, verp: n.verp, messageId });
    }
    if (entries.length === 0) return ignored(`it is about ${named.map((n) => n.address).join(", ")}, not a member of ${target.list} that the reported message was sent to`);
    const ids = await daemon.committer.commit({
      address: target.list,
      run: {
        trigger: "bounce",
        now: d.receivedAt,
        bundleHash: bundle.sha256,
        outcome: "ok",
        error: null,
        gasUsed: 0,
        gasBound: 0,
        actions: entries.map((e) => ({ kind: "bounce", to: [], at: { line: 0, column: 0 }, address: e.member, status: e.status, diagnostic: e.diagnostic })),
        replayOf: null,
      },
      bounces: entries,
    });
    daemon.log.info({ list: target.list, run: ids.runId, members: entries.map((e) => e.member) }, "bounce recorded");
    return { code: 250, message: `2.0.0 ${say(M.bounceRecorded, entries.map((e) => e.member).join(", "))}`, runId: ids.runId, outcome: "ok" };
  });
}

