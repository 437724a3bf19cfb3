/**
 * The bundle (`.thwb`): one JSON file holding the manifest, the source and
 * the gas-instrumented code, with a sha256 over the rest in a canonical
 * form. The compiler is deterministic — the same source and compiler give
 * the same bundle byte for byte — so a receiver can recompile the source
 * and refuse a bundle whose code or bounds differ.
 */
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { emitMessages, makeDiagnostic } from "../diagnostics/catalog/index.js";
import { checkSources, type RuleUnit } from "../program.js";
import { typeToString } from "../semantic/types.js";
import { triggerCostJson } from "../verify/index.js";
import { stdlib } from "../../stdlib/index.js";
import { COMPILER_VERSION } from "../version.js";
import { emitRule, stateType, triggerKey, type SourceMapping } from "./emitter.js";
import { sha256Hex } from "./sha256.js";
import type { StateFieldSchema, StateType } from "../../contract/state.js";
import { jsonDepth, MAX_JSON_DEPTH } from "../../contract/values.js";

// 2: the manifest's state keeps each field's full type with every bound (`schema`), and the zone data a rule
// with a time zone was compiled against (`zoneData`).
export const BUNDLE_FORMAT = "thwonk-bundle/2";
/** quickjs-emscripten cannot serialize QuickJS bytecode: the code is JavaScript the runtime compiles once per context. */
// 2: the code starts with the prelude (run once per context) and `__thwonk_run` takes the members apart.
// 4: the prelude's text is built from contract/prelude/library.js and driver.js.
// 5: each trigger's memory bound in the manifest, the run's memory limit the rule's own.
// 6: keys are data (records, state and saved maps are null-prototype objects); Duration sums are checked (TW5011).
// 7: loading and saving state is charged (`__stateUnitGas` per unit, driver.js), so a bound without it is too low;
//    the prelude's string and time functions rewritten (cost table 4).
// 8: the driver marks an engine error (a TypeError) with the bundle lines on its stack, for the host to place it.
// 9: the message has `approved` (moderation: true when the daemon runs a held message an owner approved).
// 10: `forward` takes `subject` and `footer`, `send` takes `thread` (the emitted calls changed).
// 11: members carry `bounces` (a fifth column, optional in the input; the prelude's records have the field).
// 12: characters are code points: `length` counts them (cost table 9); matches and toInt; headers decoded by the host.
// 14: the rule's code runs inside one prelude shared by a context's bundles: the driver reads `<input>` frames too.
// 15: the driver is part of the prelude (compiled once per context): the rule's code starts with its entry point,
//     `__thwonk_run` handing `__drive` its definitions, and no longer ends with the driver.
// 16: a test's `range` past its cap is reported at the call (the emitted `__range` takes its line and column).
// 17: the prelude reads a run faster (addresses kept by string, a message's header index made when first used).
// 18: a send's and a forward's list headers are added by the host (runtime/run/list-headers.ts), not in the run's output.
// 19: Time ± Duration is checked (`__ta`, TW5011 outside years 0000–9999), so every time a rule makes can be saved.
// 20: an address's local part may pass 64 units (`__canonical`: the whole address at most 320, as contract/values.ts).
export const CODE_TARGET = "quickjs-js/20";

export interface ManifestTrigger {
  /** What the runtime calls it: `message`, `every day at 00:00`. */
  name: string;
  kind: "on" | "every";
  schedule: { unit: string | null; intervalMs: number | null; atMinutes: number | null } | null;
  gasBound: number;
  fanoutBound: number;
  /** The worst-case memory of a run, in bytes (compiler/verify/memory.ts); the run's memory limit is the rule's `limits.memory`. */
  memoryBound: number;
  capabilities: string[];
  recipients: string[];
  /** The verifier's explanation (formula, terms, assumptions) as `check --cost --format json` gives it. */
  cost: unknown;
}

export interface Manifest {
  format: string;
  rule: string;
  compiler: string;
  stdlib: string;
  costTable: string;
  target: string;
  triggers: ManifestTrigger[];
  capabilities: string[];
  /**
   * The state schema: each field's type as written (`type`) and in full with every bound (`schema`), so
   * stored state can be checked (contract/state.ts checkSavedState) and a redeploy that would break it
   * refused (compiler/compat.ts).
   */
  state: ManifestStateField[];
  /**
   * The version of the IANA zone data (`process.versions.tz`) the rule was compiled against, when its time
   * zone is not UTC: whether the zone is known, and its offsets, come from the host's ICU. Null for UTC.
   */
  zoneData: string | null;
  /** Every limit the rule runs under (declared or default), in the unit it is declared in. */
  limits: Record<string, { value: number; unit: string; declared: boolean }>;
  settings: Record<string, string>;
}

export interface ManifestStateField extends StateFieldSchema {
  name: string;
  type: string;
  schema: StateType;
}

/**
 * The zone data of this host's ICU (Node's `process.versions.tz`): the compiler reads zones through `Intl`,
 * so it records which data it read. Undefined on a host that does not say.
 */
export function hostZoneData(): string | null {
  const p = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process;
  return p?.versions?.["tz"] ?? null;
}

export interface Bundle {
  format: string;
  manifest: Manifest;
  source: { fileName: string; text: string };
  code: { target: string; text: string; sourceMap: SourceMapping[] };
  sha256: string;
}

/** JSON with sorted keys and no spaces: what the sha256 covers. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

export function contentHash(b: Omit<Bundle, "sha256">): string {
  return sha256Hex(canonicalJson({ format: b.format, manifest: b.manifest, source: b.source, code: b.code }));
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** A bundle for a checked and verified rule (no errors). */
export function buildBundle(unit: RuleUnit, sourceText: string): Bundle {
  const verify = unit.verify;
  if (!verify) throw new Error("buildBundle needs a verified rule without errors");
  const model = unit.check.model;
  const emitted = emitRule(unit.rule, model);
  const costs = new Map(verify.triggers.map((t) => [t.name, t]));
  const triggers: ManifestTrigger[] = model.triggers.map((t) => {
    const name = t.kind === "on" ? `on ${t.event}` : `every ${t.schedule.text}`;
    const c = costs.get(name)!;
    return {
      name: triggerKey(t),
      kind: t.kind,
      schedule: t.kind === "every" ? { unit: t.schedule.unit ?? null, intervalMs: t.schedule.intervalMs ?? null, atMinutes: t.schedule.atMinutes ?? null } : null,
      gasBound: c.gas.bound,
      fanoutBound: c.fanout.bound,
      memoryBound: c.memory.bound,
      capabilities: c.capabilities,
      recipients: c.recipients,
      cost: triggerCostJson(c),
    };
  });
  const limits: Manifest["limits"] = {};
  for (const [name, l] of [...model.limits].sort(([a], [b]) => (a < b ? -1 : 1))) {
    limits[name] = { value: l.value, unit: l.decl.unit, declared: l.declared !== undefined };
  }
  const settings: Record<string, string> = {};
  for (const [name, s] of [...model.settings].sort(([a], [b]) => (a < b ? -1 : 1))) settings[name] = s.value;
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    rule: model.ruleName ?? baseName(unit.rule.fileName).replace(/\.thwonk$/, ""),
    compiler: COMPILER_VERSION,
    stdlib: stdlib.version,
    costTable: stdlib.costTableVersion,
    target: CODE_TARGET,
    triggers,
    capabilities: verify.capabilities,
    state: model.state.map((f) => ({ name: f.name, type: typeToString(f.type), schema: stateType(f.type) })),
    zoneData: (settings["timezone"] ?? "UTC") === "UTC" ? null : hostZoneData(),
    limits,
    settings,
  };
  const body = {
    format: BUNDLE_FORMAT,
    manifest,
    source: { fileName: baseName(unit.rule.fileName), text: sourceText },
    code: { target: CODE_TARGET, text: emitted.code, sourceMap: emitted.sourceMap },
  };
  return { ...body, sha256: contentHash(body) };
}

/** The bundle file: the canonical form (deterministic), then a newline. */
export function serializeBundle(b: Bundle): string {
  return canonicalJson(b) + "\n";
}

export interface CompileResult {
  bundle: Bundle | undefined;
  diagnostics: Diagnostic[];
}

/** Source text → bundle, or the diagnostics that prevent one. */
export function compileSource(fileName: string, text: string): CompileResult {
  const r = checkSources([{ fileName, text }]);
  const unit = r.units[0];
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!unit || errors.length > 0 || !unit.verify) return { bundle: undefined, diagnostics: r.diagnostics };
  return { bundle: buildBundle(unit, text), diagnostics: r.diagnostics };
}

const WHOLE: Span = { file: "", start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };

/**
 * Whether the rule answers its list's `-request` address itself: its `on message` trigger reads
 * `m.envelope.isRequest` (the capability "requests", recorded by the checker and the verifier). When it does not,
 * thwonkd answers that address (runtime/daemon/requests.ts) and the rule never sees that mail. A bundle compiled
 * against a stdlib before 0.3.0 does not say, and keeps its -request mail as it had it (thwonkd compiles a stored
 * one again at start: runtime/daemon/daemon.ts).
 */
export function ruleAnswersRequests(manifest: Pick<Manifest, "stdlib" | "triggers">): boolean {
  if (!declaresRequests(manifest)) return true;
  return manifest.triggers.some((t) => t.kind === "on" && t.name === "message" && t.capabilities.includes("requests"));
}

/** Whether the bundle says if its rule answers its -request address: compiled against stdlib 0.3.0 or later. */
export function declaresRequests(manifest: Pick<Manifest, "stdlib">): boolean {
  const [major = 0, minor = 0] = String(manifest.stdlib).split(".").map(Number);
  return major > 0 || minor >= 3;
}

export interface ReadBundleResult {
  bundle: Bundle | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Reads a bundle file and proves it untampered: its shape, format, hash,
 * and — by recompiling its source with this compiler — its code and bounds.
 * A bundle that fails any check is refused, never run.
 */
export function readBundle(fileName: string, text: string, options: { recompile?: boolean } = {}): ReadBundleResult {
  const at = { ...WHOLE, file: fileName };
  const fail = (d: Diagnostic): ReadBundleResult => ({ bundle: undefined, diagnostics: [d] });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(makeDiagnostic(emitMessages.malformedBundle, at, [e instanceof Error ? e.message : String(e)]));
  }
  if (jsonDepth(raw) > MAX_JSON_DEPTH) {
    return fail(makeDiagnostic(emitMessages.malformedBundle, at, [`it nests deeper than ${MAX_JSON_DEPTH} levels, which no bundle does`]));
  }
  const shapeProblem = checkShape(raw);
  if (shapeProblem) return fail(makeDiagnostic(emitMessages.malformedBundle, at, [shapeProblem]));
  const b = raw as Bundle;
  if (b.format !== BUNDLE_FORMAT) return fail(makeDiagnostic(emitMessages.unsupportedFormat, at, [String(b.format), BUNDLE_FORMAT]));
  // A bundle from another thwonkc is not tampered with, only old (or new): it asks to be compiled again.
  // Its stdlib too: the prelude it runs with is this one's, so its own source, compiled again, gives other code.
  const other = b.manifest.compiler !== COMPILER_VERSION || b.manifest.stdlib !== stdlib.version || b.manifest.costTable !== stdlib.costTableVersion;
  if (other && (b.code.target !== CODE_TARGET || options.recompile !== false)) {
    const made = [String(b.manifest.compiler), String(b.manifest.stdlib), String(b.manifest.costTable)] as const;
    return fail(makeDiagnostic(emitMessages.otherCompiler, at, [...made, COMPILER_VERSION, stdlib.version, stdlib.costTableVersion]));
  }
  // Code for another ABI would run wrongly here, not fail: refused even when the source is not recompiled.
  if (b.code.target !== CODE_TARGET) return fail(makeDiagnostic(emitMessages.unsupportedFormat, at, [`${b.format}, code ${String(b.code.target)}`, `${BUNDLE_FORMAT}, code ${CODE_TARGET}`]));
  const { sha256, ...body } = b;
  if (contentHash(body) !== sha256) return fail(makeDiagnostic(emitMessages.hashMismatch, at, []));
  const warnings = zoneDataWarnings(b.manifest, at);
  if (options.recompile !== false) {
    const again = compileSource(b.source.fileName, b.source.text);
    if (!again.bundle) return fail(makeDiagnostic(emitMessages.sourceDoesNotCompile, at, [again.diagnostics.filter((d) => d.severity === "error").length]));
    // Other zone data is this host's, not a change to the bundle: said above, and left out of the comparison.
    const { sha256: _, ...rebuilt } = again.bundle;
    rebuilt.manifest = { ...rebuilt.manifest, zoneData: b.manifest.zoneData };
    if (contentHash(rebuilt) !== b.sha256) {
      const what = rebuilt.code.text !== b.code.text ? "code" : canonicalJson(rebuilt.manifest) !== canonicalJson(b.manifest) ? "manifest (bounds, capabilities or schema)" : "content";
      return fail(makeDiagnostic(emitMessages.recompileMismatch, at, [what]));
    }
  }
  return { bundle: b, diagnostics: warnings };
}

/** TW4029 when the bundle's rule has a time zone and this host's zone data is not the data it was compiled against. */
export function zoneDataWarnings(m: Manifest, at: Span): Diagnostic[] {
  const here = hostZoneData();
  if (m.zoneData === null || m.zoneData === undefined || m.zoneData === here) return [];
  return [makeDiagnostic(emitMessages.zoneDataDiffers, at, [m.settings["timezone"] ?? "UTC", m.zoneData, here ?? "unknown zone data"])];
}

function checkShape(v: unknown): string | undefined {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  if (!isObj(v)) return "the file is not a JSON object";
  for (const k of ["format", "sha256"]) if (typeof v[k] !== "string") return `\`${k}\` is missing or not a string`;
  if (!isObj(v["manifest"])) return "`manifest` is missing";
  if (!isObj(v["source"]) || typeof v["source"]["text"] !== "string" || typeof v["source"]["fileName"] !== "string") return "`source` is missing or incomplete";
  if (!isObj(v["code"]) || typeof v["code"]["text"] !== "string" || !Array.isArray(v["code"]["sourceMap"])) return "`code` is missing or incomplete";
  const m = v["manifest"];
  if (!Array.isArray(m["triggers"]) || typeof m["rule"] !== "string" || !isObj(m["limits"])) return "the manifest is incomplete";
  return undefined;
}

/** The .thwonk position of a line of the generated code (for runtime errors and traces). */
export function sourcePosition(b: Bundle, generatedLine: number): { line: number; column: number } | undefined {
  let best: SourceMapping | undefined;
  for (const m of b.code.sourceMap) {
    if (m[0] <= generatedLine && (!best || m[0] > best[0])) best = m;
  }
  return best ? { line: best[1], column: best[2] } : undefined;
}
