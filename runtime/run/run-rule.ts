/**
 * One trigger of a bundle, run exactly as the daemon runs it: the bundle's
 * own code in a fresh QuickJS sandbox, with the gas limit set to the
 * verifier's bound for that trigger, and the fan-out limit to its fan-out
 * bound. Returns the one result shape shared by
 * `thwonkc run --json`, the tests and the daemon's API.
 */
import type { Bundle } from "../../compiler/index.js";
import type { HandMadeInput, RuleErrorWords, RunAction, RunInput, RunOutput, RunResult } from "../../contract/index.js";
import { encodeInputWith } from "../input/build.js";
import { describeSandboxError } from "../testing/errors.js";
import { inputChars, runOnce, timeLimitFor, type SandboxLimits, type SandboxPool } from "../sandbox/index.js";
import type { RunAhead, RunLimits, SandboxResult } from "../sandbox/types.js";
import type { MemberColumns } from "../../contract/input.js";
import { withListHeaders } from "./list-headers.js";

export type { RuleErrorWords, RunAction, RunResult, TraceStep } from "../../contract/index.js";

export interface RunRequest {
  /** `message`, or a schedule such as `every day at 00:00`. */
  trigger: string;
  /** The input the compiled code reads; `gas` and `fanout` are filled in from the bundle. */
  input: RunInput | HandMadeInput;
  /** Code to run instead of the bundle's (the trace build of the same source, for --trace). */
  code?: string;
  limits?: Partial<SandboxLimits>;
  /** The signing key of `list.sign`/`list.verify` (runtime/sandbox/tokens.ts): without a pool, the public test key by default. */
  tokenKey?: string;
  /**
   * Run in this pool's workers instead of a one-off sandbox (the daemon). The
   * pool's own limits apply: it does not take a run's limits yet.
   */
  pool?: SandboxPool;
}

/** A trigger's input as the sandbox takes it: the JSON (with the trigger's gas and fan-out bounds), the members' columns, the time limit. */
export function encodeRun(bundle: Bundle, triggerName: string, runInput: RunInput | HandMadeInput): { inputJson: string; members?: MemberColumns; timeLimitMs: number; bound: number } {
  const trigger = bundle.manifest.triggers.find((t) => t.name === triggerName);
  const bound = trigger?.gasBound ?? 0;
  // The verifier's bounds for this trigger: the code stops a run that would exceed either (out of gas, TW5030).
  const { inputJson, members } = encodeInputWith(runInput, bound, trigger?.fanoutBound ?? 0);
  // The clock is a backstop far above what the gas bound allows (time-limit.ts): gas decides, not the machine's load.
  return { inputJson, ...(members ? { members } : {}), timeLimitMs: timeLimitFor(bound, inputChars(inputJson, members)), bound };
}

function gasBound(bundle: Bundle, triggerName: string): number {
  return bundle.manifest.triggers.find((t) => t.name === triggerName)?.gasBound ?? 0;
}

/** The run itself, in the request's pool or a one-off sandbox (a result given ahead needs no input written). */
function runNow(bundle: Bundle, req: RunRequest & { ahead?: RunAhead[] }): Promise<SandboxResult> {
  const { inputJson, members, timeLimitMs } = encodeRun(bundle, req.trigger, req.input);
  const code = req.code ?? bundle.code.text;
  if (req.pool) {
    const limits: RunLimits = { timeLimitMs: req.limits?.timeLimitMs ?? timeLimitMs };
    if (req.tokenKey !== undefined) limits.tokenKey = req.tokenKey;
    if (req.ahead?.length) limits.ahead = req.ahead;
    return req.pool.run(code, req.code ? `${bundle.sha256}:trace` : bundle.sha256, req.trigger, inputJson, members, limits);
  }
  // The rule's declared memory limit (what the verifier proved its bound against), unless the caller sets one.
  const memoryLimitBytes = bundle.manifest.limits["memory"]?.value;
  return runOnce(code, req.trigger, inputJson, { timeLimitMs, ...(memoryLimitBytes ? { memoryLimitBytes } : {}), ...req.limits }, members, req.tokenKey);
}

/**
 * Runs a trigger. `ahead`: runs to chain after this one in the pool's worker (RunLimits.ahead); `ran`: a result
 * that run already gave ahead of its turn, for exactly this input (the caller checked), used instead of running.
 */
export async function runBundle(bundle: Bundle, req: RunRequest & { ahead?: RunAhead[]; ran?: SandboxResult }, words: RuleErrorWords): Promise<RunResult> {
  const bound = gasBound(bundle, req.trigger);
  const r = req.ran ?? (await runNow(bundle, req));
  if (!r.ok) {
    // The gas used when it stopped; a run out of gas used its bound (the counter goes past it by the last charge).
    const used = r.gasUsed === undefined || r.error.code === "TW5001" ? bound : Math.max(0, Math.min(bound, r.gasUsed));
    return { actions: [], state: null, gas: { used, bound }, error: describeSandboxError(r.error, bundle.code.sourceMap, req.code ? undefined : r.jsLines), trace: null };
  }
  const out = JSON.parse(r.output) as RunOutput;
  return {
    actions: expandToMembers(withListHeaders(out.actions, req.input["list"]), () => memberAddresses(req.input["members"])),
    state: out.state,
    gas: { used: out.gas.used, bound },
    error: out.error ? words.describeRuleError(out.error) : null,
    trace: out.trace,
  };
}

/**
 * The sandbox marks a send to all members `toMembers` instead of listing
 * them; the list is the run's starting members with the run's own
 * members.add/remove applied up to that action, in order.
 */
export function expandToMembers(actions: RunAction[], members: readonly string[] | (() => readonly string[])): RunAction[] {
  // Most runs send to nobody or to named recipients: a list's whole roster is read only for a send to all of it.
  if (!actions.some((a) => a["toMembers"])) return actions;
  let current = [...(typeof members === "function" ? members() : members)];
  // Pushed, not mapped: optimized `map` makes a holey array (withListHeaders says why that matters).
  const out: RunAction[] = [];
  for (const a of actions) {
    if (a.kind === "members.add" && typeof a["address"] === "string" && !current.includes(a["address"])) current = [...current, a["address"]];
    if (a.kind === "members.remove") current = current.filter((x) => x !== a["address"]);
    if (!a["toMembers"]) out.push(a);
    else {
      const { toMembers: _, ...rest } = a;
      out.push({ ...rest, to: [...current] } as RunAction);
    }
  }
  return out;
}

/** The members' addresses of a run's input, in either form (records, or columns). */
export function memberAddresses(members: unknown): readonly string[] {
  if (Array.isArray(members)) return members.map((m: { address: string }) => m.address);
  const address = members && typeof members === "object" ? (members as { address?: unknown }).address : undefined;
  if (Array.isArray(address)) return address as string[];
  if (typeof address !== "string" || address === "") return [];
  // Frozen columns are a list's members as kept across its runs (runtime/input/build.ts): split once.
  const frozen = Object.isFrozen(members);
  const kept = frozen ? splitColumns.get(members as object) : undefined;
  if (kept) return kept;
  const split = Object.freeze(address.split("\n"));
  if (frozen) splitColumns.set(members as object, split);
  return split;
}

const splitColumns = new WeakMap<object, readonly string[]>();
