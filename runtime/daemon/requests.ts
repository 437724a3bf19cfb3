/**
 * The -request address of a list whose rule does not answer it (docs/daemon.md, "The -request address").
 *
 * Every list's mail names `LIST-request@DOMAIN` in List-Unsubscribe and List-Help (RFC 2369), and a mail program's
 * Unsubscribe button writes "unsubscribe" there. A rule that reads `m.envelope.isRequest` answers that address
 * itself (the compiler records the capability "requests": compiler/emit/bundle.ts ruleAnswersRequests); for any
 * other rule thwonkd answers it here, and the rule never sees that mail (a rule that does not read it would send a
 * member's "unsubscribe" to every member and remove nobody).
 *
 *   unsubscribe (leave, remove), the subject's first word or else the first word of the body's first non-empty line,
 *     any case: from a member (the envelope sender, else the From address) a confirmation request goes to THAT
 *     MEMBER's address as the list has it, never anywhere else; the envelope sender gets the help when it is not the
 *     member. So a forged From costs the member one message they can ignore, and removes no one. A sender that is
 *     not a member gets the help, as anyone asking anything else does: the answer to a stranger is the same whether
 *     the address they named is subscribed or not.
 *   the confirmation: a reply to its Reply-To, `LIST-request+TAG-MLOCAL=MDOMAIN@DOMAIN` (TAG 12 base32 characters,
 *     60 bits of an HMAC-SHA256 under the list's own key of the list, the member, when they joined and the day it
 *     was made: only the list can make it, a member who joins again has a new one, and it confirms for CONFIRM_DAYS),
 *     or the member's one-click link (unsubscribe.ts) when thwonkd has a --public-url. A confirmed unsubscribe removes the member as one-click does: a run of trigger
 *     `unsubscribe` with the action `members.remove` (via "mail"), the rule not run; a goodbye goes to the member.
 *     The tagged address is used when its local part fits RFC 5321's 64 octets (and the whole a path); otherwise the
 *     confirmation offers the link alone.
 *   anything else: the help (what the address is, how to leave).
 *
 * Nothing is answered to MAIL FROM:<>, to automatic mail (contract/automatic.ts: RFC 3834's Auto-Submitted other than
 * `no`, the de facto markers X-Autoreply, X-Autorespond, X-Auto-Response-Suppress, Precedence bulk, junk, list or
 * auto_reply; a List-Id: the tests a rule's `m.isAutomated()` makes), to the list's own mail (its loop header, or
 * one of its own addresses as sender), nor past the hop limit; no answer goes to an address of a list of this server
 * (its rule would send it on to its members); and at most ANSWERS_PER_DAY help and confirmation replies go to one
 * mailbox a day (an auto-responder that does not say it is one would otherwise answer each for ever). The
 * mail is read under the list's limits for a message, as at its own address. Mail to the address whose turn to run
 * the rule comes under a version that does not read isRequest is answered here too (requestInTurn).
 * Every answer is a `reply` (Auto-Submitted: auto-replied, the loop header, In-Reply-To) composed by the one builder and committed with the message and its
 * run record in the group commit, in the list's order (queued as any message: Runner.deliver), as any run's mail: nothing is lost across a
 * crash and nothing is sent twice.
 */
import { ruleAnswersRequests } from "../../compiler/index.js";
import { automaticMarker, canonicalAddress, type MemberJson, type RunAction } from "../../contract/index.js";
import { addressForm, parseEml, type MessageJson, type ParsedEml } from "../input/index.js";
import { mailboxAddress } from "../input/decode.js";
import { overHopLimit, safeAddress } from "../mail/compose.js";
import { ownTraceLength } from "../mail/received.js";
import { bundleLimits } from "../run/input.js";
import type { Bundle } from "../../compiler/index.js";
import { holdEffects, type RunAgain } from "./holds.js";
import type { Daemon } from "./daemon.js";
import { daemonMessages as M, say } from "./messages.js";
import { composeAll, LOOP_HEADER } from "./outbox.js";
import { addressKey, type Answer, type Delivery } from "./runner.js";
import type { RunCommit } from "./store/types.js";
import { macTag, sameTag, VERP_ADDRESS_MAX, VERP_LOCAL_MAX } from "./verp.js";

/** The confirmation tag's length: 12 base32 characters, 60 bits. */
export const CONFIRM_TAG_LENGTH = 12;
const TAGGED = new RegExp(`^([a-z2-7]{${CONFIRM_TAG_LENGTH}})-(.+)$`, "i");
/** The words that ask to leave (Mailman's among them); anything else is a request for help. */
const LEAVE = new Set(["unsubscribe", "leave", "remove", "signoff"]);
const AT = { line: 0, column: 0 };

/** Whether mail to `rcpt` is for thwonkd to answer: the -request address of a list whose rule does not answer it. */
export function answeredByDaemon(daemon: Daemon, list: string, rcpt: string): boolean {
  const bundle = daemon.runner.bundleAt(list);
  return bundle !== undefined && answeredUnder(bundle, list, rcpt);
}

/** Whether mail to `rcpt` is for thwonkd to answer when `bundle` is the list's version. */
function answeredUnder(bundle: Bundle, list: string, rcpt: string): boolean {
  // Asked of every message: most go to the list's own address, told apart at once.
  if (!/-request/i.test(rcpt) || ruleAnswersRequests(bundle.manifest)) return false;
  const r = canonicalAddress(rcpt.trim().replace(/^<(.*)>$/, "$1"));
  return r !== undefined && addressForm(r, list).isRequest;
}

/**
 * The runner's question at a message's turn (RunnerOptions.answersRequest): mail to the -request address that went
 * to the rule (its version then read isRequest) but whose turn comes under a version that does not (a deploy since,
 * a replay of its failed run, an approval) is answered here, in that turn, never run by that rule.
 */
export function requestInTurn(daemon: Daemon, list: string, d: Delivery, bundle: Bundle): ((again?: RunAgain, eml?: ParsedEml) => Promise<Answer>) | undefined {
  if (!answeredUnder(bundle, list, d.rcptTo)) return undefined;
  return async (again, eml) => {
    const read = await readRequest(daemon, d, list, bundle, eml);
    return "code" in read ? read : answerInTurn(daemon, d, list, bundle, read.m, read.not, again);
  };
}

/** The message read under the list's limits, and why nothing answers it; or the answer refusing it. */
async function readRequest(daemon: Daemon, d: Delivery, list: string, bundle: Bundle | undefined, read?: ParsedEml): Promise<Answer | { m: MessageJson; not: ReturnType<typeof unanswerable> }> {
  const trace = ownTraceLength(d.raw);
  // Read under the list's limits for a message, as its own address reads it (runner.ts parse): a message over them
  // (its size, its header fields) is refused before it is parsed, and nothing is stored. Read without them, a
  // stranger's 10 MB messages were each parsed whole and stored, where the list's address refuses them at once.
  const limits = bundle ? bundleLimits(bundle) : undefined;
  const { message: m, refused } = read ?? await parseEml(trace ? d.raw.subarray(trace) : d.raw, { listAddress: list, envelope: { mailFrom: d.mailFrom, rcptTo: d.rcptTo }, ...(limits ? { limits } : {}) });
  if (refused.length) return { code: 552, message: `5.3.4 ${say(M.inputRefused, list, refused.map((p) => `${p.code} ${p.message}`).join(" "))}` };
  return { m, not: unanswerable(daemon, list, m) };
}

/**
 * For how many days after the day it was made a confirmation confirms (Mailman's pending requests live 3 days).
 * A confirmation that lived as long as the subscription would let one a forger sent, kept unanswered in the member's
 * mailbox ("ignore this message: you stay subscribed"), remove them whenever anything wrote to its Reply-To, a reply
 * to an old thread or an auto-responder that says nothing of itself, years later.
 */
export const CONFIRM_DAYS = 7;
const DAY = 86_400_000;

/**
 * The tag of `member`'s confirmation made on `day` (days since 1970, UTC), for the subscription they have (its
 * `joined`), under the list's key. The day is in the MAC only: the address is as long as before.
 */
export function confirmTag(key: string, list: string, member: string, joined: number, day: number): string {
  return macTag(key, `thwonk-request-confirm-2\n${addressKey(list)}\n${addressKey(member)}\n${joined}\n${day}`, CONFIRM_TAG_LENGTH);
}

/** Whether `tag` is `member`'s, made on one of the last CONFIRM_DAYS days before `now` or on its day (a day ahead too: a clock set back). */
function tagVerifies(key: string, list: string, member: MemberJson, tag: string, now: number): boolean {
  const today = Math.floor(now / DAY);
  let ok = false;
  // Every day compared, so the time taken says nothing of which one matched.
  for (let day = today - CONFIRM_DAYS; day <= today + 1; day++) ok = sameTag(confirmTag(key, list, member.address, member.joined, day), tag) || ok;
  return ok;
}

/**
 * `LIST-request+TAG-MLOCAL=MDOMAIN@DOMAIN`, where a reply confirms; undefined when it would not fit (a local part
 * over 64 octets, an address over what thwonkd's ingress takes or outside compose.ts safeAddress).
 */
export function confirmAddress(key: string, list: string, member: string, joined: number, now: number): string | undefined {
  const at = list.lastIndexOf("@");
  const m = member.lastIndexOf("@");
  if (m < 1) return undefined;
  const local = `${list.slice(0, at)}-request+${confirmTag(key, list, member, joined, Math.floor(now / DAY))}-${member.slice(0, m)}=${member.slice(m + 1)}`;
  const address = `${local}${list.slice(at)}`;
  return Buffer.byteLength(local) <= VERP_LOCAL_MAX && address.length <= VERP_ADDRESS_MAX && safeAddress(address) !== undefined ? address : undefined;
}

/** What a tagged -request address's `+` part names: the member and the tag; undefined for any other part. */
export function readConfirm(extension: string): { member: string; tag: string } | undefined {
  const tagged = TAGGED.exec(extension);
  if (!tagged) return undefined;
  const named = tagged[2]!;
  const eq = named.lastIndexOf("=");
  const member = eq > 0 ? canonicalAddress(`${named.slice(0, eq)}@${named.slice(eq + 1)}`) : undefined;
  return member === undefined ? undefined : { member, tag: tagged[1]!.toLowerCase() };
}

/**
 * The reply and forward prefixes a mail program writes before a subject, in the languages Wikipedia's "List of email
 * subject abbreviations" gives (its table "Abbreviations in other languages", which Thunderbird's localized
 * `mailnews.localizedRe` and Outlook's prefixes follow): a member replying from a German Outlook writes
 * "AW: unsubscribe", a Swede "SV: unsubscribe". Matched in any case, before a colon (or a full-width one), with a
 * counter as some programs write it ("Re[2]:", "Re^2:", "Re(2):").
 */
export const REPLY_PREFIXES: readonly string[] = [
  "Re", "Fwd", "Fw", // English, and most programs in any language
  "AW", "WG", // German: Antwort, Weitergeleitet
  "SV", "VS", "VB", "FS", // Danish, Norwegian, Swedish, Icelandic: Svar; Videresendt, Vidarebefordrat, Framsent
  "VL", // Finnish: Välitetty (its Vastaus is VS, above)
  "Antw", "Doorst", // Dutch: Antwoord, Doorsturen
  "Réf", "Ref", "Rép", "TR", // French: Référence, Réponse, Transfert
  "R", "RIF", "I", // Italian: Risposta, Riferimento, Inoltrato
  "RES", "ENC", // Portuguese: Resposta, Encaminhado
  "RV", // Spanish: Reenviado
  "Odp", "PD", // Polish: Odpowiedź, Przekazanie dalej
  "VÁ", "TO", // Hungarian: Válasz, Továbbítás
  "YNT", "İLT", "ILT", // Turkish: Yanıt, İlet
  "BLS", "TRS", // Indonesian: Balas, Terusan
  "ATB", "YML", // Welsh: Ateb, Ymlaen
  "ΑΠ", "ΣΧΕΤ", "ΠΡΘ", // Greek: Απάντηση, Σχετικό, Προωθημένο
  "השב", "הועבר", // Hebrew
  "رد", // Arabic
  "回复", "转发", "回覆", "轉寄", // Chinese, simplified and traditional
  "返信", "転送", // Japanese
];
const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The prefixes at the start of a subject, any number of them ("RE: Fwd: AW: ..."), longest alternatives first. */
const PREFIXES = new RegExp(
  `^\\s*((${[...REPLY_PREFIXES].sort((a, b) => b.length - a.length).map(escaped).join("|")})\\s*(?:(?:\\[\\d+\\]|\\^\\d+|\\(\\d+\\))\\s*)?[:\uff1a]\\s*)+`,
  "iu",
);

/** A subject without the reply and forward prefixes before it (REPLY_PREFIXES), in its composed (NFC) form. */
export function withoutReplyPrefixes(subject: string): string {
  return subject.normalize("NFC").replace(PREFIXES, "");
}

/** A list's subject tag ("[list] "), as a reply to the list's mail carries it: at most 64 characters inside. */
const LIST_TAG = /^\s*\[[^\]\r\n]{1,64}\]\s*/u;

/**
 * A subject without its reply prefixes and list tags, in any order ("Re: [list] unsubscribe", "[list] AW: leave"):
 * a member answering the list's mail with the word writes it after them. A few rounds at most, so a subject of
 * thousands of tags costs no more than a few.
 */
function withoutListTags(subject: string): string {
  let s = withoutReplyPrefixes(subject);
  for (let round = 0; round < 4; round++) {
    const tag = LIST_TAG.exec(s);
    if (!tag) break;
    s = withoutReplyPrefixes(s.slice(tag[0].length));
  }
  return s;
}

/**
 * What a reader does not see: format characters (zero-width spaces and joiners, a byte order mark, bidirectional
 * controls) and control characters other than white space (a NUL). Left out before a word is read, so the word is
 * the one shown; a line of nothing else is an empty line.
 */
const UNSEEN_CLASS = "\\p{Cf}\\u0000-\\u0008\\u000e-\\u001f\\u007f";
const UNSEEN = new RegExp(`[${UNSEEN_CLASS}]`, "gu");
/** The first character seen: not white space, not unseen. */
const SEEN = new RegExp(`[^\\s${UNSEEN_CLASS}]`, "u");
/**
 * A word: letters of any script (a look-alike from another script is another letter), their marks, and `-`, after
 * any quotes, brackets or other punctuation and symbols before it: the help says to send `the subject "unsubscribe"`,
 * and a person copies the quotes too.
 */
const WORD = /^[\s\p{P}\p{S}]*(\p{L}[\p{L}\p{M}-]*)/u;

/**
 * A command word as the reader sees it: in its compatibility form (full-width "ｕｎｓｕｂｓｃｒｉｂｅ", as an East
 * Asian input method writes it, is "unsubscribe"), without accents (a Turkish capital "UNSUBSCRİBE" lowercases to a
 * dotted i), in lower case. Only ever a confirmation follows, so reading leniently removes no one.
 */
function commandWord(line: string): string | undefined {
  const word = WORD.exec(line)?.[1];
  return word?.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** `unsubscribe` when the subject's first word, or else the first word of the body's first non-empty line, asks to leave. */
export function commandOf(subject: string, text: string): "unsubscribe" | "help" {
  // The body's first non-empty line begins at its first character that is not white space (what trim() removes, \s
  // in a pattern, line ends among it) nor unseen: found without cutting the body into lines, which for a body of
  // 10 MB of empty lines made millions of strings and held hundreds of megabytes per message.
  const first = SEEN.exec(text)?.index;
  const firstLine = first === undefined ? "" : text.slice(first, first + 64).replace(UNSEEN, "").normalize("NFKC");
  // Only the subject's first characters can be a command behind its prefixes: a subject is bounded by the list's
  // header limit, but normalizing it whole for every message would be work for nothing. In its compatibility form
  // first, so a full-width "Ｒｅ：" is a prefix as "Re:" is.
  for (const line of [withoutListTags(subject.slice(0, 512).replace(UNSEEN, "").normalize("NFKC")), firstLine]) {
    const word = commandWord(line);
    if (word !== undefined) return LEAVE.has(word) ? "unsubscribe" : "help";
  }
  return "help";
}

/** How many help and confirmation replies go to one address in a day, at most (Mailman's max_autoresponses_per_day). */
export const ANSWERS_PER_DAY = 10;
/** How many addresses' counts a daemon keeps, at most: past it, the one answered least recently is forgotten. */
export const ANSWER_COUNTS_KEPT = 10_000;

/**
 * The mailbox a day's answers are counted against, with its list: one however it is written. Its domain in ASCII
 * (`bücher.example` is `xn--bcher-kva.example`), case and Unicode form aside (canonical), and without a `+tag`
 * (RFC 5233 subaddress: `eve+1@`, `eve+2@`, ... are one mailbox): were each spelling counted apart, a forger
 * naming `victim+N@` as sender would make the address a reflector to one mailbox without end.
 */
export function answerKey(list: string, to: string): string {
  const a = mailboxAddress(to) ?? addressKey(to);
  const at = a.lastIndexOf("@");
  const plus = a.indexOf("+");
  return `${addressKey(list)}\n${plus > 0 && plus < at ? a.slice(0, plus) + a.slice(at) : a}`;
}

/**
 * When each mailbox was answered within the last day (answerKey), in memory (a restart forgets). Kept in the order
 * of the last answer, so the ones to forget (last answered over a day ago) are at the front, and at most `kept` of
 * them: each answer costs a constant time and the whole stays small under any flood of senders (a walk of all of
 * them per answer would make a flood of n senders cost n² steps).
 * An auto-responder in a loop with the address is answered all the time, so it is never the one forgotten.
 */
export class AnswerCounts {
  private readonly times = new Map<string, number[]>();
  constructor(
    readonly perDay = ANSWERS_PER_DAY,
    readonly kept = ANSWER_COUNTS_KEPT,
  ) {}

  /** How many mailboxes are counted now. */
  get size(): number {
    return this.times.size;
  }

  /** Whether one more answer may go to `key` at `now`; counted when it may. Called in the list's turn. */
  take(key: string, now: number): boolean {
    for (const [k, t] of this.times) {
      if (t.at(-1)! > now - DAY) break;
      this.times.delete(k);
    }
    const times = (this.times.get(key) ?? []).filter((t) => t > now - DAY);
    this.times.delete(key);
    const may = times.length < this.perDay;
    if (may) times.push(now);
    this.times.set(key, times);
    for (const k of this.times.keys()) {
      if (this.times.size <= this.kept) break;
      this.times.delete(k);
    }
    return may;
  }
}

/** Per daemon: the answers to each mailbox within the last day. */
const answered = new WeakMap<Daemon, AnswerCounts>();

/** Whether one more answer may go to `to` at `now`; counted when it may. */
function answeredToday(daemon: Daemon, list: string, to: string, now: number): boolean {
  let counts = answered.get(daemon);
  if (!counts) answered.set(daemon, (counts = new AnswerCounts()));
  return counts.take(answerKey(list, to), now);
}

/** Why nothing answers this message (RFC 3834, loops, the null sender), or undefined. */
function unanswerable(daemon: Daemon, list: string, m: MessageJson): { why: string; loop?: true } | undefined {
  const h = (name: string): string[] => m.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v.trim());
  const own = (a: string | null): boolean => a !== null && daemon.runner.route(a)?.list === list;
  if (h(LOOP_HEADER.toLowerCase()).some((v) => v.split(",").some((x) => addressKey(x.trim().replace(/^<(.*)>$/, "$1")) === addressKey(list))) || own(m.from) || own(m.envelope.sender))
    return { why: "it came from this list (a loop)", loop: true };
  if (m.envelope.sender === null) return { why: "it has no envelope sender (MAIL FROM:<>), and nothing answers a bounce" };
  // What m.isAutomated() reads (contract/automatic.ts): RFC 3834's Auto-Submitted and the de facto markers of the
  // auto-responders that do not write it. Answered, such a responder answers the answer (a ping-pong), and one writing
  // to a confirmation's Reply-To would confirm a forger's unsubscribe: the confirmation is not answered either.
  const automatic = automaticMarker(m.headers, m.decoded);
  if (automatic) return { why: `it is ${automatic.what}, which nothing answers` };
  const hops = overHopLimit(m.headers, daemon.runner.mail.hopLimit);
  if (hops) return { why: `it went through too many hops (${hops})` };
  return undefined;
}

function reply(m: MessageJson, to: string, subject: string, text: string, replyAddress: string | undefined, what: string): RunAction {
  const headers: Record<string, string> = {};
  if (m.messageId) headers["In-Reply-To"] = headers["References"] = `<${m.messageId}>`;
  const a: RunAction = { kind: "reply", to: [to], at: AT, subject, text, html: null, headers, request: what };
  if (replyAddress !== undefined) a["replyAddress"] = replyAddress;
  return a;
}

/**
 * Mail to the -request address of a list whose rule does not answer it (answeredByDaemon): answered here, in the
 * list's order, the message, its run and its replies committed together; 250 once they are on the disk.
 */
export function receiveRequest(daemon: Daemon, d: Delivery): Promise<Answer> {
  // Queued as any message, in the order it came: at its turn the runner asks requestInTurn, so the version deployed
  // then decides who answers it, and it keeps its place behind the mail that came before it and ahead of what came after.
  return daemon.runner.deliver(d);
}

/**
 * The answer, in the list's turn under `bundle`: the message (or, for `again`, the stored one it runs again), its run
 * and its replies committed together; 250 once they are on the disk.
 */
async function answerInTurn(daemon: Daemon, d: Delivery, list: string, bundle: Bundle, m: MessageJson, not: ReturnType<typeof unanswerable>, again?: RunAgain): Promise<Answer> {
  const request = addressForm(m.envelope.recipient, list);
  const now = d.receivedAt;
  const commit = async (c: Omit<RunCommit, "address" | "message" | "run">, trigger: string, actions: RunAction[], status: "accepted" | "loop" = "accepted"): Promise<number> => {
    const outbox = await composeAll(actions, { list, incoming: { from: m.from, headers: m.headers, raw: d.raw }, now, ...(daemon.runner.mail.lists(list) ? { settings: daemon.runner.mail.lists(list)! } : {}) });
    const ids = await daemon.committer.commit({
      address: list,
      ...(again
        ? { messageId: again.messageId, ...holdEffects(status === "loop" ? "loop" : "ok", undefined, m, d, again) }
        : { message: { raw: d.raw, mailFrom: d.mailFrom, rcptTo: d.rcptTo, receivedAt: d.receivedAt, status, problems: [] } }),
      run: { trigger, now, bundleHash: bundle.sha256, outcome: status === "loop" ? "loop" : "ok", error: null, gasUsed: 0, gasBound: 0, actions, replayOf: again?.replayOf ?? null },
      outbox,
      ...c,
    });
    return ids.runId;
  };
  if (not) {
    daemon.log.info({ list, mailFrom: d.mailFrom, why: not.why }, "mail to the -request address not answered");
    const runId = await commit({}, "request", [{ kind: "request", to: [], at: AT, answer: "none", why: not.why }], not.loop ? "loop" : "accepted");
    return { code: 250, message: `2.0.0 ${say(M.requestNotAnswered, list, not.why)}`, runId, outcome: not.loop ? "loop" : "ok" };
  }
  const key = await daemon.store.tokenKey(list);
  const at = list.lastIndexOf("@");
  const requestAddress = `${list.slice(0, at)}-request${list.slice(at)}`;
  // A reply to a confirmation: the member its tag names, when the tag is the one made for their subscription now.
  const confirm = request.tag !== null ? readConfirm(request.tag) : undefined;
  if (confirm) {
    const member = await daemon.store.member(list, confirm.member);
    if (member && tagVerifies(key, list, member, confirm.tag, now)) {
      const actions: RunAction[] = [
        { kind: "members.remove", to: [], at: AT, address: member.address, via: "mail" },
        reply(m, member.address, M.requestGoodbyeSubject.format(list), M.requestGoodbye.format(member.address, list), requestAddress, "goodbye"),
      ];
      const runId = await commit({ members: [{ op: "remove", address: member.address }] }, "unsubscribe", actions);
      daemon.log.info({ list, member: member.address, run: runId }, "unsubscribed by a confirmed request");
      return { code: 250, message: `2.0.0 ${say(M.unsubscribed, member.address, list)}`, runId, outcome: "ok" };
    }
    // A confirmation used already (the member left, or joined again since), or a tag the list did not make.
    daemon.log.info({ list, named: confirm.member, mailFrom: d.mailFrom }, "a confirmation to the -request address that does not verify (used, or not made by this list): answered with the help");
  }
  const sender = m.envelope.sender!;
  const help = (): RunAction => reply(m, sender, M.requestHelpSubject.format(list), M.requestHelp.format(list, requestAddress), requestAddress, "help");
  const actions: RunAction[] = [];
  // The answer names the command, never whether a member was found: a stranger reads it too.
  const command = commandOf(m.subject, m.text);
  if (command === "unsubscribe") {
    // The member asking: the envelope sender (where replies go), else the From address (a provider whose envelope
    // sender is not the member's address). The confirmation goes to the member's address alone.
    const member = (await daemon.store.member(list, sender)) ?? (m.from !== null ? await daemon.store.member(list, m.from) : undefined);
    if (member) {
      const replyTo = confirmAddress(key, list, member.address, member.joined, now);
      const link = daemon.unsubscribeLink?.(list, member.address, member.joined);
      actions.push(reply(m, member.address, M.requestConfirmSubject.format(list), M.requestConfirm.format(member.address, list, replyTo ?? null, link ?? null, CONFIRM_DAYS), replyTo ?? requestAddress, "confirm"));
    }
    // A sender who is not the member gets what a stranger gets, whoever the From names.
    if (!member || addressKey(member.address) !== addressKey(sender)) actions.push(help());
  } else actions.push(help());
  // Never to an address of a list of this server (a member that is a list, as an umbrella list's is, or a sender
  // naming one): its rule would send the answer on to its members, so a forger's "unsubscribe" From such a member
  // would put the confirmation, its tagged address and one-click link before every member of that list, any one of
  // whom could then remove it, and a forged sender would have the help posted to any open list here.
  const sent: RunAction[] = [];
  const leftOut: string[] = [];
  for (const a of actions) {
    const local = daemon.runner.route(a.to[0]!)?.list;
    if (local !== undefined) leftOut.push(`its reply to ${a.to[0]} was left out: that is an address of ${local}, a list of this server, whose rule would send it on to its members`);
    // At most ANSWERS_PER_DAY help and confirmation replies to one mailbox a day: past it the reply is left out, so
    // an auto-responder that answers every message without saying so (no Auto-Submitted) cannot ping-pong with this
    // address for ever, nor a forger make it a reflector that writes to a victim (or a member) without end.
    else if (answeredToday(daemon, list, a.to[0]!, now)) sent.push(a);
    else leftOut.push(`its reply was left out: ${ANSWERS_PER_DAY} answers went to that address in the last day (a loop with an auto-responder, or a flood)`);
  }
  for (const why of leftOut) {
    daemon.log.info({ list, mailFrom: d.mailFrom, why }, "mail to the -request address not answered");
    sent.push({ kind: "request", to: [], at: AT, answer: "none", why });
  }
  const runId = await commit({}, "request", sent);
  return { code: 250, message: `2.0.0 ${say(M.requestAnswered, list, command)}`, runId, outcome: "ok" };
}
