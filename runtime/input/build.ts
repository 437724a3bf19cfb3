/**
 * Assembling a run's input: the JSON `__thwonk_run(trigger, inputJson)`
 * reads. Everything is checked first; an input over the rule's limits is
 * refused with InputRefused, never run and never cut.
 */
import { runtimeMessages } from "../../contract/messages.js";
import { canonicalAddress } from "../../contract/values.js";
import { DEFAULT_LIST_ADDRESS } from "./eml.js";
import { InputRefused } from "./errors.js";
import { checkList, checkMembers, checkMessage, resolveLimits, runtimeLimits, type RuleLimits } from "./limits.js";
import { isKnownTimeZone, offsetTransitions, yearStart } from "./timezone.js";
import { keepJson, stringifyParts } from "./json-parts.js";
import type { BuiltInput, HandMadeInput, InputProblem, ListJson, MemberColumns, MemberJson, MessageJson, OffsetTable, RunInput } from "../../contract/input.js";

export interface BuildInputOptions {
  /** Arrival time (message) or scheduled time (schedule). Default: the clock; the CLI and the daemon pass it. */
  now?: number | Date | string;
  /** Gas for the run. Default: the rule's `limits.budget`. */
  gas?: number;
  /** IANA zone of `settings { timezone }`. Default UTC. */
  timeZone?: string;
  /** Default address `list@example.org`, name its local part, owners the members whose role is owner. */
  list?: Partial<ListJson>;
  members?: readonly MemberJson[];
  /** The stored state as the last run saved it; null or absent for a first run. */
  state?: Record<string, unknown> | null;
  /** The rule's limits; missing ones take the stdlib defaults. */
  limits?: RuleLimits;
  /** The message, for the `message` trigger (parseEml's `message`). */
  message?: MessageJson;
  /** The raw message's size in bytes, checked against `limits.size`. */
  messageSize?: number;
  /** Record each statement's value (thwonkc run --trace). */
  trace?: boolean;
  /** The span the offset table covers; default from a year before `now` to a year after. */
  tzRange?: [number, number];
}

/** The earliest time JavaScript can hold: the table's first offset stands for everything before its range. */
const MIN_TIME = -8.64e15;

export function buildInput(options: BuildInputOptions = {}): string {
  return JSON.stringify(assembleInput(options));
}

/** The input as an object (buildInput is its JSON); throws InputRefused. */
export function assembleInput(options: BuildInputOptions = {}): BuiltInput {
  const problems: InputProblem[] = [];
  const now = toMs(options.now ?? Date.now());
  const zone = options.timeZone ?? "UTC";
  const members = options.members ?? [];
  const part = membersPart(members, options.limits);
  const list = listOf(options.list, part.owners);
  problems.push(...checkList(list, options.limits), ...part.problems);
  if (options.message) problems.push(...checkMessage(options.message, options.limits, options.messageSize));
  if (!isKnownTimeZone(zone)) problems.push({ code: runtimeMessages.unknownTimeZone.code, message: runtimeMessages.unknownTimeZone.format(zone) });
  if (!Number.isFinite(now)) problems.push(badInput(`\`now\` ${JSON.stringify(options.now)} is not a time`));
  const gas = options.gas ?? resolveLimits(options.limits)["budget"]?.value ?? 0;
  if (!Number.isSafeInteger(gas) || gas < 0) problems.push(badInput(`the gas ${gas} is not a whole number ≥ 0`));
  if (problems.length) throw new InputRefused(problems);

  const input: BuiltInput = {
    gas,
    now,
    tz: offsetTable(zone, now, options.tzRange),
    list,
    members: part.columns,
    state: options.state ?? null,
    limits: runtimeLimits(options.limits),
  };
  if (options.message) input.message = options.message;
  if (options.trace) input.trace = true;
  return input;
}

/**
 * Members go to the sandbox in columns, each the values joined by newlines:
 * QuickJS splits four long strings far faster than it parses a thousand
 * records, and the code makes records only when a rule reads them.
 */
export function memberColumns(members: readonly MemberJson[]): MemberColumns {
  const line = (s: string): string => s.replace(/[\r\n]+/g, " ");
  return {
    address: members.map((m) => m.address).join("\n"),
    name: members.map((m) => line(m.name ?? "")).join("\n"),
    role: members.map((m) => m.role ?? "member").join("\n"),
    joined: members.map((m) => String(m.joined)).join("\n"),
    // Only when some member has bounced: the column is all zeros otherwise, and the prelude makes those itself.
    ...(members.some((m) => (m.bounces ?? 0) > 0) ? { bounces: members.map((m) => String(m.bounces ?? 0)).join("\n") } : {}),
  };
}

/**
 * An input as the sandbox takes it: the JSON, and the members' columns apart,
 * so that a reused context keeps them between runs while the list stays the
 * same (runtime/sandbox). Members given as records, with a NUL anywhere, or one member without a name
 * (the engine reads C strings), stay in the JSON.
 */
export function encodeInput(input: RunInput | HandMadeInput): { inputJson: string; members?: MemberColumns } {
  const { members, ...rest } = input as { members?: unknown };
  if (!isColumns(members)) return { inputJson: stringifyParts(input as unknown as Record<string, unknown>) };
  return { inputJson: stringifyParts(rest), members };
}

function isColumns(m: unknown): m is MemberColumns {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
  const c = m as Record<string, unknown>;
  const strings = (["address", "name", "role", "joined"] as const).every((k) => typeof c[k] === "string" && !(c[k] as string).includes("\0"));
  // One member without a name has a name column of "", which the sandbox's shared columns read as no entries:
  // such a list goes in the JSON, where the compiled code reads the columns by the address column's count.
  return strings && !(c["address"] !== "" && c["name"] === "");
}

function toMs(t: number | Date | string): number {
  return typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : t.getTime();
}

function badInput(detail: string): InputProblem {
  return { code: runtimeMessages.badInput.code, message: runtimeMessages.badInput.format(detail) };
}

function listOf(given: Partial<ListJson> = {}, owners: readonly string[]): ListJson {
  const raw = given.address ?? DEFAULT_LIST_ADDRESS;
  const address = canonicalAddress(raw) ?? raw; // checkList reports it when it is not an address
  return {
    address,
    name: given.name ?? address.slice(0, Math.max(0, address.lastIndexOf("@"))),
    owners: (given.owners ?? owners).map((o) => canonicalAddress(o) ?? o),
  };
}

/** What a run's input takes from the members: their problems against the limits, their columns, the owners. */
interface MembersPart {
  problems: readonly InputProblem[];
  columns: MemberColumns;
  owners: readonly string[];
}

/**
 * Worked out once per members array when it is frozen (the daemon freezes a list's members as loaded, and a
 * change loads new ones), per limits object (frozen per bundle): a run of a list of 10,000 members would
 * otherwise check and join them all again for every message.
 */
const membersParts = new WeakMap<readonly MemberJson[], Map<RuleLimits | undefined, MembersPart>>();

function membersPart(members: readonly MemberJson[], limits: RuleLimits | undefined): MembersPart {
  const make = (): MembersPart => ({
    problems: checkMembers(members, limits),
    columns: memberColumns(members),
    owners: members.filter((m) => m.role === "owner").map((m) => m.address),
  });
  if (!Object.isFrozen(members) || (limits !== undefined && !Object.isFrozen(limits))) return make();
  let byLimits = membersParts.get(members);
  // Kept only when each member is frozen as well (a frozen array of members that can still change is checked each
  // time); frozen stays frozen, so a kept part needs no look at them again.
  if (!byLimits && !members.every((m) => Object.isFrozen(m))) return make();
  if (!byLimits) membersParts.set(members, (byLimits = new Map()));
  let part = byLimits.get(limits);
  if (!part) {
    part = make();
    Object.freeze(part.columns);
    byLimits.set(limits, part);
  }
  return part;
}

/** The tables of whole UTC years around a year, per zone: the same (frozen, its JSON kept) for every run that year. */
const tables = new Map<string, OffsetTable>();

/** Whole UTC years around `now`, so the per-year cache in timezone.ts is hit across runs. */
function offsetTable(zone: string, now: number, range?: [number, number]): OffsetTable {
  const year = new Date(now).getUTCFullYear();
  const key = range ? undefined : `${zone}\u0000${year}`;
  const kept = key === undefined ? undefined : tables.get(key);
  if (kept) return kept;
  const [from, to] = range ?? [yearStart(year - 1), yearStart(year + 2) - 1];
  const table = offsetTransitions(zone, from, to);
  table[0]![0] = MIN_TIME;
  if (key === undefined) return table;
  if (tables.size >= 1024) tables.delete(tables.keys().next().value!);
  tables.set(key, keepJson(table));
  return table;
}
