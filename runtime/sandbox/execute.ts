/** One run: the lockdown's `invoke` makes this run's `__thwonk_run` from the factory, calls it and checks the globals. */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { failedBy, guardError, thrownError } from "./classify.js";
import { GAS_USED } from "./bundle.js";
import { callDirect, newString, triggerString, type Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M, type SandboxError } from "./errors.js";
import type { MemberColumns } from "../../contract/input.js";
import type { SandboxLimits } from "./types.js";

/**
 * A failed run's `gasUsed` is the gas it had used when it stopped (read from the prelude's counter: such a run
 * returns no output to carry it); `jsLines`, for an error the code did not place in the .thwonk source, are the
 * lines of the bundle's code on its stack, innermost first (the driver reads them off the error), for the host to map.
 */
export type Outcome = { ok: true; output: string; dirty?: true } | { ok: false; error: SandboxError; gasUsed?: number; jsLines?: number[] };

/**
 * `members`: made by makeColumns, passed as the run's third argument. `tokenKey`: the list's signing key for
 * this run only (tokens.ts), never passed into the engine; without one, the run's sign and verify fail.
 * `reset`: the prelude's (bundle.ts), called in the same call into the engine after a run that returned its
 * output; an ok outcome is `dirty` when it failed (the context may hold what the run left: drop it).
 */
export function execute(
  sb: Sandbox,
  factory: QuickJSHandle,
  trigger: string,
  inputJson: string,
  limits: SandboxLimits,
  members?: QuickJSHandle,
  tokenKey?: string,
  reset?: QuickJSHandle,
  kept?: QuickJSHandle,
): Outcome {
  sb.tokens.key = tokenKey ?? null;
  try {
    return executeRun(sb, factory, trigger, inputJson, limits, members, reset, kept);
  } finally {
    sb.tokens.key = null;
  }
}

/** `kept`: the input parts kept for the run's list (kept-input.ts, made by keepParts), handed to the factory; `inputJson` is then the rest. */
function executeRun(sb: Sandbox, factory: QuickJSHandle, trigger: string, inputJson: string, limits: SandboxLimits, members?: QuickJSHandle, reset?: QuickJSHandle, kept?: QuickJSHandle): Outcome {
  const { ctx } = sb;
  const input = newString(sb, inputJson);
  const t = triggerString(sb, trigger);
  const r = reset || kept
    ? callDirect(sb, sb.invoke, [factory, t, input, members ?? ctx.undefined, reset ?? ctx.undefined, kept ?? ctx.undefined])
    : members
      ? callDirect(sb, sb.invoke, [factory, t, input, members])
      : callDirect(sb, sb.invoke, [factory, t, input]);
  input.dispose();
  if (r.error) {
    const error = thrownError(sb, r.error, limits);
    const jsLines = error.code === M.runtimeError.code && error.line === undefined ? readJsLines(sb, r.error) : undefined;
    r.error.dispose();
    return failed(sb, factory, error, jsLines);
  }
  // The code may have called the out-of-gas hook and returned before the interrupt came.
  const broken = guardError(sb, limits);
  const output = !broken && ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : undefined;
  const wrong = output === undefined && !broken ? (ctx.dump(r.value) as { wrong?: string; detail?: string }) : undefined;
  r.value.dispose();
  if (broken) return failed(sb, factory, broken);
  // A run's output is a JSON object, never empty: an empty string is what reading it out of the engine gives when
  // the engine's memory cannot hold a copy of it (a result of tens of MB), after the run itself fitted.
  if (output === "") return failed(sb, factory, sandboxError(M.outOfMemory, limits.memoryLimitBytes));
  if (output !== undefined) return { ok: true, output };
  if (wrong?.wrong === "reset" && typeof wrong.detail === "string" && wrong.detail !== "") return { ok: true, output: wrong.detail, dirty: true };
  if (wrong?.wrong === "global") {
    return { ok: false, error: sandboxError(M.runtimeError, `the rule redefined the global \`${wrong.detail}\`, which rules may not change`) };
  }
  if (wrong?.wrong === "noRun") {
    return { ok: false, error: sandboxError(M.runtimeError, "the bundle's code defines no function `__thwonk_run`") };
  }
  return { ok: false, error: sandboxError(M.runtimeError, `\`__thwonk_run\` returned a value of type ${wrong?.detail ?? "unknown"}, not a JSON string`) };
}

function failed(sb: Sandbox, factory: QuickJSHandle, error: SandboxError, jsLines?: number[]): Outcome {
  const gasUsed = readGasUsed(sb, factory);
  return { ok: false, error, ...(gasUsed !== undefined ? { gasUsed } : {}), ...(jsLines?.length ? { jsLines } : {}) };
}

/**
 * The gas the failed run used, from the prelude's counter (bundle.ts GAS_USED); undefined for code loaded without
 * the prelude. The guard is lifted for the call: after an interrupt (gas, time) it would stop any code at once,
 * and this reader is the prelude's, not the rule's, and does one subtraction.
 */
function readGasUsed(sb: Sandbox, factory: QuickJSHandle): number | undefined {
  const { ctx, guard } = sb;
  const fn = ctx.getProp(factory, GAS_USED);
  if (ctx.typeof(fn) !== "function") {
    fn.dispose();
    return undefined;
  }
  const saved = { ...guard };
  guard.outOfGas = false;
  guard.timedOut = false;
  guard.deadline = Infinity;
  const r = ctx.callFunction(fn, ctx.undefined);
  Object.assign(guard, saved);
  fn.dispose();
  if (r.error) {
    r.error.dispose();
    return undefined;
  }
  const n = ctx.typeof(r.value) === "number" ? ctx.getNumber(r.value) : NaN;
  r.value.dispose();
  return Number.isFinite(n) ? n : undefined;
}

/** The driver's `thwonkJsLines` on an error the rule's code did not place (contract/prelude/driver.js __runTrigger). */
function readJsLines(sb: Sandbox, thrown: QuickJSHandle): number[] | undefined {
  const { ctx } = sb;
  if (ctx.typeof(thrown) !== "object" || ctx.sameValue(thrown, ctx.null)) return undefined;
  const v = ctx.getProp(thrown, "thwonkJsLines");
  const text = ctx.typeof(v) === "string" ? ctx.getString(v) : "";
  v.dispose();
  const lines = text.split(",").slice(0, 32).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  return lines.length ? lines : undefined;
}

/** The members as a run receives them: lockdown.ts `columns` (made once per members list and context). */
export function makeColumns(sb: Sandbox, cols: MemberColumns, limits: SandboxLimits): { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError } {
  const { ctx } = sb;
  const args = [cols.address, cols.name, cols.role, cols.joined, cols.bounces ?? ""].map((s) => newString(sb, s));
  const r = ctx.callFunction(sb.columns, ctx.undefined, ...args);
  for (const a of args) a.dispose();
  if (r.error) return failedBy(sb, r.error, limits);
  return { ok: true, handle: r.value };
}

/** The input parts a context keeps for a list, parsed and frozen in it (lockdown.ts `keep`). */
export function keepParts(sb: Sandbox, json: string, limits: SandboxLimits): { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError } {
  const { ctx } = sb;
  const text = newString(sb, json);
  const r = ctx.callFunction(sb.keep, ctx.undefined, text);
  text.dispose();
  if (r.error) return failedBy(sb, r.error, limits);
  return { ok: true, handle: r.value };
}
