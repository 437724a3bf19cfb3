/** One run: make this run's `__thwonk_run` from the factory, call it, read its JSON string. */
import type { QuickJSHandle } from "quickjs-emscripten-core";
import { guardError, thrownError } from "./classify.js";
import type { Sandbox } from "./context.js";
import { sandboxError, sandboxMessages as M, type SandboxError } from "./errors.js";
import type { SandboxLimits } from "./types.js";

export type Outcome = { ok: true; output: string } | { ok: false; error: SandboxError };

export function execute(sb: Sandbox, factory: QuickJSHandle, trigger: string, inputJson: string, limits: SandboxLimits): Outcome {
  const { ctx } = sb;
  const made = ctx.callFunction(factory, ctx.undefined);
  if (made.error) return fail(sb, made.error, limits);
  const run = made.value;
  if (ctx.typeof(run) !== "function") {
    run.dispose();
    return { ok: false, error: sandboxError(M.runtimeError, "the bundle's code defines no function `__thwonk_run`") };
  }
  const args = [ctx.newString(trigger), ctx.newString(inputJson)];
  const r = ctx.callFunction(run, ctx.undefined, ...args);
  for (const h of [run, ...args]) h.dispose();
  if (r.error) return fail(sb, r.error, limits);
  // The code may have called the out-of-gas hook and returned before the interrupt came.
  const broken = guardError(sb, limits);
  const type = ctx.typeof(r.value);
  const output = !broken && type === "string" ? ctx.getString(r.value) : undefined;
  r.value.dispose();
  if (broken) return { ok: false, error: broken };
  const changed = output === undefined ? "" : changedGlobal(sb);
  if (changed) return { ok: false, error: sandboxError(M.runtimeError, `the rule redefined the global \`${changed}\`, which rules may not change`) };
  if (output === undefined) {
    return { ok: false, error: sandboxError(M.runtimeError, `\`__thwonk_run\` returned a value of type ${type}, not a JSON string`) };
  }
  return { ok: true, output };
}

function fail(sb: Sandbox, thrown: QuickJSHandle, limits: SandboxLimits): Outcome {
  const error = thrownError(sb, thrown, limits);
  thrown.dispose();
  return { ok: false, error };
}

/** The global the run redefined despite the freeze (see lockdown.ts), or "". */
function changedGlobal(sb: Sandbox): string {
  const { ctx } = sb;
  const r = ctx.callFunction(sb.intact, ctx.undefined);
  if (r.error) {
    r.error.dispose();
    return "(unknown)";
  }
  const name = ctx.typeof(r.value) === "string" ? ctx.getString(r.value) : "(unknown)";
  r.value.dispose();
  return name;
}
