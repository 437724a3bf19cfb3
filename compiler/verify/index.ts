/**
 * The verifier: after the checker, proves a bound on every trigger's work
 * (gas) and mail (fan-out) as formulas over the rule's limits, refuses a
 * rule over its budget saying why, and records the capabilities and
 * recipients each trigger needs for the manifest and the daemon's policy.
 * Runs only on programs without errors.
 */
import type { IsCancelled } from "../cancel.js";
import type { Capability, LimitDecl } from "../../stdlib/decl.js";
import type { Diagnostic, Span } from "../diagnostics/diagnostic.js";
import { makeDiagnostic, q, surfaceOf, triggerAsDeclared, verifyMessages, type Spelling } from "../diagnostics/catalog/index.js";
import type { SemanticModel, TriggerInfo } from "../semantic/model.js";
import { loadStdlib, type StdlibTypes } from "../semantic/stdlib-types.js";
import { typeToString, type Type } from "../semantic/types.js";
import type { SourceFile } from "../syntax/ast.js";
import { TriggerAnalyzer, type RecipientClass, type TriggerAnalysis } from "./analyze.js";
import { globalShape, messageShape, stateField } from "./inputs.js";
import { crossingBytesOf, headerFieldsBytes, outgoingBytesOf, rosterBytesOf, ENGINE_BYTES, formatBytes, partText, SOURCE_BYTES_PER_CHAR, type MemoryPart } from "./memory.js";
import * as S from "./sym.js";
import { describeTerm, fitAdvice, isLong, lineOf, placeOf, shortFormula } from "./explain.js";
import type { Sym, Term } from "./sym.js";
import { groupDigits } from "../../contract/numbers.js";

export interface Assumption {
  /** The variable in the formulas: `members`, `text`, `state.lastPost`. */
  name: string;
  /** Its value in the unit the runtime measures. */
  value: number;
  unit: string;
  /** What was declared: `limits.text = 20,000 characters`, `max 5000`. */
  source: string;
  declared: Span | undefined;
}

export interface Bound {
  formula: string;
  bound: number;
  limit: number;
  terms: Term[];
  dominant: Term | undefined;
}

/** A trigger's worst-case memory (memory.ts): the parts, largest first, and their sum. */
export interface MemoryBound {
  bound: number;
  limit: number;
  parts: MemoryPart[];
}

export interface TriggerCost {
  name: string;
  span: Span;
  gas: Bound;
  fanout: Bound;
  memory: MemoryBound;
  assumptions: Assumption[];
  filters: Span[];
  capabilities: Capability[];
  recipients: RecipientClass[];
  /** The raw symbolic bounds, for the emitter's manifest and the tightness tests. */
  gasSym: Sym;
  fanoutSym: Sym;
  /** The limits and state maxima the bounds are evaluated at (variable → value). */
  env?: ReadonlyMap<string, number>;
}

export interface VerifyOptions {
  /**
   * The daemon's ceilings on the budgets (`budget`, `fanout`): a rule's own
   * budget above them is lowered to them. (Limits above the stdlib's
   * ceilings are refused by the checker.)
   */
  ceilings?: Partial<Record<string, number>>;
  /** Polled as the verifier walks: when it answers true, verifyRule throws CheckCancelled (compiler/cancel.ts). */
  isCancelled?: IsCancelled;
}

export interface VerifyResult {
  diagnostics: Diagnostic[];
  triggers: TriggerCost[];
  /** Every variable's value, in runtime units. */
  env: Map<string, number>;
  /** Capabilities of the whole rule. */
  capabilities: Capability[];
  /** The verifier's work: statements and expressions visited, over all triggers (a test holds it polynomial). */
  steps: number;
}

/** Limits counted in characters are measured by the runtime in UTF-16 code units: at most two per character. */
export function unitsPerLimitUnit(decl: LimitDecl): number {
  return decl.unit === "characters" ? 2 : 1;
}

export function verifyRule(file: SourceFile, model: SemanticModel, options: VerifyOptions = {}): VerifyResult {
  const std = loadStdlib();
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic): void => {
    diagnostics.push(d);
  };
  const env = new Map<string, number>();
  const assumptionsByVar = new Map<string, Assumption>();
  for (const [name, info] of model.limits) {
    const k = unitsPerLimitUnit(info.decl);
    env.set(name, info.value * k);
    assumptionsByVar.set(name, {
      name,
      value: info.value * k,
      unit: info.decl.unit === "characters" ? "UTF-16 units" : info.decl.unit,
      source: info.decl.unit === "characters"
        ? `${info.declared ? `limits.${name} =` : "default"} ${groupDigits(info.value)} characters`
        : info.declared ? `limits.${name}` : `default limits.${name}`,
      declared: info.declared,
    });
  }
  for (const f of model.state) {
    checkStateBound(f.name, f.type, f.decl.type.span, report);
    if (f.type.kind === "named" && f.type.max !== undefined) {
      const name = `state.${f.name}`;
      const isString = f.type.name === "string";
      const value = isString ? 2 * f.type.max : f.type.max;
      env.set(name, value);
      assumptionsByVar.set(name, {
        name,
        value,
        unit: isString ? "UTF-16 units" : "entries",
        // As the rule writes the bound: `max 80` in `.thwonk`, the last type argument (`Text<80>`) in a `.ts` rule.
        source: `${surfaceOf(file.fileName) === "ts" ? "bound" : "max"} ${groupDigits(f.type.max)}${isString ? " characters" : ""}`,
        declared: f.decl.type.span,
      });
    }
  }

  const stateGas = stateLoadAndSave(model, std.decl.constructs.stateUnit);
  const triggers: TriggerCost[] = [];
  let steps = 0;
  const used = new Set<string>();
  const capabilities = new Set<Capability>();
  const limitSym = (name: string): Sym => S.v(name);
  const gasBudget = Math.min(model.limits.get("budget")?.value ?? Infinity, options.ceilings?.["budget"] ?? Infinity);
  const fanoutLimit = Math.min(model.limits.get("fanout")?.value ?? Infinity, options.ceilings?.["fanout"] ?? Infinity);
  const memoryLimit = Math.min(model.limits.get("memory")?.value ?? Infinity, options.ceilings?.["memory"] ?? Infinity);

  for (const trigger of model.triggers) {
    const analyzer = new TriggerAnalyzer({ model, std, limit: limitSym, evaluate: (x) => S.evaluate(x, env), report, isCancelled: options.isCancelled });
    const run = analyzer.run(trigger);
    // Every run loads the state before the trigger and saves it after (docs/cost-model.md, "State").
    const a = { ...run, gas: S.add(run.gas, stateGas) };
    steps += a.steps;
    for (const c of a.capabilities) capabilities.add(c);
    const vars = new Set([...S.variables(a.gas), ...S.variables(a.fanout)]);
    for (const v of vars) used.add(v);
    const assumptions = [...vars].sort().map((v) => assumptionsByVar.get(v)).filter((x): x is Assumption => !!x);
    const gas = bound(a.gas, env, gasBudget);
    const fanout = bound(a.fanout, env, fanoutLimit);
    const span = triggerHead(trigger);
    const memory = memoryBound(analyzer, a, file, env, memoryLimit);
    const cost: TriggerCost = {
      name: a.name,
      span,
      gas,
      fanout,
      memory,
      assumptions,
      filters: a.filters,
      capabilities: [...a.capabilities].sort(),
      recipients: [...a.recipients].sort(),
      gasSym: a.gas,
      fanoutSym: a.fanout,
      env,
    };
    triggers.push(cost);
    if (gas.bound > gasBudget) {
      report(makeDiagnostic(verifyMessages.overBudget, span, [
        a.name, gas.bound, gasBudget, describeTerm(gas.dominant, gas.bound, span),
        fitAdvice(a.gas, env, gasBudget, model, (name) => unitsPerLimitUnit(model.limits.get(name)!.decl), gas.dominant).text,
        (options.ceilings?.["budget"] ?? Infinity) < (model.limits.get("budget")?.value ?? Infinity),
      ], relatedOf(gas.dominant)));
    }
    if (memory.bound > memoryLimit) {
      const top = memory.parts[0]!;
      report(makeDiagnostic(verifyMessages.overMemory, span, [
        a.name, memory.bound, memoryLimit, describePart(top, memory.bound), memoryAdvice(top),
        (options.ceilings?.["memory"] ?? Infinity) < (model.limits.get("memory")?.value ?? Infinity),
      ]));
    }
    if (fanout.bound > fanoutLimit) {
      report(makeDiagnostic(verifyMessages.overFanout, span, [
        a.name, fanout.bound, fanoutLimit, describeTerm(fanout.dominant, fanout.bound, span, false),
        (options.ceilings?.["fanout"] ?? Infinity) < (model.limits.get("fanout")?.value ?? Infinity),
      ], relatedOf(fanout.dominant)));
    }
  }

  const referenced = stateReferencedByRuleCode(file, model);
  for (const f of model.state) {
    if (!referenced.has(f.name)) report(makeDiagnostic(verifyMessages.unusedState, f.decl.name.span, [f.name]));
  }
  const inputs = inputLimits(std);
  // A limit the code reads (`limits.members`) is needed for its value, whatever the costs.
  for (const e of model.constants.keys()) if (e.kind === "MemberExpr") used.add(e.name.name);
  for (const [name, info] of model.limits) {
    if (info.declared && inputs.has(name) && !used.has(name)) {
      report(makeDiagnostic(verifyMessages.unneededLimit, info.declared, [name]));
    }
  }
  return { diagnostics, triggers, env, capabilities: [...capabilities].sort(), steps };
}

/**
 * A trigger's worst case in bytes (docs/cost-model.md, "Memory"): the
 * engine with the rule's code, the input (the message and the members, as
 * JSON and parsed), state at its maxima (in and out), every value the
 * trigger keeps or builds at its largest (all alive at once), and the
 * actions it records (kept until the end, then written out as JSON).
 */
function memoryBound(w: TriggerAnalyzer, a: TriggerAnalysis, file: SourceFile, env: Map<string, number>, limit: number): MemoryBound {
  const at = (s: Sym): number => S.evaluate(s, env);
  const parts: MemoryPart[] = [];
  parts.push({ what: "the engine and the rule's code", bytes: ENGINE_BYTES + SOURCE_BYTES_PER_CHAR * file.span.end, line: undefined });
  const trigger = a.trigger;
  if (trigger.kind === "on" && trigger.param && trigger.paramType) {
    const headers = headerFieldsBytes(w.bounds.limit("headers"), w.bounds.limit("header"));
    parts.push({ what: "the message", bytes: at(S.add(crossingBytesOf(messageShape(w, trigger.paramType)), headers)), line: trigger.decl.span.line });
  }
  // Every trigger receives the members (columns made into records), whether it reads them or not.
  const roster = globalShape(w, { name: "members", type: { kind: "named", name: "Members", args: [] } } as unknown as import("../semantic/scope.js").Symbol);
  parts.push({ what: `the members (limits.members = ${groupDigits(env.get("members") ?? 0)})`, bytes: at(rosterBytesOf(roster)), line: undefined });
  let stateBytes = 0;
  for (const f of w.host.model.state) {
    const shape = stateField(w, f);
    // Read in with the input and written back out: twice its JSON.
    stateBytes += at(S.add(crossingBytesOf(shape), outgoingBytesOf(shape)));
  }
  if (w.host.model.state.length) parts.push({ what: "state at its maxima", bytes: stateBytes, line: w.host.model.state[0]!.decl.span.line });
  // Per value (a local, an expression's result), its largest: the working set is their sum.
  const largest = new Map<object, { bytes: number; span: Span; what: string }>();
  for (const v of a.live) {
    let b: number;
    try {
      b = at(v.bytes);
    } catch {
      continue; // a slot of an abandoned pass: its value was recorded again with the solution
    }
    const prev = largest.get(v.key);
    if (!prev || b > prev.bytes) largest.set(v.key, { bytes: b, span: v.span, what: v.what });
  }
  for (const v of largest.values()) parts.push({ what: v.what, bytes: v.bytes, line: v.span.line, made: v.span });
  const actions = at(a.actions);
  if (actions > 0) {
    const top = S.terms(a.actions, env)[0];
    parts.push({ what: "the actions recorded", bytes: actions, line: top?.span?.line });
  }
  parts.sort((x, y) => y.bytes - x.bytes);
  const bound = parts.reduce((sum, p) => sum + p.bytes, 0);
  return { bound, limit, parts };
}

function describePart(p: MemoryPart, total: number): string {
  return `${partText(p, lineOf)}: ${formatBytes(p.bytes)} (${Math.round((100 * p.bytes) / Math.max(1, total))}%)`;
}

/** What could bring the memory within its limit (TW3030), in the rule's spelling. */
function memoryAdvice(p: MemoryPart): string | ((s: Spelling) => string) {
  if (p.what.startsWith("the members")) return (s) => `lower ${q(s.block("limits", "members: ..."))}`;
  if (p.what === "the message") return (s) => `lower the message limits (${q(s.block("limits", "text: ..., html: ..."))})`;
  if (p.what.startsWith("state")) return (s) => `lower the ${s.boundWord} of the largest state field`;
  if (p.what === "the actions recorded") return "send one message to a list of recipients instead of one per recipient, or send less";
  if (p.what.startsWith("the engine")) return "make the rule shorter";
  return (s) => `keep fewer or smaller values (\`take(n)\`, \`truncate(n)\`, or a smaller ${s.surface === "ts" ? "bound" : "`max`"})`;
}

function bound(s: Sym, env: Map<string, number>, limit: number): Bound {
  const ts = S.terms(s, env);
  return { formula: S.formula(ts), bound: S.evaluate(s, env), limit, terms: ts, dominant: ts[0] };
}

function relatedOf(t: Term | undefined): { related: { span: Span; message: string }[] } | undefined {
  if (!t?.span) return undefined;
  return { related: [{ span: t.span, message: `the largest part of the bound${t.label ? `: ${t.label}` : ""}` }] };
}

function triggerHead(t: TriggerInfo): Span {
  const d = t.decl;
  const end = t.kind === "on" ? (d as import("../syntax/ast.js").OnDecl).event.span : (d as import("../syntax/ast.js").EveryDecl).schedule.span;
  return { ...d.span, end: end.end, endLine: end.endLine, endCol: end.endCol };
}

/**
 * The gas of loading a run's state and saving it back, at the state's declared maxima: per field, its units
 * (the driver's count, contract/prelude/driver.js: one per value walked, a string also one per 64 UTF-16
 * units, a map entry its key as well) twice (in and out), `unitGas` each. A field's own `max` is its
 * variable (`state.posts`), so the formula shows which field costs.
 */
export function stateLoadAndSave(model: SemanticModel, unitGas: number): Sym {
  const units = (t: Type, top: string | undefined): Sym => {
    if (t.kind === "optional") return units(t.inner, top);
    if (t.kind === "record") return S.add(S.ONE, ...[...t.fields.values()].map((f) => units(f.type, undefined)));
    if (t.kind !== "named") return S.ONE;
    const count = (max: number): Sym => (top !== undefined ? S.v(top) : S.num(max));
    if (t.name === "string") return S.num(1 + Math.floor((2 * (t.max ?? 0)) / 64));
    if (t.name === "List" && t.max !== undefined) return S.add(S.ONE, S.mul(count(t.max), units(t.args[0]!, undefined)));
    if (t.name === "Map" && t.max !== undefined) return S.add(S.ONE, S.mul(count(t.max), S.add(units(t.args[0]!, undefined), units(t.args[1]!, undefined))));
    return S.ONE;
  };
  const parts = model.state.map((f) => {
    const top = f.type.kind === "named" && f.type.max !== undefined && f.type.name !== "string" ? `state.${f.name}` : undefined;
    return S.at(S.mul(S.num(2 * unitGas), units(f.type, top)), f.decl.name.span, `loading and saving \`state.${f.name}\``);
  });
  return parts.length ? S.add(...parts) : S.ZERO;
}

/** State needs a bound on every collection and string it keeps: "no infinity". */
function checkStateBound(field: string, t: Type, span: Span, report: (d: Diagnostic) => void): void {
  const missing = (x: Type): boolean => {
    if (x.kind === "optional") return missing(x.inner);
    if (x.kind === "record") return [...x.fields.values()].some((f) => missing(f.type));
    if (x.kind !== "named") return false;
    const needs = x.name === "string" || x.name === "List" || x.name === "Map";
    if (needs && x.max === undefined) return true;
    return x.args.some(missing);
  };
  if (!missing(t)) return;
  report(makeDiagnostic(verifyMessages.unboundedState, span, [field, typeToString(t), suggestBound(t)]));
}

function suggestBound(t: Type): string {
  const withMax = (x: Type): string => {
    if (x.kind === "optional") return withMax(x.inner) + "?";
    if (x.kind === "record") return `{ ${[...x.fields.values()].map((f) => `${f.name}: ${withMax(f.type)}`).join(", ")} }`;
    if (x.kind !== "named") return typeToString(x);
    const args = x.args.length ? `<${x.args.map(withMax).join(", ")}>` : "";
    const needs = x.name === "string" || x.name === "List" || x.name === "Map";
    const max = x.max ?? (needs ? (x.name === "string" ? 200 : 1000) : undefined);
    return `${x.name}${args}${max !== undefined ? ` max ${max}` : ""}`;
  };
  return withMax(t);
}

/** State fields the rule's own code (triggers and fns, not its tests) reads or writes. */
function stateReferencedByRuleCode(file: SourceFile, model: SemanticModel): Set<string> {
  const tests = file.decls.filter((d) => d.kind === "TestDecl").map((d) => d.span);
  const inTest = (sp: Span): boolean => tests.some((t) => sp.start >= t.start && sp.end <= t.end);
  const out = new Set<string>();
  for (const [expr, target] of model.members) {
    if (target.kind === "state" && expr.span.file === file.fileName && !inTest(expr.span)) {
      out.add(target.field.name);
      // Every field found: the rest cannot add one.
      if (out.size === model.state.length) break;
    }
  }
  return out;
}

/** Limits that bound an input (and so can be "not needed"), as opposed to budgets. */
function inputLimits(std: StdlibTypes): Set<string> {
  const out = new Set<string>(["members"]);
  for (const spec of Object.values(std.decl.types)) {
    for (const f of Object.values(spec.fields ?? {})) if (typeof f.bound === "string") out.add(f.bound);
    for (const m of Object.values(spec.methods ?? {})) {
      for (const e of [m.cost, m.resultSize]) if (e !== undefined) collectLimits(e, out);
    }
  }
  for (const fn of Object.values(std.decl.functions)) collectLimits(fn.cost, out);
  return out;
}

function collectLimits(e: import("../../stdlib/decl.js").CostExpr, out: Set<string>): void {
  if (typeof e === "number") return;
  if ("limit" in e) out.add(e.limit);
  else if ("ceilDiv" in e) collectLimits(e.ceilDiv, out);
  else if ("add" in e) e.add.forEach((x) => collectLimits(x, out));
  else if ("mul" in e) e.mul.forEach((x) => collectLimits(x, out));
  else if ("max" in e) e.max.forEach((x) => collectLimits(x, out));
  else if ("min" in e) e.min.forEach((x) => collectLimits(x, out));
  else if ("log2" in e) collectLimits(e.log2[0], out);
}

/** The explanation `thwonkc check --cost` prints for one trigger. */
export function explainTrigger(t: TriggerCost): string[] {
  const n = (x: number): string => groupDigits(x);
  // In the rule's own words: a `.ts` rule's trigger as it declares it (`onMessage`), positions as file:line:col (placeOf).
  const lines: string[] = [];
  lines.push(`${triggerAsDeclared(t.name, t.span.file)} (${placeOf(t.span)})`);
  lines.push(`  gas     ≤ ${t.gas.formula}`);
  lines.push(`          = ${n(t.gas.bound)}${Number.isFinite(t.gas.limit) ? ` of a budget of ${n(t.gas.limit)}` : ""}`);
  // A long formula in short: like terms collected, each ⌈x/k⌉ as x/k + 1 (still an upper bound), small parts left out.
  if (t.env && isLong(t.gas.terms)) lines.push(`          ≈ ${shortFormula(t.gasSym, t.env)}`);
  lines.push(`  fan-out ≤ ${t.fanout.formula} = ${n(t.fanout.bound)} message${t.fanout.bound === 1 ? "" : "s"}${Number.isFinite(t.fanout.limit) ? ` (limit ${n(t.fanout.limit)})` : ""}`);
  if (t.gas.dominant) lines.push(`  dominant: ${describeTerm(t.gas.dominant, t.gas.bound, t.span, true, placeOf)}`);
  // When the dominant part is less than half, the next ones with their lines.
  if (t.gas.dominant && t.gas.dominant.value * 2 < t.gas.bound) {
    const next = t.gas.terms.slice(1, 3).filter((x) => x.value * 10 >= t.gas.bound);
    for (const x of next) lines.push(`  then:     ${describeTerm(x, t.gas.bound, t.span, true, placeOf)}`);
  }
  lines.push(`  memory  ≤ ${formatBytes(t.memory.bound)}${Number.isFinite(t.memory.limit) ? ` of a limit of ${formatBytes(t.memory.limit)}` : ""}`);
  for (const p of t.memory.parts.slice(0, 4)) lines.push(`    ${formatBytes(p.bytes).padStart(9)}  ${partText(p, placeOf)}`);
  if (t.memory.parts.length > 4) {
    const rest = t.memory.parts.slice(4);
    lines.push(`    ${formatBytes(rest.reduce((x, p) => x + p.bytes, 0)).padStart(9)}  ${rest.length} more value${rest.length === 1 ? "" : "s"}`);
  }
  if (t.assumptions.length || t.filters.length) {
    lines.push("  assumptions:");
    for (const a of t.assumptions) {
      const unit = a.unit === "UTF-16 units" || a.unit === "entries" ? ` ${a.unit}` : "";
      lines.push(`    ${a.name} ≤ ${n(a.value)}${unit} (${a.source}${a.declared ? `, ${placeOf(a.declared)}` : ""})`);
    }
    for (const f of t.filters) lines.push(`    the filter at ${placeOf(f)} passes every element`);
  }
  lines.push(`  capabilities: ${t.capabilities.length ? t.capabilities.join(", ") : "none"}`);
  if (t.recipients.length) lines.push(`  sends to: ${t.recipients.join(", ")}`);
  return lines;
}

/** The JSON form of a trigger's cost, for `--format json --cost` and the manifest. */
export function triggerCostJson(t: TriggerCost): object {
  const pos = (s: Span | undefined) => (s ? { line: s.line, column: s.col } : null);
  const boundJson = (b: Bound) => ({
    bound: b.bound,
    formula: b.formula,
    limit: Number.isFinite(b.limit) ? b.limit : null,
    dominant: b.dominant
      ? { term: b.dominant.product || "constant", coefficient: b.dominant.coeff, value: b.dominant.value, share: b.bound ? b.dominant.value / b.bound : 0, at: pos(b.dominant.span), what: b.dominant.label ?? null }
      : null,
    terms: b.terms.map((x) => ({ term: x.product || "constant", coefficient: x.coeff, value: x.value, at: pos(x.span), what: x.label ?? null })),
  });
  return {
    trigger: t.name,
    at: pos(t.span),
    gas: boundJson(t.gas),
    fanout: boundJson(t.fanout),
    memory: {
      bound: t.memory.bound,
      limit: Number.isFinite(t.memory.limit) ? t.memory.limit : null,
      parts: t.memory.parts.map((p) => ({ what: partText(p, lineOf), bytes: p.bytes, line: p.line ?? null })),
    },
    assumptions: t.assumptions.map((a) => ({ name: a.name, value: a.value, unit: a.unit, source: a.source, at: pos(a.declared) })),
    filters: t.filters.map((f) => pos(f)),
    capabilities: t.capabilities,
    recipients: t.recipients,
  };
}
