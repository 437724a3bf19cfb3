/**
 * A rule's state as it crosses the contract: the emitter describes each
 * field's type (emitter.ts `descriptor`), the compiled code loads and saves
 * by that description (`__load`/`__save` in contract/prelude/library.js),
 * and hosts keep the saved form between runs.
 *
 * The bundle's manifest keeps each field's full type with every bound
 * (`StateType`), and every host checks saved state against it before a run
 * (`checkSavedState`): the daemon's store, `thwonkc run --state`, a test's
 * given state. Bad state is refused with the path of the bad part, so the
 * rule never sees a value its type does not allow.
 */
import { runtimeMessages } from "./messages.js";
import { canonicalAddress } from "./values.js";

/** A scalar field's type. */
export type ScalarDescriptor = "int" | "bool" | "string" | "address" | "time" | "duration";

/** How a state field's value is stored: scalars by name, the rest by their parts. */
export type StateDescriptor =
  | ScalarDescriptor
  | readonly ["list", StateDescriptor]
  | readonly ["map", StateDescriptor, StateDescriptor]
  | readonly ["opt", StateDescriptor]
  | readonly ["rec", Readonly<Record<string, StateDescriptor>>];

/**
 * A state type in full: the descriptor's shape with every declared `max`
 * (characters of a string, entries of a list or map) at any depth, and a
 * record's name. `max` is absent where none is declared.
 */
export type StateType =
  | { readonly kind: "int" | "bool" | "address" | "time" | "duration" }
  | { readonly kind: "string"; readonly max?: number }
  | { readonly kind: "list"; readonly of: StateType; readonly max?: number }
  | { readonly kind: "map"; readonly key: StateType; readonly value: StateType; readonly max?: number }
  | { readonly kind: "opt"; readonly of: StateType }
  | { readonly kind: "rec"; readonly name?: string; readonly fields: Readonly<Record<string, StateType>> };

/** A state field as the manifest lists it: enough to check saved state without the source. */
export interface StateFieldSchema {
  readonly name: string;
  readonly schema: StateType;
}

/**
 * State as saved between runs, field by field: maps as objects keyed by
 * canonical strings, times ISO 8601 UTC, none as null.
 */
export type SavedState = Record<string, unknown>;

/**
 * A list's state as thwonkd answers it and `thwonkc state ADDRESS --json` prints it:
 * `{ "thwonk-state": 1, address, state, hash, initial, note? }`. The key is
 * what tells that answer from a bare state (`thwonkc state set` takes both):
 * a state field's name is an identifier, which has no `-`, so no rule's
 * state can have it, even one whose fields are `address`, `state` and `hash`.
 * Its value is the answer's version.
 */
export const STATE_ANSWER_KEY = "thwonk-state";
export const STATE_ANSWER_VERSION = 1;

/**
 * What `thwonkc run --json` prints is marked the same way: `{ "thwonk-run": 1, actions, state, gas, error, trace }`,
 * so `run --state` and `check --state` take a run's whole output by this key alone, never by the names of its
 * other keys (a rule's state may well have fields `actions`, `gas` and `state`). The value is the output's version.
 */
export const RUN_OUTPUT_KEY = "thwonk-run";
export const RUN_OUTPUT_VERSION = 1;

/** The keys of what `run --json` printed before it had RUN_OUTPUT_KEY. */
const OLD_RUN_KEYS = ["actions", "error", "gas", "state", "trace"];

/**
 * What a state file holds, parsed: the state alone (`from` "state"); the answer `thwonkc state ADDRESS --json`
 * prints, told by STATE_ANSWER_KEY, whose `state` it gives (null: none stored); or what `thwonkc run --json`
 * printed, told by RUN_OUTPUT_KEY, whose `state` it gives (null: the run failed). `unread`: such a file this
 * version does not read (another version, or none with a `state`). `thwonkc state set` reads the state and the
 * answer, `thwonkc check --state` and `thwonkc run --state` all three.
 *
 * `declared` (the rule's state fields, where the host knows the rule) also reads a run's output from before the
 * marker: an object with `actions` (a list), `gas` (an object) and `state`, and no keys but those and `error` and
 * `trace`, one of which the rule does not declare. As a state such a file could only be refused (a field the rule
 * does not have), so it is read as the run's output; where the rule declares every key the file has, it is the
 * rule's state, as it is. Without `declared` (`state set`: the server knows the rule) only the marker counts.
 */
export function stateOfFile(
  v: unknown,
  declared?: readonly string[],
): { state: unknown; from: "state" | "answer" | "run" } | { unread: "version" | "noState"; from: "answer" | "run"; version: unknown } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { state: v, from: "state" };
  const a = v as Record<string, unknown>;
  for (const [key, current, from] of [
    [STATE_ANSWER_KEY, STATE_ANSWER_VERSION, "answer"],
    [RUN_OUTPUT_KEY, RUN_OUTPUT_VERSION, "run"],
  ] as const) {
    if (!Object.hasOwn(a, key)) continue;
    const version = a[key];
    if (version !== current) return { unread: "version", from, version };
    if (!Object.hasOwn(a, "state")) return { unread: "noState", from, version };
    return { state: a["state"], from };
  }
  if (declared !== undefined && isOldRunOutput(a, declared)) return { state: a["state"], from: "run" };
  return { state: v, from: "state" };
}

function isOldRunOutput(a: Record<string, unknown>, declared: readonly string[]): boolean {
  const keys = Object.keys(a);
  const gas = a["gas"];
  return (
    keys.every((k) => OLD_RUN_KEYS.includes(k)) &&
    Object.hasOwn(a, "state") &&
    Array.isArray(a["actions"]) &&
    typeof gas === "object" &&
    gas !== null &&
    !Array.isArray(gas) &&
    keys.some((k) => !declared.includes(k))
  );
}

/** One thing wrong with saved state: where (`state.notes[3].body`) and what. */
export interface StateProblem {
  path: string;
  problem: string;
}

/** `state.bumps: expected int, got "lots"`. */
export function describeStateProblem(p: StateProblem): string {
  return `${p.path}: ${p.problem}`;
}

/**
 * What a host says when it refuses stored state before a run: one line per
 * problem, `TW5070 The stored state does not fit ...: state.bumps: expected
 * int, got "lots". ...`; [] when the state fits.
 */
export function stateRefusals(fields: readonly StateFieldSchema[], saved: unknown): string[] {
  // Built by push: a `.map()` array is holey or packed depending on whether V8 optimized the mapping, and the daemon's
  // hot path reading both kinds deoptimizes each time the kind changes (test/runtime/packed-actions.test.ts).
  const out: string[] = [];
  for (const p of checkSavedState(fields, saved)) out.push(`${runtimeMessages.badState.code} ${runtimeMessages.badState.format(describeStateProblem(p))}`);
  return out;
}

/** The type as the language writes it: `Map<Address, List<string max 80> max 10> max 500`. */
export function stateTypeText(t: StateType): string {
  const max = "max" in t && t.max !== undefined ? ` max ${t.max}` : "";
  switch (t.kind) {
    case "int":
    case "bool":
      return t.kind;
    case "address":
      return "Address";
    case "time":
      return "Time";
    case "duration":
      return "Duration";
    case "string":
      return `string${max}`;
    case "list":
      return `List<${stateTypeText(t.of)}>${max}`;
    case "map":
      return `Map<${stateTypeText(t.key)}, ${stateTypeText(t.value)}>${max}`;
    case "opt":
      return `${stateTypeText(t.of)}?`;
    case "rec":
      return t.name ?? `{ ${Object.entries(t.fields).map(([k, f]) => `${k}: ${stateTypeText(f)}`).join(", ")} }`;
  }
}

/** At most this many problems are reported: the first ones say what is wrong. */
const MAX_PROBLEMS = 20;

/**
 * What is wrong with `saved` as the state of a rule whose fields are
 * `fields`: [] when it fits every type and bound. A field absent from
 * `saved` is not a problem (it starts at its initial value); a field the
 * rule does not declare is. The walk follows the types, so a value nested
 * deeper than its type is refused where the type ends.
 */
export function checkSavedState(fields: readonly StateFieldSchema[], saved: unknown): StateProblem[] {
  const out: StateProblem[] = [];
  if (!isPlainObject(saved)) return [{ path: "state", problem: `expected an object of the state's fields, got ${shown(saved)}` }];
  const byName = new Map(fields.map((f) => [f.name, f.schema]));
  for (const k of Object.keys(saved)) {
    if (out.length >= MAX_PROBLEMS) break;
    const t = byName.get(k);
    if (t === undefined) out.push({ path: `state${member(k)}`, problem: `not a field of the rule's state (its fields: ${fields.map((f) => f.name).join(", ") || "none"})` });
    else checkValue(t, saved[k], `state${member(k)}`, out);
  }
  return out;
}

function checkValue(t: StateType, v: unknown, path: string, out: StateProblem[]): void {
  if (out.length >= MAX_PROBLEMS) return;
  const bad = (problem: string): void => void out.push({ path, problem });
  const expected = (): void => bad(`expected ${stateTypeText(t)}, got ${shown(v)}`);
  if (t.kind === "opt") {
    if (v !== null) checkValue(t.of, v, path, out);
    return;
  }
  switch (t.kind) {
    case "int":
    case "duration":
      if (!Number.isSafeInteger(v)) expected();
      return;
    case "bool":
      if (typeof v !== "boolean") expected();
      return;
    case "string":
      if (typeof v !== "string") return expected();
      if (t.max !== undefined && v.length > t.max) {
        const n = [...v].length;
        if (n > t.max) bad(`${n} characters, over its declared max ${t.max}`);
      }
      return;
    case "address":
      if (typeof v !== "string" || canonicalAddress(v) === undefined) expected();
      return;
    case "time":
      if (!isSavedTime(v)) expected();
      return;
    case "list":
      if (!Array.isArray(v)) return expected();
      if (t.max !== undefined && v.length > t.max) return bad(`${v.length} entries, over its declared max ${t.max}`);
      for (let i = 0; i < v.length && out.length < MAX_PROBLEMS; i++) checkValue(t.of, v[i], `${path}[${i}]`, out);
      return;
    case "map": {
      if (!isPlainObject(v)) return expected();
      const keys = Object.keys(v);
      if (t.max !== undefined && keys.length > t.max) return bad(`${keys.length} entries, over its declared max ${t.max}`);
      // Keys spelled other than as saved, by value: a run loads each key as its value, and two spellings of one
      // value (state written by hand: `ANN@x` and `ann@x`) would be folded into one entry, the other's value lost.
      let spelled: Map<string, string> | undefined;
      for (const k of keys) {
        if (out.length >= MAX_PROBLEMS) return;
        const at = `${path} (the key ${quoted(k)})`;
        const value = checkKey(t.key, k, at, out);
        if (value !== undefined && value !== k) {
          const other = Object.hasOwn(v, value) ? value : spelled?.get(value);
          if (other !== undefined) out.push({ path: at, problem: `the same key as ${JSON.stringify(other)}: a run would keep one of their entries` });
          (spelled ??= new Map()).set(value, k);
        }
        checkValue(t.value, v[k], `${path}[${JSON.stringify(k)}]`, out);
      }
      return;
    }
    case "rec": {
      if (!isPlainObject(v)) return expected();
      for (const [f, ft] of Object.entries(t.fields)) {
        if (!Object.hasOwn(v, f)) bad(`the record has no field \`${f}\` (${stateTypeText(ft)})`);
        else checkValue(ft, v[f], `${path}${member(f)}`, out);
      }
      for (const f of Object.keys(v)) if (!Object.hasOwn(t.fields, f)) out.push({ path: `${path}${member(f)}`, problem: `not a field of ${stateTypeText(t)}` });
      return;
    }
  }
}

/**
 * `saved` without what an older host stored at an address the one address rule now refuses (contract/values.ts
 * INVISIBLE: `bob<U+200B>@example.org`, taken before the rule refused it): a map's entries keyed by such an
 * address or holding one as their value, a list's elements that are or hold one (a record with such an `Address`
 * field goes whole), and an optional address (`Address?`) is none. As a list's members at one are left out of its
 * runs (runtime/daemon/run-commit.ts frozen), so is this: kept, the whole state was refused (TW5070) and every run of
 * the list failed until an owner reset it. `left` names what was left out, by path; `state` is `saved` itself when
 * nothing was. Only a state field that must hold one (`state x: Address`, or a record that must) is left for
 * checkSavedState to refuse, by its path: there is nothing it could become.
 */
export function withoutRefusedAddresses(fields: readonly StateFieldSchema[], saved: SavedState): { state: SavedState; left: string[] } {
  const left: string[] = [];
  if (!isPlainObject(saved)) return { state: saved, left };
  const byName = new Map(fields.map((f) => [f.name, f.schema]));
  let out: SavedState | undefined;
  for (const k of Object.keys(saved)) {
    const t = byName.get(k);
    if (t === undefined) continue;
    const v = pruned(t, saved[k], `state${member(k)}`, left);
    if (v !== saved[k] && v !== REFUSED) (out ??= { ...saved })[k] = v;
  }
  return { state: out ?? saved, left };
}

/** Whether `v`, of type `t`, is an address the one address rule refuses. */
function refusedAddress(t: StateType, v: unknown): boolean {
  const inner = t.kind === "opt" ? t.of : t;
  return inner.kind === "address" && typeof v === "string" && canonicalAddress(v) === undefined;
}

/** What `pruned` gives for a value that cannot stay and has no "none" to become: its container drops it. */
const REFUSED: unique symbol = Symbol("refused");

/**
 * `v` without what is at a refused address. A value that is itself such an address, or a record that must hold
 * one (an `Address` field), is REFUSED: an optional one becomes none, a list's element or a map's entry goes, and a
 * state field's is kept as it is for checkSavedState to refuse by its path (a state field cannot go).
 */
function pruned(t: StateType, v: unknown, path: string, left: string[]): unknown {
  if (t.kind === "opt") {
    if (v === null) return v;
    const p = pruned(t.of, v, path, left);
    if (p !== REFUSED) return p;
    left.push(path);
    return null;
  }
  if (t.kind === "address") return refusedAddress(t, v) ? REFUSED : v;
  if (t.kind === "list" && Array.isArray(v)) {
    let copy: unknown[] | undefined;
    v.forEach((e, i) => {
      // An element that is a refused address goes, even where it could be none: as it always has.
      const p = refusedAddress(t.of, e) ? REFUSED : pruned(t.of, e, `${path}[${i}]`, left);
      if (p === REFUSED) {
        left.push(`${path}[${i}]`);
        copy ??= v.slice(0, i);
        return;
      }
      if (copy === undefined && p !== e) copy = v.slice(0, i);
      copy?.push(p);
    });
    return copy ?? v;
  }
  if (t.kind === "map" && isPlainObject(v)) {
    let copy: Record<string, unknown> | undefined;
    for (const k of Object.keys(v)) {
      const at = `${path}[${JSON.stringify(k)}]`;
      const p = refusedAddress(t.key, k) ? REFUSED : pruned(t.value, v[k], at, left);
      if (p === REFUSED) {
        left.push(refusedAddress(t.key, k) ? `${path} (the key ${quoted(k)})` : at);
        copy ??= { ...v };
        delete copy[k];
        continue;
      }
      if (p !== v[k]) (copy ??= { ...v })[k] = p;
    }
    return copy ?? v;
  }
  if (t.kind === "rec" && isPlainObject(v)) {
    let copy: Record<string, unknown> | undefined;
    for (const [f, ft] of Object.entries(t.fields)) {
      if (!Object.hasOwn(v, f)) continue;
      const p = pruned(ft, v[f], `${path}${member(f)}`, left);
      if (p === REFUSED) return REFUSED;
      if (p !== v[f]) (copy ??= { ...v })[f] = p;
    }
    return copy ?? v;
  }
  return v;
}

/**
 * A map's key is saved as a string: the canonical text of a value of the key type. Its spelling as a run saves it
 * (the prelude's __loadKey, then __saveKey), the one spelling of its value; undefined when it is no such value.
 */
function checkKey(t: StateType, k: string, path: string, out: StateProblem[]): string | undefined {
  const inner = t.kind === "opt" ? t.of : t;
  const expected = (): undefined => void out.push({ path, problem: `expected ${stateTypeText(inner)} as a key, got ${quoted(k)}` });
  // As checkValue says it of a value of the type.
  const notValue = (): undefined => void out.push({ path, problem: `expected ${stateTypeText(inner)}, got ${shown(k)}` });
  switch (inner.kind) {
    case "int":
    case "duration":
      // Not `-0`: it is the key 0, which a run saves as "0" (and would fold the two into one entry).
      return /^(0|-?[1-9]\d*)$/.test(k) && Number.isSafeInteger(Number(k)) ? k : expected();
    case "bool":
      return k === "true" || k === "false" ? k : expected();
    case "address":
      return canonicalAddress(k) ?? notValue();
    case "time":
      if (!isSavedTime(k)) return notValue();
      // The saved form, checked first: a key saved by a run costs no Date. A run reads a time within the years 0000
      // to 9999 (the prelude's __clampTime): one outside saves as the nearest end.
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(k) ? k : new Date(Math.min(Math.max(Date.parse(k), TIME_MIN), TIME_MAX)).toISOString();
    default: {
      const n = out.length;
      checkValue(inner, k, path, out);
      return out.length === n ? k : undefined;
    }
  }
}

/** The first and last milliseconds of the years 0000 to 9999 (the prelude's __T_MIN and __T_MAX). */
const TIME_MIN = -62167219200000;
const TIME_MAX = 253402300799999;

const ISO_TIME = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A time is saved as ISO 8601 (the prelude also loads a number of milliseconds). */
function isSavedTime(v: unknown): boolean {
  if (typeof v === "number") return Number.isSafeInteger(v) && Math.abs(v) <= 8.64e15;
  return typeof v === "string" && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `.name`, or `["odd key"]` for a name that is not an identifier. */
function member(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${quoted(k)}]`;
}

/**
 * A character a person cannot see in a problem's text: a format or private-use character, a separator other than the
 * space, a variation selector, a filler (what contract/values.ts INVISIBLE refuses in an address, and more).
 */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is escaped on its own, U+034F (a mark) too
const HIDDEN = /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0\u{e0100}-\u{e01ef}]/gu;

/** A text as JSON, each character nobody could see written as its escape (`"bob\u200b@example.org"`), still JSON. */
function quoted(s: string): string {
  return JSON.stringify(s).replace(HIDDEN, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""));
}

/** A value as a problem shows it: short JSON for scalars, what kind for the rest. */
function shown(v: unknown): string {
  if (v === null) return "null (none)";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `a list (${v.length} entries)`;
  if (typeof v === "object") return "an object";
  const s = typeof v === "string" ? quoted(v) : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
