/**
 * A new version of a rule against the deployed one: may it take over the
 * stored state? Pure functions of the two manifests (and, when given, the
 * stored data), for `thwonkc check NEW --against OLD.thwb` in CI and for the
 * daemon at redeploy.
 *
 * Allowed without looking at data: a new state field (it starts at its
 * initial value), a larger or removed `max`, `T` becoming `T?`, a new record
 * field whose type has a zero (stored records get it), a higher
 * `limits.members`. Refused: a changed type; a removed field or record field
 * (unless data loss is allowed); a lower `max`, `T?` becoming `T`, a new
 * record field without a zero, a lower `limits.members`, unless the stored
 * data (or member count) given shows it still fits. With data, the data is
 * migrated (`migrateState`) and checked by the one validator
 * (contract/state.ts checkSavedState): what it refuses is the reason.
 */
import { checkSavedState, describeStateProblem, stateTypeText, type SavedState, type StateFieldSchema, type StateType } from "../contract/state.js";
import type { Diagnostic, Span } from "./diagnostics/diagnostic.js";
import { emitMessages, makeDiagnostic } from "./diagnostics/catalog/index.js";
import type { MessageDef } from "./diagnostics/catalog/index.js";
import { BUNDLE_FORMAT, buildBundle, compileSource, contentHash, type Bundle, type Manifest } from "./emit/bundle.js";
import type { RuleUnit } from "./program.js";

/** What is compared of a version: its state schema and its member limit. */
export interface VersionSchema {
  state: readonly StateFieldSchema[];
  /** `limits.members` (undefined: not known, not compared). */
  members?: number | undefined;
}

export interface CompatOptions {
  /** Removed fields (and record fields) are dropped instead of refused (`--allow-data-loss`). */
  allowDataLoss?: boolean;
  /** The stored state: narrowing changes are then allowed when the data still fits. */
  state?: SavedState | undefined;
  /** The list's member count: a lower `limits.members` is then allowed when the list fits. */
  memberCount?: number | undefined;
}

/** One reason (or note) about the change, with the top-level state field it is about, if any. */
export interface CompatProblem {
  message: MessageDef<never[]>;
  args: unknown[];
  /** The state field the problem is about (for a position in the new source). */
  field?: string;
  /** About `limits.members`. */
  members?: true;
}

function problem<A extends unknown[]>(m: MessageDef<A>, args: A, where: { field?: string; members?: true } = {}): CompatProblem {
  return { message: m as unknown as MessageDef<never[]>, args, ...where };
}

/** Every reason `after` may not take over the state of `before` (errors), and what it drops (warnings). */
export function compareVersions(before: VersionSchema, after: VersionSchema, options: CompatOptions = {}): CompatProblem[] {
  const out: CompatProblem[] = [];
  const next = new Map(after.state.map((f) => [f.name, f.schema]));
  const withData = options.state !== undefined;
  for (const f of before.state) {
    const t = next.get(f.name);
    const path = `state.${f.name}`;
    if (t === undefined) {
      out.push(problem(options.allowDataLoss ? emitMessages.stateFieldDropped : emitMessages.stateFieldRemoved, [path, stateTypeText(f.schema)], { field: f.name }));
      continue;
    }
    compareTypes(f.schema, t, path, { field: f.name, withData, allowDataLoss: options.allowDataLoss === true, out });
  }
  if (options.state !== undefined) {
    // With the data, a dropped field (TW4026) is reported only where a value is stored: one the stored state does not
    // have (a field left out of a state set, added by a version no run has saved since, in an empty list or a none
    // record) loses nothing.
    if (options.allowDataLoss) {
      const stored = new Set(droppedPaths(before.state, after.state, options.state));
      const kept = out.filter((p) => p.message.code !== emitMessages.stateFieldDropped.code || stored.has(String(p.args[0])));
      out.splice(0, out.length, ...kept);
    }
    const migrated = migrateState(before.state, after.state, options.state);
    // Before the migration: what the deployed version itself would refuse is not the new version's fault, but it is
    // still no reason to redeploy; after it: what the new version's types refuse.
    for (const p of checkSavedState(after.state, migrated)) {
      out.push(problem(emitMessages.storedStateDoesNotFit, [describeStateProblem(p)], { field: fieldOf(p.path) }));
    }
  }
  if (before.members !== undefined && after.members !== undefined && after.members < before.members) {
    if (options.memberCount === undefined) out.push(problem(emitMessages.membersLowered, [before.members, after.members], { members: true }));
    else if (options.memberCount > after.members) {
      out.push(problem(emitMessages.storedStateDoesNotFit, [`the list has ${options.memberCount} members, over the new \`limits.members\` = ${after.members}`], { members: true }));
    }
  }
  return out;
}

interface Walk {
  field: string;
  withData: boolean;
  allowDataLoss: boolean;
  out: CompatProblem[];
}

function compareTypes(a: StateType, b: StateType, path: string, w: Walk): void {
  const changed = (): void => void w.out.push(problem(emitMessages.stateTypeChanged, [path, stateTypeText(a), stateTypeText(b)], { field: w.field }));
  // Narrowing is refused without data; with data, the validator decides on the migrated data.
  const narrowed = (): void => {
    if (!w.withData) w.out.push(problem(emitMessages.stateNarrowed, [path, stateTypeText(a), stateTypeText(b)], { field: w.field }));
  };
  if (b.kind === "opt") return compareTypes(a.kind === "opt" ? a.of : a, b.of, path, w);
  if (a.kind === "opt") {
    narrowed();
    return compareTypes(a.of, b, path, w);
  }
  if (a.kind !== b.kind) return changed();
  const lowered = (x: { max?: number }, y: { max?: number }): boolean => y.max !== undefined && (x.max === undefined || y.max < x.max);
  switch (a.kind) {
    case "string":
      if (lowered(a, b as typeof a)) narrowed();
      return;
    case "list": {
      const bl = b as typeof a;
      if (lowered(a, bl)) narrowed();
      return compareTypes(a.of, bl.of, `${path}[]`, w);
    }
    case "map": {
      const bm = b as typeof a;
      if (lowered(a, bm)) narrowed();
      // Keys are stored as text: a key type must stay exactly what it was (a key that becomes optional cannot be none).
      if (stateTypeText(a.key).replace(/ max \d+/g, "") !== stateTypeText(bm.key).replace(/ max \d+/g, "")) {
        w.out.push(problem(emitMessages.stateTypeChanged, [`${path} (its keys)`, stateTypeText(a.key), stateTypeText(bm.key)], { field: w.field }));
      } else compareTypes(a.key, bm.key, `${path} (its keys)`, w);
      return compareTypes(a.value, bm.value, `${path}[]`, w);
    }
    case "rec": {
      const br = b as typeof a;
      for (const [f, ft] of Object.entries(a.fields)) {
        const nt = Object.hasOwn(br.fields, f) ? br.fields[f] : undefined;
        if (nt === undefined) {
          w.out.push(problem(w.allowDataLoss ? emitMessages.stateFieldDropped : emitMessages.stateFieldRemoved, [`${path}.${f}`, stateTypeText(ft)], { field: w.field }));
        } else compareTypes(ft, nt, `${path}.${f}`, w);
      }
      for (const [f, ft] of Object.entries(br.fields)) {
        if (!Object.hasOwn(a.fields, f) && zeroOf(ft) === undefined && !w.withData) {
          w.out.push(problem(emitMessages.recordFieldWithoutZero, [`${path}.${f}`, stateTypeText(ft)], { field: w.field }));
        }
      }
      return;
    }
    default:
      return;
  }
}

/**
 * The stored state of `before`, as `after` reads it: fields `after` does not
 * have are dropped, records gain their new fields at their type's zero (none
 * for an optional; null where the type has no zero, which the validator then
 * refuses). New top-level fields stay absent: the rule starts them at their
 * initial values, which may compute. Call it only on a change
 * `compareVersions` allows; the daemon calls it at every load after a redeploy.
 */
export function migrateState(before: readonly StateFieldSchema[], after: readonly StateFieldSchema[], saved: SavedState): SavedState {
  // Not an object (a hand edit): kept as it is for the check before the run to refuse, not made into an empty state.
  if (typeof saved !== "object" || saved === null || Array.isArray(saved)) return saved;
  const old = new Map(before.map((f) => [f.name, f.schema]));
  const out: SavedState = {};
  for (const f of after) {
    if (!Object.hasOwn(saved, f.name)) continue;
    const t = old.get(f.name);
    // Defined, not assigned: a field named `__proto__` would set the object's prototype and its data would be lost.
    Object.defineProperty(out, f.name, { value: t === undefined ? saved[f.name] : migrateValue(t, f.schema, saved[f.name]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The fields (and record fields) of `before` that `after` does not have and whose values `saved` holds, each once,
 * named as `compareVersions` names them (`state.tag`, `state.notes[].likes`): what `migrateState` drops.
 */
export function droppedPaths(before: readonly StateFieldSchema[], after: readonly StateFieldSchema[], saved: SavedState): string[] {
  const out = new Set<string>();
  if (typeof saved !== "object" || saved === null || Array.isArray(saved)) return [];
  const next = new Map(after.map((f) => [f.name, f.schema]));
  for (const f of before) {
    if (!Object.hasOwn(saved, f.name)) continue;
    const t = next.get(f.name);
    if (t === undefined) out.add(`state.${f.name}`);
    else droppedIn(f.schema, t, saved[f.name], `state.${f.name}`, out);
  }
  return [...out];
}

function droppedIn(a: StateType, b: StateType, v: unknown, path: string, out: Set<string>): void {
  if (v === null || typeof v !== "object") return;
  const ai = a.kind === "opt" ? a.of : a;
  const bi = b.kind === "opt" ? b.of : b;
  if (ai.kind === "list" && bi.kind === "list" && Array.isArray(v)) {
    if (dropsNothing(ai.of, bi.of)) return;
    for (const x of v) droppedIn(ai.of, bi.of, x, `${path}[]`, out);
  } else if (ai.kind === "map" && bi.kind === "map" && !Array.isArray(v)) {
    if (dropsNothing(ai.value, bi.value)) return;
    for (const x of Object.values(v)) droppedIn(ai.value, bi.value, x, `${path}[]`, out);
  } else if (ai.kind === "rec" && bi.kind === "rec" && !Array.isArray(v)) {
    const r = v as Record<string, unknown>;
    for (const [f, ft] of Object.entries(ai.fields)) {
      if (!Object.hasOwn(r, f)) continue;
      const nt = Object.hasOwn(bi.fields, f) ? bi.fields[f] : undefined;
      if (nt === undefined) out.add(`${path}.${f}`);
      else droppedIn(ft, nt, r[f], `${path}.${f}`, out);
    }
  }
}

/** No record inside `a` loses a field in `b`: a list or map of them need not be walked (a state may hold thousands). */
function dropsNothing(a: StateType, b: StateType): boolean {
  const ai = a.kind === "opt" ? a.of : a;
  const bi = b.kind === "opt" ? b.of : b;
  if (ai.kind === "list" && bi.kind === "list") return dropsNothing(ai.of, bi.of);
  if (ai.kind === "map" && bi.kind === "map") return dropsNothing(ai.value, bi.value);
  if (ai.kind === "rec" && bi.kind === "rec") {
    return Object.entries(ai.fields).every(([f, ft]) => Object.hasOwn(bi.fields, f) && dropsNothing(ft, bi.fields[f]!));
  }
  return true;
}

function migrateValue(a: StateType, b: StateType, v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object") return v;
  const ai = a.kind === "opt" ? a.of : a;
  const bi = b.kind === "opt" ? b.of : b;
  if (ai.kind === "list" && bi.kind === "list" && Array.isArray(v)) return v.map((x) => migrateValue(ai.of, bi.of, x));
  if (ai.kind === "map" && bi.kind === "map" && !Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: migrateValue(ai.value, bi.value, x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  if (ai.kind === "rec" && bi.kind === "rec" && !Array.isArray(v)) {
    const r = v as Record<string, unknown>;
    const o: Record<string, unknown> = {};
    for (const [f, ft] of Object.entries(bi.fields)) {
      const value = Object.hasOwn(r, f) && Object.hasOwn(ai.fields, f) ? migrateValue(ai.fields[f]!, ft, r[f]) : Object.hasOwn(ai.fields, f) ? null : (zeroOf(ft) ?? null);
      Object.defineProperty(o, f, { value, enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
  return v;
}

/** A type's zero in the saved form (what a field without an initial value starts at); undefined when it has none. */
function zeroOf(t: StateType): unknown {
  switch (t.kind) {
    case "int":
    case "duration":
      return 0;
    case "bool":
      return false;
    case "string":
      return "";
    case "list":
      return [];
    case "map":
      return {};
    case "opt":
      return null;
    default:
      return undefined;
  }
}

/** `state.notes[3].body` → `notes`. */
function fieldOf(path: string): string | undefined {
  const m = /^state(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["((?:[^"\\]|\\.)*)"\])/.exec(path);
  return m ? (m[1] ?? JSON.parse(`"${m[2]}"`)) : undefined;
}

/** The schema of a manifest. */
export function versionSchema(m: Pick<Manifest, "state" | "limits">): VersionSchema {
  return { state: m.state, members: m.limits["members"]?.value };
}

/**
 * The schema of a deployed bundle, read from its text: its shape and sha256
 * checked (a changed bundle says nothing about what is deployed). A bundle
 * of this format has it in its manifest; an older one is recompiled from its
 * source by this compiler.
 */
export function deployedSchema(fileName: string, text: string, at: Span): { schema: VersionSchema | undefined; diagnostics: Diagnostic[] } {
  const fail = (d: Diagnostic): { schema: undefined; diagnostics: Diagnostic[] } => ({ schema: undefined, diagnostics: [d] });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(makeDiagnostic(emitMessages.malformedBundle, at, [e instanceof Error ? e.message : String(e)]));
  }
  const b = raw as Partial<Bundle>;
  if (typeof b !== "object" || b === null || typeof b.sha256 !== "string" || typeof b.manifest !== "object" || typeof b.source?.text !== "string") {
    return fail(makeDiagnostic(emitMessages.malformedBundle, at, [`${fileName} is not a bundle (no manifest, source or sha256)`]));
  }
  const { sha256, ...body } = b as Bundle;
  if (contentHash(body) !== sha256) return fail(makeDiagnostic(emitMessages.hashMismatch, at, []));
  if (b.format === BUNDLE_FORMAT && Array.isArray(b.manifest.state)) return { schema: versionSchema(b.manifest), diagnostics: [] };
  const again = compileSource(b.source.fileName, b.source.text);
  if (!again.bundle) return fail(makeDiagnostic(emitMessages.previousSchemaUnknown, at, [`its format is ${String(b.format)} and its source does not compile with this thwonkc`]));
  return { schema: versionSchema(again.bundle.manifest), diagnostics: [] };
}

/** Where a problem points in the new rule: the state field, `limits.members`, or the file's start. */
export interface CompatSpans {
  file: string;
  field(name: string): Span | undefined;
  members(): Span | undefined;
}

export function compatDiagnostics(problems: readonly CompatProblem[], spans: CompatSpans): Diagnostic[] {
  const start: Span = { file: spans.file, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  return problems.map((p) => {
    const at = (p.field !== undefined ? spans.field(p.field) : p.members ? spans.members() : undefined) ?? start;
    return makeDiagnostic(p.message, at, p.args as never[]);
  });
}

/** The positions of a checked rule's state fields and member limit. */
export function unitSpans(unit: RuleUnit): CompatSpans {
  const model = unit.check.model;
  return {
    file: unit.rule.fileName,
    field: (name) => model.state.find((f) => f.name === name)?.decl.span,
    members: () => model.limits.get("members")?.declared,
  };
}

/**
 * A checked rule (without errors) against the deployed bundle's text: the
 * diagnostics of every change the stored state could not take (errors) or
 * loses (warnings), in the new rule's source.
 */
export function checkAgainstDeployed(unit: RuleUnit, sourceText: string, deployed: { fileName: string; text: string }, options: CompatOptions = {}): Diagnostic[] {
  const at: Span = { file: deployed.fileName, start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  const before = deployedSchema(deployed.fileName, deployed.text, at);
  if (!before.schema) return before.diagnostics;
  const after = versionSchema(buildBundle(unit, sourceText).manifest);
  return compatDiagnostics(compareVersions(before.schema, after, options), unitSpans(unit));
}
