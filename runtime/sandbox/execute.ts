/** One run: the lockdown's `invoke` makes this run's `__thwonk_run` from the factory, calls it and checks the globals. */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { failedBy, guardError } from "./classify.js";
import { newString, type Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M, type SandboxError } from "./errors.js";
import type { MemberColumns } from "../../contract/input.js";
import type { SandboxLimits } from "./types.js";

export type Outcome = { ok: true; output: string } | { ok: false; error: SandboxError };

/** `members`: made by makeColumns, passed as the run's third argument. */
export function execute(sb: Sandbox, factory: QuickJSHandle, trigger: string, inputJson: string, limits: SandboxLimits, members?: QuickJSHandle): Outcome {
  const { ctx } = sb;
  const args = [factory, ctx.newString(trigger), newString(sb, inputJson)];
  if (members) args.push(members);
  const r = ctx.callFunction(sb.invoke, ctx.undefined, ...args);
  args[1]!.dispose();
  args[2]!.dispose();
  if (r.error) return failedBy(sb, r.error, limits);
  // The code may have called the out-of-gas hook and returned before the interrupt came.
  const broken = guardError(sb, limits);
  const output = !broken && ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : undefined;
  const wrong = output === undefined && !broken ? (ctx.dump(r.value) as { wrong?: string; detail?: string }) : undefined;
  r.value.dispose();
  if (broken) return { ok: false, error: broken };
  // A run's output is a JSON object, never empty: an empty string is what reading it out of the engine gives when
  // the engine's memory cannot hold a copy of it (a result of tens of MB), after the run itself fitted.
  if (output === "") return { ok: false, error: sandboxError(M.outOfMemory, limits.memoryLimitBytes) };
  if (output !== undefined) return { ok: true, output };
  if (wrong?.wrong === "global") {
    return { ok: false, error: sandboxError(M.runtimeError, `the rule redefined the global \`${wrong.detail}\`, which rules may not change`) };
  }
  if (wrong?.wrong === "noRun") {
    return { ok: false, error: sandboxError(M.runtimeError, "the bundle's code defines no function `__thwonk_run`") };
  }
  return { ok: false, error: sandboxError(M.runtimeError, `\`__thwonk_run\` returned a value of type ${wrong?.detail ?? "unknown"}, not a JSON string`) };
}

/** The members as a run receives them: lockdown.ts `columns` (made once per members list and context). */
export function makeColumns(sb: Sandbox, cols: MemberColumns, limits: SandboxLimits): { ok: true; handle: QuickJSHandle } | { ok: false; error: SandboxError } {
  const { ctx } = sb;
  const args = [cols.address, cols.name, cols.role, cols.joined].map((s) => newString(sb, s));
  const r = ctx.callFunction(sb.columns, ctx.undefined, ...args);
  for (const a of args) a.dispose();
  if (r.error) return failedBy(sb, r.error, limits);
  return { ok: true, handle: r.value };
}
