/**
 * The examples as the property tests see them: each rule compiled to its
 * bundle (what the daemon runs), with its state types from the checker (the
 * manifest's descriptors drop the inner `max` bounds the generators need),
 * and one helper that runs a trigger of it exactly as the daemon does.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compileSource, type Bundle, type ManifestTrigger } from "../../compiler/emit/bundle.js";
import { checkSources } from "../../compiler/program.js";
import type { StateFieldInfo } from "../../compiler/semantic/model.js";
import { checkList, checkMembers, checkMessage, type RuleLimits } from "../../runtime/input/limits.js";
import type { ListJson, MemberJson, MessageJson } from "../../runtime/input/types.js";
import { runBundle, type RunResult } from "../../runtime/run/run-rule.js";
import { repoRoot } from "../helpers/repo.js";
import { reusedPool } from "../helpers/run-input.js";

export interface Example {
  name: string;
  source: string;
  bundle: Bundle;
  /** Every limit of the rule, in the unit it is declared in (what the run input's `limits` holds). */
  limits: Record<string, number>;
  state: StateFieldInfo[];
  /** The IANA zone of `settings.timezone` (UTC by default). */
  timezone: string;
  triggers: ManifestTrigger[];
}

function load(name: string): Example {
  const fileName = `${name}.thwonk`;
  const source = readFileSync(join(repoRoot, "examples", name, fileName), "utf8");
  const { bundle, diagnostics } = compileSource(fileName, source);
  if (!bundle) {
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
    throw new Error(`example ${name} does not compile: ${errors.join("; ")}`);
  }
  const unit = checkSources([{ fileName, text: source }], { verify: false }).units[0];
  if (!unit) throw new Error(`example ${name}: no rule unit`);
  const limits: Record<string, number> = {};
  for (const [k, l] of Object.entries(bundle.manifest.limits)) limits[k] = l.value;
  return {
    name,
    source,
    bundle,
    limits,
    state: unit.check.model.state,
    timezone: bundle.manifest.settings["timezone"] ?? "UTC",
    triggers: bundle.manifest.triggers,
  };
}

let cache: Example[] | undefined;

/** Every example (examples/NAME/NAME.thwonk), sorted by name. */
export function examples(): Example[] {
  if (!cache) {
    const dir = join(repoRoot, "examples");
    cache = readdirSync(dir)
      .filter((d) => existsSync(join(dir, d, `${d}.thwonk`)))
      .sort()
      .map(load);
  }
  return cache;
}

/** Whether the rule's own source mentions `word`: a candidate input varying only what the rule never reads is skipped. */
export function reads(ex: Example, word: string): boolean {
  return ex.source.includes(word);
}

const WORDS = {
  describeRuleError: (e: { code: string; args: unknown[]; line: number; column: number }) => ({
    code: e.code,
    message: `${e.code} ${JSON.stringify(e.args)}`,
    line: e.line,
    column: e.column,
  }),
};

/**
 * The sandbox's wall-clock limit is a backstop (gas is the bound under test)
 * and CI machines are slow and shared: the runs here get more time than the
 * daemon's default, and the time they take is reported separately.
 */
const TIME_LIMIT_MS = 30_000;

export interface Run {
  result: RunResult;
  wallMs: number;
}

/** One run of one trigger, with the gas limit set to the trigger's bound (runBundle does that), on the file's reused engine (reusedPool). */
export async function runTrigger(ex: Example, trigger: string, input: Record<string, unknown>): Promise<Run> {
  const start = performance.now();
  const result = await runBundle(ex.bundle, { trigger, input, limits: { timeLimitMs: TIME_LIMIT_MS }, pool: reusedPool(ex.bundle) }, WORDS);
  return { result, wallMs: performance.now() - start };
}

/**
 * Errors a rule may legitimately stop with on some inputs (the TW501x band:
 * a division by zero, an int overflow, a state `max` or the member limit
 * reached, too many logs, a page too large, a bad publish path). Anything
 * else — out of gas, a sandbox failure, an exception in the compiled code,
 * input the prelude refuses — is a bug.
 */
export const RULE_ERRORS: ReadonlySet<string> = new Set(["TW5010", "TW5011", "TW5012", "TW5013", "TW5014", "TW5015", "TW5016"]);

/** What is wrong with a run, or undefined: out of gas (used > bound) or an internal error. */
export function soundnessProblem(r: RunResult): string | undefined {
  if (r.error && !RULE_ERRORS.has(r.error.code)) {
    return `stopped with ${r.error.code} (${r.error.message.split("\n")[0]})${r.error.line !== null ? ` at line ${r.error.line}` : ""}; gas ${r.gas.used} of ${r.gas.bound}`;
  }
  if (r.gas.used > r.gas.bound) return `used ${r.gas.used} gas, above the bound ${r.gas.bound}`;
  return undefined;
}

/** The parts of a run that must be the same every time for the same input. */
export function observable(r: RunResult): unknown {
  return { gas: r.gas, actions: r.actions, state: r.state, error: r.error?.code ?? null };
}

/**
 * Whether an input is within the rule's limits as the host decides it
 * (runtime/input/limits.ts, which refuses anything over them before a run):
 * the generators here must only make inputs it accepts. Empty when none.
 */
export function inputProblems(ex: Example, input: Record<string, unknown>): string[] {
  const limits = ex.bundle.manifest.limits as unknown as RuleLimits;
  const problems = [...checkList(input["list"] as ListJson, limits), ...checkMembers(input["members"] as MemberJson[], limits)];
  if (input["message"]) problems.push(...checkMessage(input["message"] as MessageJson, limits));
  return problems.map((p) => `${p.code} ${p.message}`);
}
