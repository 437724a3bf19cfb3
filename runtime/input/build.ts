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
import { keepJson, keptJson, stringifyParts } from "./json-parts.js";
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
  const { list, problems: listProblems } = listPart(part, options.list, options.limits);
  problems.push(...listProblems, ...part.problems);
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

/**
 * encodeInput of `{ ...input, gas, fanout }` (a trigger's bounds put in: runtime/run/run-rule.ts), written without
 * the two copies: the same keys in the same order (an own `gas` or `fanout` keeps its place, new ones come last).
 */
export function encodeInputWith(input: RunInput | HandMadeInput, gas: number, fanout: number): { inputJson: string; members?: MemberColumns } {
  const o = input as unknown as Record<string, unknown>;
  const members = o["members"];
  const columns = isColumns(members);
  let out = "";
  let hasGas = false;
  let hasFanout = false;
  for (const k of Object.keys(o)) {
    let v = o[k];
    if (k === "gas") (v = gas), (hasGas = true);
    else if (k === "fanout") (v = fanout), (hasFanout = true);
    else if (k === "members" && columns) continue;
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (out ? "," : "{") + JSON.stringify(k) + ":" + keptJson(v);
  }
  if (!hasGas) out += (out ? "," : "{") + '"gas":' + JSON.stringify(gas);
  if (!hasFanout) out += (out ? "," : "{") + '"fanout":' + JSON.stringify(fanout);
  const inputJson = out + "}";
  return columns ? { inputJson, members: members as MemberColumns } : { inputJson };
}

/** isColumns' answer for frozen columns (a list's, kept across its runs: membersPart): its columns are not read again. */
const columnsChecked = new WeakMap<object, boolean>();

function isColumns(m: unknown): m is MemberColumns {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return false;
  const kept = columnsChecked.get(m);
  if (kept !== undefined) return kept;
  const answer = isColumnsNow(m);
  if (Object.isFrozen(m)) columnsChecked.set(m, answer);
  return answer;
}

function isColumnsNow(m: object): boolean {
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
  /** The list as its runs' inputs give it (frozen, its JSON kept), by address and name: for a kept part only. */
  lists?: Map<string, { list: ListJson; problems: readonly InputProblem[] }>;
}

/**
 * The input's list and its problems. For a list given by address and name (the owners its members'), with members
 * kept (membersPart), made once: the same list each run of a list, its JSON kept, its addresses not read again.
 */
function listPart(part: MembersPart, given: Partial<ListJson> | undefined, limits: RuleLimits | undefined): { list: ListJson; problems: readonly InputProblem[] } {
  const address = given?.address;
  const name = given?.name;
  const plain = part.lists !== undefined && given?.owners === undefined && typeof address === "string" && (name === undefined || typeof name === "string");
  const key = plain ? `${address}\u0000${name === undefined ? "" : `=${name}`}` : undefined;
  const kept = key === undefined ? undefined : part.lists!.get(key);
  if (kept) return kept;
  const list = listOf(given, part.owners);
  const made = { list, problems: checkList(list, limits) };
  if (key !== undefined) {
    if (part.lists!.size >= 64) part.lists!.clear();
    Object.freeze(list.owners);
    part.lists!.set(key, { list: keepJson(list), problems: made.problems });
  }
  return made;
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
    part.lists = new Map();
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
