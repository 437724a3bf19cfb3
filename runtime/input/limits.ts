/**
 * The rule's limits at run time. The verifier proved the rule's gas bound
 * assuming every input stays within them, so the host checks each input
 * BEFORE a run and refuses one over a limit, whole: cutting a message to fit
 * would change what the sender said.
 *
 * Characters are code points, as the rule's author declared them. The input
 * carries every limit in its declared unit: the compiled code scales a
 * `characters` limit to UTF-16 units itself where its cost table needs them
 * (Emitter.limitUnits), the way the verifier did (unitsPerLimitUnit).
 */
import { runtimeMessages } from "../../contract/messages.js";
import { canonicalAddress } from "../../contract/values.js";
import type { LimitDecl } from "../../stdlib/decl.js";
import { stdlib } from "../../stdlib/index.js";
import { codePoints } from "./chars.js";
import { isKept, keepJson } from "./json-parts.js";
import { ROLES, type InputProblem, type ListJson, type MemberJson, type MessageJson } from "./types.js";

export interface RuleLimit {
  value: number;
  unit: LimitDecl["unit"];
}

/** The limits a rule declares (name → value and unit), as its bundle's manifest carries them. */
export type RuleLimits = Record<string, RuleLimit>;

/** Fixed sizes the stdlib declares (`bound: 256` on Member.name and ListInfo.name): UTF-16 units, as the verifier counts them. */
export const MAX_NAME_UNITS = 256;
export const MAX_ADDRESS_LENGTH = 320;
/** The `+tag` of the address used: its declared bound in the stdlib (Envelope.tag). */
const TAG_MAX = Number(stdlib.types["Envelope"]?.fields?.["tag"]?.bound ?? 315);

/** A rule's limits from its checked model (`model.limits`). */
export function ruleLimitsOf(limits: ReadonlyMap<string, { value: number; decl: LimitDecl }>): RuleLimits {
  return Object.fromEntries([...limits].map(([name, info]) => [name, { value: info.value, unit: info.decl.unit }]));
}

/** Resolved once for a frozen rule's limits (a bundle's: runtime/run/input.ts), which cannot change after. */
const resolved = new WeakMap<RuleLimits, RuleLimits>();
const runtimeOf = new WeakMap<RuleLimits, Record<string, number>>();

/** Every limit the stdlib declares: the rule's value, or the default. Frozen when `rule` is (then made once). */
export function resolveLimits(rule: RuleLimits = {}): RuleLimits {
  const kept = resolved.get(rule);
  if (kept) return kept;
  const out: RuleLimits = {};
  for (const [name, decl] of Object.entries(stdlib.limits)) out[name] = { value: decl.default, unit: decl.unit };
  const all = { ...out, ...rule };
  if (!Object.isFrozen(rule)) return all;
  for (const l of Object.values(all)) Object.freeze(l);
  resolved.set(rule, Object.freeze(all));
  return all;
}

/** The `limits` of the run's input: every limit, in the unit the rule declares it in (made once for a frozen rule's). */
export function runtimeLimits(rule: RuleLimits = {}): Record<string, number> {
  const kept = runtimeOf.get(rule);
  if (kept) return kept;
  const out = Object.fromEntries(Object.entries(resolveLimits(rule)).map(([name, l]) => [name, l.value]));
  if (Object.isFrozen(rule)) runtimeOf.set(rule, keepJson(out));
  return out;
}

function over(limits: RuleLimits, name: string, what: string, actual: number, noun: string): InputProblem[] {
  const max = limits[name]?.value;
  if (max === undefined || actual <= max) return [];
  const m = runtimeMessages.inputOverLimit;
  return [{ code: m.code, message: m.format(what, name, actual, max, noun, stdlib.limits[name]?.ceiling) }];
}

/** The last check of each kept message (the daemon checks a message as it arrives, in its turn and in its input). */
const checked = new WeakMap<MessageJson, { rule: RuleLimits; size: number | undefined; problems: readonly InputProblem[] }>();

/** Every way `message` is over the rule's limits; empty when it may be run. `size` is the raw message's bytes. */
export function checkMessage(message: MessageJson, rule: RuleLimits = {}, size?: number): InputProblem[] {
  // A kept message (frozen through) checked against the same frozen limits gives the same answer.
  const keep = isKept(message) && Object.isFrozen(rule);
  const last = keep ? checked.get(message) : undefined;
  if (last && last.rule === rule && last.size === size) return [...last.problems];
  const problems = checkMessageNow(message, rule, size);
  if (keep) checked.set(message, { rule, size, problems: [...problems] });
  return problems;
}

/** `over` for a text's length in code points, counted only when its UTF-16 length is over the limit (it has no more code points than that). */
function overText(limits: RuleLimits, name: string, what: string, s: string, out: InputProblem[]): void {
  const max = limits[name]?.value;
  if (max === undefined || s.length <= max) return;
  for (const p of over(limits, name, what, codePoints(s), "characters")) out.push(p);
}

function checkMessageNow(message: MessageJson, rule: RuleLimits, size: number | undefined): InputProblem[] {
  const l = resolveLimits(rule);
  const out: InputProblem[] = [];
  if (size !== undefined) out.push(...over(l, "size", "its size", size, "bytes"));
  overText(l, "subject", "its subject", message.subject, out);
  overText(l, "text", "its text", message.text, out);
  if (message.html !== null) overText(l, "html", "its HTML body", message.html, out);
  out.push(...checkHeaderFields(message.headers, rule));
  // The Message-ID is read from its header field, checked above, when it is no longer than that field; a message given
  // as JSON may have only the field, or another `messageId` (5,000 characters beside a field of 5 passed).
  const idField = message.headers.find((f) => f[0].length === 10 && f[0].toLowerCase() === "message-id");
  if (idField === undefined || message.messageId.length > idField[1].length) overText(l, "header", "its Message-ID", message.messageId, out);
  out.push(...over(l, "recipients", "its number of To and Cc addresses", message.to.length + message.cc.length, "addresses"));
  // Fixed sizes the verifier assumes of every message (stdlib: an Address's maxLength, the envelope tag's bound).
  const fixed = (what: string, value: string | null | undefined, max: number): void => {
    // No more code points than UTF-16 units: a value that short is within `max` without counting.
    if (value !== null && value !== undefined && value.length > max && codePoints(value) > max) {
      const m = runtimeMessages.fieldTooLong;
      out.push({ code: m.code, message: m.format(what, codePoints(value), max) });
    }
  };
  fixed("its From address", message.from, MAX_ADDRESS_LENGTH);
  for (let i = 0; i < message.to.length; i++) fixed(`To address ${i + 1}`, message.to[i], MAX_ADDRESS_LENGTH);
  for (let i = 0; i < message.cc.length; i++) fixed(`Cc address ${i + 1}`, message.cc[i], MAX_ADDRESS_LENGTH);
  fixed("the envelope sender", message.envelope?.sender, MAX_ADDRESS_LENGTH);
  fixed("the envelope recipient", message.envelope?.recipient, MAX_ADDRESS_LENGTH);
  // The +tag is bounded in UTF-16 units, as the verifier reads Envelope.tag (a canonical local part is at most 316 of
  // them): counted in code points, a tag of emoji twice the bound in units passed and ran a rule past its gas bound.
  const tag = message.envelope?.tag;
  if (tag !== null && tag !== undefined && tag.length > TAG_MAX) {
    const m = runtimeMessages.fieldTooLong;
    out.push({ code: m.code, message: m.format("the envelope's +tag (in UTF-16 units: an emoji counts twice)", tag.length, TAG_MAX) });
  }
  out.push(...over(l, "attachments", "its number of attachments", message.attachments.length, "attachments"));
  // What the host decoded from the header fields (runtime/input/decode.ts keeps each within its raw field).
  const decoded = message.decoded ?? [];
  for (let i = 0; i < decoded.length; i++) {
    const v = decoded[i];
    // As forEach did: a hole is skipped (JSON has none).
    if (v === null || v === undefined) continue;
    overText(l, "header", `the decoded value of header field ${i + 1}`, v, out);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a decoded value is one line of text (runtime/input/decode.ts)
    if (/[\u0000-\u001f\u007f]|\p{Cs}/u.test(v)) {
      out.push({ code: runtimeMessages.badInput.code, message: runtimeMessages.badInput.format(`the decoded value of header field ${i + 1} has a control character or half a surrogate pair`) });
    }
  }
  if (message.decoded !== undefined && message.decoded.length !== message.headers.length) {
    out.push({ code: runtimeMessages.badInput.code, message: runtimeMessages.badInput.format(`the message has ${message.headers.length} header fields but ${message.decoded.length} decoded values`) });
  }
  overText(l, "header", "its From display name", message.fromName ?? "", out);
  fixed("its Reply-To address", message.replyTo, MAX_ADDRESS_LENGTH);
  for (let i = 0; i < message.attachments.length; i++) {
    const a = message.attachments[i]!;
    overText(l, "header", `the file name of attachment ${i + 1}`, a.filename ?? "", out);
    overText(l, "header", `the content type of attachment ${i + 1}`, a.contentType, out);
  }
  return out;
}

/**
 * The header block against `limits.headers` and `limits.header`: what parseEml checks before it parses any
 * field's content, so a To field of 60,000 addresses is refused in the time it takes to measure it.
 */
export function checkHeaderFields(headers: readonly (readonly [string, string])[], rule: RuleLimits = {}): InputProblem[] {
  const l = resolveLimits(rule);
  const out = over(l, "headers", "its number of header fields", headers.length, "fields");
  const max = l["header"]?.value;
  // A field has no more code points than UTF-16 units: when none is longer than the limit in units, none is over it.
  if (max === undefined) return out;
  let units = 0;
  for (let i = 0; i < headers.length; i++) units = Math.max(units, headers[i]![0].length, headers[i]![1].length);
  if (units <= max) return out;
  let longest: [string, number] | undefined;
  for (const [name, value] of headers) {
    const n = Math.max(codePoints(value), codePoints(name));
    if (longest === undefined || n > longest[1]) longest = [name, n];
  }
  if (longest) out.push(...over(l, "header", `its longest header field, ${longest[0]},`, longest[1], "characters"));
  return out;
}

/** The raw message's size against `limits.size`, before it is read. */
export function checkSize(size: number, rule: RuleLimits = {}): InputProblem[] {
  return over(resolveLimits(rule), "size", "its size", size, "bytes");
}

/** `limits.recipients`: the most To and Cc addresses a message may have. */
export function maxRecipients(rule: RuleLimits = {}): number {
  return resolveLimits(rule)["recipients"]?.value ?? Number.POSITIVE_INFINITY;
}

/** What is wrong with one member's fields, in words; undefined when nothing. */
export function memberFieldProblem(m: MemberJson): string | undefined {
  if (m.address.length > MAX_ADDRESS_LENGTH) return `the address is ${m.address.length} characters long; an address has at most ${MAX_ADDRESS_LENGTH}`;
  if (canonicalAddress(m.address) === undefined) return `${JSON.stringify(m.address)} is not an e-mail address`;
  if (m.name.length > MAX_NAME_UNITS) {
    return `the name is ${codePoints(m.name)} characters long; a name has at most ${MAX_NAME_UNITS} (characters beyond the Basic Multilingual Plane, such as emoji, count twice)`;
  }
  if (!ROLES.includes(m.role)) return `the role ${JSON.stringify(m.role)} is not one of ${ROLES.join(", ")}`;
  if (!Number.isSafeInteger(m.joined)) return `\`joined\` ${JSON.stringify(m.joined)} is not a time in epoch milliseconds`;
  if (m.bounces !== undefined && (!Number.isSafeInteger(m.bounces) || m.bounces < 0)) return `\`bounces\` ${JSON.stringify(m.bounces)} is not a count (a whole number, 0 or more)`;
  return undefined;
}

/** The members against `limits.members` and the fixed sizes; duplicates are reported too (the runtime would drop them). */
export function checkMembers(members: readonly MemberJson[], rule: RuleLimits = {}): InputProblem[] {
  const l = resolveLimits(rule);
  const out: InputProblem[] = [];
  const max = l["members"]?.value;
  if (max !== undefined && members.length > max) {
    const m = runtimeMessages.membersOverLimit;
    out.push({ code: m.code, message: m.format(members.length, max, stdlib.limits["members"]?.ceiling) });
  }
  const seen = new Set<string>();
  members.forEach((member, i) => {
    const where = `member ${i + 1} (${member.address})`;
    const bad = memberFieldProblem(member);
    const address = canonicalAddress(member.address);
    const reason = bad ?? (address !== undefined && seen.has(address) ? "the address is listed twice" : undefined);
    if (address !== undefined) seen.add(address);
    if (reason) out.push({ code: runtimeMessages.badMember.code, message: runtimeMessages.badMember.format(where, reason) });
  });
  return out;
}

/** The list's own settings: its address, name and owners. */
export function checkList(list: ListJson, rule: RuleLimits = {}): InputProblem[] {
  const reasons: string[] = [];
  if (canonicalAddress(list.address) === undefined) reasons.push(`its address ${JSON.stringify(list.address)} is not an e-mail address`);
  if (list.name.length > MAX_NAME_UNITS) {
    reasons.push(`its name is ${codePoints(list.name)} characters long; a name has at most ${MAX_NAME_UNITS} (characters beyond the Basic Multilingual Plane, such as emoji, count twice)`);
  }
  const badOwners = list.owners.filter((o) => canonicalAddress(o) === undefined);
  if (badOwners.length) reasons.push(`these owners are not e-mail addresses: ${badOwners.map((o) => JSON.stringify(o)).join(", ")}`);
  const max = resolveLimits(rule)["members"]?.value;
  if (max !== undefined && list.owners.length > max) reasons.push(`it has ${list.owners.length} owners, over limits.members = ${max}`);
  return reasons.map((r) => ({ code: runtimeMessages.badList.code, message: runtimeMessages.badList.format(r) }));
}
